"""Batching data: ``TensorDataset`` and ``DataLoader`` (torch's names and arguments).

For a TensorDataset the loader cuts each batch out of the whole arrays with one
fancy index per array (no per-sample Python work); any other dataset (anything with
``__getitem__`` and ``__len__``) is read sample by sample and stacked. Shuffling
draws a permutation from ``autograd.random.generator()``, so ``ag.manual_seed``
makes the order repeatable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd.random import generator
from autograd.tensor import Tensor

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate"]


class Dataset:
    """Base class of map-style datasets: ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are the i-th rows of the given tensors (or arrays), which must share their
    first dimension; ``dataset[i]`` is a tuple of Tensors."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        ts = tuple(t if isinstance(t, Tensor) else ag.from_numpy(np.asarray(t)) for t in tensors)
        if any(t.ndim == 0 for t in ts):
            raise ValueError("TensorDataset: every tensor needs a first (sample) dimension")
        n = ts[0].shape[0]
        if any(t.shape[0] != n for t in ts):
            raise ValueError("Size mismatch between tensors: first dimensions are "
                             f"{[t.shape[0] for t in ts]}")
        self.tensors = ts

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples: tuples field by field, dicts key by key; Tensors and
    arrays with ``np.stack`` (dtype kept), Python numbers via ``ag.tensor`` (float32/int64)."""
    first = batch[0]
    if isinstance(first, tuple | list):
        return tuple(default_collate([b[i] for b in batch]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, Tensor | np.ndarray | np.generic):
        return ag.from_numpy(np.stack([b.data if isinstance(b, Tensor) else np.asarray(b)
                                       for b in batch]))
    return ag.tensor(list(batch))


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples, as tuples of Tensors.

    ``shuffle`` draws a new permutation each epoch; ``drop_last`` drops a final short
    batch. ``len(loader)`` is the number of batches. ``num_workers`` is accepted and
    ignored (loading is in-process).
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable | None = None,
                 num_workers: int = 0) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) \
                or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.num_workers = num_workers

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _fast(self) -> bool:
        # the whole-array path is only valid when indexing is TensorDataset's own
        return (isinstance(self.dataset, TensorDataset) and self.collate_fn is None
                and type(self.dataset).__getitem__ is TensorDataset.__getitem__)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = generator().permutation(n) if self.shuffle else None
        bs = self.batch_size
        stop = n - n % bs if self.drop_last else n
        fast = self._fast()
        arrays = [t.data for t in self.dataset.tensors] if fast else None
        for start in range(0, stop, bs):
            end = min(start + bs, n)
            idx = order[start:end] if order is not None else None
            if fast:
                # one fancy index (or slice copy) per array: the batch owns its memory
                yield tuple(ag.from_numpy(a[idx] if idx is not None else a[start:end].copy())
                            for a in arrays)
            else:
                ids = idx.tolist() if idx is not None else range(start, end)
                samples = [self.dataset[i] for i in ids]
                yield (self.collate_fn or default_collate)(samples)
