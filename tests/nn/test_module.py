"""nn.Module and nn.Parameter: registration, names, modes, state_dict / load_state_dict,
containers, repr and the graph-drawing scope set by __call__."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.graph import STATE


class Net(nn.Module):
    """Two Linear layers, a buffer and a plain attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(4, 2)
        self.scale = nn.Parameter(np.ones(2, dtype=np.float32))
        self.register_buffer("steps", ag.tensor(0, dtype=np.int64))
        self.note = "plain"

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


# -- Parameter ---------------------------------------------------------------------------------
def test_parameter_is_a_leaf_requiring_grad_and_shares_the_array() -> None:
    arr = np.zeros(3, dtype=np.float32)
    p = nn.Parameter(arr)
    assert isinstance(p, ag.Tensor) and p.is_leaf and p.requires_grad
    arr[0] = 5
    assert p._data[0] == 5
    t = ag.tensor([1.0, 2.0])
    q = nn.Parameter(t)
    assert q._data is t._data and not t.requires_grad


def test_parameter_repr_and_int_data() -> None:
    p = nn.Parameter(np.array([1.0, 2.0], dtype=np.float32))
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
    assert "requires_grad=True" in repr(p)
    with pytest.raises(TypeError):
        nn.Parameter(np.array([1, 2]))


def test_parameter_survives_deepcopy_and_pickle_as_a_parameter() -> None:
    p = nn.Parameter(np.array([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad
        assert q._data is not p._data
        np.testing.assert_array_equal(q._data, p._data)


# -- registration and names --------------------------------------------------------------------
def test_assignment_registers_parameters_modules_and_buffers() -> None:
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["fc1", "act", "fc2"]
    assert list(net._buffers) == ["steps"]
    assert "note" in net.__dict__ and "fc1" not in net.__dict__
    assert net.fc1 is net._modules["fc1"] and net.scale is net._parameters["scale"]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = net.nope


def test_named_parameters_use_dotted_names_in_registration_order() -> None:
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    shapes = {n: p.shape for n, p in Net().named_parameters()}
    assert shapes["fc1.weight"] == (4, 3) and shapes["fc2.bias"] == (2,)


def test_parameters_are_deduplicated_by_identity() -> None:
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.Tanh(), lin)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    # shared tensors still appear under every name in a state_dict, as torch
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_reassigning_replaces_and_none_clears() -> None:
    net = Net()
    net.fc1 = nn.Linear(3, 4, bias=False)
    assert [n for n, _ in net.named_parameters()][1:3] == ["fc1.weight", "fc2.weight"]
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="nn.Parameter or None expected"):
        net.scale = ag.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="Module or None expected"):
        net.fc2 = 3
    del net.fc2
    assert "fc2" not in net._modules


def test_plain_attribute_then_parameter_moves_to_the_registry() -> None:
    m = nn.Module()
    m.w = 3
    m.w = nn.Parameter(np.ones(1))
    assert "w" not in m.__dict__ and m.w is m._parameters["w"]


def test_assigning_before_init_is_an_error() -> None:
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_children_and_modules() -> None:
    net = Net()
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [type(m).__name__ for m in net.children()] == ["Linear", "Tanh", "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    seq = nn.Sequential(nn.Sequential(nn.Linear(1, 1)), nn.ReLU())
    assert [n for n, _ in seq.named_modules()] == ["", "0", "0.0", "1"]
    assert len(list(seq.modules())) == 4


def test_buffers_and_non_persistent_buffers() -> None:
    net = Net()
    net.register_buffer("tmp", ag.zeros(2), persistent=False)
    assert [n for n, _ in net.named_buffers()] == ["steps", "tmp"]
    assert "tmp" not in net.state_dict() and "steps" in net.state_dict()
    with pytest.raises(TypeError):
        net.register_buffer("bad", np.zeros(2))
    with pytest.raises(KeyError):
        net.register_buffer("a.b", ag.zeros(1))


def test_register_parameter_none_and_get_parameter() -> None:
    lin = nn.Linear(2, 3, bias=False)
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]
    net = Net()
    assert net.get_parameter("fc2.weight") is net.fc2.weight
    assert net.get_submodule("fc1") is net.fc1
    with pytest.raises(AttributeError):
        net.get_submodule("fc3")


