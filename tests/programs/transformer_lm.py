"""PyTorch's "Language Modeling with nn.Transformer" tutorial: PositionalEncoding with
register_buffer (math.log, torch.arange(...).unsqueeze(1), sin/cos into even/odd columns),
nn.TransformerEncoder over nn.TransformerEncoderLayer, generate_square_subsequent_mask
(nn.Transformer's when present), batchify/get_batch, CrossEntropyLoss, SGD + StepLR,
clip_grad_norm_(0.5), evaluate(); then a batch_first encoder with a src_key_padding_mask,
in training and in eval under no_grad (torch's nested-tensor path: padded rows come out 0)."""

from __future__ import annotations

import math
from typing import Any

from tests.programs.namespace import as_list


def _square_subsequent_mask(lib: Any, sz: int) -> Any:
    torch, nn = lib.torch, lib.nn
    if hasattr(nn, "Transformer"):
        return nn.Transformer.generate_square_subsequent_mask(sz)
    return torch.triu(torch.ones(sz, sz) * float("-inf"), diagonal=1)


def tutorial(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000) -> None:
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, 1, d_model)
            pe[:, 0, 0::2] = torch.sin(position * div_term)
            pe[:, 0, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe)

        def forward(self, x: Any) -> Any:
            x = x + self.pe[:x.size(0)]
            return self.dropout(x)

    class TransformerModel(nn.Module):
        def __init__(self, ntoken: int, d_model: int, nhead: int, d_hid: int,
                     nlayers: int, dropout: float = 0.5) -> None:
            super().__init__()
            self.model_type = "Transformer"
            self.pos_encoder = PositionalEncoding(d_model, dropout)
            encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
            self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
            self.embedding = nn.Embedding(ntoken, d_model)
            self.d_model = d_model
            self.linear = nn.Linear(d_model, ntoken)
            self.init_weights()

        def init_weights(self) -> None:
            initrange = 0.1
            self.embedding.weight.data.uniform_(-initrange, initrange)
            self.linear.bias.data.zero_()
            self.linear.weight.data.uniform_(-initrange, initrange)

        def forward(self, src: Any, src_mask: Any = None) -> Any:
            src = self.embedding(src) * math.sqrt(self.d_model)
            src = self.pos_encoder(src)
            if src_mask is None:
                src_mask = _square_subsequent_mask(lib, len(src))
            output = self.transformer_encoder(src, src_mask)
            output = self.linear(output)
            return output

    def batchify(data: Any, bsz: int) -> Any:
        seq_len = data.size(0) // bsz
        data = data[:seq_len * bsz]
        data = data.view(bsz, seq_len).t().contiguous()
        return data

    bptt = 5

    def get_batch(source: Any, i: int) -> tuple:
        seq_len = min(bptt, len(source) - 1 - i)
        data = source[i:i + seq_len]
        target = source[i + 1:i + 1 + seq_len].reshape(-1)
        return data, target

    ntokens = 17
    # dropout 0 in training (torch's masks are random); eval as the tutorial
    model = TransformerModel(ntokens, 8, 2, 16, 2, dropout=0.0)
    names = [n for n, _ in model.named_parameters()]
    lib.load(model)
    train_data = batchify(lib.randint(ntokens, (64,)), 4)
    val_data = batchify(lib.randint(ntokens, (24,)), 2)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
    losses, val_losses, lrs = [], [], []
    for _epoch in range(2):
        model.train()
        for i in range(0, train_data.size(0) - 1, bptt):
            data, targets = get_batch(train_data, i)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            loss = criterion(output_flat, targets)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        total_loss = 0.0
        with torch.no_grad():
            for i in range(0, val_data.size(0) - 1, bptt):
                data, targets = get_batch(val_data, i)
                seq_len = data.size(0)
                output = model(data)
                output_flat = output.view(-1, ntokens)
                total_loss += seq_len * criterion(output_flat, targets).item()
        val_losses.append(total_loss / (len(val_data) - 1))
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return {"names": names, "losses": losses, "val_losses": val_losses, "lrs": lrs,
            "pe": as_list(model.pos_encoder.pe[:6, 0]),
            "mask": as_list(_square_subsequent_mask(lib, 4)),
            "nlayers": len(model.transformer_encoder.layers),
            "w": as_list(model.transformer_encoder.layers[1].linear2.weight)}


def padded_batch_first(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    enc = lib.load(nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8)))
    x = lib.randn(3, 5, 8)
    pad = torch.tensor([[False, False, False, True, True], [False] * 5,
                        [False, False, False, False, True]])
    enc.train()
    out_train = enc(x, src_key_padding_mask=pad)
    out_train.sum().backward()
    grad = enc.layers[0].self_attn.in_proj_weight.grad
    causal = _square_subsequent_mask(lib, 5)
    out_causal = enc(x, mask=causal, is_causal=True)
    enc.eval()
    with torch.no_grad():
        out_eval = enc(x, src_key_padding_mask=pad)
    out_eval_grad = enc(x, src_key_padding_mask=pad)  # grad enabled: no nested tensors
    return {"train": as_list(out_train), "grad": as_list(grad), "causal": as_list(out_causal),
            "eval": as_list(out_eval), "eval_grad": as_list(out_eval_grad)}


PROGRAMS = {"tutorial": tutorial, "padded_batch_first": padded_batch_first}
