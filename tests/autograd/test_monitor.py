"""ag.viz.Monitor: per-step activation, gradient and update statistics through hooks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from autograd.engine import _SMALL
from autograd.viz import monitor as monitor_module
from autograd.viz.monitor import Monitor


def _tiny() -> tuple[nn.Module, np.ndarray]:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.ReLU())
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32) * 2
    return model, x


def _by(history, step: int, name: str) -> dict:
    (row,) = [r for r in history if r["step"] == step and r["name"] == name]
    return row


def test_statistics_equal_numpy_on_a_tiny_model() -> None:
    model, x = _tiny()
    w1, b1, w2, b2 = (p._data.astype(np.float64).copy() for p in model.parameters())
    lr = 0.1
    opt = optim.SGD(model.parameters(), lr=lr)
    monitor = Monitor(model)
    assert [n for n, _ in monitor.layers] == ["1", "3"]  # the activation modules
    out = model(ag.tensor(x))
    (out ** 2).sum().backward()
    opt.step()
    monitor.step(lr=lr)

    # the same forward and backward by hand
    z1 = x @ w1.T + b1
    h = np.tanh(z1)
    z2 = h @ w2.T + b2
    o = np.maximum(z2, 0)
    g_o = 2 * o
    g_z2 = g_o * (z2 > 0)
    g_h = g_z2 @ w2
    g_z1 = g_h * (1 - h ** 2)
    grads = {"0.weight": g_z1.T @ x, "0.bias": g_z1.sum(0), "2.weight": g_z2.T @ h,
             "2.bias": g_z2.sum(0)}
    before = {"0.weight": w1, "0.bias": b1, "2.weight": w2, "2.bias": b2}

    hist = monitor.history
    assert len(hist) == 2 + 4
    row = _by(hist, 0, "1")
    assert row["kind"] == "layer" and row["type"] == "Tanh" and row["lr"] == lr
    np.testing.assert_allclose(row["mean"], h.mean(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(row["std"], h.std(), rtol=1e-5)
    assert row["saturated"] == np.mean(np.abs(h) > 0.97)
    np.testing.assert_allclose(row["grad_mean"], g_h.mean(), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(row["grad_std"], g_h.std(), rtol=1e-4)
    row = _by(hist, 0, "3")
    np.testing.assert_allclose(row["std"], o.std(), rtol=1e-5)
    assert row["saturated"] == np.mean(o == 0)  # dead ReLU outputs
    np.testing.assert_allclose(row["grad_std"], g_o.std(), rtol=1e-4)
    for name, g in grads.items():
        row = _by(hist, 0, name)
        after = before[name] - lr * g
        assert row["kind"] == "param" and row["shape"] == g.shape
        np.testing.assert_allclose(row["grad_std"], g.std(), rtol=1e-4)
        np.testing.assert_allclose(row["data_std"], after.std(), rtol=1e-5)
        np.testing.assert_allclose(row["grad_data"], g.std() / after.std(), rtol=1e-4)
        np.testing.assert_allclose(row["update_data"], (lr * g).std() / after.std(),
                                   rtol=1e-4)


def test_saturation_and_dead_fractions_per_activation() -> None:
    x = np.linspace(-6, 6, 60, dtype=np.float32).reshape(6, 10)
    t = np.tanh(x)
    s = 1 / (1 + np.exp(-x.astype(np.float64)))
    expected = {"Tanh": np.mean(np.abs(t) > 0.97),
                "Sigmoid": np.mean((s > 0.97) | (s < 0.03)),
                "ReLU": np.mean(x <= 0)}
    assert 0 < expected["Tanh"] < 1 and 0 < expected["Sigmoid"] < 1
    for act, value in expected.items():
        model = nn.Sequential(nn.Linear(10, 10), getattr(nn, act)())
        model[0].weight._data[...] = np.eye(10)
        model[0].bias._data[...] = 0
        monitor = Monitor(model)
        model(ag.tensor(x, requires_grad=True)).sum().backward()
        monitor.step()
        (row,) = [r for r in monitor.history if r["name"] == "1"]
        assert row["saturated"] == pytest.approx(value), act
        assert np.isnan(row["lr"])
        monitor.remove()


class TanhBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x).tanh()


def test_kind_comes_from_the_op_when_the_class_does_not_say() -> None:
    ag.manual_seed(0)
    block = TanhBlock()
    model = nn.Sequential(block, nn.Linear(4, 1))
    monitor = Monitor(model, layers=["0", model[1]])
    assert [n for n, _ in monitor.layers] == ["0", "1"]
    x = ag.tensor(np.full((3, 4), 50.0, dtype=np.float32))
    model(x).sum().backward()
    monitor.step()
    assert monitor.kinds == ["tanh", None]
    h = monitor.history
    assert _by(h, 0, "0")["saturated"] == np.mean(np.abs(block(x)._data) > 0.97)
    assert np.isnan(_by(h, 0, "1")["saturated"])


def test_default_layers_fall_back_to_the_leaf_modules() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    assert [n for n, _ in Monitor(model).layers] == ["0", "1"]


def test_update_ratio_is_the_change_since_the_previous_step() -> None:
    model, x = _tiny()
    opt = optim.Adam(model.parameters(), lr=0.05)
    monitor = Monitor(model, every=2)
    weights = [model[0].weight._data.astype(np.float64).copy()]
    for _ in range(5):
        opt.zero_grad()
        (model(ag.tensor(x)) ** 2).sum().backward()
        opt.step()
        monitor.step(lr=0.05)
        weights.append(model[0].weight._data.astype(np.float64).copy())
    hist = monitor.history
    assert sorted({r["step"] for r in hist}) == [0, 2, 4]
    for k in (0, 2, 4):  # the change from the step before (Adam: not lr * grad)
        upd = weights[k + 1] - weights[k]
        row = _by(hist, k, "0.weight")
        np.testing.assert_allclose(row["update_data"], upd.std() / weights[k + 1].std(),
                                   rtol=1e-5)
    steps, ratio = monitor.series("update_data")
    assert steps.tolist() == [0, 2, 4] and ratio.shape == (3, 4)


def test_history_length_and_series() -> None:
    model, x = _tiny()
    opt = optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor(model, every=1)
    for step in range(7):
        opt.zero_grad()
        (model(ag.tensor(x)) ** 2).sum().backward()
        opt.step()
        monitor.step(lr=0.01)
        assert len(monitor.history) == (step + 1) * (2 + 4)
    assert [r["step"] for r in monitor.history[::6]] == list(range(7))
    steps, std = monitor.series("std")
    assert std.shape == (7, 2)
    np.testing.assert_array_equal(std[:, 0], monitor.history.column("std", "1"))
    with pytest.raises(KeyError, match="unknown key"):
        monitor.series("nope")


def test_eval_and_no_grad_forwards_do_not_replace_the_training_forward() -> None:
    model, x = _tiny()
    monitor = Monitor(model)
    out = model(ag.tensor(x))
    out.sum().backward()
    with ag.no_grad():
        model(ag.tensor(x * 0))  # would give tanh mean 0 if it counted
    model.eval()
    model(ag.tensor(x * 0))
    model.train()
    monitor.step()
    row = _by(monitor.history, 0, "1")
    assert row["mean"] != 0 and not np.isnan(row["grad_std"])


def test_large_arrays_are_subsampled_with_a_fixed_stride() -> None:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 600), nn.Tanh())  # (10, 600): 6000 > _SMALL values
    assert 10 * 600 > _SMALL
    x = ag.randn(10, 8)
    monitor = Monitor(model, sample=1000)
    out = model(x)
    (out ** 2).sum().backward()
    monitor.step()
    h = out._data.astype(np.float64)
    sub = h.reshape(-1)[::7]  # 6000 / 1000 -> stride 6, made coprime with 600 -> 7
    row = _by(monitor.history, 0, "1")
    np.testing.assert_allclose(row["mean"], sub.mean(), rtol=1e-6)
    np.testing.assert_allclose(row["std"], sub.std(), rtol=1e-6)
    g = 2 * h  # through the tensor hook (the engine keeps only the norm of this one)
    np.testing.assert_allclose(row["grad_std"], g.reshape(-1)[::7].std(), rtol=1e-6)
    samples = monitor.last_samples()
    assert samples["activations"]["1"].size <= 1000
    w = model[0].weight  # (600, 8): 4800 / 1000 -> stride 5, coprime with 8
    np.testing.assert_allclose(_by(monitor.history, 0, "0.weight")["data_std"],
                               w._data.reshape(-1)[::5].astype(np.float64).std(), rtol=1e-6)


def test_remove_detaches_every_hook() -> None:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 600), nn.Tanh(), nn.Linear(600, 1))
    monitor = Monitor(model, layers=["0", "1"])
    out = model[1](model[0](ag.randn(10, 8)))  # outputs above _SMALL: tensor hooks
    assert all(m._forward_hooks for m in (model[0], model[1]))
    assert out._node.hooks
    monitor.remove()
    assert not any(getattr(m, "_forward_hooks", None) for m in model.modules())
    assert not out._node.hooks
    monitor.remove()  # harmless
    with pytest.raises(RuntimeError, match="removed"):
        monitor.step()
    with Monitor(model) as m2:
        assert model[1]._forward_hooks
    assert m2.removed and not model[1]._forward_hooks


def test_bad_arguments_say_what_is_wrong() -> None:
    model, _ = _tiny()
    with pytest.raises(KeyError, match="no submodule named 'nope'"):
        Monitor(model, layers=["nope"])
    with pytest.raises(ValueError, match="not one"):
        Monitor(model, layers=[nn.Tanh()])
    with pytest.raises(ValueError, match="every must be a positive int"):
        Monitor(model, every=0)
    with pytest.raises(ValueError, match="sample must be a positive int"):
        Monitor(model, sample=2.5)
    with pytest.raises(TypeError, match="named_modules"):
        Monitor(3)


def _trained_monitor(steps: int = 3) -> Monitor:
    model, x = _tiny()
    opt = optim.SGD(model.parameters(), lr=0.01)
    monitor = Monitor(model)
    for _ in range(steps):
        opt.zero_grad()
        (model(ag.tensor(x)) ** 2).sum().backward()
        opt.step()
        monitor.step(lr=0.01)
    return monitor


def test_plot_returns_one_figure_with_the_four_views(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    model, _ = _tiny()
    with pytest.raises(RuntimeError, match="nothing recorded"):
        Monitor(model).plot()
    monitor = _trained_monitor()
    fig = monitor.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("activation distribution")
    assert titles[1].startswith("gradient distribution")
    assert titles[2].startswith("weight gradient distribution")
    assert titles[3] == "update:data ratio (log10)"
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("saturated" in t for t in legend) and any("dead" in t for t in legend)
    ratios = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert [t.split(" ")[0] for t in ratios] == ["0.weight", "2.weight"]  # weights only
    guide = [line for line in fig.axes[3].get_lines() if line.get_label() == "1e-3"]
    assert guide and guide[0].get_ydata()[0] == -3
    fig.savefig(tmp_path / "monitor.png")
    assert (tmp_path / "monitor.png").stat().st_size > 10_000
    one = monitor.plot(kind="update_data")
    assert len(one.axes) == 1 and one.axes[0].get_title() == "update:data ratio (log10)"
    fig2 = Figure()
    ax = fig2.add_subplot()
    assert monitor.plot(kind="activations", ax=ax) is fig2
    with pytest.raises(ValueError, match="kind must be"):
        monitor.plot(kind="weights")
    with pytest.raises(ValueError, match="pass kind="):
        monitor.plot(ax=ax)


@pytest.mark.parametrize("every", [1, 3])
def test_steps_computed_in_chunks_match_numpy_at_every_step(monkeypatch, every) -> None:
    # five pending steps per chunk: chunk boundaries are crossed, and one monitor's
    # history is read in between (each read computes what is pending)
    monkeypatch.setattr(monitor_module, "_PENDING", 5)
    model, x = _tiny()
    opt = optim.Adam(model.parameters(), lr=0.05)
    read, unread = Monitor(model, every=every), Monitor(model, every=every)
    assert read._prev is not unread._prev
    tanh_out = []
    model[1].register_forward_hook(lambda m, a, out: tanh_out.append(out._data.copy()))
    weights = [model[2].weight._data.astype(np.float64).copy()]
    for k in range(13):
        opt.zero_grad()
        (model(ag.tensor(x * (1 + 0.1 * k))) ** 2).sum().backward()
        opt.step()
        read.step(lr=0.05)
        unread.step(lr=0.05)
        weights.append(model[2].weight._data.astype(np.float64).copy())
        if k % 3 == 1:
            assert len(read.history) == 6 * (k // every + 1)
    recorded = list(range(0, 13, every))
    assert sorted({r["step"] for r in unread.history}) == recorded
    assert len(read.history) == len(unread.history)
    for r, u in zip(read.history, unread.history):
        assert r.keys() == u.keys()
        for key in r:
            if isinstance(r[key], float):
                np.testing.assert_allclose(r[key], u[key], rtol=1e-12)
            else:
                assert r[key] == u[key]
    for k in recorded:
        h = tanh_out[k].astype(np.float64)
        row = _by(unread.history, k, "1")
        # float32 sums: a mean near 0 is exact to a few eps32 of the spread, not of itself
        np.testing.assert_allclose(row["mean"], h.mean(), rtol=1e-6, atol=1e-7 * h.std())
        np.testing.assert_allclose(row["std"], h.std(), rtol=1e-6)
        assert row["saturated"] == np.mean(np.abs(h) > 0.97)
        upd = weights[k + 1] - weights[k]
        np.testing.assert_allclose(_by(unread.history, k, "2.weight")["update_data"],
                                   upd.std() / weights[k + 1].std(), rtol=1e-6)


def test_default_records_every_step() -> None:
    model, x = _tiny()
    monitor = Monitor(model)
    assert monitor.every == 1
    for k in range(3):
        model(ag.tensor(x)).sum().backward()
        monitor.step(lr=0.1)
        assert max(row["step"] for row in monitor.history) == k  # gained after each step


def test_every_tenth_step_with_hooks_only_then() -> None:
    model, x = _tiny()
    opt = optim.Adam(model.parameters(), lr=0.05)
    monitor = Monitor(model, every=10)
    assert monitor.every == 10
    hooked, weights = [], [model[0].weight._data.astype(np.float64).copy()]
    for _ in range(25):
        hooked.append(bool(model[1]._forward_hooks))
        opt.zero_grad()
        (model(ag.tensor(x)) ** 2).sum().backward()
        opt.step()
        monitor.step(lr=0.05)
        weights.append(model[0].weight._data.astype(np.float64).copy())
    # attached for steps 0, 10, 20 only: the steps in between run without hooks
    assert [k for k, h in enumerate(hooked) if h] == [0, 10, 20]
    assert sorted({r["step"] for r in monitor.history}) == [0, 10, 20]
    for k in (10, 20):  # the recorded step's own update, from the copy taken before it
        upd = weights[k + 1] - weights[k]
        np.testing.assert_allclose(_by(monitor.history, k, "0.weight")["update_data"],
                                   upd.std() / weights[k + 1].std(), rtol=1e-5)
    monitor.remove()
    assert not model[1]._forward_hooks


def _numpy_steps(model, batches, lr, every):
    """Train ``model`` on ``batches`` with SGD, watched; return the monitor and, per step,
    the tanh output, its gradient and each parameter's values (float64) after the step."""
    opt = optim.SGD(model.parameters(), lr=lr)
    monitor = Monitor(model, every=every)
    seen: list = []
    model[1].register_forward_hook(lambda m, a, out: seen.append(out))
    values = [[p._data.astype(np.float64).copy() for p in model.parameters()]]
    record = []
    for x in batches:
        opt.zero_grad()
        out = model(ag.tensor(x))
        (out ** 2).sum().backward()
        h = seen[-1]
        record.append((h._data.astype(np.float64).copy(), h._node.grad_size.astype(np.float64)))
        opt.step()
        monitor.step(lr=lr)
        values.append([p._data.astype(np.float64).copy() for p in model.parameters()])
    return monitor, record, values


