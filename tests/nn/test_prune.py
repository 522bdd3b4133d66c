"""nn.utils.prune against torch 2.13's values: the weights are a fixed NumPy draw rounded
to 3 decimals (tie-free), the masks, outputs and gradients below were computed by
torch.nn.utils.prune on the same weights (float64 unless said)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils import prune


def W(seed: int, shape: tuple) -> np.ndarray:
    return np.round(np.random.default_rng(seed).standard_normal(shape), 3)


def lin(seed: int, i: int, o: int) -> nn.Linear:
    m = nn.Linear(i, o).double()
    with ag.no_grad():
        m.weight.copy_(ag.tensor(W(seed, (o, i))))
        m.bias.copy_(ag.tensor(W(seed + 100, (o,))))
    return m


def arr(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


X1 = W(1, (3, 5))
MASK1 = [[0, 0, 1, 0, 1], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1], [1, 1, 0, 0, 1]]
Y1 = [[-1.43188, 1.446885, -1.329438, 0.787475], [-0.943744, -0.488911, -1.214007, 0.816298],
      [-1.370688, 1.030778, 3.075328, -0.27679]]
G1 = [[0.0, 0.0, -0.024018592, 0.0, -1.82528104],
      [0.0, 4.031440486, -1.130475698, -4.463520968, 1.33771219],
      [-1.830646972, 0.0, -6.81498803, 0.0, -6.084735088],
      [1.257570276, 0.115096588, 0.0, 0.0, 2.172138534]]
GB1 = [-7.492624, 3.977504, 1.063766, 2.653966]


def test_l1_unstructured_reparametrises_as_torch() -> None:
    m = lin(0, 5, 4)
    w = arr(m.weight).copy()
    out = prune.l1_unstructured(m, "weight", amount=0.4)
    assert out is m
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    assert [k for k, _ in m.named_parameters()] == ["bias", "weight_orig"]
    assert [k for k, _ in m.named_buffers()] == ["weight_mask"]
    assert isinstance(m.weight_orig, nn.Parameter) and not isinstance(m.weight, nn.Parameter)
    np.testing.assert_array_equal(arr(m.weight_mask), MASK1)
    assert m.weight_mask.dtype == np.float64 and not m.weight_mask.requires_grad
    np.testing.assert_array_equal(arr(m.weight_orig), w)  # the original stays whole
    np.testing.assert_array_equal(arr(m.weight), w * np.array(MASK1))
    y = m(ag.tensor(X1))
    np.testing.assert_allclose(arr(y), Y1, rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    np.testing.assert_allclose(arr(m.weight_orig.grad), G1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(arr(m.bias.grad), GB1, rtol=1e-12)
    assert prune.is_pruned(m) and not prune.is_pruned(lin(0, 5, 4))


def test_the_pre_hook_recomputes_the_weight_after_orig_changes() -> None:
    m = lin(0, 5, 4)
    prune.l1_unstructured(m, "weight", amount=0.4)
    with ag.no_grad():
        m.weight_orig.mul_(2.0)
    m(ag.tensor(X1))
    np.testing.assert_array_equal(arr(m.weight), 2 * W(0, (4, 5)) * np.array(MASK1))


def test_repeated_pruning_builds_a_container_acting_on_the_unpruned_entries() -> None:
    m = lin(0, 5, 4)
    prune.l1_unstructured(m, "weight", amount=0.4)
    prune.ln_structured(m, "weight", amount=1, n=2, dim=0)
    np.testing.assert_array_equal(arr(m.weight_mask), [[0, 0, 0, 0, 0], [0, 1, 1, 1, 1],
                                                       [1, 0, 1, 0, 1], [1, 1, 0, 0, 1]])
    prune.l1_unstructured(m, "weight", amount=3)  # 3 more among the 10 left
    np.testing.assert_array_equal(arr(m.weight_mask), [[0, 0, 0, 0, 0], [0, 1, 1, 0, 1],
                                                       [0, 0, 1, 0, 1], [1, 0, 0, 0, 1]])
    prune.ln_structured(m, "weight", amount=0.5, n=1, dim=1)  # half the 4 live columns
    np.testing.assert_array_equal(arr(m.weight_mask), [[0, 0, 0, 0, 0], [0, 0, 1, 0, 1],
                                                       [0, 0, 1, 0, 1], [0, 0, 0, 0, 1]])
    hooks = list(m._forward_pre_hooks.values())
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer)
    assert len(hooks[0]) == 4
    assert [type(h).__name__ for h in hooks[0]] == ["L1Unstructured", "LnStructured",
                                                    "L1Unstructured", "LnStructured"]
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    y = m(ag.tensor(X1))
    np.testing.assert_allclose(arr(y), [[-1.158, -0.542315, -1.11388, 1.487915],
                                        [-1.158, 0.468297, -0.936149, 0.850642],
                                        [-1.158, 0.202738, 3.092772, 0.041274]],
                               rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    np.testing.assert_allclose(arr(m.weight_orig.grad),
                               [[0, 0, 0, 0, 0], [0, 0, -0.112197122, 0, -0.901670946],
                                [0, 0, -6.375526322, 0, -5.54801062], [0, 0, 0, 0, 3.15351551]],
                               rtol=1e-9, atol=1e-12)
    prune.remove(m, "weight")
    assert list(m.state_dict()) == ["bias", "weight"]
    assert isinstance(m.weight, nn.Parameter) and not prune.is_pruned(m)
    np.testing.assert_array_equal(arr(m.weight), [[0, 0, 0, 0, 0], [0, 0, 0.947, 0, -1.265],
                                                  [0, 0, -2.325, 0, -1.246], [0, 0, 0, 0, 1.043]])
    assert not hasattr(m, "weight_orig") and not hasattr(m, "weight_mask")


@pytest.mark.parametrize("n, dim, kept", [
    (1, 0, [12, 0, 0, 12]), (1, 1, [16, 0, 0]), (1, -1, [0, 24]),
    (2, 0, [12, 0, 0, 12]), (2, 1, [16, 0, 0]), (2, -1, [0, 24]),
    (float("inf"), 0, [0, 12, 0, 12]), (float("inf"), 1, [0, 16, 0]),
    (float("inf"), -1, [24, 0]),
])
def test_ln_structured_on_conv_channels(n, dim, kept) -> None:
    c = nn.Conv2d(3, 4, 2, bias=False).double()
    with ag.no_grad():
        c.weight.copy_(ag.tensor(W(5, (4, 3, 2, 2))))
    prune.ln_structured(c, "weight", amount=0.5, n=n, dim=dim)
    mask = arr(c.weight_mask)
    d = dim % 4
    np.testing.assert_array_equal(mask.sum(axis=tuple(i for i in range(4) if i != d)), kept)
    assert set(np.unique(mask)) <= {0.0, 1.0}
    assert list(c.state_dict()) == ["weight_orig", "weight_mask"]


def test_global_unstructured_across_layers_with_importance_scores() -> None:
    ms = [lin(10, 3, 4), lin(11, 4, 5), lin(12, 5, 2)]
    prune.l1_unstructured(ms[0], "weight", amount=0.25)
    params = [(ms[0], "weight"), (ms[1], "weight"), (ms[2], "weight"), (ms[2], "bias")]
    assert prune.global_unstructured(
        params, pruning_method=prune.L1Unstructured,
        importance_scores={(ms[1], "weight"): ag.tensor(W(13, (5, 4)))}, amount=0.5) is None
    np.testing.assert_array_equal(arr(ms[0].weight_mask),
                                  [[1, 0, 1], [0, 0, 0], [1, 1, 0], [0, 1, 1]])
    np.testing.assert_array_equal(arr(ms[1].weight_mask), [[1, 1, 1, 0], [1, 0, 1, 0],
                                                           [0, 0, 0, 0], [0, 0, 0, 0],
                                                           [0, 1, 1, 0]])
    np.testing.assert_array_equal(arr(ms[2].weight_mask), [[0, 1, 1, 0, 1], [1, 0, 1, 0, 1]])
    np.testing.assert_array_equal(arr(ms[2].bias_mask), [1, 1])
    assert isinstance(ms[0]._forward_pre_hooks[next(iter(ms[0]._forward_pre_hooks))],
                      prune.PruningContainer)
    prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=7)
    np.testing.assert_array_equal(arr(ms[0].weight_mask),
                                  [[1, 0, 1], [0, 0, 0], [1, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(arr(ms[1].weight_mask), [[0, 1, 1, 0], [0, 0, 0, 0],
                                                           [0, 0, 0, 0], [0, 0, 0, 0],
                                                           [0, 0, 0, 0]])
    np.testing.assert_array_equal(arr(ms[2].weight_mask), [[0, 1, 0, 0, 1], [1, 0, 1, 0, 1]])
    assert list(ms[2].state_dict()) == ["weight_orig", "bias_orig", "weight_mask", "bias_mask"]


def test_mask_dtype_follows_the_importance_scores_as_torch() -> None:
    m = nn.Linear(4, 3)
    with ag.no_grad():
        m.weight.copy_(ag.tensor(W(20, (3, 4)), dtype=np.float32))
        m.bias.zero_()
    scores = ag.tensor(W(21, (3, 4)))  # float64 scores for a float32 weight
    prune.ln_structured(m, "weight", amount=1, n=1, dim=0, importance_scores=scores)
    assert m.weight_mask.dtype == np.float64 and m.weight.dtype == np.float32
    np.testing.assert_array_equal(arr(m.weight_mask), [[1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0]])
    prune.l1_unstructured(m, "weight", amount=0.5, importance_scores=scores.float())
    assert m.weight_mask.dtype == np.float32
    np.testing.assert_array_equal(arr(m.weight_mask), [[0, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]])


def test_prune_method_masks_a_tensor_differentiably() -> None:
    t = ag.tensor(W(30, (3, 4)), requires_grad=True)
    r = prune.LnStructured(amount=1, n=2, dim=1).prune(t)
    np.testing.assert_array_equal(arr(r), [[1.575, 0.743, 0, -0.212], [-0.287, 2.362, 0, 1.376],
                                           [0.123, 1.022, 0, 0.393]])
    (r * r).sum().backward()
    np.testing.assert_allclose(arr(t.grad), [[3.15, 1.486, 0, -0.424], [-0.574, 4.724, 0, 2.752],
                                             [0.246, 2.044, 0, 0.786]])
    r = prune.L1Unstructured(2).prune(ag.tensor([[1., -5, 3], [0.5, 2, -4]]),
                                      importance_scores=ag.tensor([[9., 1, 9], [9, 9, .1]]))
    np.testing.assert_array_equal(arr(r), [[1, 0, 3], [0.5, 2, 0]])


def test_custom_from_mask_identity_and_amount_zero() -> None:
    m = lin(0, 5, 4)
    prune.custom_from_mask(m, "bias", mask=ag.tensor([True, False, True, False]))
    np.testing.assert_array_equal(arr(m.bias_mask), [1, 0, 1, 0])
    assert m.bias_mask.dtype == np.float64
    prune.l1_unstructured(m, "bias", amount=1)  # the smaller |b| of the two left
    b = W(100, (4,))
    keep = int(np.argmax(np.abs(b[[0, 2]]))) * 2
    np.testing.assert_array_equal(arr(m.bias_mask), np.eye(4)[keep])
    prune.identity(m, "weight")
    np.testing.assert_array_equal(arr(m.weight_mask), np.ones((4, 5)))
    prune.l1_unstructured(m, "weight", amount=0.0)
    prune.ln_structured(m, "weight", amount=0, n=2, dim=1)
    np.testing.assert_array_equal(arr(m.weight_mask), np.ones((4, 5)))


def test_pruned_state_dict_loads_into_a_pruned_copy_and_deepcopies() -> None:
    m = lin(0, 5, 4)
    prune.l1_unstructured(m, "weight", amount=0.4)
    m2 = lin(3, 5, 4)
    prune.identity(m2, "weight")
    m2.load_state_dict(m.state_dict())
    np.testing.assert_allclose(arr(m2(ag.tensor(X1))), Y1, rtol=1e-12, atol=1e-12)
    m3 = copy.deepcopy(m)
    np.testing.assert_allclose(arr(m3(ag.tensor(X1))), Y1, rtol=1e-12, atol=1e-12)
    prune.remove(m3, "weight")
    assert prune.is_pruned(m) and not prune.is_pruned(m3)


def test_is_pruned_looks_into_submodules() -> None:
    net = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 2)))
    assert not prune.is_pruned(net)
    prune.random_unstructured(net[1][1], "weight", amount=2)
    assert prune.is_pruned(net)


def test_ties_prune_the_lower_index_first() -> None:
    # torch's topk order among equal scores is unspecified; chainrule's rule is stable
    m = nn.Linear(3, 2)
    with ag.no_grad():
        m.weight.copy_(ag.tensor([[1.0, -1.0, 2.0], [1.0, 3.0, -1.0]]))
    prune.l1_unstructured(m, "weight", amount=2)
    np.testing.assert_array_equal(arr(m.weight_mask), [[0, 0, 1], [1, 1, 1]])
    c = nn.Linear(2, 3)
    with ag.no_grad():
        c.weight.copy_(ag.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]]))
    prune.ln_structured(c, "weight", amount=1, n=2, dim=0)
    np.testing.assert_array_equal(arr(c.weight_mask), [[0, 0], [1, 1], [1, 1]])


def test_random_methods_prune_the_requested_counts_reproducibly() -> None:
    def masks(seed: int) -> tuple:
        ag.manual_seed(seed)
        m = nn.Linear(5, 4)
        prune.random_structured(m, "weight", amount=2, dim=1)
        a = arr(m.weight_mask).copy()
        prune.random_unstructured(m, "weight", amount=0.5)  # half of the 12 left
        return a, arr(m.weight_mask).copy()
    a, b = masks(0)
    assert (a.sum(0) == 0).sum() == 2 and set(a.sum(0)) == {0.0, 4.0}
    assert (b == 0).sum() == 8 + 6 and not (b > a).any()
    a2, b2 = masks(0)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)


def test_amount_validation_errors_as_torch() -> None:
    for bad in (-1, 1.5, -0.1):
        with pytest.raises(ValueError, match=f"amount={bad} should either be a float in the "
                                             "range"):
            prune.L1Unstructured(bad)
    with pytest.raises(TypeError, match="Invalid type for amount: a. Must be int or float."):
        prune.RandomUnstructured("a")
    m = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="amount=7 should be smaller than the number of "
                                         "parameters to prune=6"):
        prune.l1_unstructured(m, "weight", amount=7)
    # the failed pruning is undone: weight is a Parameter again (appended last, as torch)
    assert [k for k, _ in m.named_parameters()] == ["bias", "weight"]
    assert not prune.is_pruned(m) and "weight_mask" not in m.state_dict()
    with pytest.raises(ValueError, match="amount=3 should be smaller than the number of "
                                         "parameters to prune=2"):
        prune.ln_structured(nn.Linear(3, 2), "weight", amount=3, n=2, dim=0)
    # torch passes amount=True on as topk's/kthvalue's k, which refuse a bool
    with pytest.raises(TypeError, match="topk\\(\\): argument 'k' must be int, not bool"):
        prune.l1_unstructured(nn.Linear(3, 2), "weight", amount=True)
    with pytest.raises(TypeError, match="kthvalue"):
        prune.random_structured(nn.Linear(3, 2), "weight", amount=True, dim=0)
    m = prune.ln_structured(nn.Linear(3, 2), "weight", amount=True, n=2, dim=1)
    assert arr(m.weight_mask).sum() == 4  # a count of 1 where no topk sees it
    prune.l1_unstructured(m, "weight", amount=False)


def test_structural_errors_as_torch() -> None:
    with pytest.raises(ValueError, match="Structured pruning can only be applied to "
                                         "multidimensional tensors"):
        prune.ln_structured(nn.Linear(3, 2), "bias", amount=1, n=2, dim=0)
    with pytest.raises(IndexError, match="Invalid index 2 for tensor of size"):
        prune.ln_structured(nn.Linear(3, 2), "weight", amount=1, n=2, dim=2)
    with pytest.raises(IndexError, match="Invalid index 5"):
        prune.random_structured(nn.Linear(3, 2), "weight", amount=1, dim=5)
    with pytest.raises(ValueError, match="Parameter 'weight' of module .* has to be pruned "
                                         "before pruning can be removed"):
        prune.remove(nn.Linear(3, 2), "weight")
    with pytest.raises(AssertionError, match="importance_scores should have the same shape"):
        prune.l1_unstructured(nn.Linear(3, 2), "weight", 1, importance_scores=ag.ones(2, 2))
    with pytest.raises(AssertionError, match="default_mask shape"):
        prune.custom_from_mask(nn.Linear(3, 2), "weight", mask=ag.ones(3, 2))


def test_global_and_container_errors_as_torch() -> None:
    with pytest.raises(TypeError, match="parameters is not an Iterable"):
        prune.global_unstructured(5, prune.L1Unstructured, amount=1)
    with pytest.raises(TypeError, match="importance_scores must be of type dict"):
        prune.global_unstructured([(nn.Linear(3, 2), "weight")], prune.L1Unstructured,
                                  importance_scores=[1], amount=1)
    with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE supported'):
        prune.global_unstructured([(nn.Linear(3, 2), "weight")], prune.LnStructured,
                                  amount=1, n=2, dim=0)
    with pytest.raises(AttributeError, match="_tensor_name"):
        prune.PruningContainer(prune.L1Unstructured(0.5), prune.L1Unstructured(0.5))
    a, b = prune.L1Unstructured(0.5), prune.L1Unstructured(0.5)
    a._tensor_name, b._tensor_name = "w", "v"
    c = prune.PruningContainer(a)
    with pytest.raises(ValueError, match="Can only add pruning methods acting on the parameter "
                                         "named 'w'"):
        c.add_pruning_method(b)
    with pytest.raises(TypeError, match="is not a BasePruningMethod subclass"):
        c.add_pruning_method(3)
    with pytest.raises(TypeError, match="abstract"):
        prune.BasePruningMethod()


def test_pruning_on_the_device_double_matches_the_host(double_device) -> None:
    from tests.devicedouble import DoubleArray

    host, dev = lin(0, 5, 4), lin(0, 5, 4).to(double_device)
    for m in (host, dev):
        prune.l1_unstructured(m, "weight", amount=0.4)
        prune.ln_structured(m, "weight", amount=1, n=2, dim=0)
        prune.global_unstructured([(m, "weight"), (m, "bias")], prune.L1Unstructured, amount=2)
    assert isinstance(dev.weight_mask._data, DoubleArray)
    assert isinstance(dev.bias_mask._data, DoubleArray)
    y = dev(ag.tensor(X1).to(double_device))
    assert isinstance(y._data, DoubleArray)
    np.testing.assert_allclose(arr(y.cpu()), arr(host(ag.tensor(X1))), rtol=1e-12)
    (y * y).sum().backward()
    prune.remove(dev, "weight")
    assert isinstance(dev.weight._data, DoubleArray)
    np.testing.assert_array_equal(arr(dev.weight.cpu()), arr(host.weight))


@pytest.mark.parametrize("n, dim, norms", [
    ("nuc", 0, [6.5461456555480835, 7.38381087453983, 9.51667963607605]),
    ("fro", 1, [4.136472893661942, 3.810887560660902, 3.208063590392186, 3.6434050008199748]),
    ("nuc", -1, [4.734805597381387, 4.4268522536705825, 6.29315676654627, 4.875911946275145,
                 5.380934882126853]),
])
def test_channel_norms_are_torch_norm_over_the_other_dims(n, dim, norms) -> None:
    t = ag.tensor(W(40, (3, 4, 5)))
    np.testing.assert_allclose(prune._compute_norm(t, n, dim), norms, rtol=1e-12)
    m = nn.Module()
    m.register_parameter("w", nn.Parameter(t))
    prune.ln_structured(m, "w", amount=1, n=n, dim=dim)
    kept = arr(m.w_mask).sum(axis=tuple(i for i in range(3) if i != dim % 3))
    assert list(kept == 0) == list(np.arange(len(norms)) == np.argmin(norms))


def test_matrix_norms_need_two_dims_as_torch() -> None:
    c = nn.Conv2d(3, 4, 2, bias=False)
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: dim must be a 2-tuple. Got 1 2 3"):
        prune.ln_structured(c, "weight", amount=1, n="fro", dim=0)
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple. Got 1"):
        prune.ln_structured(nn.Linear(3, 2), "weight", amount=1, n="nuc", dim=0)
    assert not prune.is_pruned(c) and isinstance(c.weight, nn.Parameter)
