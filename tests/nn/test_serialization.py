"""nn.save / nn.load: .npz round trips keyed by state_dict names, exact paths, and clear
errors for truncated, foreign or pickled files (which are never unpickled)."""

from __future__ import annotations

import pathlib
import pickle
import zipfile

import numpy as np
import pytest

import autograd as ag
import nn


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
    np.testing.assert_array_equal(src(x).data, dst(x).data)


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
        nn.save([1, 2], tmp_path / "bad.npz")


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


def test_saved_file_is_readable_by_others(tmp_path) -> None:
    import stat

    import nn as _nn

    path = tmp_path / "m.npz"
    _nn.save(_nn.Linear(2, 3), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