@pytest.mark.parametrize("every", [1, 2])
def test_steps_across_new_shapes_match_numpy(monkeypatch, every) -> None:
    # chunks of 3 pending steps; the batch size changes at steps 4 and 5 (other row
    # shapes: other layouts), the update still measured from the step before
    monkeypatch.setattr(monitor_module, "_PENDING", 3)
    model, x = _tiny()
    rng = np.random.default_rng(2)
    batches = [x * (1 + 0.1 * k) for k in range(4)] + [
        rng.normal(size=(3, 3)).astype(np.float32) for _ in range(2)]
    batches += [x * 0.5 for _ in range(4)]
    monitor, record, values = _numpy_steps(model, batches, 0.05, every)
    hist = monitor.history
    names = [n for n, _ in monitor.params]
    recorded = list(range(0, len(batches), every))
    assert sorted({r["step"] for r in hist}) == recorded
    for k in recorded:
        h, g = record[k]
        row = _by(hist, k, "1")
        np.testing.assert_allclose([row["mean"], row["std"], row["grad_mean"],
                                    row["grad_std"]], [h.mean(), h.std(), g.mean(), g.std()],
                                   rtol=1e-6, atol=1e-9)
        assert row["saturated"] == np.mean(np.abs(h) > 0.97)
        for j, name in enumerate(names):
            before, after = values[k][j], values[k + 1][j]
            prow = _by(hist, k, name)
            np.testing.assert_allclose(prow["data_std"], after.std(), rtol=1e-6)
            np.testing.assert_allclose(prow["update_data"],
                                       (after - before).std() / after.std(), rtol=1e-5)


