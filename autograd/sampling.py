"""Random tensors with torch's signatures, dtypes and argument checks.

Every draw takes ``generator=`` (an ``ag.Generator``; None is the default generator,
seeded by ``ag.manual_seed``). The numbers come from that generator's NumPy stream and
are reproducible from its seed, but are not torch's numbers (see ``autograd.random``).
Results are new leaves, except that ``normal``, ``bernoulli`` and ``poisson`` of tensors
that require grad record a node whose gradient is zero (torch's ``NormalBackward``,
``BernoulliBackward`` and ``PoissonBackward``: a sample depends on its parameters only
through chance).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import backend
from autograd.dims import size_tuple
from autograd.function import Function
from autograd.grad_mode import is_grad_enabled
from autograd.promotion import torch_name
from autograd.random import resolve
from autograd.tensor import Tensor, _wrap

__all__ = [
    "bernoulli", "multinomial", "normal", "poisson", "rand", "rand_like", "randint", "randint_like",
    "randn", "randn_like", "randperm",
]

_DEFAULT_FLOAT = np.dtype(np.float32)


_size = size_tuple


class _Draw(Function):
    """A sample recorded against its parameters with gradient zero, as torch's."""

    @staticmethod
    def forward(ctx, sample: Tensor, *params: Tensor) -> Tensor:
        ctx.metas = [(p.shape, p.dtype) for p in params]
        return sample

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple:
        return (None, *(_wrap(np.zeros(s, d), None) for s, d in ctx.metas))


class Normal(_Draw):
    pass


class Bernoulli(_Draw):
    pass


class Poisson(_Draw):
    pass


def _recorded(kind: type[_Draw], sample: np.ndarray, *params: Any) -> Tensor:
    out = _wrap(sample, None)
    needs = [p for p in params if isinstance(p, Tensor) and p.requires_grad]
    if needs and is_grad_enabled():
        return kind.apply(out, *needs)
    return out


def _size_arg(size: tuple, kw: dict, fn: str) -> tuple:
    # torch also takes the shape as ``size=``, and needs one or the other
    if kw:
        if set(kw) != {"size"} or size:
            raise TypeError(f"{fn}() got unexpected arguments {sorted(kw)}")
        return (kw["size"],)
    if not size:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    return size


def _leaf(data: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    # drawn on the host by the one generator (the same numbers on every device), then moved
    if device is not None or backend._Default.device is not None:
        data = backend.to(data, backend.default_device(device))
    t = _wrap(data, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype: Any, fn: str, kernel: str) -> np.dtype:
    dt = _DEFAULT_FLOAT if dtype is None else np.dtype(dtype)
    if dt.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dt}\' ({fn} draws '
                                  "floating-point numbers only)")
    return dt


def _float_draw(rng: np.random.Generator, method: str, shape: tuple, dt: np.dtype) -> np.ndarray:
    # NumPy draws float32 and float64 directly; float16 is drawn in float32 and rounded.
    native = dt if dt in (np.float32, np.float64) else np.dtype(np.float32)
    return getattr(rng, method)(shape, dtype=native).astype(dt, copy=False)


def randn(*size: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None, **kw: Any) -> Tensor:
    """Samples of the standard normal N(0, 1), shape ``size``; float32 unless ``dtype``."""
    dt = _float_dtype(dtype, "randn", "normal_kernel_cpu")
    size = _size_arg(size, kw, "randn")
    return _leaf(_float_draw(resolve(generator), "standard_normal", _size(size, "randn"), dt),
                 requires_grad, device)


def rand(*size: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None, **kw: Any) -> Tensor:
    """Samples of the uniform distribution U[0, 1), shape ``size``; float32 unless ``dtype``."""
    dt = _float_dtype(dtype, "rand", "check_uniform_bounds")
    size = _size_arg(size, kw, "rand")
    return _leaf(_float_draw(resolve(generator), "random", _size(size, "rand"), dt),
                 requires_grad, device)


def randn_like(input: Tensor, *, generator: Any = None, dtype: Any = None,
               requires_grad: bool = False, device: Any = None) -> Tensor:
    """``randn`` with ``input``'s shape and dtype."""
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype,
                 requires_grad=requires_grad, device=device or input.device)


def rand_like(input: Tensor, *, generator: Any = None, dtype: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """``rand`` with ``input``'s shape and dtype."""
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype,
                requires_grad=requires_grad, device=device or input.device)


def _int_bounds(low: Any, high: Any) -> tuple[int, int]:
    lo, hi = int(low), int(high)
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={lo} >= to={hi}")
    return lo, hi


