"""The gamma family: ``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma`` and the Hurwitz
``zeta`` (NumPy has none of them; no SciPy), each forward on arrays next to its VJP.

Integers and bools give float32, as torch's. The values follow torch's CPU kernels:

- ``lgamma`` (torch: the C library's, within an ulp or so) is evaluated in float64 from
  the series lgamma(2 + t) = (1 − γ)t + Σₖ₌₂ (−1)ᵏ (ζ(k) − 1) tᵏ / k on |t| ≤ ½ (t = x − 2,
  exact), lgamma(1 + t) = lgamma(2 + t) − log1p(t) on [½, 3/2) (and, with − log x, on
  (0, ½)), the recurrence lgamma(x) = log((x − 1)···(x − n)) + lgamma(x − n) up to 10,
  Stirling's series with Bernoulli numbers from 10 on, and for x < 0 the reflection
  lgamma(x) = log(π / |x sin πx|) − lgamma(−x) (sin πx from x's distance to the nearest
  integer, so it keeps its relative accuracy at every pole). A Lanczos sum would lose the
  relative accuracy near the zeros at 1 and 2, which the series keep (~2e-16).
- ``digamma`` and ``polygamma(1, ·)`` are torch's own algorithms (Cephes' recurrence up to
  10 plus the asymptotic series; torch's trigamma: six steps of recurrence and a short
  asymptotic series, ~1e-10 relative, which is what torch users get), in the input's
  precision as torch computes them (float32 in float32).
- ``polygamma(n ≥ 2, x) = (−1)ⁿ⁺¹ n! ζ(n + 1, x)``, ζ Cephes' Euler–Maclaurin sum as torch's.

At the poles and outside the domains the values are torch's: lgamma(0 or a negative
integer) = inf, digamma(±0) = ∓inf, digamma(negative integer) = nan, ζ(1, q) = inf,
ζ(x < 1, q) = nan, ζ(x, q ≤ 0 integer) = inf.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.backend import is_device_array, special_of, xp_of
from autograd.graph import Node
from autograd.ops.record import array_of, check_tensor_args, nary, unary
from autograd.promotion import cpu_scalars_moved, result_type
from autograd.tensor import Tensor

# (−1)ᵏ (ζ(k) − 1) / k for k = 2..29 (mpmath, 50 digits): |t| ≤ ½ leaves terms < 4⁻ᵏ/k
_LGAMMA2 = (
    0.3224670334241132, -0.0673523010531981, 0.020580808427784546, -0.007385551028673986,
    0.0028905103307415234, -0.001192753911703261, 0.0005096695247430425,
    -0.00022315475845357936, 9.945751278180853e-05, -4.492623673813314e-05,
    2.0507212775670694e-05, -9.439488275268395e-06, 4.374866789907487e-06,
    -2.039215753801366e-06, 9.55141213040742e-07, -4.492469198764566e-07,
    2.1207184805554667e-07, -1.00432248239681e-07, 4.769810169363981e-08,
    -2.2711094608943164e-08, 1.0838659214896955e-08, -5.183475041970047e-09,
    2.4836745438024785e-09, -1.1921401405860912e-09, 5.731367241678862e-10,
    -2.7595228851242334e-10, 1.3304764374244491e-10, -6.422964563838101e-11,
)
_ONE_MINUS_EULER = 0.42278433509846713
# B₂ₖ / (2k(2k − 1)), k = 1..8: Stirling's series; from x = 10 the next term is < 2e-18
_STIRLING = (
    0.08333333333333333, -0.002777777777777778, 0.0007936507936507937,
    -0.0005952380952380953, 0.0008417508417508417, -0.0019175269175269176,
    0.00641025641025641, -0.029550653594771242,
)
_HALF_LOG_2PI = 0.9189385332046728
_LOG_PI = math.log(math.pi)


def result_dtype(d: Any) -> np.dtype:
    """torch's result dtype of the family: the float dtype kept, integers and bools float32."""
    return d.dtype if d.dtype.kind == "f" else np.dtype(np.float32)


def _working(d: Any) -> np.ndarray:
    """``d`` as a float array of at least one dimension in the precision torch computes
    digamma and trigamma in (float64 for float64, float32 otherwise)."""
    return np.array(d, dtype=np.float64 if d.dtype == np.float64 else np.float32, ndmin=1)


