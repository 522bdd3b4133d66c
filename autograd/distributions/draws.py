"""The random draws the families make, on the device their parameters live on.

Each function takes ``like`` (a parameter Tensor) and returns a new Tensor of ``like``'s
dtype on ``like``'s device, outside the graph: on the host from the default generator
(``ag.manual_seed`` seeds it), on a device from that device's own generator
(``autograd.random.device_generator``: CuPy's cuRAND stream, seeded from the default
seed, as torch's per-device generators). Nothing is drawn on the host and copied over.
The numbers are not torch's (see ``autograd.random``); their distributions are.

Shapes are torch's ``sample_shape + batch_shape + event_shape``; the transforms that
turn these standard draws into a family's samples are the families' own (in Tensor
ops, so that ``rsample`` stays differentiable in the parameters).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.random import device_generator, generator
from autograd.tensor import Tensor, _wrap

__all__ = [
    "binomial", "poisson", "standard_exponential", "standard_gamma", "standard_normal", "uniform",
]


def _native(dtype: Any) -> np.dtype:
    """The dtype a generator draws in: float32 and float64 directly, others (float16)
    in float32, rounded afterwards (as CuPy's generators take only these two)."""
    dt = np.dtype(dtype)
    return dt if dt in (np.float32, np.float64) else np.dtype(np.float32)


def _draw(like: Tensor, method: str, shape: tuple, *args: Any) -> Tensor:
    """``generator.method(*args, shape, dtype=…)`` in ``like``'s dtype on its device."""
    data = like._data
    native = _native(like.dtype)
    if data.__class__ is np.ndarray:
        out = getattr(generator(), method)(*args, size=tuple(shape), dtype=native)
    else:  # the device's generator draws into device memory
        out = getattr(device_generator(data), method)(*args, size=tuple(shape), dtype=native)
    if out.dtype != like.dtype:
        out = out.astype(like.dtype)
    return _wrap(out, None)


def standard_normal(shape: tuple, like: Tensor) -> Tensor:
    """N(0, 1) draws of ``shape``."""
    return _draw(like, "standard_normal", shape)


def uniform(shape: tuple, like: Tensor) -> Tensor:
    """U[0, 1) draws of ``shape``."""
    data = like._data
    if data.__class__ is np.ndarray:
        return _draw(like, "random", shape)
    return _draw(like, "random_sample", shape)


def standard_exponential(shape: tuple, like: Tensor) -> Tensor:
    """Exp(1) draws of ``shape``."""
    return _draw(like, "standard_exponential", shape)


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(α, 1) draws, one per entry of ``concentration`` (its shape; α > 0), by the
    generator's Marsaglia–Tsang sampler. Drawn in float64 on the host (NumPy draws
    Gamma in float64 only) and rounded to α's dtype; clamped below at the dtype's
    smallest normal number, as torch's ``_standard_gamma`` (a draw of 0 would give
    −inf log-densities and NaN Dirichlet/Beta samples)."""
    alpha = concentration.detach()._data
    dt = np.dtype(alpha.dtype)
    if alpha.__class__ is np.ndarray:
        out = generator().standard_gamma(alpha.astype(np.float64)).astype(dt)
    else:
        out = device_generator(alpha).standard_gamma(alpha, size=alpha.shape,
                                                     dtype=_native(dt)).astype(dt)
    tiny = dt.type(np.finfo(dt).tiny)
    return _wrap(out, None).clamp(min=float(tiny))


def poisson(rate: Tensor) -> Tensor:
    """Poisson(λ) counts, one per entry of ``rate`` (its shape and float dtype)."""
    lam = rate.detach()._data
    if lam.__class__ is np.ndarray:
        out = generator().poisson(lam.astype(np.float64))
    else:
        out = device_generator(lam).poisson(lam, size=lam.shape)
    return _wrap(out.astype(lam.dtype), None)


def binomial(total_count: Tensor, probs: Tensor) -> Tensor:
    """Binomial(n, p) counts of one shape, in ``probs``' float dtype."""
    n, p = total_count.detach()._data, probs.detach()._data
    if p.__class__ is np.ndarray:
        out = generator().binomial(n.astype(np.int64), p.astype(np.float64))
    else:
        out = device_generator(p).binomial(n.astype(np.int64), p, size=p.shape)
    return _wrap(out.astype(p.dtype), None)
