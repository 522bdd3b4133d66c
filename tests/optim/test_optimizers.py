"""Each optimizer's trajectory against its formula, written out in plain NumPy.

The parameters follow a fixed, deterministic gradient field (it depends on the
parameter values and the step, so an error anywhere in the update changes every
later gradient). The references below are independent, out-of-place float64
transcriptions of torch's documented pseudo-code; the optimizers must agree to
float rounding (1e-12), keep float32 parameters float32, never write to ``.grad``,
update ``p._data`` in place and allocate nothing per step once warmed up.
"""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

import autograd as ag
import nn
import optim

SHAPES = [(3,), (2, 4), ()]  # a vector, a matrix and a scalar parameter
STEPS = 25


def initial_values() -> list[np.ndarray]:
    rng = np.random.default_rng(1234)
    return [rng.standard_normal(s) for s in SHAPES]


def gradient(i: int, p: np.ndarray, t: int) -> np.ndarray:
    """The gradient of parameter ``i`` at value ``p`` in step ``t`` (0-based)."""
    return 0.8 * p + np.sin(3.0 * p + 0.7 * t + i) + 0.1 * (i + 1)


# -- references: plain NumPy, float64, one line per line of torch's pseudo-code -------
def ref_sgd(values, steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
            nesterov=False):
    ps = [v.copy() for v in values]
    bufs: list = [None] * len(ps)
    out = []
    for t in range(steps):
        for i, p in enumerate(ps):
            g = gradient(i, p, t)
            if weight_decay:
                g = g + weight_decay * p
            if momentum:
                if bufs[i] is None:
                    bufs[i] = g.copy()
                else:
                    bufs[i] = momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            ps[i] = p - lr * g
        out.append([p.copy() for p in ps])
    return out


def ref_adam(values, steps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, decoupled=False):
    b1, b2 = betas
    ps = [v.copy() for v in values]
    m = [np.zeros_like(p) for p in ps]
    v = [np.zeros_like(p) for p in ps]
    v_max = [np.zeros_like(p) for p in ps]
    out = []
    for t in range(1, steps + 1):
        for i, p in enumerate(ps):
            g = gradient(i, p, t - 1)
            if decoupled:
                p = p * (1 - lr * weight_decay)
            elif weight_decay:
                g = g + weight_decay * p
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1**t)
            if amsgrad:
                v_max[i] = np.maximum(v_max[i], v[i])
                v_hat = v_max[i] / (1 - b2**t)
            else:
                v_hat = v[i] / (1 - b2**t)
            ps[i] = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append([p.copy() for p in ps])
    return out


def ref_adamw(values, steps, weight_decay=1e-2, **kw):
    return ref_adam(values, steps, weight_decay=weight_decay, decoupled=True, **kw)


def ref_rmsprop(values, steps, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                momentum=0.0, centered=False):
    ps = [v.copy() for v in values]
    sq = [np.zeros_like(p) for p in ps]
    g_avg = [np.zeros_like(p) for p in ps]
    buf = [np.zeros_like(p) for p in ps]
    out = []
    for t in range(steps):
        for i, p in enumerate(ps):
            g = gradient(i, p, t)
            if weight_decay:
                g = g + weight_decay * p
            sq[i] = alpha * sq[i] + (1 - alpha) * g**2
            if centered:
                g_avg[i] = alpha * g_avg[i] + (1 - alpha) * g
                avg = np.sqrt(sq[i] - g_avg[i] ** 2) + eps
            else:
                avg = np.sqrt(sq[i]) + eps
            if momentum > 0:
                buf[i] = momentum * buf[i] + g / avg
                ps[i] = p - lr * buf[i]
            else:
                ps[i] = p - lr * g / avg
        out.append([p.copy() for p in ps])
    return out


