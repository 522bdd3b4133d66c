"""The expressions tests/autograd/test_ops_more.py evaluates with chainrule and compares with
torch's answers (``EXPECTED`` in torch_values_ops_more.py, computed once with torch 2.13).
Each runs with ``m`` = the module (``autograd`` here, ``torch`` for the reference) on
float64 inputs; ``I`` makes an int64 index tensor."""

from __future__ import annotations

import numpy as np

X = [[1.0, 3.0, 3.0, 2.0], [0.5, -2.0, 0.5, 4.0], [2.0, 0.0, -1.0, 2.0]]  # ties, a zero
Z = [[1.5, 0.0, 2.0], [0.0, 3.0, 0.0]]  # zeros: one per column, two in row 1
V = [0.5, -1.0, 2.0, 0.0]
I = lambda m, v: m.tensor(v, dtype=m.int64)  # noqa: E731, E741

SPEC: dict = {
    # indexing along a dim
    "gather": (lambda m, x: m.gather(x, 1, I(m, [[0, 0], [3, 1], [2, 2]])), [X]),
    "gather-method-dim0": (lambda m, x: x.gather(0, I(m, [[2, 0, 1, 1]])), [X]),
    "scatter": (lambda m, x, s: x.scatter(1, I(m, [[3], [0], [1]]), s), [X, [[7.0], [8], [9]]]),
    "scatter-value": (lambda m, x: m.scatter(x, 0, I(m, [[1, 0, 2, 1]]), value=-5.0), [X]),
    "scatter_add": (lambda m, x, s: x.scatter_add(0, I(m, [[0, 0, 2], [0, 1, 2]]), s),
                    [X, Z]),
    "scatter_reduce-sum-noself": (lambda m, x, s: x.scatter_reduce(
        1, I(m, [[0, 0, 1], [1, 1, 1]]), s, "sum", include_self=False), [X, Z]),
    "scatter_reduce-mean": (lambda m, x, s: x.scatter_reduce(
        1, I(m, [[0, 0, 1], [1, 1, 1]]), s, "mean"), [X, Z]),
    "scatter_reduce-mean-noself": (lambda m, x, s: x.scatter_reduce(
        1, I(m, [[0, 0, 1], [1, 1, 1]]), s, "mean", include_self=False), [X, Z]),
    "scatter_reduce-amax-ties": (lambda m, x, s: x.scatter_reduce(
        0, I(m, [[0, 0, 0], [2, 0, 0]]), s, "amax"), [X, [[1.0, 3.0, 3.0], [2.0, 3.0, 1.0]]]),
    "scatter_reduce-amin-noself": (lambda m, x, s: x.scatter_reduce(
        1, I(m, [[0, 0, 1], [3, 3, 3]]), s, "amin", include_self=False), [X, Z]),
    "scatter_reduce-prod": (lambda m, x, s: x.scatter_reduce(
        1, I(m, [[0, 0, 1], [3, 3, 2]]), s, "prod"), [X, [[1.5, 2.0, 3.0], [0.5, 2.0, 4.0]]]),
    "index_select": (lambda m, x: m.index_select(x, -1, I(m, [3, 0, 3])), [X]),
    "take_along_dim": (lambda m, x: m.take_along_dim(x, I(m, [[0], [3], [1]]), 1), [X]),
    "take_along_dim-flat": (lambda m, x: m.take_along_dim(x, I(m, [5, 5, 0])), [X]),
    "masked_select": (lambda m, x: m.masked_select(x, x > 1.5), [X]),
    "nonzero": (lambda m, x: m.nonzero(x), [Z]),
    "nonzero-tuple": (lambda m, x: m.nonzero(x, as_tuple=True), [Z]),
    "where-1arg": (lambda m, x: m.where(x > 1), [X]),
    "scatter_-inplace": (lambda m, x, s: (x * 1).scatter_(1, I(m, [[3], [0], [1]]), s),
                         [X, [[7.0], [8], [9]]]),
    "scatter_-one-hot": (lambda m, x: m.zeros(2, 4, dtype=m.float64).scatter_(
        1, I(m, [[1], [3]]), 1.0) * x.sum(), [V]),
    "scatter_add_-inplace": (lambda m, x, s: (x * 1).scatter_add_(
        0, I(m, [[0, 0, 2], [0, 1, 2]]), s), [X, Z]),
    "index_put_-accumulate": (lambda m, x, v: (x * 1).index_put_(
        (I(m, [0, 0, 2]),), v, accumulate=True), [X, [[1.0, 2, 3, 4], [5, 6, 7, 8],
                                                      [9, 10, 11, 12]]]),
    # scans
    "cumsum": (lambda m, x: m.cumsum(x, 1), [X]),
    "cumsum-int": (lambda m, x: m.cumsum(I(m, [[1, 2], [3, 4]]), -2) + 0 * x.sum(), [V]),
    "cumsum-dtype": (lambda m, x: x.cumsum(0, dtype=m.float32), [V]),
    "cumprod-zeros": (lambda m, x: m.cumprod(x, 1), [Z]),
    "cumprod-dim0": (lambda m, x: x.cumprod(0), [X]),
    "cummax": (lambda m, x: m.cummax(x, 1), [X]),
    "cummin-dim0": (lambda m, x: x.cummin(0), [X]),
    "logcumsumexp": (lambda m, x: m.logcumsumexp(x, 1), [X]),
    "logcumsumexp-wide": (lambda m, x: m.logcumsumexp(x, 0), [[-800.0, 1.0, -900.0, 2.0]]),
    # products and norms
    "prod-all": (lambda m, x: m.prod(x), [X]),
    "prod-all-one-zero": (lambda m, x: m.prod(x), [[[1.5, 0.0], [2.0, -3.0]]]),
    "prod-dim": (lambda m, x: x.prod(1), [Z]),
    "prod-dim0-keepdim": (lambda m, x: x.prod(0, keepdim=True), [Z]),
    "prod-int": (lambda m, x: m.prod(I(m, [2, 3, 4])) + 0 * x.sum(), [V]),
    "norm": (lambda m, x: m.norm(x), [X]),
    "norm-zero-vector": (lambda m, x: m.norm(x * 0), [V]),
    "norm-p1-dim": (lambda m, x: x.norm(1, dim=1), [X]),
    "norm-inf": (lambda m, x: m.norm(x, float("inf")), [X]),
    "norm-neginf-dim": (lambda m, x: m.norm(x, float("-inf"), dim=0), [X]),
    "norm-p0": (lambda m, x: m.norm(x, 0), [X]),
    "norm-p3-keepdim": (lambda m, x: m.norm(x, 3, dim=1, keepdim=True), [X]),
    "norm-p0.5": (lambda m, x: m.norm(x, 0.5), [[[1.0, 2.0], [0.5, 3.0]]]),
    "dist": (lambda m, x, y: m.dist(x, y), [X, [1.0, 1.0, 1.0, 1.0]]),
    "dist-p1": (lambda m, x, y: x.dist(y, 1), [X, [0.5, 0.25, 1.0, 1.5]]),
    "linalg.vector_norm": (lambda m, x: m.linalg.vector_norm(x, 3, dim=(0, 1)), [X]),
    "linalg.norm": (lambda m, x: m.linalg.norm(x), [X]),
    # sorting and selection (ties: values equal, gradients to the chosen index)
    "sort": (lambda m, x: m.sort(x, 1), [X]),
    "sort-desc-dim0": (lambda m, x: x.sort(0, descending=True), [X]),
    "sort-nan": (lambda m, x: m.sort(x), [[1.0, float("nan"), 2.0, float("nan")]]),
    "argsort-desc": (lambda m, x: m.argsort(x, descending=True) + 0 * x.sum(), [X]),
    "topk": (lambda m, x: m.topk(x, 2).values, [[[1.0, 5.0, 3.0, 2.0], [4.0, 0.5, 1.0, 6.0]]]),
    "topk-smallest": (lambda m, x: x.topk(2, dim=0, largest=False),
                      [[[1.0, 5.0], [3.0, 2.0], [4.0, 0.5]]]),
    "kthvalue": (lambda m, x: m.kthvalue(x, 2, 1), [[[1.0, 5.0, 3.0], [4.0, 0.5, 1.0]]]),
    "median-all-ties": (lambda m, x: m.median(x), [X]),
    "median-dim": (lambda m, x: x.median(1), [[[1.0, 5.0, 3.0, 2.0], [4.0, 0.5, 1.0, 6.0]]]),
    "median-dim-ties": (lambda m, x: x.median(1), [X]),
    "mode": (lambda m, x: m.mode(x, 1), [X]),
    "mode-dim0": (lambda m, x: x.mode(0), [[[1.0, 2.0], [3.0, 2.0], [1.0, 5.0]]]),
    # rearranging
    "flip": (lambda m, x: m.flip(x, (0, 1)), [X]),
    "roll": (lambda m, x: m.roll(x, (1, -1), (0, 1)), [X]),
    "roll-flat": (lambda m, x: x.roll(5), [X]),
    "repeat": (lambda m, x: x.repeat(2, 1, 2), [Z]),
    "tile": (lambda m, x: m.tile(x, (2,)), [Z]),
    "repeat_interleave": (lambda m, x: m.repeat_interleave(x, 2, dim=0), [Z]),
    "repeat_interleave-tensor": (lambda m, x: x.repeat_interleave(I(m, [2, 0, 1]), dim=1),
                                 [Z]),
    "split": (lambda m, x: m.split(x, 3, 1), [X]),
    "split-sizes": (lambda m, x: x.split([1, 3], -1), [X]),
    "chunk": (lambda m, x: m.chunk(x, 3, 1), [X]),
    "unbind": (lambda m, x: m.unbind(x, 1), [Z]),
    "tril": (lambda m, x: m.tril(x), [X]),
    "triu": (lambda m, x: x.triu(-1), [X]),
    "diag-vec": (lambda m, x: m.diag(x, -1), [V]),
    "diag-mat": (lambda m, x: m.diag(x, 1), [X]),
    "diagonal": (lambda m, x: m.diagonal(x.reshape(2, 3, 2), 0, 1, 2), [X]),
    "trace": (lambda m, x: m.trace(x), [X]),
    "outer": (lambda m, x, y: m.outer(x, y), [V, [1.0, 2.0]]),
    "kron": (lambda m, x, y: m.kron(x, y), [Z, [[1.0, -1.0]]]),
    "mT": (lambda m, x: x.reshape(2, 2, 3).mT, [X]),
    # contractions
    "einsum-bilinear": (lambda m, x, y: m.einsum("ij,kj->ik", x, y),
                        [X, [[1.0, 2, 3, 4], [0, 1, 0, 2]]]),
    "einsum-ellipsis": (lambda m, x, y: m.einsum("...i,i->...", x, y), [X, V]),
    "einsum-trace": (lambda m, x: m.einsum("ii->", x[:, :3]), [X]),
    "einsum-diag-out": (lambda m, x: m.einsum("ii->i", x[:, 1:]), [X]),
    "einsum-list": (lambda m, x, y: m.einsum("ij,j", [x, y]), [X, V]),
    "bmm": (lambda m, x, y: m.bmm(x.reshape(2, 2, 3), y.reshape(2, 3, 1)),
            [X, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]),
    "mv": (lambda m, x, y: m.mv(x, y), [X, V]),
    "dot": (lambda m, x, y: m.dot(x, y), [V, [1.0, 2.0, 3.0, 4.0]]),
    "addmm": (lambda m, c, x, y: m.addmm(c, x, y.reshape(4, 2), beta=0.5, alpha=2.0),
              [[1.0, -1.0], X, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]),
    "baddbmm": (lambda m, c, x, y: m.baddbmm(c, x.reshape(2, 3, 2), y.reshape(2, 2, 2)),
                [[0.5], X, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]),
}


def run(m, name: str) -> dict:
    """Outputs (values, dtype, shape) and gradients of Σ out₀ ⊙ (1, 2, 3, ...) per input."""
    fn, data = SPEC[name]
    xs = [m.tensor(np.array(d, dtype=np.float64), requires_grad=True) for d in data]
    out = fn(m, *xs)
    outs = list(out) if isinstance(out, tuple | list) else [out]
    res = {"values": [o.detach().numpy().tolist() for o in outs],
           "dtypes": [str(o.dtype).replace("torch.", "") for o in outs],
           "shapes": [list(o.shape) for o in outs]}
    first = next((o for o in outs if o.requires_grad), None)
    if first is not None:
        w = m.tensor(np.arange(1.0, first.numel() + 1.0).reshape(tuple(first.shape)))
        grads = m.autograd.grad((first * w).sum(), xs, allow_unused=True) \
            if m.__name__ == "torch" else m.grad((first * w).sum(), xs, allow_unused=True)
        res["grads"] = [None if g is None else g.numpy().tolist() for g in grads]
    return res
