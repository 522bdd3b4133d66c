"""Registry cases for issue 15's ops (indexing along a dim, scans, products, sorting,
rearranging, contractions); imported by ``autograd/ops/cases.py``."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.ops.case_registry import _distinct, _positive, case


def _with_zero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    x.reshape(-1)[1] = 0.0
    return x


def _two_zeros(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    x = _with_zero(rng, shape)
    x.reshape(-1)[-1] = 0.0
    return x


_I = ag.tensor  # index constants made at call time: on the default device (device tests)


def _register() -> None:
    # indexing along a dimension
    case("gather", "dim1-repeats", lambda a: a.gather(1, _I([[0, 0], [2, 1]])) ** 2, (2, 3))
    case("gather", "dim0-smaller", lambda a: ag.gather(a * a, 0, _I([[1], [0], [1]])),
         (2, 3))
    case("gather", "0-d", lambda a: ag.gather(a * a, 0, _I(0)), ())
    case("put_along", "adjoint", lambda a: ag.ops.along.put_along(a * a, (3, 2), 0,
                                                                    _I([[0, 1], [0, 0]])),
         (2, 2))
    case("scatter_add", "repeats", lambda a, s: a.scatter_add(0, _I([[0, 1, 0]]), s * s),
         (2, 3), (2, 3))
    case("scatter", "src", lambda a, s: ag.scatter(a * a, 1, _I([[2], [0]]), s * s),
         (2, 3), (2, 2))
    case("scatter", "value", lambda a: ag.scatter(a * a, 0, _I([[1, 0]]), value=2.0), (2, 2))
    for red in ("sum", "mean", "amax", "amin"):
        for inc in (True, False):
            case("scatter_reduce", f"{red}-self{inc}",
                 lambda a, s, red=red, inc=inc: ag.scatter_reduce(
                     a * 1.0, 0, _I([[0, 1], [0, 1], [2, 1]]), s + 0.05, red, include_self=inc),
                 (3, 2), (3, 2), make=_distinct)
    case("scatter_reduce", "prod", lambda a, s: a.scatter_reduce(
        0, _I([[0, 1], [0, 1]]), s, "prod"), (2, 2), (2, 2), make=_positive,
        second_order=False)
    case("index_select", "repeats", lambda a: a.index_select(-1, _I([2, 0, 2])) ** 2, (2, 3))
    case("take_along_dim", "broadcast",
         lambda a: ag.take_along_dim(a, _I([[0], [2]]), 1) * a, (2, 3))
    case("masked_select", "broadcast",
         lambda a: ag.masked_select(a, _I([True, False, True])) ** 2, (2, 3))
    case("index_put", "accumulate",
         lambda a, v: ag.ops.along.index_put(a * a, (_I([0, 0, 1]),), v * v, accumulate=True),
         (2, 2), (3, 2))
    # distinct indices: with repeats torch's VJP gives every repeat the gradient at its
    # index, which is no derivative finite differences can check (chainrule follows torch)
    case("index_put", "overwrite",
         lambda a, v: ag.ops.along.index_put(a * a, (_I([1, 0]),), v * v), (2, 2), (2, 2))

    # scans
    case("cumsum", "dim1", lambda a: a.cumsum(1) ** 2, (2, 3))
    case("cumsum", "neg-0-d", lambda a: ag.cumsum(a * a, -1), ())
    case("cumprod", "no-zeros", lambda a: a.cumprod(1), (2, 3))
    case("cumprod", "zero", lambda a: ag.cumprod(a, 0), (4, 2), make=_with_zero)
    case("cumprod", "two-zeros", lambda a: ag.cumprod(a, -1), (5,), make=_two_zeros)
    case("cummax", "dim1", lambda a: ag.cummax(a * 1.0, 1).values, (2, 4), make=_distinct)
    case("cummin", "dim0", lambda a: a.cummin(0)[0], (3, 2), make=_distinct)
    case("logcumsumexp", "dim1", lambda a: a.logcumsumexp(1), (2, 3))
    case("logcumsumexp", "wide",
         lambda a: ag.logcumsumexp(a, 0), (3,), make=lambda rng, s: np.array([-800.0, 0.3, 1.0]))

    # products and norms
    case("prod", "all", lambda a: a.prod(), (2, 3), make=_positive)
    case("prod", "dim-keepdim", lambda a: ag.prod(a, 1, keepdim=True), (2, 3))
    case("prod", "one-zero", lambda a: a.prod(), (2, 3), make=_with_zero)
    case("prod", "zeros-dim", lambda a: a.prod(-1), (2, 4), make=_two_zeros)
    case("prod", "0-d", lambda a: ag.prod(a), ())
    for p in ("fro", 1, 3, 0.5, float("inf"), -float("inf"), 0):
        case("norm", f"p={p}", lambda a, p=p: ag.norm(a, p), (2, 3), make=_distinct)
    case("norm", "dim-keepdim", lambda a: a.norm(2, dim=1, keepdim=True), (2, 3))
    case("norm", "tuple-dim", lambda a: ag.norm(a, dim=(0, -1)), (2, 3, 2))
    case("dist", "broadcast", lambda a, b: ag.dist(a, b), (2, 3), (3,))
    case("dist", "p1", lambda a, b: a.dist(b + 0.05, 1), (3,), (3,), make=_distinct)

    # sorting and selection (distinct values: a tie is a kink finite differences cannot see)
    case("sort", "dim1-desc", lambda a: a.sort(1, descending=True).values * a, (2, 4),
         make=_distinct)
    case("sort", "0-d", lambda a: ag.sort(a * a).values, ())
    case("topk", "k2", lambda a: a.topk(2).values, (3, 4), make=_distinct)
    case("topk", "smallest-dim0", lambda a: ag.topk(a, 1, 0, largest=False)[0], (3, 2),
         make=_distinct)
    case("kthvalue", "keepdim", lambda a: a.kthvalue(2, 0, keepdim=True).values, (3, 2),
         make=_distinct)
    case("median", "all", lambda a: a.median(), (2, 3), make=_distinct)
    case("median", "dim", lambda a: ag.median(a, -1).values, (2, 4), make=_distinct)
    case("mode", "dim", lambda a: ag.mode(a, 0).values, (3, 2), make=_distinct)



def _register_rearranging() -> None:
    # rearranging
    case("flip", "dims", lambda a: a.flip((0, -1)) * a, (2, 3))
    case("roll", "dims", lambda a: a.roll((1, -1), (0, 1)) * a, (2, 3))
    case("roll", "flat", lambda a: ag.roll(a * a, 2), (2, 3))
    case("roll", "0-d", lambda a: ag.roll(a * a, 1, 0), ())
    case("repeat", "new-dim", lambda a: a.repeat(2, 1, 3) * 2.0, (2, 1))
    case("repeat", "0-d", lambda a: (a * a).repeat(3), ())
    case("tile", "short", lambda a: ag.tile(a * a, (2,)), (2, 3))
    case("repeat_interleave", "tensor", lambda a: a.repeat_interleave(_I([1, 0, 2]), 1),
         (2, 3))
    case("repeat_interleave", "flat", lambda a: ag.repeat_interleave(a * a, 2), (2, 2))
    case("split", "sizes", lambda a: a.split([1, 2], 1)[1] * a.split(2, 1)[0][:, :1], (2, 3))
    case("chunk", "uneven", lambda a: ag.chunk(a, 2, -1)[1] ** 2, (2, 3))
    case("unbind", "dim1", lambda a: a.unbind(1)[0] * a.unbind(1)[2], (2, 3))
    case("tril", "batched", lambda a: a.tril(-1), (2, 3, 3))
    case("triu", "wide", lambda a: ag.triu(a, 1) * a, (2, 4))
    case("diag", "vector", lambda a: ag.diag(a * a, 1), (3,))
    case("diag", "matrix", lambda a: a.diag(-1) ** 2, (3, 2))
    case("diagonal", "dims", lambda a: a.diagonal(1, 0, 2) ** 2, (3, 2, 4))
    case("trace", "square", lambda a: (a * a).trace(), (3, 3))
    case("outer", "vectors", lambda a, b: ag.outer(a, b) ** 2, (3,), (2,))
    case("kron", "mixed-dims", lambda a, b: ag.kron(a, b) ** 2, (2, 2), (3,))
    case("contiguous", "identity", lambda a: a.contiguous() * a, (2,))
    case("mT", "batched", lambda a: a.mT @ a, (2, 3, 2))

    # contractions
    case("einsum", "matmul", lambda a, b: ag.einsum("ij,jk->ik", a, b) ** 2, (2, 3), (3, 2))
    case("einsum", "ellipsis-broadcast", lambda a, b: ag.einsum("...ij,...j->...i", a, b),
         (2, 3, 2), (1, 2))
    case("einsum", "diag-sum-out", lambda a, b: ag.einsum("iij,k", a, b) ** 2, (2, 2, 3), (2,))
    case("einsum", "implicit-three", lambda a, b, c: ag.einsum("ij,jk,kl", a, b, c),
         (2, 2), (2, 3), (3, 2))
    case("einsum", "size1-named", lambda a, b: ag.einsum("ij,ij->i", a, b) ** 2,
         (1, 3), (2, 3))
    case("bmm", "batch", lambda a, b: ag.bmm(a, b) ** 2, (2, 2, 3), (2, 3, 2))
    case("mm", "plain", lambda a, b: a.mm(b), (2, 3), (3, 2))
    case("mv", "plain", lambda a, b: ag.mv(a, b) ** 2, (2, 3), (3,))
    case("dot", "plain", lambda a, b: a.dot(b) * a, (3,), (3,))
    case("addmm", "broadcast-scaled", lambda c, a, b: ag.addmm(c, a, b, beta=0.5, alpha=2),
         (2,), (3, 2), (2, 2))
    case("addmm", "beta0", lambda c, a, b: c.sum() + ag.addmm(c, a, b, beta=0),
         (3, 2), (3, 2), (2, 2))
    case("baddbmm", "plain", lambda c, a, b: ag.baddbmm(c, a, b) ** 2, (2, 2, 2), (2, 2, 3),
         (2, 3, 2))
    case("addmv", "plain", lambda c, a, b: c.addmv(a, b, alpha=3), (2,), (2, 3), (3,))



def _register_parity() -> None:
    # parity audit (parops): tensor bounds get gradients; the grids of _distinct shifted
    # so no value sits on a bound's kink
    case("clamp", "tensor-bounds-broadcast",
         lambda a, lo, hi: ag.clamp(a, lo - 0.1, hi + 0.1) ** 2, (3, 1), (4,), (3, 4),
         make=_distinct)
    case("norm", "p<1", lambda a: ag.norm(a, 0.5, dim=1), (2, 3), make=_distinct)
    case("norm", "p<0", lambda a: a.norm(-1.5), (4,), make=_distinct)
    case("clamp", "tensor-min-only", lambda a, lo: a.clamp(min=lo - 0.1) ** 2, (5,), (5,),
         make=_distinct)

    # parity audit round 2 (parops2): an in-place op through a view of a view (torch's
    # CopySlices), and a view taken before its base changed in place (replayed on it)
    case("copy_slices", "strided-transposed-view", lambda a, v: _through_view(a, v), (3, 3),
         (2,))
    case("copy_slices", "view-replayed", lambda a, v: _replayed_view(a, v), (2, 3), (3, 2))
    # amax/amin: ties share the gradient (each row of a twice makes ties)
    case("amax", "dim-ties", lambda a: ag.amax(ag.cat([a, a], 1), 1) ** 2, (3, 4),
         make=_distinct)
    case("amin", "dims-keepdim", lambda a: ag.amin(a, (0, 2), keepdim=True) ** 2, (2, 3, 2),
         make=_distinct)
    case("cumsum", "dtype-cast", lambda a: ag.cumsum(a, 1, dtype=ag.float64) ** 2, (2, 3))


def _register_compositions() -> None:
    # torch's compositions (ops/composite.py): the parts' gradients
    case("addcmul", "broadcast", lambda a, b, c: ag.addcmul(a, b, c, value=0.5) ** 2, (2, 3),
         (3,), (2, 1))
    case("addcdiv", "broadcast", lambda a, b, c: ag.addcdiv(a, b, c, value=-2) ** 2, (2, 3),
         (3,), (2, 1), make=_positive)
    case("reciprocal", "plain", lambda a: a.reciprocal(), (2, 3), make=_positive)
    case("clamp_min", "plain", lambda a: ag.clamp_min(a, 0.05) ** 2, (2, 3), make=_distinct)
    case("clamp_max", "tensor", lambda a, b: a.clamp_max(b + 0.05) ** 2, (2, 3), (3,),
         make=_distinct)
    case("masked_scatter", "broadcast", lambda a, s: a.masked_scatter(
        _I([True, False, True]), s) ** 2, (2, 3), (5,))
    case("index_fill", "dim1", lambda a: a.index_fill(1, _I([0, 2]), -1.0) ** 2, (2, 3))
    case("index_copy", "dim1", lambda a, s: a.index_copy(1, _I([2, 0]), s) ** 2, (2, 3), (2, 2))
    case("index_add", "repeats", lambda a, s: ag.index_add(a, 1, _I([2, 2, 0]), s, alpha=2)
         ** 2, (2, 3), (2, 3))
    case("narrow", "dim1", lambda a: a.narrow(1, 1, 2) ** 2, (2, 3))
    case("select", "dim1", lambda a: ag.select(a, 1, -1) ** 2, (2, 3))
    case("movedim", "tuple", lambda a: ag.movedim(a, (0, 1), (2, 0)) ** 2, (2, 3, 2))
    case("unflatten", "minus-one", lambda a: a.unflatten(1, (2, -1)) ** 2, (2, 4))
    case("take", "repeats", lambda a: ag.take(a, _I([[0, 5], [5, -1]])) ** 2, (2, 3))
    case("nansum", "dim", lambda a: ag.nansum(_with(a, float("nan")), 1) ** 2, (2, 3))
    case("nanmean", "dim", lambda a: ag.nanmean(_with(a, float("nan")), 1) ** 2, (2, 3))
    case("nan_to_num", "inf", lambda a: ag.nan_to_num(_with(a, float("inf")), posinf=3.0) * a,
         (2, 3))
    # dense linear algebra (ops/dense.py); a + 3I keeps the matrices well conditioned
    case("inv", "batched", lambda a: ag.linalg.inv(_wc(a)), (2, 3, 3))
    case("det", "plain", lambda a: ag.linalg.det(_wc(a)), (3, 3))
    case("det", "batched", lambda a: ag.det(_wc(a)) * a.sum(), (2, 2, 2))
    case("slogdet", "logabsdet", lambda a: ag.linalg.slogdet(_wc(a)).logabsdet, (2, 3, 3))
    case("logdet", "plain", lambda a: ag.logdet(_wc(a)), (3, 3))
    case("solve", "matrix", lambda a, b: ag.linalg.solve(_wc(a), b), (3, 3), (3, 2))
    case("solve", "vector-broadcast", lambda a, b: ag.linalg.solve(_wc(a), b), (2, 3, 3), (3,))
    case("solve", "left-false", lambda a, b: ag.linalg.solve(_wc(a), b, left=False), (3, 3),
         (2, 3))
    # products and rearrangements built from other ops (ops/geometry.py)
    case("tensordot", "pairs", lambda a, b: ag.tensordot(a, b, dims=([1, 0], [0, 2])) ** 2,
         (2, 3, 2), (3, 2, 2))
    case("cross", "broadcast", lambda a, b: ag.linalg.cross(a, b) ** 2, (2, 3), (1, 3))
    case("cdist", "p2-batched", lambda a, b: ag.cdist(a, b), (2, 3, 2), (2, 2, 2))
    case("cdist", "p1", lambda a, b: ag.cdist(a, b + 0.1, 1.0) ** 2, (3, 2), (2, 2),
         make=_distinct)
    case("rot90", "k3", lambda a: ag.rot90(a, 3, (1, 2)) ** 2, (2, 3, 2))
    case("diag_embed", "offset-dims", lambda a: ag.diag_embed(a, -1, 0, 2) ** 2, (2, 3))
    case("fmax", "nan-broadcast", lambda a, b: ag.fmax(_with(a, float("nan")), b) ** 2, (2, 3),
         (3,), make=_distinct)
    case("fmin", "plain", lambda a, b: ag.fmin(a, b + 0.1) ** 2, (2, 3), (2, 3), make=_distinct)
    case("std_mean", "dim", lambda a: ag.std_mean(a, 1)[0] * ag.std_mean(a, 1)[1], (2, 3))
    case("var_mean", "correction", lambda a: ag.var_mean(a, 0, correction=0)[0] ** 2, (3, 2))
    case("nanmedian", "dim-nan", lambda a: ag.nanmedian(_with(a, float("nan")), 1)[0] ** 2,
         (2, 3), make=_distinct)
    case("nanmedian", "all", lambda a: ag.nanmedian(_with(a, float("nan"))) ** 2, (3, 3),
         make=_distinct)
    case("diff", "n2-prepend", lambda a, p: ag.diff(a, 2, 1, prepend=p) ** 2, (2, 3), (2, 1))


def _through_view(a, v):
    y = a * 1
    y[::2].t()[1] *= v * v
    return y


def _replayed_view(a, v):
    y = a * 1
    z = y.t()
    y.mul_(v.t())
    return z * z


def _wc(a):
    """``a`` + 3I: a well-conditioned square matrix (batch) for the dense ops."""
    return a + 3 * ag.eye(a.shape[-1], dtype=a.dtype)


def _with(a, value):
    """``a`` with its middle column replaced by the constant ``value`` (NaN, inf)."""
    return ag.where(_I([False, True, False]), value, a)


_register()
_register_rearranging()
_register_parity()
_register_compositions()
