"""Tensor ops against torch 2.13 where the second parity round found chainrule differing:
indexing, in-place ops and views, and the other ops of the round (see the comments).

As tests/autograd/test_parity_ops.py: each ``SPEC`` entry runs with ``m`` = the module
(``autograd`` here, ``torch`` for the reference, computed once by a scratch script into
test_parity_ops2_values.py; torch is never imported here). Inputs are ``(values, dtype)``;
float ones require grad. Compared: values, dtypes, shapes, the gradients of Σ out ⊙ w (and
their dtypes), the gradients of Σ grads ⊙ v (second order), or the exception's class."""

from __future__ import annotations

import numpy as np
import pytest
from test_parity_ops import _close
from test_parity_ops2_values import EXPECTED

import autograd as ag

X = [[1.5, -2.0, 0.0], [3.0, -0.5, 2.5]]
X3 = np.arange(24.0).reshape(2, 3, 4).tolist()
A3 = [[2.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.0, 1.0, 4.0]]
SQ2 = [[1.0, 0.2, 0.0], [0.3, 2.0, 0.1], [0.0, -1.0, 1.5]]
SQ = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
T = [[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, 1.0, 1.0], [0.5, 0.5, 0.5, 0.5]]
F64, F32, I64, B = "float64", "float32", "int64", "bool"
nan = float("nan")
NN = [[1.0, nan, 0.0, 3.0], [nan, 4.0, nan, -1.0], [2.0, 2.0, nan, 1.0]]
inf = float("inf")


def _set(key, value=None):
    """y = x * 1 with y[key(m)] = v (the second input, or ``value``) written in place."""
    def fn(m, x, v=None):
        y = x * 1
        y[key(m)] = v if value is None else value
        return y
    return fn


def _through(write):
    """y = x * 1, then ``write(m, y, v)`` changes y in place through a view of it."""
    def fn(m, x, v):
        y = x * 1
        write(m, y, v)
        return y
    return fn


def _index_put_(accumulate):
    return lambda m, x, v: (x * 1).index_put_((m.tensor([0, 0, 1]), m.tensor([1, 1, 2])), v,
                                              accumulate=accumulate)


