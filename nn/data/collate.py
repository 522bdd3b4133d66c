"""torch's ``default_collate`` and ``default_convert``: how samples become a batch.

``default_collate(batch)`` looks at the first sample and recurses: Tensors are stacked
along a new dim 0; NumPy arrays and NumPy scalars become tensors keeping their dtype
(then stacked); Python floats give a float64 tensor, ints int64, bools bool; strings
stay as given (a list, or a tuple inside tuple samples); mappings collate key by key
(a mutable one copied, so a ``defaultdict`` stays one), namedtuples field by field, and
other sequences position by position (a tuple of fields gives a *list* of batches, as
torch).
Anything else is a ``TypeError``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd.tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def _stack(batch: Sequence[Tensor]) -> Tensor:
    shape = batch[0].shape
    for i, t in enumerate(batch):
        if t.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t.shape)} at entry {i}")
    dtype = batch[0].dtype
    if any(t.requires_grad or t.dtype != dtype for t in batch):
        return ag.stack(list(batch), 0)  # torch's promotion (int64 with float32: float32)
    return ag.from_numpy(np.stack([np.asarray(t) for t in batch]))


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch (see the module doc for the rules)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray | np.generic) and not isinstance(elem, np.str_ | np.bytes_):
        if np.asarray(elem).dtype.kind in "OUSV":
            raise TypeError(_ERR.format(np.asarray(elem).dtype))
        arrays = [np.asarray(b) for b in batch]
        if any(a.dtype != arrays[0].dtype for a in arrays):
            if isinstance(elem, np.ndarray):  # torch: each a tensor, then stacked, promoted
                return _stack([ag.from_numpy(a) for a in arrays])
            return ag.tensor(list(batch))  # NumPy scalars: torch.as_tensor(batch)'s inference
        return ag.from_numpy(np.stack(arrays))
    if isinstance(elem, float):
        return ag.from_numpy(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):  # bools too: torch.tensor(batch) (True, 2 gives int64)
        return ag.tensor(list(batch))
    if isinstance(elem, str | bytes):
        return batch  # as given: a tuple when it is a field of tuple samples, as torch
    if isinstance(elem, Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch])
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return fields  # a list of batches (torch's backwards-compatible rule)
        return _rebuild_sequence(elem, fields)
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """What a loader without automatic batching (``batch_size=None``) yields per sample:
    NumPy arrays become tensors, containers are converted inside, the rest is kept."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OUSV":
        return ag.from_numpy(data)
    if isinstance(data, np.generic) and not isinstance(data, np.str_ | np.bytes_):
        return ag.from_numpy(np.asarray(data))
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like: Mapping, values: dict) -> Any:
    """``values`` in a mapping of ``like``'s type, as torch: a mutable one is copied
    (``copy.copy``: a ``defaultdict`` keeps its factory, an ``OrderedDict`` its type) and
    updated, another type is called on the dict; a plain dict when that fails."""
    try:
        if isinstance(like, MutableMapping):
            clone = copy.copy(like)
            clone.update(values)
            return clone
        return type(like)(values)
    except TypeError:
        return values


def _rebuild_sequence(like: Sequence, values: list) -> Any:
    """``values`` in a sequence of ``like``'s type, as torch (a mutable one copied and
    filled in, another type called on the list; a list when that fails)."""
    try:
        if isinstance(like, MutableSequence):
            clone = copy.copy(like)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(like)(values)
    except TypeError:
        return values