CASES: dict[str, tuple[type, dict, Callable]] = {
    "sgd": (optim.SGD, dict(lr=0.1), ref_sgd),
    "sgd-weight_decay": (optim.SGD, dict(lr=0.1, weight_decay=0.05), ref_sgd),
    "sgd-momentum": (optim.SGD, dict(lr=0.05, momentum=0.9), ref_sgd),
    "sgd-dampening": (optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3), ref_sgd),
    "sgd-nesterov": (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), ref_sgd),
    "sgd-all": (optim.SGD, dict(lr=0.05, momentum=0.8, weight_decay=0.1, nesterov=True),
                ref_sgd),
    "adam": (optim.Adam, dict(lr=0.05), ref_adam),
    "adam-betas-eps": (optim.Adam, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3), ref_adam),
    "adam-weight_decay": (optim.Adam, dict(lr=0.05, weight_decay=0.1), ref_adam),
    "adam-amsgrad": (optim.Adam, dict(lr=0.05, amsgrad=True), ref_adam),
    "adamw": (optim.AdamW, dict(lr=0.05, weight_decay=0.2), ref_adamw),
    "adamw-default-decay": (optim.AdamW, dict(lr=0.05), ref_adamw),
    "adamw-amsgrad": (optim.AdamW, dict(lr=0.05, weight_decay=0.2, amsgrad=True), ref_adamw),
    "rmsprop": (optim.RMSprop, dict(lr=0.01), ref_rmsprop),
    "rmsprop-alpha-eps": (optim.RMSprop, dict(lr=0.02, alpha=0.9, eps=1e-4), ref_rmsprop),
    "rmsprop-weight_decay": (optim.RMSprop, dict(lr=0.01, weight_decay=0.1), ref_rmsprop),
    "rmsprop-momentum": (optim.RMSprop, dict(lr=0.01, momentum=0.9), ref_rmsprop),
    "rmsprop-centered": (optim.RMSprop, dict(lr=0.01, centered=True), ref_rmsprop),
    "rmsprop-all": (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True,
                                        weight_decay=0.1), ref_rmsprop),
}


def make_params(dtype=np.float64) -> list[ag.Tensor]:
    return [ag.tensor(v.astype(dtype), requires_grad=True) for v in initial_values()]


def set_grads(params: list[ag.Tensor], t: int) -> None:
    for i, p in enumerate(params):
        g = gradient(i, p._data.astype(np.float64), t).astype(p.dtype)
        p.grad = ag.tensor(g)


def run(opt: optim.Optimizer, params: list[ag.Tensor], steps: int, start: int = 0) -> list:
    out = []
    for t in range(start, start + steps):
        set_grads(params, t)
        grads_before = [p.grad._data.copy() for p in params]
        opt.step()
        for p, g in zip(params, grads_before):  # the gradient is read, never written
            np.testing.assert_array_equal(p.grad._data, g)
        out.append([p._data.copy() for p in params])
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_trajectory_matches_formula_float64(name: str) -> None:
    cls, kwargs, ref = CASES[name]
    params = make_params()
    arrays = [p._data for p in params]
    opt = cls(params, **kwargs)
    got = run(opt, params, STEPS)
    want = ref(initial_values(), STEPS, **kwargs)
    for t, (g_step, w_step) in enumerate(zip(got, want)):
        for i, (g, w) in enumerate(zip(g_step, w_step)):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{name}: param {i} after step {t + 1}")
    # The trajectory really moved (a no-op optimizer must not pass).
    assert not np.allclose(got[-1][0], initial_values()[0])
    for p, a in zip(params, arrays):  # updated in place: same arrays, still leaves
        assert p._data is a and p.dtype == np.float64
        assert p.is_leaf and p.grad_fn is None and p.requires_grad


@pytest.mark.parametrize("name", list(CASES))
def test_float32_stays_float32(name: str) -> None:
    cls, kwargs, ref = CASES[name]
    params = make_params(np.float32)
    opt = cls(params, **kwargs)
    got = run(opt, params, STEPS)
    want = ref(initial_values(), STEPS, **kwargs)
    for p in params:
        assert p.dtype == np.float32
    for s in opt.state.values():
        for key, value in s.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, key
    for g, w in zip(got[-1], want[-1]):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=2e-3, atol=2e-4)


