"""Example inputs for every differentiable op: the gradcheck registry.

The test suite runs ``gradcheck`` and ``gradgradcheck`` over every case, and
``chainrule gradcheck`` does the same on a user's machine. A test asserts that
each name of ``autograd.ops.PUBLIC_OPS`` has at least one case, so an op added
without a case fails the suite. ``nn`` adds its layers' cases with :func:`case`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd.ops.case_registry import (  # noqa: F401 - CASES, case, OpCase: the registry's API
    CASES,
    OpCase,
    _away_from_zero,
    _distinct,
    _positive,
    case,
)
from autograd.ops.conv import col2im, conv1d, conv2d, im2col
from autograd.ops.norm import batch_norm
from autograd.ops.pool import avg_pool2d, max_pool2d


def _put(a: ag.Tensor, key: Any, v: ag.Tensor) -> ag.Tensor:
    """``t[key] = v`` on a copy of ``a`` in the graph (a leaf cannot be written in place)."""
    t = a * 1
    t[key] = v
    return t


def _scale_row(a: ag.Tensor, v: ag.Tensor) -> ag.Tensor:
    """An in-place op on an index view, which writes into its base (t[1] *= v)."""
    t = a * 1
    t[1].mul_(v)
    return t


class _Cube(ag.Function):
    """y = x³;  dx = 3x²·g, written with Tensor ops so that it has a second derivative."""

    @staticmethod
    def forward(ctx: ag.FunctionCtx, x: ag.Tensor) -> ag.Tensor:
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx: ag.FunctionCtx, g: ag.Tensor) -> ag.Tensor:
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class _ScaleAndMul(ag.Function):
    """(p, q) = (2a, a·b);  da = 2·gp + b·gq,  db = a·gq."""

    @staticmethod
    def forward(ctx: ag.FunctionCtx, a: ag.Tensor, b: ag.Tensor) -> tuple:
        ctx.save_for_backward(a, b)
        return a * 2, a * b

    @staticmethod
    def backward(ctx: ag.FunctionCtx, gp: ag.Tensor, gq: ag.Tensor) -> tuple:
        a, b = ctx.saved_tensors
        return gp * 2 + gq * b, gq * a


def _register_all() -> None:
    # arithmetic, with broadcasting and size-1 dims
    case("add", "same", lambda a, b: a + b, (3, 4), (3, 4))
    case("add", "broadcast", lambda a, b: a + b, (2, 3, 4), (3, 1))
    case("add", "scalar", lambda a: 2.5 + a, (3,))
    case("sub", "broadcast", lambda a, b: a - b, (4, 1), (1, 5))
    case("sub", "rsub", lambda a: 1.0 - a, (2, 3))
    case("mul", "broadcast", lambda a, b: a * b, (2, 3, 4), (4,))
    case("mul", "size1", lambda a, b: a * b, (1, 3), (2, 1))
    case("mul", "array-const", lambda a: np.arange(3.0) * a, (2, 3))
    case("div", "broadcast", lambda a, b: a / b, (3, 4), (4,), make=_positive)
    case("div", "rdiv", lambda a: 2.0 / a, (3,), make=_positive)
    case("neg", "matrix", lambda a: -a, (2, 3))
    case("pow", "scalar-exp", lambda a: a ** 3, (2, 3))
    case("pow", "fractional", lambda a: a ** 0.5, (4,), make=_positive)
    case("pow", "tensor-exp", lambda a, b: a ** b, (3, 2), (2,), make=_positive)
    case("pow", "rpow", lambda a: 2.0 ** a, (3,))
    case("matmul", "2d", lambda a, b: a @ b, (3, 4), (4, 2))
    case("matmul", "batched-broadcast", lambda a, b: a @ b, (2, 3, 4), (4, 5))
    case("matmul", "vec-mat", lambda a, b: a @ b, (4,), (2, 4, 3))
    case("matmul", "mat-vec", lambda a, b: a @ b, (3, 4), (4,))
    case("matmul", "vec-vec", lambda a, b: a @ b, (4,), (4,))
    case("linear", "bias", lambda x, w, b: ag.ops.linear(x, w, b), (4, 3), (2, 3), (2,))
    case("linear", "batched-nobias", lambda x, w: ag.ops.linear(x, w), (2, 4, 3), (5, 3))
    case("matmul", "batch-both", lambda a, b: ag.matmul(a, b), (2, 1, 2, 3), (3, 3, 2))

    # elementwise
    case("exp", "matrix", ag.exp, (2, 3))
    case("log", "positive", ag.log, (2, 3), make=_positive)
    case("sqrt", "positive", ag.sqrt, (5,), make=_positive)
    case("abs", "away-from-0", ag.abs, (2, 3), make=_away_from_zero)
    case("sin", "matrix", ag.sin, (2, 3))
    case("cos", "matrix", ag.cos, (2, 3))
    case("tanh", "matrix", ag.tanh, (2, 3))
    case("sigmoid", "matrix", ag.sigmoid, (2, 3))
    case("relu", "away-from-0", ag.relu, (3, 4), make=_away_from_zero)
    case("leaky_relu", "slope", lambda a: ag.leaky_relu(a, 0.1), (3, 4), make=_away_from_zero)
    case("leaky_relu", "default", lambda a: a.leaky_relu(), (5,), make=_away_from_zero)
    case("clamp", "both", lambda a: ag.clamp(a, -0.5, 0.5), (3, 4), make=_distinct)
    case("clamp", "min-only", lambda a: a.clamp(min=0.3), (6,), make=_distinct)
    case("astype", "float32-roundtrip", lambda a: a.astype(np.float64) * 2, (3,))
    # A real cast and back: float64 -> longdouble is exact, so gradcheck stays tight.
    case("astype", "longdouble-roundtrip",
         lambda a: (a.astype(np.longdouble) * 2).astype(np.float64), (3,))
    case("clone", "matrix", lambda a: a.clone() * a, (2, 2))
    # the engine's own VJP helpers, differentiable in their turn (create_graph uses them)
    case("sum_to", "rows-and-lead", lambda a: a.sum_to((1, 4)) * a.sum_to((3, 1)), (3, 4))
    case("index_add", "repeats",
         lambda a: ag.ops.index_add(a * a, (4, 3), np.array([0, 2, 0])), (3, 3))
    # custom Functions: one output (FunctionBackward) and two (OutputBackward slots)
    case("Function", "cube", _Cube.apply, (3,))
    case("Function", "two-outputs", _ScaleAndMul.apply, (3,), (3,))
    # 0-d inputs: NumPy hands 0-d results back as scalars, which every VJP must survive
    for name, make in (("exp", None), ("log", _positive), ("sqrt", _positive),
                       ("abs", _away_from_zero), ("sin", None), ("cos", None),
                       ("tanh", None), ("sigmoid", None), ("relu", _away_from_zero),
                       ("leaky_relu", _away_from_zero)):
        case(name, "0-d", getattr(ag, name), (), make=make)
    case("clamp", "0-d", lambda a: ag.clamp(a, -0.5, 0.5), (), make=_distinct)

    # reductions
    case("sum", "all", lambda a: a.sum(), (2, 3))
    case("sum", "dim", lambda a: a.sum(1), (2, 3, 4))
    case("sum", "dims-keepdim", lambda a: a.sum((0, -1), keepdim=True), (2, 3, 4))
    case("mean", "all", ag.mean, (3, 4))
    case("mean", "neg-dim", lambda a: a.mean(-1, keepdim=True), (2, 5))
    case("var", "unbiased-dim", lambda a: a.var(1), (3, 4))
    case("var", "biased-all", lambda a: a.var(correction=0), (2, 3))
    case("std", "dim", lambda a: a.std(0), (4, 3))
    case("std", "all", lambda a: ag.std(a), (5,))
    case("max", "all", lambda a: a.max(), (3, 4), make=_distinct)
    case("max", "dim", lambda a: a.max(1)[0], (3, 4), make=_distinct)
    case("max", "dim-keepdim", lambda a: a.max(0, keepdim=True).values, (3, 4), make=_distinct)
    case("min", "all", lambda a: a.min(), (3, 4), make=_distinct)
    case("min", "dim", lambda a: ag.min(a, -1)[0], (2, 5), make=_distinct)
    case("logsumexp", "dim", lambda a: ag.logsumexp(a, 1), (3, 4))
    case("logsumexp", "keepdim", lambda a: a.logsumexp(0, keepdim=True), (3, 4))
    case("softmax", "last", lambda a: a.softmax(-1), (3, 4))
    case("softmax", "dim0", lambda a: ag.softmax(a, 0), (3, 2))
    case("softmax_cross_entropy", "4x3",
         lambda a: ag.ops.softmax_cross_entropy(a, np.array([2, 0, 1, 2])), (4, 3))
    case("softmax_cross_entropy", "1x5",
         lambda a: ag.ops.softmax_cross_entropy(a * 3, np.array([4])), (1, 5))
    case("log_softmax", "last", lambda a: a.log_softmax(-1), (3, 4))
    case("log_softmax", "dim1", lambda a: ag.log_softmax(a, 1), (2, 3, 2))

    # shapes
    case("reshape", "flat", lambda a: a.reshape(-1) * a.reshape(6), (2, 3))
    case("reshape", "tuple", lambda a: ag.reshape(a, (3, 2)), (2, 3))
    case("view", "split", lambda a: a.view(2, 2, 3), (4, 3))
    case("flatten", "middle", lambda a: a.flatten(1, 2), (2, 3, 4))
    case("flatten", "all", ag.flatten, (2, 3))
    case("squeeze", "all", lambda a: a.squeeze(), (1, 3, 1))
    case("squeeze", "dim", lambda a: a.squeeze(0) * 2, (1, 3))
    case("unsqueeze", "dim", lambda a: a.unsqueeze(1), (2, 3))
    case("transpose", "2d", lambda a: a.transpose(0, 1), (2, 3))
    case("transpose", "T", lambda a: a.T @ a, (3, 2))
    case("permute", "3d", lambda a: a.permute(2, 0, 1), (2, 3, 4))
    case("expand", "rows", lambda a: a.expand(3, -1), (1, 4))
    case("expand", "new-dims", lambda a: ag.expand(a, 2, 3, 4), (3, 1))
    case("broadcast_to", "3d", lambda a: a.broadcast_to((2, 3, 4)), (3, 1))
    case("cat", "dim0", lambda a, b: ag.cat([a, b], 0), (2, 3), (1, 3))
    case("cat", "dim1", lambda a, b: ag.cat([a, b, a], dim=1), (2, 3), (2, 2))
    case("stack", "dim0", lambda a, b: ag.stack([a, b]), (2, 3), (2, 3))
    case("stack", "last", lambda a, b: ag.stack([a, b], dim=-1), (3,), (3,))
    case("pad", "2d", lambda a: ag.pad(a, ((1, 0), (2, 1))), (2, 3))
    case("pad", "all-dims", lambda a: ag.pad(a, (1, 1), value=0.5), (2, 2))

    # selection
    case("getitem", "slice", lambda a: a[1:, ::2], (3, 4))
    case("getitem", "neg-step-none-ellipsis", lambda a: a[None, ..., ::-1], (2, 3))
    case("getitem", "int", lambda a: a[1] * a[0], (3, 2))
    case("getitem", "bool-mask", lambda a: a[np.array([True, False, True])], (3, 2))
    case("getitem", "int-array-repeats", lambda a: a[np.array([0, 2, 0, 0])], (3, 2))
    case("getitem", "int-arrays-2d", lambda a: a[np.array([0, 1, 1]), np.array([2, 0, 2])],
         (2, 3))
    case("setitem", "slice-broadcast", lambda a, v: _put(a, (slice(1, None),), v), (3, 4), (4,))
    case("setitem", "int-arrays", lambda a, v: _put(a, (np.array([0, 2]), 1), v), (3, 2), (2,))
    case("setitem", "in-place-on-index-view", lambda a, v: _scale_row(a, v), (3, 2), (2,))
    case("masked_fill", "mask", lambda a: a.masked_fill(np.array([True, False, True]), 0.0),
         (2, 3))
    case("masked_fill", "value-tensor",
         lambda a, v: a.masked_fill(np.array([[True, False, True], [False, False, True]]),
                                    v.reshape(())), (2, 3), (1,))
    case("where", "broadcast", lambda a, b: ag.where(np.array([[True], [False]]), a, b),
         (2, 3), (3,))
    case("where", "scalar-b", lambda a: ag.where(np.array([True, False, True]), a, 0.0), (3,))
    # b + 0.15 keeps every pair at least 0.15 apart: no tie within ε (ties are a kink).
    case("maximum", "broadcast", lambda a, b: ag.maximum(a, b + 0.15), (3, 4), (4,),
         make=_distinct)
    case("minimum", "same", lambda a, b: ag.minimum(a, b + 0.15), (2, 3), (2, 3),
         make=_distinct)

    # ---- conv / pool / norm (ops/window.py, conv.py, pool.py, norm.py) -------------------------
    # Small float64 shapes: gradcheck builds full Jacobians. `_cl` re-lays a tensor out
    # channels-last (same values) so the 'ijc' column order of conv/pool is covered too.

    def _cl(t: Any) -> Any:
        n, c, h, w = t.shape
        return t.permute(0, 2, 3, 1).reshape(n, h * w * c).reshape(n, h, w, c).permute(0, 3, 1, 2)

    case("conv2d", "stride1-pad1", lambda x, w, b: conv2d(x, w, b, padding=1),
         (1, 2, 4, 4), (2, 2, 3, 3), (2,))
    case("conv2d", "stride2-pad2", lambda x, w, b: conv2d(x, w, b, stride=2, padding=2),
         (1, 2, 5, 5), (2, 2, 3, 3), (2,))
    case("conv2d", "kernel2x3-stride-hw",
         lambda x, w, b: conv2d(x, w, b, stride=(2, 1), padding=(1, 0)),
         (1, 2, 4, 5), (2, 2, 2, 3), (2,))
    case("conv2d", "dilation2", lambda x, w, b: conv2d(x, w, b, padding=1, dilation=2),
         (1, 1, 5, 5), (2, 1, 2, 2), (2,))
    case("conv2d", "groups2", lambda x, w, b: conv2d(x, w, b, groups=2),
         (1, 4, 3, 3), (4, 2, 2, 2), (4,))
    case("conv2d", "no-bias", lambda x, w: conv2d(x, w, stride=1), (2, 2, 3, 3), (2, 2, 2, 2))
    case("conv2d", "channels-last", lambda x, w, b: conv2d(_cl(x), w, b, padding=1),
         (1, 3, 3, 4), (2, 3, 3, 3), (2,))
    case("conv2d", "channels-last-groups2-stride2",
         lambda x, w: conv2d(_cl(x), w, stride=2, padding=1, groups=2),
         (1, 4, 4, 3), (2, 2, 2, 2))
    case("conv1d", "stride2-pad1", lambda x, w, b: conv1d(x, w, b, stride=2, padding=1),
         (2, 2, 6), (3, 2, 3), (3,))
    case("conv1d", "dilation2-groups2", lambda x, w: conv1d(x, w, dilation=2, groups=2),
         (1, 4, 6), (2, 2, 2))
    case("im2col", "k3-pad1", lambda x: im2col(x, 3, padding=1), (1, 2, 4, 4))
    case("im2col", "k2-stride2-dil2", lambda x: im2col(x, (2, 2), 2, 1, 2), (1, 1, 5, 6))
    case("col2im", "k2-overlap", lambda c: col2im(c, (1, 2, 3, 3), 2), (4, 8))
    case("col2im", "k3-stride2-pad1", lambda c: col2im(c, (1, 1, 5, 4), 3, 2, 1), (6, 9))
    case("max_pool2d", "2x2", lambda x: max_pool2d(x, 2), (1, 2, 4, 4), make=_distinct)
    case("max_pool2d", "2x2-odd-crop-channels-last", lambda x: max_pool2d(_cl(x), 2),
         (1, 2, 5, 4), make=_distinct)
    case("max_pool2d", "k2-stride1", lambda x: max_pool2d(x, 2, stride=1), (1, 2, 4, 5),
         make=_distinct)
    case("max_pool2d", "k3-stride2-pad1", lambda x: max_pool2d(x, 3, 2, 1), (1, 2, 5, 5),
         make=_distinct)
    case("avg_pool2d", "2x2", lambda x: avg_pool2d(x, 2), (1, 2, 4, 4))
    case("avg_pool2d", "k3-stride2-pad1", lambda x: avg_pool2d(x, 3, 2, 1), (1, 2, 5, 5))
    case("avg_pool2d", "k2x3-stride1-pad-hw", lambda x: avg_pool2d(x, (2, 3), 1, (1, 1)),
         (1, 1, 4, 4))
    case("batch_norm", "train-NC-affine",
         lambda x, w, b: batch_norm(x, None, None, w, b, training=True), (4, 3), (3,), (3,))
    case("batch_norm", "train-NCHW-affine",
         lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
         (2, 2, 2, 3), (2,), (2,))
    case("batch_norm", "train-NCL-no-affine",
         lambda x: batch_norm(x, None, None, training=True), (3, 2, 2))
    _rm = ag.tensor(np.array([0.3, -0.2]))
    _rv = ag.tensor(np.array([0.8, 1.5]))
    case("batch_norm", "eval-NCHW", lambda x, w, b: batch_norm(x, _rm, _rv, w, b),
         (2, 2, 2, 2), (2,), (2,))


_register_all()


def _register_sequence() -> None:
    """Embedding, layer norm and the recurrence (every mode, both directions)."""
    from autograd.ops.embedding import embedding
    from autograd.ops.layer_norm import layer_norm
    from autograd.ops.recurrent import recurrence

    idx = np.array([[0, 2, 2], [4, 0, 1]])  # repeated rows accumulate
    case("embedding", "repeats",
         lambda w: embedding(ag.tensor(idx), w) * embedding(ag.tensor(idx), w), (5, 3))
    case("embedding", "padding-idx-unused",
         lambda w: embedding(ag.tensor(idx), w, padding_idx=3) ** 2, (5, 3))
    case("layer_norm", "last-axis-affine", lambda x, w, b: layer_norm(x, 4, w, b),
         (2, 3, 4), (4,), (4,))
    case("layer_norm", "two-axes-affine", lambda x, w, b: layer_norm(x, (3, 4), w, b, 1e-3),
         (2, 3, 4), (3, 4), (3, 4))
    case("layer_norm", "no-affine", lambda x: layer_norm(x, (3,)), (4, 3))
    for mode, gates in (("tanh", 1), ("relu", 1), ("gru", 3), ("lstm", 4)):
        for reverse in (False, True):
            label = f"{mode}-{'reverse' if reverse else 'forward'}"
            if mode == "lstm":
                def fn(gi, h0, w, b, c0, reverse=reverse):
                    return recurrence("lstm", gi, h0, w, b, c0=c0, reverse=reverse)

                case("recurrence", label, fn, (3, 2, 8), (2, 2), (8, 2), (8,), (2, 2))
            else:
                def fn(gi, h0, w, b, mode=mode, reverse=reverse):
                    return recurrence(mode, gi, h0, w, b, reverse=reverse)

                make = _away_from_zero if mode == "relu" else None
                case("recurrence", label, fn, (3, 2, 3 * gates), (2, 3), (3 * gates, 3),
                     (3 * gates,), make=make)
    case("recurrence", "gru-no-bias", lambda gi, h0, w: recurrence("gru", gi, h0, w),
         (2, 1, 6), (1, 2), (6, 2))


_register_sequence()

# issue 15's op families register their cases in their own modules
from autograd.ops import (  # noqa: E402,F401
    cases_assemble,
    cases_decompositions,
    cases_gamma,
    cases_householder,
    cases_math,
    cases_more,
    cases_names,
    cases_special,
    cases_tensor_methods,
)
