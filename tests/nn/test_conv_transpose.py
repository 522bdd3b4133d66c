"""conv_transpose1d/2d and ConvTranspose1d/2d against torch's numbers (computed once with
torch and written here), parameter layouts and init, and every bad argument."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.nn.reference import check


def _tensor(a, grad=True):
    return ag.tensor(a, dtype=np.float64, requires_grad=grad)


def _numpy(t):
    return t.detach().numpy().astype(np.float64)


CASES = {
    "2d-stride2-pad1-outpad1-groups2": (
        lambda F, x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                              groups=2),
        ((2, 4, 4, 5), (4, 3, 3, 3), (6,)), ()),
    "2d-rect-kernel-dilation": (
        lambda F, x, w: F.conv_transpose2d(x, w, stride=(2, 1), padding=(0, 1),
                                           dilation=(1, 2)),
        ((2, 2, 4, 5), (2, 3, 2, 3)), ()),
    "2d-outpad-below-dilation": (
        lambda F, x, w, b: F.conv_transpose2d(x, w, b, output_padding=1, dilation=2),
        ((1, 3, 4, 4), (3, 2, 3, 3), (2,)), ()),
    "2d-unbatched-1x1": (lambda F, x, w: F.conv_transpose2d(x, w), ((2, 3, 4), (2, 5, 1, 1)),
                         ()),
    "1d-stride3-outpad2-groups2": (
        lambda F, x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2,
                                              groups=2),
        ((2, 4, 7), (4, 3, 3), (6,)), ()),
}

EXPECTED = {
    '2d-stride2-pad1-outpad1-groups2': (
        (2, 6, 8, 10), 71.00495384492456,
        [-1.6726363161622366,
         -96.70421263151798,
         0.2460687474535202]),
    '2d-rect-kernel-dilation': (
        (2, 3, 8, 7), -3.4647700913071366,
        [40.47719036932581,
         -8.922572974003941]),
    '2d-outpad-below-dilation': (
        (1, 2, 9, 9), 29.3615242931506,
        [5.649964495629965,
         1.1573030341681565,
         0.05065956822964376]),
    '2d-unbatched-1x1': (
        (5, 3, 4), 4.090815606612891,
        [-8.079009606926377,
         -0.9346327564959207]),
    '1d-stride3-outpad2-groups2': (
        (2, 6, 21), 12.79983242656139,
        [-3.3478077322129565,
         33.61358540228852,
         1.1066385206074325]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name: str) -> None:
    check(CASES, EXPECTED, name, F, _tensor, _numpy)


def test_layer_layout_init_and_repr_match_torch() -> None:
    ag.manual_seed(0)
    m = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2)
    assert m.weight.shape == (4, 3, 3, 2) and m.bias.shape == (6,)
    assert m.weight.dtype == np.float32
    # torch's fan_in of a transposed weight is (out/groups)·kh·kw = 18: both bounds 1/√18
    bound = 1 / np.sqrt(18)
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    assert repr(m) == ("ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), "
                       "output_padding=(1, 1), groups=2)")
    m1 = nn.ConvTranspose1d(3, 4, 5, bias=False)
    assert m1.weight.shape == (3, 4, 5) and m1.bias is None
    assert repr(m1) == "ConvTranspose1d(3, 4, kernel_size=(5,), stride=(1,), bias=False)"
    assert list(dict(m.named_parameters())) == ["weight", "bias"]


def test_layer_forward_is_the_functional() -> None:
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1).double()
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 4)))
    y = m(x)
    assert y.shape == (1, 3, 8, 8)
    ref = F.conv_transpose2d(x, m.weight, m.bias, 2, 1, 1)
    np.testing.assert_array_equal(y.detach().numpy(), ref.detach().numpy())


def test_output_size_picks_the_output_padding_as_torch() -> None:
    m = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    x = ag.randn(1, 4, 5, 5)
    # valid sizes range from [9, 8] to [10, 9] for this input (torch's message)
    assert m(x, output_size=[10, 9]).shape == (1, 6, 10, 9)
    assert m(x, output_size=(1, 6, 9, 8)).shape == (1, 6, 9, 8)
    with pytest.raises(ValueError, match=r"valid sizes range from \[9, 8\] to \[10, 9\]"):
        m(x, output_size=[11, 9])
    with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
        m(x, output_size=[1, 2, 3])


@pytest.mark.parametrize("kw, match", [
    (dict(stride=2, output_padding=2), "output padding must be smaller than either stride"),
    (dict(stride=1, output_padding=1), "output padding must be smaller than either stride"),
    (dict(padding=5), "too small"),
    (dict(stride=0), "stride and dilation must be positive"),
    (dict(padding=-1), "negative padding"),
])
def test_bad_arguments_raise_torchs_classes(kw: dict, match: str) -> None:
    x, w = ag.randn(1, 2, 3, 3), ag.randn(2, 3, 3, 3)
    with pytest.raises(RuntimeError, match=match):  # torch: RuntimeError
        F.conv_transpose2d(x, w, **kw)
    with pytest.raises(ValueError, match=match):  # ...and the brief's ValueError
        F.conv_transpose2d(x, w, **kw)


def test_output_padding_below_dilation_is_allowed_and_module_checks_at_call() -> None:
    x, w = ag.randn(1, 2, 3, 3), ag.randn(2, 3, 3, 3)
    assert F.conv_transpose2d(x, w, output_padding=1, dilation=2).shape == (1, 3, 8, 8)
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=2)  # torch builds it too
    with pytest.raises(ValueError, match="output padding must be smaller"):
        m(x)


def test_shape_errors_name_the_shapes() -> None:
    with pytest.raises(RuntimeError, match=r"expects an input with 3 channels.*\(1, 2, 3, 3\)"):
        F.conv_transpose2d(ag.randn(1, 2, 3, 3), ag.randn(3, 3, 3, 3))
    with pytest.raises(RuntimeError, match="bias of shape"):
        F.conv_transpose2d(ag.randn(1, 2, 3, 3), ag.randn(2, 3, 3, 3), ag.randn(2))
    with pytest.raises(RuntimeError, match="groups=3 must divide in_channels"):
        F.conv_transpose2d(ag.randn(1, 2, 3, 3), ag.randn(2, 3, 3, 3), groups=3)
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding must be an int"):
        nn.ConvTranspose2d(2, 2, 3, padding="same")


def test_is_the_adjoint_of_conv2d() -> None:
    # <conv2d(y, W), x> = <y, conv_transpose2d(x, W)> for the same stride/padding/dilation
    rng = np.random.default_rng(5)
    x = ag.tensor(rng.standard_normal((2, 3, 4, 4)))
    w = ag.tensor(rng.standard_normal((3, 2, 3, 3)))
    yt = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, dilation=1)
    y = ag.tensor(rng.standard_normal(yt.shape))
    c = F.conv2d(y, w, stride=2, padding=1)
    assert c.shape == x.shape
    lhs = float((c.numpy() * x.numpy()).sum())
    rhs = float((y.numpy() * yt.numpy()).sum())
    assert abs(lhs - rhs) < 1e-9 * max(1.0, abs(lhs))
