"""autograd.save / autograd.load: torch.save / torch.load's names and signatures over the
never-pickling npz format of nn.save (whose own tests are tests/nn/test_serialization.py)."""

from __future__ import annotations

import io
import pathlib

import numpy as np
import pytest

import autograd as ag
import nn
import optim


def _model() -> nn.Module:
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def test_torch_style_state_dict_round_trip_through_a_path(tmp_path: pathlib.Path) -> None:
    model, other = _model(), _model()
    for p in other.parameters():
        p.data.zero_()
    path = tmp_path / "model.pt"
    ag.save(model.state_dict(), path)  # torch.save(model.state_dict(), PATH)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]  # that name exactly
    other.load_state_dict(ag.load(path, weights_only=True))
    for (k, a), (_, b) in zip(model.state_dict().items(), other.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=k)


def test_checkpoint_dict_round_trip_through_a_file_object() -> None:
    model = _model()
    opt = optim.Adam(model.parameters(), lr=1e-2)
    model(ag.randn(5, 3)).sum().backward()
    opt.step()
    buf = io.BytesIO()
    ag.save({"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict(),
             "loss": ag.tensor(0.25)}, buf)
    buf.seek(0)
    ckpt = ag.load(buf, map_location="cpu")
    assert ckpt["epoch"] == 3 and isinstance(ckpt["loss"], ag.Tensor)
    assert ckpt["loss"].item() == 0.25
    state = ckpt["optimizer"]["state"]
    assert list(state) == [0, 1, 2, 3]  # torch's int keys survive
    np.testing.assert_array_equal(np.asarray(state[0]["exp_avg"]),
                                  np.asarray(opt.state_dict()["state"][0]["exp_avg"]))
    fresh = optim.Adam(_model().parameters(), lr=1e-2)
    fresh.load_state_dict(ckpt["optimizer"])
    assert fresh.state_dict()["param_groups"] == opt.state_dict()["param_groups"]


def test_a_whole_module_is_refused_and_nothing_is_written(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "model.pt"
    with pytest.raises(TypeError, match=r"autograd\.save: a whole Sequential.*state_dict"):
        ag.save(_model(), path)  # torch would pickle it; this format holds data only
    assert not path.exists()


def test_map_location_moves_tensors_and_keeps_requires_grad(double_device) -> None:
    w = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    buf = io.BytesIO()
    ag.save({"w": w, "n": 7}, buf)
    for where in (None, "cpu", ag.device("cpu"), {"cuda:0": "cpu"}):
        buf.seek(0)
        got = ag.load(buf, map_location=where)
        assert got["w"].device.type == "cpu" and got["w"].requires_grad and got["n"] == 7
    buf.seek(0)
    got = ag.load(buf, map_location=double_device)
    assert got["w"].device.type == "double" and got["w"].requires_grad
    assert got["w"].is_leaf
    np.testing.assert_array_equal(got["w"].cpu().detach().numpy(), [1.0, 2.0])
    buf.seek(0)
    with pytest.raises(NotImplementedError, match="map_location as a function"):
        ag.load(buf, map_location=lambda storage, loc: storage)


def test_files_of_nn_save_and_autograd_save_are_the_same(tmp_path: pathlib.Path) -> None:
    model = _model()
    nn.save(model, tmp_path / "a.npz")
    ag.save(model.state_dict(), tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    a, b = ag.load(tmp_path / "a.npz"), nn.load(tmp_path / "b.npz")
    assert list(a) == list(b) == list(model.state_dict())


def test_bad_input_names_the_function(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match=r"autograd\.load: .*bad\.pt.*autograd\.save"):
        ag.load(bad)
    with pytest.raises(ValueError, match=r"autograd\.load: file object BytesIO"):
        ag.load(io.BytesIO(b"PK\x03\x04 truncated"))
    with pytest.raises(TypeError, match=r"autograd\.save: obj\['f'\]: object of type"):
        ag.save({"f": object()}, io.BytesIO())
    with pytest.raises(TypeError, match="a path or a file object"):
        ag.save({"a": np.zeros(2)}, 3.5)
    with pytest.raises(FileNotFoundError):
        ag.load(tmp_path / "missing.pt")
