"""Sequence models the ``chainrule`` command trains: the MNIST-1D paper's GRU and a small
character-level transformer (GPT-style: token + position embeddings, pre-LayerNorm blocks
of causal self-attention and a GELU MLP, a final LayerNorm and a linear head)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

import autograd as ag
from autograd.random import generator
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.attention import MultiheadAttention
from nn.modules.container import ModuleList
from nn.modules.embedding import Embedding
from nn.modules.layernorm import LayerNorm
from nn.modules.linear import Linear
from nn.modules.module import Module
from nn.modules.rnn import GRU

__all__ = ["Block", "CharTransformer", "MNIST1DGRU"]


class MNIST1DGRU(Module):
    """The MNIST-1D paper's GRU: each of the 40 values is one time step (input size 1), a
    bidirectional GRU of hidden size 6 reads them, and Linear(40·2·6 = 480, 10) maps all
    the states to logits. Input (N, 40) → logits (N, 10)."""

    def __init__(self, time_steps: int = 40, num_classes: int = 10, hidden_size: int = 6,
                 bidirectional: bool = True) -> None:
        super().__init__()
        self.gru = GRU(1, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.linear = Linear((2 if bidirectional else 1) * hidden_size * time_steps,
                             num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = x.reshape(x.shape[0], -1, 1)  # (N, T) → (N, T, 1)
        h, _ = self.gru(x)
        return self.linear(h.reshape(h.shape[0], -1))


@functools.lru_cache(maxsize=16)
def _future(t: int) -> np.ndarray:
    """(t, t) bool, True above the diagonal: the keys a query may not attend (the future).
    Built once per length, read-only."""
    m = np.triu(np.ones((t, t), dtype=bool), 1)
    m.flags.writeable = False
    return m


class Block(Module):
    """x = x + attn(ln_1(x)) (causal);  x = x + mlp(ln_2(x)), mlp = Linear-GELU-Linear (4·d)."""

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(n_embd)
        self.attn = MultiheadAttention(n_embd, n_head, dropout=dropout, batch_first=True)
        self.ln_2 = LayerNorm(n_embd)
        self.fc = Linear(n_embd, 4 * n_embd)
        self.proj = Linear(4 * n_embd, n_embd)
        self.last_attention: Any = None  # (N, h, T, T) when ``keep_attention`` is set
        self.keep_attention = False

    def forward(self, x: Tensor) -> Tensor:
        t = x.shape[1]
        h = self.ln_1(x)
        causal = _future(t)
        a, w = self.attn(h, h, h, attn_mask=causal, is_causal=True,
                         need_weights=self.keep_attention, average_attn_weights=False)
        if self.keep_attention:
            self.last_attention = w._data.copy()
        x = x + a
        return x + self.proj(F.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class CharTransformer(Module):
    """A GPT for characters: tokens (N, T) with T ≤ block_size → logits (N, T, vocab_size).

    wte: token embedding, wpe: position embedding, blocks of :class:`Block`, ln_f, head.
    Weights as GPT-2/minGPT: N(0, 0.02) for linear and embedding weights, zero biases.
    """

    def __init__(self, vocab_size: int, block_size: int, n_layer: int = 2, n_head: int = 4,
                 n_embd: int = 64, dropout: float = 0.0) -> None:
        super().__init__()
        self.vocab_size, self.block_size = int(vocab_size), int(block_size)
        self.wte = Embedding(vocab_size, n_embd)
        self.wpe = Embedding(block_size, n_embd)
        self.blocks = ModuleList([Block(n_embd, n_head, dropout) for _ in range(n_layer)])
        self.ln_f = LayerNorm(n_embd)
        self.head = Linear(n_embd, vocab_size)
        gen = generator()
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                p._data[...] = 0
            elif not name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
                p._data[...] = gen.normal(0.0, 0.02, p.shape)

    def forward(self, idx: Any) -> Tensor:
        idx = np.asarray(idx._data if isinstance(idx, Tensor) else idx)
        t = idx.shape[1]
        if t > self.block_size:
            raise ValueError(f"CharTransformer: sequence of length {t} is longer than "
                             f"block_size {self.block_size}")
        x = self.wte(idx) + self.wpe(np.arange(t))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))

    def generate(self, idx: np.ndarray, steps: int, temperature: float = 1.0,
                 greedy: bool = False, rng: np.random.Generator | None = None) -> np.ndarray:
        """Append ``steps`` tokens to each row of ``idx`` (N, T): the most likely one
        (``greedy``) or one drawn from softmax(logits / temperature)."""
        rng = rng or np.random.default_rng()
        idx = np.asarray(idx)
        with ag.no_grad():
            for _ in range(steps):
                logits = self(idx[:, -self.block_size:])._data[:, -1]
                if greedy:
                    nxt = logits.argmax(-1)
                else:
                    z = logits / temperature
                    p = np.exp(z - z.max(-1, keepdims=True))
                    p /= p.sum(-1, keepdims=True)
                    nxt = np.array([rng.choice(len(row), p=row) for row in p])
                idx = np.concatenate([idx, nxt[:, None]], 1)
        return idx
