"""torch's window functions (autograd/ops/windows.py): values equal torch 2.13's (written
here) in float32 and float64, lengths 0 and 1, the periodic window as the symmetric one
of length L + 1 less its last value, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

# torch 2.13: getattr(torch, name)(*args, dtype=...).tolist()
TORCH = {
    ("hann_window", (7,)): (
        [0.0, 0.18825510144233704, 0.6112604737281799, 0.9504844546318054,
         0.9504843950271606, 0.6112605333328247, 0.18825498223304749],
        [0.0, 0.1882550990706332, 0.6112604669781572, 0.9504844339512095,
         0.9504844339512095, 0.6112604669781573, 0.1882550990706333]),
    ("hamming_window", (6, False)): (
        [0.08000001311302185, 0.39785221219062805, 0.9121478796005249, 0.9121478199958801,
         0.3978521227836609, 0.08000001311302185],
        [0.08000000000000002, 0.3978521825875242, 0.9121478174124757, 0.912147817412476,
         0.3978521825875243, 0.08000000000000002]),
    ("blackman_window", (8,)): (
        [-2.9802322387695312e-08, 0.06644660234451294, 0.3400000035762787,
         0.7735533714294434, 1.0, 0.7735532522201538, 0.3399999737739563,
         0.06644654273986816],
        [0.0, 0.0664466094067262, 0.33999999999999997, 0.7735533905932737, 1.0,
         0.7735533905932739, 0.3400000000000001, 0.06644660940672625]),
    ("bartlett_window", (7, False)): (
        [0.0, 0.3333333432674408, 0.6666666865348816, 1.0, 0.6666666269302368,
         0.33333325386047363, 0.0],
        [0.0, 0.3333333333333333, 0.6666666666666666, 1.0, 0.6666666666666667,
         0.3333333333333335, 0.0]),
    ("kaiser_window", (7, True, 5.0)): (
        [0.036710888147354126, 0.270694375038147, 0.651738166809082, 0.9552473425865173,
         0.9552473425865173, 0.651738166809082, 0.270694375038147],
        [0.036710892271286676, 0.2706944178894165, 0.6517382352453626, 0.9552473164564366,
         0.9552473164564366, 0.6517382352453626, 0.2706944178894165]),
}
NAMES = sorted({name for name, _ in TORCH})


@pytest.mark.parametrize(("name", "args"), sorted(TORCH))
def test_values_equal_torchs(name: str, args: tuple) -> None:
    f32, f64 = TORCH[name, args]
    w = getattr(ag, name)(*args)
    assert w.dtype == ag.float32 and w.shape == (len(f32),)
    # float32: torch's roundings, to an ulp or two (Blackman's -3e-8 at 0 included; the
    # Kaiser window's Bessel function rounds otherwise in float32: ~1e-6)
    tol = 1e-6 if name == "kaiser_window" else 1.2e-7
    np.testing.assert_allclose(w.numpy(), f32, rtol=0, atol=tol)
    if name == "bartlett_window":
        assert w.numpy().tolist() == f32  # the same roundings exactly
    if name == "blackman_window":  # 0.08 - 0.5 + 0.42 in torch's order, in float32
        assert w.numpy()[0] == np.float32(-2.9802322387695312e-08)
    w = getattr(ag, name)(*args, dtype=ag.float64)
    assert w.dtype == ag.float64
    np.testing.assert_allclose(w.numpy(), f64, rtol=0, atol=2e-15)


@pytest.mark.parametrize("name", NAMES)
def test_periodic_is_the_longer_symmetric_window_less_its_last_value(name: str) -> None:
    for length in (2, 4, 8):  # symmetric windows of odd length: the peak, 1, in the middle
        periodic = getattr(ag, name)(length, dtype=ag.float64).numpy()
        symmetric = getattr(ag, name)(length + 1, False, dtype=ag.float64).numpy()
        np.testing.assert_array_equal(periodic, symmetric[:-1])
        assert symmetric[length // 2] == pytest.approx(1.0) and symmetric.max() <= 1 + 1e-15
        np.testing.assert_allclose(symmetric, symmetric[::-1], atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_short_lengths_dtypes_and_errors_as_torch(name: str) -> None:
    f = getattr(ag, name)
    assert f(0).shape == (0,) and f(0).dtype == ag.float32
    assert f(1, False).numpy().tolist() == [1.0] and f(1).numpy().tolist() == [1.0]
    w = f(4, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match=f"^{name} expects floating point dtypes, got"):
        f(5, dtype=ag.int64)
    with pytest.raises(RuntimeError, match=f"^{name} requires non-negative window_length, "
                                           f"got window_length=-1$"):
        f(-1)
    with pytest.raises(TypeError, match="window_length"):
        f(5.0)


def test_hamming_parameters_and_hann_as_its_special_case() -> None:
    np.testing.assert_array_equal(ag.hamming_window(9, True, 0.5, 0.5).numpy(),
                                  ag.hann_window(9).numpy())
    w = ag.hamming_window(5, False, 1.0, 0.0, dtype=ag.float64).numpy()
    assert w.tolist() == [1.0] * 5
    # Kaiser with beta = 0 is the rectangular window
    assert ag.kaiser_window(6, True, 0.0).numpy().tolist() == [1.0] * 6


def test_made_on_the_device_asked_for(double_device: str) -> None:
    for name in NAMES:
        w = getattr(ag, name)(6, device=double_device)
        assert w.device.type == double_device
        np.testing.assert_array_equal(w.cpu().numpy(), getattr(ag, name)(6).numpy())
