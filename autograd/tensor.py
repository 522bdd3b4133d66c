"""The Tensor: a NumPy array, its gradient, and the node that produced it.

Operators and methods (``+``, ``exp``, ``sum``...) are the functions of
``autograd.ops``, bound onto the class in ``autograd/ops/__init__.py`` so that
``x * y`` calls the op directly with no extra Python frame.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import backend
from autograd.dims import Size, normalize_dim, size_of
from autograd.engine import PostAccumulateGradHook, accumulate_grad, run_backward
from autograd.graph import STATE, Away, Node, Versions, bind_tensor
from autograd.printing import tensor_repr

_new = object.__new__
_DEVICE_ARRAYS = backend._BY_CLASS  # array classes of every registered device (a live dict)


def _wrap(data: np.ndarray, node: Node | None) -> Tensor:
    """Tensor around an op's output array (the fast internal constructor)."""
    if data.__class__ is not np.ndarray and data.__class__ not in _DEVICE_ARRAYS:
        data = np.asarray(data)  # NumPy returns scalars for 0-d results
    t = _new(Tensor)
    t._data = data
    t._grad = None
    t._node = node
    t._requires_grad = node is not None
    t._hooks = None
    t._base = None
    return t


def _view(out: Tensor, x: Tensor, step: tuple | None = None) -> Tensor:
    """Mark ``out`` as a view of ``x``: it shares the version counter of ``x``'s base (the
    tensor that owns the memory), so an in-place change through either is seen by every
    saved value of the family. The counter (``_vcount``, ``_epoch``) lives on the base and
    is created at its first in-place change: most tensors are never changed in place.

    ``step`` (``(kind, arg)``, see ``ops/views.py``) makes ``out`` from ``x``: with grad
    mode on, ``out`` keeps the chain of steps from the base and the base a weak reference
    to ``out``, so a recorded in-place change of either replays the view on the base's new
    history. A leaf that requires grad is never changed so: its views keep nothing."""
    base = x._base
    root = x if base is None else base
    out._base = root
    # grad mode read as the per-op path reads it (Away.grad_off: some thread has it off)
    if step is None or (Away.grad_off and not STATE._grad_enabled) or (
            root._node is None and root._requires_grad):
        return out
    if base is None:
        chain = (step,)
    else:
        chain = getattr(x, "_links", None)  # x is a view: its chain
        if chain is None:
            return out
        chain = chain + (step,)
    out._links = chain
    refs = getattr(root, "_links", None)  # root is a base: its views
    if refs is None:
        root._links = [weakref.ref(out)]
        return out
    refs.append(weakref.ref(out))
    if not len(refs) & 63:  # drop the dead ones now and then (a long-lived base)
        refs[:] = [r for r in refs if r() is not None]
    return out


def _base_of(t: Tensor) -> Tensor:
    """The tensor holding ``t``'s version counter: its base if ``t`` is a view, else ``t``."""
    base = t._base
    return t if base is None else base


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """NumPy array for ``data`` with torch's dtype rules.

    Python floats (and lists of them) become float32, Python ints int64, complex numbers
    complex64; a NumPy array or scalar keeps its dtype, and so does a list holding a NumPy
    float64 scalar (float64, as torch infers). With ``dtype`` the values are converted
    once, from Python's float64 (``tensor([1e40], dtype=float64)`` keeps 1e40). Always a
    new array (``ag.tensor`` copies, as torch).
    """
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif backend.is_device_array(data):
        arr = data.copy()
    elif isinstance(data, np.ndarray | np.generic):
        if data.dtype.kind in "OUSV":
            raise TypeError(f"can't convert np.ndarray of type {data.dtype}: only numeric "
                            "and bool arrays make tensors")
        arr = np.array(data)
    else:
        arr = np.array(data)
        kind = arr.dtype.kind
        if kind in "OUSV":
            if data is None or kind == "O" and any(v is None for v in arr.ravel()):
                raise RuntimeError("Could not infer dtype of NoneType")
            raise TypeError(f"cannot make a tensor from {type(data).__name__} data: "
                            f"{data!r:.80}")
        if dtype is not None:
            dt = np.dtype(dtype)
            if kind == "c" and dt.kind != "c":
                raise TypeError(f"can't convert complex data to {dt}")
            if kind in "fiu" and dt.kind in "iu":
                _check_int_range(arr, dt)
            return arr.astype(dt, copy=False)
        if kind == "f":
            if arr.dtype == np.float64 and not _holds_numpy_double(data):
                arr = arr.astype(np.float32)
        elif kind == "i" and arr.dtype != np.int64:
            arr = arr.astype(np.int64)
        elif arr.dtype == np.complex128:
            arr = arr.astype(np.complex64)
    if dtype is not None:
        arr = arr.astype(np.dtype(dtype), copy=False)
    return arr


