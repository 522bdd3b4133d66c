"""PyTorch's older RNN tutorials, written one time step at a time: "Classifying names with
a character-level RNN" (one-hot letters written through chained indexing
tensor[li][0][i] = 1, a hand-made RNN cell over torch.cat((input, hidden), 1),
nn.LogSoftmax, NLLLoss, the manual update p.data.add_(p.grad.data, alpha=-lr), topk) and
"Translation with a sequence to sequence network and attention" (the 2017 AttnDecoderRNN:
embedded[0], attn_applied = torch.bmm(weights.unsqueeze(0), encoder_outputs.unsqueeze(0)),
encoder_outputs[ei] = encoder_output[0, 0] written in place into zeros, a loss summed over
time steps, teacher forcing, greedy decoding stopped at EOS)."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def classify_names(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    all_letters = "abcdefghij"
    n_letters = len(all_letters)
    categories = ["A", "B", "C"]

    def letterToIndex(letter: str) -> int:
        return all_letters.find(letter)

    def lineToTensor(line: str) -> Any:
        tensor = torch.zeros(len(line), 1, n_letters)
        for li, letter in enumerate(line):
            tensor[li][0][letterToIndex(letter)] = 1
        return tensor

    class RNN(nn.Module):
        def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
            super().__init__()
            self.hidden_size = hidden_size
            self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
            self.i2o = nn.Linear(input_size + hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, input: Any, hidden: Any) -> tuple:
            combined = torch.cat((input, hidden), 1)
            hidden = self.i2h(combined)
            output = self.i2o(combined)
            output = self.softmax(output)
            return output, hidden

        def initHidden(self) -> Any:
            return torch.zeros(1, self.hidden_size)

    rnn = lib.load(RNN(n_letters, 6, len(categories)))
    criterion = nn.NLLLoss()
    learning_rate = 0.05

    def train(category_tensor: Any, line_tensor: Any) -> tuple:
        hidden = rnn.initHidden()
        rnn.zero_grad()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        loss = criterion(output, category_tensor)
        loss.backward()
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)
        return output, loss.item()

    def categoryFromOutput(output: Any) -> tuple:
        top_n, top_i = output.topk(1)
        category_i = top_i[0].item()
        return categories[category_i], category_i

    words = ["abc", "jihg", "aaj", "bead", "fig", "cab", "jj", "hide"]
    labels = [0, 1, 2, 0, 1, 2, 0, 1]
    losses, guesses = [], []
    onehot = lineToTensor("hija").tolist()
    for _ in range(3):
        for word, label in zip(words, labels):
            output, loss = train(torch.tensor([label], dtype=torch.long), lineToTensor(word))
            losses.append(loss)
            guesses.append(categoryFromOutput(output)[0])
    with torch.no_grad():
        hidden = rnn.initHidden()
        line = lineToTensor("bad")
        for i in range(line.size()[0]):
            output, hidden = rnn(line[i], hidden)
        topv, topi = output.topk(2, 1, True)
    return {"onehot": onehot, "losses": losses, "guesses": guesses,
            "topv": as_list(topv), "topi": topi.tolist(), "i2h": as_list(rnn.i2h.weight)}


def translate_attention(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    SOS_token, EOS_token, MAX_LENGTH = 0, 1, 6

    class EncoderRNN(nn.Module):
        def __init__(self, input_size: int, hidden_size: int) -> None:
            super().__init__()
            self.hidden_size = hidden_size
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size)

        def forward(self, input: Any, hidden: Any) -> tuple:
            embedded = self.embedding(input).view(1, 1, -1)
            output = embedded
            output, hidden = self.gru(output, hidden)
            return output, hidden

        def initHidden(self) -> Any:
            return torch.zeros(1, 1, self.hidden_size)

    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size: int, output_size: int, dropout_p: float = 0.1,
                     max_length: int = MAX_LENGTH) -> None:
            super().__init__()
            self.hidden_size = hidden_size
            self.output_size = output_size
            self.dropout_p = dropout_p
            self.max_length = max_length
            self.embedding = nn.Embedding(self.output_size, self.hidden_size)
            self.attn = nn.Linear(self.hidden_size * 2, self.max_length)
            self.attn_combine = nn.Linear(self.hidden_size * 2, self.hidden_size)
            self.dropout = nn.Dropout(self.dropout_p)
            self.gru = nn.GRU(self.hidden_size, self.hidden_size)
            self.out = nn.Linear(self.hidden_size, self.output_size)

        def forward(self, input: Any, hidden: Any, encoder_outputs: Any) -> tuple:
            embedded = self.embedding(input).view(1, 1, -1)
            embedded = self.dropout(embedded)
            attn_weights = F.softmax(
                self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)
            attn_applied = torch.bmm(attn_weights.unsqueeze(0), encoder_outputs.unsqueeze(0))
            output = torch.cat((embedded[0], attn_applied[0]), 1)
            output = self.attn_combine(output).unsqueeze(0)
            output = F.relu(output)
            output, hidden = self.gru(output, hidden)
            output = F.log_softmax(self.out(output[0]), dim=1)
            return output, hidden, attn_weights

    hidden_size, in_words, out_words = 5, 9, 8
    encoder = lib.load(EncoderRNN(in_words, hidden_size))
    decoder = lib.load(AttnDecoderRNN(hidden_size, out_words, dropout_p=0.0))
    encoder_optimizer = torch.optim.SGD(encoder.parameters(), lr=0.1)
    decoder_optimizer = torch.optim.SGD(decoder.parameters(), lr=0.1)
    criterion = nn.NLLLoss()

    def train(input_tensor: Any, target_tensor: Any, teacher_forcing: bool) -> float:
        encoder_hidden = encoder.initHidden()
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        input_length = input_tensor.size(0)
        target_length = target_tensor.size(0)
        encoder_outputs = torch.zeros(MAX_LENGTH, encoder.hidden_size)
        loss = 0
        for ei in range(input_length):
            encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
            encoder_outputs[ei] = encoder_output[0, 0]
        decoder_input = torch.tensor([[SOS_token]])
        decoder_hidden = encoder_hidden
        if teacher_forcing:
            for di in range(target_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                loss += criterion(decoder_output, target_tensor[di])
                decoder_input = target_tensor[di]
        else:
            for di in range(target_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                topv, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze().detach()
                loss += criterion(decoder_output, target_tensor[di])
                if decoder_input.item() == EOS_token:
                    break
        loss.backward()
        encoder_optimizer.step()
        decoder_optimizer.step()
        return loss.item() / target_length

    pairs = [(lib.rng.integers(2, in_words, (int(n), 1)), lib.rng.integers(1, out_words, (4, 1)))
             for n in (3, 5, 4, 2)]
    losses = []
    for it in range(8):
        inp, tgt = pairs[it % len(pairs)]
        losses.append(train(torch.tensor(inp), torch.tensor(tgt), teacher_forcing=it % 2 == 0))

    def evaluate(input_tensor: Any) -> tuple:
        with torch.no_grad():
            input_length = input_tensor.size()[0]
            encoder_hidden = encoder.initHidden()
            encoder_outputs = torch.zeros(MAX_LENGTH, encoder.hidden_size)
            for ei in range(input_length):
                encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
                encoder_outputs[ei] += encoder_output[0, 0]
            decoder_input = torch.tensor([[SOS_token]])
            decoder_hidden = encoder_hidden
            decoded_words = []
            decoder_attentions = torch.zeros(MAX_LENGTH, MAX_LENGTH)
            for di in range(MAX_LENGTH):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                decoder_attentions[di] = decoder_attention.data
                topv, topi = decoder_output.data.topk(1)
                if topi.item() == EOS_token:
                    decoded_words.append("<EOS>")
                    break
                decoded_words.append(str(topi.item()))
                decoder_input = topi.squeeze().detach()
            return decoded_words, decoder_attentions[:di + 1]

    words, attentions = evaluate(torch.tensor(pairs[1][0]))
    return {"losses": losses, "words": words, "attentions": as_list(attentions),
            "attn_w": as_list(decoder.attn.weight), "gru": as_list(encoder.gru.weight_hh_l0)}


PROGRAMS = {"classify_names": classify_names, "translate_attention": translate_attention}
