"""``nn.save`` / ``nn.load``: ``autograd.save``/``autograd.load``'s files (see
:mod:`autograd.serialization` for the format and its guarantees), ``nn.save`` also taking a
Module, for which it writes the module's state_dict."""

from __future__ import annotations

import os
from typing import Any

from autograd.serialization import members, read, write
from nn.modules.module import Module

__all__ = ["load", "save"]


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` — a Module (its state_dict), a state_dict, or any nesting of dicts,
    lists, tuples, arrays, Tensors, numbers, strings and None — to ``path``, atomically.

    Raises:
        TypeError: ``obj`` holds something that cannot be saved; the message names where,
            e.g. ``obj['optimizer']['foo']: object of type Foo``. Nothing is written.
        OSError: the file cannot be written; an existing file at ``path`` is unchanged.
    """
    if isinstance(obj, Module):
        obj = obj.state_dict()  # an empty one (a module without parameters) is saved too
    write(members(obj, "nn.save"), path)


def load(path: str | os.PathLike) -> Any:
    """Read a file written by :func:`save` (or ``autograd.save``, ``np.savez``): an ordered
    ``name -> array`` mapping for a state_dict file, otherwise the saved structure.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: naming the file, when it is not a complete, valid npz of numeric arrays
            (truncated, corrupted, foreign, pickled, encrypted, or declaring more data than
            it holds). Nothing large is allocated before the sizes are checked.
    """
    return read(path, "nn.load")
