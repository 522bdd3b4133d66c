"""ModuleDict, ParameterList, ParameterDict and the Module API around them
(named_parameters/buffers with prefix and recurse, requires_grad_, get_submodule,
get_parameter); expected names, orders and errors are torch's."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn


def test_module_dict() -> None:
    md = nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.Tanh()})
    md["c"] = nn.Linear(2, 1)
    md.update([("d", nn.ReLU())])
    assert list(md.keys()) == ["b", "a", "c", "d"] and len(md) == 4 and "a" in md
    assert [type(v).__name__ for v in md.values()] == ["Linear", "Tanh", "Linear", "ReLU"]
    assert [k for k, _ in md.items()] == list(md) == ["b", "a", "c", "d"]
    assert [n for n, _ in md.named_parameters()] == ["b.weight", "b.bias", "c.weight", "c.bias"]
    assert type(md.pop("a")).__name__ == "Tanh" and list(md) == ["b", "c", "d"]
    del md["d"]
    assert list(md) == ["b", "c"]
    with pytest.raises(TypeError, match="module name should be a string. Got int"):
        md[1] = nn.ReLU()
    with pytest.raises(TypeError, match="module name should be a string"):
        nn.ModuleDict({1: nn.ReLU()})
    with pytest.raises(TypeError, match="iterable of key/value pairs, but got int"):
        md.update(3)
    with pytest.raises(ValueError, match="element #0 has length 1; 2 is required"):
        md.update([("x",)])
    with pytest.raises(KeyError):
        md["zz"]
    with pytest.raises(KeyError, match="contain"):
        md["a.b"] = nn.ReLU()
    md.clear()
    assert len(md) == 0 and list(md.parameters()) == []


def test_parameter_list() -> None:
    pl = nn.ParameterList([nn.Parameter(ag.zeros(2)), ag.ones(3)])
    pl.append(nn.Parameter(ag.zeros(1)))
    pl.extend([ag.zeros(4)])
    assert len(pl) == 4 and all(isinstance(p, nn.Parameter) for p in pl)
    assert pl[1].requires_grad  # a plain Tensor becomes a Parameter
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3"]
    assert list(pl.state_dict()) == ["0", "1", "2", "3"]
    sub = pl[1:]
    assert isinstance(sub, nn.ParameterList) and len(sub) == 3 and sub[0] is pl[1]
    assert pl[-1] is pl[3]
    new = nn.Parameter(ag.ones(5))
    pl[0] = new
    assert pl[0] is new and next(pl.parameters()) is new
    with pytest.raises(IndexError, match="out of range"):
        pl[10]
    with pytest.raises(TypeError, match="iterable"):
        pl.extend(3)
    pl += [ag.zeros(1)]
    assert len(pl) == 5 and len(list(pl.parameters())) == 5


def test_parameter_dict() -> None:
    pd = nn.ParameterDict({"w": nn.Parameter(ag.zeros(2)), "v": ag.ones(1)})
    pd["u"] = ag.zeros(3)
    pd.update({"t": nn.Parameter(ag.ones(2))})
    # torch adds a plain dict's entries in sorted key order
    assert list(pd.keys()) == ["v", "w", "u", "t"]
    assert [n for n, _ in pd.named_parameters()] == ["v", "w", "u", "t"]
    assert "w" in pd and len(pd) == 4 and isinstance(pd["v"], nn.Parameter)
    ordered = nn.ParameterDict(OrderedDict(z=ag.zeros(1), a=ag.zeros(1)))
    assert list(ordered) == ["z", "a"]
    with pytest.raises(TypeError, match="not a string \\(type is 'int'\\)"):
        pd[1] = ag.zeros(1)
    with pytest.raises(TypeError, match="not a string"):
        nn.ParameterDict({1: ag.zeros(1)})
    assert list(pd.keys()) == ["v", "w", "u", "t"]  # the failed set left nothing behind
    with pytest.raises(AttributeError, match="nope"):  # torch's exception for a missing key
        pd["nope"]
    assert isinstance(pd.pop("w"), nn.Parameter) and list(pd.keys()) == ["v", "u", "t"]
    assert pd.get("nope") is None and [k for k, _ in pd.items()] == ["v", "u", "t"]
    assert pd.setdefault("s", ag.zeros(2)) is pd["s"]
    assert pd.popitem()[0] == "s"
    assert list(pd.copy().keys()) == ["v", "u", "t"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


def _net() -> nn.Sequential:
    return nn.Sequential(OrderedDict(enc=nn.Sequential(nn.Linear(2, 3), nn.ReLU()),
                                     head=nn.Linear(3, 1)))


def test_named_parameters_prefix_recurse_and_duplicates() -> None:
    m = _net()
    assert [n for n, _ in m.named_parameters(prefix="model")] == [
        "model.enc.0.weight", "model.enc.0.bias", "model.head.weight", "model.head.bias"]
    assert list(m.named_parameters(recurse=False)) == []
    assert list(m.parameters(recurse=False)) == []
    assert [n for n, _ in m.head.named_parameters(recurse=False)] == ["weight", "bias"]
    lin = nn.Linear(2, 2)
    shared = nn.Sequential(lin, lin)
    assert [n for n, _ in shared.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in shared.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.weight", "1.bias"]
    s = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert [n for n, _ in s.named_buffers(prefix="x")] == [
        "x.1.running_mean", "x.1.running_var", "x.1.num_batches_tracked"]
    assert list(s.named_buffers(recurse=False)) == []


def test_requires_grad_get_submodule_get_parameter() -> None:
    m = _net()
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    assert all(p.requires_grad for p in m.parameters())
    assert m.get_submodule("enc.0") is m.enc[0] and m.get_submodule("") is m
    with pytest.raises(AttributeError, match="Sequential has no attribute `5`"):
        m.get_submodule("enc.5")
    with pytest.raises(AttributeError, match="`weight` is not an nn.Module"):
        m.get_submodule("enc.0.weight")
    assert m.get_parameter("enc.0.weight") is m.enc[0].weight
    with pytest.raises(AttributeError, match="Linear has no attribute `nope`"):
        m.get_parameter("enc.0.nope")
    with pytest.raises(AttributeError, match="`enc` is not an nn.Parameter"):
        m.get_parameter("enc")


def test_failed_load_state_dict_changes_nothing() -> None:
    ag.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 3), nn.Linear(3, 1))
    before = {k: v.copy() for k, v in m.state_dict().items()}
    # the last parameter's array is read-only: nothing may be copied before that is seen
    m[2].bias.detach().numpy().flags.writeable = False
    new = {k: np.full_like(v, 7.0) for k, v in before.items()}
    with pytest.raises(RuntimeError, match='"2.bias": its array is read-only'):
        m.load_state_dict(new)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    m[2].bias.detach().numpy().flags.writeable = True
    bad = dict(new, **{"1.weight": np.zeros((2, 2), np.float32), "extra": np.zeros(1)})
    del bad["0.bias"]
    with pytest.raises(RuntimeError) as err:
        m.load_state_dict(bad)
    msg = str(err.value)
    # torch's order: missing, unexpected, then size mismatches
    assert msg.index("Missing key(s)") < msg.index("Unexpected key(s)") < msg.index(
        "size mismatch for 1.weight")
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    with pytest.raises(RuntimeError, match="complex"):
        m.load_state_dict(dict(new, **{"0.bias": np.zeros(3, np.complex64)}))
    result = m.load_state_dict({k: v.astype(np.float64) for k, v in new.items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert m[0].weight.dtype == ag.float32 and (m[0].weight.detach().numpy() == 7).all()
