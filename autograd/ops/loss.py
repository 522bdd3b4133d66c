"""Fused losses: ops whose VJP is far simpler than the chain of their parts."""

from __future__ import annotations

import numpy as np

from autograd.backend import asarray, check_same_device, xp_of
from autograd.graph import Node
from autograd.ops.record import unary
from autograd.ops.reduce import softmax
from autograd.tensor import Tensor


class SoftmaxCrossEntropyBackward(Node):
    """L = −(1/N) Σₙ log softmax(x)[n, tₙ]  (x: (N, C), t: (N,) class indices);
    dx = g · (softmax(x) − onehot(t)) / N."""

    def vjp(self, g, xp):
        flat, n = self.meta  # flat: the targets' positions in x.ravel()
        gn = g / n
        if xp.raw:
            # softmax(x) from the forward, scaled, then the one-hot term at the targets
            # only: no N×C one-hot array is ever built.
            dx = self.cached() * gn
            dx.reshape(-1)[flat] -= gn
            return (dx,)
        # under create_graph softmax is recomputed from the x Tensor, so that second
        # derivatives flow through it
        x = self.inputs(xp)[0]
        onehot = xp_of(x._data).zeros(x.shape, x.dtype)
        onehot.reshape(-1)[flat] = 1
        return ((xp.softmax(x, 1) - onehot) * gn,)


def softmax_cross_entropy(x: Tensor, target: np.ndarray) -> Tensor:
    """Mean cross-entropy of logits ``x`` (N, C) against class indices ``target`` (N,),
    as one op (log-sum-exp shifted by the row max: stable for logits of 1e4)."""
    d = x._data
    n, c = d.shape
    # ufunc reductions directly: the ndarray methods add a Python layer per call, which
    # is most of the cost at the usual (batch, classes) sizes
    # (CuPy's ufuncs reduce only with add and multiply: a device array takes .max)
    shifted = d - (np.maximum.reduce(d, 1, keepdims=True) if d.__class__ is np.ndarray
                   else d.max(1, keepdims=True))
    e = np.exp(shifted)
    s = np.add.reduce(e, 1, keepdims=True)
    flat = (np if d.__class__ is np.ndarray else xp_of(d)).arange(0, n * c, c)
    if target.__class__ is not d.__class__:  # torch's error: never a silent copy
        check_same_device(d, target)
    flat += target if target.dtype == flat.dtype else target.astype(flat.dtype)
    # −mean(log p_t) = mean(log s − shifted_t): no log of a tiny probability
    loss = (np.add.reduce(np.log(s), None) - np.add.reduce(shifted.reshape(-1).take(flat))) / n
    e /= s  # e is now softmax(x), kept for the VJP
    return unary(SoftmaxCrossEntropyBackward, asarray(loss, dtype=d.dtype), x,
                 save_input=True, cache=e, meta=(flat, n))


def _softmax_tensor(x: Tensor, axis: int) -> Tensor:
    return softmax(x, axis)
