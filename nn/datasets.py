"""Small classification datasets as NumPy arrays, for the ``chainrule train`` command and notebooks.

Three datasets, all returned as a :class:`Split` of NumPy arrays (never tensors, so this module
does not depend on ``autograd``):

* ``digits``: the UCI 8x8 handwritten digits (1,797 images), shipped inside the package.
* ``mnist1d``: the MNIST-1D benchmark (Greydanus, 2020), generated locally by the ``mnist1d``
  package and cached as an ``.npz`` file.
* ``mnist``: the classic 28x28 MNIST, read from the four standard IDX files; downloaded from
  public mirrors (checksum-verified) when they are missing.

Files live under :func:`data_home`: ``$CHAINRULE_DATA`` when set, else ``~/.cache/chainrule``.
Every failure a user can cause raises :class:`DatasetError` with a message that says what is
wrong and what to do about it.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import importlib.resources
import os
import pathlib
import random
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from nn.optional import install_hint

__all__ = [
    "DATASET_NAMES",
    "DatasetError",
    "Split",
    "data_home",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "load_mnist1d",
    "read_idx",
]

DATASET_NAMES: tuple[str, ...] = ("digits", "mnist1d", "mnist")


@dataclass(frozen=True)
class Split:
    """One dataset, already split into train and test parts.

    Attributes:
        x_train: float32, shape ``(N_train, D)`` (vectors) or ``(N_train, C, H, W)`` (images).
            Scaled to ``[0, 1]`` for digits and mnist; mnist1d keeps the package's standardised
            values (see :func:`load_mnist1d`).
        y_train: int64 class indices in ``[0, num_classes)``, shape ``(N_train,)``.
        x_test: float32, shape ``(N_test, D)`` or ``(N_test, C, H, W)``.
        y_test: int64, shape ``(N_test,)``.
        num_classes: number of classes (10 for all three datasets).
        name: the dataset name, one of :data:`DATASET_NAMES`.
        image_shape: ``(C, H, W)`` of one example in the image view, whichever view was loaded,
            e.g. ``(1, 8, 8)`` for digits, ``(1, 1, 40)`` for mnist1d, ``(1, 28, 28)`` for mnist.
            ``D == C * H * W``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    name: str
    image_shape: tuple[int, int, int]


class DatasetError(Exception):
    """A dataset could not be loaded: unknown name, missing files, or corrupt/truncated data."""


def data_home() -> pathlib.Path:
    """Root directory for dataset files: ``$CHAINRULE_DATA`` if set, else ``~/.cache/chainrule``.

    The directory is not created here; loaders create their own subdirectory when they write.
    """
    env = os.environ.get("CHAINRULE_DATA")
    if env:
        return pathlib.Path(env).expanduser()
    return pathlib.Path.home() / ".cache" / "chainrule"


def load_dataset(
    name: str, *, as_images: bool = False, data_dir: str | os.PathLike[str] | None = None
) -> Split:
    """Load a dataset by name: ``"digits"``, ``"mnist1d"`` or ``"mnist"``.

    Args:
        name: the dataset name.
        as_images: ``False`` gives ``(N, D)`` vectors for an MLP; ``True`` gives
            ``(N, C, H, W)`` images for a CNN (``Split.image_shape`` is ``(C, H, W)``).
        data_dir: for mnist, the directory holding the four IDX files; for mnist1d, the
            directory of the generated cache. Ignored for digits (shipped inside the package).
            ``None`` means a subdirectory of :func:`data_home`.

    Raises:
        DatasetError: unknown name, or the loader's own failure.
    """
    if name == "digits":
        return load_digits(as_images=as_images)
    if name == "mnist1d":
        return load_mnist1d(as_images=as_images, cache_dir=data_dir)
    if name == "mnist":
        return load_mnist(as_images=as_images, data_dir=data_dir)
    raise DatasetError(f"unknown dataset {name!r}; valid names are: {', '.join(DATASET_NAMES)}")


def _make_split(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    image_shape: tuple[int, int, int],
    as_images: bool,
) -> Split:
    shape = image_shape if as_images else (int(np.prod(image_shape)),)
    return Split(
        x_train=np.ascontiguousarray(x_train, dtype=np.float32).reshape(len(x_train), *shape),
        y_train=np.ascontiguousarray(y_train, dtype=np.int64),
        x_test=np.ascontiguousarray(x_test, dtype=np.float32).reshape(len(x_test), *shape),
        y_test=np.ascontiguousarray(y_test, dtype=np.int64),
        num_classes=10,
        name=name,
        image_shape=image_shape,
    )