SPEC: dict = {
    # setitem of a float32 value into float64: the value's gradient is float32
    "set-row-f32-value": (_set(lambda m: 0), [(X, F64), ([2.0], F32)]),
    "set-slice-f32-value": (_set(lambda m: (slice(None), slice(None, None, 2))),
                            [(X, F64), ([[1.0], [2.0]], F32)]),
    # index_put_ without accumulate: every repeat of an index gets the gradient there
    # (torch's grad[indices]); with it, repeats add up
    "index_put_-repeats": (_index_put_(False), [(X, F64), ([1.0, 2.0, 3.0], F64)]),
    "index_put_-accumulate": (_index_put_(True), [(X, F64), ([1.0, 2.0, 3.0], F64)]),
    "index_put_-broadcast-repeats": (
        lambda m, x, v: (x * 1).index_put_((m.tensor([0, 0]),), v), [(X, F64), ([1.0, 2.0, 3.0],
                                                                                F64)]),
    "index_put-repeats": (lambda m, x, v: x.index_put((m.tensor([1, 1]), m.tensor([0, 0])), v),
                          [(X, F64), ([1.0, 2.0], F64)]),
    # in-place index ops on a view write into its base (the base's gradient sees them)
    "scatter_-on-view": (
        lambda m, x, s: (lambda y: (y[1].scatter_(0, m.tensor([2, 0]), s), y)[1])(x * 1),
        [(X, F64), ([5.0, 7.0], F64)]),
    "index_put_-on-view": (
        lambda m, x, s: (lambda y: (y[:, 1:].index_put_((m.tensor([1]),), s), y)[1])(x * 1),
        [(X, F64), ([5.0, 7.0], F64)]),
    "masked_fill_": (lambda m, x, v: (x * 1).masked_fill_(m.tensor([True, False, True]), v),
                     [(X, F64), (3.0, F64)]),
    # torch selects with integer indices first, then indexes with the advanced ones on what
    # is left (NumPy counts the integer as advanced: x[0, :, [1, 0]] was (2, 3), torch (3, 2))
    "get-int-slice-list": (lambda m, x: x[0, :, [1, 0]], [(X3, F64)]),
    "get-0d-tensor-slice-list": (lambda m, x: x[m.tensor(1), :, [0, 0]], [(X3, F32)]),
    "get-int-list-int": (lambda m, x: x[1, [2, 0], 3], [(X3, F64)]),
    "set-int-slice-list": (_set(lambda m: (0, slice(None), [1, 0])),
                           [(X3, F64), ([[1.0, 2.0]], F64)]),
    "set-int-slice-list-constant": (
        lambda m, x: (lambda y: (y.__setitem__((0, slice(None), [1, 0]),
                                               m.tensor([[1.0, 2.0]], dtype=m.float64)), y)[1])(
            m.zeros(2, 3, 4, dtype=m.float64)), [(X, F64)]),
    # uint8 index tensors are masks (torch's deprecated rule), not integer indices
    "get-uint8-mask": (lambda m, x: x[m.tensor([1, 0], dtype=m.uint8)], [(X, F64)]),
    "set-uint8-mask": (_set(lambda m: m.tensor([1, 0], dtype=m.uint8)),
                       [(X, F64), ([1.0, 2.0, 3.0], F64)]),
    # a list holding sequences (or slices, tensors, None, ...) indexes as a tuple
    "get-nested-list": (lambda m, x: x[[[0, 1], [1, 0]]], [(X, F64)]),
    "get-list-of-one-list": (lambda m, x: x[[[0, 1]]], [(X, F64)]),
    "get-list-with-slice": (lambda m, x: x[[0, slice(1, None)]], [(X, F64)]),
    "set-nested-list": (_set(lambda m: [[0, 1], [1, 0]]), [(X, F64), ([1.0, 2.0], F64)]),
    # gather/scatter refuse negative indices (NumPy wrapped them); take_along_dim wraps
    "gather-negative-raises": (lambda m, x: x.gather(1, m.tensor([[-1], [0]])), [(X, F64)]),
    "scatter-negative-raises": (lambda m, x: x.scatter(1, m.tensor([[-1], [0]]), 2.0),
                                [(X, F64)]),
    "take_along_dim-negative": (lambda m, x: m.take_along_dim(x, m.tensor([[-1], [0]]), 1),
                                [(X, F64)]),
    # amax/amin (AttributeError before): ties share the gradient, NaN wins
    "amax-ties": (lambda m, x: x.amax(1), [(T, F64)]),
    "amin-dims-keepdim": (lambda m, x: m.amin(x, (0, 1), keepdim=True), [(T, F32)]),
    "amax-all": (lambda m, x: m.amax(x), [(T, F64)]),
    "amax-nan": (lambda m, x: x.amax(-1), [([[1.0, nan, 3.0], [2.0, 2.0, -1.0]], F64)]),
    "amax-int": (lambda m, x: m.tensor([[1, 5], [7, 2]]).amax(0), [(X, F64)]),
    # cumsum/cumprod dtype=: the gradient comes back in the input's dtype
    "cumsum-dtype": (lambda m, x: x.cumsum(1, dtype=m.float32), [(X, F64)]),
    "cumprod-dtype": (lambda m, x: x.cumprod(0, dtype=m.float64), [(X, F32)]),
    # torch names that were AttributeErrors: add/sub with alpha=, compositions and aliases
    "add-alpha": (lambda m, x, y: m.add(x, y, alpha=2), [(X, F64), (X[0], F64)]),
    "sub-alpha-method": (lambda m, x, y: x.sub(y, alpha=-0.5), [(X, F32), (X[0], F32)]),
    "rsub-alpha": (lambda m, x, y: m.rsub(x, y, alpha=2), [(X, F64), (X[0], F64)]),
    "addcmul": (lambda m, x, a, b: m.addcmul(x, a, b, value=0.5),
                [(X, F64), ([1.0, 2.0, 3.0], F64), ([[2.0], [3.0]], F64)]),
    "addcdiv_": (lambda m, x, a, b: (x * 1).addcdiv_(a, b, value=-2),
                 [(X, F64), ([1.0, 2.0, 3.0], F64), ([[2.0], [3.0]], F64)]),
    "reciprocal-int": (lambda m, x: m.tensor([1, 2, 4]).reciprocal(), [(X, F64)]),
    "clamp_max-tensor": (lambda m, x, b: m.clamp_max(x, b), [(X, F64), ([1.0, 0.0, 1.0], F64)]),
    "clip_": (lambda m, x: (x * 1).clip_(-1, 1), [(X, F64)]),
    "masked_scatter-broadcast": (
        lambda m, x, s: x.masked_scatter(m.tensor([True, False, True]), s),
        [(X, F64), ([1.0, 2.0, 3.0, 4.0, 5.0], F64)]),
    "index_fill-tensor-value": (lambda m, x, v: x.index_fill(1, m.tensor([0, 2]), v),
                                [(X, F64), (2.0, F64)]),
    "index_copy_": (lambda m, x, s: (x * 1).index_copy_(0, m.tensor([1]), s),
                    [(X, F64), ([[1.0, 2.0, 3.0]], F64)]),
    "index_add-repeats-alpha": (lambda m, x, s: m.index_add(x, 1, m.tensor([2, 2, 0]), s,
                                                            alpha=2),
                                [(X, F64), ([[1.0, 2.0, 5.0], [3.0, 4.0, 6.0]], F64)]),
    "narrow-negative-start": (lambda m, x: m.narrow(x, -1, -2, 2), [(X, F64)]),
    "select": (lambda m, x: x.select(1, -1), [(X, F64)]),
    "movedim-tuple": (lambda m, x: m.movedim(x, (0, 1), (2, 0)), [(X3, F64)]),
    "swapdims": (lambda m, x: m.swapdims(x, 0, 1), [(X3, F64)]),
    "unflatten": (lambda m, x: x.unflatten(2, (2, -1)), [(X3, F64)]),
    "take": (lambda m, x: m.take(x, m.tensor([[0, 5], [5, -1]])), [(X, F64)]),
    "nansum-dim": (lambda m, x: x.nansum(1, keepdim=True), [([[1.0, nan, 3.0], [nan, 2.0, -1.0]],
                                                              F32)]),
    "nanmean": (lambda m, x: m.nanmean(x, 1), [([[1.0, nan, 3.0], [nan, 2.0, -1.0]], F64)]),
    "nan_to_num-args": (lambda m, x: (x * m.tensor([inf, 1.0, -inf])).nan_to_num(1.0, 2.0, -3.0),
                        [([[1.0, nan, 3.0], [2.0, nan, -1.0]], F32)]),
    "count_nonzero-dims": (lambda m, x: x.count_nonzero((0, 1)), [(X, F64)]),
    "diff-n2-prepend": (lambda m, x: x.diff(2, 0, prepend=x[:1] * 2), [(X, F64)]),
    "aminmax-dim": (lambda m, x: tuple(x.aminmax(dim=1, keepdim=True)), [(X, F64)]),
    "floor_-in-graph": (lambda m, x: (x * 1.3).floor_() * x, [(X, F64)]),
    "lerp_": (lambda m, x, y: (x * 1).lerp_(y, 0.25), [(X, F64), (T[0][:3], F64)]),
    "cumsum_": (lambda m, x: (x * 1).cumsum_(1), [(X, F64)]),
    # diagonal is a view (in-place through it changes the base; diag of a matrix copies)
    "diagonal-mul_": (_through(lambda m, y, v: y.diagonal().mul_(v)), [(SQ, F64), (X[0], F64)]),
    "diagonal-of-transpose-add_": (_through(lambda m, y, v: y.t().diagonal(-1).add_(v)),
                                   [(SQ, F64), (X[0][:2], F64)]),
    "diagonal-fill_-constant": (
        lambda m, x: (lambda y: (y.diagonal().fill_(5.0), y)[1])(m.zeros(3, 3, dtype=m.float64)),
        [(X, F64)]),
    "diag-of-matrix-copies": (_through(lambda m, y, v: m.diag(y).mul_(v)),
                              [(SQ, F64), (X[0], F64)]),
    "diagonal-replayed": (lambda m, x, v: (lambda y: (lambda d: (y.mul_(v), d * 1)[1])(
        y.diagonal()))(x * 1), [(SQ, F64), (X[0], F64)]),
    # matrix norms 1, -1, inf, -inf (NotImplementedError before); ties share the gradient
    **{f"matrix_norm-{o}": (lambda m, x, o=o: m.linalg.matrix_norm(x, o), [(X, F64)])
       for o in (1, -1, inf, -inf)},
    "matrix_norm-1-ties": (lambda m, x: m.linalg.matrix_norm(x, 1), [([[1.0, -2.0], [2.0, 1.0]],
                                                                       F64)]),
    "matrix_norm-inf-batched-keepdim": (
        lambda m, x: m.linalg.matrix_norm(x, inf, dim=(0, 2), keepdim=True), [(X3, F32)]),
    "linalg.norm-2d-ord-1": (lambda m, x: m.linalg.norm(x, 1), [(X, F64)]),
    "linalg.norm-dims-ord-neg-inf": (lambda m, x: m.linalg.norm(x, -inf, dim=(2, 1)),
                                     [(X3, F64)]),
    # linalg inv/det/slogdet/logdet/solve (AttributeError before), gradients of both orders
    "inv": (lambda m, a: m.linalg.inv(a), [(A3, F64)]),
    "inverse-batched-f32": (lambda m, a: a.inverse(), [([A3, SQ2], F32)]),
    "inv-singular-raises": (lambda m, a: m.linalg.inv(a * m.tensor([1.0, 0.0, 1.0],
                                                                   dtype=m.float64)),
                            [(A3, F64)]),
    "det": (lambda m, a: m.linalg.det(a), [(A3, F64)]),
    "det-batched": (lambda m, a: m.det(a), [([A3, SQ2], F64)]),
    "slogdet-logabsdet": (lambda m, a: m.linalg.slogdet(a).logabsdet, [([[1.0, 2.0],
                                                                         [3.0, 1.0]], F64)]),
    "slogdet-sign": (lambda m, a: m.slogdet(a.detach()).sign, [([[1.0, 2.0], [3.0, 1.0]], F64)]),
    "logdet-negative-det": (lambda m, a: m.logdet(a), [([[1.0, 2.0], [3.0, 1.0]], F64)]),
    "logdet": (lambda m, a: a.logdet(), [(A3, F64)]),
    "solve-matrix": (lambda m, a, b: m.linalg.solve(a, b), [(A3, F64), (SQ, F64)]),
    "solve-batched-vector": (lambda m, a, b: m.linalg.solve(a, b),
                             [([A3, SQ2], F64), ([[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]], F64)]),
    "solve-broadcast": (lambda m, a, b: m.linalg.solve(a, b),
                        [(A3, F32), ([[[1.0], [2.0], [3.0]], [[0.0], [1.0], [2.0]]], F32)]),
    "solve-left-false": (lambda m, a, b: m.linalg.solve(a, b, left=False),
                         [(A3, F64), ([[1.0, 2.0, 3.0]], F64)]),
    "solve-bad-shape-raises": (lambda m, a, b: m.linalg.solve(a, b), [(A3, F64),
                                                                      ([1.0, 2.0], F64)]),
    # unique / unique_consecutive / searchsorted / bucketize (AttributeError before)
    "unique-inverse-counts": (lambda m, x: m.unique(m.tensor([3, 1, 2, 3, 1, 5]),
                                                    return_inverse=True, return_counts=True),
                              [(X, F64)]),
    "unique-dim0": (lambda m, x: m.unique(m.tensor([[1, 2], [1, 2], [0, 5]]), dim=0,
                                          return_inverse=True, return_counts=True), [(X, F64)]),
    "unique-nans-distinct": (lambda m, x: m.unique(m.tensor([1.0, nan, nan, 2.0])), [(X, F64)]),
    "unique_consecutive": (lambda m, x: m.unique_consecutive(
        m.tensor([1, 1, 2, 2, 3, 1, 1]), return_inverse=True, return_counts=True), [(X, F64)]),
    "searchsorted-batched-right": (lambda m, x: m.searchsorted(
        m.tensor([[1, 3, 5, 7], [2, 4, 6, 8]]), m.tensor([[3, 6, 9], [0, 5, 7]]), side="right"),
        [(X, F64)]),
    "searchsorted-sorter-int32": (lambda m, x: m.searchsorted(
        m.tensor([5, 1, 3]), m.tensor([3, 6]), sorter=m.tensor([1, 2, 0]), out_int32=True),
        [(X, F64)]),
    "bucketize-right": (lambda m, x: m.bucketize(x.detach(), m.tensor([-1.0, 0.0, 2.5]),
                                                 right=True), [(X, F64)]),
    # beta=0 ignores the input's values (NaN too) but still gives it a zero gradient
    "addmm-beta0-nan": (lambda m, c, a, b: m.addmm(c, a, b, beta=0, alpha=2),
                        [([[nan, 1.0, 2.0], [inf, 0.0, 1.0]], F64), (X, F64), (SQ, F64)]),
    "addmv-beta0-broadcast": (lambda m, c, a, b: m.addmv(c, a, b, beta=0),
                              [([nan], F64), (X, F64), (X[0], F64)]),
    "baddbmm-beta0": (lambda m, c, a, b: m.baddbmm(c, a, b, beta=0),
                      [([[nan, 1.0]], F64), ([X], F64), ([[[1.0, 2.0], [0.5, 1.0], [3.0, 1.0]]],
                                                          F64)]),
    # tensordot, cross, cdist, rot90, diag_embed, tensor_split (AttributeError before)
    "tensordot-pairs": (lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 2])),
                        [(X3, F64), ([[[1.0, 2.0], [0.5, -1.0]]] * 3, F64)]),
    "tensordot-int": (lambda m, a, b: m.tensordot(a, b, 1), [(X, F32), (SQ, F32)]),
    "linalg.cross-broadcast": (lambda m, a, b: m.linalg.cross(a, b), [(X, F64), ([A3[0]], F64)]),
    "cross-dim0": (lambda m, a, b: m.cross(a, b, dim=0), [(SQ, F64), (A3, F64)]),
    "cdist": (lambda m, a, b: m.cdist(a, b), [(X, F64), (A3, F64)], 1),  # (torch: no 2nd order)
    "cdist-p1-f32": (lambda m, a, b: m.cdist(a, b, 1.0), [(X, F32), (A3, F32)], 1),
    # (no ties: with them torch gives each tied element the whole gradient, chainrule splits)
    "cdist-pinf": (lambda m, a, b: m.cdist(a, b, inf),
                   [(X, F64), ([[0.1, 0.2, 0.3], [1.0, -1.0, 2.2], [0.5, 0.7, -0.9]], F64)], 1),
    "rot90-k3-dims": (lambda m, a: m.rot90(a, 3, (1, 2)), [(X3, F64)]),
    "rot90-neg": (lambda m, a: a.rot90(-1), [(X, F64)]),
    "diag_embed-offset-dims": (lambda m, a: m.diag_embed(a, -1, 0, 2), [(X, F64)]),
    "tensor_split-sections": (lambda m, a: tuple(m.tensor_split(a, 3, dim=1)), [(X3, F64)]),
    "tensor_split-indices": (lambda m, a: tuple(a.tensor_split([1, -1, 4], 2)), [(X3, F64)]),
    # fmax/fmin ignore NaN; a tie's gradient goes to the first operand (AttributeError before)
    "fmax-nan-broadcast": (lambda m, a, b: m.fmax(a, b), [([[1.0, nan, 3.0], [nan, nan, -1.0]],
                                                           F64), (X[0], F64)]),
    "fmin-nan": (lambda m, a, b: a.fmin(b), [([[1.0, nan, 3.0], [nan, nan, -1.0]], F32),
                                             (X, F32)]),
    "fmax-ties": (lambda m, a, b: m.fmax(a, b), [([1.0, 2.0], F64), ([1.0, 3.0], F64)]),
    # std_mean/var_mean (AttributeError before)
    "std_mean-dim": (lambda m, x: m.std_mean(x, 1), [(X, F64)]),
    "std_mean-unbiased-overload": (lambda m, x: m.std_mean(x, False), [(X, F64)]),
    "var_mean-keepdim-correction": (lambda m, x: m.var_mean(x, [0, 1], keepdim=True,
                                                            correction=0), [(X, F32)]),
    # nanmedian (AttributeError before): the lower median of the non-NaN elements
    "nanmedian-dim": (lambda m, x: m.nanmedian(x, 1), [(NN, F64)]),
    "nanmedian-dim0-keepdim": (lambda m, x: x.nanmedian(0, keepdim=True), [(NN, F32)]),
    "nanmedian-all-ties": (lambda m, x: m.nanmedian(x), [([[2.0, 1.0, 2.0, nan, 3.0, 2.0]],
                                                          F64)]),
    "masked_fill_-on-view": (
        lambda m, x: (lambda y: (y.t()[0].masked_fill_(m.tensor([False, True]), 9.0), y)[1])(
            x * 1), [(X, F64)]),
}