# -- modes, grads, dtype -----------------------------------------------------------------------
def test_train_and_eval_switch_every_submodule() -> None:
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.train(False)
    assert not net[1][0].training
    with pytest.raises(ValueError):
        net.train("no")


def test_zero_grad_to_none_and_in_place() -> None:
    net = Net()
    net(ag.randn(5, 3)).sum().backward()
    grads = {n: p.grad for n, p in net.named_parameters()}
    assert all(g is not None for g in grads.values())
    net.zero_grad(set_to_none=False)
    for n, p in net.named_parameters():
        assert p.grad is grads[n] and not p.grad._data.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_double_float_and_to_keep_the_parameter_objects() -> None:
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    params = list(net.parameters())
    net(ag.randn(4, 2)).sum().backward()
    assert net.double() is net
    assert list(net.parameters()) == params or all(a is b for a, b in
                                                   zip(net.parameters(), params))
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert net[1].running_mean.dtype == np.float64
    assert net[1].num_batches_tracked.dtype == np.int64  # integer buffers stay integer
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())
    net.to(np.float64)
    assert net[0].weight.dtype == np.float64
    net.to("cpu")
    net.to("float32")
    assert net[0].weight.dtype == np.float32
    with pytest.raises(TypeError):
        net.to(np.int64)


def test_requires_grad_and_apply_order() -> None:
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Tanh()))
    order = []
    assert net.apply(lambda m: order.append(type(m).__name__)) is net
    assert order == ["Linear", "Tanh", "Sequential", "Sequential"]
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_can_reinitialise_weights() -> None:
    net = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    net.apply(init)
    assert not net[0].weight._data.any() and not net[2].weight._data.any()


def test_forward_missing_is_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


# -- state_dict / load_state_dict --------------------------------------------------------------
def test_state_dict_is_ordered_copies_with_buffers() -> None:
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    sd = net.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                        "1.running_var", "1.num_batches_tracked"]
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    assert sd["1.num_batches_tracked"].dtype == np.int64 and sd["1.num_batches_tracked"].ndim == 0
    sd["0.weight"][...] = 7  # a copy: the model does not change
    assert not (net[0].weight._data == 7).any()
    assert net.state_dict(keep_vars=True)["0.weight"] is net[0].weight


def test_load_state_dict_round_trip_keeps_objects_and_casts() -> None:
    a, b = nn.MLP([3, 4, 2]), nn.MLP([3, 4, 2])
    w_obj, w_arr = b[0].weight, b[0].weight._data
    state = {k: v.astype(np.float64) for k, v in a.state_dict().items()}  # cast back to f32
    state["2.bias"] = ag.tensor(state["2.bias"])  # Tensors are accepted too
    result = b.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b[0].weight is w_obj and b[0].weight._data is w_arr
    assert b[0].weight.dtype == np.float32
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(b.state_dict()[k], v)


def _error_of(model, state, **kw) -> str:
    with pytest.raises(RuntimeError) as err:
        model.load_state_dict(state, **kw)
    return str(err.value)


def test_missing_keys_are_all_named() -> None:
    net = nn.MLP([3, 4, 2])
    state = net.state_dict()
    del state["0.bias"], state["2.weight"]
    msg = _error_of(net, state)
    assert "Missing key(s)" in msg and '"0.bias"' in msg and '"2.weight"' in msg


def test_unexpected_keys_are_all_named() -> None:
    net = nn.MLP([3, 4, 2])
    state = net.state_dict()
    state["extra.weight"] = np.zeros(1)
    state["3.bias"] = np.zeros(2)
    msg = _error_of(net, state)
    assert "Unexpected key(s)" in msg and '"extra.weight"' in msg and '"3.bias"' in msg


