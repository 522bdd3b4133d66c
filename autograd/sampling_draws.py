"""torch's other in-place draws (``random_``, ``cauchy_``, ``log_normal_``,
``geometric_``) and the sampling methods ``Tensor.bernoulli``/``Tensor.multinomial``.

Distributions, dtypes and argument checks are torch's; the numbers come from chainrule's
generator (``generator=`` or the default one), not torch's stream. The draws are written
through ``copy_`` as the others of ``autograd.sampling``: version counted, refused on a leaf
that requires grad outside ``no_grad``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd.random import resolve
from autograd.sampling import _fill_with, _float_draw, bernoulli, multinomial
from autograd.tensor import Tensor

# torch's C++ type names in its messages about a dtype's bounds
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool", "float32": "float", "float64": "double",
            "float16": "c10::Half"}
_TORCH = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
          "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half"}


def _int_range(dt: np.dtype) -> tuple[int, int]:
    """The integers ``random_`` may draw into ``dt`` (a float's exactly representable ones:
    [-2^digits, 2^digits])."""
    if dt.kind == "b":
        return 0, 1
    if dt.kind == "f":
        digits = np.finfo(dt).nmant + 1
        return -(2 ** digits), 2 ** digits
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


def random_(self: Tensor, *args: Any, generator: Any = None, **kw: Any) -> Tensor:
    """Fill with integers uniform on [from, to): ``random_()`` draws over [0, the dtype's
    largest exact integer] (2^24 for float32, 2^53 for float64), ``random_(to)`` over
    [0, to), ``random_(from, to)``; ``to=None`` means up to the dtype's largest."""
    names = ("from", "to")
    if len(args) > 2 or set(kw) - set(names):
        raise TypeError(f"random_() takes from and to, got {args} {sorted(kw)}")
    given = dict(zip(names, args)) | kw
    if len(args) == 1 and "to" not in kw:  # random_(to)
        given = {"from": 0, "to": args[0]}
    dt = np.dtype(self.dtype)
    lo_ok, hi_ok = _int_range(dt)
    lo = int(given.get("from", 0))
    to = given.get("to", None)
    if "from" not in given and "to" not in given:
        hi = hi_ok if dt.kind in "fb" else int(np.iinfo(dt).max)
    elif to is None:
        hi = hi_ok
    else:
        hi = int(to) - 1
        if lo >= int(to):
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={lo} >= to={int(to)}")
    name = _C_NAMES.get(dt.name, dt.name)
    if dt.kind == "f":
        top = float(np.finfo(dt).max)
        for what, v in (("from", lo), ("to - 1", hi)):
            if not -top <= v <= top:
                raise RuntimeError(f"{what} is out of bounds for {name}")
        for what, v in (("from", lo), ("to - 1", hi)):
            if not lo_ok <= v <= hi_ok:
                digits = np.finfo(dt).nmant + 1
                warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                              f"precision limitations {name} can support discrete uniform "
                              "distribution only within this range.", UserWarning,
                              stacklevel=2)
    else:
        if not lo_ok <= lo <= hi_ok:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo_ok <= hi <= hi_ok:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
    values = resolve(generator).integers(lo, hi, size=self.shape, endpoint=True,
                                         dtype=np.int64)
    return _fill_with(self, values.astype(dt))


def _continuous(self: Tensor, kernel: str, what: str) -> np.dtype:
    dt = np.dtype(self.dtype)
    if dt.kind != "f":
        if what:
            raise RuntimeError(f"{what} distribution is a continuous probability distribution. "
                               f"dtype must be a floating point but you specified "
                               f"{_C_NAMES.get(dt.name, dt.name)}")
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_TORCH.get(dt.name, dt.name)}'")
    return dt


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *,
            generator: Any = None) -> Tensor:
    """Fill with samples of the Cauchy distribution: median + sigma · tan(π (u − ½))."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    dt = _continuous(self, "cauchy_cpu", "Cauchy")
    u = resolve(generator).random(self.shape)
    return _fill_with(self, (median + sigma * np.tan(math.pi * (u - 0.5))).astype(dt))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *,
                generator: Any = None) -> Tensor:
    """Fill with exp(N(mean, std²)) samples (the log-normal with those log-moments)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    dt = _continuous(self, "log_normal_cpu", "")
    z = _float_draw(resolve(generator), "standard_normal", self.shape, np.dtype(np.float64))
    return _fill_with(self, np.exp(mean + std * z).astype(dt))


def geometric_(self: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...);
    integer dtypes too (a count past the dtype's range wraps, as torch's cast)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    dt = np.dtype(self.dtype)
    if dt.kind == "b":
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    k = resolve(generator).geometric(p, self.shape).astype(np.int64)
    return _fill_with(self, k.astype(dt))


def _bernoulli(self: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """0/1 samples with probabilities ``self`` (or ``p`` for every element), as
    ``autograd.bernoulli``."""
    return bernoulli(self, p, generator=generator)


def _multinomial(self: Tensor, num_samples: int, replacement: bool = False, *,
                 generator: Any = None) -> Tensor:
    """Category indices drawn with the rows of ``self`` as weights, as
    ``autograd.multinomial``."""
    return multinomial(self, num_samples, replacement, generator=generator)


for _name, _fn in (("random_", random_), ("cauchy_", cauchy_), ("log_normal_", log_normal_),
                   ("geometric_", geometric_), ("bernoulli", _bernoulli),
                   ("multinomial", _multinomial)):
    setattr(Tensor, _name, _fn)
