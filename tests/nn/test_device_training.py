"""Training on the test-only device double (tests/devicedouble.py): the seed MLP and CNN
take a few steps on it with the losses of the CPU run, every optimizer steps there, state
follows a model moved after the optimizer was built, and nn.save copies to the host."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from tests.devicedouble import DoubleArray


def _steps(model, opt_cls, x, y, device, steps=3, **kw):
    model.to(device)
    opt = opt_cls(model.parameters(), **kw)
    x, y = x.to(device), y.to(device)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _pair(make):
    ag.manual_seed(0)
    a = make()
    b = make()
    b.load_state_dict(a.state_dict())
    return a, b


def _data(shape, classes=10, n=8):
    rng = np.random.default_rng(0)
    return (ag.tensor(rng.standard_normal((n, *shape)), dtype=np.float32),
            ag.tensor(rng.integers(0, classes, n)))


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_seed_models_train_the_same_on_the_double(kind, double_device) -> None:
    if kind == "mlp":
        make, (x, y) = (lambda: nn.MLP([12, 16, 10])), _data((12,))
    else:
        make, (x, y) = (lambda: nn.SimpleCNN(1, 10, 8)), _data((1, 8, 8))
    cpu, dev = _pair(make)
    on_cpu = _steps(cpu, optim.SGD, x, y, "cpu", lr=0.1, momentum=0.9)
    on_dev = _steps(dev, optim.SGD, x, y, double_device, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(on_dev, on_cpu, rtol=1e-6)
    assert all(isinstance(p._data, DoubleArray) for p in dev.parameters())


OPTIMIZERS = [(optim.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
              (optim.Adam, {"lr": 0.01, "amsgrad": True}), (optim.AdamW, {"lr": 0.01}),
              (optim.RMSprop, {"lr": 0.01, "momentum": 0.5}), (optim.Adagrad, {"lr": 0.1}),
              (optim.Adamax, {"lr": 0.01}), (optim.NAdam, {"lr": 0.01}),
              (optim.RAdam, {"lr": 0.01})]


@pytest.mark.parametrize(("cls", "kw"), OPTIMIZERS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_optimizer_steps_on_the_double(cls, kw, double_device) -> None:
    x, y = _data((6,), classes=3)
    cpu, dev = _pair(lambda: nn.MLP([6, 5, 3]))
    on_cpu = _steps(cpu, cls, x, y, "cpu", **kw)
    on_dev = _steps(dev, cls, x, y, double_device, **kw)
    np.testing.assert_allclose(on_dev, on_cpu, rtol=1e-6)
    for p, q in zip(cpu.parameters(), dev.parameters(), strict=True):
        np.testing.assert_allclose(q.detach().cpu().numpy(), p.detach().numpy(), rtol=1e-5,
                                   atol=1e-7)


def test_module_to_keeps_parameters_and_state_follows(double_device) -> None:
    model = nn.MLP([4, 3, 2])
    params = list(model.parameters())
    opt = optim.Adam(model.parameters(), lr=0.01)
    x, y = _data((4,), classes=2)
    F.cross_entropy(model(x), y).backward()
    opt.step()  # state made on the host
    assert model.to(double_device) is model
    assert all(p is q for p, q in zip(params, model.parameters(), strict=True))
    assert all(p.device.type == "double" for p in model.parameters())
    opt.zero_grad()
    F.cross_entropy(model(x.to(double_device)), y.to(double_device)).backward()
    opt.step()
    assert all(isinstance(v, DoubleArray) for s in opt.state.values() for k, v in s.items()
               if k != "step" and getattr(v, "ndim", 0))
    model.cpu()
    assert all(p._data.__class__ is np.ndarray for p in model.parameters())


def test_save_copies_to_the_host(double_device, tmp_path) -> None:
    model = nn.MLP([4, 3, 2]).to(double_device)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = _data((4,), classes=2)
    F.cross_entropy(model(x.to(double_device)), y.to(double_device)).backward()
    opt.step()
    nn.save({"model": model.state_dict(), "opt": opt.state_dict(),
             "t": model[0].weight.detach()}, tmp_path / "ck.npz")
    back = nn.load(tmp_path / "ck.npz")
    w = model[0].weight.detach().cpu().numpy()
    np.testing.assert_array_equal(back["model"]["0.weight"], w)
    np.testing.assert_array_equal(back["t"].numpy(), w)
    fresh = nn.MLP([4, 3, 2]).to(double_device)
    fresh.load_state_dict(back["model"])
    assert fresh[0].weight.device.type == "double"
    np.testing.assert_array_equal(fresh[0].weight.detach().cpu().numpy(), w)


def test_cli_trains_on_the_device_as_on_the_cpu(double_device, tmp_path) -> None:
    import json

    from nn import cli

    args = ["train", "--epochs", "1", "--batch-size", "256", "--lr", "0.01", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path / "cpu")]) == 0
    assert cli.main([*args, "--device", double_device, "--out", str(tmp_path / "dev")]) == 0
    cpu, dev = (json.loads((tmp_path / d / "metrics.json").read_text()) for d in ("cpu", "dev"))
    for key in ("train_loss", "test_loss", "test_acc"):
        np.testing.assert_allclose(dev["epochs"][0][key], cpu["epochs"][0][key], rtol=1e-5)
    saved = nn.load(tmp_path / "dev" / "model.npz")
    assert all(isinstance(v, np.ndarray) for v in saved.values())


def test_cli_without_cuda_says_how_to_get_it(tmp_path, capsys) -> None:
    from nn import cli

    if ag.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match=r"chainrule\[cuda\]"):
        cli.main(["train", "--epochs", "1", "--device", "cuda", "--quiet",
                  "--out", str(tmp_path / "run")])


# -- the nn layers' registry cases (nn/cases.py), first and second order -------------------
import nn.cases  # noqa: E402, F401 - registers the nn cases
from autograd.ops.cases import CASES  # noqa: E402
from tests.autograd.test_device_double import _grads, _host  # noqa: E402

NN_CASES = [c for c in CASES if c.op.startswith("nn.")]


# Cases that draw dropout masks: the device draws them with its own generator (as torch),
# so the CPU reference is run on the numbers the device's generator gives.
DEVICE_DRAWS = {"nn.functional.dropout[training-fixed-mask]", "nn.Dropout[training-fixed-mask]",
                "nn.GRU[dropout-fixed-mask]",
                # round 2 of the parity audit: channel/alpha dropouts, rrelu, gumbel_softmax
                *(f"nn.functional.{n}[p0.4-seeded]" for n in (
                    "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                    "feature_alpha_dropout")),
                *(f"nn.{n}[p0.3-seeded]" for n in (
                    "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                    "FeatureAlphaDropout")),
                "nn.functional.rrelu[train-seeded]", "nn.functional.gumbel_softmax[tau0.5-seeded]"}
DEVICE_DRAWS |= {  # the channel and alpha dropouts' cases of nn/cases_added.py
    "nn.functional.dropout1d[unbatched]", "nn.functional.dropout2d[batch]",
    "nn.functional.dropout3d[batch]", "nn.functional.alpha_dropout[training]",
    "nn.functional.feature_alpha_dropout[training]", "nn.Dropout1d[training-fixed-mask]",
    "nn.Dropout2d[training-fixed-mask]", "nn.Dropout3d[training-fixed-mask]",
    "nn.AlphaDropout[training-fixed-mask]", "nn.FeatureAlphaDropout[training-fixed-mask]"}


class _DeviceStream:
    """Stands for the host generator in nn.functional: the device generator's numbers."""

    def random(self, shape, dtype):
        from autograd.random import device_generator

        probe = ag.zeros(1, device="double")._data
        return device_generator(probe).random_sample(shape, dtype=dtype).get()