# the C++ names torch's range errors give each dtype
_C_TYPES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
            "int64": "long", "bool": "bool", "float16": "c10::Half", "float32": "float",
            "float64": "double"}


def _uniform_ints(lo: int, hi: int, shape: tuple, dt: np.dtype, gen: Any,
                  requires_grad: bool, device: Any = None) -> Tensor:
    # torch's check that [lo, hi) fits the dtype (bool: [0, 2); a float type: its range)
    info = np.iinfo(dt) if dt.kind in "iu" else np.finfo(dt) if dt.kind == "f" else None
    lowest, highest = (0, 1) if info is None else (info.min, info.max)
    name = _C_TYPES.get(dt.name, dt.name)
    if lo < lowest:
        raise RuntimeError(f"from is out of bounds for {name}")
    if hi - 1 > highest:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")
    data = resolve(gen).integers(lo, hi, size=shape, dtype=np.int64)
    return _leaf(data.astype(dt, copy=False), requires_grad, device)


def randint(*args: Any, low: Any = None, high: Any = None, size: Any = None,
            generator: Any = None, dtype: Any = None, requires_grad: bool = False,
            device: Any = None) -> Tensor:
    """Integers uniform on ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)`` (``size`` a tuple); int64 unless ``dtype``."""
    given = list(args)
    if len(given) > 3:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(given)} given)")
    if size is None and given:
        size = given.pop()
    if high is None and given:
        high = given.pop()
    if low is None and given:
        low = given.pop()
    if given or high is None or size is None:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    if not isinstance(size, tuple | list):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    lo, hi = _int_bounds(0 if low is None else low, high)
    dt = np.dtype(np.int64 if dtype is None else dtype)
    return _uniform_ints(lo, hi, _size(tuple(size), "randint"), dt, generator, requires_grad,
                         device)


def randint_like(input: Tensor, low: Any = 0, high: Any = None, *, generator: Any = None,
                 dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """``randint`` with ``input``'s shape and dtype: ``randint_like(input, high)`` or
    ``randint_like(input, low, high)``."""
    if high is None:
        low, high = 0, low
    lo, hi = _int_bounds(low, high)
    dt = np.dtype(dtype or input.dtype)
    return _uniform_ints(lo, hi, tuple(input.shape), dt, generator, requires_grad,
                         device or input.device)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1``; int64 unless ``dtype``."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = np.dtype(np.int64 if dtype is None else dtype)
    return _leaf(resolve(generator).permutation(int(n)).astype(dt, copy=False), requires_grad,
                 device)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """Category indices drawn with probabilities proportional to the rows of ``input``.

    ``input``: (C,) or (N, C) non-negative weights (need not sum to 1). Returns int64 of
    shape (num_samples,) or (N, num_samples). Without replacement each row's samples
    are distinct: keys wᵢ / Eᵢ with Eᵢ ~ Exp(1), largest first (the exponential-race
    form of sequential sampling, as torch computes it).
    """
    p = np.asarray(input)
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, "
                           f"got: {p.dtype}")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    cats = p.shape[-1]
    if not replacement and n > cats:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = p.reshape(-1, cats).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = resolve(generator)
    if replacement:
        cdf = np.cumsum(rows / totals[:, None], axis=1)
        cdf[:, -1] = 1.0
        u = rng.random((rows.shape[0], n))
        out = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        # a zero-weight category has an empty interval; rounding may still land on it
        out = np.minimum(out, cats - 1)
    else:
        # fewer positive weights than samples: torch goes on with the zero-weight
        # categories, in index order (their keys are all 0; the sort is stable)
        keys = rows / rng.standard_exponential(rows.shape)
        out = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    out = out.astype(np.int64)
    return _wrap(out.reshape(n) if p.ndim == 1 else out, None)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Samples of N(mean, std²), torch's overloads: ``normal(Tensor mean, Tensor std)``
    (broadcast), ``normal(Tensor mean, float std=1)``, ``normal(float mean, Tensor std)``
    (the tensor's dtype), and ``normal(float mean, float std, size)`` (float32 unless
    ``dtype``). ``std`` must be ≥ 0."""
    m_t, s_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    rng = resolve(generator)
    if not m_t and not s_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float): give a size, or a Tensor mean or std")
        if float(std) < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dt = _float_dtype(dtype, "normal", "normal_kernel_cpu")
        shape = _size(tuple(size) if isinstance(size, tuple | list) else (size,), "normal")
        z = _float_draw(rng, "standard_normal", shape, dt)
        return _leaf((z * dt.type(std) + dt.type(mean)).astype(dt, copy=False), requires_grad,
                     device)
    if size is not None:
        raise TypeError("normal(): size is only taken with a float mean and a float std")
    m = np.asarray(mean) if m_t else None
    s = np.asarray(std) if s_t else None
    dt = np.result_type(*(a.dtype for a in (m, s) if a is not None))
    if dt.kind != "f":
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{dt}\'')
    m = m if m is not None else np.asarray(mean, dtype=dt)
    s = s if s is not None else np.asarray(std, dtype=dt)
    if (s < 0).any():
        raise RuntimeError(f"normal expects all elements of std >= 0.0, found {s.min()}")
    shape = np.broadcast_shapes(m.shape, s.shape)
    z = _float_draw(rng, "standard_normal", shape, np.dtype(dt))
    return _recorded(Normal, (z * s + m).astype(dt, copy=False), mean, std)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """0/1 samples, 1 with probability ``input`` elementwise (or the float ``p`` for every
    element); the result has ``input``'s shape and dtype. Probabilities lie in [0, 1]."""
    probs = np.asarray(input)
    if probs.dtype.kind not in "f" and p is None:  # with p, any dtype takes the 0/1 draws
        raise NotImplementedError(f'"bernoulli" not implemented for \'{probs.dtype}\'')
    if p is not None:
        probs = np.full(probs.shape, float(p))
    if not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = resolve(generator).random(probs.shape)
    return _recorded(Bernoulli, (u < probs).astype(np.asarray(input).dtype), input)


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Poisson(λ) counts, one per entry of ``input`` (the rates λ ≥ 0), in its shape and
    float dtype (torch.poisson); recorded with gradient zero when ``input`` requires grad,
    as torch's ``PoissonBackward``."""
    rates = np.asarray(input)
    if rates.dtype.kind != "f":
        raise NotImplementedError(f'"poisson_cpu" not implemented for '
                                  f"'{torch_name(rates.dtype)}'")
    if not (rates >= 0).all():  # NaN too
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    counts = resolve(generator).poisson(rates.astype(np.float64))
    return _recorded(Poisson, counts.astype(rates.dtype), input)


