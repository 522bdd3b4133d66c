"""RMSNorm / F.rms_norm (and the other added normalisations): torch's defaults, errors,
state_dict keys and reprs; values and gradients are in test_added_values.py."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def test_rms_norm_default_eps_is_the_input_dtypes_machine_epsilon() -> None:
    x = np.linspace(-1, 1, 8).reshape(2, 4) * 1e-4
    # torch: eps = finfo(float32).eps ≈ 1.19e-7 dominates mean(x²) ≈ 4e-9 in float32 ...
    y32 = F.rms_norm(ag.tensor(x, dtype=np.float32), (4,))
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32.numpy()[0], [-0.2845609188079834, -0.20325781404972076,
                                                -0.12195468693971634, -0.04065156355500221],
                               rtol=1e-6)
    # ... and vanishes in float64 (2.2e-16)
    y64 = F.rms_norm(ag.tensor(x), (4,))
    np.testing.assert_allclose(y64.numpy()[1], [0.21821788458301358, 0.6546536537490408,
                                                1.0910894229150683, 1.5275251920810957],
                               rtol=1e-12)


def test_rms_norm_errors_as_torch() -> None:
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(ag.zeros(2, 3), (4,))
    with pytest.raises(TypeError, match="normalized_shape"):
        F.rms_norm(ag.zeros(2, 4), 4)  # torch's functional wants a tuple or list
    with pytest.raises(RuntimeError, match="normalized_shape"):
        nn.RMSNorm([2, 4])(ag.zeros(3, 4))


def test_rmsnorm_module_parameters_and_repr() -> None:
    m = nn.RMSNorm([2, 3])
    assert list(m.state_dict()) == ["weight"]
    assert m.weight.shape == (2, 3) and m.weight.detach().numpy().tolist() == [[1.0] * 3] * 2
    assert m.eps is None and m.weight.dtype == np.float32
    assert repr(nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    assert repr(nn.RMSNorm(4, eps=0.001, elementwise_affine=False)) == \
        "RMSNorm((4,), eps=0.001, elementwise_affine=False)"
    assert list(nn.RMSNorm(4, elementwise_affine=False).state_dict()) == []
    assert nn.RMSNorm(3, dtype=np.float64, device="cpu").weight.dtype == np.float64


@pytest.mark.parametrize(("make", "want"), [
    (lambda: nn.InstanceNorm1d(3), "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=False, "
                                   "bias=False, track_running_stats=False)"),
    (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
     "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
     "track_running_stats=True)"),
    (lambda: nn.LocalResponseNorm(3), "LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=1.0)"),
    (lambda: nn.LPPool1d(2, 3), "LPPool1d(norm_type=2, kernel_size=3, stride=None, "
                                "ceil_mode=False)"),
    (lambda: nn.LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True),
     "LPPool2d(norm_type=1.5, kernel_size=(2, 3), stride=1, ceil_mode=True)"),
])
def test_reprs_as_torch(make, want) -> None:
    assert repr(make()) == want


def test_instance_norm_state_dict_and_counter_as_torch() -> None:
    m = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]
    assert list(nn.InstanceNorm1d(3).state_dict()) == []
    m(ag.randn(2, 3, 2, 2))
    assert m.num_batches_tracked.item() == 0  # torch's instance norm never counts batches
    assert m.weight.detach().numpy().tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: nn.InstanceNorm1d(3)(ag.ones(2, 3, 4, 5)), ValueError,
     r"expected 2D or 3D input \(got 4D input\)"),
    (lambda: nn.InstanceNorm1d(3, affine=True)(ag.ones(2, 4, 5)), ValueError,
     r"expected input's size at dim=1 to match num_features \(3\), but got: 4."),
    (lambda: F.instance_norm(ag.ones(2, 3, 1)), ValueError,
     "Expected more than 1 spatial element when training"),
    (lambda: nn.InstanceNorm2d(3)(ag.ones(2, 3, 1, 1)), ValueError,
     "Expected more than 1 spatial element"),
    (lambda: F.local_response_norm(ag.ones(2, 3), 2), ValueError,
     r"Expected 3D or higher dimensionality input \(got 2 dimensions\)"),
    (lambda: F.lp_pool1d(ag.ones(2, 3, 2), 2, 3), RuntimeError, "too small"),
])
def test_errors_as_torch(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_instance_norm_warns_on_a_channel_mismatch_without_affine() -> None:
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        out = nn.InstanceNorm1d(3)(ag.randn(2, 4, 5))
    assert out.shape == (2, 4, 5)
    # eval with running statistics: no spatial-size check (torch normalises a 1-wide input)
    m = nn.InstanceNorm1d(3, track_running_stats=True).eval()
    assert m(ag.ones(2, 3, 1)).shape == (2, 3, 1)


def test_instance_norm_of_an_empty_batch_is_empty() -> None:
    assert F.instance_norm(ag.zeros(0, 3, 4)).shape == (0, 3, 4)  # torch: (0, 3, 4)


def test_instance_norm_of_empty_inputs_as_torch() -> None:
    # torch 2.13: empty outputs in the graph; an empty batch turns the running statistics
    # into NaN (the mean over no instances), an empty spatial extent leaves them; a 0-wide
    # input is not "1 spatial element" (only a product of exactly 1 raises)
    x = ag.zeros(0, 3, 4, requires_grad=True)
    F.instance_norm(x).sum().backward()
    assert x.grad.shape == (0, 3, 4)
    rm, rv = ag.full((3,), 0.5), ag.full((3,), 2.0)
    F.instance_norm(ag.zeros(0, 3, 4), rm, rv)
    assert np.isnan(rm.numpy()).all() and np.isnan(rv.numpy()).all()
    rm, rv = ag.full((3,), 0.5), ag.full((3,), 2.0)
    assert F.instance_norm(ag.zeros(2, 3, 0), rm, rv).shape == (2, 3, 0)
    assert rm.numpy().tolist() == [0.5] * 3 and rv.numpy().tolist() == [2.0] * 3
    assert F.instance_norm(ag.zeros(2, 0, 4)).shape == (2, 0, 4)
    with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
        F.instance_norm(ag.zeros(0, 3, 1))


def test_rms_norm_shape_errors_as_torch() -> None:
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*4\], but got input of size\[2, 3\]"):
        F.rms_norm(ag.zeros(2, 3), (4,))
    with pytest.raises(ValueError, match="Input tensor must have at least 2 dimensions"):
        F.rms_norm(ag.zeros(4), (1, 4))
    with pytest.raises(RuntimeError, match="Expected weight to be of same shape"):
        F.rms_norm(ag.zeros(2, 4), (4,), weight=ag.ones(3))
    assert F.rms_norm(ag.zeros(2, 4), [4]).shape == (2, 4)