@pytest.mark.parametrize("case", NN_CASES, ids=lambda c: c.id)
def test_nn_case_on_double(case, double_device, monkeypatch) -> None:
    """A layer case's module goes to the device with its inputs (buffers, and parameters
    the case leaves unchecked); a case's constants are tensors made on the default device."""
    with monkeypatch.context() as patch:
        if case.id in DEVICE_DRAWS:
            patch.setattr(F, "generator", _DeviceStream)
        on_cpu = _grads(case, "cpu")
    module = getattr(case.fn, "module", None)
    ag.set_default_device(double_device)
    try:
        if module is not None:
            module.to(double_device)
        on_dev = _grads(case, double_device)
    finally:
        ag.set_default_device(None)
        if module is not None:
            module.cpu()
    for a, b in zip(on_cpu, on_dev, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert isinstance(b._data, DoubleArray)
            np.testing.assert_allclose(_host(b), _host(a), rtol=1e-10, atol=1e-12)


def _pools_model():
    """Every pooling path, dropout and the resampling primitive (adaptive average pool)."""
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 4, 3), nn.ReLU(), nn.MaxPool2d(2, 1, padding=1),
                         nn.AdaptiveMaxPool2d((2, 3)), nn.AvgPool2d(2, 1, padding=1),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2),
                         nn.Linear(4, 10))