def test_shape_mismatches_are_all_named_even_when_not_strict() -> None:
    net = nn.MLP([3, 4, 2])
    state = net.state_dict()
    state["0.weight"] = np.zeros((3, 4), dtype=np.float32)
    state["2.bias"] = np.zeros(3, dtype=np.float32)
    for strict in (True, False):
        msg = _error_of(net, state, strict=strict)
        assert "size mismatch for 0.weight" in msg and "size mismatch for 2.bias" in msg
        assert "(3, 4)" in msg and "(4, 3)" in msg


def test_non_numeric_and_complex_values_are_rejected() -> None:
    net = nn.Linear(2, 1)
    msg = _error_of(net, {"weight": np.array([["a", "b"]]), "bias": np.array([1 + 2j])})
    assert '"weight"' in msg and "non-numeric" in msg
    assert '"bias"' in msg and "complex" in msg


def test_every_kind_of_error_is_reported_in_one_message() -> None:
    net = nn.MLP([3, 4, 2])
    state = net.state_dict()
    del state["0.bias"]
    state["junk"] = np.zeros(1)
    state["2.weight"] = np.zeros((9, 9))
    msg = _error_of(net, state)
    assert '"0.bias"' in msg and '"junk"' in msg and "2.weight" in msg


def test_a_failed_load_changes_nothing() -> None:
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    before = net.state_dict()
    state = {k: np.full_like(v, 9) for k, v in before.items()}
    state["1.running_var"] = np.ones(5, dtype=np.float32)  # the last entry is bad
    _error_of(net, state)
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_non_strict_load_returns_missing_and_unexpected_and_loads_the_rest() -> None:
    net = nn.MLP([2, 3, 1])
    src = nn.MLP([2, 3, 1]).state_dict()
    del src["2.bias"]
    src["head.weight"] = np.zeros(1)
    missing, unexpected = net.load_state_dict(src, strict=False)
    assert missing == ["2.bias"] and unexpected == ["head.weight"]
    np.testing.assert_array_equal(net[0].weight._data, src["0.weight"])


def test_load_bumps_the_version_so_stale_graphs_are_detected() -> None:
    lin = nn.Linear(2, 1)
    y = lin(ag.randn(3, 2, requires_grad=True)).sum()  # LinearBackward saved the weight
    lin.load_state_dict(nn.Linear(2, 1).state_dict())
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


# -- containers --------------------------------------------------------------------------------
def test_sequential_len_iter_index_slice() -> None:
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    head = seq[1:]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is layers[1]
    assert [n for n, _ in head.named_parameters()] == ["2.weight", "2.bias"]
    with pytest.raises(IndexError):
        seq[3]
    x = ag.randn(4, 2)
    np.testing.assert_allclose(seq(x)._data, layers[2](layers[1](layers[0](x)))._data)