# --------------------------------------------------------------------------------------------
# digits


_DIGITS_FILE = "digits.npz"


def load_digits(as_images: bool = False) -> Split:
    """The 8x8 handwritten digits with a fixed stratified 80/20 split (1,437 train, 360 test).

    The data ship inside the package (``nn/data_files/digits.npz``, 49 kB), so no download and
    no scikit-learn are needed. They are the test set of the UCI "Optical Recognition of
    Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998, UCI Machine Learning Repository,
    https://doi.org/10.24432/C50P49, CC BY 4.0): 1,797 images of 8x8 counts in 0..16, as
    scikit-learn bundles them (``sklearn.datasets.load_digits``). The file also holds the
    train/test indices that ``train_test_split(test_size=0.2, stratify=y, random_state=0)``
    gave, so the split is the one earlier versions drew through scikit-learn.

    Pixels (0..16) are divided by 16, so x is float32 in ``[0, 1]``.

    Returns:
        A :class:`Split` with x of shape ``(N, 64)``, or ``(N, 1, 8, 8)`` when ``as_images``.

    Raises:
        DatasetError: the bundled file is missing or damaged (a broken installation).
    """
    resource = importlib.resources.files("nn") / "data_files" / _DIGITS_FILE
    try:
        with resource.open("rb") as handle, np.load(handle, allow_pickle=False) as npz:
            images, target = npz["images"], npz["target"]
            train_index, test_index = npz["train_index"], npz["test_index"]
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise DatasetError(
            f"the bundled digits file {resource} is missing or damaged ({exc}); "
            "reinstall chainrule"
        ) from exc
    x = images.reshape(len(images), 64).astype(np.float32) / np.float32(16.0)
    y = target.astype(np.int64)
    return _make_split(
        "digits", x[train_index], y[train_index], x[test_index], y[test_index], (1, 8, 8),
        as_images,
    )


# --------------------------------------------------------------------------------------------
# mnist1d

_MNIST1D_CACHE_NAME = "mnist1d_seed42_v1.npz"
_MNIST1D_SIZES = {"x_train": (4000, 40), "x_test": (1000, 40)}


def _generate_mnist1d() -> dict[str, np.ndarray]:
    """Run the mnist1d package's generator with its default (paper) arguments, offline."""
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:
        if exc.name not in ("mnist1d", "mnist1d.data"):
            raise  # installed but broken: not a missing extra, show the real error
        raise DatasetError(
            f"the mnist1d dataset needs the 'mnist1d' package ({install_hint('mnist1d')})"
        ) from None
    # make_dataset seeds NumPy's and Python's global RNGs; restore them so that loading
    # data does not silently change the caller's random streams.
    np_state = np.random.get_state()  # noqa: NPY002 (the legacy global state is what it mutates)
    py_state = random.getstate()
    try:
        data = make_dataset(get_dataset_args())
    finally:
        np.random.set_state(np_state)  # noqa: NPY002
        random.setstate(py_state)
    return {
        "x_train": np.asarray(data["x"], dtype=np.float32),
        "y_train": np.asarray(data["y"], dtype=np.int64),
        "x_test": np.asarray(data["x_test"], dtype=np.float32),
        "y_test": np.asarray(data["y_test"], dtype=np.int64),
    }


def _valid_mnist1d(arrays: dict[str, np.ndarray]) -> bool:
    for split in ("train", "test"):
        x, y = arrays.get(f"x_{split}"), arrays.get(f"y_{split}")
        if x is None or y is None:
            return False
        if x.shape != _MNIST1D_SIZES[f"x_{split}"] or x.dtype != np.float32:
            return False
        if y.shape != x.shape[:1] or y.dtype != np.int64 or y.min() < 0 or y.max() > 9:
            return False
        if not np.isfinite(x).all():
            return False
    return True


