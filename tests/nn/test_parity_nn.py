"""nn / nn.functional against torch 2.13 where they used to differ (a differential audit of
activations, losses, layers). The numbers were computed once with torch and are written in;
torch is never imported here."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _grads(fn, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(d Σf/dx, d Σ(d Σf/dx)/dx): first and second derivative, elementwise."""
    t = ag.tensor(x, requires_grad=True)
    (g,) = ag.grad(fn(t).sum(), [t], create_graph=True)
    (gg,) = ag.grad(g.sum(), [t])
    return g.detach().numpy(), gg.numpy()


@pytest.mark.parametrize(("fn", "first", "second"), [
    (F.elu, [1.0, 0.6065306597126334, 1.0, 0.1353352832366127],
     [0.0, 0.6065306597126334, 0.0, 0.1353352832366127]),
    (lambda t: F.elu(t, alpha=0.5), [0.5, 0.3032653298563167, 1.0, 0.06766764161830635],
     [0.0, 0.3032653298563167, 0.0, 0.06766764161830635]),
    (F.selu, [1.7580993408473766, 1.0663411530445053, 1.0507009873554805, 0.2379328722516818],
     [0.0, 1.0663411530445053, 0.0, 0.2379328722516818]),
    (lambda t: F.celu(t, alpha=2.0), [1.0, 0.7788007830714049, 1.0, 0.36787944117144233],
     [0.0, 0.38940039153570244, 0.0, 0.18393972058572117]),
])
def test_elu_family_second_derivative_is_zero_at_zero_as_torch(fn, first, second) -> None:
    # torch: the first derivative at x = 0 takes the negative branch (α·s·i), the second
    # derivative there is 0 (its double backward masks x < 0 strictly)
    g, gg = _grads(fn, np.array([0.0, -0.5, 0.5, -2.0]))
    np.testing.assert_allclose(g, first, rtol=1e-13)
    np.testing.assert_allclose(gg, second, rtol=1e-13, atol=0)


def test_kl_div_negative_target_is_nan_as_torch_xlogy() -> None:
    loss = F.kl_div(ag.tensor(np.array([0.5, 0.1, 0.2])), ag.tensor(np.array([0.3, -0.2, 0.0])),
                    reduction="none")
    np.testing.assert_allclose(loss.numpy(), [-0.5111918412977808, np.nan, 0.0], rtol=1e-13)


def test_bce_target_gradient_uses_unclamped_logs_as_torch() -> None:
    p = ag.tensor(np.array([0.0, 1.0, 0.25]), requires_grad=True)
    y = ag.tensor(np.array([0.5, 0.5, 0.5]), requires_grad=True)
    loss = F.binary_cross_entropy(p, y, reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 100.83698821678584, rtol=1e-13)
    np.testing.assert_allclose(p.grad.numpy(), [-500000001997.9014, 500000001997.9014,
                                                 -1.3333333333333333], rtol=1e-12)
    np.testing.assert_array_equal(y.grad.numpy()[:2], [np.inf, -np.inf])
    np.testing.assert_allclose(y.grad.numpy()[2], 1.0986122886681098, rtol=1e-13)