@pytest.mark.parametrize("kind", ["mlp", "cnn", "pools"])
def test_a_training_step_waits_for_the_device_once(kind, double_device) -> None:
    """The one host read inside a step is cross_entropy's label range check (an out-of-range
    label would otherwise index silently); the loss is read after the step. The double
    counts every host read of a device value (bool, int, float, item, tolist, get) and
    answers count_nonzero-like functions on the device, as CuPy."""
    from tests import devicedouble

    if kind == "mlp":
        model, (x, y) = nn.MLP([12, 16, 10], activation=nn.ReLU), _data((12,))
    elif kind == "cnn":
        model, (x, y) = nn.SimpleCNN(1, 10, 8), _data((1, 8, 8))
    else:
        model, (x, y) = _pools_model(), _data((1, 8, 8))
    model.to(double_device)
    x, y = x.to(double_device), y.to(double_device)
    for opt in (optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                optim.Adam(model.parameters(), lr=1e-3)):
        for step in range(3):
            before = devicedouble.SYNCS[0]
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            assert devicedouble.SYNCS[0] - before == 1, (kind, type(opt).__name__, step)
            before = devicedouble.SYNCS[0]
            loss.item()
            assert devicedouble.SYNCS[0] - before == 1


def test_dropout_draws_on_the_device_with_its_generator(double_device) -> None:
    """As torch: the device's own generator draws the mask there (nothing is copied from
    the host), ``manual_seed`` restarts it, and its numbers are not the host's."""
    from tests import devicedouble

    x = ag.ones(40, 50)
    ag.manual_seed(3)
    on_cpu = F.dropout(x, 0.4, training=True).numpy()
    xd = x.to(double_device)
    ag.manual_seed(3)
    before = devicedouble.COPIES[0]
    on_dev = F.dropout(xd, 0.4, training=True)
    assert devicedouble.COPIES[0] == before
    assert on_dev.device.type == "double"
    first = on_dev.cpu().numpy()
    assert set(np.unique(first)) <= {0.0, np.float32(1 / 0.6)}
    assert 0.5 < (first != 0).mean() < 0.7
    assert (first != on_cpu).any()  # another generator, as torch's CUDA one
    again = F.dropout(xd, 0.4, training=True).cpu().numpy()
    assert (again != first).any()  # the stream moves on
    ag.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(xd, 0.4, training=True).cpu().numpy(), first)
    assert not F.dropout(xd, 1.0, training=True).cpu().numpy().any()