def _holds_numpy_double(data: Any) -> bool:
    """Whether nested Python sequences ``data`` hold a NumPy float64 scalar (then torch
    infers float64 for the whole tensor, not the default float32)."""
    if isinstance(data, np.float64):
        return True
    if isinstance(data, list | tuple):
        return any(_holds_numpy_double(v) for v in data)
    return False


def _check_int_range(arr: np.ndarray, dt: np.dtype) -> None:
    """torch's overflow rule (c10's ``overflows``) for data converted to an integer dtype:
    the values (floats: finite) must lie in the type's range, except that an unsigned type
    also takes negative integers down to −max, wrapping (``tensor([-2], dtype=uint8)`` is
    254, ``[300]`` or ``[-2.5]`` raise)."""
    info = np.iinfo(dt)
    lowest = -int(info.max) if arr.dtype.kind in "iu" and dt.kind == "u" else info.min
    if arr.size and not (np.all(np.isfinite(arr)) and arr.min() >= lowest
                         and arr.max() <= info.max):
        raise RuntimeError(f"value cannot be converted to type {dt} without overflow")


def _on_device(arr: Any, device: Any) -> Any:
    """``arr`` moved to ``device`` (None: the default device, see ``set_default_device``)."""
    if device is None:
        device = backend._Default.device
        if device is None:
            return arr
    return backend.to(arr, device)