def test_float64_models_are_measured_in_float64() -> None:
    ag.manual_seed(0)
    # (5, 50) outputs: 250 values, under the default sample (the whole arrays)
    model = nn.Sequential(nn.Linear(3, 50), nn.Tanh(), nn.Linear(50, 2)).double()
    x = np.random.default_rng(1).normal(size=(5, 3)) * 3
    monitor, record, values = _numpy_steps(model, [x, x * 0.5, x * 2], 0.1, 1)
    hist = monitor.history
    for k in range(3):
        h, g = record[k]
        row = _by(hist, k, "1")
        np.testing.assert_allclose([row["mean"], row["std"], row["grad_std"]],
                                   [h.mean(), h.std(), g.std()], rtol=1e-12)
        before, after = values[k][0], values[k + 1][0]
        np.testing.assert_allclose(_by(hist, k, "0.weight")["update_data"],
                                   (after - before).std() / after.std(), rtol=1e-9)


def test_a_step_without_backward_has_nan_gradients_and_the_next_is_measured() -> None:
    model, x = _tiny()
    opt = optim.SGD(model.parameters(), lr=0.1)
    monitor = Monitor(model)
    for k in range(4):
        opt.zero_grad()
        out = model(ag.tensor(x))
        if k != 1:  # step 1: forward only, nothing updated
            (out ** 2).sum().backward()
            opt.step()
        monitor.step(lr=0.1)
    hist = monitor.history
    assert np.isnan(_by(hist, 1, "1")["grad_std"])
    assert np.isnan(_by(hist, 1, "0.weight")["grad_std"])
    assert _by(hist, 1, "0.weight")["update_data"] == 0  # no optimizer step: no change
    assert not np.isnan(_by(hist, 2, "1")["grad_std"])
    assert _by(hist, 2, "0.weight")["update_data"] > 0
    assert monitor.last_samples()["activations"]["1"].shape == (20,)


