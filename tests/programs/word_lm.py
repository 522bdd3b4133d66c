"""pytorch/examples/word_language_model: RNNModel (RNN_TANH / RNN_RELU / LSTM / GRU,
tied encoder/decoder weights, nn.init.uniform_/zeros_ then NumPy weights), repackage_hidden,
batchify/get_batch, the manual update p.data.add_(p.grad, alpha=-lr) after clip_grad_norm_,
lr /= 4 on a plateau, evaluate() with math.exp perplexity; its TransformerModel with the
mask torch.log(torch.tril(torch.ones(sz, sz))) and log_softmax outputs; argmax generation
with input.fill_(word_idx)."""

from __future__ import annotations

import math
from typing import Any

from tests.programs.namespace import as_list


def _models(lib: Any) -> tuple:
    torch, nn, F = lib.torch, lib.nn, lib.F

    class RNNModel(nn.Module):
        def __init__(self, rnn_type: str, ntoken: int, ninp: int, nhid: int, nlayers: int,
                     dropout: float = 0.5, tie_weights: bool = False) -> None:
            super().__init__()
            self.ntoken = ntoken
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            if rnn_type in ["LSTM", "GRU"]:
                self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
            else:
                nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
                self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity,
                                  dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            if tie_weights:
                if nhid != ninp:
                    raise ValueError("When using the tied flag, nhid must be equal to emsize")
                self.decoder.weight = self.encoder.weight
            self.init_weights()
            self.rnn_type = rnn_type
            self.nhid = nhid
            self.nlayers = nlayers

        def init_weights(self) -> None:
            initrange = 0.1
            nn.init.uniform_(self.encoder.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, input: Any, hidden: Any) -> tuple:
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            output = self.drop(output)
            decoded = self.decoder(output)
            decoded = decoded.view(-1, self.ntoken)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz: int) -> Any:
            weight = next(self.parameters())
            if self.rnn_type == "LSTM":
                return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                        weight.new_zeros(self.nlayers, bsz, self.nhid))
            return weight.new_zeros(self.nlayers, bsz, self.nhid)

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000) -> None:
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            pe = torch.zeros(max_len, d_model)
            position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2).float()
                                 * (-math.log(10000.0) / d_model))
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            pe = pe.unsqueeze(0).transpose(0, 1)
            self.register_buffer("pe", pe)

        def forward(self, x: Any) -> Any:
            x = x + self.pe[:x.size(0), :]
            return self.dropout(x)

    class TransformerModel(nn.Transformer if hasattr(nn, "Transformer") else nn.Module):
        def __init__(self, ntoken: int, ninp: int, nhead: int, nhid: int, nlayers: int,
                     dropout: float = 0.5) -> None:
            nn.Module.__init__(self)
            self.model_type = "Transformer"
            self.src_mask = None
            self.pos_encoder = PositionalEncoding(ninp, dropout)
            layer = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout)
            self.encoder = nn.TransformerEncoder(layer, nlayers)
            self.input_emb = nn.Embedding(ntoken, ninp)
            self.ninp = ninp
            self.decoder = nn.Linear(ninp, ntoken)
            self.init_weights()

        def _generate_square_subsequent_mask(self, sz: int) -> Any:
            return torch.log(torch.tril(torch.ones(sz, sz)))

        def init_weights(self) -> None:
            initrange = 0.1
            nn.init.uniform_(self.input_emb.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, src: Any, has_mask: bool = True) -> Any:
            if has_mask:
                if self.src_mask is None or self.src_mask.size(0) != len(src):
                    mask = self._generate_square_subsequent_mask(len(src))
                    self.src_mask = mask
            else:
                self.src_mask = None
            src = self.input_emb(src) * math.sqrt(self.ninp)
            src = self.pos_encoder(src)
            output = self.encoder(src, mask=self.src_mask)
            output = self.decoder(output)
            return F.log_softmax(output, dim=-1)

    return RNNModel, TransformerModel


def _run(lib: Any, model_kind: str) -> dict:
    torch, nn = lib.torch, lib.nn
    RNNModel, TransformerModel = _models(lib)
    ntokens, bptt, clip = 13, 5, 0.25
    if model_kind == "Transformer":
        model = TransformerModel(ntokens, 8, 2, 16, 2, dropout=0.0)
    else:
        model = RNNModel(model_kind, ntokens, 6, 6, 2, dropout=0.0,
                         tie_weights=model_kind == "LSTM")
    lib.load(model, scale=1.0)
    criterion = nn.NLLLoss()

    def batchify(data: Any, bsz: int) -> Any:
        nbatch = data.size(0) // bsz
        data = data.narrow(0, 0, nbatch * bsz)
        data = data.view(bsz, -1).t().contiguous()
        return data

    def repackage_hidden(h: Any) -> Any:
        if isinstance(h, torch.Tensor):
            return h.detach()
        return tuple(repackage_hidden(v) for v in h)

    def get_batch(source: Any, i: int) -> tuple:
        seq_len = min(bptt, len(source) - 1 - i)
        data = source[i:i + seq_len]
        target = source[i + 1:i + 1 + seq_len].view(-1)
        return data, target

    train_data = batchify(lib.randint(ntokens, (66,)), 3)
    val_data = batchify(lib.randint(ntokens, (24,)), 2)

    def evaluate(data_source: Any) -> float:
        model.eval()
        total_loss = 0.0
        if model_kind != "Transformer":
            hidden = model.init_hidden(2)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, bptt):
                data, targets = get_batch(data_source, i)
                if model_kind == "Transformer":
                    output = model(data)
                    output = output.view(-1, ntokens)
                else:
                    output, hidden = model(data, hidden)
                    hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    lr, losses, vals = 5.0, [], []
    best_val_loss = None
    for _epoch in range(3):
        model.train()
        if model_kind != "Transformer":
            hidden = model.init_hidden(3)
        for _batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i)
            model.zero_grad()
            if model_kind == "Transformer":
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                hidden = repackage_hidden(hidden)
                output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            losses.append(loss.item())
        val_loss = evaluate(val_data)
        vals.append([val_loss, math.exp(val_loss)])
        if not best_val_loss or val_loss < best_val_loss:
            best_val_loss = val_loss
        else:
            lr /= 4.0
    model.eval()
    input = torch.tensor([[3]], dtype=torch.long)
    words = []
    if model_kind != "Transformer":
        hidden = model.init_hidden(1)
    with torch.no_grad():
        for _ in range(6):
            if model_kind == "Transformer":
                output = model(input, False)
                word_weights = output[-1].squeeze()
                word_idx = int(word_weights.argmax())
                word_tensor = torch.tensor([[word_idx]])
                input = torch.cat([input, word_tensor], 0)
            else:
                output, hidden = model(input, hidden)
                word_idx = int(output.squeeze().argmax())
                input.fill_(word_idx)
            words.append(word_idx)
    return {"losses": losses, "vals": vals, "lr": lr, "words": words,
            "dec": as_list(model.decoder.bias)}


def rnn_tanh(lib: Any) -> dict:
    return _run(lib, "RNN_TANH")


def rnn_relu(lib: Any) -> dict:
    return _run(lib, "RNN_RELU")


def lstm_tied(lib: Any) -> dict:
    return _run(lib, "LSTM")


def gru(lib: Any) -> dict:
    return _run(lib, "GRU")


def transformer(lib: Any) -> dict:
    return _run(lib, "Transformer")


PROGRAMS = {"rnn_tanh": rnn_tanh, "rnn_relu": rnn_relu, "lstm_tied": lstm_tied, "gru": gru,
            "transformer": transformer}
