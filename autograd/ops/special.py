"""The error function family: ``erf``, ``erfc``, ``erfinv`` (NumPy has none; no SciPy).

Small arrays (≤ 256 elements) go element by element through the C library's ``erf`` and
``erfc`` (``math``): fewer calls than the NumPy evaluation below. Larger arrays are
evaluated in their precision (float64 for float64, float32 otherwise; float32 drops the
terms below its rounding) from Chebyshev expansions, each accurate to about 2e-16
relative on its range:

- ``|x| < 1``: erf(x) = x · P(2x² − 1), P the expansion of erf(√t)/√t on t ∈ [0, 1];
- ``1 ≤ x < 4``: erfc(x) = e^(−x²) · erfcx(x), erfcx(x) = e^(x²) erfc(x) expanded on
  [1, 2] and [2, 4];
- ``4 ≤ x < 27``: erfc(x) = e^(−x²) · h(1/x) / x, h(u) = x erfcx(x) expanded in u = 1/x;
  beyond 27 erfc(x) < 1e-318 is 0.

e^(−x²) is taken as e^(−h²) · e^(−(x − h)(x + h)) with h = x rounded to 1/64 (h² exact), so
it keeps full relative accuracy for large x. The coefficients are Chebyshev interpolants of
the exact functions computed with mpmath at 40 digits (degree chosen where the error stops
falling). erfinv starts from Winitzki's closed form (error ~2e-3) and takes three Halley
steps on erf(x) = y (on erfc(x) = 1 − |y| for |y| > ½, where 1 − |y| is exact).
"""

from __future__ import annotations

import math

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import is_device_array, special_of
from autograd.graph import Away, Node
from autograd.ops.record import check_tensor_args, unary
from autograd.tensor import Tensor

_ERF_SMALL = (
    0.9754769393826541, -0.14226120510371365, 0.010035582187599796,
    -0.0005768764699767485, 2.741993125219606e-05, -1.1043175507344507e-06,
    3.8488755420345036e-08, -1.1808582533875466e-09, 3.2334215826050907e-11,
    -7.991015947004483e-13, 1.799072511348477e-14, -3.718635162421382e-16,
    7.101507363020076e-18,
)
_ERFCX_1_2 = (
    0.331427281639452, -0.0850021377067432, 0.009951127341466115,
    -0.0010810888102208325, 0.0001102324363119495, -1.0636830518218601e-05,
    9.775012680479055e-07, -8.597922867888315e-08, 7.2677084117248425e-09,
    -5.923543840592542e-10, 4.6683928572294154e-11, -3.5661277015677288e-12,
    2.645877951906767e-13, -1.9101658667347927e-14, 1.3439764866689656e-15,
    -9.22862586358592e-17, 6.166538925305747e-18,
)
_ERFCX_2_4 = (
    0.1874295690262241, -0.05794652883669097, 0.008595247387396534,
    -0.0012284613640242594, 0.00016974366686180488, -2.2738329337044562e-05,
    2.959844378804878e-06, -3.7513575581379714e-07, 4.6372828761738244e-08,
    -5.599455392564088e-09, 6.613160896679916e-10, -7.648271522199816e-11,
    8.6709043258765e-12, -9.645456274371989e-13, 1.0536827958274151e-13,
    -1.1312630791525853e-14, 1.1945168599792162e-15, -1.2411859700371542e-16,
    1.2575168967414823e-17,
)
_ERFCX_4_27 = (
    0.5572223653797795, -0.00795799867518445, -0.0013246948125315184,
    5.560096993830241e-05, 2.949582295456911e-06, -3.974595295410162e-07,
    3.162253521119901e-09, 2.5526864728076458e-09, -1.9350799456685902e-10,
    -8.34568738151021e-12, 2.533672957811337e-12, -1.2819930845532723e-13,
    -1.7110512135310915e-14, 3.2165595876096777e-15, -1.073357305049379e-16,
    -3.2388118693893594e-17,
)
_U_LO, _U_HI = 1 / 27, 1 / 4
TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _float32_terms(c: tuple) -> tuple:
    # terms below 1e-9 of the leading one are under float32's rounding: dropped there
    return tuple(v for i, v in enumerate(c) if i == 0 or abs(v) > 1e-9 * abs(c[0]))


# (erf on [0, 1), erfcx on [1, 2), [2, 4), x·erfcx on [4, 27)) per working precision
_COEFFICIENTS = {
    np.dtype(np.float64): (_ERF_SMALL, _ERFCX_1_2, _ERFCX_2_4, _ERFCX_4_27),
    np.dtype(np.float32): tuple(_float32_terms(c) for c in
                                (_ERF_SMALL, _ERFCX_1_2, _ERFCX_2_4, _ERFCX_4_27)),
}


def _chebyshev(c: tuple, s: np.ndarray) -> np.ndarray:
    """Σ cₖ Tₖ(s) by Clenshaw's recurrence (s in [−1, 1]), in place: three passes a term."""
    s2 = s + s
    b1 = np.full_like(s, c[-1])
    b2 = np.zeros_like(s)
    tmp = np.empty_like(s)
    for ck in c[-2:0:-1]:
        np.multiply(s2, b1, out=tmp)
        tmp -= b2
        tmp += ck
        b2, b1, tmp = b1, tmp, b2
    np.multiply(s, b1, out=tmp)
    tmp -= b2
    tmp += c[0]
    return tmp


