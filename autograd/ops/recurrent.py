"""A recurrence over time as one primitive: Elman RNN (tanh/relu), GRU and LSTM.

The input projection of every time step, ``gi = x W_ihᵀ + b_ih`` of shape (T, B, G·H),
is one GEMM done by the caller (``linear`` over the whole sequence); this op runs the
part that must be sequential, h_t = cell(gi_t, h_{t−1}), and its backward through time.
G is the number of gates: 1 (RNN), 3 (GRU: r, z, n), 4 (LSTM: i, f, g, o), torch's order.

The step functions are written with vocabulary names (``xp.matmul``, ``xp.sigmoid``...),
so the same lines run the forward on arrays, and, under ``create_graph=True``, recompute
it on Tensors so the backward's gates are functions of the inputs (second derivatives).
The raw backward records ‖∂L/∂h_t‖ for every step on the node (``step_grad_norms``):
what ``ag.viz.step_gradients`` draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.graph import RAW, Away, Node
from autograd.ops.record import nary
from autograd.tensor import Tensor

MODES = {"tanh": 1, "relu": 1, "gru": 3, "lstm": 4}


def _step(xp: Any, mode: str, x: Any, h: Any, c: Any, w_t: Any, b: Any, n_h: int) -> tuple:
    """One step: (h_t, c_t or None, what the backward needs).

    GRU (torch):  r, z = σ(x_rz + h W_rzᵀ + b_rz);  n = tanh(x_n + r ⊙ (h W_nᵀ + b_n));
                  h_t = (1 − z) ⊙ n + z ⊙ h.
    LSTM:         i, f, o = σ(·), g = tanh(·) of x + h W_hhᵀ + b;  c_t = f ⊙ c + i ⊙ g;
                  h_t = o ⊙ tanh(c_t).
    RNN:          h_t = act(x + h W_hhᵀ + b).
    """
    gh = xp.matmul(h, w_t)
    if b is not None:
        gh = gh + b
    if mode == "gru":
        rz = xp.sigmoid(x[:, :2 * n_h] + gh[:, :2 * n_h])
        ghn = gh[:, 2 * n_h:]
        n = xp.tanh(x[:, 2 * n_h:] + rz[:, :n_h] * ghn)
        return n + rz[:, n_h:] * (h - n), None, (rz, n, ghn)
    a = x + gh
    if mode == "lstm":
        s_if = xp.sigmoid(a[:, :2 * n_h])
        g = xp.tanh(a[:, 2 * n_h:3 * n_h])
        o = xp.sigmoid(a[:, 3 * n_h:])
        c_new = s_if[:, n_h:] * c + s_if[:, :n_h] * g
        tc = xp.tanh(c_new)
        return o * tc, c_new, (s_if, g, o, tc)
    return (xp.tanh(a) if mode == "tanh" else xp.relu(a)), None, ()


def _step_back(xp: Any, mode: str, dh: Any, dc: Any, h_prev: Any, c_prev: Any, h_new: Any,
               saved: tuple, w: Any, n_h: int) -> tuple:
    """(∂/∂gi_t, ∂/∂gh_t, ∂/∂h_{t−1}, ∂/∂c_{t−1}) from ∂L/∂h_t (and ∂L/∂c_t)."""
    if mode == "gru":
        rz, n, ghn = saved
        z = rz[:, n_h:]
        dan = dh * (1 - z) * (1 - n * n)  # through n = tanh(a_n)
        drz = xp.cat([dan * ghn, dh * (h_prev - n)], 1) * rz * (1 - rz)
        dgh = xp.cat([drz, dan * rz[:, :n_h]], 1)
        return xp.cat([drz, dan], 1), dgh, dh * z + xp.matmul(dgh, w), None
    if mode == "lstm":
        s_if, g, o, tc = saved
        dc = dh * o * (1 - tc * tc) if dc is None else dc + dh * o * (1 - tc * tc)
        dif = xp.cat([dc * g, dc * c_prev], 1) * s_if * (1 - s_if)
        da = xp.cat([dif, dc * s_if[:, :n_h] * (1 - g * g), dh * tc * o * (1 - o)], 1)
        return da, da, xp.matmul(da, w), dc * s_if[:, n_h:]
    if mode == "tanh":
        da = dh * (1 - h_new * h_new)
    else:  # relu: [h_t > 0], a constant
        da = dh * ((h_new if xp.raw else h_new._data) > 0)
    return da, da, xp.matmul(da, w), None


def _run(xp: Any, mode: str, gi: Any, h0: Any, c0: Any, w: Any, b: Any, reverse: bool) -> tuple:
    """The whole sequence: lists indexed by time of h_t, h_{t−1}, c_{t−1}, step caches."""
    n_t, n_h = gi.shape[0], h0.shape[-1]
    w_t = xp.swap_last(w)
    outs, hprev, cprev, saved = [None] * n_t, [None] * n_t, [None] * n_t, [None] * n_t
    h, c = h0, c0
    for t in (range(n_t - 1, -1, -1) if reverse else range(n_t)):
        hprev[t], cprev[t] = h, c
        h, c, saved[t] = _step(xp, mode, gi[t], h, c, w_t, b, n_h)
        outs[t] = xp.cat([h, c], 1) if mode == "lstm" else h
    return outs, hprev, cprev, saved


class RecurrenceBackward(Node):
    """Backpropagation through time: for t from the last step to the first,
    ∂L/∂h_t = g_t + ∂L/∂h_t via step t+1;  then ∂/∂gi_t, and ∂/∂W_hh = Σ_t (∂/∂gh_t)ᵀ h_{t−1},
    ∂/∂b_hh = Σ_t ∂/∂gh_t (one GEMM over all steps)."""

    def vjp(self, g, xp):
        gi, h0, c0, w, b = self.inputs(xp)
        mode, reverse, n_h = self.meta
        if xp.raw:
            outs, hprev, cprev, saved = self.cached()
            norms = self.step_grad_norms = np.zeros(len(outs))
        else:
            outs, hprev, cprev, saved = _run(xp, mode, gi, h0, c0, w, b, reverse)
            norms = None
        n_t = len(outs)
        dgi, dgh = [None] * n_t, [None] * n_t
        dh = dc = None
        for t in (range(n_t) if reverse else range(n_t - 1, -1, -1)):
            gt = g[t]
            gh_t = gt[:, :n_h] if mode == "lstm" else gt
            dh = gh_t if dh is None else dh + gh_t
            if mode == "lstm":
                dc = gt[:, n_h:] if dc is None else dc + gt[:, n_h:]
            if norms is not None:
                norms[t] = np.sqrt(np.sum(np.square(dh, dtype=np.float64)))
            h_new = outs[t][:, :n_h] if mode == "lstm" else outs[t]
            dgi[t], dgh[t], dh, dc = _step_back(xp, mode, dh, dc, hprev[t], cprev[t], h_new,
                                                saved[t], w, n_h)
        ei, eh, ec, ew, eb = self.edges
        d_w = d_b = None
        if ew is not None or eb is not None:
            dgh_all = xp.stack(dgh, 0)
            if ew is not None:
                flat = xp.reshape(dgh_all, (-1, dgh_all.shape[-1]))
                d_w = xp.matmul(xp.swap_last(flat), xp.reshape(xp.stack(hprev, 0), (-1, n_h)))
            if eb is not None:
                d_b = xp.sum(dgh_all, (0, 1), False)
        return (xp.stack(dgi, 0) if ei is not None else None), dh, dc, d_w, d_b


def recurrence(mode: str, gi: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None = None,
               c0: Tensor | None = None, reverse: bool = False) -> Tensor:
    """Run a recurrent cell over time given the input projections ``gi`` (T, B, G·H).

    ``h0`` (B, H) is the initial state (``c0`` too for LSTM), ``w_hh`` (G·H, H),
    ``b_hh`` (G·H,); ``reverse`` runs from the last step to the first. Returns the
    states at every step, (T, B, H), or for LSTM (T, B, 2H): [h_t, c_t] side by side.
    """
    if Away.autocast and autocast_active():  # torch's cuDNN RNN under CUDA autocast
        return autocast_run("recurrence", recurrence, mode, gi, h0, w_hh, b_hh, c0, reverse)
    if mode not in MODES:
        raise ValueError(f"recurrence: unknown mode {mode!r}; expected one of {list(MODES)}")
    n_h = h0._data.shape[-1]
    gates = MODES[mode] * n_h
    if gi._data.ndim != 3 or gi._data.shape[-1] != gates or h0._data.shape != (gi._data.shape[1],
                                                                            n_h):
        raise ValueError(f"recurrence({mode}): input projections of shape {gi._data.shape} and "
                         f"h0 of shape {h0._data.shape} do not fit (need (T, B, {gates}) and "
                         f"(B, {n_h}))")
    if tuple(w_hh._data.shape) != (gates, n_h):
        raise ValueError(f"recurrence({mode}): weight_hh of shape {w_hh._data.shape}, expected "
                         f"{(gates, n_h)}")
    if (mode == "lstm") != (c0 is not None):
        raise ValueError(f"recurrence({mode}): c0 is required for lstm and only for lstm")
    arrays = [None if t is None else t._data for t in (gi, h0, c0, w_hh, b_hh)]
    outs, hprev, cprev, saved = _run(RAW, mode, arrays[0], arrays[1], arrays[2], arrays[3],
                                     arrays[4], reverse)
    out = np.stack(outs, 0) if outs else np.zeros((0,) + h0._data.shape[:1] + (
        n_h * (2 if mode == "lstm" else 1),), gi._data.dtype)
    return nary(RecurrenceBackward, out, (gi, h0, c0, w_hh, b_hh), saved=(gi, h0, c0, w_hh, b_hh),
                meta=(mode, bool(reverse), n_h), cache=(outs, hprev, cprev, saved))
