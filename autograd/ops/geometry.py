"""torch's products and rearrangements built from other ops (the gradient is the parts'):
tensordot, cross / linalg.cross, cdist, rot90, diag_embed, tensor_split."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.dims import normalize_dim
from autograd.graph import Away
from autograd.ops.arith import sub
from autograd.ops.contract import einsum
from autograd.ops.products import vector_norm
from autograd.ops.rearrange import flip
from autograd.ops.record import array_of
from autograd.ops.select import getitem, index_add
from autograd.ops.shape import stack, transpose
from autograd.tensor import Tensor


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Σ over the last ``dims`` dims of ``a`` and the first of ``b`` (an int), or over the
    paired dims ``dims = (dims_a, dims_b)``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("tensordot", tensordot, a, b, dims)
    na, nb = array_of(a).ndim, array_of(b).ndim
    if isinstance(dims, Tensor):
        dims = array_of(dims).tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length (got {da} and "
                               f"{db})")
        da, db = [normalize_dim(d, na) for d in da], [normalize_dim(d, nb) for d in db]
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(da, db):
        if array_of(a).shape[i] != array_of(b).shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{array_of(a).shape[i]} in dim {i} and second has size "
                               f"{array_of(b).shape[j]} in dim {j}")
        sb[j] = sa[i]
    out = [s for k, s in enumerate(sa) if k not in da] + [s for k, s in enumerate(sb)
                                                          if k not in db]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def _cross(a: Tensor, b: Tensor, axis: int) -> Tensor:
    lead = (slice(None),) * axis

    def part(t, i):
        return getitem(t, lead + (i,) + (Ellipsis,))

    ax, ay, az = (part(a, i) for i in range(3))
    bx, by, bz = (part(b, i) for i in range(3))
    return stack([sub(ay * bz, az * by), sub(az * bx, ax * bz), sub(ax * by, ay * bx)], axis)


def _broadcast_pair(a: Tensor, b: Tensor) -> tuple:
    shape = np.broadcast_shapes(array_of(a).shape, array_of(b).shape)
    return (a if array_of(a).shape == shape else a.expand(shape),
            b if array_of(b).shape == shape else b.expand(shape), len(shape))


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (inputs broadcast)."""
    a, b, n = _broadcast_pair(input, other)
    axis = normalize_dim(dim, n)
    if array_of(a).shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{array_of(input).shape[axis]} and {array_of(other).shape[axis]}")
    return _cross(a, b, axis)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: as linalg.cross, but ``dim=None`` takes the first dim of size 3 (with
    torch's deprecation warning)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cross", cross, input, other, dim)
    if dim is None:
        a, b, n = _broadcast_pair(input, other)
        sizes = array_of(a).shape
        dim = next((i for i, s in enumerate(sizes) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shape {sizes})")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please "
                      "either pass the dim explicitly or simply use torch.linalg.cross. The "
                      "default value of dim will change to agree with that of linalg.cross "
                      "in a future release.", UserWarning, stacklevel=2)
    return linalg_cross(input, other, dim=dim)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The p-norm distances between the rows of x1 (…, P, M) and x2 (…, R, M): (…, P, R)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cdist", cdist, x1, x2, p, compute_mode)
    a1, a2 = array_of(x1), array_of(x2)
    if a1.ndim < 2 or a2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a1.ndim}D"
                           f" X2 got: {a2.ndim}D")
    if a1.shape[-1] != a2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{a1.shape[-1]} X2: {a2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    diff = sub(x1.unsqueeze(-2), x2.unsqueeze(-3))
    return vector_norm(diff, p, dim=-1)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotated by 90° ``k`` times in the plane ``dims`` (from the first towards the second)."""
    n = array_of(input).ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = normalize_dim(dims[0], n), normalize_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, [d1]), d0, d1)
    if k == 2:
        return flip(input, [d0, d1])
    if k == 3:
        return flip(transpose(input, d0, d1), [d1])
    return input * 1  # torch returns a copy


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Each vector along the last dim placed on the ``offset`` diagonal of the (dim1, dim2)
    planes of a new tensor with one more dim."""
    d = array_of(input)
    n = d.ndim + 1
    a, b = normalize_dim(dim1, n), normalize_dim(dim2, n)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = d.shape[-1] + abs(offset)
    i = np.arange(d.shape[-1]) + max(-offset, 0)
    j = np.arange(d.shape[-1]) + max(offset, 0)
    batch = d.shape[:-1]
    # build with the (dim1, dim2) planes last, then move them into place
    lead = tuple(np.arange(s).reshape((-1,) + (1,) * (len(batch) - k))
                 for k, s in enumerate(batch))
    flat = index_add(input, batch + (m, m), lead + (i, j))
    order = [None] * n
    order[a], order[b] = n - 2, n - 1
    rest = iter(range(n - 2))
    return flat.permute(tuple(o if o is not None else next(rest) for o in order))


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Split along ``dim`` into n nearly equal parts (the first ``size % n`` one longer), or
    at the given indices; each part a view."""
    d = array_of(input)
    axis = normalize_dim(dim, d.ndim)
    size = d.shape[axis]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = array_of(ios).tolist()
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(size, ios)
        bounds = [k * q + min(k, r) for k in range(ios + 1)]
    else:
        bounds = [0] + [min(max(int(i) + (size if int(i) < 0 else 0), 0), size)
                        for i in ios] + [size]
    lead = (slice(None),) * axis
    return tuple(getitem(input, lead + (slice(s, max(s, e)),))
                 for s, e in zip(bounds[:-1], bounds[1:]))


PUBLIC = ["tensordot", "cross", "cdist", "rot90", "diag_embed"]

METHODS = {"cross": cross, "rot90": rot90, "diag_embed": diag_embed,
           "tensor_split": tensor_split}
