"""Layers against straightforward NumPy references: Linear, activations, Dropout, Conv1d,
Conv2d, pooling, batch norm (training, eval, running statistics), and gradient clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# -- Linear ------------------------------------------------------------------------------------
def test_linear_matches_numpy_and_is_one_node() -> None:
    lin = nn.Linear(3, 2)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,)
    x = _rng().standard_normal((5, 3)).astype(np.float32)
    out = lin(ag.tensor(x))
    np.testing.assert_allclose(out._data, x @ lin.weight._data.T + lin.bias._data, rtol=1e-6)
    assert type(out.grad_fn).__name__ == "LinearBackward"
    assert lin(ag.tensor(x[None].repeat(4, 0))).shape == (4, 5, 2)
    nob = nn.Linear(3, 2, bias=False)
    np.testing.assert_allclose(nob(ag.tensor(x))._data, x @ nob.weight._data.T, rtol=1e-6)
    with pytest.raises(ValueError, match=r"\(5, 4\)"):
        lin(ag.zeros(5, 4))


def test_linear_gradients() -> None:
    lin = nn.Linear(3, 2)
    x = ag.randn(4, 3, requires_grad=True)
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.weight.grad._data, np.tile(x._data.sum(0), (2, 1)), rtol=1e-5)
    np.testing.assert_allclose(lin.bias.grad._data, [4, 4])
    np.testing.assert_allclose(x.grad._data, np.tile(lin.weight._data.sum(0), (4, 1)), rtol=1e-6)


# -- activations -------------------------------------------------------------------------------
def test_activation_values() -> None:
    a = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    x = ag.tensor(a)
    np.testing.assert_array_equal(nn.ReLU()(x)._data, np.maximum(a, 0))
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(x)._data, np.where(a > 0, a, 0.2 * a))
    np.testing.assert_allclose(nn.LeakyReLU()(x)._data, np.where(a > 0, a, 0.01 * a))
    np.testing.assert_allclose(nn.Tanh()(x)._data, np.tanh(a))
    np.testing.assert_allclose(nn.Sigmoid()(x)._data, 1 / (1 + np.exp(-a)), rtol=1e-12)
    np.testing.assert_allclose(F.relu(x)._data, np.maximum(a, 0))


def test_softmax_and_log_softmax_modules() -> None:
    a = _rng().standard_normal((3, 4))
    sm = nn.Softmax(dim=1)(ag.tensor(a))._data
    np.testing.assert_allclose(sm.sum(1), 1)
    np.testing.assert_allclose(sm, np.exp(a) / np.exp(a).sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax(dim=0)(ag.tensor(a))._data,
                               a - np.log(np.exp(a).sum(0, keepdims=True)), rtol=1e-12)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        implicit = nn.Softmax()(ag.tensor(a))._data
    np.testing.assert_allclose(implicit.sum(1), 1)


# -- Dropout -----------------------------------------------------------------------------------
def test_dropout_is_identity_in_eval_and_for_p_zero() -> None:
    x = ag.randn(10, 10)
    d = nn.Dropout(0.5).eval()
    assert d(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_training_is_inverted_and_keeps_the_mean() -> None:
    p = 0.3
    x = ag.ones(200, 500, requires_grad=True)
    y = nn.Dropout(p)(x)
    kept = y._data != 0
    assert kept.mean() == pytest.approx(1 - p, abs=0.01)
    np.testing.assert_allclose(y._data[kept], 1 / (1 - p), rtol=1e-6)
    assert y._data.mean() == pytest.approx(1.0, abs=0.02)
    y.sum().backward()
    np.testing.assert_allclose(x.grad._data, y._data)  # the gradient is the scaled mask


def test_dropout_masks_follow_manual_seed_and_p_one_zeros_everything() -> None:
    x = ag.ones(4, 6)
    ag.manual_seed(9)
    a = nn.Dropout(0.5)(x)._data
    ag.manual_seed(9)
    b = F.dropout(x, 0.5)._data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, F.dropout(x, 0.5)._data)
    assert not nn.Dropout(1.0)(x)._data.any()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


# -- convolution -------------------------------------------------------------------------------
def _ref_conv2d(x, w, b, stride, padding, dilation, groups):
    """The definition, one output pixel at a time."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    per_group = o // groups
    for oc in range(o):
        g = oc // per_group
        for i in range(ho):
            for j in range(wo):
                patch = xp[:, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                out[:, oc, i, j] = (patch * w[oc]).sum((1, 2, 3)) + (0 if b is None else b[oc])
    return out


@pytest.mark.parametrize("kw", [
    dict(kernel_size=3, stride=2, padding=2),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0)),
    dict(kernel_size=3, padding=1, dilation=2),
    dict(kernel_size=1),
    dict(kernel_size=3, padding="same"),
])
def test_conv2d_matches_the_definition(kw: dict) -> None:
    conv = nn.Conv2d(2, 3, **kw).double()
    x = _rng(1).standard_normal((2, 2, 7, 6))
    padding = (1, 1) if conv.padding == "same" else conv.padding  # k=3: 1 each side
    want = _ref_conv2d(x, conv.weight._data, conv.bias._data, conv.stride, padding,
                       conv.dilation, 1)
    got = conv(ag.tensor(x))
    assert got.shape == want.shape
    np.testing.assert_allclose(got._data, want, rtol=1e-10, atol=1e-12)
    if kw.get("padding") == "same":
        assert got.shape[2:] == x.shape[2:]