def _lgamma2(t: np.ndarray) -> np.ndarray:
    """lgamma(2 + t) for |t| ≤ ½, by its Taylor series (Horner)."""
    acc = np.full_like(t, _LGAMMA2[-1])
    for c in _LGAMMA2[-2::-1]:
        acc *= t
        acc += c
    acc *= t
    acc += _ONE_MINUS_EULER
    return acc * t


def _sinpi_abs(x: np.ndarray) -> np.ndarray:
    """|sin πx| from x's distance to the nearest integer (exact), keeping relative accuracy
    near every integer where sin(π·x) would lose it."""
    r = x - np.round(x)
    return np.abs(np.sin(np.pi * r))


def _lgamma_positive(x: np.ndarray) -> np.ndarray:
    """lgamma(x) for finite x > 0 (float64)."""
    out = np.empty_like(x)
    tiny = x < 0.5
    if tiny.any():
        v = x[tiny]
        out[tiny] = _lgamma2(v) - np.log1p(v) - np.log(v)
    near1 = (x >= 0.5) & (x < 1.5)
    if near1.any():
        t = x[near1] - 1
        out[near1] = _lgamma2(t) - np.log1p(t)
    mid = (x >= 1.5) & (x < 10)
    if mid.any():
        v = x[mid]
        shifts = np.floor(v - 1.5)  # v − n in [1.5, 2.5): exact (an integer off v)
        prod = np.ones_like(v)
        for k in range(1, 9):
            prod = np.where(shifts >= k, prod * (v - k), prod)
        out[mid] = np.log(prod) + _lgamma2(v - shifts - 2)
    big = x >= 10
    if big.any():
        v = x[big]
        with np.errstate(over="ignore"):  # v² overflows past 1e154: z = 0 there, rightly
            z = 1 / (v * v)
        s = np.full_like(v, _STIRLING[-1])
        for c in _STIRLING[-2::-1]:
            s *= z
            s += c
        with np.errstate(over="ignore", invalid="ignore"):
            out[big] = (v - 0.5) * np.log(v) - v + _HALF_LOG_2PI + s / v
    return out


def lgamma_array(x: Any) -> Any:
    """ln|Γ(x)| elementwise: inf at 0, at the negative integers and at ±inf (x's float
    dtype; integers and bools give float32)."""
    if is_device_array(x):  # the device's own kernels (cupyx.scipy.special)
        return special_of(x).gammaln(x).astype(result_dtype(x), copy=False)
    x = np.asarray(x)
    d = np.array(x, dtype=np.float64, ndmin=1)
    out = np.full_like(d, np.inf)
    out[np.isnan(d)] = np.nan
    pos = (d > 0) & np.isfinite(d)
    if pos.any():
        out[pos] = _lgamma_positive(d[pos])
    neg = (d < 0) & np.isfinite(d) & (d != np.floor(d))
    if neg.any():
        v = d[neg]
        with np.errstate(divide="ignore"):
            out[neg] = _LOG_PI - np.log(np.abs(v) * _sinpi_abs(v)) - _lgamma_positive(-v)
    return out.reshape(x.shape).astype(result_dtype(x), copy=False)


# torch's calc_digamma (Cephes psi): ψ(x) = ln x − 1/(2x) − z·P(z), z = 1/x², for x > 10
_PSI_ASYMPTOTIC = (
    8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
    -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
    8.33333333333333333333E-2,
)
_PSI_10 = 2.25175258906672110764


def _libm(fn: Any, x: np.ndarray) -> np.ndarray:
    """fn(x) rounded once to x's precision, as glibc's logf/sinf are (NumPy's float32
    loops are a few ulps off, which near ψ's root at 1.4616 the cancellation magnifies)."""
    return fn(x) if x.dtype == np.float64 else fn(x.astype(np.float64)).astype(x.dtype)


