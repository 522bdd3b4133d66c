"""The standard normal distribution's functions (torch.special): ``ndtr`` (its CDF Φ),
``log_ndtr`` (ln Φ, accurate far in the lower tail) and ``ndtri`` (Φ⁻¹), each forward on
arrays next to its VJP, built on the error functions of ``ops/special.py``.

As torch: Φ(x) = ½(1 + erf(x/√2)) (0 below x ≈ −8.3, where ½ erfc(−x/√2) would not be: torch's
values); ln Φ(x) =
ln(erfcx(−x/√2)/2) − x²/2 below −1 and log1p(−erfc(x/√2)/2) above. Φ⁻¹(p) starts from
Abramowitz–Stegun 26.2.23 (error < 4.5e-4) and takes Newton steps: on ½ erf(x/√2) = p − ½
(p − ½ exact) for p in [0.1, 0.9], on ln Φ(x) = ln p in the tails (p > 0.9 as −Φ⁻¹(1 − p),
as torch's Cephes does), which converge quadratically to ~1e-16 relative.
"""

from __future__ import annotations

import math

import numpy as np

from autograd.backend import is_device_array, special_of
from autograd.graph import Node
from autograd.ops.record import check_tensor_args, unary
from autograd.ops.special import erf_array, erfc_array, erfcx_array
from autograd.tensor import Tensor

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


def _working(x: np.ndarray) -> np.ndarray:
    """x as a float array in the precision torch computes in (float32 below float64)."""
    return np.array(x, dtype=np.float64 if x.dtype == np.float64 else np.float32, ndmin=1)


def _libm(fn, x: np.ndarray) -> np.ndarray:
    """fn(x) rounded once to x's precision, as glibc's float32 functions (NumPy's float32
    loops and the float32 expansions of ops/special.py are ulps off them)."""
    return fn(x) if x.dtype == np.float64 else fn(x.astype(np.float64)).astype(x.dtype)


def _f64(x: np.ndarray) -> np.ndarray:
    return np.array(x, dtype=np.float64, ndmin=1)


def ndtr_array(x: np.ndarray) -> np.ndarray:
    """Φ(x) = ½(1 + erf(x/√2)) elementwise (x's float dtype; integers give float32)."""
    if is_device_array(x):  # the device's own kernels (cupyx.scipy.special)
        return special_of(x).ndtr(x).astype(_dtype(x), copy=False)
    x = np.asarray(x)
    t = _working(x)
    t *= t.dtype.type(_SQRT1_2)
    # torch's formula everywhere, in x's precision: below x ≈ −8.3 (−6.2 in float32) it is
    # 0, not ½ erfc(−x/√2), as torch's
    out = (1 + _libm(erf_array, t)) * t.dtype.type(0.5)
    return out.reshape(x.shape).astype(_dtype(x), copy=False)


def log_ndtr_array(x: np.ndarray) -> np.ndarray:
    """ln Φ(x) elementwise, finite down to x = −1e154 (erfcx keeps the tail)."""
    if is_device_array(x):
        return special_of(x).log_ndtr(x).astype(_dtype(x), copy=False)
    x = np.asarray(x)
    t = _working(x)
    f = t.dtype.type
    t *= f(_SQRT1_2)
    # in x's precision, as torch (glibc's logf rounds once: the logs via float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        low = _libm(np.log, _libm(erfcx_array, -t) / f(2)) - t * t
        high = _libm(np.log1p, -_libm(erfc_array, t) / f(2))
        out = np.where(t < f(-_SQRT1_2), low, high)
    return out.reshape(x.shape).astype(_dtype(x), copy=False)


def _ndtri_lower(q: np.ndarray) -> np.ndarray:
    """Φ⁻¹(q) for 0 < q ≤ ½ (float64)."""
    t = np.sqrt(-2 * np.log(q))
    x = -(t - (2.515517 + t * (0.802853 + t * 0.010328))
          / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))))
    central = q >= 0.1
    half = q - 0.5  # exact (Sterbenz) for q in [¼, 1]; the central steps need it there
    logq = np.log(q)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for _ in range(4):
            density = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
            lin = (0.5 * erf_array(x * _SQRT1_2) - half) / density
            ln_cdf = log_ndtr_array(x)
            log_step = (ln_cdf - logq) / (density / np.exp(ln_cdf))
            x = x - np.where(central, lin, log_step)
    return x


def ndtri_array(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p) elementwise: −inf at 0, inf at 1, nan outside [0, 1]."""
    if is_device_array(p):
        return special_of(p).ndtri(p).astype(_dtype(p), copy=False)
    p = np.asarray(p)
    d = _f64(p)
    out = np.full_like(d, np.nan)
    upper = d > 0.5
    q = np.where(upper, 1 - d, d)
    inner = (q > 0) & (d <= 1) & (d >= 0)
    if inner.any():
        r = _ndtri_lower(q[inner])
        out[inner] = np.where(upper[inner], -r, r)
    out[d == 0] = -np.inf
    out[d == 1] = np.inf
    return out.reshape(p.shape).astype(_dtype(p), copy=False)


class NdtrBackward(Node):
    """y = Φ(x);  dx = g · e^(−x²/2) / √(2π)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * _INV_SQRT_2PI * xp.exp(x * x * -0.5),)


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF Φ(x) = ½(1 + erf(x/√2)), elementwise (torch.special.ndtr)."""
    check_tensor_args("special_ndtr", ("input", input, False))
    return unary(NdtrBackward, ndtr_array(input._data), input, save_input=True)


class LogNdtrBackward(Node):
    """y = ln Φ(x);  dx = g · e^(−y − x²/2) / √(2π)."""

    def vjp(self, g, xp):
        (x,) = self.inputs(xp)
        return (g * _INV_SQRT_2PI * xp.exp(-(self.output(xp) + x * x * 0.5)),)


def log_ndtr(input: Tensor) -> Tensor:
    """ln Φ(x), elementwise, accurate in the lower tail (torch.special.log_ndtr)."""
    check_tensor_args("special_log_ndtr", ("input", input, False))
    return unary(LogNdtrBackward, log_ndtr_array(input._data), input, save_input=True,
                 save_out=True)


class NdtriBackward(Node):
    """y = Φ⁻¹(p);  dp = g · √(2π) · e^(y²/2)."""

    def vjp(self, g, xp):
        y = self.output(xp)
        return (g * _SQRT_2PI * xp.exp(y * y * 0.5),)


def ndtri(input: Tensor) -> Tensor:
    """The standard normal quantile function Φ⁻¹(p), elementwise (torch.special.ndtri)."""
    check_tensor_args("special_ndtri", ("input", input, False))
    return unary(NdtriBackward, ndtri_array(input._data), input, save_out=True)


PUBLIC = ["ndtr", "log_ndtr", "ndtri"]
