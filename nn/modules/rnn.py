"""Recurrent layers with torch's parameters, shapes and gate order: ``RNN``, ``GRU``,
``LSTM`` and their one-step ``RNNCell``, ``GRUCell``, ``LSTMCell``.

Each layer and direction projects the whole input sequence in one GEMM
(gi = x W_ihᵀ + b_ih, shape (T, B, G·H)), then runs the sequential part as one
``recurrence`` op (autograd/ops/recurrent.py), whose backward is BPTT.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd.ops import linear
from autograd.ops.recurrent import recurrence
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.modules.module import Module, Parameter

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}
_OP_MODE = {"RNN_TANH": "tanh", "RNN_RELU": "relu", "GRU": "gru", "LSTM": "lstm"}


class RNNBase(Module):
    """The stacked, optionally bidirectional recurrence shared by RNN, GRU and LSTM.

    Parameters per layer k and direction (suffix ``_reverse`` for the backward one):
    ``weight_ih_l{k}`` (G·H, I_k), ``weight_hh_l{k}`` (G·H, H), ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (G·H,), all ~ U(−1/√H, 1/√H); I_0 = input_size, later layers
    take D·H (D = 2 if bidirectional).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"hidden_size and num_layers must be positive, got "
                             f"hidden_size={hidden_size}, num_layers={num_layers}")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bool(bias), batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = int(proj_size)
        dt = np.dtype(dtype or np.float32)
        g = _GATES[mode] * self.hidden_size
        h_out = self.proj_size or self.hidden_size  # what each step emits
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else h_out * self._dirs
            for suffix in ("", "_reverse")[:self._dirs]:
                setattr(self, f"weight_ih_l{layer}{suffix}", Parameter(np.empty((g, n_in), dt)))
                setattr(self, f"weight_hh_l{layer}{suffix}",
                        Parameter(np.empty((g, h_out), dt)))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{suffix}", Parameter(np.empty(g, dt)))
                    setattr(self, f"bias_hh_l{layer}{suffix}", Parameter(np.empty(g, dt)))
                if self.proj_size:
                    setattr(self, f"weight_hr_l{layer}{suffix}",
                            Parameter(np.empty((self.proj_size, self.hidden_size), dt)))
        self.reset_parameters()
        if device is not None:
            self.to(device)

    @property
    def _dirs(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        """torch's default: every weight and bias ~ U(−1/√hidden_size, 1/√hidden_size)."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def _weights(self, layer: int, d: int) -> tuple:
        s = f"l{layer}{'_reverse' if d else ''}"
        p = self._parameters
        return (p[f"weight_ih_{s}"], p[f"weight_hh_{s}"], p.get(f"bias_ih_{s}"),
                p.get(f"bias_hh_{s}"))

    def _state(self, hx: Any, batch: int, unbatched: bool, dtype: Any,
               cell: bool = False) -> Any:
        """The initial state as (L·D, B, H) (h with proj_size: (L·D, B, proj_size)),
        checked against torch's expected shape."""
        size = self.hidden_size if cell or not self.proj_size else self.proj_size
        shape = (self.num_layers * self._dirs, batch, size)
        if hx is None:
            return ag.zeros(shape, dtype=dtype, device=self.weight_ih_l0.device)
        if unbatched:
            if hx.ndim != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.ndim}-D tensor")
            hx = hx.unsqueeze(1)
        if tuple(hx.shape) != shape:
            raise RuntimeError(f"Expected hidden size {shape}, got {list(hx.shape)}")
        return hx

    def forward(self, input: Tensor, hx: Any = None) -> tuple:
        """input (T, B, I) ((B, T, I) if batch_first, or unbatched (T, I)); hx (L·D, B, H)
        (for LSTM a pair (h_0, c_0)). Returns output (T, B, D·H) and h_n (L·D, B, H)
        (for LSTM (h_n, c_n)). A PackedSequence input gives a PackedSequence output."""
        from nn.utils.rnn import PackedSequence, packed_forward
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx)
        if input.ndim not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.ndim}D tensor instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (
            input.transpose(0, 1) if self.batch_first else input)
        lstm = self.mode == "LSTM"
        if lstm and hx is not None:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0)")
            h0 = self._state(hx[0], x.shape[1], unbatched, x.dtype)
            c0 = self._state(hx[1], x.shape[1], unbatched, x.dtype, cell=True)
        else:
            h0 = self._state(hx, x.shape[1], unbatched, x.dtype)
            c0 = self._state(None, x.shape[1], unbatched, x.dtype, cell=True) if lstm else None
        x, h_n, c_n = self._layers(x, h0, c0)
        if unbatched:
            x = x.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        elif self.batch_first:
            x = x.transpose(0, 1)
        return (x, (h_n, c_n)) if lstm else (x, h_n)

    def _layers(self, x: Tensor, h0: Tensor, c0: Tensor | None) -> tuple:
        mode, n_h = _OP_MODE[self.mode], self.hidden_size
        lstm = mode == "lstm"
        h_last, c_last = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(self._dirs):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                i = layer * self._dirs + d
                gi = linear(x, w_ih, b_ih)  # every time step in one GEMM
                end = 0 if d else -1  # the reverse direction ends at the first step
                if self.proj_size:
                    seq, c_end = self._projected(gi, h0[i], c0[i], w_hh, b_hh, layer, d)
                    outs.append(seq)
                    h_last.append(seq[end])
                    c_last.append(c_end)
                    continue
                seq = recurrence(mode, gi, h0[i], w_hh, b_hh, c0[i] if lstm else None,
                                 reverse=bool(d))
                if lstm:
                    outs.append(seq[:, :, :n_h])
                    h_last.append(seq[end, :, :n_h])
                    c_last.append(seq[end, :, n_h:])
                else:
                    outs.append(seq)
                    h_last.append(seq[end])
            x = outs[0] if len(outs) == 1 else ag.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, ag.stack(h_last, 0), (ag.stack(c_last, 0) if lstm else None)

    def _projected(self, gi: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Any,
                   layer: int, d: int) -> tuple:
        """LSTM with projections (Sak et al. 2014), step by step: the gates as LSTM's,
        c' = f ⊙ c + i ⊙ g, h' = W_hr (o ⊙ tanh(c')). Returns the (T, B, P) outputs and
        the last cell state."""
        w_hr = self._parameters[f"weight_hr_l{layer}{'_reverse' if d else ''}"]
        n = self.hidden_size
        steps = range(gi.shape[0] - 1, -1, -1) if d else range(gi.shape[0])
        outs: list = [None] * gi.shape[0]
        for t in steps:
            gates = gi[t] + linear(h, w_hh, b_hh)
            i_g, f_g = ag.sigmoid(gates[:, :n]), ag.sigmoid(gates[:, n:2 * n])
            g_g, o_g = ag.tanh(gates[:, 2 * n:3 * n]), ag.sigmoid(gates[:, 3 * n:])
            c = f_g * c + i_g * g_g
            h = linear(o_g * ag.tanh(c), w_hr)
            outs[t] = h
        return ag.stack(outs, 0), c

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), act = tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