def test_the_short_way_equals_numpy_on_subsampled_arrays_and_sees_a_swapped_array() -> None:
    # outputs, gradients and weights larger than sample: every step after the first takes
    # the short way (same shapes, same parameter arrays), until a weight's array is swapped
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 40), nn.Tanh(), nn.Linear(40, 3))
    opt = optim.SGD(model.parameters(), lr=0.05)
    monitor = Monitor(model, sample=50)
    seen: list = []
    model[1].register_forward_hook(lambda m, a, out: seen.append(out))
    rng = np.random.default_rng(3)
    w = model[0].weight
    values = [w._data.astype(np.float64).copy()]
    took_short_way = []
    for k in range(6):
        if k == 4:  # a new array for the weight: the short way must notice
            w.data = ag.tensor(rng.normal(size=(40, 6)).astype(np.float32))
        opt.zero_grad()
        (model(ag.tensor(rng.normal(size=(8, 6)).astype(np.float32))) ** 2).mean().backward()
        took_short_way.append(monitor._same is not None
                              and monitor._gather_as_before(monitor._same) is not None)
        grad = w.grad._data.astype(np.float64).copy()
        h = seen[-1]
        act, act_grad = (h._data.astype(np.float64).copy(),
                         h._node.grad_size.astype(np.float64).copy())
        opt.step()
        monitor.step(lr=0.1)
        values.append(w._data.astype(np.float64).copy())
        row, prow = _by(monitor.history, k, "1"), _by(monitor.history, k, "0.weight")
        a = act.reshape(-1)[::7]  # 320 values / 50 -> stride 7, coprime with 40
        g = act_grad.reshape(-1)[::7]
        np.testing.assert_allclose([row["std"], row["grad_std"]], [a.std(), g.std()],
                                   rtol=1e-6)
        for mean, v in ((row["mean"], a), (row["grad_mean"], g)):  # to eps32s of the spread
            np.testing.assert_allclose(mean, v.mean(), rtol=1e-6, atol=1e-7 * v.std())
        s = slice(None, None, 5)  # the weight: 240 values / 50 -> stride 5, coprime with 6
        # the change since the previous step(), the swap included at step 4
        after, before = values[k + 1].reshape(-1)[s], values[k].reshape(-1)[s]
        np.testing.assert_allclose([prow["grad_std"], prow["data_std"], prow["update_data"]],
                                   [grad.reshape(-1)[s].std(), after.std(),
                                    (after - before).std() / after.std()], rtol=1e-5)
    assert took_short_way == [False, True, True, True, False, True]


