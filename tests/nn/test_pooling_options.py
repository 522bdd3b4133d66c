"""Pooling options of issue 16 (ceil_mode, dilation, return_indices, count_include_pad,
divisor_override) and the adaptive max pools against torch's numbers (computed once with
torch and written here; see tests/nn/reference.py), and bad arguments."""

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


_D = ("distinct",)
CASES = {
    "max-ceil-pad": (lambda F, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), ((2, 3, 7, 8),), _D),
    "max-dilation-rect": (lambda F, x: F.max_pool2d(x, (3, 2), (2, 3), dilation=(2, 1)),
                          ((2, 3, 7, 8),), _D),
    "max-ceil-tiling": (lambda F, x: F.max_pool2d(x, 2, ceil_mode=True), ((2, 3, 7, 8),), _D),
    "max-all-options": (lambda F, x: F.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True),
                        ((1, 2, 9, 9),), _D),
    "max-ceil-overhang": (lambda F, x: F.max_pool2d(x, 4, 3, ceil_mode=True), ((2, 3, 5, 5),),
                          _D),
    "max-unbatched-indices-value": (lambda F, x: F.max_pool2d(x, 2, 1, return_indices=True)[0],
                                    ((3, 4, 5),), _D),
    "avg-ceil-pad": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), ((2, 3, 7, 8),), ()),
    "avg-exclude-pad": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                  count_include_pad=False), ((2, 3, 7, 8),), ()),
    "avg-exclude-pad-rect": (lambda F, x: F.avg_pool2d(x, (3, 2), (2, 1), (1, 1),
                                                       count_include_pad=False),
                             ((2, 3, 7, 8),), ()),
    "avg-divisor-pad": (lambda F, x: F.avg_pool2d(x, 3, padding=1, divisor_override=5),
                        ((2, 3, 7, 8),), ()),
    "avg-divisor-tiling": (lambda F, x: F.avg_pool2d(x, 2, divisor_override=3),
                           ((2, 3, 6, 8),), ()),
    "avg-ceil-overhang": (lambda F, x: F.avg_pool2d(x, 4, 3, ceil_mode=True), ((2, 3, 5, 5),),
                          ()),
    "avg-ceil-tiling-exclude": (lambda F, x: F.avg_pool2d(x, 2, 2, ceil_mode=True,
                                                          count_include_pad=False),
                                ((2, 3, 5, 5),), ()),
    "adaptive-max-down": (lambda F, x: F.adaptive_max_pool2d(x, (3, 4)), ((2, 3, 7, 10),), _D),
    "adaptive-max-up": (lambda F, x: F.adaptive_max_pool2d(x, (8, 3)), ((1, 2, 5, 5),), _D),
    "adaptive-max-none": (lambda F, x: F.adaptive_max_pool2d(x, (2, None)), ((2, 3, 7, 10),),
                          _D),
    "adaptive-max-unbatched": (lambda F, x: F.adaptive_max_pool2d(x, 1), ((3, 7, 10),), _D),
    "adaptive-max-1d": (lambda F, x: F.adaptive_max_pool1d(x, 4), ((2, 3, 11),), _D),
}