def run(m, name: str) -> dict:
    """What test_parity_ops.run records, for this file's SPEC."""
    import test_parity_ops as base
    saved = base.SPEC
    base.SPEC = SPEC
    try:
        return base.run(m, name)
    finally:
        base.SPEC = saved


@pytest.mark.parametrize("name", sorted(SPEC))
def test_matches_torch(name: str) -> None:
    got, want = run(ag, name), EXPECTED[name]
    if "grads2" in want and "grads2" not in got:
        # a first derivative constant in the inputs: torch's stays in its graph with a zero
        # second derivative, chainrule's is a constant
        assert not any(np.any(np.nan_to_num(np.array(w, dtype=float), nan=1.0))
                       for w in want["grads2"] if w is not None), name
        want = {k: v for k, v in want.items() if k != "grads2"}
    assert got.keys() == want.keys(), (got.keys(), want.keys())
    if "raises" in want:
        assert want["raises"][0] in got["raises"], (got["raises"], want["raises"])
        return
    assert got["shapes"] == want["shapes"]
    assert got["dtypes"] == want["dtypes"]
    assert got.get("grad_dtypes") == want.get("grad_dtypes")
    for key in ("values", "grads", "grads2"):
        for g, w in zip(got.get(key, []), want.get(key, [])):
            assert (g is None) == (w is None), (name, key)
            if w is not None:
                _close(g, w, want["dtypes"] + want.get("grad_dtypes", []))


def test_every_spec_has_a_torch_answer() -> None:
    assert set(SPEC) == set(EXPECTED)


def test_create_graph_gradients_take_each_inputs_dtype() -> None:
    # torch casts every gradient to its input's dtype; under create_graph chainrule handed
    # float64 gradients to float32 inputs of cat, setitem and sum(dtype=)
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0], dtype=ag.float64, requires_grad=True)
    y = ag.cat([a, b]) * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)
    ga, gb = ag.grad(y.sum(), [a, b], create_graph=True)
    assert (ga.dtype, gb.dtype) == (ag.float32, ag.float64)
    assert ga.tolist() == [1.0, 2.0] and gb.tolist() == [3.0]
    t = ag.zeros(3, dtype=ag.float64)
    t[1:] = a
    (g,) = ag.grad((t * t.detach()).sum(), [a], create_graph=True)
    assert g.dtype == ag.float32
    (g,) = ag.grad(a.sum(dtype=ag.float64), [a], create_graph=True)
    assert g.dtype == ag.float32
