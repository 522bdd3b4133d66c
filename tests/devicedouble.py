"""A CPU stand-in for a GPU array type, registered as the device ``"double"``.

``DoubleArray`` wraps a NumPy array and behaves as CuPy's ``ndarray`` does where it matters
to the engine: NumPy functions reach it through ``__array_ufunc__``/``__array_function__``
(computed by NumPy on the wrapped arrays), implicit conversion to a host array raises
(``__array__``, as CuPy's), a plain ``ndarray`` operand is refused (TypeError, as CuPy), and
reductions (and the functions NumPy answers with a Python number: ``count_nonzero``,
``allclose``...) return 0-d arrays, never host numbers; ``numpy.linalg`` functions reach
it only where ``cupy.linalg`` has them, with CuPy's parameters, and one that fails (a
singular matrix) raises :class:`UncheckedOnCuPy` unless called under
``backend.linalg_checks`` (CuPy returns invalid values silently there); reading a value on the host
(``bool``, ``int``, ``float``, ``.item()``, ``.tolist()``, ``.get()``) counts in
:data:`SYNCS`, as each is a wait for the GPU under CuPy. Every host/device mix in op code thus
fails on a CPU, as it would on a GPU.
"""

from __future__ import annotations

import contextlib
import types
from typing import Any

import numpy as np

from autograd import backend

_ND = np.ndarray


SYNCS = [0]  # reads of device values by the host (CuPy waits for the GPU at each one)


COPIES = [0]  # host arrays copied to the device: transfers, and host index arrays in keys


def _sync() -> None:
    SYNCS[0] += 1


def _from_host(a: Any, index: int | None = None) -> DoubleArray:
    COPIES[0] += 1
    return DoubleArray(np.array(a))


def _refuse(kind: str) -> None:
    raise TypeError(f"Unsupported type {kind} (device double: a host array met a device array)")


def _unwrap(x: Any) -> Any:
    """The NumPy values of an operand; refuses host arrays as CuPy does."""
    if x.__class__ is DoubleArray:
        return x.a
    if isinstance(x, _ND):
        _refuse("<class 'numpy.ndarray'>")
    if isinstance(x, list | tuple):
        return type(x)(_unwrap(v) for v in x)
    return x


def _key(k: Any) -> Any:
    """An index: CuPy takes host integer/bool arrays in keys (copying them over)."""
    if k.__class__ is DoubleArray:
        return k.a
    if isinstance(k, _ND | list):  # CuPy copies a host index array over on every call
        COPIES[0] += 1
        return k
    if isinstance(k, tuple):
        return tuple(_key(v) for v in k)
    return k


def _wrap(x: Any) -> Any:
    if isinstance(x, _ND):
        return DoubleArray(x)
    if isinstance(x, np.generic):  # reductions give 0-d arrays, as CuPy's
        return DoubleArray(np.asarray(x))
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


_PY_SCALARS = (bool, int, float, complex)
# Functions CuPy answers on the host too: metadata, never the array's values.
_HOST_ANSWERS = {"ndim", "size", "shape", "shares_memory", "may_share_memory", "iscomplexobj",
                 "isrealobj", "isfortran", "result_type", "can_cast", "min_scalar_type",
                 "isscalar", "iterable"}


# numpy.linalg's functions CuPy has (cupy.linalg), with the parameters CuPy's take: NumPy
# hands any other to CuPy's __array_function__, which declines it (TypeError), and a
# parameter CuPy's lacks (cholesky's upper, svd's hermitian, pinv's rtol) is a TypeError.
_CUPY_LINALG = {
    "cholesky": ("a",), "qr": ("a", "mode"), "svd": ("a", "full_matrices", "compute_uv"),
    "eigh": ("a", "UPLO"), "eigvalsh": ("a", "UPLO"), "eig": ("a",), "eigvals": ("a",),
    "norm": ("x", "ord", "axis", "keepdims"), "cond": ("x", "p"), "det": ("a",),
    "slogdet": ("a",), "matrix_rank": ("M", "tol"), "solve": ("a", "b"),
    "tensorsolve": ("a", "b", "axes"), "lstsq": ("a", "b", "rcond"), "inv": ("a",),
    "pinv": ("a", "rcond"), "tensorinv": ("a", "ind"), "matrix_power": ("M", "n"),
    "matmul": ("x1", "x2"), "matrix_transpose": ("x",), "cross": ("x1", "x2", "axis"),
}


