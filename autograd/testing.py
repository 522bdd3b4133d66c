"""``ag.testing``: torch.testing's ``assert_close``, ``assert_allclose`` and ``make_tensor``.

``assert_close(actual, expected)`` follows torch's pairing rules: two sequences (not str)
are compared item by item and two mappings key by key (recursively); then ``None`` with
``None``, bools with bools, Python (or NumPy) numbers with numbers, and tensors with tensors
(or two NumPy arrays); any other pair raises TypeError. Tensors must agree in shape, and
unless switched off in device and dtype; their values are compared as ``isclose``:
``|a - e| <= atol + rtol * |e|`` in the (promoted) dtype, equal infinities matching and NaN
matching NaN only with ``equal_nan``. Default tolerances are the loosest of the two dtypes'
(``rtol``, ``atol``): float16 (1e-3, 1e-5), float32 and complex64 (1.3e-6, 1e-5), float64
and complex128 (1e-7, 1e-7), integers and bool (0, 0); Python ints count as int64, floats
as float64, complex as complex128. The first failure raises AssertionError with torch's
message (the item path appended for nested inputs); ``msg`` (a str, or a callable given the
generated message) replaces it.
"""

from __future__ import annotations

import cmath
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd.dtype_info import finfo, iinfo, promote_types
from autograd.tensor import Tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

