"""Tensor methods about the tensor itself rather than its values, as torch has them:
``type()``, ``type_as``, ``new_tensor``/``new_zeros``/``new_ones``/``new_full``/
``new_empty`` (same dtype and device as the tensor unless told), ``is_floating_point``,
``is_complex``, ``is_signed``, ``element_size``, ``itemsize``, ``nbytes``, ``data_ptr``,
``is_contiguous``, ``ndimension``, ``is_cpu``, ``get_device``, ``is_same_size``,
``is_inference``, ``t()`` (the 2-D transpose), the storage-kind flags (``is_sparse``,
``is_quantized``, ``is_meta``, ``is_nested``: all False, ``layout``: ``strided``),
``is_shared``/``share_memory_``, ``storage_offset``, ``output_nr`` and the deprecated
constructor ``new``; and the ``grad`` property (reading it on a non-leaf warns, assigning it
is checked as torch does). Bound onto ``Tensor`` at import.
"""

from __future__ import annotations

import builtins
import warnings
import weakref
from typing import Any

import numpy as np

from autograd import backend
from autograd.dims import Size, size_args, size_tuple
from autograd.promotion import torch_name
from autograd.tensor import Tensor, _base_of, _wrap

# torch's legacy tensor-type names, by dtype name (``t.type()``)
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}
_BY_TYPE_NAME = {v: k for k, v in _TYPE_NAMES.items()}