def _check_float(dtype: np.dtype) -> None:
    if dtype.kind != "f":  # the contract: floating dtypes only (complex raises too)
        raise TypeError(
            f"only floating-point tensors can require gradients, got dtype {dtype}"
        )


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``Tensor(data, requires_grad=False, dtype=None)``: ``data`` is a scalar, nested
    list, NumPy array or Tensor (copied). Python floats become float32.
    """

    # _vcount/_epoch (the version counter) stay unset until the first in-place change: the
    # per-op constructor stores nothing for them. _base: the tensor whose counter a view
    # shares (None for a tensor that is no view).
    # _view_key: on an index view of a base, the key (so a recorded in-place op on the view
    # can be written into the base as torch's CopySlices does); unset elsewhere.
    # _links: on a view (``_base`` set) its chain of steps from the base, on a base the weak
    # references to its views (see _view and ops/views.py); unset elsewhere. One slot for
    # both, not two: with a 13th slot the cyclic GC's full collections over a 100,000-link
    # chain took twice as long (105 against 51 ms, the chain's forward 25% longer), though
    # the chain's tensors are freed as it grows; measured, the cause not pinned down.
    # _requires_grad: read through the requires_grad property (its setter checks the dtype).
    __slots__ = ("_data", "_grad", "_requires_grad", "_node", "_vcount", "_hooks", "_epoch",
                 "_base", "_view_key", "_links", "_retains_grad", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operator
    __array_priority__ = 1000
    _IS_TENSOR = True  # leaves are graph vertices too (see engine.run_backward)
    edges = _edges = ()  # a leaf has no inputs (_edges: as a Node's, for the engine)

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 device: Any = None) -> None:
        self._init_leaf(_on_device(_as_array(data, dtype), device), requires_grad)

    def _init_leaf(self, data: np.ndarray, requires_grad: bool) -> None:
        """Make this a leaf around ``data`` (shared, not copied); subclasses such as
        ``nn.Parameter`` build on it."""
        self._data = data
        self._grad = None
        self._node = None
        self._hooks = None
        self._base = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- attributes --------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """torch's ``.data``: a Tensor sharing this one's array, detached from the graph
        (``requires_grad=False``), with a version counter of its own: changes made in place
        through it are neither recorded nor version-checked. ``.numpy()`` gives the array."""
        return _wrap(self._data, None)

    @data.setter
    def data(self, value: Tensor) -> None:
        """``t.data = other``: ``t`` now holds ``other``'s array (shared, as torch swaps the
        storage); shape and dtype may change. Unlike torch, the swap counts as an in-place
        change, so a backward that saved ``t`` raises instead of using the new values
        (``t.data += x``, which assigns back the same array, changes no version)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self.requires_grad and value._data.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        if value._data is self._data:  # ``t.data += x`` ends by assigning its own array back
            return
        self._data = value._data
        _bump_version(self)

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (torch's ``_version``);
        a view and its base (``detach()`` included) count together."""
        return getattr(_base_of(self), "_vcount", 0)

    @property
    def shape(self) -> Size:
        return size_of(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def device(self) -> backend.device:
        """Where the array lives: ``device(type='cpu')`` or ``device(type='cuda', index=0)``."""
        return backend.device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return backend.device_of(self._data).type == "cuda"

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        return self._node

    def size(self, dim: int | None = None) -> Size | int:
        """The shape (a :class:`~autograd.dims.Size`), or the length of dimension ``dim``."""
        if dim is None:
            return size_of(self._data.shape)
        d = normalize_dim(dim, self._data.ndim)
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[d]

    def numel(self) -> int:
        return self._data.size

    def dim(self) -> int:
        return self._data.ndim

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # -- conversions -------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, as torch's ``.numpy()``)."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad. Use tensor.detach().numpy()"
            )
        if backend.is_device_array(self._data):
            _host_only(self, "numpy")
        return self._data

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to a Python scalar"
            )
        if self._data.__class__ is not np.ndarray:
            return backend.to_host(self._data).item()  # one sync, as torch's .item()
        return self._data.item()

    def tolist(self) -> Any:
        return backend.to_host(self._data).tolist()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if backend.is_device_array(self._data):
            _host_only(self, "numpy")
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def _scalar(self) -> Any:
        # float(t), int(t), complex(t): torch's ValueError past one element (.item() raises
        # RuntimeError)
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __contains__(self, element: Any) -> bool:
        """``element in t``: whether any element of ``t`` equals it (torch)."""
        if not isinstance(element, Tensor | int | float | bool | np.number | np.bool_):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element).__name__}.")
        return bool(np.any(backend.to_host(self._data) == (
            backend.to_host(element._data) if isinstance(element, Tensor) else element)))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} elements is ambiguous"
            )
        return bool(self._data.item())

    __hash__ = object.__hash__  # == is elementwise, identity is the hash (as torch)

    def __repr__(self) -> str:
        """torch's print format: ``tensor([1.5000, 2.0000], requires_grad=True)``
        (``autograd.printing``)."""
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats its ``.item()`` (``f"{loss}"``, ``f"{loss:.4f}"``), as torch."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    @staticmethod
    def _const(data: np.ndarray) -> Tensor:
        """A Tensor that needs no grad around ``data`` (no copy)."""
        return _wrap(data, None)

    def __reduce__(self):
        return (_rebuild, (self._data, self.requires_grad))

    # -- graph control -----------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad``; with
        ``inputs`` (a tensor or a sequence), only into theirs (non-leaves included)."""
        backward([self], None if gradient is None else [gradient], retain_graph,
                 create_graph, inputs)

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph; it shares the version
        counter too (as torch), so changing it in place is caught where ``self`` was saved."""
        return _view(_wrap(self._data, None), self)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: it becomes a leaf that needs no grad."""
        self._node = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._node is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use .detach()"
            )
        if requires_grad:
            _check_float(self._data.dtype)
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` after backward."""
        if self._node is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if getattr(self, "_retains_grad", False):
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(g: Tensor) -> None:
            t = ref()
            if t is None:
                return
            if t._grad is None:
                t._grad = _wrap(np.array(g._data), None) if g._node is None else g
            else:
                t._grad = t._grad + g
        keep.retains_grad = True  # runs after every other hook, whenever registered (torch)
        node = self._node
        node.hooks = [*(node.hooks or ()), keep]

    @property
    def retains_grad(self) -> bool:
        """Whether this non-leaf keeps its gradient in ``.grad`` (``retain_grad()``)."""
        return self._node is not None and getattr(self, "_retains_grad", False)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned
        Tensor replaces the gradient. Returns a handle whose ``remove()`` undoes it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._node is None:
            self._hooks = [*(self._hooks or ()), hook]
            owner = self
            attr = "_hooks"
        else:
            hooks = list(self._node.hooks or ())
            # retain_grad's hook stays last, so .grad holds the gradient the hooks made
            at = next((i for i, h in enumerate(hooks) if getattr(h, "retains_grad", False)),
                      len(hooks))
            hooks.insert(at, hook)
            self._node.hooks = hooks
            owner = self._node
            attr = "hooks"

        return _HookHandle(owner, attr, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> _HookHandle:
        """Call ``hook(self)`` after backward has accumulated this leaf's gradient into
        ``.grad`` (not under ``autograd.grad``). Returns a handle whose ``remove()`` undoes it."""
        if self._node is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        wrapped = PostAccumulateGradHook(hook)
        self._hooks = [*(self._hooks or ()), wrapped]
        return _HookHandle(self, "_hooks", wrapped)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """torch's ``autograd.backward``: the sum of ``tensors`` (each weighted by its entry
    of ``grad_tensors``; None for a scalar) backpropagated into the leaves' ``.grad`` (only
    into ``inputs``' when given, non-leaves included)."""
    roots = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None:
        gradients: list = [None] * len(roots)
    elif isinstance(grad_tensors, Tensor):
        gradients = [grad_tensors]
    else:
        gradients = list(grad_tensors)
    if len(gradients) != len(roots):
        raise RuntimeError(f"got {len(gradients)} tensors in grad_tensors for "
                           f"{len(roots)} tensors")
    for r in roots:
        if not r.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
    seeds = [_seed(r, g, "backward", create_graph) for r, g in zip(roots, gradients)]
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward(roots, seeds, retain_graph, create_graph)
        return
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = run_backward(roots, seeds, retain_graph, create_graph, inputs=ins)
    stored: set = set()
    for t, g in zip(ins, grads):
        if g is not None:
            accumulate_grad(t, g, create_graph, stored)
            for h in t._hooks or ():
                if h.__class__ is PostAccumulateGradHook:
                    h.fn(t)


class _HookHandle:
    """What ``register_hook`` returns: ``handle.remove()`` (or ``handle()``) removes the hook."""

    __slots__ = ("owner", "attr", "hook")

    def __init__(self, owner: Any, attr: str, hook: Callable) -> None:
        self.owner, self.attr, self.hook = owner, attr, hook

    def remove(self) -> None:
        hooks = [h for h in (getattr(self.owner, self.attr) or ()) if h is not self.hook]
        setattr(self.owner, self.attr, hooks or None)

    __call__ = remove


def _set_requires_grad(self: Tensor, value: bool) -> None:
    """``t.requires_grad = value``: checked as ``requires_grad_()`` (torch raises for an
    integer tensor and for turning it off on a non-leaf)."""
    self.requires_grad_(value)


# ``Tensor.grad`` (the property over the ``_grad`` slot, with torch's checks on assignment)
# is bound in tensor_meta.py.

# Read straight from the slot (the C-level getter: the hot path reads this flag on every
# op); assignment goes through the same checks as requires_grad_().
Tensor.requires_grad = property(Tensor.__dict__["_requires_grad"].__get__, _set_requires_grad,
                                doc="Whether gradients are recorded for this tensor.")


def _host_only(t: Tensor, what: str) -> None:
    """torch's TypeError for a host conversion of a device tensor (nothing copies silently)."""
    raise TypeError(f"can't convert {t.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first.")


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor(data)
    t.requires_grad = requires_grad
    return t


def _check_inplace(t: Tensor) -> None:
    if STATE.grad_enabled and t.requires_grad and t._node is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation; "
            "do it under `with autograd.no_grad():`"
        )


def _bump_version(t: Tensor) -> None:
    """Record an in-place change, so backward can tell a saved tensor was modified: on the
    counter ``t`` shares with its view family, and on the op whose output it (or its base)
    is, in case that op saved its output."""
    Versions.epoch += 1
    base = _base_of(t)
    base._epoch = Versions.epoch
    base._vcount = getattr(base, "_vcount", 0) + 1
    if t._node is not None:
        t._node.out_dirty = True
    if base is not t and base._node is not None:
        base._node.out_dirty = True


def _seed(root: Tensor, gradient: Any, what: str, create_graph: bool) -> Any:
    """The gradient that starts backward at ``root`` (ones for a scalar)."""
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; {what}() on a "
                f"tensor of shape {root._data.shape} needs gradient= of that shape"
            )
        shape = root._data.shape
        g = np.array(1, dtype=root._data.dtype)  # np.ones is a Python wrapper: 4x the cost
        if backend.is_device_array(root._data):
            g = backend.to(g, root.device)
        if shape:
            g = g.reshape(shape)
    else:
        g = gradient._data if isinstance(gradient, Tensor) else \
            backend.to(np.asarray(gradient), root.device)
        if g.shape != root._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: gradient has shape {g.shape} but the output has shape "
                f"{root._data.shape}"
            )
        if g.dtype != root._data.dtype:
            g = g.astype(root._data.dtype)
    if create_graph:
        if isinstance(gradient, Tensor):
            return gradient
        return _wrap(g, None)
    return g


bind_tensor(Tensor, _wrap)