_LINALG_CHECKED = [0]  # depth of backend.linalg_checks (CuPy: cupyx.errstate(linalg='raise'))


@contextlib.contextmanager
def _linalg_checks() -> Any:
    _LINALG_CHECKED[0] += 1
    try:
        yield
    finally:
        _LINALG_CHECKED[0] -= 1


class UncheckedOnCuPy(AssertionError):
    """A ``numpy.linalg`` function failed (singular, not positive definite) outside
    ``backend.linalg_checks``: CuPy would have returned invalid values without an error."""


def _linalg_call(func: Any, args: Any, kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except np.linalg.LinAlgError as err:
        if _LINALG_CHECKED[0]:
            raise
        raise UncheckedOnCuPy(f"numpy.linalg.{func.__name__} failed ({err}) outside "
                              f"backend.linalg_checks: cupy.linalg.{func.__name__} would "
                              f"return invalid values without raising") from None


def _check_cupy_linalg(func: Any, args: Any, kwargs: Any) -> None:
    """TypeError where CuPy has no ``cupy.linalg`` twin of ``func`` or its twin lacks a
    parameter given."""
    params = _CUPY_LINALG.get(func.__name__)
    if params is None:
        raise TypeError(f"no implementation found for 'numpy.linalg.{func.__name__}' on "
                        f"types that implement __array_function__ (CuPy has no "
                        f"cupy.linalg.{func.__name__})")
    extra = [k for k in kwargs if k not in params]
    if len(args) > len(params) or extra:
        raise TypeError(f"cupy.linalg.{func.__name__}() takes ({', '.join(params)}), got "
                        f"{len(args)} positional and {sorted(kwargs)}")


class _Flags:
    """CuPy's ``ndarray.flags``: the contiguity and ownership bits only; no ``writeable``
    (device memory has no read-only mode), so code reading it fails here as on a GPU."""

    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, f: Any) -> None:
        self.c_contiguous, self.f_contiguous, self.owndata = (
            f.c_contiguous, f.f_contiguous, f.owndata)