_PRECISIONS = {np.dtype(np.float16): (0.001, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
               np.dtype(np.complex128): (1e-7, 1e-7)}
_NUMBER_DTYPES = {int: np.dtype(np.int64), float: np.dtype(np.float64),
                  complex: np.dtype(np.complex128)}


class _Mismatch(Exception):  # noqa: N818 - internal carrier, never escapes
    """A failure found at item path ``id``: raised as ``kind(message)`` at the top."""

    def __init__(self, kind: type, message: str, id: tuple = ()) -> None:  # noqa: A002
        super().__init__(message)
        self.kind, self.message, self.id = kind, message, id

    def error(self, msg: str | Callable[[str], str] | None) -> Exception:
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.message
        if self.id:
            text += "\n\nThe failure occurred for item " + "".join(str([i]) for i in self.id)
        return self.kind(msg(text) if callable(msg) else text)


def _tolerances(dtypes: list, rtol: float | None, atol: float | None,
                precisions: dict | None = None) -> tuple[float, float]:
    if (rtol is None) ^ (atol is None):
        raise _Mismatch(ValueError, "Both 'rtol' and 'atol' must be either specified or "
                        f"omitted, but got no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    table = precisions or _PRECISIONS
    pairs = [table.get(np.dtype(d), (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _diff_line(kind: str, diff: Any, idx: tuple | None, tol: float, equality: bool) -> str:
    line = (f"{kind.title()} difference: {diff}" if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}")
    return line if equality else f"{line} (up to {tol} allowed)"


def _message(default: str, extra: str, abs_diff: Any, abs_idx: tuple | None, rel_diff: Any,
             rel_idx: tuple | None, rtol: float, atol: float) -> str:
    equality = rtol == 0 and atol == 0
    return (f"{default} are not {'equal' if equality else 'close'}!\n\n{extra}\n"
            + _diff_line("absolute", abs_diff, abs_idx, atol, equality) + "\n"
            + _diff_line("relative", rel_diff, rel_idx, rtol, equality))


def _scalar_message(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _message("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                    rel_diff, None, rtol, atol)


def _compare_numbers(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                     equal_nan: bool, check_dtype: bool) -> None:
    a, e = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    if type(a) not in _NUMBER_DTYPES or type(e) not in _NUMBER_DTYPES:
        raise _Mismatch(RuntimeError, f"cannot compare {type(actual).__name__}() "
                        f"{actual!r} with {type(expected).__name__}() {expected!r}: torch's "
                        "NumberPair fails on a bool paired with a number")
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(a)], _NUMBER_DTYPES[type(e)]], rtol, atol)
    if check_dtype and type(a) is not type(e):
        raise _Mismatch(AssertionError,
                        f"The (d)types do not match: {type(a)} != {type(e)}.")
    if a == e or (equal_nan and cmath.isnan(a) and cmath.isnan(e)):
        return
    abs_diff = abs(a - e)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(e):
        return
    raise _Mismatch(AssertionError, _scalar_message(a, e, rtol, atol))


def _torch_dtype(dt: np.dtype) -> str:
    return "torch." + dt.name


def _abs(x: np.ndarray) -> np.ndarray:
    """|x|; a complex64 modulus correctly rounded to float32 as torch's (NumPy's hypotf can
    be one ulp off), by way of complex128."""
    if x.dtype == np.complex64:
        return np.abs(x.astype(np.complex128)).astype(np.float32)
    return np.abs(x)


def _isclose(a: np.ndarray, e: np.ndarray, rtol: float, atol: float,
             equal_nan: bool) -> np.ndarray:
    """torch.isclose: equal values, or a finite |a - e| within atol + rtol * |e|."""
    if rtol < 0:
        raise _Mismatch(RuntimeError, f"rtol must be greater than or equal to zero, but got "
                        f"{rtol}")
    if atol < 0:
        raise _Mismatch(RuntimeError, f"atol must be greater than or equal to zero, but got "
                        f"{atol}")
    with np.errstate(invalid="ignore", over="ignore"):
        close = a == e
        if equal_nan and a.dtype.kind in "fc":
            close |= np.isnan(a) & np.isnan(e)
        if rtol == 0 and atol == 0:
            return close
        if a.dtype.kind not in "fc":  # torch: integers compared in the default dtype
            a, e = a.astype(np.float32), e.astype(np.float32)
        err = _abs(a - e)
        allowed = atol + _abs(rtol * e)
        return close | (np.isfinite(err) & (err <= allowed))


def _tensor_message(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol: float,
                    atol: float) -> str:
    n = matches.size
    bad = n - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    af, ef, mf = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if af.dtype.kind not in "fc":
        af, ef = af.astype(np.int64), ef.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = _abs(af - ef)
        abs_diff[mf] = 0
        # torch divides int64 by int64 into its default dtype, float32
        rel_diff = (abs_diff.astype(np.float32) / np.abs(ef).astype(np.float32)
                    if abs_diff.dtype.kind in "iu" else abs_diff / _abs(ef))
        rel_diff[mf] = 0
    ia, ir = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _message("Tensor-likes", extra, abs_diff[ia].item(),
                    tuple(int(i) for i in np.unravel_index(ia, matches.shape)),
                    rel_diff[ir].item(),
                    tuple(int(i) for i in np.unravel_index(ir, matches.shape)), rtol, atol)


def _shape_repr(shape: tuple) -> str:
    return f"torch.Size({list(shape)})"


def _compare_tensors(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                     equal_nan: bool, check_device: bool, check_dtype: bool,
                     check_stride: bool) -> None:
    def host(x: Any) -> np.ndarray:
        return x.detach().cpu().numpy() if isinstance(x, Tensor) else np.asarray(x)

    a, e = host(actual), host(expected)
    if a.dtype not in _SUPPORTED or e.dtype not in _SUPPORTED:
        raise _Mismatch(TypeError, "No comparison pair was able to handle inputs of type "
                        f"{type(actual)} and {type(expected)}.")
    rtol, atol = _tolerances([a.dtype, e.dtype], rtol, atol)
    fail = "The values for attribute '{}' do not match: {} != {}."
    if a.shape != e.shape:
        raise _Mismatch(AssertionError, fail.format("shape", _shape_repr(a.shape),
                                                    _shape_repr(e.shape)))
    if check_stride and isinstance(actual, Tensor) and actual.stride() != expected.stride():
        raise _Mismatch(AssertionError, fail.format("stride()", actual.stride(),
                                                    expected.stride()))
    if check_device and isinstance(actual, Tensor) and actual.device != expected.device:
        raise _Mismatch(AssertionError, fail.format("device", actual.device, expected.device))
    if check_dtype and a.dtype != e.dtype:
        raise _Mismatch(AssertionError, fail.format("dtype", _torch_dtype(a.dtype),
                                                    _torch_dtype(e.dtype)))
    if a.dtype != e.dtype:
        common = promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    matches = _isclose(a, e, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.shape == ():
        raise _Mismatch(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol))
    raise _Mismatch(AssertionError, _tensor_message(a, e, matches, rtol, atol))


_SUPPORTED = frozenset(np.dtype(t) for t in (
    np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32,
    np.float64, np.complex64, np.complex128))


def _unsupported(actual: Any, expected: Any) -> _Mismatch:
    return _Mismatch(TypeError, "No comparison pair was able to handle inputs of type "
                     f"{type(actual)} and {type(expected)}.")


def _compare(actual: Any, expected: Any, options: dict, allow_subclasses: bool) -> None:
    """One leaf pair, in torch's order: None, bool, number, tensor-like."""
    if actual is None or expected is None:
        if not (actual is None and expected is None):
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}")
        return
    bools = (bool, np.bool_)
    if isinstance(actual, bools) and isinstance(expected, bools):
        if bool(actual) is not bool(expected):
            raise _Mismatch(AssertionError,
                            f"Booleans mismatch: {bool(actual)} is not {bool(expected)}")
        return
    numbers = (int, float, complex, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        _compare_numbers(actual, expected, options["rtol"], options["atol"],
                         options["equal_nan"], options["check_dtype"])
        return
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not allow_subclasses and type(actual) is not type(expected)) \
            or not isinstance(actual, (Tensor, np.ndarray)):
        raise _unsupported(actual, expected)
    _compare_tensors(actual, expected, **options)


def _walk(actual: Any, expected: Any, path: tuple, options: dict,
          allow_subclasses: bool) -> None:
    try:
        if isinstance(actual, Sequence) and isinstance(expected, Sequence) \
                and not isinstance(actual, str) and not isinstance(expected, str):
            if len(actual) != len(expected):
                raise _Mismatch(AssertionError, "The length of the sequences mismatch: "
                                f"{len(actual)} != {len(expected)}")
            for i in range(len(actual)):
                _walk(actual[i], expected[i], (*path, i), options, allow_subclasses)
            return
        if isinstance(actual, Mapping) and isinstance(expected, Mapping):
            ka, ke = set(actual.keys()), set(expected.keys())
            if ka != ke:
                raise _Mismatch(AssertionError,
                                "The keys of the mappings do not match:\n"
                                f"Missing keys in the actual mapping: {sorted(ke - ka)}\n"
                                f"Additional keys in the actual mapping: {sorted(ka - ke)}")
            keys: Any = ka
            try:  # torch: deterministic order where the keys sort
                keys = sorted(ka)
            except TypeError:
                pass
            for k in keys:
                _walk(actual[k], expected[k], (*path, k), options, allow_subclasses)
            return
        _compare(actual, expected, options, allow_subclasses)
    except _Mismatch as m:
        if not m.id:
            m.id = path
        raise


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` are close (see the module
    docstring for the rules; ``check_layout`` has nothing to check: every chainrule tensor
    is strided)."""
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan,
               "check_device": check_device, "check_dtype": check_dtype,
               "check_stride": check_stride}
    try:
        _walk(actual, expected, (), options, allow_subclasses)
    except _Mismatch as m:
        raise m.error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """torch's deprecated form: non-tensors become tensors (``expected`` in ``actual``'s
    dtype), dtypes are not checked, NaNs match, and its own default tolerances: float16
    (1e-3, 1e-3), float32 (1e-4, 1e-5), float64 (1e-5, 1e-8)."""
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning, stacklevel=2)
    from autograd.factories import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        try:
            rtol, atol = _tolerances([actual.dtype, expected.dtype], None, None, {
                np.dtype(np.float16): (1e-3, 1e-3), np.dtype(np.float32): (1e-4, 1e-5),
                np.dtype(np.float64): (1e-5, 1e-8)})
        except _Mismatch as m:
            raise m.error(None) from None
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_device=True, check_dtype=False, check_stride=False, msg=msg or None)


def _low_high(dtype: np.dtype, low: float | None, high: float | None, lowest: float,
              highest: float, default_low: float, default_high: float) -> tuple:
    """torch's ``modify_low_high``: defaults, checks, then clamped to the dtype's range
    (integers rounded up)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype.kind in "fc":
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, "
                         f"{high}), but {_torch_dtype(dtype)} only supports [{lowest}, "
                         f"{highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if dtype.kind in "biu":
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape: Any, dtype: Any, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: Any = None) -> Tensor:
    """A tensor of ``shape`` filled uniformly from ``[low, high)``, as torch's: floats and
    complex (real and imaginary parts) default to [-9, 9), integers to [-9, 10) (uint8
    [0, 10)), bool to {False, True}; bounds are clamped to the dtype's range. The numbers
    come from chainrule's generator (not torch's stream). ``noncontiguous`` returns a
    strided view of the same values, ``exclude_zero`` replaces zeros by 1 (integers) or the
    dtype's ``tiny``."""
    from autograd import sampling
    from autograd.factories import empty
    from autograd.ops.rearrange import repeat_interleave
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    dt = np.dtype(dtype)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    if requires_grad and dt.kind in "biu":
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={_torch_dtype(dt)}")
    if dt == np.bool_:
        lo, hi = _low_high(dt, low, high, 0, 2, 0, 2)
        result = sampling.randint(lo, hi, shape, device=device).to(dt)
    elif dt.kind in "iu":
        info = iinfo(dt)
        lo, hi = _low_high(dt, low, high, info.min, info.max + (dt != np.int64), -9, 10)
        result = sampling.randint(lo, hi, shape, dtype=dt, device=device)
    elif dt.kind in "fc":
        info = finfo(dt)
        lo, hi = _low_high(dt, low, high, info.min, info.max, -9, 9)
        # torch draws U(low/2, high/2) * 2 when high - low overflows the dtype
        halve = hi - lo >= info.max
        a, b = (lo / 2, hi / 2) if halve else (lo, hi)
        if dt.kind == "c":  # real and imaginary parts drawn alike (torch's view_as_real)
            real = np.dtype(np.float32 if dt == np.complex64 else np.float64)
            draws = empty((*shape, 2), dtype=real, device=device).uniform_(a, b)
            draws = draws * 2 if halve else draws
            result = (draws[..., 0] + draws[..., 1] * 1j).to(dt)
        else:
            result = empty(shape, dtype=dt, device=device).uniform_(a, b)
            result = result * 2 if halve else result
    else:
        raise TypeError(f"The requested dtype '{dt}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")
    if noncontiguous and result.numel() > 1:
        result = repeat_interleave(result, 2, dim=-1)[..., ::2]
    if exclude_zero:
        result[result == 0] = 1 if dt.kind in "biu" else finfo(dt).tiny
    if dt.kind in "fc":
        result.requires_grad_(requires_grad)
    return result