def test_a_constant_float32_output_has_std_zero() -> None:
    # float32 rows, float64 sums: 0.2f squared is exact in float64, so the variance of a
    # constant is exactly 0 (a float32 square rounds 0.2f^2 up by 1.6e-9: a std of 4e-5)
    model = nn.Sequential(nn.Linear(4, 30), nn.ReLU())
    model[0].weight._data[...] = 0
    model[0].bias._data[...] = 0.2
    monitor = Monitor(model)
    model(ag.randn(7, 4)).sum().backward()
    monitor.step()
    row = _by(monitor.history, 0, "1")
    assert row["mean"] == np.float32(0.2) and row["std"] == 0 and row["saturated"] == 0


class Tanh(nn.Module):
    """Named Tanh (so watched as tanh): returns ``values`` times the input's ones."""

    def __init__(self, values: np.ndarray) -> None:
        super().__init__()
        self.values = ag.tensor(values)

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return self.values * x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturation_is_beyond_0_97_in_the_arrays_type_to_the_last_ulp(dtype) -> None:
    # the rows' squares decide it: the line's own value is not beyond it, the next is
    line = dtype(0.97)
    up, down = np.nextafter(line, dtype(1)), np.nextafter(line, dtype(0))
    values = np.array([[line, -line, up, -up], [down, 0.5, -1.0, up]], dtype=dtype)
    model = nn.Sequential(Tanh(values))
    monitor = Monitor(model)
    assert monitor.kinds == ["tanh"]
    model(ag.ones(2, 4, dtype=ag.float32 if dtype == np.float32 else ag.float64,
                  requires_grad=True)).sum().backward()
    monitor.step()
    assert _by(monitor.history, 0, "0")["saturated"] == np.mean(np.abs(values) > line) == 4 / 8