# -- in-place draws: ``w.data.normal_(0, 0.01)``, ``t.uniform_(-a, a)`` (as torch's) --------
def _fill_with(t: Tensor, sample: np.ndarray) -> Tensor:
    """Write ``sample`` into ``t`` through ``copy_``: version counted, refused on a leaf
    that requires grad (outside no_grad), and on a tensor in a graph recorded as an
    overwrite (no gradient flows to what it held before), as torch's in-place draws."""
    return t.copy_(_wrap(sample, None))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: Any = None) -> Tensor:
    """Fill with samples of N(mean, std²), in place."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = _float_dtype(self.dtype, "normal_", "normal_kernel_cpu")
    z = _float_draw(resolve(generator), "standard_normal", self.shape, dt)
    return _fill_with(self, (z * dt.type(std) + dt.type(mean)).astype(dt, copy=False))


def uniform_(self: Tensor, *args: Any, generator: Any = None, **kw: Any) -> Tensor:
    """``uniform_(from=0, to=1)``: fill with samples of U[from, to), in place."""
    names = ("from", "to")
    bounds = dict(zip(names, args)) | {k: v for k, v in kw.items() if k in names}
    if len(args) > 2 or set(kw) - set(names):
        raise TypeError(f"uniform_() takes from and to, got {args} {sorted(kw)}")
    lo, hi = float(bounds.get("from", 0.0)), float(bounds.get("to", 1.0))
    if lo > hi:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={lo} > to={hi}")
    dt = _float_dtype(self.dtype, "uniform_", "check_uniform_bounds")
    u = _float_draw(resolve(generator), "random", self.shape, dt)
    return _fill_with(self, (u * dt.type(hi - lo) + dt.type(lo)).astype(dt, copy=False))


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 0/1 samples, 1 with probability ``p`` (a number or a tensor), in place."""
    probs = np.broadcast_to(np.asarray(p, dtype=np.float64), self.shape)
    if not ((probs >= 0) & (probs <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = resolve(generator).random(self.shape)
    return _fill_with(self, (u < probs).astype(self.dtype))


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of the exponential distribution of rate ``lambd``, in place."""
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    dt = _float_dtype(self.dtype, "exponential_", "exponential_cpu")
    e = resolve(generator).standard_exponential(self.shape).astype(dt) / dt.type(lambd)
    return _fill_with(self, e.astype(dt, copy=False))


for _fn in (normal_, uniform_, bernoulli_, exponential_):
    setattr(Tensor, _fn.__name__, _fn)