def _exp_minus_square(x: np.ndarray) -> np.ndarray:
    """e^(−x²) to full relative accuracy (x² split as h² + (x − h)(x + h), h² exact)."""
    h = np.round(x * 64) / 64
    return np.exp(-h * h) * np.exp(-(x - h) * (x + h))


def _erfc_large(a: np.ndarray) -> np.ndarray:
    """erfc(a) for a ≥ 1 (a float64 or float32 array, computed in its precision)."""
    _, c12, c24, c427 = _COEFFICIENTS[a.dtype]
    out = np.zeros_like(a)
    for lo, hi, c in ((1.0, 2.0, c12), (2.0, 4.0, c24)):
        m = (a >= lo) & (a < hi)
        if m.any():
            v = a[m]
            out[m] = _exp_minus_square(v) * _chebyshev(c, (2 * v - (lo + hi)) / (hi - lo))
    m = (a >= 4.0) & (a < 27.0)
    if m.any():
        v = a[m]
        s = (2 / (_U_HI - _U_LO)) * (1 / v - _U_LO) - 1
        out[m] = _exp_minus_square(v) * _chebyshev(c427, s) / v
    return out


def _working(x: np.ndarray) -> np.ndarray:
    """x in the precision it is computed in (float64 for float64, float32 otherwise), at
    least 1-d: NumPy turns 0-d results into scalars, which masks cannot assign into."""
    dtype = np.float64 if x.dtype == np.float64 else np.float32
    return np.array(x, dtype=dtype, ndmin=1)


def _float64(x: np.ndarray) -> np.ndarray:
    return np.array(x, dtype=np.float64, ndmin=1)


def _result_dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _erf_small(v: np.ndarray) -> np.ndarray:
    return v * _chebyshev(_COEFFICIENTS[v.dtype][0], 2 * v * v - 1)


# Up to this many elements the C library's erf, element by element, beats the ~100 NumPy
# calls of the expansions (a (16,) tensor: ~5 µs instead of ~100 µs); both are within an
# ulp or two of the exact value.
_ELEMENTWISE_UP_TO = 256


def _elementwise(fn, x: np.ndarray) -> np.ndarray:
    out = np.fromiter(map(fn, x.ravel().tolist()), dtype=np.float64, count=x.size)
    return out.reshape(x.shape).astype(_result_dtype(x), copy=False)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise (x's float dtype; ints give float32)."""
    if is_device_array(x):  # the device's own kernels (cupyx.scipy.special)
        return special_of(x).erf(x).astype(_result_dtype(x), copy=False)
    x = np.asarray(x)
    if x.size <= _ELEMENTWISE_UP_TO:
        return _elementwise(math.erf, x)
    a = np.abs(_working(x))
    out = np.full_like(a, np.nan)
    small = a < 1
    if small.any():
        out[small] = _erf_small(a[small])
    big = a >= 1
    if big.any():
        out[big] = 1 - _erfc_large(a[big])
    return np.copysign(out, x).reshape(x.shape).astype(_result_dtype(x), copy=False)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 − erf(x), elementwise, accurate in the tail where erf(x) rounds to 1."""
    if is_device_array(x):  # the device's own kernels (cupyx.scipy.special)
        return special_of(x).erfc(x).astype(_result_dtype(x), copy=False)
    x = np.asarray(x)
    if x.size <= _ELEMENTWISE_UP_TO:
        return _elementwise(math.erfc, x)
    d = _working(x)
    out = np.full_like(d, np.nan)
    small = np.abs(d) < 1
    if small.any():
        out[small] = 1 - _erf_small(d[small])
    pos = d >= 1
    if pos.any():
        out[pos] = _erfc_large(d[pos])
    neg = d <= -1
    if neg.any():
        out[neg] = 2 - _erfc_large(-d[neg])
    return out.reshape(x.shape).astype(_result_dtype(x), copy=False)


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """erfinv(y), the x with erf(x) = y, for y in [−1, 1] (±inf at ±1, nan outside)."""
    if is_device_array(y):  # the device's own kernels (cupyx.scipy.special)
        return special_of(y).erfinv(y).astype(_result_dtype(y), copy=False)
    y = np.asarray(y)
    d = _float64(y)
    q = np.abs(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Winitzki: x ≈ √(√(b² − ln(1 − y²)/α) − b), b = 2/(πα) + ln(1 − y²)/2, α = 0.147
        ln = np.log1p(-q) + np.log1p(q)
        b = 2 / (math.pi * 0.147) + ln / 2
        x = np.sqrt(np.sqrt(b * b - ln / 0.147) - b)
        inner = (q > 0) & (q < 1)
        tail = q > 0.5
        rest = 1 - q  # exact for q > ½
        for _ in range(3):
            xs = x[inner]
            f = np.where(tail[inner], rest[inner] - erfc_array(xs), erf_array(xs) - q[inner])
            u = f / (TWO_OVER_SQRT_PI * _exp_minus_square(xs))
            x[inner] = xs - u / (1 + xs * u)
        x = np.where(q == 0, 0.0, np.where(q == 1, np.inf, x))
        x = np.where(q > 1, np.nan, x)
    return np.copysign(x, d).reshape(y.shape).astype(_result_dtype(y), copy=False)


# -- the differentiable ops ----------------------------------------------------------------
class ErfBackward(Node):
    """y = erf x;  dx = g · 2/√π · e^(−x²)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * TWO_OVER_SQRT_PI * xp.exp(-(x * x)),)