def test_conv2d_groups_and_no_bias() -> None:
    conv = nn.Conv2d(4, 6, 3, groups=2, bias=False).double()
    assert conv.weight.shape == (6, 2, 3, 3) and conv.bias is None
    x = _rng(2).standard_normal((1, 4, 5, 5))
    np.testing.assert_allclose(conv(ag.tensor(x))._data,
                               _ref_conv2d(x, conv.weight._data, None, (1, 1), (0, 0), (1, 1), 2),
                               rtol=1e-10)
    with pytest.raises(ValueError, match="divisible"):
        nn.Conv2d(3, 4, 3, groups=2)


def test_conv1d_matches_conv2d_on_a_height_one_image() -> None:
    conv = nn.Conv1d(3, 4, 3, stride=2, padding=2).double()
    assert conv.weight.shape == (4, 3, 3)
    x = _rng(3).standard_normal((2, 3, 9))
    want = _ref_conv2d(x[:, :, None], conv.weight._data[:, :, None], conv.bias._data, (1, 2),
                       (0, 2), (1, 1), 1)[:, :, 0]
    got = conv(ag.tensor(x))
    assert got.shape == (2, 4, 6)
    np.testing.assert_allclose(got._data, want, rtol=1e-10)


def test_conv2d_parameter_gradients_flow() -> None:
    conv = nn.Conv2d(1, 2, 3, padding=1)
    conv(ag.randn(2, 1, 4, 4)).sum().backward()
    assert conv.weight.grad.shape == (2, 1, 3, 3)
    np.testing.assert_allclose(conv.bias.grad._data, [32, 32])


