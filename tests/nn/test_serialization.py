"""nn.save / nn.load: .npz round trips keyed by state_dict names, exact paths, and clear
errors for truncated, foreign or pickled files (which are never unpickled)."""

from __future__ import annotations

import io
import json
import math
import os
import pathlib
import pickle
import stat
import struct
import tracemalloc
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
import optim


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))


def test_state_dict_round_trip_through_a_file(tmp_path: pathlib.Path) -> None:
    src = _model()
    with ag.no_grad():
        src[1].running_mean[...] = 0.5
        src[1].num_batches_tracked[...] = 7
    path = tmp_path / "model.npz"
    assert nn.save(src, path) is None
    loaded = nn.load(path)
    assert list(loaded) == list(src.state_dict())
    assert loaded["1.num_batches_tracked"].dtype == np.int64
    assert loaded["1.num_batches_tracked"] == 7
    dst = _model()
    dst.load_state_dict(nn.load(str(path)))
    for k, v in src.state_dict().items():
        np.testing.assert_array_equal(dst.state_dict()[k], v)
        assert dst.state_dict()[k].dtype == v.dtype
    x = ag.randn(5, 3)
    src.eval(), dst.eval()
    np.testing.assert_array_equal(src(x)._data, dst(x)._data)


def test_the_file_is_an_npz_readable_by_numpy(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.npz"
    nn.save(nn.Linear(2, 3), path)
    with np.load(path, allow_pickle=False) as data:
        assert data.files == ["weight", "bias"]
        assert data["weight"].shape == (3, 2)


def test_the_path_is_used_exactly(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "weights.ckpt"
    nn.save(nn.Linear(2, 2), path)
    assert path.exists() and not (tmp_path / "weights.ckpt.npz").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.ckpt"]  # no temp left
    assert list(nn.load(path)) == ["weight", "bias"]


def test_saving_a_mapping_of_arrays_and_tensors(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "s.npz"
    nn.save({"file": np.ones(2), "allow_pickle": ag.tensor([1, 2])}, path)  # savez's kwargs
    out = nn.load(path)
    assert list(out) == ["file", "allow_pickle"] and out["allow_pickle"].dtype == np.int64
    with pytest.raises(TypeError):
        nn.save({"x": np.array([object()])}, tmp_path / "bad.npz")
    with pytest.raises(TypeError):
        nn.save(object(), tmp_path / "bad.npz")


def test_truncated_file_is_a_clear_value_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "full.npz"
    nn.save(nn.MLP([20, 30, 5]), path)
    raw = path.read_bytes()
    for cut in (10, len(raw) // 2, len(raw) - 10):
        bad = tmp_path / f"cut{cut}.npz"
        bad.write_bytes(raw[:cut])
        with pytest.raises(ValueError, match=f"cut{cut}.npz"):
            nn.load(bad)


def test_corrupted_member_is_a_clear_value_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.npz"
    nn.save(nn.Linear(40, 40), path)
    raw = bytearray(path.read_bytes())
    raw[200:260] = b"\xff" * 60  # inside the weight's data / header
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="m.npz"):
        nn.load(path)


def test_foreign_files_are_rejected(tmp_path: pathlib.Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="notes.txt"):
        nn.load(text)
    npy = tmp_path / "arr.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match="arr.npy"):
        nn.load(npy)
    other_zip = tmp_path / "doc.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("word/document.xml", "<xml/>")
    with pytest.raises(ValueError, match="doc.zip"):
        nn.load(other_zip)


def test_pickles_are_never_loaded(tmp_path: pathlib.Path) -> None:
    class Evil:
        def __reduce__(self):
            return (pathlib.Path.touch, (tmp_path / "pwned",))

    pkl = tmp_path / "model.pt"
    pkl.write_bytes(pickle.dumps({"weight": Evil()}))
    with pytest.raises(ValueError):
        nn.load(pkl)
    obj_npz = tmp_path / "obj.npz"
    np.savez(obj_npz, weight=np.array([Evil()], dtype=object))
    with pytest.raises(ValueError, match="obj.npz"):
        nn.load(obj_npz)
    assert not (tmp_path / "pwned").exists()


def test_missing_file_is_file_not_found(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")


def test_a_failed_save_leaves_the_old_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.npz"
    nn.save(nn.Linear(2, 2), path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        nn.save({"w": np.array(["x"])}, path)
    assert path.read_bytes() == before


def test_saved_file_is_readable_by_others(tmp_path: pathlib.Path) -> None:
    old = os.umask(0o022)
    try:
        nn.save(nn.Linear(2, 3), tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.npz").stat().st_mode) == 0o644



# -- checkpoints: nested structures (issue 16) -----------------------------------------------
def _checkpoint() -> dict:
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    model(ag.randn(4, 3)).sum().backward()
    opt.step()
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    sched.step()
    return {"model": model.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(), "epoch": 3,
            "rng": np.random.default_rng(5).bit_generator.state,
            "history": [{"loss": 0.5, "acc": 0.75}, {"loss": float("nan"), "acc": None}],
            "shape": (2, 3), "name": "run-1", "done": False, "big": 2**70, "tiny": 1e-320,
            "w": ag.tensor([[1.0, 2.0]], requires_grad=True), "i": ag.tensor([1, 2]),
            "scalar": np.float32(1.5), "empty": {}, "nested": [[], (), [(1, [2.0])]]}


def _same(a, b) -> None:
    """Equal values and the same types all the way down (NaN equals NaN)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, ag.Tensor):
        assert a.dtype == b.dtype and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_a_whole_checkpoint_round_trips_with_its_types(tmp_path: pathlib.Path) -> None:
    state = _checkpoint()
    nn.save(state, tmp_path / "ckpt.npz")
    back = nn.load(tmp_path / "ckpt.npz")
    _same(back, state)
    assert isinstance(back["optimizer"]["state"], dict) and 0 in back["optimizer"]["state"]
    # ... and each part loads back where it came from
    model = _model()
    model.load_state_dict(back["model"])
    optim.Adam(model.parameters()).load_state_dict(back["optimizer"])
    # the structure is plain JSON beside the arrays: no pickle anywhere
    with zipfile.ZipFile(tmp_path / "ckpt.npz") as zf:
        doc = json.loads(zf.read("structure.json"))
        assert all(n.endswith(".npy") for n in zf.namelist() if n != "structure.json")
    assert doc["format"] == "chainrule.save" and doc["version"] == 1


@pytest.mark.parametrize("obj", [{}, [], (), None, 0, "text", [np.zeros((0, 3))],
                                 {"a": OrderedDict(b=1)}])
def test_small_structures_round_trip(obj, tmp_path: pathlib.Path) -> None:
    nn.save(obj, tmp_path / "s.npz")
    back = nn.load(tmp_path / "s.npz")
    _same(back, obj)


def test_a_flat_state_dict_keeps_the_plain_layout(tmp_path: pathlib.Path) -> None:
    sd = _model().state_dict()
    nn.save(sd, tmp_path / "sd.npz")
    back = nn.load(tmp_path / "sd.npz")
    assert isinstance(back, OrderedDict) and list(back) == list(sd)
    with zipfile.ZipFile(tmp_path / "sd.npz") as zf:
        assert zf.namelist() == [k + ".npy" for k in sd]


class Foo:
    pass


@pytest.mark.parametrize(("obj", "where"), [
    ({"opt": {"foo": Foo()}}, r"obj\['opt'\]\['foo'\]: object of type .*Foo"),
    ([1, (2, {3})], r"obj\[1\]\[1\]: object of type builtins.set"),
    ({"f": lambda: 1}, r"obj\['f'\]: object of type builtins.function"),
    ({"c": 1j}, r"obj\['c'\]: object of type builtins.complex"),
    ({"a": np.array(["s"])}, r"obj\['a'\]: array of dtype <U1"),
    ({(1, 2): 3}, r"obj: dict key \(1, 2\)"),
    ({True: 3}, r"obj: dict key True"),
])
def test_anything_else_is_refused_at_save_time_naming_where(obj, where,
                                                            tmp_path: pathlib.Path) -> None:
    with pytest.raises(TypeError, match=where):
        nn.save(obj, tmp_path / "bad.npz")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


def test_a_structure_that_contains_itself_is_refused(tmp_path: pathlib.Path) -> None:
    loop: list = [1]
    loop.append(loop)
    with pytest.raises(TypeError, match=r"obj\[1\]: the object contains itself"):
        nn.save(loop, tmp_path / "loop.npz")


# -- robust writing (issue 13, point 14) -----------------------------------------------------
def test_save_writes_through_a_symlink(tmp_path: pathlib.Path) -> None:
    real = tmp_path / "real.npz"
    real.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    nn.save(nn.Linear(2, 2), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert list(nn.load(real)) == ["weight", "bias"]
    dangling = tmp_path / "dangling.npz"
    dangling.symlink_to(tmp_path / "new.npz")
    nn.save({}, dangling)
    assert dangling.is_symlink() and (tmp_path / "new.npz").is_file()


def test_save_into_a_device_writes_in_place(tmp_path: pathlib.Path) -> None:
    link = tmp_path / "null.npz"
    link.symlink_to(os.devnull)
    nn.save(nn.Linear(2, 2), link)  # os.devnull stays a device; nothing is renamed over it
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name != "null.npz"]


@pytest.mark.parametrize("umask", [0o077, 0o002, 0o022])
def test_the_new_file_honours_the_umask(umask: int, tmp_path: pathlib.Path) -> None:
    old = os.umask(umask)
    try:
        nn.save(nn.Linear(2, 2), tmp_path / "m.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.npz").stat().st_mode) == 0o666 & ~umask


def test_an_existing_file_keeps_its_mode(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "m.npz"
    path.write_bytes(b"x")
    path.chmod(0o600)
    nn.save(nn.Linear(2, 2), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_fsyncs_before_the_rename(tmp_path: pathlib.Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    nn.save(nn.Linear(2, 2), tmp_path / "m.npz")
    assert events[:2] == ["fsync", "replace"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_a_failed_write_removes_its_temporary_file(error, tmp_path: pathlib.Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.npz"
    nn.save(nn.Linear(2, 2), path)
    before = path.read_bytes()
    calls = [0]
    real = np.lib.format.write_array

    def fail_on_second(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 2:
            raise error("stop")
        return real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", fail_on_second)
    with pytest.raises(error):
        nn.save(nn.Linear(3, 3), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    assert path.read_bytes() == before


def test_empty_dict_round_trips(tmp_path: pathlib.Path) -> None:
    nn.save({}, tmp_path / "e.npz")
    assert nn.load(tmp_path / "e.npz") == {}


# -- robust reading --------------------------------------------------------------------------
def _npz_with(member: bytes, name: str = "w.npy") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, member)
    return buf.getvalue()


def _npy_header(shape: tuple, dtype: str = "<f8") -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": dtype, "fortran_order": False,
                                               "shape": shape})
    return out.getvalue()


def test_a_small_file_declaring_a_huge_array_allocates_nothing(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "huge.npz"
    path.write_bytes(_npz_with(_npy_header((10**12,)) + b"\0" * 64))  # 8 TB declared
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="huge.npz.*declares shape"):
            nn.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_a_zip_entry_declaring_more_than_the_file_is_rejected(tmp_path: pathlib.Path) -> None:
    raw = bytearray(_npz_with(_npy_header((2,)) + b"\0" * 16))
    # central directory entry: compressed size at +20, uncompressed size at +24
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 20:cd + 28] = struct.pack("<II", 2**31, 2**31)
    path = tmp_path / "lie.npz"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="lie.npz"):
        nn.load(path)


@pytest.mark.parametrize("flag", [0x0001, 0x0020, 0x0040])  # encrypted, patched, strong enc.
def test_unsupported_zip_flags_are_value_errors(flag: int, tmp_path: pathlib.Path) -> None:
    raw = bytearray(_npz_with(_npy_header((2,)) + b"\0" * 16))
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(sig) + offset
        raw[at:at + 2] = struct.pack("<H", flag)
    path = tmp_path / "flag.npz"
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="flag.npz.*unsupported zip flags"):
        nn.load(path)


def test_a_tampered_structure_is_a_value_error(tmp_path: pathlib.Path) -> None:
    for doc in ({"format": "chainrule.save", "version": 1, "root": {"$array": 3}},
                {"format": "chainrule.save", "version": 99, "root": None},
                {"format": "other", "version": 1, "root": None},
                {"format": "chainrule.save", "version": 1, "root": {"$pickle": "x"}}):
        path = tmp_path / "t.npz"
        path.write_bytes(_npz_with(json.dumps(doc).encode(), "structure.json"))
        with pytest.raises(ValueError, match="t.npz"):
            nn.load(path)


def test_a_module_without_parameters_saves_its_empty_state_dict(tmp_path: pathlib.Path) -> None:
    nn.save(nn.ReLU(), tmp_path / "relu.npz")
    back = nn.load(tmp_path / "relu.npz")
    assert back == {} and isinstance(back, OrderedDict)
    nn.ReLU().load_state_dict(back)
