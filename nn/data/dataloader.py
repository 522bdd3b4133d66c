"""``DataLoader`` with torch's arguments, checks, lengths and batching.

Map-style datasets are read through a sampler (``SequentialSampler``, or
``RandomSampler(dataset, generator=generator)`` with ``shuffle``) grouped by a
``BatchSampler``; each batch of samples goes through ``collate_fn`` (torch's
``default_collate`` unless given). An ``IterableDataset`` is read as a stream and cut
into batches (no sampler, no shuffle). ``batch_size=None`` turns batching off.

For a ``TensorDataset`` with the default collation, a batch is cut out of the whole
arrays with one fancy index per tensor (no per-sample Python work), giving what
``default_collate`` would: a list of Tensors. Loading is in-process:
``num_workers`` is accepted and ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import autograd as ag
from nn.data.collate import default_collate, default_convert
from nn.data.dataset import IterableDataset, TensorDataset
from nn.data.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``dataset`` in batches (torch's ``torch.utils.data.DataLoader``).

    ``len(loader)`` is the number of batches (for an IterableDataset: from its
    ``len``, if it has one).
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        # torch's checks of the worker options, though loading here is in-process
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing. let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif batch_size is not None:
            batch_size = BatchSampler(range(1), batch_size, bool(drop_last)).batch_size
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.generator = generator
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self._auto_collation = batch_sampler is not None or (iterable and batch_size is not None)
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else default_convert)
        self._default_collate = collate_fn is None

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _fast(self) -> bool:
        # the whole-array path is only valid when indexing is TensorDataset's own
        return (self._default_collate and self.batch_sampler is not None
                and isinstance(self.dataset, TensorDataset)
                and type(self.dataset).__getitem__ is TensorDataset.__getitem__)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._iter_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        if self._fast():
            return self._iter_tensors()
        return self._iter_batches()

    def _iter_batches(self) -> Iterator[Any]:
        getitems = getattr(self.dataset, "__getitems__", None)
        for indices in self.batch_sampler:
            data = getitems(indices) if getitems else [self.dataset[i] for i in indices]
            yield self.collate_fn(data)

    def _iter_tensors(self) -> Iterator[list]:
        arrays = [np.asarray(t) for t in self.dataset.tensors]
        bs = self.batch_sampler
        if not (type(bs) is BatchSampler and type(bs.sampler) in (SequentialSampler,
                                                                  RandomSampler)):
            for indices in bs:
                idx = np.asarray(indices, dtype=np.int64)
                yield [ag.from_numpy(a[idx]) for a in arrays]
            return
        # the standard samplers: one pass's order as one array, cut into batches
        seq = type(bs.sampler) is SequentialSampler
        order = None if seq else bs.sampler._order()
        n = len(bs.sampler)
        size = bs.batch_size
        stop = n - n % size if bs.drop_last else n
        for lo in range(0, stop, size):
            hi = min(lo + size, n)
            if seq:  # contiguous: a slice copy (the batch owns its memory)
                yield [ag.from_numpy(a[lo:hi].copy()) for a in arrays]
            else:
                yield [ag.from_numpy(a[order[lo:hi]]) for a in arrays]

    def _iter_stream(self) -> Iterator[Any]:
        it = iter(self.dataset)
        if self.batch_size is None:
            for sample in it:
                yield self.collate_fn(sample)
            return
        while True:
            batch = []
            for sample in it:
                batch.append(sample)
                if len(batch) == self.batch_size:
                    break
            if not batch or (len(batch) < self.batch_size and self.drop_last):
                return
            yield self.collate_fn(batch)
            if len(batch) < self.batch_size:
                return