EXPECTED = {
    'max-ceil-pad': (
        (2, 3, 4, 5), 24.653769380837048,
        [5.96974508132223]),
    'max-dilation-rect': (
        (2, 3, 2, 3), 65.63101124561123,
        [-0.8678400451369047]),
    'max-ceil-tiling': (
        (2, 3, 4, 4), -115.99180074085251,
        [-0.7220100415018583]),
    'max-all-options': (
        (1, 2, 4, 4), -13.179703642499476,
        [-2.2545167854741863]),
    'max-ceil-overhang': (
        (2, 3, 2, 2), -20.841670614590782,
        [-1.8961399484423556]),
    'max-unbatched-indices-value': (
        (3, 3, 4), -15.9178574344674,
        [0.9887688427857069]),
    'avg-ceil-pad': (
        (2, 3, 4, 5), 1.3043781451101912,
        [-0.8628126681500611]),
    'avg-exclude-pad': (
        (2, 3, 4, 5), 3.950842799482917,
        [0.04912981959103391]),
    'avg-exclude-pad-rect': (
        (2, 3, 4, 9), 13.406749736878412,
        [2.039459603068459]),
    'avg-divisor-pad': (
        (2, 3, 3, 3), -0.8164977155113173,
        [-0.6048514595780541]),
    'avg-divisor-tiling': (
        (2, 3, 3, 4), 4.146178586257053,
        [0.3617969690644287]),
    'avg-ceil-overhang': (
        (2, 3, 2, 2), -0.1222406095241681,
        [-0.15850958946679197]),
    'avg-ceil-tiling-exclude': (
        (2, 3, 3, 3), -2.3389322738177953,
        [0.6541166709090082]),
    'adaptive-max-down': (
        (2, 3, 3, 4), -159.03929295603615,
        [-4.262893095114087]),
    'adaptive-max-up': (
        (1, 2, 8, 3), 14.232809491005582,
        [0.6095972471937856]),
    'adaptive-max-none': (
        (2, 3, 2, 10), 713.9126454183045,
        [-3.7005825960506353]),
    'adaptive-max-unbatched': (
        (3, 1, 1), 76.03831289784068,
        [-0.7516462516708483]),
    'adaptive-max-1d': (
        (2, 3, 4), -6.1408275122371165,
        [2.124873029937759]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name: str) -> None:
    check(CASES, EXPECTED, name, F, _tensor, _numpy)


_X = ag.tensor((np.arange(30.0) * 7 % 31).reshape(1, 1, 5, 6))


def test_return_indices_are_torchs() -> None:
    y, idx = F.max_pool2d(_X, 3, 2, 1, dilation=2, ceil_mode=True, return_indices=True)
    assert idx.dtype == np.int64 and not idx.requires_grad
    np.testing.assert_array_equal(idx.numpy(), [[[[21, 21, 21], [21, 21, 21]]]])
    _, idx = F.max_pool2d(_X, 2, ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), [[[[7, 8, 4], [13, 21, 22], [25, 26, 29]]]])
    np.testing.assert_array_equal(
        np.take(_X.numpy().reshape(-1), idx.numpy()),
        F.max_pool2d(_X, 2, ceil_mode=True).numpy())
    _, idx = F.adaptive_max_pool2d(_X, (3, 4), return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), [[[[7, 8, 4, 4], [13, 13, 22, 22],
                                                  [25, 26, 22, 22]]]])
    _, idx = F.adaptive_max_pool1d(_X[0], 4, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), [[[1, 2, 4, 4], [1, 2, 4, 5], [1, 1, 4, 5],
                                                 [1, 2, 4, 4], [1, 2, 4, 5]]])


def test_modules_pass_their_options_and_keep_torchs_reprs() -> None:
    m = nn.MaxPool2d(3, 2, 1, dilation=2, return_indices=True, ceil_mode=True)
    assert repr(m) == "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)"
    y, idx = m(_X)
    ref_y, ref_idx = F.max_pool2d(_X, 3, 2, 1, 2, True, True)
    np.testing.assert_array_equal(y.numpy(), ref_y.numpy())
    np.testing.assert_array_equal(idx.numpy(), ref_idx.numpy())
    a = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False, divisor_override=None)
    assert repr(a) == "AvgPool2d(kernel_size=3, stride=2, padding=1)"
    np.testing.assert_array_equal(a(_X).numpy(), F.avg_pool2d(_X, 3, 2, 1, True, False).numpy())
    d = nn.AvgPool2d(2, divisor_override=3)
    np.testing.assert_allclose(d(_X).numpy(), F.avg_pool2d(_X, 2).numpy() * 4 / 3)
    am = nn.AdaptiveMaxPool2d((2, None), return_indices=True)
    assert repr(am) == "AdaptiveMaxPool2d(output_size=(2, None))"
    assert am(_X)[0].shape == (1, 1, 2, 6) and am(_X)[1].dtype == np.int64
    assert nn.AdaptiveMaxPool1d(3)(_X[0]).shape == (1, 5, 3)


def test_bad_arguments_raise_torchs_classes() -> None:
    x = ag.randn(1, 1, 5, 5)
    with pytest.raises(RuntimeError, match="at most half the kernel size"):
        F.max_pool2d(x, 3, padding=2, dilation=2)
    with pytest.raises(RuntimeError, match="dilation should be greater than zero"):
        F.max_pool2d(x, 2, dilation=0)
    with pytest.raises(RuntimeError, match="output size .* is too small"):
        F.avg_pool2d(x, 7)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="output_size must be greater than or equal to 1"):
        F.adaptive_max_pool2d(x, (0, 2))
    with pytest.raises(RuntimeError, match="expected a 3-D or 4-D input"):
        F.adaptive_max_pool2d(ag.randn(5, 5), 2)
