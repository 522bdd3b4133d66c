"""Package attributes loaded on first use (PEP 562: a module-level ``__getattr__``).

A training step imports the engine, the layers and the optimisers; the drawing tools,
data loading, checkpoints, multi-process training and the LR schedulers are loaded only
when a program first names them (``ag.viz``, ``nn.save``, ``optim.lr_scheduler``), which
keeps ``import autograd, nn, optim`` small. ``autograd``, ``nn`` and ``optim`` share the
one mechanism here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, table: dict[str, tuple[str, str | None]],
                    namespace: dict[str, Any]) -> tuple[Callable[[str], Any],
                                                        Callable[[], list[str]]]:
    """The ``(__getattr__, __dir__)`` pair of package ``package`` whose globals are
    ``namespace``: ``table`` maps each lazy name to ``(module, attribute)``, the attribute
    ``None`` for the module itself. The first access imports it and stores it in the
    package's globals, so later accesses never come back here."""

    def __getattr__(name: str) -> Any:
        where = table.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(where[0])
        value = module if where[1] is None else getattr(module, where[1])
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