def _digamma_nonneg(x: np.ndarray) -> np.ndarray:
    """ψ(x) for x > 0 in x's precision, as torch: ψ(x) = ψ(x + n) − Σ 1/(x + k) up to 10."""
    f = x.dtype.type
    one, ten = f(1), f(10)
    result = np.zeros_like(x)
    for _ in range(10):  # x > 0 reaches 10 in at most ten steps
        m = x < ten
        if not m.any():
            break
        result = np.where(m, result - one / x, result)
        x = np.where(m, x + one, x)
    y = np.zeros_like(x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = one / (x * x)
        p = np.full_like(x, f(_PSI_ASYMPTOTIC[0]))
        for c in _PSI_ASYMPTOTIC[1:]:
            p = p * z + f(c)
        y = np.where(x < f(1e17), z * p, y)
        out = result + _libm(np.log, x) - (f(0.5) / x) - y
    return np.where(x == ten, result + f(_PSI_10), out)


def digamma_array(x: Any) -> Any:
    """ψ(x) = d/dx ln Γ(x) elementwise (torch's values: ∓inf at ±0, nan at the negative
    integers and −inf)."""
    if is_device_array(x):
        return special_of(x).digamma(x).astype(result_dtype(x), copy=False)
    x = np.asarray(x)
    d = _working(x)
    f = d.dtype.type
    neg = d < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # ψ(x) = ψ(1 − x) − π / tan(πr), r the fraction of x (torch: tan in float64)
        frac = np.modf(d.astype(np.float64))[0]
        cot = (np.pi / np.tan(np.pi * frac)).astype(d.dtype)
        arg = np.where(neg, f(1) - d, d)
        out = _digamma_nonneg(np.where(arg > 0, arg, f(1)))
        out = np.where(neg, out - cot, out)
        out = np.where(neg & (d == np.trunc(d)), f(np.nan), out)
        out = np.where(d == 0, np.copysign(f(np.inf), -d), out)
        out = np.where(np.isnan(d), d, out)
    return out.reshape(x.shape).astype(result_dtype(x), copy=False)


def trigamma_array(x: Any) -> Any:
    """ψ⁽¹⁾(x) as torch's calc_trigamma: reflection below ½, six steps of recurrence, then
    ψ⁽¹⁾(x) ≈ (1 + 1/(2x) + (1/6 − (1/30 − 1/(42x²))/x²)/x²) / x (relative error up to
    ~1e-10 in float64: torch's values, kept)."""
    if is_device_array(x):
        return special_of(x).polygamma(1, x).astype(result_dtype(x), copy=False)
    x = np.asarray(x)
    d = _working(x)
    f = d.dtype.type
    one = f(1)
    low = d < f(0.5)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = _libm(np.sin, f(np.pi) * d)
        result = np.where(low, -(f(np.pi) * f(np.pi)) / (s * s), f(0))
        v = np.where(low, one - d, d)
        for _ in range(6):
            result = result + one / (v * v)
            v = v + one
        ixx = one / (v * v)
        result = result + (one + one / (f(2) * v) + ixx * (
            one / f(6) - ixx * (one / f(30) - ixx * (one / f(42))))) / v
    out = np.where(low, -result, result)
    return out.reshape(x.shape).astype(result_dtype(x), copy=False)


# (2i + 2)! / B₂ᵢ₊₂, i = 0..11: Cephes' Euler–Maclaurin tail coefficients (torch's zeta)
_ZETA_A = (
    12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1892437580.3183792, 74724249600.0,
    -2950130727918.164, 116467828143500.67, -4597978722407473.0, 1.8152105401943546e+17,
    -7.166165256175667e+18,
)
_MACHEP = 1.11022302462515654042e-16


_LONG_SUM = 64  # q below −64: the direct sum runs per element, its terms as one array
_MOST_TERMS = 1 << 24


def _zeta_head(x: float, q: float, s: float) -> tuple:
    """The direct part of torch's ζ(x, q) sum for one very negative q: s + Σₖ (q + k)^(−x)
    in torch's order (a cumulative sum, sequential as torch's loop), stopped where torch's
    loop stops. Returns (a, b, s, steps, done) as the loop leaves them."""
    steps = int(math.floor(9 - q)) + 1  # the first k with q + k > 9 (q + k is exact)
    if steps > _MOST_TERMS:
        raise RuntimeError(f"zeta: q = {q} would need {steps} terms of the direct sum "
                           f"(more than {_MOST_TERMS}); not supported")
    a = q + np.arange(1, steps + 1, dtype=np.float64)
    b = np.power(a, -x)
    sums = np.cumsum(np.concatenate(([s], b)))[1:]
    stop = (-_MACHEP * sums < b) & (b < _MACHEP * sums)
    k = int(np.argmax(stop)) if stop.any() else steps - 1
    return a[k], b[k], sums[k], k + 1, bool(stop[k])


def zeta_array(x: Any, q: Any) -> np.ndarray:
    """The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)^(−x), elementwise over the broadcast
    of x and q, in float64 (torch's Cephes algorithm: the sum up to k + q > 9, at least
    nine terms, then the Euler–Maclaurin tail; each element stops where its next term is
    below machine precision, as torch's loop returns)."""
    x, q = np.broadcast_arrays(np.array(x, dtype=np.float64, ndmin=1),
                               np.array(q, dtype=np.float64, ndmin=1))
    x, q = x.copy(), q.copy()
    with np.errstate(all="ignore"):
        special = np.full(x.shape, np.nan)
        special[x == 1] = np.inf
        qint = q == np.floor(q)
        special[(x > 1) & (q <= 0) & qint] = np.inf
        done = (x == 1) | (x < 1) | ((q <= 0) & (qint | (x != np.floor(x))))
        s = np.power(q, -x)
        a = q.copy()
        b = np.zeros_like(s)
        i = np.zeros(s.shape, dtype=np.int64)
        for j in np.flatnonzero(~done & (q < -_LONG_SUM)):  # one by one, the sum vectorized
            a.flat[j], b.flat[j], s.flat[j], i.flat[j], done.flat[j] = _zeta_head(
                x.flat[j], q.flat[j], s.flat[j])
        while True:
            run = ~done & ((i < 9) | (a <= 9))
            if not run.any():
                break
            i += run
            a = np.where(run, a + 1, a)
            b = np.where(run, np.power(a, -x), b)
            s = np.where(run, s + b, s)
            done |= run & (-_MACHEP * s < b) & (b < _MACHEP * s)
        w = a
        s = np.where(done, s, s + b * w / (x - 1) - 0.5 * b)
        a = np.ones_like(s)
        k = np.zeros_like(s)
        for c in _ZETA_A:
            a = a * (x + k)
            b = b / w
            t = a * b / c
            s = np.where(done, s, s + t)
            done |= np.abs(t / s) < _MACHEP
            k = k + 1
            a = a * (x + k)
            b = b / w
            k = k + 1
        fallback = (x == 1) | (x < 1) | ((q <= 0) & (qint | (x != np.floor(x))))
    return np.where(fallback, special, s)


def zeta_pair_array(x: Any, q: Any) -> np.ndarray:
    """ζ(x, q) over two arrays (or an array and a number), shaped as their broadcast, in
    their common dtype (a VJP's)."""
    dev = q if is_device_array(q) else x if is_device_array(x) else None
    if dev is not None:  # the device's own kernel (cupyx.scipy.special.zeta)
        return special_of(dev).zeta(x, q).astype(np.result_type(x, q), copy=False)
    out = zeta_array(x, q).reshape(np.broadcast_shapes(np.shape(x), np.shape(q)))
    with np.errstate(over="ignore"):  # past float32's range: inf, as torch's
        return out.astype(np.result_type(x, q), copy=False)


def polygamma_array(n: int, x: Any) -> Any:
    """ψ⁽ⁿ⁾(x), the n-th derivative of ψ (n = 0: digamma, 1: torch's trigamma,
    n ≥ 2: (−1)ⁿ⁺¹ n! ζ(n + 1, x))."""
    if is_device_array(x):
        return special_of(x).polygamma(n, x).astype(result_dtype(x), copy=False)
    if n == 0:
        return digamma_array(x)
    if n == 1:
        return trigamma_array(x)
    x = np.asarray(x)
    try:  # torch: exp(lgamma(n + 1)), inf past 170!
        factorial = math.exp(math.lgamma(n + 1))
    except OverflowError:
        factorial = math.inf
    z = zeta_array(n + 1, x)
    if result_dtype(x) != np.float64:  # torch rounds ζ to the input's precision first
        with np.errstate(over="ignore"):
            z = z.astype(result_dtype(x)).astype(np.float64)
    with np.errstate(all="ignore"):  # past float32's range: ±inf, as torch's
        out = (1.0 if n % 2 else -1.0) * factorial * z
        return out.reshape(x.shape).astype(result_dtype(x), copy=False)


# -- the differentiable ops ----------------------------------------------------------------
class LgammaBackward(Node):
    """y = ln|Γ(x)|;  dx = g ⊙ ψ(x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * xp.digamma(x),)


def lgamma(input: Tensor) -> Tensor:
    """ln|Γ(x)| elementwise (torch.lgamma); integers give float32."""
    check_tensor_args("lgamma", ("input", input, False))
    return unary(LgammaBackward, lgamma_array(input._data), input, save_input=True)


class DigammaBackward(Node):
    """y = ψ(x);  dx = g ⊙ ψ⁽¹⁾(x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * xp.polygamma(1, x),)


def digamma(input: Tensor) -> Tensor:
    """ψ(x) = Γ′(x)/Γ(x) elementwise (torch.digamma, torch.special.psi)."""
    check_tensor_args("digamma", ("input", input, False))
    return unary(DigammaBackward, digamma_array(input._data), input, save_input=True)


class PolygammaBackward(Node):
    """y = ψ⁽ⁿ⁾(x) (n in ``meta``);  dx = g ⊙ ψ⁽ⁿ⁺¹⁾(x)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * xp.polygamma(self.meta + 1, x),)


def _order(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n: int, input: Tensor) -> Tensor:
    """ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function, elementwise (torch.polygamma;
    n = 0 is digamma)."""
    n = _order(n)
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not "
                        f"{type(input).__name__}")
    return unary(PolygammaBackward, polygamma_array(n, input._data), input, save_input=True,
                 meta=n)


def polygamma_method(input: Tensor, n: int) -> Tensor:
    """``x.polygamma(n)``: torch's method takes the order second."""
    return polygamma(n, input)


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma of dimension p, elementwise:
    ln Γ_p(x) = p(p − 1)/4 · ln π + Σᵢ₌₀^{p−1} lgamma(x − i/2)
    (torch's composition: lgamma of x + (−(p−1)/2, …, −½, 0) summed over a new last dim)."""
    check_tensor_args("mvlgamma", ("input", input, False))
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"mvlgamma(): argument 'p' (position 2) must be int, not "
                        f"{type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    dtype = result_dtype(input._data)
    offsets = np.arange(-p * 0.5 + 0.5, 0.5, 0.5).astype(dtype)
    if is_device_array(input._data):  # made on the input's device, as torch's arange
        offsets = xp_of(input._data).asarray(offsets)
    if input._data.dtype != dtype:
        input = Tensor(input._data.astype(dtype))
    args = input.unsqueeze(-1) + Tensor._const(offsets)
    return lgamma(args).sum(-1) + p * (p - 1) * _LOG_PI / 4


class ZetaBackward(Node):
    """y = ζ(x, q);  dq = −g ⊙ x ⊙ ζ(x + 1, q) (torch has no dx: NotImplementedError).
    ``meta``: the operands' shapes when they differ from the output's (summed back)."""

    def vjp(self, g, xp):
        x, q = self.inputs(xp)
        if self.edges[0] is not None:  # torch's error (only q's derivative is known)
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        dq = g * -x * xp.zeta(x + 1, q)
        return (None, dq if self.meta[1] is None else xp.sum_to(dq, self.meta[1]))


def zeta(input: Any, other: Any) -> Tensor:
    """The Hurwitz zeta function ζ(x, q) = Σₖ₌₀^∞ (k + q)^(−x) (torch.special.zeta), over the
    broadcast of ``input`` (x) and ``other`` (q); either may be a Python number."""
    input, other = cpu_scalars_moved(input, other)
    dtype = result_type(input, other)
    if dtype.kind != "f":
        dtype = np.dtype(np.float32)
    x, q = (array_of(t) for t in (input, other))
    x, q = (a.astype(dtype, copy=False) if hasattr(a, "dtype") else dtype.type(a)
            for a in (x, q))
    out = zeta_pair_array(x, q).astype(dtype, copy=False)
    ts = (input, other)  # numbers stay numbers (the VJP adds 1 to x, on q's device)
    meta = tuple(None if np.shape(array_of(t)) == out.shape else np.shape(array_of(t))
                 for t in ts)
    return nary(ZetaBackward, out, ts, saved=ts, meta=meta)


METHODS = {"lgamma": lgamma, "digamma": digamma, "polygamma": polygamma_method,
           "mvlgamma": mvlgamma}
PUBLIC = ["lgamma", "digamma", "polygamma", "mvlgamma", "zeta"]
