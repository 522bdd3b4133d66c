"""``ag.func`` (torch.func) against torch 2.13's values.

Each case is a program ``prog(L, F, *inputs)`` written once for both libraries (``L`` is
the tensor namespace, ``F`` the func namespace); torch's results, computed by a scratch
script running the same table with ``torch``/``torch.func``, are stored in
``torch_values_func.py`` as (structure, [(dtype, shape, values)]) per case and dtype.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
from autograd.func.pytree import tree_flatten

sys.path.insert(0, str(Path(__file__).parent))
from torch_values_func import VALUES  # noqa: E402


def _inputs(shapes: list, dtype: str, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        pos = bool(s) and s[0] == "pos"
        a = rng.standard_normal(s[1:] if pos else s).astype(dtype)
        out.append(np.abs(a) + 0.5 if pos else a)
    return out


def _two(L, x, y):  # noqa: N803 - L is the library, as in the case programs
    return (x * L.log(y) + L.sin(x * y)).sum()


S3, S23 = [(3,)], [(2, 3)]
CASES = {
    # grad family
    "grad_cube": (lambda L, F, x: F.grad(lambda x: (x ** 3).sum())(x), S23),
    "grad_0d": (lambda L, F, x: F.grad(lambda x: L.sin(x) * x)(x), [()]),
    "grad_logsumexp": (lambda L, F, x: F.grad(lambda x: L.logsumexp(x.reshape(-1), 0))(x), S23),
    "grad_softmax_dot": (lambda L, F, x: F.grad(
        lambda x: (L.softmax(x, -1) * x).sum())(x), S23),
    "grad_matmul": (lambda L, F, x, w: F.grad(lambda x: L.tanh(x @ w).sum())(x),
                    [(2, 3), (3, 4)]),
    "grad_and_value": (lambda L, F, x: F.grad_and_value(lambda x: L.exp(x).mean())(x), S3),
    "grad_aux": (lambda L, F, x: F.grad(
        lambda x: ((x * x).sum(), {"a": x * 2, "b": x.sum()}), has_aux=True)(x), S3),
    "grad_and_value_aux": (lambda L, F, x: F.grad_and_value(
        lambda x: ((x * x).sum(), (x.cos(),)), has_aux=True)(x), S3),
    "grad_argnums1": (lambda L, F, x, y: F.grad(lambda a, b: _two(L, a, b), argnums=1)(x, y),
                      [(3,), ("pos", 3)]),
    "grad_argnums_tuple": (lambda L, F, x, y: F.grad(
        lambda a, b: _two(L, a, b), argnums=(1, 0))(x, y), [(2, 2), ("pos", 2, 2)]),
    "grad_argnums_neg": (lambda L, F, x, y: F.grad(
        lambda a, b: _two(L, a, b), argnums=-1)(x, y), [(3,), ("pos", 3)]),
    "grad_dict": (lambda L, F, x, y: F.grad(
        lambda d: (d["w"] * d["b"] ** 2).sum())({"w": x, "b": y}), [(3,), (3,)]),
    "grad_list": (lambda L, F, x, y: F.grad(lambda d: (d[0] * d[1].exp()).sum())([x, y]),
                  [(3,), (3,)]),
    "grad_kwargs": (lambda L, F, x, y: F.grad(lambda a, b=None: (a * b).sum())(x, b=y),
                    [(3,), (3,)]),
    "grad_const": (lambda L, F, x, y: F.grad(lambda a: (y * 2).sum())(x), [(3,), (3,)]),
    "gradgrad": (lambda L, F, x: F.grad(lambda x: F.grad(
        lambda x: (L.sin(x) * x ** 2).sum())(x).sum())(x), S3),
    "gradgradgrad_0d": (lambda L, F, x: F.grad(F.grad(F.grad(lambda x: L.tanh(x))))(x), [()]),
    "perturbation": (lambda L, F, x, y: F.grad(
        lambda a: (a * F.grad(lambda b: (a * b).sum())(y)).sum())(x), [(3,), (3,)]),
    "closure_same_input": (lambda L, F, x: F.grad(
        lambda a: (a * F.grad(lambda b: (a * b ** 2).sum())(a)).sum())(x), S3),
    # vjp / jvp
    "vjp": (lambda L, F, x, v: (lambda o: (o[0], o[1](v), o[1](v * 2)))(
        F.vjp(lambda x: L.tanh(x) * L.exp(x), x)), [(2, 3), (2, 3)]),
    "vjp_tuple": (lambda L, F, x, y: (lambda o: o[1]((x, y)))(
        F.vjp(lambda a, b: (a * b, L.sin(a) - b), x, y)), [(3,), (3,)]),
    "vjp_aux": (lambda L, F, x, v: (lambda o: (o[0], o[1](v), o[2]))(
        F.vjp(lambda x: (x.sin(), x.sum()), x, has_aux=True)), [(3,), (3,)]),
    "jvp": (lambda L, F, x, v: F.jvp(lambda x: L.softmax(x, -1), (x,), (v,)), [(2, 3), (2, 3)]),
    "jvp_tuple": (lambda L, F, x, y: F.jvp(lambda a, b: (a * b, L.sin(a) - b), (x, y), (y, x)),
                  [(2, 2), (2, 2)]),
    "jvp_aux": (lambda L, F, x, v: F.jvp(lambda x: (x ** 2, [x * 3]), (x,), (v,),
                                         has_aux=True), [(3,), (3,)]),
    "jvp_const": (lambda L, F, x, y: F.jvp(lambda a: y * 2, (x,), (y,)), [(3,), (3,)]),
    # Jacobians
    "jacrev": (lambda L, F, x: F.jacrev(lambda x: L.sin(x) * x.sum())(x), S23),
    "jacfwd": (lambda L, F, x: F.jacfwd(lambda x: L.sin(x) * x.sum())(x), S23),
    "jacrev_0d": (lambda L, F, x: F.jacrev(lambda x: x * x)(x), [()]),
    "jacrev_tuple_out": (lambda L, F, x, y: F.jacrev(
        lambda a, b: (a * b, L.exp(a) + b), argnums=(0, 1))(x, y), [(3,), (2, 3)]),
    "jacfwd_dict_out": (lambda L, F, x, y: F.jacfwd(
        lambda a, b: {"p": a * b, "q": L.exp(a) + b}, argnums=1)(x, y), [(2, 2), (2, 2)]),
    "jacrev_aux": (lambda L, F, x: F.jacrev(lambda x: (x.sin(), x.cos()), has_aux=True)(x), S3),
    "jacrev_jacrev": (lambda L, F, x: F.jacrev(F.jacrev(lambda x: L.tanh(x) * x.sum()))(x), S3),
    "jacrev_jacrev_0d": (lambda L, F, x: F.jacrev(F.jacrev(lambda x: x * x))(x), [()]),
    "jacrev_grad": (lambda L, F, x: F.jacrev(F.grad(lambda x: (x ** 3).prod()))(x), S3),
    "hessian": (lambda L, F, x: F.hessian(lambda x: (L.sigmoid(x) * x).sum())(x), S23),
    "hessian_argnums": (lambda L, F, x, y: F.hessian(
        lambda a, b: _two(L, a, b), argnums=(0, 1))(x, y), [(3,), ("pos", 3)]),
    "hessian_0d": (lambda L, F, x: F.hessian(lambda x: x ** 4)(x), [()]),
    # vmap
    "vmap_sum": (lambda L, F, x: F.vmap(lambda x: (x * x).sum())(x), [(4, 3)]),
    "vmap_in_dims_neg": (lambda L, F, x: F.vmap(lambda x: L.softmax(x, 0), in_dims=-1)(x),
                         [(3, 2)]),
    "vmap_out_dims": (lambda L, F, x: F.vmap(lambda x: x.exp(), out_dims=1)(x), [(4, 3)]),
    "vmap_none": (lambda L, F, x, y: F.vmap(lambda a, b: a * b, in_dims=(0, None))(x, y),
                  [(4, 3), (3,)]),
    "vmap_tuple_out": (lambda L, F, x, y: F.vmap(lambda a, b: (a * b, a.sum()),
                                                 out_dims=(1, 0))(x, y), [(4, 3), (4, 3)]),
    "vmap_out_none": (lambda L, F, x, y: F.vmap(lambda a, b: (a * b, b), in_dims=(0, None),
                                                out_dims=(0, None))(x, y), [(4, 3), (3,)]),
    "vmap_dict": (lambda L, F, x, y: F.vmap(lambda d: d["a"] + d["b"],
                                            in_dims=({"a": 0, "b": None},))({"a": x, "b": y}),
                  [(4, 3), (3,)]),
    "vmap_kwargs": (lambda L, F, x, y: F.vmap(lambda a, b=None: a * b)(x, b=y),
                    [(4, 3), (3,)]),
    "vmap_nested": (lambda L, F, x: F.vmap(F.vmap(lambda x: x.sin() * x))(x), [(2, 3, 2)]),
    "vmap_nested_dims": (lambda L, F, x, y: F.vmap(F.vmap(lambda a, b: (a * b).sum(),
                                                          in_dims=(None, 0)),
                                                   in_dims=(0, None))(x, y),
                         [(2, 3), (4, 3)]),
    "vmap_matmul": (lambda L, F, x, w: F.vmap(lambda a: a @ w)(x), [(5, 2, 3), (3, 4)]),
    "vmap_grad": (lambda L, F, x: F.vmap(F.grad(lambda x: (L.sin(x) * x).sum()))(x), [(4, 3)]),
    "vmap_grad_argnums": (lambda L, F, x, y: F.vmap(F.grad(
        lambda a, b: (a * b.exp()).sum(), argnums=(0, 1)), in_dims=(0, None))(x, y),
        [(4, 3), (3,)]),
    "vmap_jacrev": (lambda L, F, x: F.vmap(F.jacrev(lambda x: L.tanh(x) * x))(x), [(3, 2)]),
    "vmap_vjp": (lambda L, F, x, v: F.vmap(lambda a, v: F.vjp(L.sin, a)[1](v))(x, v),
                 [(3, 2), (3, 2)]),
    "jacrev_vmap": (lambda L, F, x: F.jacrev(F.vmap(lambda x: x.sin().sum()))(x), [(3, 2)]),
    "vmap_hessian": (lambda L, F, x: F.vmap(F.hessian(lambda x: (x ** 3).sum()))(x), [(2, 3)]),
    "vmap_list_out": (lambda L, F, x: F.vmap(lambda a: [a, {"s": a.sum()}],
                                             out_dims=[1, {"s": 0}])(x), S23),
    "vmap_nested_in_dims": (lambda L, F, x, y: F.vmap(
        lambda t: t[0] * t[1][0] + t[1][1], in_dims=((0, (None, 1)),))((x, (y, x.T))),
        [(2, 3), (3,)]),
    "vmap_jvp": (lambda L, F, x: F.vmap(
        lambda a: F.jvp(L.sin, (a,), (L.ones_like(a),))[1])(x), S23),
    "grad_vmap": (lambda L, F, x, y: F.grad(
        lambda a: F.vmap(lambda r: (r * y).sin().sum())(a).sum())(x), [(2, 3), (3,)]),
    "jvp_grad": (lambda L, F, x, v: F.jvp(F.grad(lambda x: (L.sigmoid(x) ** 2).sum()), (x,),
                                          (v,)), [(2, 3), (2, 3)]),
    "jacfwd_jacrev_argnums": (lambda L, F, x, y: F.jacfwd(F.jacrev(
        lambda a, b: (a * b).sum() ** 2, argnums=(0, 1)), argnums=(0, 1))(x, y),
        [(3,), (3,)]),
    "vmap_size0": (lambda L, F, x: F.vmap(lambda a: a * 2)(x[:0]), S23),
    "vmap_size0_reduce": (lambda L, F, x: F.vmap(lambda a: a.sum(), in_dims=1)(x[:, :0]), S23),
}


def _compare(got, want: tuple, tol: float) -> None:
    spec, leaves = want
    g_leaves, g_spec = tree_flatten(got)
    assert repr(g_spec) == spec
    assert len(g_leaves) == len(leaves)
    for g, (dtype, shape, values) in zip(g_leaves, leaves):
        if dtype is None:
            assert g == values
            continue
        assert isinstance(g, ag.Tensor)
        assert str(g.dtype) == dtype and tuple(g.shape) == tuple(shape)
        np.testing.assert_allclose(np.asarray(g._data, dtype=np.float64),
                                   np.asarray(values, dtype=np.float64).reshape(shape),
                                   rtol=tol, atol=tol)
        assert not g.requires_grad  # plain inputs: torch's results are lowered (no graph)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_against_torch(name: str, dtype: str) -> None:
    prog, shapes = CASES[name]
    inputs = [ag.tensor(a) for a in _inputs(shapes, dtype, seed=len(name))]
    got = prog(ag, ag.func, *inputs)
    _compare(got, VALUES[f"{name}/{dtype}"], 1e-4 if dtype == "float32" else 1e-10)


# -- torch's errors ------------------------------------------------------------------------
X3 = ag.tensor([0.5, -1.0, 2.0])
Y23 = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
F = ag.func
ERRORS = [
    (lambda: F.grad(lambda x: x)(X3), RuntimeError, "Expected f(*args) to return a scalar"),
    (lambda: F.grad(lambda x: 1.0)(X3), RuntimeError, "to return a Tensor, got <class 'float'>"),
    (lambda: F.grad(lambda x: x.sum(), has_aux=True)(X3), RuntimeError,
     "should be a tuple: (output, aux)"),
    (lambda: F.grad(lambda x: x.sum(), argnums=1)(X3), RuntimeError,
     "Got argnum=1, but only 1 positional inputs"),
    (lambda: F.grad(lambda x: x.sum(), argnums=1.0)(X3), RuntimeError,
     "argnums must be int or Tuple[int, ...]"),
    (lambda: F.grad(lambda x: x.sum(), argnums=())(X3), RuntimeError,
     "argnums must be non-empty"),
    (lambda: F.grad(lambda x: x.sum())(ag.arange(3)), RuntimeError, "floating point dtype"),
    (lambda: F.grad(lambda x: x * 2)(3.0), ValueError, "must be Tensor, got <class 'float'>"),
    (lambda: F.vmap(lambda a, b: a + b)(X3, X3[:2]), ValueError,
     "same size in the mapped dimension, got sizes [3, 2]"),
    (lambda: F.vmap(lambda a: a, in_dims=2)(Y23), ValueError,
     "expected in_dim to satisfy -2 <= in_dim < 2"),
    (lambda: F.vmap(lambda a: a * 2)(X3.sum()), ValueError,
     "expected in_dim to satisfy -0 <= in_dim < 0"),
    (lambda: F.vmap(lambda a, b: a, in_dims=(0,))(Y23, Y23), ValueError,
     "in_dims is not compatible with the structure of `inputs`"),
    (lambda: F.vmap(lambda a: a, in_dims=None)(Y23), ValueError,
     "expected `in_dims` to be int or a (potentially nested) tuple"),
    (lambda: F.vmap(lambda a, b: a + b, in_dims=[0, None])(Y23, X3), ValueError,
     "got: <class 'list'>"),
    (lambda: F.vmap(lambda a: a, in_dims=(None,))(Y23), ValueError,
     "at least one input must be mapped over"),
    (lambda: F.vmap(lambda a, b: a, in_dims=(0, 0))(Y23, 3), ValueError,
     "We cannot vmap over non-Tensor arguments"),
    (lambda: F.vmap(lambda a: 1.0)(Y23), ValueError, "must only return Tensors"),
    (lambda: F.vmap(lambda a: a + ag.rand(3))(Y23), RuntimeError,
     "called random operation while in randomness error mode"),
    (lambda: F.vmap(lambda a: a, randomness="x")(Y23), RuntimeError,
     "Only allowed values for randomness are 'error', 'different', or 'same'. Got x"),
    (lambda: F.vmap(lambda a: a, chunk_size=0)(Y23), ValueError,
     "chunk_size should be None or greater than 0"),
    (lambda: F.vmap(lambda a: a * 2, out_dims=2)(Y23), IndexError, "Dimension out of range"),
    (lambda: F.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(Y23), ValueError,
     "out_dims is not compatible with the structure of `outputs`"),
    (lambda: F.vmap(lambda: ag.ones(1))(), ValueError, "got no inputs"),
    (lambda: F.vmap(lambda a: a, out_dims=None)(Y23), ValueError,
     "can not return a BatchedTensor when out_dim is None"),
    (lambda: F.jvp(lambda a: a, X3, (X3,)), RuntimeError, "Expected primals to be a tuple"),
    (lambda: F.jvp(lambda a: a, (X3,), (Y23,)), RuntimeError,
     "Tensor is of size [3] while the given forward gradient is of size [2, 3]"),
    (lambda: F.jvp(lambda a: a, (X3,), (X3, X3)), RuntimeError, "the same python structure"),
    (lambda: F.jvp(lambda a: a, (X3,), X3), RuntimeError, "the same python structure"),
    (lambda: F.jvp(lambda a: a * 2, (X3,), (ag.arange(3),)), ValueError,
     "Expected tangent to be floating point or complex, but got: int64"),
    (lambda: F.vjp(lambda a: 1.0, X3), RuntimeError,
     "expected f(*primals) to return only tensors, got unsupported type <class 'float'>"),
    (lambda: F.vjp(lambda a: a * 2, X3)[1](ag.ones(2)), RuntimeError,
     "grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3])"),
    (lambda: F.vjp(lambda a: a * 2, X3)[1]((ag.ones(3),)), RuntimeError,
     "Expected pytree structure of cotangents"),
    (lambda: F.jacrev(lambda a: 1.0)(X3), RuntimeError, "return only tensors"),
    (lambda: F.jacrev(lambda a: a, argnums=2)(X3), RuntimeError, "Got argnum=2"),
    (lambda: F.jacfwd(lambda a: a, has_aux=True)(X3), RuntimeError,
     "jvp(f, primals, tangents): output of function f should be a tuple"),
    (lambda: F.jacrev(lambda a: a, has_aux=True)(X3), RuntimeError,
     "vjp(f, *primals): output of function f should be a tuple"),
    (lambda: F.jacrev(lambda a: a * 2)(ag.arange(3)), RuntimeError, "floating point dtype"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k: int) -> None:
    call, exc, msg = ERRORS[k]
    with pytest.raises(exc) as info:
        call()
    assert msg in str(info.value)


# -- behaviour -----------------------------------------------------------------------------
def test_namespace() -> None:
    assert ag.vmap is ag.func.vmap
    assert "func" in dir(ag) and "vmap" in dir(ag)
    for name in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
                 "vmap", "functional_call"):
        assert callable(getattr(ag.func, name))


def test_outer_autograd_flows_through_grad() -> None:
    """torch: grad's result stays differentiable w.r.t. the caller's leaves; the inputs'
    ``.grad`` is never written. g = 3 w x², ∂Σg/∂x = 6 w x, ∂Σg/∂w = 3 x²."""
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True)
    w = ag.tensor([1.5, 0.3, -0.7], dtype=ag.float64, requires_grad=True)
    g = ag.func.grad(lambda a: (w * a ** 3).sum())(x)
    assert g.requires_grad
    np.testing.assert_allclose(g._data, [1.125, 0.9, -8.4])
    gx, gw = ag.grad(g.sum(), [x, w])
    np.testing.assert_allclose(gx._data, [4.5, -1.8, -8.4])
    np.testing.assert_allclose(gw._data, [0.75, 3.0, 12.0])
    assert x.grad is None and w.grad is None


def test_closure_keeps_graph_and_plain_result_has_none() -> None:
    w = ag.tensor([1.5, 0.3], requires_grad=True)
    x = ag.tensor([0.2, 0.4])
    j = ag.func.jacrev(lambda a: w * a.sin())(x)
    assert j.requires_grad  # depends on the caller's w
    (gw,) = ag.grad(j.sum(), [w])
    np.testing.assert_allclose(gw._data, np.cos([0.2, 0.4]), rtol=1e-6)
    assert not ag.func.jacrev(lambda a: a.sin())(x).requires_grad


def test_vmap_randomness() -> None:
    y = ag.zeros(3, 4)
    same = ag.func.vmap(lambda a: a + ag.rand(4), randomness="same")(y)
    assert (same[0] == same[1]).all() and (same[1] == same[2]).all()
    diff = ag.func.vmap(lambda a: a + ag.rand(4), randomness="different")(y)
    assert not (diff[0] == diff[1]).all()


def test_vmap_grad_flows_to_batched_input() -> None:
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = ag.vmap(lambda r: (r * r).sum())(x)
    out.sum().backward()
    np.testing.assert_allclose(x.grad._data, 2 * x._data)


def test_linearize() -> None:
    """torch: output [0.2397..., 0.8414..., 1.8185...], jvp_fn([1, 2, 3]) as below."""
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64)
    out, jvp_fn = ag.func.linearize(lambda a: a.sin() * a, x)
    np.testing.assert_allclose(out._data, [0.2397127693021015, 0.8414709848078965,
                                           1.8185948536513634], rtol=1e-12)
    t = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)
    np.testing.assert_allclose(jvp_fn(t)._data, [0.9182168195493894, -2.7635465813520725,
                                                 0.23101126119419035], rtol=1e-12)
    with pytest.raises(RuntimeError, match="tangent:0 with shape"):
        jvp_fn(ag.ones(2, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="tangent:0 with dtype"):
        jvp_fn(ag.ones(3))
    with pytest.raises(RuntimeError, match="to have the same argspec as the primals"):
        jvp_fn(t, t)


def test_argnums_checked_at_call() -> None:
    g = ag.func.grad(lambda x: x.sum(), argnums=1.0)  # torch: no error until called
    with pytest.raises(RuntimeError, match="argnums must be int"):
        g(X3)


def test_plain_backward_when_nothing_differentiates_again() -> None:
    """With no enclosing transform and no caller leaf in reach, derivatives are taken
    without create_graph: ops that refuse double backward (checkpoint) still work, and
    nested calls (which need the graph) still give second derivatives."""
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64)
    g = ag.func.grad(lambda a: ag.checkpoint(lambda t: t.sin() * t, a,
                                             use_reentrant=False).sum())(x)
    xs = x._data
    np.testing.assert_allclose(g._data, np.sin(xs) + xs * np.cos(xs), rtol=1e-12)
    h = ag.func.grad(ag.func.grad(lambda a: a.sin() * a))(x[0])
    np.testing.assert_allclose(float(h), 2 * np.cos(0.5) - 0.5 * np.sin(0.5), rtol=1e-12)
