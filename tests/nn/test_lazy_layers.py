"""torch's lazy convolutions and norms (nn.LazyConv1d... nn.LazyInstanceNorm3d): the
input size taken from the first input's channel dim, the parameters (and running
statistics) shaped in place so that an optimizer built before updates them, initialised
exactly as the plain layer under the same seed, the module becoming the plain class, and
load_state_dict materialising an uninitialised module. The reprs are torch 2.13's."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import autograd as ag
import nn
import optim


@dataclass
class Case:
    lazy: Callable[[], nn.Module]
    plain: Callable[[], nn.Module]
    input_shape: tuple[int, ...]
    shapes: dict[str, tuple[int, ...]]  # the materialised parameters' and buffers' shapes
    feature_attr: str
    features: int


CASES = {
    "LazyConv1d": Case(lambda: nn.LazyConv1d(4, 3, stride=2, padding=1),
                       lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1),
                       (2, 3, 9), {"weight": (4, 3, 3), "bias": (4,)}, "in_channels", 3),
    "LazyConv2d": Case(lambda: nn.LazyConv2d(4, 3, padding=1, groups=2),
                       lambda: nn.Conv2d(6, 4, 3, padding=1, groups=2),
                       (2, 6, 5, 5), {"weight": (4, 3, 3, 3), "bias": (4,)}, "in_channels", 6),
    "LazyConv3d": Case(lambda: nn.LazyConv3d(2, (1, 2, 2)), lambda: nn.Conv3d(3, 2, (1, 2, 2)),
                       (1, 3, 2, 4, 4), {"weight": (2, 3, 1, 2, 2), "bias": (2,)},
                       "in_channels", 3),
    "LazyConvTranspose1d": Case(lambda: nn.LazyConvTranspose1d(2, 3, stride=2),
                                lambda: nn.ConvTranspose1d(3, 2, 3, stride=2),
                                (2, 3, 5), {"weight": (3, 2, 3), "bias": (2,)},
                                "in_channels", 3),
    "LazyConvTranspose2d": Case(
        lambda: nn.LazyConvTranspose2d(6, 3, stride=2, output_padding=1, groups=2),
        lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2),
        (1, 4, 3, 3), {"weight": (4, 3, 3, 3), "bias": (6,)}, "in_channels", 4),
    "LazyConvTranspose3d": Case(lambda: nn.LazyConvTranspose3d(2, 2, stride=2, bias=False),
                                lambda: nn.ConvTranspose3d(3, 2, 2, stride=2, bias=False),
                                (1, 3, 2, 2, 2), {"weight": (3, 2, 2, 2, 2)}, "in_channels", 3),
    "LazyBatchNorm1d": Case(nn.LazyBatchNorm1d, lambda: nn.BatchNorm1d(3), (4, 3),
                            {"weight": (3,), "bias": (3,), "running_mean": (3,),
                             "running_var": (3,), "num_batches_tracked": ()},
                            "num_features", 3),
    "LazyBatchNorm2d": Case(lambda: nn.LazyBatchNorm2d(momentum=0.3),
                            lambda: nn.BatchNorm2d(3, momentum=0.3), (4, 3, 2, 2),
                            {"weight": (3,), "bias": (3,), "running_mean": (3,),
                             "running_var": (3,), "num_batches_tracked": ()},
                            "num_features", 3),
    "LazyBatchNorm3d": Case(lambda: nn.LazyBatchNorm3d(bias=False),
                            lambda: nn.BatchNorm3d(2, bias=False), (2, 2, 2, 2, 2),
                            {"weight": (2,), "running_mean": (2,), "running_var": (2,),
                             "num_batches_tracked": ()}, "num_features", 2),
    # torch's lazy instance norms default to affine and running statistics (the plain
    # ones do not)
    "LazyInstanceNorm1d": Case(nn.LazyInstanceNorm1d,
                               lambda: nn.InstanceNorm1d(3, affine=True,
                                                         track_running_stats=True),
                               (2, 3, 6), {"weight": (3,), "bias": (3,), "running_mean": (3,),
                                           "running_var": (3,), "num_batches_tracked": ()},
                               "num_features", 3),
    "LazyInstanceNorm2d": Case(lambda: nn.LazyInstanceNorm2d(track_running_stats=False),
                               lambda: nn.InstanceNorm2d(3, affine=True), (2, 3, 4, 4),
                               {"weight": (3,), "bias": (3,)}, "num_features", 3),
    "LazyInstanceNorm3d": Case(lambda: nn.LazyInstanceNorm3d(affine=False),
                               lambda: nn.InstanceNorm3d(2, track_running_stats=True),
                               (2, 2, 3, 3, 3), {"running_mean": (2,), "running_var": (2,),
                                                 "num_batches_tracked": ()},
                               "num_features", 2),
}
NAMES = sorted(CASES)
TRAINABLE = [n for n in NAMES if CASES[n].shapes.get("weight")]


def _state(m: nn.Module) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in m.state_dict().items()}


def _loss(y: ag.Tensor) -> ag.Tensor:
    """A fixed random weighting: a norm's Σy has zero gradient for its weight."""
    r = np.random.default_rng(7).standard_normal(y.shape).astype(np.float32)
    return (y * ag.tensor(r)).sum()


