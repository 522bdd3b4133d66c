"""Saving and loading: state dicts and checkpoints as NumPy ``.npz`` files, never pickles.

``autograd.save(obj, f)`` / ``autograd.load(f, map_location=None, ...)`` are torch's
``torch.save`` / ``torch.load`` (so ``torch.save(model.state_dict(), "m.pt")`` runs with
``import autograd as torch``); ``nn.save`` / ``nn.load`` are the same files, ``nn.save`` also
taking a Module for its state_dict. Unlike torch's, the format holds data only, so a whole
Module (which torch pickles) is refused with a ``TypeError`` instead of being saved as
something that loads back different.

Two layouts, both zips of ``.npy`` members readable by ``np.load(..., allow_pickle=False)``:

* **state_dict** — a non-empty mapping ``str -> np.ndarray``: one member ``<name>.npy`` per
  entry, in order (NumPy's ``savez`` layout). Loading returns an ordered ``name -> array``
  mapping.
* **structure** — anything else: any nesting of dicts (``str`` or ``int`` keys, order kept),
  lists and tuples of arrays, Tensors, NumPy scalars, Python ``int``/``float``/``bool``,
  ``str`` and ``None`` (a model's state_dict, the optimizer's and the scheduler's, the epoch
  and the RNG state in one file). The arrays are members ``arr_<k>.npy``; the structure is
  JSON in the member ``structure.json`` (dicts as ``{"$dict": [[key, value], ...]}``
  (``"$odict"`` for an OrderedDict, which loads as one), tuples
  as ``{"$tuple": [...]}``, arrays, Tensors and NumPy scalars as references to their
  member, non-finite floats as ``{"$float": "nan"}``). Loading rebuilds the same
  structure: tuples stay tuples, Tensors come back as Tensors (``requires_grad`` kept; on
  the host, or where ``map_location`` says), arrays as arrays. Anything else is refused at
  save time with a ``TypeError`` naming its place, e.g. ``obj['optimizer']['foo']: object
  of type Foo``.

Writing to a path goes to exactly that path (no ``.npz`` appended), through symlinks to the
file they name (as ``open(path, "wb")``), via a temporary file in the same folder that is
flushed, fsynced and then renamed over the target, so an interrupted save never leaves a
truncated file; the temporary file is removed on any failure (``KeyboardInterrupt``
included). The new file gets ``0o666 & ~umask`` (an existing file keeps its mode). A target
that exists and is not a regular file (a device, a FIFO) is written in place. A file object
(``io.BytesIO``, an open file) is written at its position, as torch does.

Loading never unpickles: a file from a stranger cannot run code. Every size a file declares
is checked against the file before anything is read or allocated, so a small file cannot
make loading allocate much more than ~1000x its size (DEFLATE's largest ratio);
anything that is not such an npz — truncated, corrupted, encrypted, an unknown zip feature —
raises ``ValueError`` naming the file.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import backend
from autograd.tensor import Tensor

__all__ = ["load", "save"]

SAVE, LOAD = "autograd.save", "autograd.load"

STRUCTURE = "structure.json"
FORMAT = "chainrule.save"
VERSION = 1
NUMERIC_KINDS = "biufc"
# DEFLATE cannot expand a stream by more than 1032:1; anything beyond is a lie or a bomb.
MAX_DEFLATE_RATIO = 1032
# Zip general-purpose flags we read: deflate options (bits 1-2), data descriptor (3), UTF-8
# names (11). Encryption (0, 6), patched data (5) and the rest are refused.
ALLOWED_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800


# -- encoding -------------------------------------------------------------------------------
def _numeric(arr: np.ndarray, where: str, who: str = SAVE) -> np.ndarray:
    if arr.dtype.kind not in NUMERIC_KINDS:
        raise TypeError(f"{who}: {where}: array of dtype {arr.dtype}; only numeric arrays "
                        "(bool, int, float, complex) are saved (no pickles)")
    return arr


class _Encoder:
    """Turns a Python structure into JSON-able data plus a list of arrays."""

    def __init__(self, who: str) -> None:
        self.who = who  # the public name that is saving, for messages
        self.arrays: list[np.ndarray] = []
        self._open: set[int] = set()  # containers on the current path: cycles are refused

    def _ref(self, arr: np.ndarray) -> int:
        self.arrays.append(arr)
        return len(self.arrays) - 1

    def encode(self, obj: Any, where: str) -> Any:
        if obj is None or isinstance(obj, bool | str):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"$float": repr(float(obj))}
        if isinstance(obj, Tensor):
            # a device tensor's values are brought to the host
            arr = _numeric(backend.to_host(obj.detach()._data), where, self.who)
            return {"$tensor": self._ref(arr), "requires_grad": bool(obj.requires_grad)}
        if isinstance(obj, np.ndarray):
            return {"$array": self._ref(_numeric(obj, where, self.who))}
        if backend.is_device_array(obj):
            return {"$array": self._ref(_numeric(backend.to_host(obj), where, self.who))}
        if isinstance(obj, np.generic):
            return {"$scalar": self._ref(_numeric(np.asarray(obj), where, self.who))}
        if isinstance(obj, Mapping | list | tuple):
            if id(obj) in self._open:
                raise TypeError(f"{self.who}: {where}: the object contains itself")
            self._open.add(id(obj))
            try:
                return self._container(obj, where)
            finally:
                self._open.discard(id(obj))
        raise TypeError(f"{self.who}: {where}: object of type {type(obj).__module__}."
                        f"{type(obj).__qualname__} cannot be saved (only dicts, lists, tuples, "
                        "arrays, Tensors, numbers, strings and None; never pickles)")

    def _container(self, obj: Any, where: str) -> Any:
        if isinstance(obj, Mapping):
            items = []
            for key, value in obj.items():
                if isinstance(key, bool) or not isinstance(key, str | int):
                    raise TypeError(f"{self.who}: {where}: dict key {key!r} of type "
                                    f"{type(key).__name__}; keys must be str or int")
                items.append([key if isinstance(key, str) else int(key),
                              self.encode(value, f"{where}[{key!r}]")])
            return {"$odict" if isinstance(obj, OrderedDict) else "$dict": items}
        values = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        return {"$tuple": values} if isinstance(obj, tuple) else values


def _flat_state(obj: Any, who: str) -> list[tuple[str, np.ndarray]] | None:
    """A flat ``str -> ndarray`` mapping's entries (the state_dict layout), or None when
    ``obj`` needs the structure layout."""
    if not isinstance(obj, Mapping) or not obj:
        return None
    if not all(isinstance(k, str) and k and isinstance(v, np.ndarray) for k, v in obj.items()):
        if all(isinstance(k, str) and k and backend.is_array(v) for k, v in obj.items()):
            return [(k, _numeric(backend.to_host(v), f"obj[{k!r}]", who))
                    for k, v in obj.items()]
        return None
    return [(k, _numeric(v, f"obj[{k!r}]", who)) for k, v in obj.items()]


def _members(obj: Any, who: str) -> list[tuple[str, Any]]:
    """(member name, ndarray or bytes) pairs to write, all validated."""
    flat = _flat_state(obj, who)
    if flat is not None:
        return [(name + ".npy", arr) for name, arr in flat]
    enc = _Encoder(who)
    root = enc.encode(obj, "obj")
    text = json.dumps({"format": FORMAT, "version": VERSION, "root": root},
                      allow_nan=False, separators=(",", ":"))
    return [(f"arr_{k}.npy", a) for k, a in enumerate(enc.arrays)] + \
        [(STRUCTURE, text.encode())]


# -- writing --------------------------------------------------------------------------------
def _umask() -> int:
    try:
        with open("/proc/self/status") as fh:  # reading it does not change it (Linux)
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_zip(fh: Any, members: list[tuple[str, Any]]) -> None:
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        for name, value in members:
            if isinstance(value, bytes):
                zf.writestr(name, value)
                continue
            with zf.open(name, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, value, allow_pickle=False)


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a folder; the file itself was synced
    finally:
        os.close(fd)


def write(members: list[tuple[str, Any]], f: Any) -> None:
    """Write validated ``members`` to the path or file object ``f`` (see the module
    docstring: a path is replaced atomically)."""
    if not isinstance(f, str | bytes | os.PathLike):
        if not callable(getattr(f, "write", None)):
            raise TypeError(f"expected a path or a file object to write to, got "
                            f"{type(f).__name__}")
        _write_zip(f, members)
        return
    target = os.path.realpath(os.fsdecode(f))  # through symlinks, as open(path, "wb")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        # A device or FIFO: written in place, as open() does. It cannot seek, so the zip is
        # assembled in memory first.
        buf = io.BytesIO()
        _write_zip(buf, members)
        with open(target, "wb") as fh:
            fh.write(buf.getbuffer())
        return
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    folder = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(prefix=".chainrule-save-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_zip(fh, members)
            fh.flush()
            if hasattr(os, "fchmod"):  # POSIX
                os.fchmod(fh.fileno(), mode)  # mkstemp made it 0600
            os.fsync(fh.fileno())  # the data is on disk before the rename makes it visible
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def members(obj: Any, who: str) -> list[tuple[str, Any]]:
    """What ``save`` writes for ``obj``, every value checked (``TypeError`` naming the place
    of the first that cannot be saved) before anything touches the disk."""
    return _members(obj, who)


def save(obj: Any, f: Any, pickle_module: Any = None, pickle_protocol: Any = None,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """``torch.save``: write ``obj`` (a state_dict, or any nesting of dicts, lists, tuples,
    Tensors, arrays, numbers, strings and None) to ``f``, a path or a file object. The
    pickle arguments are accepted for torch's signature; nothing is pickled.

    Raises:
        TypeError: ``obj`` holds something that cannot be saved (a whole Module: save its
            ``state_dict()``); the message names where. Nothing is written.
        OSError: the file cannot be written; an existing file at ``f`` is unchanged.
    """
    if callable(getattr(obj, "state_dict", None)) and callable(
            getattr(obj, "named_parameters", None)):
        raise TypeError(f"{SAVE}: a whole {type(obj).__name__} module would need pickling, "
                        f"which chainrule never does; save its state_dict() instead "
                        f"(torch's recommended way) and load it with load_state_dict()")
    write(_members(obj, SAVE), f)


# -- reading --------------------------------------------------------------------------------
class _Invalid(Exception):
    """Why a file is not a valid state file (turned into ValueError naming the file)."""


def _check_info(info: zipfile.ZipInfo, file_size: int) -> None:
    if info.flag_bits & ~ALLOWED_FLAGS:
        raise _Invalid(f"member {info.filename!r} uses unsupported zip flags "
                       f"0x{info.flag_bits:04x} (encrypted or patched data)")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Invalid(f"member {info.filename!r} uses unsupported compression method "
                       f"{info.compress_type}")
    if info.compress_size > file_size:
        raise _Invalid(f"member {info.filename!r} declares {info.compress_size} bytes, more "
                       f"than the whole file ({file_size} bytes)")
    ratio = 1 if info.compress_type == zipfile.ZIP_STORED else MAX_DEFLATE_RATIO
    if info.file_size > info.compress_size * ratio + 64:
        raise _Invalid(f"member {info.filename!r} declares {info.file_size} bytes from "
                       f"{info.compress_size} stored bytes")


def _read_exactly(f: Any, out: np.ndarray) -> None:
    view = memoryview(out.reshape(-1).view(np.uint8))
    done = 0
    while done < len(view):
        n = f.readinto(view[done:])
        if not n:
            raise _Invalid("member data is truncated")
        done += n


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member, its declared shape checked against its size before allocating."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise _Invalid(f"member {info.filename!r} has unknown .npy version {version}")
        if dtype.hasobject or dtype.kind not in NUMERIC_KINDS:
            raise _Invalid(f"member {info.filename!r} is not a numeric array ({dtype})")
        count = math.prod(shape)
        declared = count * dtype.itemsize
        held = info.file_size - f.tell()
        if declared != held:
            raise _Invalid(f"member {info.filename!r} declares shape {shape} of {dtype} "
                           f"({declared} bytes) but holds {held} bytes")
        arr = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
        if count:
            _read_exactly(f, arr)
        if f.read(1):
            raise _Invalid(f"member {info.filename!r} has data beyond its array")
    return arr.T if fortran else arr


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.used: set[str] = set()

    def _array(self, ref: Any) -> np.ndarray:
        name = f"arr_{ref}.npy"
        if isinstance(ref, bool) or not isinstance(ref, int) or name not in self.arrays:
            raise _Invalid(f"structure refers to a missing array {ref!r}")
        self.used.add(name)
        return self.arrays[name]

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if not isinstance(node, dict) or len(node) not in (1, 2):
            raise _Invalid(f"unknown structure node {str(node)[:60]!r}")
        tag = next(iter(node))
        if tag in ("$dict", "$odict") and len(node) == 1:
            pairs = node[tag]
            if not isinstance(pairs, list) or not all(
                    isinstance(p, list) and len(p) == 2 and isinstance(p[0], str | int)
                    and not isinstance(p[0], bool) for p in pairs):
                raise _Invalid("malformed dict in the structure")
            made = OrderedDict if tag == "$odict" else dict
            return made((k, self.decode(v)) for k, v in pairs)
        if "$tuple" in node and len(node) == 1 and isinstance(node["$tuple"], list):
            return tuple(self.decode(v) for v in node["$tuple"])
        if "$array" in node and len(node) == 1:
            return self._array(node["$array"])
        if "$scalar" in node and len(node) == 1:
            arr = self._array(node["$scalar"])
            if arr.ndim != 0:
                raise _Invalid("a scalar in the structure is not 0-d")
            return arr[()]
        if "$tensor" in node and len(node) == 2 and isinstance(node.get("requires_grad"), bool):
            return Tensor(self._array(node["$tensor"]), requires_grad=node["requires_grad"])
        if "$float" in node and len(node) == 1 and node["$float"] in ("nan", "inf", "-inf"):
            return float(node["$float"])
        raise _Invalid(f"unknown structure node {str(node)[:60]!r}")


def _read(fh: Any, file_size: int) -> Any:
    with zipfile.ZipFile(fh) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise _Invalid("duplicate member names")
        for info in infos:
            _check_info(info, file_size)
        foreign = [n for n in names if not n.endswith(".npy") and n != STRUCTURE]
        if foreign:
            raise _Invalid(f"members {foreign[:3]} are not .npy arrays")
        arrays = {i.filename: _read_npy(zf, i) for i in infos if i.filename != STRUCTURE}
        if STRUCTURE not in names:
            return OrderedDict((name[:-4], arr) for name, arr in arrays.items())
        raw = zf.read(STRUCTURE)
    doc = json.loads(raw.decode("utf-8"))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or "root" not in doc:
        raise _Invalid(f"{STRUCTURE} is not a {FORMAT} structure")
    if doc.get("version") != VERSION:
        raise _Invalid(f"structure version {doc.get('version')!r} is not supported (this "
                       f"chainrule reads version {VERSION}); upgrade chainrule")
    decoder = _Decoder(arrays)
    root = decoder.decode(doc["root"])
    if decoder.used != arrays.keys():
        raise _Invalid("arrays not referred to by the structure")
    return root


def read(f: Any, who: str) -> Any:
    """Read a file written by ``save`` (or ``np.savez``) from a path or file object: an
    ordered ``name -> array`` mapping for a state_dict file, otherwise the saved structure.

    Raises:
        FileNotFoundError: no file at the path.
        ValueError: naming the file, when it is not a complete, valid npz of numeric arrays
            (truncated, corrupted, foreign, pickled, encrypted, or declaring more data than
            it holds). Nothing large is allocated before the sizes are checked.
    """
    if isinstance(f, str | bytes | os.PathLike):
        name = os.fsdecode(f)
        with open(name, "rb") as fh:  # a missing file stays FileNotFoundError
            return _read_checked(fh, os.fstat(fh.fileno()).st_size, repr(name), who)
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"{who}: expected a path or a file object to read from, got "
                        f"{type(f).__name__}")
    data = f.read()
    return _read_checked(io.BytesIO(data), len(data), f"file object {type(f).__name__}", who)


def _read_checked(fh: Any, size: int, name: str, who: str) -> Any:
    saver = who.replace("load", "save")
    if fh.read(4) != b"PK\x03\x04":
        raise ValueError(f"{who}: {name} is not an .npz state file (no zip header); was it "
                         f"written by {saver}?")
    fh.seek(0)
    try:
        return _read(fh, size)
    except (_Invalid, ValueError, OSError, EOFError, KeyError, RuntimeError,
            NotImplementedError, RecursionError, UnicodeDecodeError, zipfile.BadZipFile,
            zlib.error) as err:
        raise ValueError(f"{who}: {name} is not a valid .npz state file (truncated, "
                         f"corrupted or foreign): {err}") from err


def load(f: Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """``torch.load``: what :func:`save` wrote to ``f`` (a path or a file object).

    The file holds host data only, so Tensors load on the CPU; ``map_location`` (a device,
    its name, or a dict mapping ``"cpu"`` to one, as torch's) moves them. Nothing is ever
    unpickled, so ``weights_only`` changes nothing (every file is weights-only);
    ``mmap`` and the pickle arguments are accepted for torch's signature.
    """
    if isinstance(map_location, Mapping):
        map_location = map_location.get("cpu")
    elif callable(map_location):
        raise NotImplementedError(f"{LOAD}: map_location as a function (of torch's storages) "
                                  f"is not supported; pass a device or its name")
    obj = read(f, LOAD)
    if map_location is None or backend.as_device(map_location) == backend.CPU:
        return obj
    return _moved(obj, map_location)


def _moved(obj: Any, device: Any) -> Any:
    """``obj`` with every Tensor in it moved to ``device``, its containers rebuilt."""
    if isinstance(obj, Tensor):
        moved = obj.detach().to(device)
        return moved.requires_grad_(True) if obj.requires_grad else moved
    if isinstance(obj, Mapping):
        return type(obj)((k, _moved(v, device)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return type(obj)(_moved(v, device) for v in obj)
    return obj
