"""``nn.save`` / ``nn.load``: state dicts as NumPy ``.npz`` files, never pickles.

The file is a zip of ``<name>.npy`` members (NumPy's npz layout, readable by
``np.load``), one per state_dict entry, in order. It is written to exactly the
path given (no ``.npz`` appended, unlike ``np.savez``) through a temporary file that
replaces the target only once complete, so an interrupted save never leaves a
truncated file. Loading always uses ``allow_pickle=False``: a file from a stranger
cannot run code, and anything that is not such an npz raises ``ValueError``.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd.tensor import Tensor

__all__ = ["load", "save"]


def _state_of(obj: Any) -> Mapping[str, Any]:
    from nn.modules.module import Module

    if isinstance(obj, Module):
        return obj.state_dict()
    if isinstance(obj, Mapping):
        return obj
    raise TypeError(f"nn.save expects a Module or a mapping name -> array, got "
                    f"{type(obj).__name__}")


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` (a Module's state_dict, or a mapping ``name -> array/Tensor``) to
    ``path`` as an npz archive keyed by the state_dict names."""
    state = _state_of(obj)
    arrays = []
    for name, value in state.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"nn.save: keys must be non-empty strings, got {name!r}")
        arr = np.asarray(value.data if isinstance(value, Tensor) else value)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"nn.save: value for {name!r} has dtype {arr.dtype}; only numeric "
                            "arrays are saved (no pickles)")
        arrays.append((name, arr))
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".chainrule-save-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
            for name, arr in arrays:
                with zf.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, arr, allow_pickle=False)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; a model file is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: str | os.PathLike) -> OrderedDict:
    """Read a file written by :func:`save` (or ``np.savez``) into an ordered
    ``name -> np.ndarray`` mapping; ``ValueError`` naming the file if it is not a
    complete npz of numeric arrays."""
    path = os.fspath(path)
    with open(path, "rb") as fh:  # a missing file stays FileNotFoundError
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        raise ValueError(f"nn.load: {path!r} is not an .npz state file (no zip header); "
                         "was it written by nn.save?")
    out: OrderedDict = OrderedDict()
    try:
        with np.load(path, allow_pickle=False) as data:
            names = data.zip.namelist()
            foreign = [n for n in names if not n.endswith(".npy")]
            if foreign:
                raise ValueError(f"members {foreign[:3]} are not .npy arrays")
            for key in data.files:
                arr = data[key]
                if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biufc":
                    raise ValueError(f"member {key!r} is not a numeric array")
                out[key] = arr
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"nn.load: {path!r} is not a valid .npz state file (truncated or "
                         f"foreign): {err}") from err
    return out