def test_class_target_errors_have_torchs_classes() -> None:
    x = ag.zeros(4, 3)
    with pytest.raises(IndexError):  # torch: "Target 3 is out of bounds."
        F.cross_entropy(x, np.array([0, 3, 1, 1]))
    with pytest.raises(IndexError):
        F.nll_loss(x, np.array([0, -1, 1, 1]))
    with pytest.raises(RuntimeError):  # torch: expected target dtype to be Long or Byte
        F.cross_entropy(x, np.array([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(ValueError):  # torch: Expected input batch_size (4) to match ...
        F.cross_entropy(x, np.array([0, 1, 2, 0, 1]))


# -- layers: a module with probe weights, Σ probe·y, and the projections of its gradients --
def _module_numbers(m, shape: tuple, call=None) -> tuple:
    from tests.nn.reference import draw, probe
    m = m.double()
    m.load_state_dict({k: probe(tuple(v.shape), 0.1 + i)
                       for i, (k, v) in enumerate(m.state_dict().items())})
    x = ag.tensor(draw(shape, "normal", 0), requires_grad=True)
    y = m(x) if call is None else call(m, x)
    p = probe(tuple(y.shape))
    (y * ag.tensor(p)).sum().backward()
    return (tuple(y.shape), float((y.detach().numpy() * p).sum()),
            float((x.grad.numpy() * probe(shape, 1.1)).sum()),
            [float((q.grad.numpy() * probe(tuple(q.shape), 1.1)).sum()) for q in m.parameters()])


_PADDING_MODES = {  # name: (module, input shape, torch's numbers)
    "conv2d_reflect": (
        lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (2, 2, 5, 6),
        ((2, 3, 5, 6), -0.3472741878462884, 0.9083501455984524,
         [-0.44314856777670064, -0.4456196640456036])),
    "conv2d_replicate_same_even": (
        lambda: nn.Conv2d(2, 3, (2, 4), padding="same", dilation=(1, 2),
                          padding_mode="replicate"), (1, 2, 5, 7),
        ((1, 3, 5, 7), 19.320702749175332, -12.800738583524094,
         [2.2630354195449485, -0.31706419411824])),
    "conv2d_circular_strided": (
        lambda: nn.Conv2d(2, 4, 3, stride=2, padding=(2, 1), padding_mode="circular", groups=2),
        (2, 2, 6, 5),
        ((2, 4, 4, 3), 10.8145700536583, 4.972950222602078,
         [26.72079736885377, -0.8435391504746492])),
    "conv1d_reflect": (
        lambda: nn.Conv1d(3, 2, 3, padding=2, padding_mode="reflect", bias=False), (2, 3, 7),
        ((2, 2, 9), -14.655728582003857, 0.22729159160314727, [-9.939803187190796])),
    "conv1d_circular_unbatched": (
        lambda: nn.Conv1d(3, 2, 4, padding="same", padding_mode="circular"), (3, 6),
        ((2, 6), -7.610373740960607, 1.2415493486883773,
         [-5.651957022263901, -1.0981326519728878])),
}


@pytest.mark.parametrize("name", sorted(_PADDING_MODES))
def test_conv_padding_modes_match_torch(name: str) -> None:
    make, shape, want = _PADDING_MODES[name]
    shape_got, value, gx, gparams = _module_numbers(make(), shape)
    assert shape_got == want[0]
    np.testing.assert_allclose([value, gx, *gparams], [want[1], want[2], *want[3]], rtol=1e-10)


def test_conv_padding_mode_is_checked_as_torch() -> None:
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(2, 3, 3, padding_mode="mirror")
    assert "padding_mode=reflect" in repr(nn.Conv1d(2, 3, 3, padding=1, padding_mode="reflect"))


# -- Embedding: max_norm renormalises the looked-up rows in place; scale_grad_by_freq -------
_W0 = [[0.3, -0.4, 1.2], [2.0, 1.0, -2.0], [0.1, 0.1, 0.1], [-3.0, 0.5, 0.0], [0.6, 0.8, 0.0]]
_IDX = np.array([[0, 1, 3], [3, 3, 4]])
_GRAD = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [0.0, 0.0, 0.0], [27.0, 30.0, 33.0],
         [15.0, 16.0, 17.0]]


@pytest.mark.parametrize(("max_norm", "norm_type", "weight"), [
    (1.0, 2.0, [[0.23076921301775283, -0.30769228402367044, 0.9230768520710113],
                [0.6666666444444452, 0.3333333222222226, -0.6666666444444452], [0.1, 0.1, 0.1],
                [-0.9863938913997126, 0.16439898189995208, 0.0], [0.6, 0.8, 0.0]]),
    (0.5, 1.0, [[0.0789473642659282, -0.10526315235457094, 0.3157894570637128],
                [0.19999999600000007, 0.09999999800000003, -0.19999999600000007],
                [0.1, 0.1, 0.1], [-0.42857141632653095, 0.07142856938775516, 0.0],
                [0.2142856989795929, 0.2857142653061239, 0.0]]),
    (1.0, np.inf, [[0.24999997916666838, -0.33333330555555785, 0.9999999166666735],
                   [0.9999999500000026, 0.4999999750000013, -0.9999999500000026],
                   [0.1, 0.1, 0.1], [-0.9999999666666679, 0.1666666611111113, 0.0],
                   [0.6, 0.8, 0.0]]),
])
def test_embedding_max_norm_renormalises_rows_as_torch(max_norm, norm_type, weight) -> None:
    emb = nn.Embedding.from_pretrained(np.array(_W0), freeze=False, max_norm=max_norm,
                                       norm_type=norm_type)
    y = emb(_IDX)
    (y * ag.tensor(np.arange(18.0).reshape(2, 3, 3))).sum().backward()
    np.testing.assert_allclose(emb.weight.detach().numpy(), weight, rtol=1e-12)
    np.testing.assert_allclose(y.detach().numpy(), np.array(weight)[_IDX], rtol=1e-12)
    np.testing.assert_allclose(emb.weight.grad.numpy(), _GRAD, rtol=1e-12)


def test_embedding_scale_grad_by_freq_divides_by_counts_as_torch() -> None:
    emb = nn.Embedding.from_pretrained(np.array(_W0), freeze=False, scale_grad_by_freq=True,
                                       padding_idx=4)
    (emb(_IDX) * ag.tensor(np.arange(18.0).reshape(2, 3, 3))).sum().backward()
    np.testing.assert_allclose(emb.weight.grad.numpy(),
                               [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [0.0, 0.0, 0.0],
                                [9.0, 10.0, 11.0], [0.0, 0.0, 0.0]], rtol=1e-12)


def test_batch_norm_errors_have_torchs_classes() -> None:
    with pytest.raises(RuntimeError):  # torch: running_mean should contain 3 elements not 4
        nn.BatchNorm1d(4)(ag.zeros(5, 3))
    with pytest.raises(RuntimeError):
        F.batch_norm(ag.zeros(5, 3), None, None, training=False)


# -- attention: a query whose keys are all masked attends to nothing (torch's _safe_softmax) --
@pytest.mark.parametrize("form", ["bool", "float-inf", "float-inf-requires-grad"])
def test_sdpa_fully_masked_query_gives_zeros_as_torch(form: str) -> None:
    from tests.nn.reference import draw, probe
    q, k, v = (ag.tensor(draw(s, "normal", i), requires_grad=True)
               for i, s in enumerate([(2, 3, 4), (2, 5, 4), (2, 5, 3)]))
    keep = np.ones((3, 5), bool)
    keep[1] = False  # query 1 sees no key
    keep[2, :3] = False
    mask = ag.tensor(keep) if form == "bool" else ag.tensor(np.where(keep, 0.0, -np.inf),
                                                            requires_grad=form.endswith("grad"))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    p = probe(tuple(out.shape))
    (out * ag.tensor(p)).sum().backward()
    assert np.all(out.detach().numpy()[:, 1] == 0)
    np.testing.assert_allclose(float((out.detach().numpy() * p).sum()), 1.3861213921206992,
                               rtol=1e-12)
    got = [float((t.grad.numpy() * probe(tuple(t.shape), 1.1)).sum()) for t in (q, k, v)]
    np.testing.assert_allclose(got, [-0.6903069817557799, -0.00519319886961974,
                                     0.6880191576111159], rtol=1e-10)


def test_interpolate_checks_the_size_length_before_the_mode_as_torch() -> None:
    x = ag.zeros(2, 3, 5)
    for mode in ("bilinear", "bicubic", "trilinear"):
        with pytest.raises(ValueError, match="same number of spatial dimensions"):
            F.interpolate(x, size=(3, 2), mode=mode)
        with pytest.raises(NotImplementedError):  # a plain int size: the mode's rank check
            F.interpolate(x, size=3, mode=mode)


def test_one_hot_of_an_empty_tensor_needs_num_classes_as_torch() -> None:
    with pytest.raises(RuntimeError):
        F.one_hot(ag.tensor(np.zeros(0, np.int64)))
    assert F.one_hot(ag.tensor(np.zeros(0, np.int64)), 4).shape == (0, 4)


# -- Module API ---------------------------------------------------------------------------------
def test_norm_layers_take_torchs_bias_flag_and_show_it() -> None:
    bn = nn.BatchNorm1d(3, bias=False)  # torch 2.13: a learned scale, no shift
    assert [k for k, _ in bn.named_parameters()] == ["weight"]
    assert list(bn.state_dict()) == ["weight", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert repr(bn) == ("BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, "
                        "track_running_stats=True)")
    x = np.random.default_rng(0).standard_normal((4, 3))
    bn.double().load_state_dict({"weight": np.array([1.0, 2.0, 3.0])}, strict=False)
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(bn(ag.tensor(x)).detach().numpy(), want, rtol=1e-12)
    assert repr(nn.BatchNorm2d(4, momentum=None, affine=False)) == (
        "BatchNorm2d(4, eps=1e-05, momentum=None, affine=False, bias=False, "
        "track_running_stats=True)")
    gn = nn.GroupNorm(2, 4, bias=False)
    assert [k for k, _ in gn.named_parameters()] == ["weight"]
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=False)"
    assert repr(nn.LayerNorm((3, 4), eps=1e-3)) == (
        "LayerNorm((3, 4), eps=0.001, elementwise_affine=True, bias=True)")


def test_registering_over_another_attribute_raises_keyerror_as_torch() -> None:
    m = nn.Module()
    m.a = nn.Linear(2, 2)
    m.w = nn.Parameter(ag.zeros(2))
    with pytest.raises(KeyError):
        m.register_buffer("a", None)  # used to drop the submodule silently
    with pytest.raises(KeyError):
        m.add_module("w", nn.ReLU())
    with pytest.raises(KeyError):
        m.register_parameter("training", None)
    assert [k for k, _ in m.named_parameters()] == ["w", "a.weight", "a.bias"]
    m.register_buffer("b", ag.zeros(1))
    m.register_buffer("b", ag.ones(1))  # re-registering the same kind is fine


def test_sequential_and_modulelist_pop_add_mul_as_torch() -> None:
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Tanh()
    s = nn.Sequential(a, b, c)
    assert s.pop(1) is b and [k for k, _ in s.named_children()] == ["0", "1"]
    t = s + nn.Sequential(b)
    assert list(t) == [a, c, b] and isinstance(t, nn.Sequential)
    r = s * 2
    assert list(r) == [a, c, a, c] and [k for k, _ in r.named_parameters()] == [
        "0.weight", "0.bias"]  # the same Linear twice: its parameters once
    assert list(2 * s) == list(r)
    s += nn.Sequential(b)
    assert list(s) == [a, c, b]
    with pytest.raises(ValueError):
        s + [b]
    ml = nn.ModuleList([a, b, c])
    assert ml.pop(0) is a and list(ml) == [b, c]
    assert [k for k, _ in ml.named_children()] == ["0", "1"]


# -- torch's layers the audit added (they raised AttributeError before) ------------------------
_ADDED = {  # name: (module, input shape, torch's (shape, Σ probe·y, input grad, param grads))
    "MaxPool1d": (lambda: nn.MaxPool1d(3, 2, 1, dilation=2, ceil_mode=True), (2, 3, 9),
                  ((2, 3, 4), 4.579637253105272, -2.8869249331237032, [])),
    "MaxPool1d_unbatched": (lambda: nn.MaxPool1d(2), (3, 7),
                            ((3, 3), 1.2842989788713386, 0.25617167861768375, [])),
    "AvgPool1d": (lambda: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False),
                  (2, 3, 8), ((2, 3, 5), -4.3327929571938, -0.6869145931652751, [])),
    "PReLU": (lambda: nn.PReLU(3, init=0.1), (2, 3, 4),
              ((2, 3, 4), 2.3165029276974254, 5.751851651613666, [2.5666455438230784])),
    "Bilinear": (lambda: nn.Bilinear(4, 4, 3), (3, 4),
                 ((3, 3), 4.746643934158192, 6.2060981260665695,
                  [2.2043057006021645, -0.005100092840088947])),
    "GLU": (lambda: nn.GLU(1), (2, 4, 3), ((2, 2, 3), -0.9067896675025066, 1.5603001871805924,
                                           [])),
    "Softmin": (lambda: nn.Softmin(1), (3, 4),
                ((3, 4), 0.2396851976963691, -0.8183050091540449, [])),
    "Hardshrink": (lambda: nn.Hardshrink(0.3), (3, 4),
                   ((3, 4), -1.847508016192994, 2.386901966099449, [])),
    "Softshrink": (lambda: nn.Softshrink(0.3), (3, 4),
                   ((3, 4), -1.2274845989477727, 2.386901966099449, [])),
    "Threshold": (lambda: nn.Threshold(0.1, 2.0), (3, 4),
                  ((3, 4), 3.4419938471611915, 1.694401196875047, [])),
    "Softmax2d": (lambda: nn.Softmax2d(), (2, 3, 2, 2),
                  ((2, 3, 2, 2), 0.03574886657648074, 1.9286260567262479, [])),
    "Unflatten": (lambda: nn.Unflatten(1, (2, 3)), (2, 6),
                  ((2, 2, 3), -1.882135528989721, 3.5516314314590134, [])),
}


@pytest.mark.parametrize("name", sorted(_ADDED))
def test_added_layers_match_torch(name: str) -> None:
    make, shape, want = _ADDED[name]
    call = (lambda m, x: m(x, x * 0.5 + 1)) if name == "Bilinear" else None
    shape_got, value, gx, gparams = _module_numbers(make(), shape, call)
    assert shape_got == want[0]
    np.testing.assert_allclose([value, gx, *gparams], [want[1], want[2], *want[3]], rtol=1e-10)


def test_prelu_at_zero_has_torchs_one_sided_derivatives() -> None:
    x = ag.tensor(np.array([[0.0, -1.0, 2.0]]), requires_grad=True)
    w = ag.tensor(np.array([0.3]), requires_grad=True)
    gx, gw = ag.grad(F.prelu(x, w).sum(), [x, w], create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), [[0.3, 0.3, 1.0]])  # the slope at 0
    np.testing.assert_allclose(gw.detach().numpy(), [-1.0])
    ggx, ggw = ag.grad((gx * ag.tensor(np.array([[1.0, 2.0, 3.0]]))).sum() + gw.sum(), [x, w])
    # torch's double backward masks x >= 0: no second-order term at x = 0
    np.testing.assert_allclose(ggx.numpy(), [[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(ggw.numpy(), [2.0])
