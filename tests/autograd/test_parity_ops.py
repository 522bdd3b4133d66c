"""Tensor ops against torch 2.13 where a parity audit found chainrule differing: values,
dtypes, shapes, first and second derivatives, and the exception class for bad input.

Each ``SPEC`` entry runs with ``m`` = the module (``autograd`` here, ``torch`` for the
reference, computed once by a scratch script into test_parity_ops_values.py; torch is never
imported here). Inputs are ``(values, dtype)``; float ones require grad. An entry's optional
third item ``1`` compares first derivatives only (at a kink where torch's second derivative
is a NaN of its formula's 0·∞)."""

from __future__ import annotations

import numpy as np
import pytest
from test_parity_ops_values import EXPECTED

import autograd as ag

X = [[1.5, -2.0, 0.0], [3.0, -0.5, 2.5]]
F64, F32, I64, B = "float64", "float32", "int64", "bool"

SPEC: dict = {
    # clamp with tensor bounds: the bounds get gradients, broadcasting widens the output
    "clamp-tensor-bounds": (lambda m, x, lo, hi: m.clamp(x, lo, hi),
                            [(X, F64), ([0.0, -1.0, 0.0], F64), ([[1.0], [2.0]], F64)]),
    "clamp-tensor-bounds-f32": (lambda m, x, lo, hi: m.clamp(x, lo, hi),
                                [(X, F32), ([0.0, -1.0, 0.0], F32), ([[1.0], [2.0]], F32)]),
    "clamp-tensor-min-ties": (lambda m, x, lo: m.clamp(x, min=lo),
                              [([1.0, 2.0, 0.5], F64), ([1.0, 3.0, 0.0], F64)]),
    "clamp-tensor-max-only": (lambda m, x, hi: x.clamp(max=hi),
                              [([1.0, 2.0, 0.5], F64), ([1.0, 1.0, 1.0], F64)]),
    "clamp-tensor-lo-above-hi": (lambda m, x, lo, hi: m.clamp(x, lo, hi),
                                 [([0.0, 5.0, -5.0], F64), ([1.0, 1.0, 1.0], F64),
                                  ([-1.0, -1.0, -1.0], F64)]),
    "clamp-tensor-widens-x": (lambda m, x, lo: m.clamp(x, min=lo),
                              [([1.0, 2.0], F64), ([[0.0], [1.5], [3.0]], F64)]),
    "clamp-tensor-no-grad-bound": (lambda m, x: m.clamp(x, min=m.tensor([[0.0], [2.0]],
                                                                        dtype=m.float64)),
                                   [([1.0, 3.0], F64)]),
    "clamp-none": (lambda m, x: m.clamp(x), [(X, F64)]),
    # std/var: a bool first argument is torch's std(unbiased) overload, not dim=0
    "std-positional-unbiased-false": (lambda m, x: x.std(False), [(X, F64)]),
    "var-positional-unbiased-true": (lambda m, x: x.var(True), [(X, F32)]),
    "std-dim-unbiased-false": (lambda m, x: m.std(x, 1, False, True), [(X, F64)]),
    "var-int-raises": (lambda m, x: m.tensor([1, 2, 3]).var(), [(X, F64)]),
    "mean-int-raises": (lambda m, x: m.tensor([1, 2, 3]).mean(), [(X, F64)]),
    # reductions' dtype= (cast before reducing)
    "sum-dtype-f64": (lambda m, x: x.sum(1, dtype=m.float64), [(X, F32)]),
    "sum-int-dtype-f32": (lambda m, x: m.sum(m.tensor([[1, 2], [3, 4]]), 0, dtype=m.float32)
                          + 0 * x.sum(), [(X, F32)]),
    "mean-dtype-f64": (lambda m, x: m.mean(x, dtype=m.float64), [(X, F32)]),
    "mean-int-dtype": (lambda m, x: m.tensor([1, 2, 4]).mean(dtype=m.float64) + 0 * x.sum(),
                       [(X, F64)]),
    # float functions of int and bool tensors are float32 (NumPy: float64, float16 for bools)
    **{f"{f}-{k}": (lambda m, x, f=f: getattr(m, f)(x), [(v, k)])
       for f in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid")
       for k, v in ((I64, [[1, 2, 4], [3, 5, 7]]), (B, [True, True]))},
    "square-bool": (lambda m, x: m.square(x), [([True, False, True], B)]),
    # sign(NaN) is 0 in torch, and so is abs's gradient there
    "sign-nan": (lambda m, x: m.sign(x), [([float("nan"), -2.0, 0.0, 3.0], F64)]),
    "abs-grad-nan": (lambda m, x: m.abs(x), [([float("nan"), -2.0, 0.0, 3.0], F64)]),
    # scatter_reduce amax/amin without self: torch still counts an input equal to the result
    # as a tie (the source gets half), and splits over tied sources
    **{f"scatter_reduce-{r}-noself-ties": (
        lambda m, x, s, r=r: x.scatter_reduce(0, m.tensor([[0, 0, 2, 0], [0, 2, 2, 1]]), s, r,
                                              include_self=False),
        [([[1.5, -2.0, 0.0, 4.0], [3.0, -0.5, 2.5, -1.0], [0.25, 7.0, 3.0, 2.0]], F64),
         ([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 3.0, -1.0]], F64)]) for r in ("amax", "amin")},
    # p-norms, p < 1: torch's gradient is sign x |x|^(p-1) (0 at x = 0) times y^(1-p)
    "norm-p0.5-zero-entry": (lambda m, x: m.norm(x, p=0.5), [(X, F64)], 1),
    "norm-p-1-zero-entry": (lambda m, x: x.norm(p=-1), [(X, F64)], 1),
    "norm-p-1-dim": (lambda m, x: m.norm(x, -1, 1), [(X, F32)], 1),
    "norm-p-2-no-zero": (lambda m, x: m.linalg.vector_norm(x, -2), [([[1.5, -2.0], [3.0, 0.5]],
                                                                       F64)]),
    "norm-p0.5-all-zero": (lambda m, x: m.norm(x, 0.5), [([0.0, 0.0], F64)], 1),
    "dist-p0.5": (lambda m, x, y: m.dist(x, y, 0.5), [(X, F64), ([1.5, 1.0, -2.0], F64)], 1),
    "dist-p-fro-raises": (lambda m, x: m.dist(x, x, "fro"), [(X, F64)]),
    # NaN conventions: a NaN median takes the gradient (torch's evenly_distribute_backward),
    # relu passes the gradient at NaN (threshold_backward tests y <= 0)
    "median-all-nan": (lambda m, x: x.median(), [([[1.0, float("nan"), 3.0], [2.0, 1.0, 0.0]],
                                                   F64)]),
    "median-all-ties": (lambda m, x: m.median(x), [([2.0, 1.0, 2.0, 3.0, 2.0], F64)]),
    "relu-nan": (lambda m, x: m.relu(x), [([float("nan"), 1.0, -1.0, 0.0], F64)]),
    "relu-nan-f32": (lambda m, x: x.relu(), [([float("nan"), 1.0, -1.0, 0.0], F32)]),
    # logsumexp: integers give float32; an empty dim gives -inf
    "logsumexp-int": (lambda m, x: m.logsumexp(m.tensor([[1, 2], [3, 4]]), 1) + 0 * x.sum(),
                      [(X, F32)]),
    "logsumexp-empty": (lambda m, x: m.logsumexp(x[:, :0], 1), [(X, F64)]),
    # integers to negative tensor powers: torch truncates 1/x^n (NumPy refuses); a Python
    # int exponent < 0 is torch's RuntimeError
    "pow-int-negative-tensor-exponent": (
        lambda m, x, e: m.pow(x, e), [([2, 1, -1, -1, 0, 3, -2, 0, 5], I64),
                                      ([-1, -3, -2, -3, -1, -2, -1, 0, 2], I64)]),
    "pow-int-0d-negative-exponent": (lambda m, x: x ** m.tensor(-1), [([2, 1, -1], I64)]),
    "rpow-int-negative": (lambda m, x: 2 ** x, [([-1, 2, 0], I64)]),
    "pow-int-python-negative-raises": (lambda m, x: x ** -2, [([2, 3], I64)]),
    # bool operands of - are torch's RuntimeError (NumPy: TypeError, or an int result)
    "sub-bool-bool-raises": (lambda m, x: x - x, [([True, False], B)]),
    "sub-bool-int-raises": (lambda m, x: x - 1, [([True, False], B)]),
    "sub-float-pybool-raises": (lambda m, x: x - True, [(X, F64)]),
    "rsub-int-bool-raises": (lambda m, x: 3 - x, [([True, False], B)]),
    "neg-bool-raises": (lambda m, x: -x, [([True, False], B)]),
    # integer remainders by zero raise (NumPy: 0, quietly)
    "remainder-int-zero-raises": (lambda m, x: m.remainder(x, 0), [([5, -3], I64)]),
    "fmod-int-zero-raises": (lambda m, x: m.fmod(x, m.tensor([2, 0])), [([5, -3], I64)]),
    "remainder-int-ok": (lambda m, x: m.remainder(x, -2), [([5, -3], I64)]),
    # cat skips 1-d empty tensors (torch's legacy rule, `torch.cat([torch.tensor([]), x])`)
    "cat-legacy-empty": (lambda m, x: m.cat([m.tensor([]), x, m.zeros(0)]), [(X, F64)]),
    "cat-legacy-empty-dim1": (lambda m, x: m.cat([m.zeros(0, dtype=m.float64), x], 1),
                              [(X, F64)]),
    "cat-legacy-empty-promotes": (lambda m, x: m.cat([m.tensor([]), m.tensor([1, 2])]) +
                                  0 * x.sum(), [(X, F32)]),
    # conditions and masks must be bool tensors
    "where-int-condition-raises": (lambda m, x: m.where(m.tensor([1, 0, 1]), x, 0.0), [(X, F64)]),
    "where-method-float-condition-raises": (lambda m, x: x.where(x, 0.0), [(X, F64)]),
    "masked_fill-int-mask-raises": (lambda m, x: x.masked_fill(m.tensor([1, 0, 1]), 0.0),
                                    [(X, F64)]),
    # shape mismatches are RuntimeErrors in torch (chainrule's ShapeError is both)
    "matmul-shapes-raise": (lambda m, x: x @ x, [(X, F64)]),
    "add-shapes-raise": (lambda m, x: x + x[:, :2], [(X, F64)]),
    "expand-shapes-raise": (lambda m, x: x.expand(3, 3), [(X, F64)]),
    "where-shapes-raise": (lambda m, x: m.where(x > 0, x, x[:, :2]), [(X, F64)]),
    # atan2's gradient at the origin is 0 (torch), not 0·∞
    "atan2-origin": (lambda m, y, x: m.atan2(y, x), [([0.0, 1.0, 0.0], F64),
                                                    ([0.0, 0.0, -1.0], F64)], 1),
    "atan2-origin-f32-number": (lambda m, y: m.atan2(y, m.zeros(2)), [([0.0, 2.0], F32)], 1),
    # sums of small unsigned ints are int64 (NumPy: uint64)
    "sum-uint8": (lambda m, x: m.tensor([[250, 3], [7, 9]], dtype=m.uint8).sum(0) + 0 * x.sum()
                  .long(), [(X, F64)]),
    "sum-uint8-all": (lambda m, x: m.tensor([250, 3, 7], dtype=m.uint8).sum(), [(X, F64)]),
    # softmax/log_softmax take dtype= (cast first)
    "softmax-dtype": (lambda m, x: m.softmax(x, 1, dtype=m.float64), [(X, F32)]),
    "log_softmax-dtype": (lambda m, x: m.log_softmax(x, 0, dtype=m.float64), [(X, F32)]),
    "scatter_reduce-amax-self-ties": (
        lambda m, x, s: x.scatter_reduce(1, m.tensor([[0, 0], [1, 1]]), s, "amax"),
        [([[2.0, 1.0], [0.0, 5.0]], F64), ([[2.0, 2.0], [5.0, 1.0]], F64)]),
}


