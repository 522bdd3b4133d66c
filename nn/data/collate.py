"""torch's ``default_collate`` and ``default_convert``: how samples become a batch.

``default_collate(batch)`` looks at the first sample and recurses: Tensors are stacked
along a new dim 0; NumPy arrays and NumPy scalars become tensors keeping their dtype
(then stacked); Python floats give a float64 tensor, ints int64, bools bool; strings
stay a list; mappings collate key by key, namedtuples field by field, and other
sequences position by position (a tuple of fields gives a *list* of batches, as torch).
Anything else is a ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    if any(t.requires_grad for t in batch):
        return ag.stack(list(batch), 0)
    return ag.from_numpy(np.stack([np.asarray(t) for t in batch]))


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch (see the module doc for the rules)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray | np.generic) and not isinstance(elem, np.str_ | np.bytes_):
        if np.asarray(elem).dtype.kind in "OUSV":
            raise TypeError(_ERR.format(np.asarray(elem).dtype))
        return ag.from_numpy(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return ag.from_numpy(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return ag.from_numpy(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        return ag.tensor(list(batch))
    if isinstance(elem, str | bytes):
        return list(batch)
    if isinstance(elem, Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(out)
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
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
        out = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(out)
        except TypeError:
            return out
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, str | bytes):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