def test_float32_with_numpy_scalar_hyperparameters() -> None:
    # np.float64 hyperparameters would promote a float32 update under NumPy 2.
    p = ag.tensor(np.ones(4, np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=np.float64(0.1), betas=(np.float64(0.9), np.float64(0.99)),
                     weight_decay=np.float64(0.01))
    p.grad = ag.tensor(np.full(4, 0.5, np.float32))
    opt.step()
    assert p.dtype == np.float32
    assert opt.state[p]["exp_avg"].dtype == np.float32


@pytest.mark.parametrize("name", ["sgd-all", "adam-amsgrad", "adamw", "rmsprop-all"])
def test_state_buffers_allocated_once(name: str) -> None:
    cls, kwargs, _ = CASES[name]
    params = make_params()
    opt = cls(params, **kwargs)
    run(opt, params, 1)
    buffers = {(id(p), k): v for p in params for k, v in opt.state[p].items()
               if isinstance(v, np.ndarray)}
    assert buffers
    run(opt, params, 3, start=1)
    for (pid, k), v in buffers.items():
        p = next(q for q in params if id(q) == pid)
        assert opt.state[p][k] is v, k


def warm_step_peak(name: str, n: int) -> tuple[int, int]:
    """Bytes a warm optimizer step allocates at its peak, and one parameter's bytes."""
    cls, kwargs, _ = CASES[name]
    p = ag.tensor(np.linspace(-1.0, 1.0, n), requires_grad=True)
    p.grad = ag.tensor(np.cos(np.linspace(0.0, 3.0, n)))
    opt = cls([p], **kwargs)
    opt.step()  # first step: state and scratch arrays are allocated here
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        opt.step()
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return peak, p._data.nbytes


@pytest.mark.parametrize("name", ["adam-amsgrad", "adamw", "adam-weight_decay", "rmsprop-all"])
def test_step_allocates_nothing_once_warm(name: str) -> None:
    peak, nbytes = warm_step_peak(name, 200_000)  # 1.6 MB arrays: any temporary would show
    assert peak < nbytes // 10, f"a step allocated {peak} bytes"


@pytest.mark.parametrize("name", ["sgd", "sgd-all", "sgd-dampening", "sgd-momentum"])
def test_sgd_temporary_is_bounded(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # SGD's p += alpha·d needs a temporary (NumPy has no fused axpy): at most _CHUNK
    # elements however large the parameter (it is updated in pieces)
    peak, nbytes = warm_step_peak(name, 200_000)
    assert peak < optim.Optimizer._CHUNK * 8 * 1.1 < nbytes, f"a step allocated {peak} bytes"
    monkeypatch.setattr(optim.Optimizer, "_CHUNK", 16_384)
    peak, nbytes = warm_step_peak(name, 200_000)
    assert peak < 16_384 * 8 * 1.1, f"a chunked step allocated {peak} bytes"


@pytest.mark.parametrize("layout", ["contiguous", "transposed-grad", "transposed-param",
                                    "strided-rows", "wide-strided-rows", "empty", "scalar"])
def test_sgd_pieces_give_the_whole_update(layout: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the update formed piece by piece equals p + (-lr)·g formed at once, bit for bit,
    # whatever the layouts (flat pieces, blocks of rows, one temporary for wide rows)
    monkeypatch.setattr(optim.Optimizer, "_CHUNK", 100)
    rng = np.random.default_rng(3)
    shape = {"empty": (0, 7), "scalar": (), "wide-strided-rows": (6, 300)}.get(layout, (37, 23))
    w = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    if layout == "transposed-grad":
        g = np.ascontiguousarray(g.T).T
    elif layout == "transposed-param":
        w = np.ascontiguousarray(w.T).T
    elif layout in ("strided-rows", "wide-strided-rows"):
        g = np.repeat(g, 2, axis=1)[:, ::2]
    want = w + np.float32(-0.1) * g
    p = ag.tensor(w, requires_grad=True)
    if layout == "transposed-param":
        p._data = w  # keep the Fortran layout (ag.tensor copies to C order)
    p.grad = ag.tensor(g)
    p.grad._data = g
    optim.SGD([p], lr=0.1).step()
    assert p._data.dtype == np.float32
    np.testing.assert_array_equal(p._data, want)


@pytest.mark.parametrize("layout", ["contiguous", "transposed-grad"])
def test_sgd_pieces_on_a_device(layout: str, double_device: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # a device array goes through pieces of 16·_CHUNK elements, made on its device
    from tests.devicedouble import DoubleArray

    monkeypatch.setattr(optim.Optimizer, "_CHUNK", 4)
    rng = np.random.default_rng(5)
    w = rng.standard_normal((30, 7)).astype(np.float32)
    g = rng.standard_normal((30, 7)).astype(np.float32)
    if layout == "transposed-grad":
        g = np.ascontiguousarray(g.T).T
    want = w + np.float32(-0.1) * g
    p = ag.tensor(w, requires_grad=True).to(double_device).detach().requires_grad_()
    p.grad = ag.tensor(np.zeros_like(w)).to(double_device)
    p.grad._data = DoubleArray(g)
    optim.SGD([p], lr=0.1).step()
    assert isinstance(p._data, DoubleArray)
    np.testing.assert_array_equal(p.detach().cpu().numpy(), want)


def test_param_groups_with_different_options() -> None:
    a, b, c = make_params()
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.01, "momentum": 0.9}],
                    lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.0
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["weight_decay"] == 0.0  # missing options from defaults
    got = run(opt, [a, b, c], STEPS)
    plain = ref_sgd(initial_values(), STEPS, lr=0.1)
    heavy = ref_sgd(initial_values(), STEPS, lr=0.01, momentum=0.9)
    np.testing.assert_allclose(got[-1][0], plain[-1][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[-1][1], plain[-1][1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[-1][2], heavy[-1][2], rtol=1e-12, atol=1e-12)
    assert a not in opt.state and "momentum_buffer" in opt.state[c]


def test_add_param_group_and_changed_lr() -> None:
    a, b, _ = make_params()
    opt = optim.Adam([a], lr=0.05)
    opt.add_param_group({"params": b, "lr": 0.1})  # a single Tensor is accepted, as torch
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    got = run(opt, [a, b], STEPS)
    want_a = ref_adam(initial_values(), STEPS, lr=0.05)
    want_b = ref_adam(initial_values(), STEPS, lr=0.1)
    np.testing.assert_allclose(got[-1][0], want_a[-1][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[-1][1], want_b[-1][1], rtol=1e-12, atol=1e-12)


def test_none_grads_are_skipped() -> None:
    for cls, kwargs, _ in (CASES["sgd-all"], CASES["adam"], CASES["rmsprop-all"]):
        a, b, c = make_params()
        opt = cls([a, b, c], **kwargs)
        b_before, version = b._data.copy(), b._version
        for t in range(3):
            set_grads([a, b, c], t)
            b.grad = None
            opt.step()
        np.testing.assert_array_equal(b._data, b_before)
        assert b not in opt.state and b._version == version
        assert not np.allclose(a._data, initial_values()[0])
        if cls is not optim.SGD:
            assert opt.state[a]["step"] == 3
        b.grad = ag.tensor(gradient(1, b._data, 0))  # first gradient: a fresh start for b
        opt.step()
        if cls is not optim.SGD:
            assert opt.state[b]["step"] == 1 and opt.state[a]["step"] == 4


def test_zero_grad_set_to_none() -> None:
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    set_grads(params, 0)
    opt.zero_grad()
    assert all(p.grad is None for p in params)
    set_grads(params, 0)
    opt.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in params)


def test_zero_grad_in_place() -> None:
    params = make_params(np.float32)
    opt = optim.SGD(params, lr=0.1)
    set_grads(params, 0)
    grads = [p.grad for p in params]
    opt.zero_grad(set_to_none=False)
    for p, g in zip(params, grads):
        assert p.grad is g  # zeroed in place, as torch
        assert p.grad.dtype == np.float32 and p.grad.shape == p.shape
        np.testing.assert_array_equal(p.grad._data, 0.0)
    before = [p._data.copy() for p in params]
    opt.step()  # a zero gradient: plain SGD does not move
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p._data, b)


def test_zero_grad_in_place_after_backward_accumulates_afresh() -> None:
    w = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad._data, [3.0, 3.0])


def test_step_with_loss_backward_and_closure() -> None:
    w = ag.tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)

    def closure() -> ag.Tensor:
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ag.no_grad():  # the closure still records (torch runs it under enable_grad)
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.25)
    np.testing.assert_allclose(w._data, [0.8, -1.6, 0.4])
    assert opt.step() is None