def test_spreads_small_against_the_mean_are_measured_two_pass() -> None:
    # float32 sums leave E[x^2] - E[x]^2 a few eps32 of E[x^2]: a parameter at 1 +- 1e-5
    # (a batch norm's weight early on) and outputs near 2e20 (squares beyond float32's
    # range) are measured again in float64, to ~1e-6 of NumPy's two-pass std
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(5, 40))
    w = model[0].weight
    w._data[...] = 1 + 1e-5 * rng.normal(size=w.shape)
    model[0].bias._data[...] = 2e20 * (1 + 0.1 * rng.normal(size=40))
    monitor = Monitor(model, layers=["0"])
    out = model(ag.ones(3, 5))
    out.sum().backward()
    with warnings.catch_warnings():  # the overflow is the Monitor's to handle, silently
        warnings.simplefilter("error")
        monitor.step()
        hist = monitor.history
    data = w._data.astype(np.float64)
    np.testing.assert_allclose(_by(hist, 0, "0.weight")["data_std"], data.std(), rtol=1e-6)
    o = out._data.astype(np.float64)
    row = _by(hist, 0, "0")
    assert np.isfinite(o).all() and o.max() ** 2 > np.finfo(np.float32).max
    np.testing.assert_allclose([row["mean"], row["std"]], [o.mean(), o.std()], rtol=1e-6)