def _tensor(m, values, dtype):
    arr = np.array(values, dtype=dtype)
    return m.tensor(arr, requires_grad=arr.dtype.kind == "f")


def run(m, name: str) -> dict:
    """Outputs (values, dtypes, shapes), the gradients of Σ out₀ ⊙ w per input, and the
    gradients of Σ grads ⊙ v (second order), or the class of the exception raised."""
    fn, data, *order = SPEC[name]
    xs = [_tensor(m, v, d) for v, d in data]
    try:
        out = fn(m, *xs)
    except Exception as err:  # noqa: BLE001 - the class is what is compared
        # the builtin classes it is an instance of, the most specific first
        return {"raises": [k.__name__ for k in type(err).__mro__
                           if k.__module__ == "builtins" and k not in (object, BaseException,
                                                                       Exception)]}
    outs = list(out) if isinstance(out, tuple | list) else [out]
    res = {"values": [o.detach().numpy().tolist() for o in outs],
           "dtypes": [str(o.dtype).replace("torch.", "") for o in outs],
           "shapes": [list(o.shape) for o in outs]}
    first = next((o for o in outs if o.requires_grad), None)
    leaves = [x for x in xs if x.requires_grad]
    if first is None or not leaves:
        return res
    grad = m.autograd.grad if m.__name__ == "torch" else m.grad
    w = np.cos(np.arange(first.numel()) * 0.7 + 0.3).reshape(tuple(first.shape))
    loss = (first * m.tensor(w.astype(str(first.dtype).replace("torch.", "")))).sum()
    gs = grad(loss, leaves, create_graph=True, allow_unused=True)
    res["grads"] = [None if g is None else g.detach().numpy().tolist() for g in gs]
    res["grad_dtypes"] = [None if g is None else str(g.dtype).replace("torch.", "")
                          for g in grad(loss, leaves, retain_graph=True, allow_unused=True)]
    used = [g for g in gs if g is not None and g.requires_grad] if order != [1] else []
    if used:
        s = sum((g * m.tensor(np.sin(np.arange(g.numel()) * 1.3 + 0.1).reshape(
            tuple(g.shape)).astype(str(g.dtype).replace("torch.", "")))).sum() for g in used)
        res["grads2"] = [None if g is None else (g + 0).numpy().tolist()  # (torch: ZeroTensor)
                         for g in grad(s, leaves, allow_unused=True)]
    return res


def _close(got, want, dtypes) -> None:
    tol = 1e-6 if F32 in dtypes else 1e-12
    np.testing.assert_allclose(np.array(got, dtype=float), np.array(want, dtype=float),
                               rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_matches_torch(name: str) -> None:
    got, want = run(ag, name), EXPECTED[name]
    if "grads2" in want and "grads2" not in got:
        # a first derivative constant in the inputs (abs's g ⊙ sign x): torch's stays in
        # its graph with a zero second derivative, chainrule's is a constant
        assert not np.any(np.nan_to_num(np.array([w for w in want["grads2"] if w is not None],
                                                 dtype=float), nan=1.0)), name
        want = {k: v for k, v in want.items() if k != "grads2"}
    assert got.keys() == want.keys(), (got.keys(), want.keys())
    if "raises" in want:  # torch's class, or a class of chainrule's that is one too
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
