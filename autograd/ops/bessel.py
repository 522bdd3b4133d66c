"""The modified Bessel functions of the first kind of orders 0 and 1 (torch.i0 and
torch.special's i0, i0e, i1, i1e), each forward on arrays next to its VJP (NumPy has i0
only, without the scaled forms; no SciPy).

As torch's (Cephes'), each is a Chebyshev expansion of the exponentially scaled function:
on |x| ≤ 8 of e^(−|x|) I₀(x) and e^(−|x|) I₁(x)/x in s = |x|/4 − 1, beyond 8 of
√|x| e^(−|x|) Iₙ(x) in s = 16/|x| − 1. The coefficients are Chebyshev interpolants of the
exact functions computed with mpmath at 40 digits (terms below 1e-18 of the first
dropped): ~2e-16 relative. i0 = e^|x| · i0e overflows to inf past |x| ≈ 713, as torch's.
The values are computed in float64 and rounded to the input's float dtype (integers give
float32).
"""

from __future__ import annotations

import numpy as np

from autograd.backend import is_device_array, special_of
from autograd.graph import Node
from autograd.ops.record import array_of, check_tensor_args, unary
from autograd.ops.special import _chebyshev
from autograd.tensor import Tensor

_I0E_SMALL = (  # e^(−y) I₀(y), y in [0, 8]
    0.33839763720473803, -0.3046826723431984, 0.17162090152220877, -0.09490109704804764,
    0.04930528423967071, -0.02373741480589947, 0.010546460394594998, -0.004324309995050576,
    0.0016394756169413357, -0.0005763755745385824, 0.00018850288509584165,
    -5.754195010082104e-05, 1.6448448070728896e-05, -4.4167383584587505e-06,
    1.1173875391201037e-06, -2.670793853940612e-07, 6.046995022541919e-08,
    -1.300025009986248e-08, 2.6598237246823866e-09, -5.189795601635263e-10,
    9.675809035373237e-11, -1.726826291441556e-11, 2.95505266312964e-12,
    -4.856446783111929e-13, 7.676185498604936e-14, -1.1685332877993451e-14,
    1.715391285555133e-15, -2.431279846547955e-16, 3.3307945188222384e-17,
    -4.4153416464793395e-18, 5.669178006921496e-19,
)
_I1E_SMALL = (  # e^(−y) I₁(y)/y, y in [0, 8]
    0.12629359322181682, -0.17641651835783406, 0.1026436586898471, -0.05294598120809499,
    0.024726449030626516, -0.010564084894626197, 0.004156422944312888,
    -0.0015135724506312532, 0.0005122859561685758, -0.00016176081582589674,
    4.781565107550054e-05, -1.3273163656039436e-05, 3.4702513081376785e-06,
    -8.568720264695455e-07, 2.0032947535521353e-07, -4.445059128796328e-08,
    9.381537386495773e-09, -1.8872497517228294e-09, 3.625590281552117e-10,
    -6.663489723502027e-11, 1.1736186298890901e-11, -1.9839743977649436e-12,
    3.223793365945575e-13, -5.042185504727912e-14, 7.600684294735408e-15,
    -1.1055969477353862e-15, 1.5536319577362005e-16, -2.111421214358166e-17,
    2.7779141127610464e-18, -3.541581772542136e-19,
)
_I0E_LARGE = (  # √y e^(−y) I₀(y), y ≥ 8
    0.4022452055070544, 0.0033691164782556943, 6.889758346916825e-05,
    2.8913705208347567e-06, 2.0489185894690638e-07, 2.266668990498178e-08,
    3.3962320257083865e-09, 4.94060238822497e-10, 1.1889147107846439e-11,
    -3.1499165279632416e-11, -1.3215811840447713e-11, -1.7941785315068062e-12,
    7.180124451383666e-13, 3.8527783827421426e-13, 1.54008621752141e-14,
    -4.150569347287222e-14, -9.554846698828307e-15, 3.8116806693526224e-15,
    1.7725601330565263e-15, -3.425485619677219e-16, -2.8276239805165836e-16,
    3.4612228676974606e-17, 4.465621420296762e-17, -4.830504485944218e-18,
    -7.233180487874774e-18, 9.921475412175305e-19, 1.1936508908457661e-18,
)
_I1E_LARGE = (  # √y e^(−y) I₁(y), y ≥ 8
    0.38928811750914005, -0.009761097491361469, -0.00011058893876262371,
    -3.882564808877691e-06, -2.512236237870209e-07, -2.6314688468895196e-08,
    -3.835380385964237e-09, -5.589743462196584e-10, -1.8974958123505413e-11,
    3.2526035830154884e-11, 1.4125807436613782e-11, 2.0356285441470896e-12,
    -7.198551776245908e-13, -4.0835511110921974e-13, -2.1015418427726643e-14,
    4.272440016711951e-14, 1.0420276984128802e-14, -3.8144030724370075e-15,
    -1.8803547755107825e-15, 3.308202310920928e-16, 2.96262899764595e-16,
    -3.209525921993424e-17, -4.6503053684893605e-17, 4.414348323071745e-18,
    7.517296310842124e-18, -9.314178867328502e-19, -1.2421932751946678e-18,
)


