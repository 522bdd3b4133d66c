"""Module hooks: torch's call order, arguments and return-value replacement, handles,
global hooks, and the full backward hook (expected values computed with torch)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn.modules.hooks import register_module_forward_hook, register_module_full_backward_hook


def _r(t):
    return None if t is None else np.round(np.asarray(t.detach()), 4).tolist()


def _model():
    lin1, act, lin2 = nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)
    with ag.no_grad():
        lin1.weight[...] = ag.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])
        lin1.bias[...] = ag.tensor([0.01, 0.02, 0.03])
        lin2.weight[...] = ag.tensor([[0.7, -0.8, 0.9]])
        lin2.bias[...] = ag.tensor([0.05])
    return nn.Sequential(lin1, act, lin2), lin1, act, lin2


X = [[1.0, 2.0], [-1.0, 0.5]]
H1 = [[-0.29, 1.12, 0.73], [-0.19, -0.08, 0.83]]
A1 = [[-0.2821, 0.8076, 0.6231], [-0.1877, -0.0798, 0.6805]]
OUT = [[-0.2328], [0.5949]]
G2 = [[0.7, -0.8, 0.9], [0.7, -0.8, 0.9]]
G1 = [[0.6443, -0.2783, 0.5506], [0.6753, -0.7949, 0.4833]]
ONES = [[1.0], [1.0]]
# torch 2.x, the same model and hooks (values rounded to 4 places)
EXPECTED = [
    ("pre", "seq", [X]), ("pre", "lin1", [X]), ("fwd", "lin1", H1), ("pre", "act", [H1]),
    ("fwd", "act", A1), ("pre", "lin2", [A1]), ("fwd", "lin2", OUT), ("fwd", "seq", OUT),
    ("bpre", "seq", [ONES]), ("bwd", "seq", [None], [ONES]),
    ("bpre", "lin2", [ONES]), ("bwd", "lin2", [G2], [ONES]),
    ("bpre", "act", [G2]), ("bwd", "act", [G1], [G2]),
    ("bpre", "lin1", [G1]), ("bwd", "lin1", [None], [G1]),
]


def _close(a, b) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 2e-4
    return a == b


def test_call_order_and_arguments_match_torch() -> None:
    model, lin1, act, lin2 = _model()
    names = {id(lin1): "lin1", id(act): "act", id(lin2): "lin2", id(model): "seq"}
    ev: list = []
    handles = []
    for m in (model, lin1, act, lin2):
        n = names[id(m)]
        handles += [
            m.register_forward_pre_hook(
                lambda mod, args, n=n: ev.append(("pre", n, [_r(a) for a in args]))),
            m.register_forward_hook(lambda mod, args, out, n=n: ev.append(("fwd", n, _r(out)))),
            m.register_full_backward_hook(lambda mod, gi, go, n=n: ev.append(
                ("bwd", n, [_r(g) for g in gi], [_r(g) for g in go]))),
            m.register_full_backward_pre_hook(
                lambda mod, go, n=n: ev.append(("bpre", n, [_r(g) for g in go]))),
        ]
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        model(ag.tensor(X)).sum().backward()
    assert [e[:2] for e in ev] == [e[:2] for e in EXPECTED]
    assert _close(ev, EXPECTED), ev
    np.testing.assert_allclose(lin1.weight.grad.numpy(), [[-0.031, 1.6262], [0.5166, -0.954],
                                                          [0.0674, 1.3428]], atol=1e-4)
    for h in handles:
        h.remove()
    ev.clear()
    model(ag.tensor(X)).sum().backward()
    assert ev == []


def test_return_values_replace_args_output_and_grad_input() -> None:
    model, lin1, act, lin2 = _model()
    lin1.register_forward_pre_hook(lambda m, args: args[0] * 2)  # a non-tuple is wrapped
    lin2.register_forward_hook(lambda m, args, out: out + 1)
    act.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
    x = ag.tensor([[1.0, 2.0]], requires_grad=True)
    out = model(x)
    assert _close(_r(out), [[0.7002]])
    out.sum().backward()
    assert _close(_r(x.grad), [[-1.0587, -0.0955]])
    assert _close(_r(lin1.weight.grad), [[10.0689, 20.1379], [-0.7374, -1.4749],
                                         [3.6888, 7.3775]])


class _Two(nn.Module):
    def forward(self, a, b, k):
        return a * b * k, a + b


def test_grad_input_per_argument_and_unused_outputs() -> None:
    two = _Two()
    ev: list = []
    two.register_full_backward_hook(
        lambda m, gi, go: ev.append(([_r(g) for g in gi], [_r(g) for g in go])))
    a, b = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([3.0, 4.0])
    p, q = two(a, b, 3)
    (p.sum() + 2 * q.sum()).backward()
    # torch: zeros for a tensor that needs no grad, None for a non-tensor argument
    assert ev == [([[11.0, 14.0], [0.0, 0.0], None], [[1.0, 1.0], [2.0, 2.0]])]
    ev.clear()
    p, q = two(a, b, 3)
    p.sum().backward()
    assert ev == [([[9.0, 12.0], [0.0, 0.0], None], [[1.0, 1.0], None])]  # q got no gradient


def test_kwargs_hooks_prepend_and_global_order() -> None:
    ev: list = []
    two = _Two()
    two.register_forward_pre_hook(lambda m, args, kwargs: (args, {"k": 5}), with_kwargs=True)
    two.register_forward_hook(
        lambda m, args, kwargs, out: ev.append((sorted(kwargs.items()), _r(out[0]))),
        with_kwargs=True)
    two(ag.tensor([1.0]), ag.tensor([2.0]), k=1)
    assert ev == [([("k", 5)], [10.0])]
    ev.clear()
    m = nn.Identity()
    m.register_forward_hook(lambda mod, a, o: ev.append("A"))
    m.register_forward_hook(lambda mod, a, o: ev.append("B"), prepend=True)
    with register_module_forward_hook(lambda mod, a, o: ev.append("G")):
        m(ag.tensor([1.0]))
    m(ag.tensor([1.0]))
    assert ev == ["G", "B", "A", "B", "A"]
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        bad = nn.Identity()
        bad.register_forward_pre_hook(lambda mod, args, kwargs: 3, with_kwargs=True)
        bad(ag.tensor([1.0]))


def test_global_backward_hook_and_always_call() -> None:
    seen: list = []
    lin = nn.Linear(2, 1)
    with register_module_full_backward_hook(lambda m, gi, go: seen.append(type(m).__name__)):
        lin(ag.ones(1, 2, requires_grad=True)).sum().backward()
    lin(ag.ones(1, 2, requires_grad=True)).sum().backward()
    assert seen == ["Linear"]

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    calls: list = []
    boom = Boom()
    boom.register_forward_hook(lambda m, a, o: calls.append(o), always_call=True)
    boom.register_forward_hook(lambda m, a, o: calls.append("never"))
    with pytest.raises(ValueError, match="boom"):
        boom(ag.ones(1))
    assert calls == [None]


def test_backward_hook_errors_match_torch() -> None:
    lin = nn.Linear(2, 1)
    lin.register_full_backward_hook(lambda m, gi, go: (ag.ones(2),))
    with pytest.warns(UserWarning), pytest.raises(
            RuntimeError, match="no input requires gradient should always return None"):
        lin(ag.ones(1, 2)).sum().backward()
    lin3 = nn.Linear(2, 2)
    lin3.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but "
                                           "expected 1"):
        lin3(ag.ones(1, 2, requires_grad=True)).sum().backward()
    with pytest.raises(TypeError, match="callable"):
        lin3.register_forward_hook(3)


def test_backward_hook_keeps_gradients_exact_under_create_graph() -> None:
    ag.manual_seed(0)
    lin = nn.Linear(3, 2).double()
    seen: list = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(len(gi)))
    x = ag.randn(4, 3, dtype=ag.float64, requires_grad=True)
    y = (lin(x) ** 2).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    assert seen == [1] and g.requires_grad
    w = lin.weight.detach().numpy()
    h = x.detach().numpy() @ w.T + lin.bias.detach().numpy()
    np.testing.assert_allclose(g.detach().numpy(), 2 * h @ w, rtol=1e-12)
    assert ag.gradcheck(lambda t: lin(t).tanh().sum(), (x,))


def test_hook_registries_exist_and_survive_a_copy() -> None:
    import copy

    m = nn.Linear(2, 2)
    assert len(m._forward_hooks) == 0 and len(m._backward_hooks) == 0  # torch's attributes
    seen: list = []
    m.register_forward_hook(lambda mod, a, o: seen.append(mod))
    twin = copy.deepcopy(m)
    twin(ag.ones(1, 2))
    assert seen == [twin]
    h = m.register_forward_pre_hook(lambda mod, a: seen.append("pre"))
    h.remove()
    h.remove()  # removing twice is harmless, as torch
    m(ag.ones(1, 2))
    assert seen == [twin, m]


def test_plain_forward_hooks_chain_outputs_and_may_remove_themselves() -> None:
    # only plain forward hooks: Module.__call__'s short path, with torch's semantics
    m = nn.Identity()
    ev: list = []
    handles: list = []

    def once(mod, args, out):
        ev.append(("once", _r(out)))
        handles[0].remove()  # removing itself mid-call: the others still run this call
        return out * 2

    def later(mod, args, out):
        ev.append(("later", _r(out)))
        mod.register_forward_hook(lambda *a: ev.append("added"))  # runs from the next call

    handles.append(m.register_forward_hook(once))
    m.register_forward_hook(later)
    out = m(ag.tensor([1.0]))
    assert _r(out) == [2.0]  # the first hook's result replaced the output
    assert ev == [("once", [1.0]), ("later", [2.0])]
    ev.clear()
    assert _r(m(ag.tensor([1.0]))) == [1.0]
    assert ev == [("later", [1.0]), "added"]
