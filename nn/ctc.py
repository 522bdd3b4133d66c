"""``F.ctc_loss``: the connectionist temporal classification loss, as torch 2.13's CPU kernel.

For one sample with log-probabilities ``lp`` (T, C), target ``y`` (L,) and the extended
label sequence ``l' = (blank, y₁, blank, y₂, …, y_L, blank)`` (S = 2L + 1), the forward
variables are, in log space,

    α₀(0) = lp[0, blank],  α₀(1) = lp[0, y₁],
    α_t(s) = log(e^{α_{t−1}(s)} + e^{α_{t−1}(s−1)} + [l'_s ≠ l'_{s−2}] e^{α_{t−1}(s−2)})
             + lp[t, l'_s],

and the loss is nll = −log(e^{α_{T−1}(S−1)} + e^{α_{T−1}(S−2)}) (each sample stops at its
own input length). The recursion runs vectorised over the batch and s, a Python loop over
time only. The gradient is torch's ``ctc_loss_backward``: with the backward variables β
(the mirror recursion) and, per class, γ_t(c) = log Σ_{s: l'_s = c} e^{α_t(s) + β_t(s)},

    ∂/∂lp[t, c] = g · (e^{lp[t, c]} − e^{γ_t(c) + nll − lp[t, c]})   for t < input length,

zero after it. (The first term is not the derivative of nll with respect to arbitrary
``lp``: it is torch's, and the two agree once the gradient goes through the log_softmax
that makes ``lp`` — as torch, chainrule returns torch's.) torch has no derivative of that
backward: under ``create_graph`` the gradient is recorded by a node whose backward raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import follow, to_host, xp_of
from autograd.function import Function
from autograd.graph import Away, Node
from autograd.ops.record import unary
from autograd.promotion import torch_name
from autograd.tensor import Tensor

__all__ = ["ctc_loss"]

_NEG = -np.inf


def _logsumexp(am: Any, *terms: Any) -> Any:
    """log Σ eˣ of two or three arrays, shifted by their maximum as torch's kernel (a
    maximum of −∞ shifts by 0, so an all −∞ sum stays −∞)."""
    m = terms[0]
    for t in terms[1:]:
        m = am.maximum(m, t)
    m = am.where(m == _NEG, 0, m)
    total = am.exp(terms[0] - m)
    for t in terms[1:]:
        total = total + am.exp(t - m)
    return am.log(total) + m


def _shift(am: Any, a: Any, k: int) -> Any:
    """``a`` (B, S) moved k places along s (k > 0: to higher s, k < 0: lower), −∞ filled."""
    out = am.full_like(a, _NEG)
    if k > 0:
        out[:, k:] = a[:, :-k]
    else:
        out[:, :k] = a[:, -k:]
    return out


def _alpha(lp: Any, ext: Any, skip: Any, il: Any, tl: Any) -> tuple:
    """log α (T, B, S) and nll (B,) for ``lp`` (T, B, C), extended labels ``ext`` (B, S),
    ``skip`` (B, S: s may be reached from s − 2), lengths ``il``, ``tl`` (B,)."""
    am = xp_of(lp)
    t_max, b, _ = lp.shape
    s = ext.shape[1]
    bidx = am.arange(b)[:, None]
    lpe = lp[:, bidx, ext]  # (T, B, S): lp[t, b, l'_s]
    pos = am.arange(s)[None, :]
    valid = pos <= 2 * tl[:, None]
    la = am.full((t_max, b, s), _NEG, dtype=lp.dtype)
    if t_max:
        first = (pos == 0) | ((pos == 1) & (tl[:, None] > 0))
        la[0] = am.where(first & (il[:, None] > 0), lpe[0], _NEG)
    no_skip = am.asarray(_NEG, dtype=lp.dtype)
    for t in range(1, t_max):
        prev = la[t - 1]
        new = _logsumexp(am, prev, _shift(am, prev, 1),
                         am.where(skip, _shift(am, prev, 2), no_skip)) + lpe[t]
        la[t] = am.where(valid & (t < il)[:, None], new, _NEG)
    last = am.maximum(il - 1, 0)
    bi = am.arange(b)
    l1 = la[last, bi, 2 * tl]
    l2 = am.where(tl > 0, la[last, bi, am.maximum(2 * tl - 1, 0)], _NEG)
    nll = -_logsumexp(am, l1, l2)
    # no input steps: likelihood 1 for an empty target (nll −0.0, as torch's), else 0
    nll = am.where(il == 0, am.where(tl == 0, -0.0, np.inf), nll).astype(lp.dtype)
    return la, nll


def _ctc_grad(g: Any, lp: Any, la: Any, nll: Any, ext: Any, skip: Any, il: Any, tl: Any,
              zero_infinity: bool) -> Any:
    """torch's ``_ctc_loss_backward`` on arrays: the (T, B, C) gradient for the per-sample
    gradient ``g`` (B,)."""
    am = xp_of(lp)
    t_max, b, c = lp.shape
    s = ext.shape[1]
    bidx = am.arange(b)[:, None]
    lpe = lp[:, bidx, ext]
    pos = am.arange(s)[None, :]
    valid = pos <= 2 * tl[:, None]
    top = 2 * tl[:, None]
    start = (pos == top) | ((pos == top - 1) & (tl[:, None] > 0))
    # β_t(s) may come from s + 2 where l'_{s+2} ≠ l'_s: skip shifted down by two
    skip_b = am.zeros_like(skip)
    skip_b[:, :-2] = skip[:, 2:]
    no_skip = am.asarray(_NEG, dtype=lp.dtype)
    lb = am.full((t_max, b, s), _NEG, dtype=lp.dtype)
    for t in range(t_max - 1, -1, -1):
        init = am.where(start, lpe[t], _NEG)
        if t + 1 < t_max:
            nxt = lb[t + 1]
            rec = _logsumexp(am, nxt, _shift(am, nxt, -1),
                             am.where(skip_b, _shift(am, nxt, -2), no_skip)) + lpe[t]
            rec = am.where(valid & (t < il - 1)[:, None], rec, _NEG)
        else:
            rec = am.full((b, s), _NEG, dtype=lp.dtype)
        lb[t] = am.where((t == il - 1)[:, None], init, rec)
    lab = la + lb
    # γ_t(c): the α·β of every s labelled c, log-added in torch's order (s descending)
    gamma = am.full((t_max, b, c), _NEG, dtype=lp.dtype)
    bi = am.arange(b)
    for k in range(s - 1, -1, -1):
        cls = ext[:, k]
        cur = gamma[:, bi, cls]
        new = lab[:, :, k]
        m = am.maximum(cur, new)
        summed = am.log(am.exp(cur - m) + am.exp(new - m)) + m
        gamma[:, bi, cls] = am.where(cur == _NEG, new, summed)
    grad = (am.exp(lp) - am.exp(gamma + nll[None, :, None] - lp)) * g[None, :, None]
    keep = am.arange(t_max)[:, None] < il[None, :]  # (T, B): steps inside each input
    if zero_infinity:
        keep = keep & (nll != np.inf)[None, :]
    return am.where(keep[:, :, None], grad, 0).astype(lp.dtype)


class _CtcLossBackwardFn(Function):
    """The gradient recorded under ``create_graph``: torch's ``_ctc_loss_backward``, which
    has no derivative (backward through it raises, as torch's)."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, log_probs: Tensor, node: CtcLossBackward) -> Tensor:
        return Tensor._const(node.gradient(g._data, log_probs._data))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


class CtcLossBackward(Node):
    """nll (B,) of log_probs (T, B, C); the VJP is torch's alpha-beta gradient (see the
    module docstring). Not twice differentiable, as torch's."""

    twice_differentiable = False  # torch defines no derivative of _ctc_loss_backward

    def gradient(self, g: Any, lp: Any) -> Any:
        la, nll, ext, skip, il, tl, zero_infinity = self.cached()
        # log 0 and inf − inf (an impossible alignment: nan, as torch's) are expected
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            return _ctc_grad(g, lp, la, nll, ext, skip, il, tl, zero_infinity)

    def vjp(self, g, xp):
        lp = self.inputs(xp)[0]
        if xp.raw:
            return (self.gradient(g, lp),)
        return (_CtcLossBackwardFn.apply(g, lp, self),)


def _lengths(v: Any, name: str) -> np.ndarray:
    """A lengths argument (a Tensor, or a sequence of ints) as an int64 vector."""
    if isinstance(v, Tensor):
        if v.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return to_host(v._data).astype(np.int64).reshape(-1)
    return np.asarray([int(x) for x in v], dtype=np.int64)


def _targets(targets: Any, tl: np.ndarray, b: int) -> list:
    """Each sample's target labels (a list of int64 arrays), checked as torch."""
    t = to_host(targets._data) if isinstance(targets, Tensor) else np.asarray(targets)
    if t.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {t.ndim}-dimensional tensor "
                           f"for argument #2 'targets' (while checking arguments for "
                           f"ctc_loss_allocate_outputs)")
    t = t.astype(np.int64)
    for name, lens in (("target_lengths", tl),):
        neg = lens[lens < 0]
        if neg.size:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                               f"{neg[0]} (while checking arguments for "
                               f"ctc_loss_allocate_outputs)")
    if t.ndim == 1:  # concatenated
        total = int(tl.sum())
        if t.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {t.shape[0]} for argument #2 'targets' (while checking "
                               f"arguments for ctc_loss_allocate_outputs)")
        ends = np.cumsum(tl)
        return [t[e - n:e] for e, n in zip(ends, tl)]
    if t.shape[0] != b:
        raise RuntimeError(f"Expected tensor to have size {b} at dimension 0, but got size "
                           f"{t.shape[0]} for argument #2 'targets' (while checking arguments "
                           f"for ctc_loss_allocate_outputs)")
    longest = int(tl.max()) if tl.size else 0
    if t.shape[1] < longest:
        raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, "
                           f"but got size {t.shape[1]} for argument #2 'targets' (while "
                           f"checking arguments for ctc_loss_allocate_outputs)")
    return [t[i, :n] for i, n in enumerate(tl)]