class DoubleArray(np.lib.mixins.NDArrayOperatorsMixin):
    """An array on the ``double`` device (see the module docstring)."""

    __slots__ = ("a", "_owner")

    def __init__(self, a: np.ndarray, owner: DoubleArray | None = None) -> None:
        self.a = a
        self._owner = owner  # .base as CuPy's: the array a view's memory belongs to

    def _view(self, r: Any) -> Any:
        """``r`` (a NumPy result computed from ``self.a``) wrapped; a view of ``self``
        remembers the owner of the memory, as ``.base`` does in NumPy and CuPy."""
        if isinstance(r, _ND) and r.base is not None and np.shares_memory(r, self.a):
            return DoubleArray(r, self._owner if self._owner is not None else self)
        return _wrap(r)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "at":  # ufunc.at(a, key, b): the key may hold host indices, as CuPy's
            inputs = (inputs[0], _key(inputs[1]), *inputs[2:])
            args = [inputs[0].a, inputs[1], *(_unwrap(x) for x in inputs[2:])]
        else:
            args = [_unwrap(x) for x in inputs]
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        if "where" in kwargs:
            kwargs["where"] = _unwrap(kwargs["where"])
        if method == "at":
            getattr(ufunc, method)(*args, **kwargs)
            return None
        res = getattr(ufunc, method)(*args, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(res)

    def __array_function__(self, func: Any, types_: Any, args: Any, kwargs: Any) -> Any:
        linalg = func.__module__ == "numpy.linalg"
        if linalg:
            _check_cupy_linalg(func, args, kwargs)
        args = _unwrap(list(args))
        kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
        res = _linalg_call(func, args, kwargs) if linalg else func(*args, **kwargs)
        if func is np.diagonal and res.__class__ is np.ndarray:
            res.flags.writeable = True  # CuPy's diagonal is a writeable view (NumPy's is not)
        if res.__class__ in _PY_SCALARS and func.__name__ not in _HOST_ANSWERS:
            # NumPy answers count_nonzero, allclose, array_equal... with a Python number;
            # CuPy with a 0-d array on the device (reading it is a synchronisation)
            return DoubleArray(np.asarray(res))
        return _wrap(res)

    # -- ndarray's attributes and methods -----------------------------------------
    shape = property(lambda self: self.a.shape)
    dtype = property(lambda self: self.a.dtype)
    ndim = property(lambda self: self.a.ndim)
    size = property(lambda self: self.a.size)
    strides = property(lambda self: self.a.strides)
    itemsize = property(lambda self: self.a.itemsize)
    nbytes = property(lambda self: self.a.nbytes)
    flags = property(lambda self: _Flags(self.a.flags))
    T = property(lambda self: self._view(self.a.T))
    base = property(lambda self: self._owner)
    # CuPy's ``.data``: the memory pointer (``.data.ptr``, the first element's address)
    data = property(lambda self: types.SimpleNamespace(
        ptr=self.a.__array_interface__["data"][0]))
    real = property(lambda self: DoubleArray(self.a.real))
    imag = property(lambda self: DoubleArray(self.a.imag))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # no __array_interface__/__array_struct__: no host view
            raise AttributeError(name)
        attr = getattr(self.a, name)
        if not callable(attr):
            return attr

        def method(*args: Any, **kwargs: Any) -> Any:
            args = _unwrap(list(args))
            kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
            return self._view(attr(*args, **kwargs))
        return method

    def item(self) -> Any:
        _sync()
        return self.a.item()

    def tolist(self) -> Any:
        _sync()  # CuPy copies to the host and waits for the device
        return self.a.tolist()

    def get(self) -> np.ndarray:
        """The host copy (CuPy's ``.get()``)."""
        _sync()
        return self.a.copy()

    def __getitem__(self, key: Any) -> Any:
        return self._view(self.a[_key(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self.a[_key(key)] = _unwrap(value)

    def __len__(self) -> int:
        return len(self.a)

    def __iter__(self):
        return (_wrap(v) for v in self.a)

    def __bool__(self) -> bool:
        _sync()
        return bool(self.a)

    def __float__(self) -> float:
        _sync()
        return float(self.a)

    def __int__(self) -> int:
        _sync()
        return int(self.a)

    def __index__(self) -> int:
        _sync()
        return self.a.__index__()

    def __repr__(self) -> str:
        return f"DoubleArray({self.a!r})"

    def __copy__(self) -> DoubleArray:
        return DoubleArray(self.a.copy())

    def __deepcopy__(self, memo: Any) -> DoubleArray:
        return DoubleArray(self.a.copy())


class _DoubleXP(types.ModuleType):
    """The double's array module: NumPy's functions, array creation on the double."""

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


xp = _DoubleXP("devicedouble_xp")
_FROM_VALUES = {"array", "asarray", "ascontiguousarray"}


def _creator(f: Any) -> Any:
    copies = f.__name__ in _FROM_VALUES

    def make(*args: Any, **kwargs: Any) -> DoubleArray:
        if copies and args and args[0].__class__ is not DoubleArray and \
                not isinstance(args[0], int | float | bool | complex | np.generic):
            COPIES[0] += 1  # host values (an array, a list) copied to the device
        args = [a.a if isinstance(a, DoubleArray) else a for a in args]
        return DoubleArray(np.asarray(f(*args, **kwargs)))
    return make


for _name in ("zeros", "ones", "empty", "full", "arange", "eye", "array", "asarray",
              "zeros_like", "ones_like", "empty_like", "full_like", "linspace",
              "ascontiguousarray", "tri"):
    setattr(xp, _name, _creator(getattr(np, _name)))


def _as_strided(a: DoubleArray, shape: tuple, strides: tuple, **kw: Any) -> DoubleArray:
    return DoubleArray(np.lib.stride_tricks.as_strided(a.a, shape, strides, writeable=False))


class _RandomState:
    """CuPy's ``random.RandomState`` (cuRAND on the device): ``random_sample``,
    ``standard_normal``, ``standard_exponential`` (``size, dtype``) and
    ``standard_gamma(shape, size, dtype)``, ``poisson(lam, size, dtype)`` and
    ``binomial(n, p, size, dtype)`` drawn into a device array, from another stream than
    the host generator's PCG64."""

    def __init__(self, seed: int) -> None:
        self._g = np.random.Generator(np.random.Philox(seed))

    def random_sample(self, size: Any = None, dtype: Any = float) -> DoubleArray:
        return DoubleArray(np.asarray(self._g.random(size, dtype=dtype)))

    def standard_normal(self, size: Any = None, dtype: Any = float) -> DoubleArray:
        return DoubleArray(np.asarray(self._g.standard_normal(size, dtype=dtype)))

    def standard_exponential(self, size: Any = None, dtype: Any = float) -> DoubleArray:
        return DoubleArray(np.asarray(self._g.standard_exponential(size, dtype=dtype)))

    def standard_gamma(self, shape: Any, size: Any = None, dtype: Any = float) -> DoubleArray:
        # CuPy takes the shape parameter as a device array (a host one is refused)
        alpha = _unwrap(shape)
        return DoubleArray(np.asarray(self._g.standard_gamma(alpha, size).astype(dtype)))

    def poisson(self, lam: Any = 1.0, size: Any = None, dtype: Any = int) -> DoubleArray:
        return DoubleArray(np.asarray(self._g.poisson(_unwrap(lam), size).astype(dtype)))

    def binomial(self, n: Any, p: Any, size: Any = None, dtype: Any = int) -> DoubleArray:
        return DoubleArray(np.asarray(self._g.binomial(_unwrap(n), _unwrap(p), size)
                                      .astype(dtype)))


xp.random = types.SimpleNamespace(RandomState=_RandomState)
xp.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))
xp.linalg = types.SimpleNamespace(norm=lambda a, *args, **kw: np.linalg.norm(a, *args, **kw))

def _on_values(f: Any) -> Any:
    return lambda d: DoubleArray(np.asarray(f(d.a)))


def _on_pair(f: Any) -> Any:
    return lambda a, b: DoubleArray(np.asarray(f(_unwrap(a), _unwrap(b))))


def _special() -> types.SimpleNamespace:
    """cupyx.scipy.special's functions the engine calls (erf, gammaln, ndtr, i0...), computed
    on the wrapped values by the engine's host kernels."""
    from autograd.ops import bessel, gamma, gaussian, information, special

    return types.SimpleNamespace(
        erf=_on_values(special.erf_array), erfc=_on_values(special.erfc_array),
        erfinv=_on_values(special.erfinv_array), erfcx=_on_values(special.erfcx_array),
        gammaln=_on_values(gamma.lgamma_array), digamma=_on_values(gamma.digamma_array),
        polygamma=lambda n, d: DoubleArray(np.asarray(gamma.polygamma_array(n, d.a))),
        zeta=_on_pair(gamma.zeta_pair_array), ndtr=_on_values(gaussian.ndtr_array),
        log_ndtr=_on_values(gaussian.log_ndtr_array), ndtri=_on_values(gaussian.ndtri_array),
        entr=_on_values(information.entr_array), i0=_on_values(bessel.i0_array),
        i0e=_on_values(bessel.i0e_array), i1=_on_values(bessel.i1_array),
        i1e=_on_values(bessel.i1e_array))


BACKEND = backend.Backend("double", (DoubleArray,), xp, _from_host, lambda d: d.get(),
                          special=_special(), linalg_checks=_linalg_checks)


def register() -> None:
    backend.register(BACKEND)


def unregister() -> None:
    backend.unregister("double")