def test_every_class_is_exported_with_torch_signature_names() -> None:
    assert set(NAMES) <= set(nn.__all__)
    assert all(getattr(nn, n).__name__ == n for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_first_forward_shapes_and_becomes_the_plain_class(name: str) -> None:
    case = CASES[name]
    m = case.lazy()
    assert type(m).__name__ == name
    before = {k: v.shape for k, v in m.state_dict().items()}
    assert all(s == (0,) for k, s in before.items() if k != "num_batches_tracked")
    assert m.has_uninitialized_params()
    assert getattr(m, case.feature_attr) == 0
    y = m(ag.randn(*case.input_shape))
    plain = case.plain()
    assert type(m) is type(plain)
    assert repr(m) == repr(plain)
    assert getattr(m, case.feature_attr) == case.features
    assert {k: v.shape for k, v in m.state_dict().items()} == case.shapes
    assert y.shape == plain(ag.randn(*case.input_shape)).shape
    assert not hasattr(m, "has_uninitialized_params")  # nothing of the lazy class is left


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_the_plain_layer(name: str) -> None:
    case = CASES[name]
    x = ag.randn(*case.input_shape)
    ag.manual_seed(11)
    lazy = case.lazy()
    y_lazy = lazy(x)
    ag.manual_seed(11)
    plain = case.plain()
    y_plain = plain(x)
    lazy_state, plain_state = _state(lazy), _state(plain)
    assert list(lazy_state) == list(plain_state)  # torch's state_dict order too
    for k in plain_state:
        assert lazy_state[k].dtype == plain_state[k].dtype
        np.testing.assert_array_equal(lazy_state[k], plain_state[k], err_msg=k)
    np.testing.assert_array_equal(y_lazy.detach().numpy(), y_plain.detach().numpy())
    if "Conv" in name:  # drawn, not a constant: another seed gives other values
        ag.manual_seed(12)
        assert not np.array_equal(_state(case.plain())["weight"], plain_state["weight"])


@pytest.mark.parametrize("name", TRAINABLE)
def test_optimizer_built_before_the_first_forward_updates_the_parameters(name: str) -> None:
    case = CASES[name]
    m = case.lazy()
    params = list(m.parameters())
    opt = optim.SGD(m.parameters(), lr=0.1)
    _loss(m(ag.randn(*case.input_shape))).backward()
    assert [p.shape for p in params] == [p.shape for p in m.parameters()]
    assert all(a is b for a, b in zip(params, m.parameters(), strict=True))
    old = [p.detach().numpy().copy() for p in params]
    grads = [p.grad.numpy().copy() for p in params]
    opt.step()
    for p, o, g in zip(params, old, grads, strict=True):
        assert np.abs(g).max() > 0
        np.testing.assert_allclose(p.detach().numpy(), o - 0.1 * g, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_into_the_uninitialised_module(name: str) -> None:
    case = CASES[name]
    x = ag.randn(*case.input_shape)
    ag.manual_seed(3)
    src = case.plain()
    src(x)  # running statistics moved off their initial values
    src.eval()
    with ag.no_grad():  # the affine parameters too
        for p in src.parameters():
            p += ag.randn(*p.shape)
    m = case.lazy()
    assert m.has_uninitialized_params()
    m.load_state_dict(src.state_dict())
    assert not m.has_uninitialized_params()
    assert type(m).__name__ == name  # the class changes on the first forward, as torch's
    assert getattr(m, case.feature_attr) == case.features  # torch's stays 0 here
    for k, v in _state(src).items():
        np.testing.assert_array_equal(_state(m)[k], v, err_msg=k)
    m.eval()
    np.testing.assert_array_equal(m(x).detach().numpy(), src(x).detach().numpy())
    assert type(m) is type(src)


@pytest.mark.parametrize("name", NAMES)
def test_materialised_state_dict_round_trips(name: str) -> None:
    case = CASES[name]
    x = ag.randn(*case.input_shape)
    m = case.lazy()
    m(x)
    saved = m.state_dict()
    ag.manual_seed(5)
    other = case.plain()
    other.load_state_dict(saved)
    again = case.lazy()
    again.load_state_dict(saved)
    for k, v in _state(m).items():
        np.testing.assert_array_equal(_state(other)[k], v, err_msg=k)
        np.testing.assert_array_equal(_state(again)[k], v, err_msg=k)
    # an uninitialised module's state loads into another uninitialised one, as torch's
    fresh = case.lazy()
    fresh.load_state_dict(case.lazy().state_dict())
    assert fresh.has_uninitialized_params() == case.lazy().has_uninitialized_params()


@pytest.mark.parametrize("name", ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d"])
def test_batchnorm_training_forward_updates_the_running_stats(name: str) -> None:
    case = CASES[name]
    m = case.lazy()
    x = ag.randn(*case.input_shape)
    m(x)
    xs = np.moveaxis(x.numpy(), 1, 0).reshape(case.features, -1)
    mom = m.momentum
    np.testing.assert_allclose(m.running_mean.numpy(), mom * xs.mean(1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(m.running_var.numpy(), (1 - mom) + mom * xs.var(1, ddof=1),
                               rtol=1e-5)
    assert int(m.num_batches_tracked.item()) == 1


def test_instance_norm_running_stats_and_unbatched_channel_dim() -> None:
    m = nn.LazyInstanceNorm1d()
    x = ag.randn(3, 7)  # unbatched (C, L): C is dim 0 (torch's reads dim 1 and then fails)
    y = m(x)
    assert m.num_features == 3 and y.shape == (3, 7) and m.weight.shape == (3,)
    np.testing.assert_allclose(m.running_mean.numpy(), 0.1 * x.numpy().mean(1), rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(m.running_var.numpy(), 0.9 + 0.1 * x.numpy().var(1, ddof=1),
                               rtol=1e-5)


@pytest.mark.parametrize("make, shape, features", [
    (lambda: nn.LazyConv1d(2, 3), (5, 8), 5),
    (lambda: nn.LazyConv2d(2, 3), (4, 6, 6), 4),
    (lambda: nn.LazyConvTranspose3d(2, 2), (3, 2, 2, 2), 3),
    (nn.LazyInstanceNorm2d, (5, 4, 4), 5),
])
def test_unbatched_input_gives_the_channels_from_dim_0(make: Callable, shape: tuple,
                                                       features: int) -> None:
    m = make()
    y = m(ag.randn(*shape))
    assert y.ndim == len(shape)
    assert getattr(m, "in_channels", getattr(m, "num_features", None)) == features


def test_reprs_before_materialisation_are_torchs() -> None:
    assert repr(nn.LazyConv2d(6, 5, padding=2)) == \
        "LazyConv2d(0, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    assert repr(nn.LazyConvTranspose2d(6, 5, bias=False)) == \
        "LazyConvTranspose2d(0, 6, kernel_size=(5, 5), stride=(1, 1), bias=False)"
    assert repr(nn.LazyConvTranspose2d(4, 3, output_padding=1, stride=2)) == \
        "LazyConvTranspose2d(0, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"
    assert repr(nn.LazyConv2d(4, 3, padding="same")) == \
        "LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1), padding=same)"
    assert repr(nn.LazyBatchNorm2d()) == ("LazyBatchNorm2d(0, eps=1e-05, momentum=0.1, "
                                          "affine=True, bias=True, track_running_stats=True)")
    assert repr(nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)) == (
        "LazyInstanceNorm2d(0, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)")


def test_norm_without_placeholders_still_learns_its_size() -> None:
    m = nn.LazyBatchNorm2d(affine=False, track_running_stats=False)
    assert not m.has_uninitialized_params()  # torch's: nothing is lazy
    assert list(m.state_dict()) == []
    x = ag.randn(2, 3, 4, 4)
    y = m(x)
    assert type(m) is nn.BatchNorm2d and m.num_features == 3  # torch's keeps 0
    xs = x.numpy()
    ref = (xs - xs.mean((0, 2, 3), keepdims=True)) / np.sqrt(
        xs.var((0, 2, 3), keepdims=True) + 1e-5)
    np.testing.assert_allclose(y.detach().numpy(), ref, rtol=1e-4, atol=1e-5)


def test_bad_inputs_raise_torchs_errors_and_leave_the_module_lazy() -> None:
    m = nn.LazyConv2d(6, 3, groups=2)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        m(ag.randn(1, 3, 5, 5))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) "
                                           r"input to LazyConv2d"):
        m(ag.randn(3, 5, 5, 5, 5))
    assert type(m) is nn.LazyConv2d and m.has_uninitialized_params()
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.LazyConv2d(5, 3, groups=2)
    bn = nn.LazyBatchNorm2d()
    with pytest.raises(ValueError, match="expected 4D input"):
        bn(ag.randn(2, 3, 4))
    assert bn.has_uninitialized_params() and bn.num_features == 0


def test_a_mismatched_state_dict_fails_and_changes_nothing() -> None:
    m = nn.LazyConv2d(6, 3)
    for wrong in (nn.Conv1d(2, 6, 3), nn.Conv2d(2, 6, 5)):  # another rank, another kernel
        with pytest.raises(RuntimeError, match="size mismatch for weight"):
            m.load_state_dict(wrong.state_dict())
        assert m.has_uninitialized_params() and m.weight.shape == (0,) and m.in_channels == 0
    m(ag.randn(1, 2, 5, 5))
    assert m.weight.shape == (6, 2, 3, 3)


def test_partial_state_dict_initialises_the_rest_as_the_plain_layer() -> None:
    src = nn.Conv2d(2, 4, 3)
    ag.manual_seed(9)
    m = nn.LazyConv2d(4, 3)
    m.load_state_dict({"weight": src.weight.detach().numpy()}, strict=False)
    ag.manual_seed(9)
    ref = nn.Conv2d(2, 4, 3)
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())
    np.testing.assert_array_equal(m.bias.detach().numpy(), ref.bias.detach().numpy())


def test_nested_lazy_module_loads_through_its_parent() -> None:
    src = nn.Sequential(nn.Conv2d(2, 6, 3), nn.BatchNorm2d(6))
    dst = nn.Sequential(nn.LazyConv2d(6, 3), nn.LazyBatchNorm2d())
    dst.load_state_dict(src.state_dict())
    assert dst[0].in_channels == 2 and dst[1].num_features == 6
    x = ag.randn(2, 2, 5, 5)
    np.testing.assert_array_equal(dst(x).detach().numpy(), src(x).detach().numpy())
    assert type(dst[0]) is nn.Conv2d and type(dst[1]) is nn.BatchNorm2d


def test_dtype_device_copy_and_pickle_before_the_first_call(double_device) -> None:
    m = nn.LazyConv2d(2, 3).double()
    m(ag.randn(1, 4, 5, 5, dtype=np.float64))
    assert m.weight.dtype == np.float64 and m.bias.dtype == np.float64
    bn = nn.LazyBatchNorm1d(dtype=np.float64)
    bn(ag.randn(4, 3, dtype=np.float64))
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    d = nn.LazyBatchNorm2d(device=double_device)
    out = d(ag.randn(2, 3, 2, 2).to(double_device))
    assert d.running_var.device.type == "double" and out.device.type == "double"
    lazy = nn.LazyConvTranspose1d(3, 2)
    for twin in (copy.deepcopy(lazy), pickle.loads(pickle.dumps(lazy))):
        twin(ag.randn(1, 5, 4))
        assert type(twin) is nn.ConvTranspose1d and twin.weight.shape == (5, 3, 2)
    assert type(lazy) is nn.LazyConvTranspose1d and lazy.has_uninitialized_params()


def test_lenet_d2l_style_end_to_end() -> None:
    ag.manual_seed(0)
    net = nn.Sequential(nn.LazyConv2d(6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
                        nn.LazyConv2d(16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
                        nn.LazyLinear(120), nn.Sigmoid(), nn.LazyLinear(10))
    opt = optim.SGD(net.parameters(), lr=0.5)
    x = ag.randn(2, 1, 28, 28)
    y = net(x)
    assert y.shape == (2, 10)
    assert [tuple(p.shape) for p in net.parameters()] == [
        (6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (10, 120), (10,)]
    assert [type(m).__name__ for m in net] == [
        "Conv2d", "Sigmoid", "AvgPool2d", "Conv2d", "Sigmoid", "AvgPool2d", "Flatten",
        "Linear", "Sigmoid", "Linear"]
    loss = nn.functional.cross_entropy(y, ag.tensor(np.array([3, 7])))
    loss.backward()
    assert all(p.grad is not None and np.abs(p.grad.numpy()).max() > 0
               for p in net.parameters())
    opt.step()
    assert nn.functional.cross_entropy(net(x), ag.tensor(np.array([3, 7]))).item() < \
        loss.item()
