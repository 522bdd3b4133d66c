"""torch's window functions for spectral analysis (``torch.hann_window`` and its kin): the
tapers an STFT multiplies each frame by. For a window of length L, N = L − 1 for a
symmetric window (``periodic=False``, for filter design) and N = L for a periodic one
(``periodic=True``, the default, for spectral analysis: the symmetric window of length
L + 1 less its last value), n = 0 … L − 1:

- Hann:     w[n] = ½ − ½ cos(2πn/N)
- Hamming:  w[n] = α − β cos(2πn/N)                        (α = 0.54, β = 0.46)
- Blackman: w[n] = 0.42 − ½ cos(2πn/N) + 0.08 cos(4πn/N)
- Bartlett: w[n] = 1 − |2n/N − 1|                          (triangular)
- Kaiser:   w[n] = I₀(β √(1 − (2n/N − 1)²)) / I₀(β)         (β = 12)

Each is computed in the requested floating dtype (the default float32), in the order of
operations that gives torch's roundings (e.g. Blackman's first value is −3e-8 in float32,
as torch's, not 0). Lengths 0 and 1 give ``[]`` and ``[1.]``. The windows are constants:
nothing to differentiate (``requires_grad=True`` makes a leaf that does).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import factories
from autograd.ops.bessel import i0_array

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]


def _window(name: str, window_length: Any, periodic: bool, dtype: Any, device: Any,
            requires_grad: bool, values: Any) -> Any:
    """The window ``values(n, N)`` for n = 0 … L − 1 (an arange in the window's dtype), its
    length and dtype checked as torch checks them."""
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    dt = np.dtype(dtype if dtype is not None else factories.DEFAULT_FLOAT)
    if dt.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if window_length <= 1:
        data = np.ones(window_length, dtype=dt)
    else:
        length = window_length + 1 if periodic else window_length
        with np.errstate(invalid="ignore"):
            data = values(np.arange(length, dtype=dt), length - 1)[:window_length]
    return factories._make(np.ascontiguousarray(data, dtype=dt), requires_grad, device)


def _raised_cosine(alpha: float, beta: float) -> Any:
    """w[n] = α − β cos(2πn/N), in the window's dtype (Hann: α = β = ½)."""
    def values(n: np.ndarray, big_n: int) -> np.ndarray:
        dt = n.dtype.type
        return np.cos(n * dt(2 * math.pi / big_n)) * dt(-beta) + dt(alpha)

    return values


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Any:
    """The Hamming window w[n] = α − β cos(2πn/N) (torch.hamming_window; see the module
    docstring for N and ``periodic``), shape (window_length,)."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _raised_cosine(alpha, beta))


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
    """The Hann window w[n] = ½ − ½ cos(2πn/N) (torch.hann_window), shape
    (window_length,): the Hamming window with α = β = ½."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _raised_cosine(0.5, 0.5))


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Any:
    """The Blackman window w[n] = 0.42 − ½ cos(2πn/N) + 0.08 cos(4πn/N)
    (torch.blackman_window), shape (window_length,)."""
    def values(n: np.ndarray, big_n: int) -> np.ndarray:
        dt = n.dtype.type
        t = n * dt(math.pi / big_n)
        return np.cos(t * dt(4)) * dt(0.08) - np.cos(t * dt(2)) * dt(0.5) + dt(0.42)

    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   values)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Any:
    """The Bartlett (triangular) window w[n] = 1 − |2n/N − 1| (torch.bartlett_window),
    shape (window_length,): 2n/N rising to 1 at the middle, 2 − 2n/N after it."""
    def values(n: np.ndarray, big_n: int) -> np.ndarray:
        dt = n.dtype.type
        w = n * dt(2 / big_n)
        half = big_n // 2 + 1  # the rising half: n = 0 … ⌊N/2⌋
        w[half:] = dt(2) - w[half:]
        return w

    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   values)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Any:
    """The Kaiser window w[n] = I₀(β √(1 − (2n/N − 1)²)) / I₀(β) (torch.kaiser_window; I₀
    the modified Bessel function of the first kind of order 0), shape (window_length,)."""
    def values(n: np.ndarray, big_n: int) -> np.ndarray:
        dt = n.dtype.type
        alpha = dt(big_n / 2)
        r = (n - alpha) / alpha
        arg = dt(beta) * np.sqrt(np.maximum(dt(1) - r * r, dt(0)))
        return (i0_array(arg) / i0_array(np.asarray(dt(beta)))).astype(n.dtype)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   values)