def _extended(labels: Sequence[np.ndarray], blank: int, c: int) -> tuple:
    """The extended label sequences ``ext`` (B, S) (blank between and around the labels;
    blank past each sample's end) and ``skip`` (B, S): s may be reached from s − 2 (a
    label differing from the one two places before, so never a blank)."""
    b = len(labels)
    longest = max((len(x) for x in labels), default=0)
    ext = np.full((b, 2 * longest + 1), blank, dtype=np.int64)
    for i, lab in enumerate(labels):
        if lab.size and (lab.min() < 0 or lab.max() >= c):
            # torch's kernel reads outside log_probs here: refuse rather than guess
            raise RuntimeError(f"ctc_loss: target labels must lie in [0, {c}), got "
                               f"{int(lab.min() if lab.min() < 0 else lab.max())}")
        ext[i, 1:2 * len(lab):2] = lab
    skip = np.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
    return ext, skip


def ctc_loss(log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of ``log_probs`` (T, N, C) (or unbatched (T, C)), normally log_softmax
    outputs, against ``targets`` padded (N, S) or concatenated (Σ target_lengths,);
    ``input_lengths``, ``target_lengths`` (N,) Tensors or sequences of ints. 'none' gives
    the (N,) losses, 'sum' their sum, 'mean' the mean of each loss divided by its target
    length (at least 1). ``zero_infinity`` zeroes infinite losses (no alignment possible)
    and their gradients."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("ctc_loss", ctc_loss, log_probs, targets, input_lengths, target_lengths,
                     blank, reduction, zero_infinity)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if isinstance(input_lengths, Tensor) is not isinstance(target_lengths, Tensor) or \
            isinstance(input_lengths, int | float) or isinstance(target_lengths, int | float):
        raise TypeError("ctc_loss(): input_lengths and target_lengths must both be Tensors "
                        "or both tuples of ints, got "
                        f"{type(input_lengths).__name__} and {type(target_lengths).__name__}")
    il = _lengths(input_lengths, "input_lengths")
    tl = _lengths(target_lengths, "target_lengths")
    if log_probs.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for '
                                  f"'{torch_name(log_probs.dtype)}'")
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional "
                           f"tensor for argument #1 'log_probs' (while checking arguments for "
                           f"ctc_loss_allocate_outputs)")
    if lp._data.size == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    t_max, b, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if il.size != b:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.size != b:
        raise RuntimeError("target_lengths must be of size batch_size")
    labels = _targets(targets, tl, b)
    for lens, what in ((il, "at least 0"), (il, f"at most {t_max}")):
        bad = lens[lens < 0] if what == "at least 0" else lens[lens > t_max]
        if bad.size:
            raise RuntimeError(f"Expected input_lengths to have value {what}, but got value "
                               f"{bad[0]} (while checking arguments for "
                               f"ctc_loss_allocate_outputs)")
    ext, skip = _extended(labels, blank, c)
    data = lp._data
    am = xp_of(data)
    ext, skip, il_x, tl_x = (follow(a, data) for a in (ext, skip, il, tl))
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        la, nll = _alpha(data, ext, skip, il_x, tl_x)
    res = unary(CtcLossBackward, nll, lp, save_input=True,
                cache=(la, nll, ext, skip, il_x, tl_x, bool(zero_infinity)))
    if zero_infinity:
        res = ag.where(Tensor._const(nll == np.inf), Tensor._const(am.zeros((), nll.dtype)),
                       res)
    if reduction == "mean":
        div = Tensor._const(am.maximum(tl_x, 1).astype(nll.dtype))
        return (res / div).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)