def test_sequential_mutation_and_ordered_dict() -> None:
    from collections import OrderedDict

    seq = nn.Sequential(OrderedDict([("enc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in seq.named_children()] == ["enc", "act"]
    seq = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    seq.append(nn.Linear(2, 1))
    assert len(seq) == 3 and isinstance(seq[2], nn.Linear)
    seq[1] = nn.ReLU()
    assert isinstance(seq[1], nn.ReLU)
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1"]


def test_module_list() -> None:
    ml = nn.ModuleList([nn.Linear(2, 2)])
    ml.append(nn.Linear(2, 3))
    ml.extend([nn.Tanh()])
    assert len(ml) == 3 and isinstance(ml[1], nn.Linear) and isinstance(ml[-1], nn.Tanh)
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight",
                                                     "1.bias"]
    assert [type(m).__name__ for m in ml] == ["Linear", "Linear", "Tanh"]
    assert isinstance(ml[:2], nn.ModuleList) and len(ml[:2]) == 2
    with pytest.raises(NotImplementedError):
        ml(ag.zeros(1))

    class Tower(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    assert len(list(Tower().parameters())) == 6
    assert "blocks.2.bias" in Tower().state_dict()


def test_identity_flatten() -> None:
    x = ag.randn(2, 3, 4)
    assert nn.Identity(54, unused=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)


# -- repr --------------------------------------------------------------------------------------
def test_repr_is_torch_like() -> None:
    seq = nn.Sequential(nn.Linear(784, 256), nn.Tanh(), nn.Sequential(nn.ReLU()))
    assert repr(seq) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=256, bias=True)\n"
        "  (1): Tanh()\n"
        "  (2): Sequential(\n"
        "    (0): ReLU()\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Conv2d(3, 16, 3, padding=1)) == \
        "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(nn.Conv1d(2, 4, 5, stride=2, bias=False)) == \
        "Conv1d(2, 4, kernel_size=(5,), stride=(2,), bias=False)"
    assert repr(nn.BatchNorm1d(8)) == \
        "BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.MaxPool2d(2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


# -- copies ------------------------------------------------------------------------------------
def test_deepcopy_gives_an_independent_model_with_shared_params_kept_shared() -> None:
    lin = nn.Linear(2, 2)
    net = nn.Sequential(lin, nn.Tanh(), lin)
    net(ag.randn(1, 2))  # leaves a cached scope behind
    twin = copy.deepcopy(net)
    assert twin[0] is twin[2] and twin[0] is not lin
    assert isinstance(twin[0].weight, nn.Parameter)
    twin[0].weight._data[...] = 0
    assert lin.weight._data.any()
    assert twin.__dict__["_scope"] is None


# -- the drawing scope -------------------------------------------------------------------------
class _Spy(nn.Module):
    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def forward(self, x):
        s = STATE.scope
        self.log.append((s.path, s.module, s.root))
        return x


def test_call_sets_scope_with_module_path_and_root_and_restores_it() -> None:
    log: list = []
    spy = _Spy(log)
    inner = nn.Sequential(nn.Linear(2, 2), spy)
    model = nn.Sequential(nn.Tanh(), inner)
    out = model(ag.randn(3, 2, requires_grad=True))
    assert STATE.scope is None
    assert log == [("1.1", spy, model)]
    assert out.grad_fn.scope.path == "1.0" and out.grad_fn.scope.module is inner[0]
    assert out.grad_fn.scope.root is model
    tanh_node = out.grad_fn.edges[0]
    assert tanh_node.scope.path == "0"
    inner(ag.randn(1, 2))  # called on its own, inner is the root
    assert log[-1] == ("1", spy, inner)


def test_scope_follows_changes_to_the_module_tree() -> None:
    log: list = []
    spy = _Spy(log)
    model = nn.Sequential(spy)
    model(ag.zeros(1))
    model.insert(0, nn.Identity())
    model(ag.zeros(1))
    assert [p for p, _, _ in log] == ["0", "1"]


def test_scope_is_restored_after_an_exception() -> None:
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    with pytest.raises(ValueError):
        nn.Sequential(Boom())(ag.zeros(1))
    assert STATE.scope is None


def test_unregistered_modules_called_inside_forward_get_a_path_and_are_not_cached() -> None:
    log: list = []

    class Outer(nn.Module):
        def forward(self, x):
            return _Spy(log)(x)  # a fresh module per call

    outer = Outer()
    outer(ag.zeros(1))
    outer(ag.zeros(1))
    assert [p for p, _, _ in log] == ["_Spy", "_Spy"]
    assert outer.__dict__["_scope"].kids == {}


def test_train_goes_through_overridden_train_of_children() -> None:
    class FrozenBN(nn.BatchNorm1d):
        def train(self, mode: bool = True):
            return super().train(False)  # always in eval, as when fine-tuning

    net = nn.Sequential(nn.Linear(2, 2), FrozenBN(2))
    net.train()
    assert net.training and net[0].training and not net[1].training
