"""Tests for nn.datasets: digits, mnist1d (generated offline), the IDX parser and MNIST loading."""

from __future__ import annotations

import gzip
import hashlib
import io
import pathlib
import random
import struct
import subprocess
import sys
import urllib.error
import urllib.request

import numpy as np
import pytest

from nn import datasets
from nn.datasets import DatasetError, Split, load_dataset, read_idx

MNIST_STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    """No test may read or write the real ~/.cache/chainrule, nor reach the network."""
    home = tmp_path / "data_home"
    monkeypatch.setenv("CHAINRULE_DATA", str(home))

    def no_network(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return home


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """Serialise ``array`` as IDX: 00 00 <code> <ndim>, big-endian uint32 dims, payload."""
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def write_fake_mnist(
    directory: pathlib.Path, n_train: int = 20, n_test: int = 10, gz: bool = True, seed: int = 0
) -> dict[str, np.ndarray]:
    """Write four small MNIST-shaped IDX files; returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    arrays["train-images-idx3-ubyte"][0, 0, 0] = 255  # pin the scaling's top end
    directory.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        payload = idx_bytes(array)
        if gz:
            (directory / f"{stem}.gz").write_bytes(gzip.compress(payload))
        else:
            (directory / stem).write_bytes(payload)
    return arrays


# --------------------------------------------------------------------------------------------
# data_home and load_dataset


def test_data_home_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "somewhere"))
    assert datasets.data_home() == tmp_path / "somewhere"
    monkeypatch.delenv("CHAINRULE_DATA")
    assert datasets.data_home() == pathlib.Path.home() / ".cache" / "chainrule"


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(DatasetError) as info:
        load_dataset("cifar10")
    message = str(info.value)
    assert "cifar10" in message
    for name in ("digits", "mnist1d", "mnist"):
        assert name in message


def test_load_dataset_dispatches_with_data_dir(tmp_path: pathlib.Path) -> None:
    write_fake_mnist(tmp_path / "mine")
    split = load_dataset("mnist", as_images=True, data_dir=tmp_path / "mine")
    assert split.name == "mnist"
    assert split.x_train.shape == (20, 1, 28, 28)
    assert load_dataset("digits").name == "digits"


# --------------------------------------------------------------------------------------------
# digits


def test_digits_vectors_shapes_dtypes_range() -> None:
    split = datasets.load_digits()
    assert isinstance(split, Split)
    assert split.x_train.shape == (1437, 64) and split.x_test.shape == (360, 64)
    assert split.y_train.shape == (1437,) and split.y_test.shape == (360,)
    assert split.x_train.dtype == np.float32 and split.x_test.dtype == np.float32
    assert split.y_train.dtype == np.int64 and split.y_test.dtype == np.int64
    for x in (split.x_train, split.x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    # 16/16 exactly, and every value is a multiple of 1/16 (scaled by 16, not by max()).
    assert np.array_equal(split.x_train * 16, np.round(split.x_train * 16))
    assert split.num_classes == 10 and split.name == "digits"
    assert split.image_shape == (1, 8, 8)


def test_digits_split_is_a_stratified_partition_of_the_sklearn_data() -> None:
    sk_datasets = pytest.importorskip("sklearn.datasets")
    sk_load_digits = sk_datasets.load_digits

    split = datasets.load_digits()
    full = sk_load_digits()
    both_x = np.concatenate([split.x_train, split.x_test]) * 16
    both_y = np.concatenate([split.y_train, split.y_test])
    # Same multiset of (image, label) rows as sklearn's data: nothing lost or duplicated.
    ours = sorted(map(tuple, np.column_stack([both_x, both_y]).tolist()))
    theirs = sorted(map(tuple, np.column_stack([full.data, full.target]).tolist()))
    assert ours == theirs
    # Stratified: each class's test share is within one example of 20%.
    train_counts = np.bincount(split.y_train, minlength=10)
    test_counts = np.bincount(split.y_test, minlength=10)
    assert np.all(np.abs(test_counts - 0.2 * (train_counts + test_counts)) <= 1)


def test_digits_split_is_the_one_sklearn_draws() -> None:
    # The bundled indices reproduce train_test_split(..., stratify=y, random_state=0), the
    # split earlier versions drew through scikit-learn, element for element and in order.
    sk_datasets = pytest.importorskip("sklearn.datasets")
    model_selection = pytest.importorskip("sklearn.model_selection")
    full = sk_datasets.load_digits()
    x = full.data.astype(np.float32) / np.float32(16.0)
    x_train, x_test, y_train, y_test = model_selection.train_test_split(
        x, full.target, test_size=0.2, stratify=full.target, random_state=0)
    split = datasets.load_digits()
    assert np.array_equal(split.x_train, x_train) and np.array_equal(split.x_test, x_test)
    assert np.array_equal(split.y_train, y_train) and np.array_equal(split.y_test, y_test)


def test_digits_load_without_scikit_learn() -> None:
    # A plain install has no scikit-learn: make it unimportable and load in a fresh process.
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from nn.datasets import load_digits\n"
        "s = load_digits(as_images=True)\n"
        "print(s.x_train.shape, s.x_test.shape, int(s.y_train.sum()))\n"
        "assert not any(m.startswith('sklearn.') for m in sys.modules)\n"
    )
    root = pathlib.Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("(1437, 1, 8, 8) (360, 1, 8, 8)")[1].strip().isdigit()


def test_bundled_digits_file_is_in_package_data() -> None:
    # The wheel carries nn/data_files/*.npz only if pyproject.toml lists it as package data.
    root = pathlib.Path(__file__).resolve().parents[2]
    text = (root / "pyproject.toml").read_text()
    assert '"data_files/*.npz"' in text
    assert (root / "nn" / "data_files" / "digits.npz").is_file()
    assert "10.24432/C50P49" in (root / "nn" / "data_files" / "README.md").read_text()


def test_damaged_bundled_digits_file_raises_dataset_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    package = tmp_path / "pkg"
    (package / "data_files").mkdir(parents=True)
    (package / "data_files" / "digits.npz").write_bytes(b"not a zip file")
    monkeypatch.setattr(datasets.importlib.resources, "files", lambda _name: package)
    with pytest.raises(DatasetError, match="digits.*damaged.*reinstall chainrule"):
        datasets.load_digits()


def test_digits_is_deterministic_and_images_match_vectors() -> None:
    a = datasets.load_digits()
    b = datasets.load_digits(as_images=True)
    assert b.x_train.shape == (1437, 1, 8, 8) and b.x_test.shape == (360, 1, 8, 8)
    assert np.array_equal(a.x_train, b.x_train.reshape(1437, 64))
    assert np.array_equal(a.y_train, b.y_train)
    assert np.array_equal(a.y_test, b.y_test)
    assert np.array_equal(a.x_test, b.x_test.reshape(360, 64))


# --------------------------------------------------------------------------------------------
# mnist1d


def test_mnist1d_generates_4000_1000_then_reuses_cache(
    _isolated_data_home: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The generator reseeds the global RNGs; the loader must leave the caller's streams as
    # they were. Legacy global state on purpose: it is what the mnist1d package mutates.
    np_before = np.random.get_state(legacy=False)  # noqa: NPY002
    py_before = random.getstate()

    split = datasets.load_mnist1d()

    np_after = np.random.get_state(legacy=False)  # noqa: NPY002
    assert np_after["state"]["pos"] == np_before["state"]["pos"]
    assert np.array_equal(np_after["state"]["key"], np_before["state"]["key"])
    assert random.getstate() == py_before

    assert split.x_train.shape == (4000, 40) and split.x_test.shape == (1000, 40)
    assert split.y_train.shape == (4000,) and split.y_test.shape == (1000,)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert split.image_shape == (1, 1, 40) and split.num_classes == 10
    assert set(np.unique(split.y_train)) == set(range(10))
    # Kept as the package standardises it (mean 0, std 1 overall), not squeezed into [0, 1].
    x_all = np.concatenate([split.x_train, split.x_test])
    assert abs(float(x_all.mean())) < 0.01 and abs(float(x_all.std()) - 1.0) < 0.01
    assert x_all.min() < -1.0

    cache = _isolated_data_home / "mnist1d"
    files = list(cache.iterdir())
    assert [f.suffix for f in files] == [".npz"]  # one cache file, no temp file left over

    def must_not_regenerate() -> dict[str, np.ndarray]:
        raise AssertionError("cache was not reused")

    monkeypatch.setattr(datasets, "_generate_mnist1d", must_not_regenerate)
    again = datasets.load_mnist1d(as_images=True)
    assert again.x_train.shape == (4000, 1, 1, 40) and again.x_test.shape == (1000, 1, 1, 40)
    assert np.array_equal(again.x_train.reshape(4000, 40), split.x_train)
    assert np.array_equal(again.y_test, split.y_test)


def fake_mnist1d_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.standard_normal((4000, 40)).astype(np.float32),
        "y_train": rng.integers(0, 10, 4000).astype(np.int64),
        "x_test": rng.standard_normal((1000, 40)).astype(np.float32),
        "y_test": rng.integers(0, 10, 1000).astype(np.int64),
    }


def test_mnist1d_without_the_package_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "mnist1d", None)  # import mnist1d -> ImportError
    monkeypatch.setitem(sys.modules, "mnist1d.data", None)
    with pytest.raises(DatasetError, match=r"pip install 'chainrule\[mnist1d\]'") as info:
        datasets.load_mnist1d()
    assert "\n" not in str(info.value)


def test_mnist1d_corrupt_cache_is_regenerated(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_mnist1d_arrays()
    calls = []

    def generate() -> dict[str, np.ndarray]:
        calls.append(1)
        return fake

    monkeypatch.setattr(datasets, "_generate_mnist1d", generate)
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / datasets._MNIST1D_CACHE_NAME).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.warns(UserWarning, match="regenerating"):
        split = load_dataset("mnist1d", data_dir=cache_dir)
    assert calls == [1]
    assert np.array_equal(split.x_test, fake["x_test"])
    # The rewritten cache is good: a second load does not regenerate.
    datasets.load_mnist1d(cache_dir=cache_dir)
    assert calls == [1]


def test_mnist1d_cache_with_wrong_shapes_is_regenerated(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_mnist1d_arrays()
    monkeypatch.setattr(datasets, "_generate_mnist1d", lambda: fake)
    bad = {**fake, "x_train": fake["x_train"][:10]}
    np.savez(tmp_path / datasets._MNIST1D_CACHE_NAME, **bad)
    with pytest.warns(UserWarning, match="unexpected contents"):
        split = datasets.load_mnist1d(cache_dir=tmp_path)
    assert split.x_train.shape == (4000, 40)


# --------------------------------------------------------------------------------------------
# read_idx


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_uint8_3d_and_1d(tmp_path: pathlib.Path, compress: bool) -> None:
    rng = np.random.default_rng(1)
    cube = rng.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    vector = rng.integers(0, 256, 7, dtype=np.uint8)
    for name, array in (("cube", cube), ("vector", vector)):
        payload = idx_bytes(array)
        path = tmp_path / name
        path.write_bytes(gzip.compress(payload) if compress else payload)
        got = read_idx(path)
        assert got.dtype == np.uint8 and got.shape == array.shape
        assert np.array_equal(got, array)


def test_read_idx_other_dtypes_come_back_native_endian(tmp_path: pathlib.Path) -> None:
    array = np.array([[1.5, -2.25], [3.0, 1e6]])
    for code, dtype in ((0x0D, np.float32), (0x0E, np.float64), (0x0C, np.int32)):
        path = tmp_path / f"a{code}"
        path.write_bytes(idx_bytes(array.astype(dtype), code))
        got = read_idx(path)
        assert got.dtype == np.dtype(dtype)  # native byte order, usable directly
        assert np.array_equal(got, array.astype(dtype))


def test_read_idx_detects_gzip_by_content_not_name(tmp_path: pathlib.Path) -> None:
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    plain_named_gz = tmp_path / "x.gz"  # what a browser that auto-decompresses leaves behind
    plain_named_gz.write_bytes(idx_bytes(array))
    assert np.array_equal(read_idx(plain_named_gz), array)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_truncated_payload(tmp_path: pathlib.Path, compress: bool) -> None:
    payload = idx_bytes(np.zeros((2, 28, 28), dtype=np.uint8))[:-5]
    path = tmp_path / "short.idx"
    path.write_bytes(gzip.compress(payload) if compress else payload)
    with pytest.raises(DatasetError, match="truncated") as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message and "1568" in message and "1563" in message


def test_read_idx_truncated_header(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "hdr.idx"
    path.write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">I", 5))  # 3 dims promised, 1 given
    with pytest.raises(DatasetError, match="truncated"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(DatasetError, match="magic"):
        read_idx(path)


def test_read_idx_trailing_bytes(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "long.idx"
    path.write_bytes(idx_bytes(np.zeros(10, dtype=np.uint8)) + b"\x00")
    with pytest.raises(DatasetError, match="trailing") as info:
        read_idx(path)
    assert str(path) in str(info.value) and "10" in str(info.value) and "11" in str(info.value)


def test_read_idx_wrong_magic(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x01\x00" + idx_bytes(np.zeros(4, dtype=np.uint8))[2:])
    with pytest.raises(DatasetError, match="magic") as info:
        read_idx(path)
    assert str(path) in str(info.value) and "01 00 08 01" in str(info.value)


def test_read_idx_wrong_dtype_code(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "code.idx"
    path.write_bytes(bytes([0, 0, 0x0A, 1]) + struct.pack(">I", 4) + bytes(4))
    with pytest.raises(DatasetError, match="0x0A") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_zero_dims_corrupt_gzip_and_missing_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "zero.idx"
    path.write_bytes(bytes([0, 0, 8, 0]))
    with pytest.raises(DatasetError, match="0 dimensions"):
        read_idx(path)
    gz = tmp_path / "broken.gz"
    gz.write_bytes(gzip.compress(idx_bytes(np.zeros(100, dtype=np.uint8)))[:-10])
    with pytest.raises(DatasetError, match="gzip"):
        read_idx(gz)
    with pytest.raises(DatasetError, match="nope.idx"):
        read_idx(tmp_path / "nope.idx")


# --------------------------------------------------------------------------------------------
# mnist


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_from_fake_files(tmp_path: pathlib.Path, gz: bool) -> None:
    arrays = write_fake_mnist(tmp_path, gz=gz)
    split = datasets.load_mnist(data_dir=tmp_path, download=False)
    assert split.x_train.shape == (20, 784) and split.x_test.shape == (10, 784)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert split.x_train.min() >= 0.0 and split.x_train.max() == 1.0
    expected = arrays["train-images-idx3-ubyte"].reshape(20, 784) / 255.0
    np.testing.assert_allclose(split.x_train, expected, rtol=1e-6)
    assert np.array_equal(split.y_train, arrays["train-labels-idx1-ubyte"])
    assert np.array_equal(split.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert split.image_shape == (1, 28, 28) and split.name == "mnist"

    images = datasets.load_mnist(as_images=True, data_dir=tmp_path, download=False)
    assert images.x_train.shape == (20, 1, 28, 28) and images.x_test.shape == (10, 1, 28, 28)
    assert np.array_equal(images.x_test.reshape(10, 784), split.x_test)


def test_load_mnist_defaults_to_chainrule_data(_isolated_data_home: pathlib.Path) -> None:
    write_fake_mnist(_isolated_data_home / "mnist", n_train=5, n_test=3)
    split = datasets.load_mnist(download=False)
    assert split.x_train.shape == (5, 784) and split.y_test.shape == (3,)


def assert_says_where_to_put_files(message: str, directory: pathlib.Path) -> None:
    assert str(directory) in message
    for stem in MNIST_STEMS:
        assert stem in message
    assert "--data-dir" in message and "CHAINRULE_DATA" in message


def test_load_mnist_missing_files_without_download(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DatasetError) as info:
        datasets.load_mnist(data_dir=tmp_path / "empty", download=False)
    assert_says_where_to_put_files(str(info.value), tmp_path / "empty")
    assert not (tmp_path / "empty").exists()  # nothing created when nothing is written


def test_load_mnist_failed_download_says_where_to_put_files(
    _isolated_data_home: pathlib.Path,
) -> None:
    # urlopen raises URLError (autouse fixture): exactly what happens offline.
    with pytest.raises(DatasetError) as info:
        datasets.load_mnist()
    message = str(info.value)
    assert_says_where_to_put_files(message, _isolated_data_home / "mnist")
    assert "network disabled in tests" in message  # the underlying reason is shown too


def test_load_mnist_downloads_missing_files_and_verifies_md5(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_fake_mnist(tmp_path / "source")
    served = {f"{stem}.gz": (tmp_path / "source" / f"{stem}.gz").read_bytes() for stem in source}
    checksums = {stem: hashlib.md5(served[f"{stem}.gz"]).hexdigest() for stem in source}
    monkeypatch.setattr(datasets, "_MNIST_FILES", checksums)
    requested = []

    def fake_urlopen(url: str, timeout: float) -> io.BytesIO:
        requested.append(url)
        assert timeout <= 30
        if url.startswith(datasets._MNIST_MIRRORS[0]):
            raise urllib.error.URLError("first mirror down")
        return io.BytesIO(served[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    target = tmp_path / "target"
    target.mkdir()
    # One file already present: only the other three are fetched.
    (target / "t10k-labels-idx1-ubyte.gz").write_bytes(served["t10k-labels-idx1-ubyte.gz"])
    split = datasets.load_mnist(data_dir=target)
    assert split.x_train.shape == (20, 784)
    assert np.array_equal(split.y_test, source["t10k-labels-idx1-ubyte"])
    assert len(requested) == 6  # 3 files x (failed mirror, good mirror)
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{s}.gz" for s in MNIST_STEMS)


def test_load_mnist_rejects_download_with_wrong_md5(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"evil"))
    with pytest.raises(DatasetError, match="MD5") as info:
        datasets.load_mnist(data_dir=tmp_path)
    assert_says_where_to_put_files(str(info.value), tmp_path)
    assert list(tmp_path.iterdir()) == []  # the bad payload was never written


def test_load_mnist_label_count_mismatch(tmp_path: pathlib.Path) -> None:
    write_fake_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.zeros(19, dtype=np.uint8)))
    )
    with pytest.raises(DatasetError, match="19 labels") as info:
        datasets.load_mnist(data_dir=tmp_path, download=False)
    assert "20 images" in str(info.value)


def test_load_mnist_label_out_of_range(tmp_path: pathlib.Path) -> None:
    write_fake_mnist(tmp_path)
    labels = np.zeros(10, dtype=np.uint8)
    labels[3] = 10
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(DatasetError, match="0..9"):
        datasets.load_mnist(data_dir=tmp_path, download=False)


def test_load_mnist_wrong_image_shape(tmp_path: pathlib.Path) -> None:
    write_fake_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(np.zeros((10, 8, 8), dtype=np.uint8)))
    )
    with pytest.raises(DatasetError, match="28, 28"):
        datasets.load_mnist(data_dir=tmp_path, download=False)
