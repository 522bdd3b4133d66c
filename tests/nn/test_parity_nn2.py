"""Round-2 torch-parity regressions for ``nn`` (values computed once with torch 2.13 and
written in; torch is never imported here)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

# torch 2.13: (loss, d/d input, d/d weight) for input [[1, 2], [3, 5]], target
# [[0.5, -1], [2, 7]], weight [[1, 2], [3, 4]] (float64). Weighted l1/mse 'mean' is
# Σw·ℓ / Σw; weighted huber 'mean' is the plain mean of w·ℓ.
_WEIGHTED = {
    ("l1_loss", "mean"): (1.75, [[0.1, 0.2], [0.3, -0.4]],
                          [[-0.125, 0.125], [-0.075, 0.025]]),
    ("l1_loss", "sum"): (17.5, [[1.0, 2.0], [3.0, -4.0]], [[0.5, 3.0], [1.0, 2.0]]),
    ("mse_loss", "mean"): (3.725, [[0.1, 1.2], [0.6, -1.6]],
                           [[-0.3475, 0.5275], [-0.2725, 0.0275]]),
    ("mse_loss", "sum"): (37.25, [[1.0, 12.0], [6.0, -16.0]], [[0.25, 9.0], [1.0, 4.0]]),
    ("huber_loss", "mean"): (3.15625, [[0.125, 0.5], [0.75, -1.0]],
                             [[0.03125, 0.625], [0.125, 0.375]]),
    ("huber_loss", "sum"): (12.625, [[0.5, 2.0], [3.0, -4.0]], [[0.125, 2.5], [0.5, 1.5]]),
}


@pytest.mark.parametrize("name,reduction", sorted(_WEIGHTED))
def test_weighted_pointwise_losses_reduce_as_torch(name: str, reduction: str) -> None:
    value, grad_x, grad_w = _WEIGHTED[name, reduction]
    x = ag.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=ag.float64, requires_grad=True)
    t = ag.tensor([[0.5, -1.0], [2.0, 7.0]], dtype=ag.float64)
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    loss = getattr(F, name)(x, t, reduction=reduction, weight=w)
    loss.backward()
    np.testing.assert_allclose(loss.item(), value, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), grad_x, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(w.grad.numpy(), grad_w, rtol=1e-12, atol=1e-15)


def test_mse_loss_weight_must_have_the_input_shape() -> None:
    x = ag.zeros(2, 3)
    with pytest.raises(ValueError, match="same size"):
        F.mse_loss(x, x, weight=ag.ones(3))


@pytest.mark.parametrize("shape", [(4,), (2, 4)])
def test_cross_entropy_all_ignored_with_weight_and_smoothing_has_zero_gradient(shape) -> None:
    # torch 2.13: loss NaN, gradient 0 (it was NaN here: 0/0 in the smoothing term's mean)
    x = ag.tensor(np.arange(np.prod(shape)).reshape(shape) / 3.0, requires_grad=True)
    t = ag.tensor(1) if len(shape) == 1 else ag.tensor([1] * shape[0])
    with np.errstate(all="ignore"):
        loss = F.cross_entropy(x, t, weight=ag.tensor([1.0, 2.0, 3.0, 4.0]), ignore_index=1,
                               label_smoothing=0.2)
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(shape))


def test_cross_entropy_label_smoothing_out_of_range_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 1]), label_smoothing=1.5)


# torch 2.13, F.interpolate(arange(5) shaped (1, 1, [1, [1,]] 5), scale_factor=s, 'nearest'):
# its 1-D and 3-D kernels map o to ⌊o/s⌋ even where ⌊5s⌋ is 5 or 10; its 2-D kernel copies
# or halves there (nearest_idx's shortcuts)
_NEAREST = {
    (1, 1.1): [0, 0, 1, 2, 3], (1, 2.1): [0, 0, 0, 1, 1, 2, 2, 3, 3, 4],
    (3, 1.1): [0, 0, 1, 2, 3], (3, 2.1): [0, 0, 0, 1, 1, 2, 2, 3, 3, 4],
    (2, 1.1): [0, 1, 2, 3, 4], (2, 2.1): [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
}


@pytest.mark.parametrize("nd,scale", sorted(_NEAREST))
def test_interpolate_nearest_with_a_scale_factor_maps_rows_as_torch(nd: int, scale: float
                                                                   ) -> None:
    x = ag.tensor(np.arange(5.0).reshape((1, 1) + (1,) * (nd - 1) + (5,)), requires_grad=True)
    y = F.interpolate(x, scale_factor=(1.0,) * (nd - 1) + (scale,), mode="nearest")
    np.testing.assert_array_equal(y.detach().numpy().reshape(-1), _NEAREST[nd, scale])
    # the gradient is this forward's own VJP: each output's weight lands on its source row
    w = np.arange(1.0, y.numel() + 1)
    (y * ag.tensor(w.reshape(y.shape))).sum().backward()
    expect = np.zeros(5)
    np.add.at(expect, _NEAREST[nd, scale], w)
    np.testing.assert_array_equal(x.grad.numpy().reshape(-1), expect)


def test_pairwise_distance_inf_splits_the_gradient_between_ties_as_torch() -> None:
    # torch 2.13: x1 == x2, p=inf: every |x1 − x2 + eps| ties at eps, gradient 1/3 each
    x = ag.tensor([[1.0, 2.0, 3.0]], dtype=ag.float64, requires_grad=True)
    y = F.pairwise_distance(x, x.detach().clone(), float("inf"))
    y.backward()
    np.testing.assert_allclose(y.item(), 1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [[1 / 3, 1 / 3, 1 / 3]], rtol=1e-12)


def test_normalize_small_p_at_zero_and_p0_as_torch() -> None:
    # torch 2.13: p=0.5 of zero rows: gradient 1/eps (the norm's gradient is 0, not NaN)
    x = ag.zeros(2, 3, dtype=ag.float64, requires_grad=True)
    F.normalize(x, 0.5).backward(ag.ones(2, 3, dtype=ag.float64))
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 1e12))
    # p=0 counts the nonzero entries (was a ValueError)
    x = ag.tensor([[1.0, -2.0, 0.0], [0.5, 3.0, 1.0]], dtype=ag.float64, requires_grad=True)
    y = F.normalize(x, 0)
    y.backward(ag.ones(2, 3, dtype=ag.float64))
    np.testing.assert_allclose(y.detach().numpy(), [[0.5, -1.0, 0.0], [1 / 6, 1.0, 1 / 3]])
    np.testing.assert_allclose(x.grad.numpy(), [[0.5] * 3, [1 / 3] * 3])


def test_load_state_dict_result_prints_as_torch() -> None:
    m = nn.Linear(3, 2)
    assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"
    sd = m.state_dict()
    sd["extra"] = sd.pop("bias")
    r = m.load_state_dict(sd, strict=False)
    assert str(r) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"
    assert r.missing_keys == ["bias"] and tuple(r) == (["bias"], ["extra"])


def test_load_state_dict_assign_puts_the_state_tensors_in_place() -> None:
    # torch 2.13: assign=True keeps the state's tensors (dtype included); a non-Parameter
    # becomes a Parameter with the old parameter's requires_grad
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    m[1].weight.requires_grad_(False)
    bias = nn.Parameter(ag.zeros(2))
    mean = ag.ones(2, dtype=ag.float64)
    sd = {"0.weight": ag.ones(2, 3, dtype=ag.float64), "0.bias": bias, "1.weight": ag.ones(2),
          "1.bias": ag.ones(2), "1.running_mean": mean, "1.running_var": ag.ones(2),
          "1.num_batches_tracked": ag.tensor(5)}
    assert repr(m.load_state_dict(sd, assign=True)) == "<All keys matched successfully>"
    assert m[0].bias is bias and m[1].running_mean is mean
    assert isinstance(m[0].weight, nn.Parameter) and m[0].weight.dtype == np.float64
    assert m[0].weight.requires_grad and not m[1].weight.requires_grad
    assert m.get_buffer("1.num_batches_tracked").item() == 5


def test_get_buffer_as_torch() -> None:
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert m.get_buffer("1.running_var").shape == (2,)
    with pytest.raises(AttributeError, match="not a buffer"):
        m.get_buffer("1.weight")
    with pytest.raises(AttributeError):
        m.get_buffer("1.nothing")


# torch 2.13: TransformerEncoder(TransformerEncoderLayer(4, 2, 8, dropout=0.0,
# batch_first=True), 2, LayerNorm(4)) in float64, every state_dict entry (in order) drawn
# as 0.5·N(0, 1) from default_rng(0), x = N(0, 1) (2, 3, 4) from default_rng(1), the last
# position of the first sequence padded. Training mode; in eval under no_grad torch's
# nested-tensor path zeroes the padded position before the final norm (its bias remains).
_ENC_TRAIN = [
    [[1.0106257396, 0.6430546367, -0.8087128524, 1.0000917424],
     [0.9960200302, 0.7767069951, -0.8141421732, 0.9999628438],
     [0.995953011, 0.7774971496, -0.8142382365, 0.999967179]],
    [[0.995133988, 0.7880564543, -0.8157391148, 1.0000415348],
     [0.9951429481, 0.7879219737, -0.8157159954, 1.0000402896],
     [0.9950399146, 0.7900121774, -0.8161657639, 1.0000661357]]]
_ENC_EVAL_PADDED = [0.8452843227, 0.3110626108, -0.7645464375, 1.0133895476]


def _encoder() -> nn.TransformerEncoder:
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2, nn.LayerNorm(4)).double()
    rng = np.random.default_rng(0)
    sd = enc.state_dict()
    enc.load_state_dict({k: rng.standard_normal(v.shape) * 0.5 if v.dtype.kind == "f" else v
                         for k, v in sd.items()})
    return enc


def test_transformer_encoder_as_torch() -> None:
    enc = _encoder()
    keys = list(enc.state_dict())
    assert keys[:2] == ["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias"]
    assert keys[-4:] == ["layers.1.norm2.weight", "layers.1.norm2.bias", "norm.weight",
                         "norm.bias"] and len(keys) == 26
    x = ag.tensor(np.random.default_rng(1).standard_normal((2, 3, 4)))
    kpm = ag.tensor([[False, False, True], [False, False, False]])
    y = enc(x, src_key_padding_mask=kpm)
    np.testing.assert_allclose(y.detach().numpy(), _ENC_TRAIN, atol=1e-9)
    enc.eval()
    with ag.no_grad():
        y = enc(x, src_key_padding_mask=kpm).numpy()
    expect = np.array(_ENC_TRAIN)
    expect[0, 2] = _ENC_EVAL_PADDED
    np.testing.assert_allclose(y, expect, atol=1e-9)
    # with grad on, torch takes the plain path: the padded position is computed
    np.testing.assert_allclose(enc(x, src_key_padding_mask=kpm).detach().numpy(), _ENC_TRAIN,
                               atol=1e-9)


def test_transformer_encoder_layers_start_as_equal_copies() -> None:
    with pytest.warns(UserWarning, match="enable_nested_tensor"):  # not batch_first, as torch
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 3)
    w = [layer.linear1.weight.detach().numpy() for layer in enc.layers]
    assert len(w) == 3 and all(np.array_equal(w[0], v) for v in w[1:])
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight


# torch 2.13 on arange(6.).reshape(1, 2, 3): (repr, output)
_PADS = {
    "ZeroPad1d((1, 2))": ("ZeroPad1d((1, 2))", [[[0.0, 0.0, 1.0, 2.0, 0.0, 0.0],
                                                 [0.0, 3.0, 4.0, 5.0, 0.0, 0.0]]]),
    "ConstantPad1d(1, 2.5)": ("ConstantPad1d(padding=(1, 1), value=2.5)",
                              [[[2.5, 0.0, 1.0, 2.0, 2.5], [2.5, 3.0, 4.0, 5.0, 2.5]]]),
    "ReflectionPad1d((2, 1))": ("ReflectionPad1d((2, 1))",
                                [[[2.0, 1.0, 0.0, 1.0, 2.0, 1.0], [5.0, 4.0, 3.0, 4.0, 5.0, 4.0]]]),
    "ReplicationPad1d((1, -1))": ("ReplicationPad1d((1, -1))",
                                  [[[0.0, 0.0, 1.0], [3.0, 3.0, 4.0]]]),
    "CircularPad1d(2)": ("CircularPad1d((2, 2))", [[[1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 1.0],
                                                    [4.0, 5.0, 3.0, 4.0, 5.0, 3.0, 4.0]]]),
}


@pytest.mark.parametrize("ctor", sorted(_PADS))
def test_padding_layers_as_torch(ctor: str) -> None:
    text, expect = _PADS[ctor]
    m = eval("nn." + ctor)
    assert repr(m) == text
    x = ag.tensor(np.arange(6.0).reshape(1, 2, 3), requires_grad=True)
    y = m(x)
    np.testing.assert_array_equal(y.detach().numpy(), expect)
    y.sum().backward()  # each input element's gradient counts its copies in the output
    copies = np.array([np.count_nonzero(np.array(expect)[0, c] == v) for c in range(2)
                       for v in np.arange(6.0).reshape(2, 3)[c]])
    if "Zero" in ctor:
        copies[0] = 1  # the fill zeros are not copies of x[0, 0, 0] = 0
    np.testing.assert_array_equal(x.grad.numpy().reshape(-1), copies)


def test_padding_layers_exist_in_three_ranks() -> None:
    for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular"):
        for n in (1, 2, 3):
            assert issubclass(getattr(nn, f"{kind}Pad{n}d"), nn.Module)
    with pytest.raises(ValueError, match="expected 3D or 4D"):
        nn.CircularPad2d(1)(ag.zeros(3, 4))
    assert nn.ZeroPad2d(1)(ag.ones(1, 2, 2)).shape == (1, 4, 4)


# torch 2.13's (loss, gradients) for each new loss on fixed float64 inputs (values in
# torch_values_margin_losses.json; the calls mirror the script that wrote them)
_A = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
_B = [[-0.5, 1.0, 0.5], [1.0, -2.0, 0.25]]
_C = [[1.0, 1.0, -1.0], [0.0, 0.5, 2.0]]


def _T(values: list) -> ag.Tensor:  # float64 like torch's default in the generating script
    a = np.asarray(values)
    return ag.tensor(a if a.dtype.kind == "i" else a.astype(np.float64))


_LOSS_CALLS = {
    "margin_ranking_loss": (lambda a, b: F.margin_ranking_loss(
        a.reshape(-1), b.reshape(-1), _T([1.0, -1, 1, -1, 1, -1]), 0.5), (_A, _B)),
    "hinge_embedding_loss": (lambda a: F.hinge_embedding_loss(
        a, _T([[1.0, -1, -1], [-1, 1, -1]]), 1.0), (_A,)),
    "soft_margin_loss": (lambda a: F.soft_margin_loss(a, _T([[1.0, -1, -1], [-1, 1, -1]])),
                         (_A,)),
    "multilabel_soft_margin_loss": (lambda a: F.multilabel_soft_margin_loss(
        a, _T([[1.0, 0, 1], [0, 0, 1]]), _T([1.0, 2, 0.5])), (_A,)),
    "multi_margin_loss": (lambda a: F.multi_margin_loss(a, _T([2, 0]), 2, 1.0,
                                                        _T([1.0, 2, 0.5])), (_A,)),
    "cosine_embedding_loss": (lambda a, b: F.cosine_embedding_loss(a, b, _T([1.0, -1.0]), 0.1),
                              (_A, _B)),
    "triplet_margin_loss": (lambda a, b, c: F.triplet_margin_loss(a, b, c, 2.0, swap=True),
                            (_A, _B, _C)),
    "poisson_nll_loss": (lambda a: F.poisson_nll_loss(a, _T([[0.0, 2, 3], [1, 4, 0]]),
                                                      full=True), (_A,)),
    "gaussian_nll_loss": (lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=True),
                          (_A, _B, [0.5, 1e-9])),
}


@pytest.mark.parametrize("name", sorted(_LOSS_CALLS))
def test_margin_and_likelihood_losses_as_torch(name: str) -> None:
    import json
    from pathlib import Path

    expect = json.loads((Path(__file__).parent / "torch_values_margin_losses.json").read_text())
    fn, args = _LOSS_CALLS[name]
    xs = [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in args]
    loss = fn(*xs)
    loss.backward()
    np.testing.assert_allclose(loss.item(), expect[name][0], rtol=1e-12)
    for x, g in zip(xs, expect[name][1:]):
        np.testing.assert_allclose(x.grad.numpy(), g, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 2, 2)])
def test_init_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape) -> None:
    w = ag.zeros(*shape)
    assert nn.init.orthogonal_(w, gain=2.0) is w
    m = w.numpy().reshape(shape[0], -1).astype(np.float64)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(min(m.shape)), atol=1e-5)


def test_init_dirac_eye_sparse_as_torch() -> None:
    w = ag.zeros(6, 4, 3, 3)
    nn.init.dirac_(w, groups=2)  # torch 2.13: ones at (g·3 + d, d, 1, 1) for d < 3
    ones = np.argwhere(w.numpy() == 1).tolist()
    assert ones == [[0, 0, 1, 1], [1, 1, 1, 1], [2, 2, 1, 1], [3, 0, 1, 1], [4, 1, 1, 1],
                    [5, 2, 1, 1]] and w.numpy().sum() == 6
    e = ag.zeros(3, 5)
    nn.init.eye_(e)
    np.testing.assert_array_equal(e.numpy(), np.eye(3, 5))
    s = ag.zeros(10, 6)
    nn.init.sparse_(s, 0.35)  # ⌈0.35·10⌉ = 4 zeros per column
    np.testing.assert_array_equal((s.numpy() == 0).sum(0), [4] * 6)
    for fn, args in ((nn.init.orthogonal_, (ag.zeros(3),)), (nn.init.eye_, (ag.zeros(2, 2, 2),)),
                     (nn.init.dirac_, (ag.zeros(3, 3),)), (nn.init.sparse_, (ag.zeros(3), 0.1))):
        with pytest.raises(ValueError):
            fn(*args)


def test_transformer_as_torch() -> None:
    # torch 2.13 (values in torch_values_transformer.json): Transformer(4, 2, 1, 2, 8,
    # dropout=0.0, batch_first=True) in float64, every state_dict entry 0.5·N(0, 1) from
    # default_rng(0); src (2, 3, 4) from default_rng(1), tgt (2, 2, 4) from default_rng(2);
    # a causal tgt_mask, the last source position of the first sample padded; the
    # gradients are those of Σ y²
    import json
    from pathlib import Path

    expect = json.loads((Path(__file__).parent / "torch_values_transformer.json").read_text())
    t = nn.Transformer(4, 2, 1, 2, 8, dropout=0.0, batch_first=True).double()
    assert list(t.state_dict()) == expect["keys"]
    rng = np.random.default_rng(0)
    t.load_state_dict({k: rng.standard_normal(v.shape) * 0.5 for k, v in t.state_dict().items()})
    src = ag.tensor(np.random.default_rng(1).standard_normal((2, 3, 4)), requires_grad=True)
    tgt = ag.tensor(np.random.default_rng(2).standard_normal((2, 2, 4)), requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(2, dtype=ag.float64)
    kpm = ag.tensor([[False, False, True], [False, False, False]])
    y = t(src, tgt, tgt_mask=mask, src_key_padding_mask=kpm, memory_key_padding_mask=kpm)
    (y ** 2).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), expect["y"], atol=1e-10)
    np.testing.assert_allclose(src.grad.numpy(), expect["gsrc"], atol=1e-9)
    np.testing.assert_allclose(tgt.grad.numpy(), expect["gtgt"], atol=1e-9)
    np.testing.assert_array_equal(mask.numpy(), [[0.0, -np.inf], [0.0, 0.0]])
    with pytest.raises(RuntimeError, match="batch number"):
        t(src, tgt[:1])


def test_instance_norm_lrn_rms_norm_as_torch() -> None:
    # torch 2.13 (torch_values_norms.json): x (2, 3, 4) from default_rng(3) in float64;
    # InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.3) with weight
    # [1, 2, −0.5], bias [0.1, 0, 0.3], one training step (gradient of Σ y·arange(24)),
    # then eval; LocalResponseNorm(3, 0.1, 0.6, 1.5) and RMSNorm(4) of x
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_norms.json").read_text())
    x = ag.tensor(np.random.default_rng(3).standard_normal((2, 3, 4)), requires_grad=True)
    m = nn.InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.3).double()
    m.load_state_dict({"weight": np.array([1.0, 2.0, -0.5]), "bias": np.array([0.1, 0.0, 0.3]),
                       "running_mean": np.zeros(3), "running_var": np.ones(3),
                       "num_batches_tracked": np.array(0)})
    y = m(x)
    (y * ag.arange(24.0, dtype=ag.float64).reshape(2, 3, 4)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), e["y"], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), e["gx"], atol=1e-10)
    np.testing.assert_allclose(m.weight.grad.numpy(), e["gw"], atol=1e-10)
    np.testing.assert_allclose(m.running_mean.numpy(), e["rm"], atol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(), e["rv"], atol=1e-12)
    assert m.num_batches_tracked.item() == e["nbt"] == 0
    m.eval()
    np.testing.assert_allclose(m(x.detach()).detach().numpy(), e["ye"], atol=1e-12)
    lrn = nn.LocalResponseNorm(3, 0.1, 0.6, 1.5)(x.detach())
    np.testing.assert_allclose(lrn.numpy(), e["lrn"], atol=1e-12)
    np.testing.assert_allclose(nn.RMSNorm(4).double()(x.detach()).detach().numpy(), e["rms"],
                               atol=1e-12)
    assert repr(nn.InstanceNorm2d(3)) == ("InstanceNorm2d(3, eps=1e-05, momentum=0.1, "
                                          "affine=False, bias=False, track_running_stats=False)")
    assert repr(nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"


@pytest.mark.parametrize("name,shape", [("dropout1d", (400, 8, 3)), ("dropout1d", (8, 3)),
                                        ("dropout2d", (400, 8, 2, 2)),
                                        ("dropout3d", (8, 2, 2, 2)),
                                        ("feature_alpha_dropout", (400, 8, 3)),
                                        ("alpha_dropout", (400, 8, 3))])
def test_channel_and_alpha_dropout_as_torch(name: str, shape: tuple) -> None:
    # torch 2.13 on ones with p=0.3: channel dropouts keep or zero whole (sample, channel)
    # maps, survivors 1/0.7; alpha dropouts take exactly two values, a + αap for kept
    # units and −αa + αap for dropped ones (a = 1/√((α²p + 1)(1 − p)), α = 1.7580993408…)
    ag.manual_seed(0)
    y = getattr(F, name)(ag.ones(*shape, dtype=ag.float64), 0.3, True).numpy()
    alpha = "alpha" in name
    np.testing.assert_allclose(np.unique(y), [-1.05954816, 1.31504468] if alpha
                               else [0.0, 1 / 0.7], rtol=1e-8)
    if name != "alpha_dropout":
        rows = y.reshape(-1, shape[-1]) if len(shape) == 2 else y.reshape(
            shape[0], shape[1], -1)
        assert (rows == rows[..., :1]).all()  # each channel wholly kept or dropped
    kept = np.mean(y > 0)
    assert abs(kept - 0.7) < 0.08
    np.testing.assert_array_equal(getattr(F, name)(ag.ones(*shape), 0.3, False).numpy(), 1)


def test_dropout1d_refuses_4d_and_the_layers_print_as_torch() -> None:
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(ag.ones(2, 3, 4, 5))
    assert repr(nn.Dropout2d()) == "Dropout2d(p=0.5, inplace=False)"
    assert repr(nn.FeatureAlphaDropout(0.3, True)) == "FeatureAlphaDropout(p=0.3, inplace=True)"
    m = nn.Dropout2d(0.5).eval()
    x = ag.ones(2, 3, 2, 2)
    assert m(x) is x


def test_shuffles_unfold_fold_unpool_lp_pool_as_torch() -> None:
    # torch 2.13 (torch_values_rearrange.json), the same calls on the same float64 inputs
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_rearrange.json").read_text())
    x = ag.arange(16.0, dtype=ag.float64).reshape(1, 4, 2, 2)
    np.testing.assert_array_equal(F.pixel_shuffle(x, 2).numpy(), e["pixel_shuffle"])
    np.testing.assert_array_equal(F.pixel_unshuffle(x.reshape(1, 1, 4, 4), 2).numpy(),
                                  e["pixel_unshuffle"])
    np.testing.assert_array_equal(F.channel_shuffle(x, 2).numpy(), e["channel_shuffle"])
    im = ag.arange(24.0, dtype=ag.float64).reshape(1, 2, 3, 4)
    np.testing.assert_array_equal(F.unfold(im, 2, padding=1, stride=2).numpy(), e["unfold"])
    cols = ag.arange(24.0, dtype=ag.float64).reshape(1, 4, 6)
    np.testing.assert_array_equal(F.fold(cols, (3, 4), 2).numpy(), e["fold"])
    img = ag.tensor([[[[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 2, 9, 7], [6, 1, 3, 4]]]],
                    dtype=ag.float64)
    y, i = F.max_pool2d(img, 2, return_indices=True)
    np.testing.assert_array_equal(F.max_unpool2d(y, i, 2, output_size=(5, 5)).numpy(),
                                  e["max_unpool2d"])
    z = ag.tensor([[[1.0, -2.0, 3.0, 0.5, 2.0]]], dtype=ag.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):  # a negative window's cube root is NaN, as torch's
        lp = F.lp_pool1d(z, 3, 2, 1)
        lp.sum().backward()
    np.testing.assert_allclose(lp.detach().numpy(), e["lp_pool1d"][0], rtol=1e-12)
    np.testing.assert_allclose(z.grad.numpy(), e["lp_pool1d"][1], rtol=1e-12)
    assert repr(nn.MaxUnpool2d(2)) == ("MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), "
                                       "padding=(0, 0))")
    assert repr(nn.Fold((4, 5), 2)) == ("Fold(output_size=(4, 5), kernel_size=2, dilation=1, "
                                        "padding=0, stride=1)")


def test_inplace_activations_pdist_rrelu_as_torch() -> None:
    # torch 2.13: elu_ writes into its argument (the same object back) and differentiates
    x = ag.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]], dtype=ag.float64, requires_grad=True)
    y = x * 1.5
    r = F.elu_(y, 0.5)
    assert r is y
    np.testing.assert_allclose(y.detach().numpy(), [[1.5, -0.475106465816068, 0.75],
                                                    [0.0, 4.5, -0.3884349199257851]])
    r.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1.5, 0.037340301275897964, 1.5],
                                                [0.75, 1.5, 0.16734762011132234]])
    with pytest.raises(RuntimeError):  # a leaf that requires grad, as torch
        F.relu_(ag.ones(2, requires_grad=True))
    p = ag.tensor([[0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [3.0, -1.0, 0.5]], dtype=ag.float64,
                  requires_grad=True)
    d = F.pdist(p)
    d.sum().backward()
    np.testing.assert_allclose(d.detach().numpy(), [0.0, 3.905124837953327, 3.905124837953327])
    g = [-0.7682212795973759, 0.5121475197315839, 0.3841106397986879]
    np.testing.assert_allclose(p.grad.numpy(), [g, g, [-2 * v for v in g]])
    np.testing.assert_allclose(F.rrelu(ag.tensor([-1.0, 2.0]), 0.1, 0.3).numpy(), [-0.2, 2.0])
    assert repr(nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"
    ag.manual_seed(0)
    s = F.gumbel_softmax(ag.zeros(3, 5), 0.5, hard=True).numpy()
    np.testing.assert_array_equal(s.sum(1), [1, 1, 1])
    assert set(np.unique(s)) == {0.0, 1.0}


@pytest.mark.parametrize("kw", [dict(padding="same", stride=2), dict(padding="foo"),
                                dict(padding=-1), dict(stride=0), dict(dilation=0),
                                dict(padding=(1, 2, 3))])
def test_bad_convolution_arguments_are_torchs_runtime_error(kw: dict) -> None:
    # torch 2.13's F.conv2d raises RuntimeError for each (its modules ValueError: both)
    with pytest.raises(RuntimeError):
        F.conv2d(ag.ones(1, 2, 5, 5), ag.ones(3, 2, 3, 3), **kw)
    with pytest.raises(ValueError):
        F.conv2d(ag.ones(1, 2, 5, 5), ag.ones(3, 2, 3, 3), **kw)


def test_small_torch_names_round_2() -> None:
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == (
        "RNNCell(3, 4, bias=False, nonlinearity=relu)")
    y = nn.AdaptiveAvgPool3d((2, None, 1))(ag.ones(1, 2, 4, 3, 5))
    assert y.shape == (1, 2, 2, 3, 1)
    with pytest.warns(FutureWarning, match="deprecated in favor of `nn.init.normal_`"):
        nn.init.normal(ag.zeros(2, 2))


def test_lstm_proj_size_as_torch() -> None:
    # torch 2.13 (torch_values_lstm_proj.json): LSTM(3, 4, num_layers=2, bidirectional=True,
    # proj_size=2, batch_first=True) in float64, each state_dict entry 0.5·N(0, 1) from
    # default_rng(0); x (2, 3, 3), h0 (4, 2, 2), c0 (4, 2, 4) from default_rng(1, 2, 3);
    # gradients of Σy + Σh² + Σc (was NotImplementedError)
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_lstm_proj.json").read_text())
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, batch_first=True).double()
    sd = m.state_dict()
    assert list(sd) == e["keys"] and [list(v.shape) for v in sd.values()] == e["shapes"]
    rng = np.random.default_rng(0)
    m.load_state_dict({k: rng.standard_normal(v.shape) * 0.5 for k, v in sd.items()})
    x = ag.tensor(np.random.default_rng(1).standard_normal((2, 3, 3)), requires_grad=True)
    h0 = ag.tensor(np.random.default_rng(2).standard_normal((4, 2, 2)))
    c0 = ag.tensor(np.random.default_rng(3).standard_normal((4, 2, 4)))
    y, (h, c) = m(x, (h0, c0))
    (y.sum() + (h ** 2).sum() + c.sum()).backward()
    for got, key in ((y, "y"), (h, "h"), (c, "c")):
        np.testing.assert_allclose(got.detach().numpy(), e[key], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), e["gx"], atol=1e-10)
    np.testing.assert_allclose(m.weight_hr_l1_reverse.grad.numpy(), e["gw"], atol=1e-10)
    assert repr(m) == "LSTM(3, 4, proj_size=2, num_layers=2, batch_first=True, bidirectional=True)"
    with pytest.raises(ValueError, match="smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)


def _net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 1)))


def test_state_dict_hooks_run_as_torchs_recursion() -> None:
    m, log = _net(), []
    for mod in (m, m[0], m[1], m[1][0]):
        mod.register_state_dict_pre_hook(lambda mod, prefix, kv: log.append(("pre", prefix)))
        mod.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta: log.append(("post", prefix, len(sd))))
    m.state_dict(prefix="x.")
    # torch 2.13's order
    assert log == [("pre", "x."), ("pre", "x.0."), ("post", "x.0.", 2), ("pre", "x.1."),
                   ("pre", "x.1.0."), ("post", "x.1.0.", 4), ("post", "x.1.", 4),
                   ("post", "x.", 4)]


def test_load_state_dict_hooks_rename_and_forgive_as_torch() -> None:
    m = _net()

    def rename(mod, sd, prefix, meta, strict, missing, unexpected, errors) -> None:
        if prefix + "old" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "old")

    m[0].register_load_state_dict_pre_hook(rename)
    sd = _net().state_dict()
    sd["0.old"] = sd.pop("0.weight")
    assert repr(m.load_state_dict(sd)) == "<All keys matched successfully>"
    assert "0.old" in sd  # the hooks edit a copy
    np.testing.assert_array_equal(m[0].weight.detach().numpy(), sd["0.old"])
    del sd["0.bias"]
    handle = m.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
    assert repr(m.load_state_dict(sd)) == "<All keys matched successfully>"
    handle.remove()
    with pytest.raises(RuntimeError, match="Missing key"):
        m.load_state_dict(sd)


def test_extra_state_is_saved_and_loaded_as_torch() -> None:
    class WithExtra(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.v = 3
            self.lin = nn.Linear(1, 1)

        def get_extra_state(self) -> dict:
            return {"v": self.v}

        def set_extra_state(self, state: dict) -> None:
            self.v = state["v"]

    m = nn.Sequential(WithExtra(), WithExtra())
    m[1].v = 7
    sd = m.state_dict()
    assert list(sd) == ["0._extra_state", "0.lin.weight", "0.lin.bias", "1._extra_state",
                        "1.lin.weight", "1.lin.bias"]  # torch 2.13's keys and order
    m2 = nn.Sequential(WithExtra(), WithExtra())
    m2[0].v = 0
    m2.load_state_dict(sd)
    assert (m2[0].v, m2[1].v) == (3, 7)
    del sd["1._extra_state"]
    assert m2.load_state_dict(sd, strict=False).missing_keys == ["1._extra_state"]


def test_set_submodule_type_share_memory_as_torch() -> None:
    m = _net()
    m.set_submodule("1.0", nn.ReLU())
    assert isinstance(m[1][0], nn.ReLU)
    with pytest.raises(AttributeError):
        m.set_submodule("1.9.x", nn.ReLU())
    assert m.type(ag.float64) is m and m[0].weight.dtype == np.float64
    assert m.share_memory() is m
    assert m.compile() is None


def test_reprs_users_print_as_torch() -> None:
    # torch 2.13's text
    assert repr(nn.MultiheadAttention(4, 2)) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, "
        "out_features=4, bias=True)\n)")
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss()"
    assert repr(nn.ParameterList([nn.Parameter(ag.zeros(2)), nn.Parameter(ag.zeros(2, 3))])) == (
        "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2]\n"
        "    (1): Parameter containing: [torch.float32 of size 2x3]\n)")
    assert repr(nn.ParameterDict({"a": nn.Parameter(ag.zeros(2, dtype=ag.float64))})) == (
        "ParameterDict(  (a): Parameter containing: [torch.DoubleTensor of size 2])")


def test_multilabel_margin_and_triplet_with_distance_losses_as_torch() -> None:
    # torch 2.13: targets read up to the first −1; a class listed twice counts twice
    x = ag.tensor([[0.1, 0.2, 0.4, 0.8], [1.0, -0.5, 0.3, 0.0]], dtype=ag.float64,
                  requires_grad=True)
    loss = F.multilabel_margin_loss(x, ag.tensor([[3, 0, -1, 1], [1, 1, -1, 0]]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1.8750000000000002, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), [[-0.25, 0.25, 0.25, -0.25],
                                                [0.25, -0.75, 0.25, 0.25]], rtol=1e-12)
    m = nn.TripletMarginWithDistanceLoss()
    assert repr(m) == "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"
    a = ag.tensor([[0.0, 1.0]], dtype=ag.float64)
    p = ag.tensor([[0.0, 2.0]], dtype=ag.float64)
    n = ag.tensor([[3.0, 1.0]], dtype=ag.float64)
    # max(0, 1 + ‖a − p + eps‖ − ‖a − n + eps‖) = 0; with margin 3: 3 + 1 − 3 (eps aside)
    np.testing.assert_allclose(nn.TripletMarginWithDistanceLoss(margin=3.0)(a, p, n).item(),
                               1.0, atol=1e-5)


def test_embedding_bag_as_torch() -> None:
    # torch 2.13: weight arange(15)/4 as (5, 3), 1-D ids with offsets (an empty bag), a
    # padding index left out, per-sample weights; gradients of Σ y·arange(12)
    w = ag.tensor(np.arange(15.0).reshape(5, 3) / 4, requires_grad=True)
    p = ag.tensor([1.0, 2, 3, 4, 5, 6, 7], dtype=ag.float64, requires_grad=True)
    ids, offsets = ag.tensor([1, 2, 4, 0, 4, 3, 2]), ag.tensor([0, 2, 2, 5])
    y = F.embedding_bag(ids, w, offsets, mode="sum", per_sample_weights=p, padding_idx=0)
    (y * ag.arange(12.0, dtype=ag.float64).reshape(4, 3)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), [[3.75, 4.5, 5.25], [0.0, 0.0, 0.0],
                                                    [24.0, 26.0, 28.0], [24.0, 27.25, 30.5]])
    np.testing.assert_allclose(w.grad.numpy(), [[0, 0, 0], [0, 1, 2], [63, 72, 81],
                                                [54, 60, 66], [48, 56, 64]])
    np.testing.assert_allclose(p.grad.numpy(), [3.5, 5.75, 68.75, 0.0, 68.75, 75.5, 53.0])
    with ag.no_grad():
        np.testing.assert_allclose(
            F.embedding_bag(ag.tensor([[1, 2, 4], [4, 3, 0]]), w, mode="max").numpy(),
            [[3.0, 3.25, 3.5], [3.0, 3.25, 3.5]])
        np.testing.assert_allclose(
            F.embedding_bag(ids, w, offsets, mode="mean", padding_idx=2).numpy(),
            [[0.75, 1.0, 1.25], [0.0, 0.0, 0.0], [2.0, 2.25, 2.5], [2.25, 2.5, 2.75]])
    assert repr(nn.EmbeddingBag(10, 3)) == "EmbeddingBag(10, 3, mode='mean')"
    with pytest.raises(ValueError, match="offsets has to be None"):
        F.embedding_bag(ag.tensor([[1, 2]]), w, ag.tensor([0]))


def test_conv3d_as_torch() -> None:
    # torch 2.13 (torch_values_conv3d.json): F.conv3d of x (1, 2, 4, 3, 3) from
    # default_rng(0), w (2, 1, 2, 2, 2) from default_rng(1), bias [0.5, −1], stride (2, 1, 1),
    # padding (1, 0, 1), groups 2, float64; gradients of Σ y²
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_conv3d.json").read_text())
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 3, 3)), requires_grad=True)
    w = ag.tensor(np.random.default_rng(1).standard_normal((2, 1, 2, 2, 2)), requires_grad=True)
    y = F.conv3d(x, w, ag.tensor([0.5, -1.0], dtype=ag.float64), stride=(2, 1, 1),
                 padding=(1, 0, 1), groups=2)
    (y ** 2).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), e["y"], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), e["gx"], atol=1e-11)
    np.testing.assert_allclose(w.grad.numpy(), e["gw"], atol=1e-11)
    m = nn.Conv3d(2, 4, 3, padding="same", groups=2)
    assert repr(m) == ("Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=same, "
                       "groups=2)")
    assert m(ag.randn(2, 5, 4, 3)).shape == (4, 5, 4, 3)  # unbatched


def test_pool3d_as_torch() -> None:
    # torch 2.13 (torch_values_pool3d.json): x (1, 2, 3, 4, 5) from default_rng(4), float64;
    # max_pool3d(x, 2, (1, 2, 2), 1, ceil_mode=True, return_indices=True) and
    # avg_pool3d(x, (2, 3, 2), 2, 1, ceil_mode=True, count_include_pad=False); gradients of
    # Σ max² + Σ avg
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_pool3d.json").read_text())
    x = ag.tensor(np.random.default_rng(4).standard_normal((1, 2, 3, 4, 5)), requires_grad=True)
    y, i = F.max_pool3d(x, 2, (1, 2, 2), 1, 1, True, True)
    a = F.avg_pool3d(x, (2, 3, 2), 2, 1, True, False)
    ((y ** 2).sum() + a.sum()).backward()
    np.testing.assert_allclose(y.detach().numpy(), e["y"], atol=1e-12)
    np.testing.assert_array_equal(i.numpy(), e["i"])
    np.testing.assert_allclose(a.detach().numpy(), e["a"], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), e["gx"], atol=1e-11)
    assert repr(nn.MaxPool3d(2)) == ("MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, "
                                     "ceil_mode=False)")


def test_adaptive_max_pool3d_lp_pool3d_unpool3d_as_torch() -> None:
    # torch 2.13 on arange(2·3·4) shaped (1, 1, 2, 3, 4)
    x = ag.arange(24.0, dtype=ag.float64).reshape(1, 1, 2, 3, 4)
    y, i = F.adaptive_max_pool3d(x, (1, 2, None), return_indices=True)
    np.testing.assert_array_equal(y.numpy(), [[[[[16, 17, 18, 19], [20, 21, 22, 23]]]]])
    np.testing.assert_array_equal(i.numpy(), [[[[[16, 17, 18, 19], [20, 21, 22, 23]]]]])
    np.testing.assert_allclose(F.lp_pool3d(x, 1, 2).numpy(), [[[[[68, 84]]]]])
    p, j = F.max_pool3d(x, 2, return_indices=True)
    u = F.max_unpool3d(p, j, 2, output_size=(2, 3, 4))
    assert u.shape == (1, 1, 2, 3, 4) and u.numpy().sum() == 17 + 19
    assert repr(nn.MaxUnpool3d(2)) == ("MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), "
                                       "padding=(0, 0, 0))")


def test_conv_transpose3d_as_torch() -> None:
    # torch 2.13 (torch_values_conv_transpose3d.json): x (1, 2, 2, 3, 2) from
    # default_rng(5), w (2, 2, 2, 2, 3) from default_rng(6), bias [0.5, −1, 0.25, 0],
    # stride (2, 1, 2), padding (1, 0, 1), output_padding (1, 0, 0), groups 2,
    # dilation (1, 2, 1), float64; gradients of Σ y²
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_conv_transpose3d.json").read_text())
    x = ag.tensor(np.random.default_rng(5).standard_normal((1, 2, 2, 3, 2)), requires_grad=True)
    w = ag.tensor(np.random.default_rng(6).standard_normal((2, 2, 2, 2, 3)), requires_grad=True)
    y = F.conv_transpose3d(x, w, ag.tensor([0.5, -1.0, 0.25, 0.0], dtype=ag.float64),
                           stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0),
                           groups=2, dilation=(1, 2, 1))
    (y ** 2).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), e["y"], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), e["gx"], atol=1e-11)
    np.testing.assert_allclose(w.grad.numpy(), e["gw"], atol=1e-11)
    m = nn.ConvTranspose3d(2, 3, 3, 2, 1)
    assert m(ag.randn(1, 2, 3, 3, 3), output_size=(6, 6, 6)).shape == (1, 3, 6, 6, 6)


def test_interpolate_antialias_as_torch() -> None:
    # torch 2.13 (was NotImplementedError): x = arange(30)^1.5 as (1, 1, 5, 6), float64;
    # gradients of Σ bilinear-aa + Σ (bicubic-aa, align_corners)²
    x = (ag.arange(30.0, dtype=ag.float64).reshape(1, 1, 5, 6) ** 1.5).detach()
    x.requires_grad_(True)
    y = F.interpolate(x, (2, 3), mode="bilinear", antialias=True)
    z = F.interpolate(x, scale_factor=0.5, mode="bicubic", antialias=True, align_corners=True)
    (y.sum() + (z ** 2).sum()).backward()
    np.testing.assert_allclose(y.detach().numpy(), [[[[21.408113256348912, 28.28018489320367,
                                                       36.10124886965257],
                                                      [83.35029891227575, 95.1154596043254,
                                                       107.38084087202748]]]], rtol=1e-12)
    np.testing.assert_allclose(z.detach().numpy(), [[[[44.891980923366916, 57.71371272420081,
                                                       66.71324670699099],
                                                      [114.89740970073458, 134.4813064326589,
                                                       147.5166675386175]]]], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy()[0, 0, :, 0], [0.6651394551, 4.214537723,
                                                            13.5732119781, 31.9630993017,
                                                            52.1669514599], rtol=1e-9)
    with pytest.raises(ValueError, match="Anti-alias"):
        F.interpolate(x, (2, 3), mode="nearest", antialias=True)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_affine_grid_and_grid_sample_as_torch(padding_mode: str) -> None:
    # torch 2.13 (torch_values_grid_sample.json): x (1, 2, 3, 4) from default_rng(7),
    # θ [[0.9, 0.3, 0.1], [−0.2, 1.1, −0.3]], affine_grid to (1, 2, 5, 4), bilinear,
    # align_corners=False, float64; gradients of Σ y² for x and θ
    import json
    from pathlib import Path

    e = json.loads((Path(__file__).parent / "torch_values_grid_sample.json").read_text())
    e = e[padding_mode]
    x = ag.tensor(np.random.default_rng(7).standard_normal((1, 2, 3, 4)), requires_grad=True)
    t = ag.tensor([[[0.9, 0.3, 0.1], [-0.2, 1.1, -0.3]]], dtype=ag.float64, requires_grad=True)
    y = F.grid_sample(x, F.affine_grid(t, (1, 2, 5, 4), align_corners=False), "bilinear",
                      padding_mode, False)
    (y ** 2).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), e["y"], atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), e["gx"], atol=1e-11)
    np.testing.assert_allclose(t.grad.numpy(), e["gt"], atol=1e-11)
