"""F.interpolate / Upsample, the adaptive average pools and F.pad against torch's numbers
(computed once with torch and written here; see tests/nn/reference.py), and every bad
argument with torch's exception class."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.ops.resample import make_taps, resample_array
from tests.nn.reference import check


def _tensor(a, grad=True):
    return ag.tensor(a, dtype=np.float64, requires_grad=grad)


def _numpy(t):
    return t.detach().numpy().astype(np.float64)


_IMG = ((2, 3, 5, 7),)
CASES = {
    "nearest-size": (lambda F, x: F.interpolate(x, size=(8, 3)), _IMG, ()),
    "nearest-scale1.7": (lambda F, x: F.interpolate(x, scale_factor=1.7), _IMG, ()),
    "nearest-scale2": (lambda F, x: F.interpolate(x, scale_factor=2), _IMG, ()),
    "nearest-scale-recompute": (lambda F, x: F.interpolate(x, scale_factor=1.3,
                                                           recompute_scale_factor=True), _IMG, ()),
    "nearest-exact": (lambda F, x: F.interpolate(x, scale_factor=2.3, mode="nearest-exact"),
                      _IMG, ()),
    "nearest-1d": (lambda F, x: F.interpolate(x, size=11), ((2, 3, 6),), ()),
    "bilinear-size": (lambda F, x: F.interpolate(x, size=(9, 13), mode="bilinear"), _IMG, ()),
    "bilinear-down": (lambda F, x: F.interpolate(x, size=(3, 4), mode="bilinear"), _IMG, ()),
    "bilinear-align": (lambda F, x: F.interpolate(x, size=(9, 4), mode="bilinear",
                                                  align_corners=True), _IMG, ()),
    "bilinear-scale-pair": (lambda F, x: F.interpolate(x, scale_factor=(1.5, 0.6),
                                                       mode="bilinear"), _IMG, ()),
    "bilinear-recompute": (lambda F, x: F.interpolate(x, scale_factor=(1.5, 0.6),
                                                      mode="bilinear",
                                                      recompute_scale_factor=True), _IMG, ()),
    "bilinear-to-1": (lambda F, x: F.interpolate(x, size=(1, 3), mode="bilinear",
                                                 align_corners=True), _IMG, ()),
    "bicubic": (lambda F, x: F.interpolate(x, size=(9, 4), mode="bicubic"), _IMG, ()),
    "bicubic-align": (lambda F, x: F.interpolate(x, size=(9, 11), mode="bicubic",
                                                 align_corners=True), _IMG, ()),
    "linear": (lambda F, x: F.interpolate(x, size=11, mode="linear"), ((2, 3, 6),), ()),
    "linear-scale": (lambda F, x: F.interpolate(x, scale_factor=0.7, mode="linear"),
                     ((2, 3, 6),), ()),
    "trilinear": (lambda F, x: F.interpolate(x, size=(5, 3, 7), mode="trilinear"),
                  ((1, 2, 3, 4, 5),), ()),
    "area": (lambda F, x: F.interpolate(x, size=(3, 4), mode="area"), ((1, 2, 7, 9),), ()),
    "adaptive-avg-2d": (lambda F, x: F.adaptive_avg_pool2d(x, (3, 4)), ((2, 3, 7, 10),), ()),
    "adaptive-avg-2d-up": (lambda F, x: F.adaptive_avg_pool2d(x, (9, 12)), ((1, 2, 7, 10),),
                           ()),
    "adaptive-avg-2d-none": (lambda F, x: F.adaptive_avg_pool2d(x, (2, None)),
                             ((1, 2, 7, 10),), ()),
    "adaptive-avg-2d-unbatched": (lambda F, x: F.adaptive_avg_pool2d(x, 3), ((2, 7, 5),), ()),
    "adaptive-avg-1d": (lambda F, x: F.adaptive_avg_pool1d(x, 4), ((2, 3, 11),), ()),
    "adaptive-avg-3d": (lambda F, x: F.adaptive_avg_pool3d(x, (2, 3, 2)), ((1, 2, 5, 7, 3),),
                        ()),
    "pad-constant": (lambda F, x: F.pad(x, (1, 2, 0, 3), value=0.5), ((2, 3, 4),), ()),
    "pad-constant-crop": (lambda F, x: F.pad(x, (1, -2, -1, 1, 2, 0)), ((2, 3, 4),), ()),
    "pad-reflect-1d": (lambda F, x: F.pad(x, (2, 3), mode="reflect"), ((2, 3, 5),), ()),
    "pad-reflect-2d": (lambda F, x: F.pad(x, (1, 3, 2, 0), mode="reflect"), ((2, 3, 5, 4),),
                       ()),
    "pad-reflect-3d": (lambda F, x: F.pad(x, (1, 2, 2, 1, 2, 2), mode="reflect"),
                       ((1, 2, 3, 4, 5),), ()),
    "pad-reflect-neg": (lambda F, x: F.pad(x, (-1, 2), mode="reflect"), ((2, 3, 5),), ()),
    "pad-replicate-2d": (lambda F, x: F.pad(x, (1, 3, 2, 0), mode="replicate"),
                         ((2, 3, 5, 4),), ()),
    "pad-replicate-unbatched": (lambda F, x: F.pad(x, (4, 5), mode="replicate"), ((3, 5),),
                                ()),
    "pad-circular-2d": (lambda F, x: F.pad(x, (4, 3, 5, 1), mode="circular"),
                        ((2, 3, 5, 4),), ()),
    "pad-circular-neg": (lambda F, x: F.pad(x, (2, -1, -2, 1), mode="circular"),
                         ((1, 2, 5, 4),), ()),
}

EXPECTED = {
    'nearest-size': (
        (2, 3, 8, 3), -0.8166008222324472,
        [1.5465631730119598]),
    'nearest-scale1.7': (
        (2, 3, 8, 11), 12.819990449906786,
        [2.2851149471364978]),
    'nearest-scale2': (
        (2, 3, 10, 14), 11.090867932881364,
        [0.4647007375912864]),
    'nearest-scale-recompute': (
        (2, 3, 6, 9), -5.565289743471933,
        [-2.7958563682714974]),
    'nearest-exact': (
        (2, 3, 11, 16), -65.9178108284867,
        [0.4420246137582984]),
    'nearest-1d': (
        (2, 3, 11), 0.4444350684893929,
        [2.237998075766051]),
    'bilinear-size': (
        (2, 3, 9, 13), -0.9105154066871655,
        [1.2954422662162246]),
    'bilinear-down': (
        (2, 3, 3, 4), -6.928145965088531,
        [-1.5275823303583005]),
    'bilinear-align': (
        (2, 3, 9, 4), 0.21583586809559385,
        [0.9224044311388968]),
    'bilinear-scale-pair': (
        (2, 3, 7, 4), -0.5293930450206799,
        [0.45967020882669407]),
    'bilinear-recompute': (
        (2, 3, 7, 4), -3.1835208446982124,
        [-0.15169015233165273]),
    'bilinear-to-1': (
        (2, 3, 1, 3), -6.596161726468426,
        [-0.060722467192163454]),
    'bicubic': (
        (2, 3, 9, 4), 1.017829241534143,
        [0.5554635468538472]),
    'bicubic-align': (
        (2, 3, 9, 11), -12.010873625388072,
        [-0.1963258959184513]),
    'linear': (
        (2, 3, 11), 1.866611697960019,
        [2.1372633192333215]),
    'linear-scale': (
        (2, 3, 4), -6.634147128377046,
        [-0.7727282026628944]),
    'trilinear': (
        (1, 2, 5, 3, 7), 9.351212010841932,
        [1.2901001517462927]),
    'area': (
        (1, 2, 3, 4), 0.4869071727975491,
        [-0.7386893939870798]),
    'adaptive-avg-2d': (
        (2, 3, 3, 4), 0.050915767117061916,
        [-0.671642249888461]),
    'adaptive-avg-2d-up': (
        (1, 2, 9, 12), -6.112973654494912,
        [1.7474605670124492]),
    'adaptive-avg-2d-none': (
        (1, 2, 2, 10), 0.13187729692088035,
        [0.6264297322639498]),
    'adaptive-avg-2d-unbatched': (
        (2, 3, 3), 0.02400527589956991,
        [0.8505538424512264]),
    'adaptive-avg-1d': (
        (2, 3, 4), 3.435537118120428,
        [-0.48212416013825954]),
    'adaptive-avg-3d': (
        (1, 2, 2, 3, 2), 2.1381096578751917,
        [0.00024874610326606345]),
    'pad-constant': (
        (2, 6, 7), -4.561371037751245,
        [0.572322827977877]),
    'pad-constant-crop': (
        (4, 3, 3), 0.22245076214448978,
        [0.2888904896524662]),
    'pad-reflect-1d': (
        (2, 3, 10), 1.392765257742827,
        [1.5326366240168665]),
    'pad-reflect-2d': (
        (2, 3, 7, 8), 25.932811506463093,
        [-3.50285095310763]),
    'pad-reflect-3d': (
        (1, 2, 7, 7, 8), -31.7534265971383,
        [-5.759850313456649]),
    'pad-reflect-neg': (
        (2, 3, 6), -1.878456360695775,
        [4.743139854605997]),
    'pad-replicate-2d': (
        (2, 3, 7, 8), 38.488560045861576,
        [28.63947060500532]),
    'pad-replicate-unbatched': (
        (3, 14), 2.309064327518863,
        [-1.5830648241238867]),
    'pad-circular-2d': (
        (2, 3, 11, 11), -28.88804455065558,
        [2.312480826736763]),
    'pad-circular-neg': (
        (1, 2, 4, 5), -2.2139519811930413,
        [1.5836756238603749]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name: str) -> None:
    check(CASES, EXPECTED, name, F, _tensor, _numpy)


def test_nearest_uses_torchs_float32_scale() -> None:
    # 6 → 74: ⌊o·(6/74)⌋ in float32 differs from the exact integer floor at some o; torch
    # (and chainrule) use the float32 product
    x = ag.tensor(np.arange(6.0).reshape(1, 1, 6))
    got = F.interpolate(x, size=74).numpy().ravel().astype(int)
    o = np.arange(74)
    f32 = np.minimum(np.floor(o.astype(np.float32) * (np.float32(6) / np.float32(74))), 5)
    np.testing.assert_array_equal(got, f32.astype(int))
    assert (got != np.minimum(o * 6 // 74, 5)).any()


def test_float32_stays_float32() -> None:
    x = ag.tensor(np.ones((1, 1, 3, 3), dtype=np.float32))
    for y in (F.interpolate(x, scale_factor=2, mode="bilinear"), F.adaptive_avg_pool2d(x, 2),
              F.pad(x, (1, 1, 1, 1), mode="reflect"), F.interpolate(x, size=5)):
        assert y.dtype == np.float32
        np.testing.assert_allclose(y.numpy(), 1.0, rtol=1e-6)


def test_adaptive_bins_are_torchs() -> None:
    # 5 → 3: bins [0, 2), [1, 4), [3, 5): start = ⌊i·5/3⌋, end = ⌈(i + 1)·5/3⌉
    x = ag.tensor(np.array([[[1.0, 2.0, 4.0, 8.0, 16.0]]]))
    np.testing.assert_allclose(F.adaptive_avg_pool1d(x, 3).numpy().ravel(),
                               [1.5, 14 / 3, 12.0])


def test_resample_adjoint_is_the_transpose() -> None:
    rng = np.random.default_rng(0)
    taps = make_taps(1, 5, np.array([[4, 0, 0, 2, 3, 3, 1], [0, 1, 1, 4, 4, 2, 0]]),
                     rng.standard_normal((2, 7)))
    x, g = rng.standard_normal((3, 5, 2)), rng.standard_normal((3, 7, 2))
    lhs = (resample_array(x, taps) * g).sum()
    rhs = (x * resample_array(g, taps.T)).sum()
    assert abs(lhs - rhs) < 1e-12
    assert taps.T.T is taps
    # the dense matrices agree: Aᵀ's is the transpose of A's
    dense = resample_array(np.eye(5)[None], taps)[0]  # A applied to each basis vector
    dense_t = resample_array(np.eye(7)[None], taps.T)[0]
    np.testing.assert_allclose(dense_t, dense.T, atol=1e-15)


def test_upsample_modules_and_reprs() -> None:
    x = ag.tensor(np.random.default_rng(1).standard_normal((1, 2, 3, 4)))
    cases = [
        (nn.Upsample(scale_factor=2, mode="bilinear"),
         "Upsample(scale_factor=2.0, mode='bilinear')",
         F.interpolate(x, scale_factor=2.0, mode="bilinear")),
        (nn.Upsample(size=(3, 5)), "Upsample(size=(3, 5), mode='nearest')",
         F.interpolate(x, size=(3, 5))),
        (nn.UpsamplingBilinear2d(scale_factor=2),
         "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')",
         F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)),
        (nn.UpsamplingNearest2d(size=3), "UpsamplingNearest2d(size=3, mode='nearest')",
         F.interpolate(x, size=3)),
        (nn.AdaptiveAvgPool2d((3, None)), "AdaptiveAvgPool2d(output_size=(3, None))",
         F.adaptive_avg_pool2d(x, (3, None))),
        (nn.AdaptiveAvgPool1d(2), "AdaptiveAvgPool1d(output_size=2)",
         F.adaptive_avg_pool1d(x[0], 2)),
    ]
    for module, text, want in cases:
        assert repr(module) == text
        got = module(x[0] if isinstance(module, nn.AdaptiveAvgPool1d) else x)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert nn.AdaptiveAvgPool2d(2)(x).shape == (1, 2, 2, 2)


@pytest.mark.parametrize("kw, exc, match", [
    (dict(), ValueError, "either size or scale_factor should be defined"),
    (dict(size=3, scale_factor=2), ValueError, "only one of size or scale_factor"),
    (dict(size=(3, 3, 3)), ValueError, "same number of spatial dimensions"),
    (dict(scale_factor=(2, 2, 2)), ValueError, "Input and scale_factor must have the same"),
    (dict(size=3, align_corners=True), ValueError, "align_corners option can only be set"),
    (dict(size=3, mode="linear"), NotImplementedError, "Got 4D input, but linear mode needs 3D"),
    (dict(size=3, mode="trilinear"), NotImplementedError, "trilinear mode needs 5D"),
    (dict(size=3, recompute_scale_factor=True), ValueError, "not meaningful with an explicit"),
    (dict(size=3, mode="foo"), NotImplementedError, r"\(got foo\)"),
    (dict(size=0), ValueError, "greater than 0"),
])
def test_interpolate_bad_arguments(kw: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        F.interpolate(ag.randn(1, 1, 4, 4), **kw)


def test_interpolate_mode_needs_its_dimensionality() -> None:
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D"):
        F.interpolate(ag.randn(1, 1, 4), size=3, mode="bilinear")


@pytest.mark.parametrize("args, kw, exc, match", [
    ((1, 1, 3), dict(pad=(3, 3), mode="reflect"), RuntimeError,
     r"Argument #4: Padding size should be less than the corresponding input dimension, but "
     r"got: padding \(3, 3\) at dimension 2 of input \[1, 1, 3\]"),
    ((1, 1, 3), dict(pad=(4, 0), mode="circular"), RuntimeError, "wrapping around more than"),
    ((1, 1, 3), dict(pad=(1,)), RuntimeError, "Padding length must be divisible by 2"),
    ((1, 1, 3), dict(pad=(1,) * 8), RuntimeError,
     "Padding length should be less than or equal to two times the input dimension"),
    ((1, 1, 3), dict(pad=(1, 1), mode="reflect", value=2.0), RuntimeError,
     "doesn't take in value argument"),
    ((1, 1, 3), dict(pad=(1, 1), mode="foo"), NotImplementedError, "Unrecognised padding mode"),
    ((1, 1, 3), dict(pad=(1,) * 6, mode="replicate"), NotImplementedError,
     "Padding size 6 is not supported for 3D input"),
    ((3, 4), dict(pad=(1, 1, 1, 1), mode="reflect"), NotImplementedError,
     "Padding size 4 is not supported for 2D input"),
    ((1, 1, 3), dict(pad=(-2, -2)), RuntimeError, "would be -1"),
])
def test_pad_bad_arguments(args: tuple, kw: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        F.pad(ag.randn(*args), **kw)


def test_adaptive_pool_bad_arguments() -> None:
    with pytest.raises(RuntimeError, match="output_size must be greater than or equal to 0"):
        F.adaptive_avg_pool2d(ag.randn(1, 1, 4, 4), (-1, 2))
    # torch 2.13: a zero output size is an empty result, in area interpolation too
    assert F.adaptive_avg_pool2d(ag.randn(1, 1, 4, 4), (0, 2)).shape == (1, 1, 0, 2)
    assert F.interpolate(ag.ones(1, 2, 4, 5), scale_factor=0.2, mode="area").shape == (
        1, 2, 0, 1)
    with pytest.raises(RuntimeError, match="greater than 0"):  # other modes refuse it
        F.interpolate(ag.ones(1, 2, 4, 5), size=(0, 3))
    with pytest.raises(ValueError, match="expected a 3-D or 4-D input"):
        F.adaptive_avg_pool2d(ag.randn(4, 4), 2)