def test_step_bumps_version_so_stale_backward_raises() -> None:
    w = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()  # saves w for its backward
    loss.backward(retain_graph=True)
    version = w._version
    opt.step()
    assert w._version == version + 1
    with pytest.raises(RuntimeError, match="MulBackward"):
        loss.backward()


def test_grad_shape_mismatch_raises() -> None:
    w = ag.tensor(np.zeros(3), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(RuntimeError, match="size '\\[1\\]' to a tensor of size '\\[3\\]'"):
        w.grad = ag.tensor(np.ones(1))  # torch refuses the assignment itself
    w._grad = ag.tensor(np.ones(1))  # past it (the slot): the step still says what is wrong
    with pytest.raises(RuntimeError, match="shape"):
        opt.step()


def test_textbook_classical_momentum_equals_sgd_momentum() -> None:
    # v = βv − η∇L; W += v  is SGD(momentum=β, dampening=0): torch's buffer is −v/η.
    beta, eta = 0.9, 0.05
    params = make_params()
    got = run(optim.SGD(params, lr=eta, momentum=beta), params, STEPS)
    ws = initial_values()
    vs = [np.zeros_like(w) for w in ws]
    for t in range(STEPS):
        for i in range(len(ws)):
            vs[i] = beta * vs[i] - eta * gradient(i, ws[i], t)
            ws[i] = ws[i] + vs[i]
    for g, w in zip(got[-1], ws):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_textbook_ema_momentum_is_dampening() -> None:
    # V = βV + (1−β)dW; W −= ηV  weights dW by 1 − dampening = 1−β, so it is
    # SGD(momentum=β, dampening=β), except that torch's buffer starts at dW on the
    # first step (the EMA's would be (1−β)dW).
    beta, eta = 0.9, 0.3
    params = make_params()
    got = run(optim.SGD(params, lr=eta, momentum=beta, dampening=beta), params, STEPS)
    ws = initial_values()
    vs: list = [None] * len(ws)
    for t in range(STEPS):
        for i in range(len(ws)):
            dw = gradient(i, ws[i], t)
            vs[i] = dw if vs[i] is None else beta * vs[i] + (1 - beta) * dw
            ws[i] = ws[i] - eta * vs[i]
    for g, w in zip(got[-1], ws):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_l2_penalty_is_weight_decay_two_lambda() -> None:
    # Adding λΣW² to the loss adds 2λW to the gradient: weight_decay = 2λ.
    lam = 0.05
    x = np.array([0.5, -1.0, 2.0])
    w1 = ag.tensor(x.copy(), requires_grad=True)
    w2 = ag.tensor(x.copy(), requires_grad=True)
    opt1 = optim.SGD([w1], lr=0.1, momentum=0.5)
    opt2 = optim.SGD([w2], lr=0.1, momentum=0.5, weight_decay=2 * lam)
    for _ in range(10):
        opt1.zero_grad()
        opt2.zero_grad()
        (ag.sin(w1).sum() + lam * (w1 * w1).sum()).backward()
        ag.sin(w2).sum().backward()
        opt1.step()
        opt2.step()
    np.testing.assert_allclose(w1._data, w2._data, rtol=1e-12, atol=1e-12)


def test_adamw_decay_is_decoupled() -> None:
    # With a zero gradient Adam's L2 decay is scaled away (m = 0 → no step), while
    # AdamW's shrinks the weights by (1 − lr·λ) every step.
    p1 = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    p2 = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    adamw = optim.AdamW([p1], lr=0.1, weight_decay=0.5)
    adam = optim.Adam([p2], lr=0.1, weight_decay=0.0)
    for _ in range(3):
        p1.grad = ag.tensor(np.zeros(2))
        p2.grad = ag.tensor(np.zeros(2))
        adamw.step()
        adam.step()
    np.testing.assert_allclose(p1._data, np.array([1.0, -2.0]) * (1 - 0.1 * 0.5) ** 3)
    np.testing.assert_array_equal(p2._data, [1.0, -2.0])
    assert optim.AdamW([ag.tensor(np.ones(1), requires_grad=True)]).defaults[
        "weight_decay"] == 1e-2


def test_defaults_as_torch() -> None:
    # torch 2.13's `defaults` dicts, printed by torch, with its implementation flags
    p = ag.tensor(np.ones(2), requires_grad=True)
    assert optim.Adam([p]).defaults == {
        'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0,
        'amsgrad': False, 'maximize': False, 'foreach': None, 'capturable': False,
        'differentiable': False, 'fused': None, 'decoupled_weight_decay': False}
    assert optim.AdamW([p]).defaults == {
        'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.01,
        'amsgrad': False, 'maximize': False, 'foreach': None, 'capturable': False,
        'differentiable': False, 'fused': None, 'decoupled_weight_decay': True}
    assert optim.RMSprop([p]).defaults == {
        'lr': 0.01, 'momentum': 0, 'alpha': 0.99, 'eps': 1e-08, 'centered': False,
        'weight_decay': 0, 'capturable': False, 'foreach': None, 'maximize': False,
        'differentiable': False}
    assert list(optim.RMSprop([p]).defaults) == ['lr', 'momentum', 'alpha', 'eps', 'centered',
                                                 'weight_decay', 'capturable', 'foreach',
                                                 'maximize', 'differentiable']
    sgd = optim.SGD([p], lr=0.5)
    assert sgd.defaults == {
        'lr': 0.5, 'momentum': 0, 'dampening': 0, 'weight_decay': 0, 'nesterov': False,
        'maximize': False, 'foreach': None, 'differentiable': False, 'fused': None}
    assert "SGD" in repr(sgd) and "lr: 0.5" in repr(sgd)


def test_nn_parameter() -> None:
    w = nn.Parameter(np.array([1.0, 2.0]))
    opt = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w._data, [0.9, 1.9])
    assert isinstance(w, nn.Parameter)


