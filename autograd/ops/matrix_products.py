"""torch's products built from ``mm``/``bmm``/``tensordot``: ``inner``, ``vdot``, ``addr``,
``addbmm``, ``matrix_power``, and the in-place forms ``addmm_``, ``addmv_``, ``baddbmm_``,
``addr_``, ``addbmm_``. Compositions of the differentiable primitives (no node of their
own): the gradients are the parts'.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import xp_of
from autograd.graph import Away
from autograd.ops.arith import mul
from autograd.ops.contract import _scaled_sum, addmm, addmv, baddbmm, bmm, dot
from autograd.ops.dense import inv
from autograd.ops.geometry import tensordot
from autograd.ops.inplace import inplace_of
from autograd.ops.rearrange import outer
from autograd.ops.reduce import sum as _sum
from autograd.ops.select import where
from autograd.ops.unary import clone
from autograd.promotion import torch_name
from autograd.tensor import Tensor, _wrap


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Σ over the last dims of both: shape ``input.shape[:-1] + other.shape[:-1]``; a 0-d
    operand multiplies the other."""
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        return mul(input, other)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """Σᵢ conj(xᵢ) yᵢ of two 1-D tensors: for real tensors, ``dot``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("vdot", vdot, input, other)
    a, b = input._data, other._data
    if a.ndim == 1 and b.ndim == 1 and a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{torch_name(a.dtype)} and {torch_name(b.dtype)}")
    return dot(input, other)


def _integral_scalars(input: Any, operands: tuple, beta: Any, alpha: Any) -> None:
    """torch refuses float alpha/beta when the operands are integral."""
    kinds = [t._data.dtype.kind if isinstance(t, Tensor) else np.asarray(t).dtype.kind
             for t in (input, *operands)]
    if all(k in "biu" for k in kinds):
        for name, v in (("beta", beta), ("alpha", alpha)):
            if isinstance(v, float):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be "
                                   "a floating point number.")


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1,
         alpha: Any = 1) -> Tensor:
    """beta · input + alpha · outer(vec1, vec2): (n,) and (m,) give (n, m), ``input``
    broadcast to it (ignored, NaN too, when beta = 0)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("addr", addr, input, vec1, vec2, beta=beta, alpha=alpha)
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got "
                               f"{v._data.ndim}-D")
    _integral_scalars(input, (vec1, vec2), beta, alpha)
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    """beta · input + alpha · Σ_b batch1[b] @ batch2[b]: (b, n, m) and (b, m, p) give
    (n, p), ``input`` broadcast to it (integer tensors: beta and alpha truncated)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("addbmm", addbmm, input, batch1, batch2, beta=beta, alpha=alpha)
    return _scaled_sum(input, _sum(bmm(batch1, batch2), 0), beta, alpha)


def matrix_power(input: Tensor, n: int) -> Tensor:
    """Aⁿ of each square matrix of a (..., m, m) tensor: the identity for n = 0, A⁻¹ to the
    power -n for n < 0 (``linalg.inv``); products by torch's binary decomposition of n, so
    that rounding matches."""
    a = input._data
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {a.shape[-2]} by {a.shape[-1]} matrices")
    n = int(n)
    if n == 0:  # the identity, with a zero gradient (torch copies it into a clone of A)
        eye = xp_of(a).broadcast_to(xp_of(a).eye(a.shape[-1], dtype=a.dtype), a.shape)
        return where(xp_of(a).ones(a.shape, dtype=bool), _wrap(eye.copy(), None), input)
    if n < 0:
        if a.dtype.kind != "f":
            raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as "
                               f"input. Got {torch_name(a.dtype)}")
        input, n = inv(input), -n
    if n == 1:
        return clone(input)
    if n == 2:
        return input @ input
    if n == 3:
        return (input @ input) @ input
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = input if z is None else z @ z
        if bit:
            result = z if result is None else result @ z
    return result


def _inplace(fn: Any, name: str) -> Any:
    method = inplace_of(fn, name)
    method.__doc__ = f"``{name[:-1]}`` in place: the result must keep the tensor's shape."
    return method


addmm_ = _inplace(addmm, "addmm_")
addmv_ = _inplace(addmv, "addmv_")
baddbmm_ = _inplace(baddbmm, "baddbmm_")
addr_ = _inplace(addr, "addr_")
addbmm_ = _inplace(addbmm, "addbmm_")

PUBLIC = ["inner", "vdot", "addr", "addbmm", "matrix_power"]

METHODS: dict[str, Any] = {
    "inner": inner, "vdot": vdot, "addr": addr, "addbmm": addbmm,
    "matrix_power": matrix_power, "addmm_": addmm_, "addmv_": addmv_, "baddbmm_": baddbmm_,
    "addr_": addr_, "addbmm_": addbmm_,
}

FUNCTIONS: dict[str, Any] = {
    "inner": inner, "vdot": vdot, "addr": addr, "addbmm": addbmm,
    "matrix_power": matrix_power, "addmv_": addmv_,
}