def _read_mnist1d_cache(path: pathlib.Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        warnings.warn(
            f"ignoring unreadable mnist1d cache {path} ({exc}); regenerating it", stacklevel=3
        )
        return None
    if not _valid_mnist1d(arrays):
        warnings.warn(
            f"ignoring mnist1d cache {path} with unexpected contents; regenerating it", stacklevel=3
        )
        return None
    return arrays


def _write_atomically(path: pathlib.Path, write: Callable[[BinaryIO], object]) -> None:
    """Write via a temp file in the same directory + os.replace: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        # mkstemp makes the file 0600; data files are not secret and may be shared.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load_mnist1d(as_images: bool = False, cache_dir: str | os.PathLike[str] | None = None) -> Split:
    """MNIST-1D, generated locally (no network) with the paper's default arguments.

    The ``mnist1d`` package's ``make_dataset(get_dataset_args())`` makes 5,000 length-40
    signals (seed 42) split 4,000 train / 1,000 test, as in the paper. The first call takes a
    few seconds; the arrays are then cached in ``cache_dir`` (default
    ``data_home() / "mnist1d"``) and reused.

    Values: the package standardises the whole dataset to mean 0 and std 1 (range about
    [-5.5, 4.5]) and the paper's models train on those values, so they are kept as given,
    only cast to float32 -- they are *not* rescaled to ``[0, 1]``.

    Returns:
        A :class:`Split` with x of shape ``(N, 40)``, or ``(N, 1, 1, 40)`` when ``as_images``.

    Raises:
        DatasetError: the ``mnist1d`` package is not installed.
    """
    directory = pathlib.Path(cache_dir) if cache_dir is not None else data_home() / "mnist1d"
    path = directory / _MNIST1D_CACHE_NAME
    arrays = _read_mnist1d_cache(path) if path.exists() else None
    if arrays is None:
        arrays = _generate_mnist1d()
        try:
            _write_atomically(path, lambda handle: np.savez(handle, **arrays))
        except OSError as exc:
            # The cache only saves time; an unwritable directory must not stop training.
            warnings.warn(f"could not cache mnist1d at {path}: {exc}", stacklevel=2)
    return _make_split(
        "mnist1d",
        arrays["x_train"],
        arrays["y_train"],
        arrays["x_test"],
        arrays["y_test"],
        (1, 1, 40),
        as_images,
    )


# --------------------------------------------------------------------------------------------
# IDX files

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Parse an IDX file (plain or gzip-compressed) into a native-endian array.

    The header is 2 zero bytes, a type code, the number of dimensions ``ndim``, then ``ndim``
    big-endian uint32 sizes; the payload must hold exactly ``prod(sizes)`` items.
    Compression is detected from the content, not the name, because browsers often
    decompress ``.gz`` downloads without renaming them.

    Returns:
        An array of shape ``sizes`` (e.g. ``(60000, 28, 28)`` uint8 for MNIST images).

    Raises:
        DatasetError: missing/unreadable file, bad gzip stream, wrong magic, unknown type code,
            ``ndim == 0``, truncated header or payload, or trailing bytes. The message names
            the file and what was expected vs found.
    """
    path = pathlib.Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read IDX file {path}: {exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(
                f"{path} is a corrupt or truncated gzip file ({exc}); delete it and "
                "download it again"
            ) from exc

    if len(raw) < 4:
        raise DatasetError(
            f"{path} is not an IDX file: expected a 4-byte magic number, found {len(raw)} bytes"
        )
    if raw[0] != 0 or raw[1] != 0:
        raise DatasetError(
            f"{path} is not an IDX file: expected magic bytes 00 00 <type> <ndim>, "
            f"found {raw[:4].hex(' ')}"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise DatasetError(
            f"{path}: unknown IDX data type code 0x{code:02X} (expected one of {known})"
        )
    if ndim == 0:
        raise DatasetError(f"{path}: IDX header says 0 dimensions; expected at least 1")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise DatasetError(
            f"{path} is truncated: the IDX header needs {header_len} bytes for {ndim} "
            f"dimensions, found {len(raw)}"
        )
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    # Python ints, so a corrupt header with huge sizes cannot overflow the product.
    count = 1
    for d in dims:
        count *= d
    expected = count * dtype.itemsize
    found = len(raw) - header_len
    if found != expected:
        what = "truncated" if found < expected else "followed by trailing bytes"
        raise DatasetError(
            f"{path} is {what}: shape {dims} of {dtype.name} needs {expected} payload bytes, "
            f"found {found}"
        )
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header_len)
    return data.reshape(dims).astype(dtype.newbyteorder("="))


# --------------------------------------------------------------------------------------------
# mnist

# The four standard files with the MD5 of their .gz form (the values torchvision checks).
_MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}
_MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
_DOWNLOAD_TIMEOUT_S = 10.0


def _find_idx(directory: pathlib.Path, stem: str) -> pathlib.Path | None:
    for candidate in (directory / stem, directory / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing_files_message(directory: pathlib.Path, missing: list[str], reason: str) -> str:
    names = "\n".join(f"  {stem}.gz (or uncompressed {stem})" for stem in _MNIST_FILES)
    return (
        f"MNIST files missing from {directory}: {', '.join(missing)}. {reason}\n"
        f"Put these four files in {directory}:\n{names}\n"
        "(they are on the mirrors "
        + " and ".join(_MNIST_MIRRORS)
        + "), or point to a directory that has them with --data-dir DIR (data_dir=...), "
        "or set $CHAINRULE_DATA so that $CHAINRULE_DATA/mnist holds them."
    )


def _download(directory: pathlib.Path, stem: str, missing: list[str]) -> pathlib.Path:
    """Fetch ``stem``.gz from the first mirror that serves it with the right MD5."""
    name = f"{stem}.gz"
    errors = []
    payload = None
    for mirror in _MNIST_MIRRORS:
        url = mirror + name
        try:
            with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
                body = response.read()
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
        if digest == _MNIST_FILES[stem]:
            payload = body
            break
        errors.append(f"{url}: MD5 {digest} does not match the expected {_MNIST_FILES[stem]}")
    if payload is None:
        reason = "Download failed:\n  " + "\n  ".join(errors) + "\n"
        raise DatasetError(_missing_files_message(directory, missing, reason))
    target = directory / name
    try:
        _write_atomically(target, lambda handle: handle.write(payload))
    except OSError as exc:
        raise DatasetError(f"cannot write {target}: {exc}; choose another --data-dir") from exc
    return target


def load_mnist(
    as_images: bool = False,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> Split:
    """MNIST from the four standard IDX files (plain or ``.gz``), 60,000 train / 10,000 test.

    Files are looked for in ``data_dir``, else ``$CHAINRULE_DATA/mnist``, else
    ``~/.cache/chainrule/mnist``. Missing files are downloaded there when ``download`` is
    true (MD5-verified); if that fails, the error says where to put them by hand.
    Pixels (0..255) are divided by 255, so x is float32 in ``[0, 1]``.

    Returns:
        A :class:`Split` with x of shape ``(N, 784)``, or ``(N, 1, 28, 28)`` when ``as_images``.

    Raises:
        DatasetError: files missing (and not downloadable), corrupt, or inconsistent
            (label count != image count, label >= 10, images not 28x28 uint8).
    """
    directory = pathlib.Path(data_dir) if data_dir is not None else data_home() / "mnist"
    paths: dict[str, pathlib.Path] = {}
    missing = []
    for stem in _MNIST_FILES:
        found = _find_idx(directory, stem)
        if found is None:
            missing.append(stem)
        else:
            paths[stem] = found
    if missing and not download:
        raise DatasetError(_missing_files_message(directory, missing, "Downloading is disabled."))
    for stem in missing:
        paths[stem] = _download(directory, stem, missing)

    parts = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images_path = paths[f"{prefix}-images-idx3-ubyte"]
        labels_path = paths[f"{prefix}-labels-idx1-ubyte"]
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
            raise DatasetError(
                f"{images_path}: expected uint8 images of shape (N, 28, 28), "
                f"found {images.dtype} {images.shape}"
            )
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise DatasetError(
                f"{labels_path}: expected 1-D uint8 labels, found {labels.dtype} {labels.shape}"
            )
        if len(labels) != len(images):
            raise DatasetError(
                f"{labels_path} has {len(labels)} labels but {images_path} has "
                f"{len(images)} images; the files do not belong together"
            )
        if len(labels) and labels.max() >= 10:
            raise DatasetError(f"{labels_path}: labels must be in 0..9, found {int(labels.max())}")
        parts[split] = (images.astype(np.float32) / np.float32(255.0), labels)
    return _make_split(
        "mnist", *parts["train"], *parts["test"], image_shape=(1, 28, 28), as_images=as_images
    )
