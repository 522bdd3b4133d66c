"""Products and norms: prod, norm / vector_norm (p = 'fro', 2, 1, inf, -inf, 0 and any
real p), dist, over all elements or over ``dim`` as torch, and renorm."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray
from autograd.dims import normalize_dims
from autograd.graph import Away, Node
from autograd.ops.arith import add, div, mul, sub
from autograd.ops.composite import movedim
from autograd.ops.decompositions import svdvals
from autograd.ops.record import unary
from autograd.ops.reduce import amax, amin, axes_of, kept_shape
from autograd.ops.select import where
from autograd.ops.shape import pad
from autograd.tensor import Tensor


def _others(x: Any, axis: int, xp) -> Any:
    """Π_{j ≠ k} x_j along ``axis`` for every k, exact with zeros: the product of the
    elements before k times the product of those after (exclusive cumulative products)."""
    n = x.shape[axis]
    lead = (slice(None),) * axis
    pad = [(0, 0)] * x.ndim
    pad[axis] = (1, 0)
    before = xp.cumprod(xp.pad(x[lead + (slice(0, n - 1),)], tuple(pad), 1.0), axis)
    pad[axis] = (0, 1)
    rev = lead + (slice(None, None, -1),)
    after = xp.cumprod(xp.pad(x[lead + (slice(1, n),)], tuple(pad), 1.0)[rev], axis)[rev]
    return before * after


class ProdBackward(Node):
    """y = Π x over dim (or all);  dx_k = g · Π_{j ≠ k} x_j  (= g · y / x_k without zeros;
    with zeros, exclusive cumulative products, exact as torch)."""

    def vjp(self, g, xp):
        shape, kshape, axis, has_zero = self.meta
        (x,) = self.inputs(xp)
        g = xp.reshape(g, kshape)
        if not has_zero:
            return (g * xp.reshape(self.output(xp), kshape) / x,)
        if axis is None:  # all elements: one flat row
            flat = xp.reshape(x, (math.prod(shape),))
            return (xp.reshape(_others(flat, 0, xp), shape) * g,)
        return (_others(x, axis, xp) * g,)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """Product of all elements (0-d), or along ``dim``; ints and bools become int64."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("prod", prod, input, dim, keepdim, dtype=dtype)
    d = input._data
    if dtype is not None:
        d = d.astype(np.dtype(dtype), copy=False)
    elif d.dtype.kind in "biu":
        d = d.astype(np.int64)
    if dim is None:
        axis = None
        out = asarray(np.prod(d))
        kshape = (1,) * d.ndim
    else:
        if not isinstance(dim, int | np.integer):
            raise TypeError(f"prod(): dim must be an int, got {dim!r}")
        (axis,) = axes_of(int(dim), d.ndim) or (0,)
        out = np.prod(d, axis=axis, keepdims=keepdim) if d.ndim else d.copy()
        kshape = kept_shape(d.shape, (axis,)) if d.ndim else ()
        axis = axis if d.ndim else None
    has_zero = bool((d == 0).any())
    return unary(ProdBackward, out, input, save_input=True, save_out=True,
                 meta=(d.shape, kshape, axis, has_zero))