class GRU(RNNBase):
    """GRU (torch's form, gates r, z, n stacked in that order):
    r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


class LSTM(RNNBase):
    """LSTM (gates i, f, g, o stacked in that order): i, f, o = σ(·), g = tanh(·) of
    W_i· x + b_i· + W_h· h + b_h·;  c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


class RNNCellBase(Module):
    """One step of a recurrence: ``weight_ih`` (G·H, I), ``weight_hh`` (G·H, H),
    ``bias_ih``, ``bias_hh`` (G·H,), all ~ U(−1/√H, 1/√H)."""

    _mode = "tanh"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bias
        dt = np.dtype(dtype or np.float32)
        g = gates * self.hidden_size
        self.weight_ih = Parameter(np.empty((g, self.input_size), dt))
        self.weight_hh = Parameter(np.empty((g, self.hidden_size), dt))
        if bias:
            self.bias_ih = Parameter(np.empty(g, dt))
            self.bias_hh = Parameter(np.empty(g, dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)
        if device is not None:
            self.to(device)

    def _check(self, input: Tensor, hx: Any) -> tuple:
        if input.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        shape = (x.shape[0], self.hidden_size)

        def state(h: Any) -> Tensor:
            if h is None:
                return ag.zeros(shape, dtype=x.dtype, device=x.device)
            h = h.unsqueeze(0) if unbatched and h.ndim == 1 else h
            if tuple(h.shape) != shape:
                raise RuntimeError(f"hidden of shape {list(h.shape)} does not fit input of "
                                   f"shape {list(input.shape)} (expected {list(shape)})")
            return h

        return x, unbatched, state

    def _step(self, x: Tensor, h: Tensor, c: Tensor | None) -> Tensor:
        gi = linear(x, self.weight_ih, self.bias_ih).unsqueeze(0)
        return recurrence(self._mode, gi, h, self.weight_hh, self.bias_hh, c)[0]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        s += "" if self.bias else ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":  # torch's RNNCellBase
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    """h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self._mode = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, unbatched, state = self._check(input, hx)
        h = self._step(x, state(hx), None)
        return h.squeeze(0) if unbatched else h


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n; see :class:`GRU`)."""

    _mode = "gru"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, unbatched, state = self._check(input, hx)
        h = self._step(x, state(hx), None)
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o; see :class:`LSTM`); returns (h', c')."""

    _mode = "lstm"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple:
        x, unbatched, state = self._check(input, hx)
        h0, c0 = (None, None) if hx is None else hx
        hc = self._step(x, state(h0), state(c0))
        h, c = hc[:, :self.hidden_size], hc[:, self.hidden_size:]
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)