# -- bad arguments --------------------------------------------------------------------
def _p() -> ag.Tensor:
    return ag.tensor(np.ones(3), requires_grad=True)


@pytest.mark.parametrize("make, match", [
    (lambda: optim.SGD([_p()], lr=-0.1), "lr"),
    (lambda: optim.SGD([_p()], lr=0.1, momentum=-0.5), "momentum"),
    (lambda: optim.SGD([_p()], lr=0.1, weight_decay=-1e-4), "weight_decay"),
    (lambda: optim.SGD([_p()], lr=0.1, nesterov=True), "nesterov"),
    (lambda: optim.SGD([_p()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "nesterov"),
    (lambda: optim.Adam([_p()], lr=-1e-3), "lr"),
    (lambda: optim.Adam([_p()], eps=-1e-8), "eps"),
    (lambda: optim.Adam([_p()], betas=(1.0, 0.999)), r"betas\[0\]"),
    (lambda: optim.Adam([_p()], betas=(-0.1, 0.999)), r"betas\[0\]"),
    (lambda: optim.Adam([_p()], betas=(0.9, 1.0)), r"betas\[1\]"),
    (lambda: optim.Adam([_p()], betas=(0.9, -1e-3)), r"betas\[1\]"),
    (lambda: optim.Adam([_p()], betas=(0.9,)), "betas"),
    (lambda: optim.Adam([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.AdamW([_p()], lr=-1.0), "lr"),
    (lambda: optim.AdamW([_p()], betas=(0.9, 1.5)), "betas"),
    (lambda: optim.AdamW([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.AdamW([_p()], eps=-1.0), "eps"),
    (lambda: optim.RMSprop([_p()], lr=-0.1), "lr"),
    (lambda: optim.RMSprop([_p()], alpha=-0.1), "alpha"),
    (lambda: optim.RMSprop([_p()], eps=-0.1), "eps"),
    (lambda: optim.RMSprop([_p()], momentum=-0.1), "momentum"),
    (lambda: optim.RMSprop([_p()], weight_decay=-0.1), "weight_decay"),
    (lambda: optim.SGD([{"params": [_p()], "lr": -1.0}], lr=0.1), "lr"),
    (lambda: optim.Adam([{"params": [_p()], "betas": (0.9, 1.0)}]), "betas"),
    (lambda: optim.SGD([], lr=0.1), "empty"),
    (lambda: optim.Adam(iter(())), "empty"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_bad_hyperparameters_raise_value_error(make, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_duplicate_parameters_raise() -> None:
    a, b = _p(), _p()
    with pytest.raises(ValueError, match="duplicate parameters"):
        optim.SGD([a, b, a], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [b, a]}], lr=0.1)
    opt = optim.Adam([a])
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    assert len(opt.param_groups) == 1  # a failed add changes nothing
    opt.add_param_group({"params": [b]})  # equal values are fine: identity counts
    assert len(opt.param_groups) == 2


def test_bad_params_raise_like_torch() -> None:
    w = _p()
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2.0], lr=0.1)
    with pytest.raises(TypeError, match="floating"):
        optim.SGD([ag.tensor(np.arange(3))], lr=0.1)
    with pytest.raises(TypeError, match="Tensors"):
        optim.SGD([np.ones(3)], lr=0.1)
    with pytest.raises(TypeError, match="iterable"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordered"):
        optim.SGD({w}, lr=0.1)
    with pytest.raises(TypeError, match="dict"):
        optim.SGD([w], lr=0.1).add_param_group([_p()])


def test_required_hyperparameter_of_the_base_class() -> None:
    class Plain(optim.Optimizer):
        def __init__(self, params, lr=optim.required):
            super().__init__(params, dict(lr=lr))

        def _update_param(self, p, grad, group):
            p._data -= group["lr"] * grad

    a, b = _p(), _p()
    with pytest.raises(ValueError, match="lr"):
        Plain([a])
    opt = Plain([{"params": [a], "lr": 0.5}])
    a.grad = ag.tensor(np.ones(3))
    opt.step()
    np.testing.assert_array_equal(a._data, 0.5)
    with pytest.raises(NotImplementedError):
        base = optim.Optimizer([b], {})
        b.grad = ag.tensor(np.ones(3))
        base.step()
    assert math.isfinite(float(a._data.sum()))
