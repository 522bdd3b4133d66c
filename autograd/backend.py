"""Devices: which array module holds a value, and moving arrays between devices.

A tensor's array is a NumPy ``ndarray`` (device ``cpu``) or the array type of another
registered backend: ``cuda`` is CuPy (an optional extra, imported on first use), and
tests register a CPU "device double" that behaves as CuPy does. Op code is written once
for every device: NumPy functions hand foreign arrays on through
``__array_ufunc__``/``__array_function__``; array creation without an array argument
asks :func:`xp_of` (the array module of a value) instead of ``np``.

The NumPy path costs nothing extra: every helper tests ``x.__class__ is np.ndarray``
before anything else. Nothing copies between host and device unless asked (:func:`to`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_as_strided

_ND = np.ndarray

CUDA_HINT = ("install CuPy with `pip install 'chainrule[cuda]'` (CUDA 12; "
             "`pip install cupy-cuda13x` for CUDA 13); it needs an NVIDIA GPU")


class device:  # noqa: N801 - torch's name
    """Where a tensor's array lives, as ``torch.device``: ``device("cpu")``,
    ``device("cuda:0")``, ``device("cuda", 0)``; ``.type`` and ``.index``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string or a device, got {type.__class__.__name__}")
        name, _, idx = type.partition(":")
        if idx:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if name not in _BACKENDS:
            raise RuntimeError(f"Expected one of {', '.join(_BACKENDS)} device type at start of "
                               f"device string: {type}")
        self.type = name
        self.index = None if index is None else int(index)

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


class Backend:
    """One device type: its name, its array types, its array module ``xp`` (NumPy's
    functions, with array creation on this device), and the transfers to and from host
    arrays. ``index_of(arr)`` gives the device index of an array (None: no index)."""

    def __init__(self, name: str, array_types: tuple, xp: Any, from_host: Callable,
                 to_host: Callable, index_of: Callable | None = None,
                 available: Callable[[], bool] | None = None, special: Any = None,
                 on_index: Callable[[int | None], Any] | None = None,
                 linalg_checks: Callable[[], Any] | None = None) -> None:
        self.name = name
        self.array_types = array_types
        self.xp = xp
        self.from_host = from_host
        self.to_host = to_host
        self.index_of = index_of or (lambda arr: None)
        self.available = available or (lambda: True)
        self.special = special  # erf, erfc, erfinv on this device's arrays (None: host only)
        # a context that makes device ``index`` current for array creation (CuPy's Device)
        self.on_index = on_index or (lambda index: contextlib.nullcontext())
        # a context under which this device's numpy.linalg functions raise NumPy's
        # LinAlgError where NumPy's do (CuPy checks cuSOLVER's info only when asked)
        self.linalg_checks = linalg_checks or contextlib.nullcontext


_BACKENDS: dict[str, Backend | None] = {}
_BY_CLASS: dict[type, Backend] = {}


def register(backend: Backend) -> None:
    """Make ``backend`` a device type (its name usable in ``device(...)`` and ``.to``)."""
    _BACKENDS[backend.name] = backend
    for cls in backend.array_types:
        _BY_CLASS[cls] = backend


def unregister(name: str) -> None:
    """Remove a device type registered by :func:`register` (tests)."""
    backend = _BACKENDS.pop(name, None)
    if backend is not None:
        for cls in backend.array_types:
            _BY_CLASS.pop(cls, None)


def device_types() -> tuple[str, ...]:
    """The device type names known ("cpu", "cuda", and any registered)."""
    return tuple(_BACKENDS)


def _ident(arr: Any) -> Any:
    return arr


register(Backend("cpu", (_ND,), np, _ident, _ident))
_BACKENDS["cuda"] = None  # known, loaded on first use (CuPy is optional)


def _cupy() -> Any:
    try:
        import cupy  # noqa: PLC0415 - optional extra
    except ImportError:
        return None
    return cupy


