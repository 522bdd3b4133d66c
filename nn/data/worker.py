"""torch's ``get_worker_info`` and ``WorkerInfo``.

chainrule's ``DataLoader`` loads every batch in the main process (``num_workers`` is
accepted and ignored, see ``nn/data/dataloader.py``), so no code ever runs in a worker:
``get_worker_info()`` is None everywhere, as torch's is in the main process. Datasets that
split their work by ``get_worker_info()`` (the usual ``IterableDataset`` pattern) then
read everything, as torch's do with ``num_workers=0``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WorkerInfo", "get_worker_info"]


class WorkerInfo:
    """What a DataLoader worker knows of itself: ``id``, ``num_workers``, ``seed``,
    ``dataset`` (read-only after creation, as torch's)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __init__(self, **kwargs: Any) -> None:
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_KEYS", tuple(kwargs))
        object.__setattr__(self, "_WorkerInfo__initialized", True)

    def __setattr__(self, key: str, val: Any) -> None:
        if getattr(self, "_WorkerInfo__initialized", False):
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} "
                               "objects")
        object.__setattr__(self, key, val)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self._KEYS)
        return f"{self.__class__.__name__}({items})"


# Set in a worker process; chainrule starts none, so it stays None.
_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's :class:`WorkerInfo`, or None in the main process (always, here: the
    DataLoader starts no worker processes)."""
    return _worker_info
