"""Sequence models: a char-RNN language model (nn.Embedding + nn.LSTM(num_layers=2,
batch_first, dropout) + nn.Linear; the hidden state carried across batches and detached,
clip_grad_norm_, Adam; dropout off in eval) and the PyTorch tutorial's GRU seq2seq with
attention (EncoderRNN, AttnDecoderRNN with torch.bmm and F.softmax, teacher forcing,
NLLLoss on log_softmax, greedy decoding with topk(1))."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list, state_list


def char_lstm(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn

    class CharRNN(nn.Module):
        def __init__(self, vocab: int, emb: int, hidden: int, layers: int,
                     dropout: float) -> None:
            super().__init__()
            self.hidden, self.layers = hidden, layers
            self.encoder = nn.Embedding(vocab, emb)
            self.rnn = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True,
                               dropout=dropout)
            self.decoder = nn.Linear(hidden, vocab)

        def forward(self, x: Any, state: tuple) -> tuple:
            out, state = self.rnn(self.encoder(x), state)
            return self.decoder(out.reshape(-1, self.hidden)), state

        def init_hidden(self, batch: int) -> tuple:
            w = next(self.parameters())
            return (w.new_zeros(self.layers, batch, self.hidden),
                    w.new_zeros(self.layers, batch, self.hidden))

    vocab, seq, batch = 11, 6, 3
    # dropout between the layers is random in training: 0 there, 0.5 for the eval pass
    model = lib.load(CharRNN(vocab, 5, 7, 2, dropout=0.0))
    names = [n for n, _ in model.named_parameters()]
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    data = lib.rng.integers(0, vocab, (batch, seq * 4 + 1))
    losses, norms = [], []
    model.train()
    hidden = model.init_hidden(batch)
    for _epoch in range(2):
        for i in range(0, seq * 4, seq):
            x = torch.tensor(data[:, i:i + seq])
            y = torch.tensor(data[:, i + 1:i + 1 + seq])
            hidden = tuple(h.detach() for h in hidden)
            model.zero_grad()
            output, hidden = model(x, hidden)
            loss = criterion(output, y.reshape(-1))
            loss.backward()
            norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), 0.25)))
            optimizer.step()
            losses.append(loss.item())
    model.rnn.dropout = 0.5
    model.eval()
    with torch.no_grad():
        h = model.init_hidden(1)
        tok = torch.tensor([[3]])
        generated = []
        for _ in range(8):
            logits, h = model(tok, h)
            tok = logits.argmax(dim=-1, keepdim=True)
            generated.append(tok.item())
    return {"names": names, "losses": losses, "norms": norms, "generated": generated,
            "h": as_list(hidden[0]), "c": as_list(hidden[1]),
            "w_hh_l1": as_list(model.rnn.weight_hh_l1),
            "exp_avg_sq": state_list(optimizer.state[model.decoder.bias]["exp_avg_sq"]),
            "step": float(optimizer.state[model.decoder.bias]["step"])}


def gru_attention_seq2seq(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    SOS_token, MAX_LENGTH = 0, 5

    class EncoderRNN(nn.Module):
        def __init__(self, input_size: int, hidden_size: int, dropout_p: float = 0.1) -> None:
            super().__init__()
            self.hidden_size = hidden_size
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
            self.dropout = nn.Dropout(dropout_p)

        def forward(self, input: Any) -> tuple:
            embedded = self.dropout(self.embedding(input))
            output, hidden = self.gru(embedded)
            return output, hidden

    class BahdanauAttention(nn.Module):
        def __init__(self, hidden_size: int) -> None:
            super().__init__()
            self.Wa = nn.Linear(hidden_size, hidden_size)
            self.Ua = nn.Linear(hidden_size, hidden_size)
            self.Va = nn.Linear(hidden_size, 1)

        def forward(self, query: Any, keys: Any) -> tuple:
            scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
            scores = scores.squeeze(2).unsqueeze(1)
            weights = F.softmax(scores, dim=-1)
            context = torch.bmm(weights, keys)
            return context, weights

    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size: int, output_size: int, dropout_p: float = 0.1) -> None:
            super().__init__()
            self.embedding = nn.Embedding(output_size, hidden_size)
            self.attention = BahdanauAttention(hidden_size)
            self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
            self.out = nn.Linear(hidden_size, output_size)
            self.dropout = nn.Dropout(dropout_p)

        def forward(self, encoder_outputs: Any, encoder_hidden: Any,
                    target_tensor: Any = None) -> tuple:
            batch_size = encoder_outputs.size(0)
            decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
            decoder_hidden = encoder_hidden
            decoder_outputs, attentions = [], []
            for i in range(MAX_LENGTH):
                decoder_output, decoder_hidden, attn_weights = self.forward_step(
                    decoder_input, decoder_hidden, encoder_outputs)
                decoder_outputs.append(decoder_output)
                attentions.append(attn_weights)
                if target_tensor is not None:
                    decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
                else:
                    _, topi = decoder_output.topk(1)
                    decoder_input = topi.squeeze(-1).detach()
            decoder_outputs = torch.cat(decoder_outputs, dim=1)
            decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
            attentions = torch.cat(attentions, dim=1)
            return decoder_outputs, decoder_hidden, attentions

        def forward_step(self, input: Any, hidden: Any, encoder_outputs: Any) -> tuple:
            embedded = self.dropout(self.embedding(input))
            query = hidden.permute(1, 0, 2)
            context, attn_weights = self.attention(query, encoder_outputs)
            input_gru = torch.cat((embedded, context), dim=2)
            output, hidden = self.gru(input_gru, hidden)
            output = self.out(output)
            return output, hidden, attn_weights

    hidden_size, in_vocab, out_vocab = 6, 9, 8
    # the tutorial's dropout 0.1 draws torch's random masks: 0 here, so both agree
    encoder = lib.load(EncoderRNN(in_vocab, hidden_size, dropout_p=0.0))
    decoder = lib.load(AttnDecoderRNN(hidden_size, out_vocab, dropout_p=0.0))
    encoder_optimizer = torch.optim.Adam(encoder.parameters(), lr=0.01)
    decoder_optimizer = torch.optim.Adam(decoder.parameters(), lr=0.01)
    criterion = nn.NLLLoss()
    inputs = lib.randint(in_vocab, (4, MAX_LENGTH))
    targets = lib.randint(out_vocab, (4, MAX_LENGTH))
    dataset = lib.data.TensorDataset(inputs, targets)
    loader = lib.data.DataLoader(dataset, batch_size=2, shuffle=False)
    losses = []
    for _ in range(3):
        for input_tensor, target_tensor in loader:
            encoder_optimizer.zero_grad()
            decoder_optimizer.zero_grad()
            encoder_outputs, encoder_hidden = encoder(input_tensor)
            decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
            loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)),
                             target_tensor.view(-1))
            loss.backward()
            encoder_optimizer.step()
            decoder_optimizer.step()
            losses.append(loss.item())
    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        encoder_outputs, encoder_hidden = encoder(inputs)
        decoder_outputs, decoder_hidden, attn = decoder(encoder_outputs, encoder_hidden)
        _, topi = decoder_outputs.topk(1)
        decoded_ids = topi.squeeze()
    return {"losses": losses, "decoded": decoded_ids.tolist(), "attn": as_list(attn),
            "hidden": as_list(decoder_hidden), "attn_shape": list(attn.shape),
            "Va": as_list(decoder.attention.Va.weight)}


PROGRAMS = {"char_lstm": char_lstm, "gru_attention_seq2seq": gru_attention_seq2seq}