def _nn_mixes(dev, host):
    """(name, call) pairs: nn functions given a device input and a host operand (a target,
    class weights, indices, statistics, a mask, a layer left on the host)."""
    x, hx = dev(np.linspace(-1, 1, 12).reshape(3, 4)), host(np.linspace(-1, 1, 12).reshape(3, 4))
    p = host(np.linspace(0.1, 0.9, 12).reshape(3, 4))
    t, ht = dev([0, 3, 1], int), host([0, 3, 1], int)
    w = host(np.linspace(0.5, 2, 4))
    q = dev(np.linspace(-1, 1, 24).reshape(2, 3, 4))
    mask = host(np.tril(np.ones((3, 3), bool)))
    emb = dev(np.linspace(-1, 1, 15).reshape(5, 3))
    return [
        ("cross_entropy-target", lambda: F.cross_entropy(x, ht)),
        ("cross_entropy-target-none", lambda: F.cross_entropy(x, ht, reduction="none")),
        ("cross_entropy-weight", lambda: F.cross_entropy(x, t, weight=w)),
        ("cross_entropy-probabilities", lambda: F.cross_entropy(x, p)),
        ("cross_entropy-host-input", lambda: F.cross_entropy(hx, t)),
        ("nll_loss-target", lambda: F.nll_loss(x, ht)),
        ("nll_loss-weight", lambda: F.nll_loss(x, t, weight=w)),
        ("mse_loss", lambda: F.mse_loss(x, hx)), ("l1_loss", lambda: F.l1_loss(x, hx)),
        ("smooth_l1_loss", lambda: F.smooth_l1_loss(x, hx)),
        ("huber_loss", lambda: F.huber_loss(x, hx)),
        ("kl_div", lambda: F.kl_div(x, p, reduction="batchmean")),
        ("binary_cross_entropy", lambda: F.binary_cross_entropy(x.sigmoid(), p)),
        ("binary_cross_entropy-weight",
         lambda: F.binary_cross_entropy(x.sigmoid(), x.sigmoid(), weight=p)),
        ("bce_with_logits", lambda: F.binary_cross_entropy_with_logits(x, p)),
        ("bce_with_logits-pos_weight",
         lambda: F.binary_cross_entropy_with_logits(x, x.sigmoid(), pos_weight=w)),
        ("embedding-indices", lambda: F.embedding(ht, emb)),
        ("embedding-weight", lambda: F.embedding(t, host(np.ones((5, 3))))),
        ("linear-weight", lambda: F.linear(x, host(np.ones((2, 4))))),
        ("linear-layer-left-on-host", lambda: nn.Linear(4, 2).double()(x)),
        ("batch_norm-running-stats",
         lambda: F.batch_norm(x, host(np.zeros(4)), host(np.ones(4)), training=True)),
        ("batch_norm-weight", lambda: F.batch_norm(x, None, None, w, training=True)),
        ("layer_norm-weight", lambda: F.layer_norm(x, (4,), w)),
        ("sdpa-mask", lambda: F.scaled_dot_product_attention(q, q, q, attn_mask=mask)),
        ("sdpa-key", lambda: F.scaled_dot_product_attention(q, host(np.ones((2, 3, 4))), q)),
        ("mha-key-padding-mask", lambda: nn.MultiheadAttention(4, 2, batch_first=True).double()
         .to(q.device)(q, q, q, key_padding_mask=host(np.zeros((2, 3), bool)),
                       need_weights=False)),
        ("conv2d-weight", lambda: F.conv2d(q[None], host(np.ones((1, 2, 2, 2))))),
    ]


def _nn_maker(device):
    def make(data, dtype=None):
        return ag.tensor(np.asarray(data, dtype=dtype), device=device)
    return make


@pytest.mark.parametrize("name", [n for n, _ in _nn_mixes(_nn_maker("cpu"), _nn_maker("cpu"))])
def test_nn_mixed_devices_raise_torchs_error(name, double_device) -> None:
    """Losses with their targets and weights, embeddings with their indices, norms with
    their statistics, attention with its mask: two devices raise torch's RuntimeError
    naming both, never a TypeError from the array library or a silent copy."""
    call = dict(_nn_mixes(_nn_maker(double_device), _nn_maker("cpu")))[name]
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but "
                                           "found at least two devices, (double and cpu|"
                                           "cpu and double)!"):
        call()


def test_gradients_accumulate_zero_and_clip_on_a_device(double_device) -> None:
    """The paths that write a kept ``.grad`` in place (a second backward adding into it,
    ``zero_grad(set_to_none=False)``, clipping, the optimizer's zeroing) ask the backend
    whether the array is writeable: CuPy's flags have no ``writeable``, and neither have
    the double's."""
    model = nn.Linear(3, 2).double().to(double_device)
    x = ag.tensor(np.arange(6.0).reshape(2, 3), device=double_device)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model(x).sum().backward()
    first = _host(model.weight.grad).copy()
    model(x).sum().backward()  # accumulates in place
    np.testing.assert_allclose(_host(model.weight.grad), 2 * first)
    nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    nn.utils.clip_grad_value_(model.parameters(), 0.1)
    assert isinstance(model.weight.grad._data, DoubleArray)
    assert float(np.abs(_host(model.weight.grad)).max()) <= 0.1
    model.zero_grad(set_to_none=False)
    assert not _host(model.weight.grad).any()
    model(x).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    assert isinstance(model.weight.grad._data, DoubleArray)
    assert not _host(model.weight.grad).any()


def test_a_training_step_copies_nothing_to_the_device(double_device) -> None:
    """No host table (pooling's first-in-bounds offsets, adaptive bins, resampling taps),
    dropout mask or backward seed crosses to the device in a training step: the tables
    go over once, on the first step, and are reused (CuPy would copy them per call)."""
    from tests import devicedouble

    model = _pools_model()
    x, y = _data((1, 8, 8))
    model.to(double_device)
    x, y = x.to(double_device), y.to(double_device)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    for step in range(3):
        before = devicedouble.COPIES[0]
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if step:  # (the first step may fill the tables' cache, unless a test before did)
            assert devicedouble.COPIES[0] - before == 0, step