def erf(input: Tensor) -> Tensor:
    """The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise."""
    return unary(ErfBackward, erf_array(input._data), input, save_input=True)


class ErfcBackward(Node):
    """y = erfc x = 1 − erf x;  dx = −g · 2/√π · e^(−x²)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * -TWO_OVER_SQRT_PI * xp.exp(-(x * x)),)


def erfc(input: Tensor) -> Tensor:
    """The complementary error function 1 − erf(x), elementwise."""
    return unary(ErfcBackward, erfc_array(input._data), input, save_input=True)


class ErfinvBackward(Node):
    """y = erfinv x;  dx = g · √π/2 · e^(y²)."""

    def vjp(self, g, xp):
        y = self.output(xp)
        return (g * (1 / TWO_OVER_SQRT_PI) * xp.exp(y * y),)


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function (erf(erfinv(y)) = y on (−1, 1)), elementwise."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("erfinv", erfinv, input)
    return unary(ErfinvBackward, erfinv_array(input._data), input, save_out=True)


# -- the scaled complementary error function -----------------------------------------------
# erfcx(x) ~ 1/(x√π) · Σₖ (−1)ᵏ (2k − 1)!! / (2x²)ᵏ: from x = 27 eight terms reach 1e-17
_ERFCX_ASYMPTOTIC = (1.0, -0.5, 0.75, -1.875, 6.5625, -29.53125, 162.421875, -1055.7421875)


def _erfcx_positive(a: np.ndarray) -> np.ndarray:
    """erfcx(a) = e^(a²) erfc(a) for a ≥ 0 (float64): e^(a²)·erfc(a) below 1, the erfcx
    expansions on [1, 27) (those erfc uses), the asymptotic series beyond."""
    _, c12, c24, c427 = _COEFFICIENTS[np.dtype(np.float64)]
    out = np.empty_like(a)
    m = a < 1
    if m.any():
        v = a[m]
        out[m] = erfc_array(v) / _exp_minus_square(v)
    for lo, hi, c in ((1.0, 2.0, c12), (2.0, 4.0, c24)):
        m = (a >= lo) & (a < hi)
        if m.any():
            out[m] = _chebyshev(c, (2 * a[m] - (lo + hi)) / (hi - lo))
    m = (a >= 4.0) & (a < 27.0)
    if m.any():
        v = a[m]
        out[m] = _chebyshev(c427, (2 / (_U_HI - _U_LO)) * (1 / v - _U_LO) - 1) / v
    m = a >= 27.0
    if m.any():
        v = a[m]
        with np.errstate(over="ignore"):
            z = 1 / (v * v)
        s = np.full_like(v, _ERFCX_ASYMPTOTIC[-1])
        for ck in _ERFCX_ASYMPTOTIC[-2::-1]:
            s *= z
            s += ck
        out[m] = s / (v * math.sqrt(math.pi))
    return out


def erfcx_array(x: np.ndarray) -> np.ndarray:
    """erfcx(x) = e^(x²) erfc(x), elementwise (x's float dtype; ints give float32); below 0
    2e^(x²) − erfcx(−x), inf past x ≈ −26.6 as torch's."""
    if is_device_array(x):
        return special_of(x).erfcx(x).astype(_result_dtype(x), copy=False)
    x = np.asarray(x)
    d = _float64(x)
    out = np.full_like(d, np.nan)
    pos = d >= 0
    if pos.any():
        out[pos] = _erfcx_positive(d[pos])
    neg = d < 0
    if neg.any():
        v = d[neg]
        # torch squares x in its own precision (float32 for float32): e^(x²) keeps that
        # rounding (5e-14 relative at x = −25 in float64), and so do we
        sq = (v * v) if x.dtype == np.float64 else \
            np.square(v.astype(np.float32)).astype(np.float64)
        with np.errstate(over="ignore"):
            out[neg] = np.where(v < -26.7, np.inf, 2 * np.exp(sq) - _erfcx_positive(-v))
    return out.reshape(x.shape).astype(_result_dtype(x), copy=False)


class ErfcxBackward(Node):
    """y = erfcx x;  dx = g · (2x·y − 2/√π)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * (2 * x * self.output(xp) - TWO_OVER_SQRT_PI),)


def erfcx(input: Tensor) -> Tensor:
    """The scaled complementary error function e^(x²) erfc(x), elementwise
    (torch.special.erfcx)."""
    check_tensor_args("special_erfcx", ("input", input, False))
    return unary(ErfcxBackward, erfcx_array(input._data), input, save_input=True,
                 save_out=True)