# -- pooling -----------------------------------------------------------------------------------
def _ref_pool(x, k, s, p, fn, pad_value):
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad_value)
    ho = (x.shape[2] + 2 * p - k) // s + 1
    wo = (x.shape[3] + 2 * p - k) // s + 1
    out = np.zeros(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = fn(xp[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return out


def test_max_pool_matches_reference_and_pads_with_minus_infinity() -> None:
    x = -np.abs(_rng(4).standard_normal((2, 3, 5, 6))) - 1  # all negative: padding must lose
    got = nn.MaxPool2d(3, stride=2, padding=1)(ag.tensor(x))
    np.testing.assert_array_equal(got._data, _ref_pool(x, 3, 2, 1, np.max, -np.inf))
    pooled = nn.MaxPool2d(2)(ag.tensor(x))  # stride defaults to the kernel size
    assert pooled.shape == (2, 3, 2, 3)
    np.testing.assert_array_equal(pooled._data, _ref_pool(x, 2, 2, 0, np.max, 0))


def test_avg_pool_counts_padded_zeros() -> None:
    x = _rng(5).standard_normal((1, 2, 4, 5))
    got = nn.AvgPool2d(3, stride=2, padding=1)(ag.tensor(x))
    np.testing.assert_allclose(got._data, _ref_pool(x, 3, 2, 1, np.mean, 0.0), rtol=1e-12)
    np.testing.assert_allclose(nn.AvgPool2d(2)(ag.tensor(x))._data,
                               _ref_pool(x, 2, 2, 0, np.mean, 0.0), rtol=1e-12)


def test_max_pool_gradient_goes_to_the_max() -> None:
    x = ag.tensor(np.array([[[[1.0, 5.0], [2.0, 3.0]]]]), requires_grad=True)
    nn.MaxPool2d(2)(x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [[[[0, 1], [0, 0]]]])


# -- batch norm --------------------------------------------------------------------------------
def test_batchnorm_parameters_buffers_and_names() -> None:
    bn = nn.BatchNorm2d(3)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    np.testing.assert_array_equal(bn.weight._data, 1)
    np.testing.assert_array_equal(bn.running_var._data, 1)
    assert bn.num_batches_tracked.dtype == np.int64 and bn.num_batches_tracked.ndim == 0
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(plain.parameters()) == [] and plain.state_dict() == {}


def test_batchnorm2d_training_normalises_and_updates_running_stats() -> None:
    x = _rng(6).standard_normal((4, 3, 5, 5)) * 3 + 2
    bn = nn.BatchNorm2d(3, momentum=0.1).double()
    y = bn(ag.tensor(x))._data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-3)  # eps=1e-5
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)  # running var: unbiased
    np.testing.assert_allclose(bn.running_mean._data, 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var._data, 0.9 + 0.1 * var, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1
    bn(ag.tensor(x))
    assert bn.num_batches_tracked.item() == 2


def test_batchnorm_eval_uses_running_stats() -> None:
    bn = nn.BatchNorm1d(2).double()
    with ag.no_grad():
        bn.running_mean[...] = np.array([1.0, -1.0])
        bn.running_var[...] = np.array([4.0, 0.25])
        bn.weight[...] = np.array([2.0, 1.0])
        bn.bias[...] = np.array([0.0, 0.5])
    bn.eval()
    x = _rng(7).standard_normal((3, 2))
    want = (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [2.0, 1.0] + [0, 0.5]
    np.testing.assert_allclose(bn(ag.tensor(x))._data, want, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 0  # eval does not count batches
    np.testing.assert_array_equal(bn.running_mean._data, [1.0, -1.0])


def test_batchnorm1d_on_3d_input_and_momentum_none() -> None:
    bn = nn.BatchNorm1d(2, momentum=None).double()
    a, b = _rng(8).standard_normal((2, 4, 2, 5))
    bn(ag.tensor(a))
    bn(ag.tensor(b))
    # cumulative average of the two batch means
    want = (a.mean(axis=(0, 2)) + b.mean(axis=(0, 2))) / 2
    np.testing.assert_allclose(bn.running_mean._data, want, rtol=1e-12)


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval() -> None:
    bn = nn.BatchNorm1d(3, track_running_stats=False).eval()
    y = bn(ag.randn(8, 3) * 5)._data
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)


def test_batchnorm_rejects_wrong_dims_and_channels() -> None:
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ag.zeros(2, 3))
    with pytest.raises(ValueError, match="2D or 3D"):
        nn.BatchNorm1d(3)(ag.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match="channels"):
        nn.BatchNorm1d(3)(ag.zeros(2, 4))


# -- gradient clipping -------------------------------------------------------------------------
def _params_with_grads(*grads) -> list[nn.Parameter]:
    ps = []
    for g in grads:
        p = nn.Parameter(np.zeros(len(g)))
        p.grad = ag.tensor(np.asarray(g, dtype=np.float64))
        ps.append(p)
    return ps


def test_clip_grad_norm_scales_jointly_and_returns_the_total() -> None:
    ps = _params_with_grads([3.0, 0.0], [0.0, 4.0])
    arrays = [p.grad._data for p in ps]
    total = nn.utils.clip_grad_norm_(ps, 1.0)
    assert isinstance(total, ag.Tensor) and total.ndim == 0
    assert total.item() == pytest.approx(5.0)
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(ps[0].grad._data, [3 * coef, 0])
    np.testing.assert_allclose(ps[1].grad._data, [0, 4 * coef])
    assert all(p.grad._data is a for p, a in zip(ps, arrays))  # modified in place


def test_clip_grad_norm_leaves_small_gradients_and_skips_missing() -> None:
    ps = _params_with_grads([0.3, 0.4])
    ps.append(nn.Parameter(np.zeros(2)))  # no grad
    total = nn.utils.clip_grad_norm_(ps, 1.0)
    assert total.item() == pytest.approx(0.5)
    np.testing.assert_array_equal(ps[0].grad._data, [0.3, 0.4])
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_norm_other_norms_and_single_tensor() -> None:
    ps = _params_with_grads([1.0, -7.0], [2.0])
    assert nn.utils.clip_grad_norm_(ps, 100, norm_type=math.inf).item() == 7.0
    assert nn.utils.clip_grad_norm_(ps, 100, norm_type=1).item() == pytest.approx(10.0)
    (p,) = _params_with_grads([6.0, 8.0])
    nn.utils.clip_grad_norm_(p, 5.0)
    np.testing.assert_allclose(p.grad._data, [3.0, 4.0], rtol=1e-6)
    bad = _params_with_grads([np.nan])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)


def test_clip_grad_value() -> None:
    ps = _params_with_grads([-3.0, 0.5, 2.0])
    arr = ps[0].grad._data
    assert nn.utils.clip_grad_value_(ps, 1.0) is None
    np.testing.assert_array_equal(ps[0].grad._data, [-1.0, 0.5, 1.0])
    assert ps[0].grad._data is arr


def test_clip_grad_after_a_real_backward() -> None:
    model = nn.MLP([4, 8, 3])
    F.cross_entropy(model(ag.randn(16, 4) * 100), np.arange(16) % 3).backward()
    before = math.sqrt(sum(float((p.grad._data.astype(np.float64) ** 2).sum())
                           for p in model.parameters()))
    total = nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    assert total.item() == pytest.approx(before, rel=1e-5)
    after = math.sqrt(sum(float((p.grad._data.astype(np.float64) ** 2).sum())
                          for p in model.parameters()))
    assert after == pytest.approx(min(before, 0.1), rel=1e-4)


def test_conv2d_same_padding_with_an_even_kernel_matches_the_functional_and_torch() -> None:
    # One padding rule for the layer and F.conv2d: total d·(k − 1) per axis, the extra
    # row/column at the end (torch's values for this input and weight written below).
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 6))
    w = np.array([[[[-0.00187170505523682, 0.13411089777946472,-0.20576128363609314,
    -0.18398475646972656],
   [-0.09628859162330627, 0.06703934073448181,-0.0049532949924469 ,
     0.19822236895561218]],

  [[-0.02218601107597351, 0.0661531388759613 ,-0.07555326819419861,
    -0.04914134740829468],
   [-0.2388371229171753 ,-0.16557052731513977,-0.10305577516555786,
     0.00926089286804199]]]])
    want = np.array([[[[-0.04484056801763518,-0.3737740026203493 ,-0.41426165118012975,
    -0.23433760310095406,-0.39547030591359633, 0.18107816118116493],
   [-0.6651601845887982 ,-0.03523888183093193,-0.06858002242698549,
    -0.07802985712219952,-0.6533848094712043 ,-0.5067957896449705 ],
   [-0.4541208341879877 ,-0.01093716704856281,-0.46005219695216737,
     0.13938673023644815,-0.00745963159211586, 0.03591554475369117],
   [-0.04409487972741798,-0.061795887333374  ,-0.4852942591285147 ,
     0.08961473590695841,-0.03219857045654871, 0.5431183594738203 ],
   [ 0.10240763545951992, 0.32152390465480474, 0.19925415609841313,
     0.0899372894396332 ,-0.14875019461996006, 0.01288444562009757]]]])
    conv = nn.Conv2d(2, 1, (2, 4), padding="same", bias=False).double()
    assert conv.padding == "same"
    with ag.no_grad():
        conv.weight[...] = w
    got = conv(ag.tensor(x))
    np.testing.assert_allclose(got._data, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(F.conv2d(ag.tensor(x), ag.tensor(w), padding="same")._data, want,
                               rtol=1e-12, atol=1e-14)
    odd = nn.Conv1d(1, 1, 3, padding="same", dilation=2)
    assert odd.padding == "same"  # torch 2.13 keeps the string, symmetric or not
    assert nn.Conv1d(1, 1, 2, padding="same")(ag.randn(1, 1, 7)).shape == (1, 1, 7)


def test_linear_raises_on_an_input_dtype_other_than_its_weights() -> None:
    # torch 2.13: RuntimeError "mat1 and mat2 must have the same dtype, but got Long and
    # Float" (no silent float64 compute; issue 13, item 8)
    lin = nn.Linear(2, 3)
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got "
                                           "Long and Float"):
        lin(ag.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match="but got Double and Float"):
        lin(ag.ones(1, 2, dtype=ag.float64))
    assert lin(ag.ones(1, 2)).dtype == np.float32


def test_one_hot_times_a_float_tensor_keeps_the_float_dtype() -> None:
    # torch 2.13: F.one_hot(...) (int64) * float32 tensor -> float32
    assert (F.one_hot(ag.tensor([0, 1]), 3) * ag.ones(2, 3)).dtype == np.float32