def _dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _scaled(x: np.ndarray, small: tuple, large: tuple, odd: bool) -> np.ndarray:
    """e^(−|x|) Iₙ(x) (n = 1 when ``odd``) over a float64 array."""
    a = np.abs(x)
    out = np.empty_like(a)
    m = a <= 8
    if m.any():
        v = a[m]
        out[m] = _chebyshev(small, v / 4 - 1) * (v if odd else 1)
    m = ~(a <= 8)  # nan goes here, and stays nan
    if m.any():
        v = a[m]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[m] = _chebyshev(large, 16 / v - 1) / np.sqrt(v)
    return np.copysign(out, x) if odd else out


def _bessel(x: np.ndarray, small: tuple, large: tuple, odd: bool, scaled: bool) -> np.ndarray:
    if is_device_array(x):  # the device's own kernels (cupyx.scipy.special)
        name = ("i1" if odd else "i0") + ("e" if scaled else "")
        return getattr(special_of(x), name)(x).astype(_dtype(x), copy=False)
    x = np.asarray(x)
    d = np.array(x, dtype=np.float64, ndmin=1)
    out = _scaled(d, small, large, odd)
    dtype = _dtype(x)
    if not scaled:  # e^|x| in the result's precision, as torch's: inf past 88.7 in float32
        with np.errstate(over="ignore", invalid="ignore"):
            grow = np.exp(np.abs(d)).astype(dtype)
            out = out.astype(dtype) * grow  # nan at ±inf (0 · inf), as torch's
    return out.reshape(x.shape).astype(dtype, copy=False)


def i0_array(x: np.ndarray) -> np.ndarray:
    """I₀(x) elementwise."""
    return _bessel(x, _I0E_SMALL, _I0E_LARGE, False, False)


def i0e_array(x: np.ndarray) -> np.ndarray:
    """e^(−|x|) I₀(x) elementwise."""
    return _bessel(x, _I0E_SMALL, _I0E_LARGE, False, True)


def i1_array(x: np.ndarray) -> np.ndarray:
    """I₁(x) elementwise (odd)."""
    return _bessel(x, _I1E_SMALL, _I1E_LARGE, True, False)


def i1e_array(x: np.ndarray) -> np.ndarray:
    """e^(−|x|) I₁(x) elementwise (odd)."""
    return _bessel(x, _I1E_SMALL, _I1E_LARGE, True, True)


def _safe_divisor(x, xp):
    """x with 1 where x = 0 (the derivatives of I₁ and e^(−|x|) I₁ divide by x; at 0 they
    are ½, put in by the caller), and the mask of those zeros (None if there are none)."""
    at0 = array_of(x) == 0
    if not at0.any():
        return x, None
    return xp.where(at0, 1.0, x), at0


class I0Backward(Node):
    """y = I₀(x);  dx = g · I₁(x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * xp.i1(x),)


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 0 (torch.i0)."""
    check_tensor_args("i0", ("input", input, False))
    return unary(I0Backward, i0_array(input._data), input, save_input=True)


class I0eBackward(Node):
    """y = e^(−|x|) I₀(x);  dx = g · (i1e(x) − sign(x) · y)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        sign = np.sign(array_of(x)).astype(self.dtype)
        return (g * (xp.i1e(x) - self.output(xp) * sign),)


def i0e(input: Tensor) -> Tensor:
    """The exponentially scaled I₀: e^(−|x|) I₀(x) (torch.special.i0e)."""
    check_tensor_args("special_i0e", ("input", input, False))
    return unary(I0eBackward, i0e_array(input._data), input, save_input=True, save_out=True)


class I1Backward(Node):
    """y = I₁(x);  dx = g · (I₀(x) − y/x), ½ at x = 0."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        safe, at0 = _safe_divisor(x, xp)
        d = xp.i0(x) - self.output(xp) / safe
        if at0 is not None:
            d = xp.where(at0, 0.5, d)
        return (g * d,)


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 1 (torch.special.i1)."""
    check_tensor_args("special_i1", ("input", input, False))
    return unary(I1Backward, i1_array(input._data), input, save_input=True, save_out=True)


class I1eBackward(Node):
    """y = e^(−|x|) I₁(x);  dx = g · (i0e(x) − y · (sign(x) + 1/x)), ½ at x = 0."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        safe, at0 = _safe_divisor(x, xp)
        sign = np.sign(array_of(x)).astype(self.dtype)
        d = xp.i0e(x) - self.output(xp) * (sign + 1 / safe)
        if at0 is not None:
            d = xp.where(at0, 0.5, d)
        return (g * d,)


def i1e(input: Tensor) -> Tensor:
    """The exponentially scaled I₁: e^(−|x|) I₁(x) (torch.special.i1e)."""
    check_tensor_args("special_i1e", ("input", input, False))
    return unary(I1eBackward, i1e_array(input._data), input, save_input=True, save_out=True)


METHODS = {"i0": i0}
PUBLIC = ["i0", "i0e", "i1", "i1e"]