def type(self: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """Without ``dtype``: torch's type name (``'torch.FloatTensor'``). With a dtype or a
    type name (``'torch.DoubleTensor'``): the tensor cast to it (itself if already so)."""
    if dtype is None:
        name = _TYPE_NAMES.get(np.dtype(self.dtype).name, "Tensor")
        return f"torch.{'cuda.' if self.is_cuda else ''}{name}"
    if isinstance(dtype, str):
        key = dtype.rsplit(".", 1)[-1]
        if key not in _BY_TYPE_NAME:
            raise ValueError(f"invalid type: {dtype!r}")
        dtype = _BY_TYPE_NAME[key]
    dt = np.dtype(dtype)
    return self if dt == self.dtype else self.to(dt)


def type_as(self: Tensor, other: Tensor) -> Tensor:
    """This tensor cast to ``other``'s dtype."""
    return self.to(other.dtype)


def _like(self: Tensor, data: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    """A leaf around ``data`` (made on the host), on ``device`` or where ``self`` is."""
    t = _wrap(backend.to(data, self.device if device is None else device), None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """A new leaf holding a copy of ``data``, with this tensor's dtype unless ``dtype``."""
    return Tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Zeros of ``size``, with this tensor's dtype and device unless told."""
    return _like(self, np.zeros(size_args(size, None, "new_zeros"), dtype or self.dtype),
                 requires_grad, device)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """Ones of ``size``, with this tensor's dtype and device unless told."""
    return _like(self, np.ones(size_args(size, None, "new_ones"), dtype or self.dtype),
                 requires_grad, device)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of ``size``, with this tensor's dtype and device."""
    return _like(self, np.empty(size_args(size, None, "new_empty"), dtype or self.dtype),
                 requires_grad, device)


def new_full(self: Tensor, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``size`` filled with ``fill_value``, with this tensor's dtype unless ``dtype``."""
    shape = size_tuple((size,), "new_full")
    return _like(self, np.full(shape, fill_value, dtype or self.dtype), requires_grad, device)


def is_floating_point(self: Tensor) -> bool:
    return self.dtype.kind == "f"


def is_complex(self: Tensor) -> bool:
    return self.dtype.kind == "c"


def is_signed(self: Tensor) -> bool:
    """True for signed integers, floats and complex; False for uint8 and bool (torch)."""
    return self.dtype.kind in "ifc"


def element_size(self: Tensor) -> int:
    """Bytes per element."""
    return self.dtype.itemsize


def _itemsize(self: Tensor) -> int:
    return self.dtype.itemsize


def _nbytes(self: Tensor) -> int:
    return self._data.size * self.dtype.itemsize


def address(arr: Any) -> int:
    """The address of an array's first element (NumPy's, or a device array's data.ptr)."""
    if isinstance(arr, np.ndarray):
        return arr.__array_interface__["data"][0]
    return int(arr.data.ptr)  # a device array


def storage_root(arr: Any) -> Any:
    """The array owning the memory ``arr`` views (``arr`` itself when it owns it)."""
    root = arr
    while getattr(root, "base", None) is not None and backend.is_array(root.base):
        root = root.base
    return root


def data_ptr(self: Tensor) -> int:
    """The address of the first element (equal for tensors sharing memory there)."""
    return address(self._data)


def is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    """Whether the elements lie in row-major order without gaps."""
    return bool(self._data.flags.c_contiguous)


def ndimension(self: Tensor) -> int:
    return self._data.ndim


def _is_cpu(self: Tensor) -> bool:
    return self.device.type == "cpu"


def get_device(self: Tensor) -> int:
    """-1 on the CPU, else the GPU's index (torch)."""
    dev = self.device
    return -1 if dev.type == "cpu" else (dev.index or 0)


def is_same_size(self: Tensor, other: Tensor) -> bool:
    return tuple(self.shape) == tuple(other.shape)


def is_inference(self: Tensor) -> bool:
    """chainrule has no inference tensors (``inference_mode`` runs as ``no_grad``)."""
    return False


def t(self: Tensor) -> Tensor:
    """The transpose of a matrix; a tensor below 2 dims as it is (torch's ``t()``)."""
    nd = self._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return self.transpose(0, 1) if nd == 2 else self.view(self.shape)


class layout:  # noqa: N801 - torch's name (torch.layout)
    """How a tensor's elements are laid out: chainrule has only ``strided`` (dense)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickles as the module's one instance


strided = layout("strided")


def _layout(self: Tensor) -> layout:
    return strided


def _false(self: Tensor) -> bool:
    return False


# Tensors made shared by share_memory_, by id (a view shares with its base: looked up
# there); each entry leaves with its tensor. Not a WeakSet: it compares with ==, which is
# elementwise for tensors.
_SHARED: dict[int, weakref.ref] = {}


def is_shared(self: Tensor) -> bool:
    """Whether ``share_memory_()`` was called on this tensor (or the base it views)."""
    base = _base_of(self)
    ref = _SHARED.get(id(base))
    return ref is not None and ref() is base


def share_memory_(self: Tensor) -> Tensor:
    """Mark the tensor shared and return it. torch moves the storage into shared memory so
    that worker processes it is sent to see the same elements; chainrule sends no tensor
    to another process by reference (its DataLoader loads in the main process, and
    ``autograd.distributed`` copies through MPI messages), so the array stays where it is
    and nothing observable changes: a no-op, with ``is_shared()`` then True as in torch."""
    base = _base_of(self)
    key = id(base)
    _SHARED[key] = weakref.ref(base, lambda _, key=key: _SHARED.pop(key, None))
    return self


def storage_offset(self: Tensor) -> int:
    """How many elements this tensor's first element lies past the start of the memory it
    views (0 for a tensor owning its memory; ``x[1:]`` of a 1-D ``x`` gives 1), from
    NumPy's data pointers. A NumPy view where torch copies (none of the view ops) would
    differ."""
    arr = self._data
    root = storage_root(arr)
    if root is arr or not arr.size:
        return 0
    return (address(arr) - address(root)) // arr.itemsize


def _output_nr(self: Tensor) -> int:
    """Which output of its node this tensor is: the slot of a multi-output Function's
    output, else 0 (chainrule records each piece of split/unbind/chunk with a node of its
    own, where torch's one node numbers them)."""
    node = self._node
    if node is not None and node.__class__.__name__ == "OutputBackward":
        return int(node.meta[0])
    return 0


def new(self: Tensor, *args: Any, device: Any = None, **kwargs: Any) -> Tensor:
    """torch's deprecated constructor, with this tensor's dtype: ``new()`` (empty),
    ``new(2, 3)`` or ``new(shape_tuple)`` (uninitialised: zeros here), ``new([1, 2])``
    (data, cast), ``new(other)`` (``other`` itself, which must have this dtype).

    As torch's, a :class:`~autograd.dims.Size` (``x.new(y.size())``, the idiom) is a size
    and a plain tuple is data: ``x.new((2, 3))`` holds the values 2 and 3.
    """
    if kwargs:
        if set(kwargs) != {"size"} or args:
            raise TypeError(f"new() received an invalid combination of arguments - got "
                            f"{sorted(kwargs)}")
        args = (tuple(kwargs["size"]),)
    dt = self.dtype
    if not args:
        return _like(self, np.empty((0,), dt), False, device)
    first = args[0]
    if len(args) == 1 and isinstance(first, Tensor):
        if first.dtype != dt:
            raise TypeError(f"expected {type(self)} (got {type(first)}): new(other) needs "
                            "this tensor's dtype")
        return first
    if all(isinstance(a, int | np.integer) and not isinstance(a, bool) for a in args):
        return _like(self, np.zeros(tuple(int(a) for a in args), dt), False, device)
    if len(args) == 1 and isinstance(first, Size):
        return _like(self, np.zeros(tuple(first), dt), False, device)
    if len(args) == 1 and isinstance(first, list | tuple | np.ndarray):
        return _like(self, np.array(first).astype(dt), False, device)
    raise TypeError(f"new(): data must be a sequence (got {builtins.type(first).__name__})")


for _fn in (type, type_as, new_tensor, new_zeros, new_ones, new_empty, new_full,
            is_floating_point, is_complex, is_signed, element_size, data_ptr, is_contiguous,
            ndimension, get_device, is_same_size, is_inference, t, is_shared, share_memory_,
            storage_offset, new):
    setattr(Tensor, _fn.__name__, _fn)
for _flag in ("is_sparse", "is_quantized", "is_meta", "is_nested"):
    setattr(Tensor, _flag, property(_false, doc="False: chainrule's tensors are dense, "
                                                "unquantized and hold their values."))
Tensor.layout = property(_layout, doc="The memory layout: always ``strided``.")
Tensor.output_nr = property(_output_nr, doc="Which output of its node this tensor is.")
Tensor.itemsize = property(_itemsize, doc="Bytes per element.")
Tensor.nbytes = property(_nbytes, doc="Bytes of all the elements.")
Tensor.is_cpu = property(_is_cpu, doc="Whether the tensor lives on the CPU.")


_GRAD_SLOT = Tensor.__dict__["_grad"]
_get_grad_slot = _GRAD_SLOT.__get__


def _get_grad(self: Tensor) -> Tensor | None:
    """``t.grad``; reading it on a non-leaf that does not retain its gradient warns, as
    torch (a common slip: the gradient of an intermediate result is not kept)."""
    g = _get_grad_slot(self)
    if g is None and self._node is not None and not getattr(self, "_retains_grad", False):
        warnings.warn(
            "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
            ".grad attribute won't be populated during autograd.backward(). If you indeed "
            "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
            "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
            "you access the leaf Tensor instead.", UserWarning, stacklevel=2)
    return g


_set_grad_slot = _GRAD_SLOT.__set__
# the C names torch's messages give a gradient's dtype in
_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long int", "int32": "int", "bool": "bool"}


def _set_grad(self: Tensor, value: Tensor | None) -> None:
    """``t.grad = g``, checked as torch does: a Tensor (or None) of the tensor's dtype,
    device type and size (the engine and the ops write the slot itself)."""
    if value is not None:
        if not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                            f"type {builtins.type(value).__name__}")
        if value._data.dtype != self._data.dtype:
            raise RuntimeError(
                f"attempting to assign a gradient with dtype "
                f"'{_C_NAMES.get(value._data.dtype.name, value._data.dtype.name)}' to a "
                f"tensor with grad_dtype '{torch_name(self._data.dtype)}'. The gradient must "
                f"match the tensor's grad_dtype (defaults to the tensor's dtype).")
        if value.device.type != self.device.type:
            raise RuntimeError(
                f"attempting to assign a gradient with device type '{value.device.type}' to a "
                f"tensor with device type '{self.device.type}'. Please ensure that the "
                f"gradient and the tensor are on the same device")
        if value._data.shape != self._data.shape:
            raise RuntimeError(
                f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                f"and the tensor are the same size")
    _set_grad_slot(self, value)


Tensor.grad = property(_get_grad, _set_grad, _GRAD_SLOT.__delete__,
                       doc="The gradient accumulated by backward (None until then).")