@pytest.mark.parametrize("every", [1, 2])
def test_a_model_on_a_device_is_watched_there_without_waiting(double_device, monkeypatch,
                                                             every) -> None:
    # the rows stay on the device (tests/devicedouble.py, raising wherever CuPy would);
    # a step reads nothing back: only reducing a block copies it to the host (one copy)
    from tests import devicedouble

    def run(device: str) -> tuple[Monitor, list[int]]:
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 40), nn.Tanh(), nn.Linear(40, 30), nn.ReLU())
        model.to(device)
        opt = optim.Adam(model.parameters(), lr=0.01)
        monitor = Monitor(model, sample=50, every=every)
        rng = np.random.default_rng(0)
        syncs = []
        for _ in range(7):
            x = ag.tensor(rng.normal(size=(16, 8)).astype(np.float32)).to(device)
            opt.zero_grad()
            model(x).pow(2).mean().backward()
            opt.step()
            before = devicedouble.SYNCS[0]
            monitor.step(lr=0.01)
            syncs.append(devicedouble.SYNCS[0] - before)
        return monitor, syncs

    for pending, reduced_at in ((32, ()), (3, (2, 5) if every == 1 else (4,))):
        monkeypatch.setattr(monitor_module, "_PENDING", pending)
        host, _ = run("cpu")
        device, syncs = run(double_device)
        assert syncs == [int(k in reduced_at) for k in range(7)]
        assert len(device.history) == len(host.history) == len(range(0, 7, every)) * 6
        for d, h in zip(device.history, host.history):
            for key, value in h.items():
                if isinstance(value, float):
                    np.testing.assert_allclose(d[key], value, rtol=1e-12)
                else:
                    assert d[key] == value
        samples = device.last_samples()["activations"]
        assert samples and all(v.__class__ is np.ndarray for v in samples.values())


def test_channels_last_outputs_are_subsampled_in_place_in_memory_order() -> None:
    # a conv's output here is NCHW over NHWC memory: reading it flat in memory order is a
    # view (reshape(-1) in C order would copy all of it every step)
    from autograd.viz.monitor_block import stride

    ag.manual_seed(0)
    model = nn.SimpleCNN()
    monitor = Monitor(model, sample=500)
    seen: list = []
    model.features[1].register_forward_hook(lambda m, a, out: seen.append(out))
    model(ag.randn(2, 3, 32, 32)).sum().backward()
    out = seen[-1]._data
    assert not out.flags.c_contiguous and not out.flags.f_contiguous
    assert np.shares_memory(monitor._view(out), out)
    monitor.step()
    flat = out.ravel(order="K").astype(np.float64)
    s = stride(out.shape, 500, out.strides)
    assert s == 67  # 32768 / 500 -> 66, raised to be coprime with the 16 channels (fastest)
    sub = flat[::s]
    row = _by(monitor.history, 0, "features.1")
    np.testing.assert_allclose([row["mean"], row["std"]], [sub.mean(), sub.std()], rtol=1e-6)
    assert row["saturated"] == np.mean(sub == 0)  # dead ReLU units