class NormBackward(Node):
    """y = ‖x‖_p = (Σ |x|^p)^{1/p};  dx = g · sign(x) |x|^{p−1} / y^{p−1}  (p = 2:
    g · x / y; p = 1: g · sign x; p = ±inf: g · sign x split evenly over the extreme
    elements; p = 0: none, as torch). Where y = 0 the gradient is 0, as torch."""

    def vjp(self, g, xp):
        shape, kshape, p = self.meta
        (x,) = self.inputs(xp)
        sign, zero, ties = self.cached()
        g = xp.reshape(g, kshape)
        if p == 0:  # a count: torch leaves the input's gradient undefined (None)
            return (None,)
        if p == 1:
            return (g * sign,)
        if math.isinf(p):
            return (g * ties,)
        if p < 1:  # torch: sign x |x|^{p−1} (0 at x = 0) · y^{1−p}, so 0 wherever y = 0
            # (a zero among the elements of a negative-p norm zeroes the whole gradient)
            at0 = sign == 0
            scaled = xp.where(at0, 0.0, sign * xp.where(at0, 1.0, x * sign) ** (p - 1))
            return (g * scaled * xp.reshape(self.output(xp), kshape) ** (1 - p),)
        y = xp.where(zero, 1.0, xp.reshape(self.output(xp), kshape))
        if p == 2:
            return (g * x / y,)
        return (g * sign * (x * sign) ** (p - 1) / y ** (p - 1),)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """‖x‖_ord over ``dim`` (all elements when None), as ``torch.linalg.vector_norm``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("vector_norm", vector_norm, x, ord, dim, keepdim, dtype=dtype)
    d = x._data if dtype is None else x._data.astype(np.dtype(dtype))
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {d.dtype}")
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    p = float(ord)
    axes = axes_of(dim, d.ndim)
    a = np.abs(d)
    if p == math.inf:
        out = np.max(a, axis=axes, keepdims=True) if a.size else np.zeros(kept_shape(
            d.shape, axes), d.dtype)
    elif p == -math.inf:
        out = np.min(a, axis=axes, keepdims=True)
    elif p == 0:
        out = np.sum(a != 0, axis=axes, keepdims=True).astype(d.dtype)
    elif p == 1:
        out = np.sum(a, axis=axes, keepdims=True)
    elif p == 2:
        out = np.sqrt(np.sum(d * d, axis=axes, keepdims=True))
    else:
        with np.errstate(divide="ignore"):  # 0 ** (p < 0) = inf: the norm is 0, as torch
            out = np.sum(a ** p, axis=axes, keepdims=True) ** (1.0 / p)
    kshape = out.shape
    zero = out == 0
    sign = np.sign(d)
    ties = None
    if math.isinf(p):
        hit = a == out
        ties = (sign * hit / np.maximum(np.sum(hit, axis=axes, keepdims=True), 1)).astype(
            d.dtype)
    res = out if keepdim else out.reshape(tuple(s for i, s in enumerate(d.shape)
                                                if axes is not None and i not in axes))
    t = unary(NormBackward, res, x, save_input=True, save_out=True, meta=(d.shape, kshape, p),
              cache=(sign, zero, ties))
    return t


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """``torch.norm``: 'fro' (= 2 over the given dims or all), 'nuc' (the nuclear norm of
    the matrices over two dims: all of a 2-d input's) or a vector p-norm (a number p:
    over ``dim``, two dims included, or all, as torch's)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("norm", norm, input, p, dim, keepdim, dtype)
    if p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:  # torch: a matrix norm then
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(map(str, dim))}")
        p = 2
    elif p == "nuc":
        dims = (tuple(range(input.ndim)) if dim is None
                else tuple(dim) if isinstance(dim, (tuple, list)) else (dim,))
        if len(dims) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(map(str, dims))}")
        return singular_value_norm(input, "nuc", dims, keepdim, dtype)
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def singular_value_norm(A: Tensor, ord: Any, dims: Any, keepdim: bool, dtype: Any) -> Tensor:
    """The matrix norms of the singular values σ of the matrices over the two ``dims``:
    2 (max σ, the spectral norm), -2 (min σ) or 'nuc' (Σ σ, the nuclear norm), through
    ``svdvals`` (whose gradient is U Vᵀ)."""
    d0, d1 = normalize_dims(dims, A._data.ndim)
    s = svdvals(movedim(A if dtype is None else A.to(dtype), (d0, d1), (-2, -1)))
    x = s.sum(-1) if ord == "nuc" else amax(s, -1) if ord == 2 else amin(s, -1)
    for d in sorted((d0, d1)) if keepdim else ():
        x = x.unsqueeze(d)
    return x


def dist(input: Tensor, other: Any, p: float = 2) -> Tensor:
    """‖input − other‖_p (the two broadcast together)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("dist", dist, input, other, p)
    if isinstance(p, str):
        raise TypeError("dist(): argument 'p' must be Number, not str")
    return vector_norm(sub(input, other), p)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it:
    x · maxnorm / (‖x‖_p + 1e-7) there, x elsewhere (torch's formula and gradient)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("renorm", renorm, input, p, dim, maxnorm)
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {d.ndim} "
                           "dimensions")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    axis = axes_of(dim, d.ndim)[0]
    for i, n in enumerate(d.shape):
        if math.isinf(p) and i != axis and not n:
            raise RuntimeError(f"linalg.vector_norm cannot compute the inf norm on the "
                               f"dimension {i} because this dimension is empty and the "
                               "operation does not have an identity")
    norm = vector_norm(input, p, tuple(i for i in range(d.ndim) if i != axis), keepdim=True)
    big = norm._data > norm._data.dtype.type(maxnorm)
    factor = where(big, div(maxnorm, add(norm, 1e-7)), 1.0)
    return mul(input, factor)


def _pad_array(x: np.ndarray, widths: tuple, value: float) -> np.ndarray:
    return np.pad(x, widths, mode="constant", constant_values=value)


def _pad_tensor(x: Tensor, widths: tuple, value: float) -> Tensor:
    return pad(x, widths, value)


# The differentiable ops of this family (each has registry cases).
PUBLIC = [
    "prod", "norm", "dist", "renorm",
]

METHODS = {"prod": prod, "norm": norm, "dist": dist, "renorm": renorm}