def cuda_available() -> bool:
    """CuPy imports and sees at least one GPU."""
    cupy = _cupy()
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - no driver, no device: CuPy raises its own errors
        return False


def cuda_device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy)."""
    return cupy_count() if cuda_available() else 0


def cupy_count() -> int:
    return int(_cupy().cuda.runtime.getDeviceCount())


def _cuda_backend() -> Backend:
    """The ``cuda`` backend, registered on first use; RuntimeError saying how to get CuPy
    when it is missing or sees no GPU."""
    backend = _BACKENDS.get("cuda")
    if backend is not None:
        return backend
    if not cuda_available():
        raise RuntimeError(f"CUDA is not available: {CUDA_HINT}")
    cupy = _cupy()

    def from_host(arr: Any, index: int | None = None) -> Any:
        with cupy.cuda.Device(index or 0):
            return cupy.asarray(arr)

    import cupyx  # noqa: PLC0415 - ships with CuPy
    import cupyx.scipy.special  # noqa: PLC0415

    backend = Backend("cuda", (cupy.ndarray,), cupy, from_host, cupy.asnumpy,
                      lambda arr: int(arr.device.id), special=cupyx.scipy.special,
                      on_index=lambda index: cupy.cuda.Device(index or 0),
                      linalg_checks=lambda: cupyx.errstate(linalg="raise"))
    register(backend)
    return backend


def backend_named(name: str) -> Backend:
    """The backend of a device type name ("cpu", "cuda", ...)."""
    if name == "cuda":
        return _cuda_backend()
    backend = _BACKENDS.get(name)
    if backend is None:
        raise RuntimeError(f"unknown device type {name!r}")
    if not backend.available():
        raise RuntimeError(f"device {name!r} is not available")
    return backend


def backend_of(x: Any) -> Backend:
    """The backend of an array (NumPy for anything that is not a device array)."""
    if x.__class__ is _ND:
        return _BACKENDS["cpu"]
    backend = _BY_CLASS.get(x.__class__)
    if backend is None and x.__class__.__module__.startswith("cupy"):
        backend = _cuda_backend()
    return backend if backend is not None else _BACKENDS["cpu"]


def special_of(x: Any) -> Any:
    """The special functions (``erf``, ``erfc``, ``erfinv``) for a device array's backend
    (CuPy's ``cupyx.scipy.special``); NotImplementedError where a device has none."""
    special = backend_of(x).special
    if special is None:
        raise NotImplementedError(f"special functions are not available on device "
                                  f"{device_of(x)}")
    return special


def linalg_checks(x: Any) -> Any:
    """A context under which ``numpy.linalg`` functions given ``x``'s device arrays raise
    NumPy's ``LinAlgError`` where NumPy's own do (a singular matrix in ``solve``, one not
    positive definite in ``cholesky``, no convergence in ``svd``/``eigh``), so an op's
    errors are the same on every device. CuPy checks cuSOLVER's info only under
    ``cupyx.errstate(linalg='raise')`` (else it returns invalid values silently); the
    check reads the info on the host, a synchronisation, as torch's own checks on CUDA.
    A no-op for host arrays."""
    if x.__class__ is _ND:
        return _NO_CONTEXT
    return backend_of(x).linalg_checks()


_NO_CONTEXT = contextlib.nullcontext()


def xp_of(x: Any) -> Any:
    """The array module of ``x``: ``numpy`` for host arrays and scalars, ``cupy`` for CUDA
    arrays (Chainer's ``get_array_module``)."""
    if x.__class__ is _ND:
        return np
    return backend_of(x).xp


def is_array(x: Any) -> bool:
    """``x`` is an array of some device (NumPy ``ndarray`` or a device array type)."""
    return x.__class__ is _ND or isinstance(x, _ND) or x.__class__ in _BY_CLASS


def is_device_array(x: Any) -> bool:
    """``x`` is an array that lives on another device than the host."""
    return x.__class__ is not _ND and x.__class__ in _BY_CLASS


def device_of(x: Any) -> device:
    """The device of an array (``cpu`` for NumPy arrays and scalars)."""
    if x.__class__ is _ND:
        return CPU
    backend = backend_of(x)
    return device(backend.name, backend.index_of(x))


def as_device(d: Any) -> device:
    """``d`` (a string, a device or an int GPU index) as a :class:`device`."""
    if isinstance(d, device):
        return d
    if isinstance(d, int) and not isinstance(d, bool):
        return device("cuda", d)
    return device(d)


def to(x: Any, d: Any) -> Any:
    """The array ``x`` on device ``d`` (``x`` itself when it is there already)."""
    d = as_device(d)
    src = backend_of(x)
    if src.name == d.type and (d.index is None or src.index_of(x) in (None, d.index)):
        return x
    dst = backend_named(d.type)
    host = src.to_host(x)
    if dst.name == "cpu":
        return host
    if host.size == 1 and host.dtype.kind in "biufc":
        # One number (backward's seed, a CPU scalar operand) goes over as the argument of
        # a fill kernel: no copy from pageable host memory for the host to wait on.
        with dst.on_index(d.index):
            return dst.xp.full(host.shape, host.item(), host.dtype)
    return dst.from_host(host, d.index) if d.index is not None else dst.from_host(host)


def to_host(x: Any) -> np.ndarray:
    """A NumPy array of ``x``'s values (a copy from a device; ``x`` itself on the host)."""
    if x.__class__ is _ND:
        return x
    return backend_of(x).to_host(x)


def same_device_error(a: Any, b: Any) -> RuntimeError:
    """torch's error for an op given arrays on two devices."""
    return RuntimeError("Expected all tensors to be on the same device, but found at least two "
                        f"devices, {device_of(a)} and {device_of(b)}!")


def check_same_device(*arrays: Any) -> None:
    """Raise torch's RuntimeError when the arrays (None and scalars skipped) are on more than
    one device: two device types, or two indices of one (``cuda:0`` and ``cuda:1``). Called
    where an op meets operands that are not all NumPy arrays."""
    if all(arr.__class__ is _ND for arr in arrays):
        return
    first = where = None
    for arr in arrays:
        if arr is None or not is_array(arr):
            continue
        if first is None:
            first, where = arr, _place(arr)
        elif _place(arr) != where:
            raise same_device_error(first, arr)


def _place(arr: Any) -> tuple:
    """(backend, device index) of an array: what two arrays share when on one device."""
    backend = backend_of(arr)
    return backend, backend.index_of(arr)


def check_pair(x: Any, y: Any) -> None:
    """:func:`check_same_device` for two operands at the cost of two class tests: raise
    torch's RuntimeError when both are arrays of different devices (scalars pass); two
    device arrays of one class are compared by device index (the device path only)."""
    cx = x.__class__
    if cx is not y.__class__:
        if cx in _BY_CLASS and y.__class__ in _BY_CLASS:
            raise same_device_error(x, y)
    elif cx is not _ND and cx in _BY_CLASS and _place(x) != _place(y):
        raise same_device_error(x, y)


def cpu_scalar_pair(x: Any, y: Any) -> bool:
    """torch's CPU-scalar rule (TensorIterator's ``allow_cpu_scalars``, binary ops and
    comparisons): a 0-d host array may join a device array. Only for two arrays of
    different classes (no NumPy pair gets here): True where one is a 0-d host array and
    the other a device array; torch's RuntimeError where they are on two devices
    otherwise (a 0-d device array with a host array that has dimensions included)."""
    if (x.__class__ is _ND and x.ndim == 0) or (y.__class__ is _ND and y.ndim == 0):
        if x.__class__ in _BY_CLASS and y.__class__ in _BY_CLASS:
            return True
    check_pair(x, y)
    return False


def device_pair(x: Any, y: Any) -> tuple[Any, Any]:
    """Two operands of a comparison or a non-differentiable binary op, a 0-d host array
    among them moved to the other's device (:func:`cpu_scalar_pair`: one number, a fill
    kernel there, no copy); torch's RuntimeError for any other pair of devices."""
    if x.__class__ is y.__class__ or not cpu_scalar_pair(x, y):
        return x, y
    if x.__class__ is _ND:
        return to(x, device_of(y)), y
    return x, to(y, device_of(x))


CPU = device("cpu")


class _Default:
    """The device factories use when given none (``set_default_device``); None: the host."""

    device: device | None = None


def set_default_device(d: Any) -> None:
    """``torch.set_default_device``: where factories (``tensor``, ``zeros``, ``randn``...)
    put new tensors when no ``device=`` is given; None restores the host."""
    _Default.device = None if d is None else as_device(d)
    if _Default.device is not None:
        backend_named(_Default.device.type)  # unavailable devices raise now, not later
    if _Default.device == CPU:
        _Default.device = None


def get_default_device() -> device:
    """The device factories use when given none."""
    return _Default.device or CPU


def default_device(d: Any) -> Any:
    """``d``, or the default device when ``d`` is None (None while that is the host)."""
    return d if d is not None else _Default.device


def asarray(x: Any, dtype: Any = None) -> Any:
    """``np.asarray`` that leaves a device array on its device (cast to ``dtype`` there)."""
    if x.__class__ is _ND or x.__class__ in _BY_CLASS:
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    return np.asarray(x, dtype)


def xp_of_any(*xs: Any) -> Any:
    """The array module of the first device array among ``xs`` (NumPy if none)."""
    for x in xs:
        if x.__class__ is not _ND and x.__class__ in _BY_CLASS:
            return _BY_CLASS[x.__class__].xp
    return np


def writeable(arr: Any) -> bool:
    """Whether ``arr`` may be written in place. CuPy's ``flags`` hold only the contiguity
    and ownership bits (device memory has no read-only mode), so a device array is
    writeable; a NumPy array says so in ``flags.writeable``."""
    return arr.flags.writeable if arr.__class__ is _ND else getattr(arr.flags, "writeable", True)


def as_strided(x: Any, shape: tuple, strides: tuple, writeable: bool = False) -> Any:
    """A strided view of ``x`` (``numpy.lib.stride_tricks.as_strided``, which NumPy does not
    dispatch: a device's array module supplies its own, as CuPy does)."""
    if x.__class__ is _ND:
        return _np_as_strided(x, shape, strides, writeable=writeable)
    return xp_of(x).lib.stride_tricks.as_strided(x, shape, strides)


_TABLES: dict = {}  # (device, dtype, shape, bytes) -> the table on that device
_TABLES_MAX = 256


def device_table(table: Any, like: Any) -> Any:
    """A small host table made from shapes (pooling's first-in-bounds offsets, adaptive
    bins, resampling taps) on the device of ``like``, copied there once per (values,
    device) and then reused: CuPy would otherwise copy it from pageable host memory on
    every call, a transfer the host waits for. ``table`` itself on the host. The cached
    array is shared: callers only read it."""
    if like.__class__ is _ND or table.__class__ is not _ND:
        return table
    d = device_of(like)
    key = (d, table.dtype.str, table.shape, table.tobytes())
    arr = _TABLES.get(key)
    if arr is None:
        if len(_TABLES) >= _TABLES_MAX:
            _TABLES.clear()
        arr = _TABLES[key] = to(table, d)
    return arr


def follow(x: Any, like: Any) -> Any:
    """``x`` (an index or mask array) on the device of ``like``: host index arrays follow a
    device array, as CuPy takes them in keys. A no-op on the host."""
    if like.__class__ is _ND or x.__class__ is like.__class__ or not is_array(x):
        return x
    return to(x, device_of(like))
