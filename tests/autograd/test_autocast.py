"""ag.autocast (torch.autocast): which ops cast to what inside a region, on the CPU lists
and (on the test device double) the CUDA lists; gradients' dtypes; values and a GradScaler
training trajectory against torch's CPU autocast in float16 (torch's numbers pasted);
bfloat16's warning, nesting, the decorator, threads, custom_fwd/custom_bwd."""

from __future__ import annotations

import inspect
import threading
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
import optim
from autograd.graph import Away

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)


def arrs(seed: int, *shapes: tuple) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 0.5).astype(np.float32) for s in shapes]


def t(shape: tuple, dtype: np.dtype = F32, device: str = "cpu", positive: bool = False,
      requires_grad: bool = False) -> ag.Tensor:
    rng = np.random.default_rng(sum(shape) + 3)
    a = rng.random(shape) * 0.8 + 0.1 if positive else rng.standard_normal(shape) * 0.5
    return ag.tensor(a.astype(dtype), device=device, requires_grad=requires_grad)


def region(device: str = "cpu", **kw):
    return ag.autocast(device, dtype=ag.float16, **kw)


# -- output dtypes: torch 2.13's CPU lists (checked against torch's CPU autocast) -----------
# (name, op, input shapes, positive inputs, dtype of a float32 input's result, of a float16's)
CPU_OPS = [
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 5)], False, F16, F16),
    ("mm", ag.mm, [(3, 4), (4, 5)], False, F16, F16),
    ("bmm", ag.bmm, [(2, 3, 4), (2, 4, 5)], False, F16, F16),
    ("linear", F.linear, [(2, 3, 4), (5, 4)], False, F16, F16),
    ("addmm", lambda a, b: ag.addmm(a, b, b.T), [(3, 3), (3, 4)], False, F16, F16),
    ("baddbmm", lambda a, b: ag.baddbmm(a, b, b.transpose(1, 2)), [(2, 3, 3), (2, 3, 4)],
     False, F16, F16),
    ("conv1d", F.conv1d, [(2, 3, 7), (4, 3, 3)], False, F16, F16),
    ("conv2d", lambda a, b: F.conv2d(a, b, padding=1), [(2, 3, 5, 5), (4, 3, 3, 3)], False,
     F16, F16),
    ("conv_transpose2d", F.conv_transpose2d, [(2, 3, 4, 4), (3, 2, 3, 3)], False, F16, F16),
    ("sdpa", lambda a, b: F.scaled_dot_product_attention(a, b, b), [(2, 3, 4), (2, 5, 4)],
     False, F16, F16),
    ("prelu", F.prelu, [(2, 3, 4), (3,)], True, F16, F16),
    ("einsum", lambda a, b: ag.einsum("ij,jk->ik", a, b), [(3, 4), (4, 5)], False, F16, F16),
    ("mv (not on the CPU list)", ag.mv, [(3, 4), (4,)], False, F32, F16),
    ("dot (not on the CPU list)", ag.dot, [(4,), (4,)], False, F32, F16),
    ("mse_loss", F.mse_loss, [(4, 3), (4, 3)], False, F32, F32),
    ("l1_loss", F.l1_loss, [(4, 3), (4, 3)], False, F32, F32),
    ("bce_with_logits", F.binary_cross_entropy_with_logits, [(4, 3), (4, 3)], True, F32, F32),
    ("cdist", ag.cdist, [(4, 3), (5, 3)], False, F32, F32),
    ("cross_entropy", lambda a: F.cross_entropy(a, ag.tensor([0, 1, 3])), [(3, 4)], False,
     F32, F32),
    ("nll_loss", lambda a: F.nll_loss(a, ag.tensor([0, 1, 3])), [(3, 4)], False, F32, F32),
    ("trace", ag.trace, [(4, 4)], False, F32, F32),
    ("avg_pool3d", lambda a: F.avg_pool3d(a, 2), [(1, 2, 4, 4, 4)], False, F32, F32),
    ("quantile", lambda a: ag.quantile(a, 0.3), [(7,)], False, F32, F32),
    ("exp (CUDA list only)", ag.exp, [(3, 4)], False, F32, F16),
    ("softmax (CUDA list only)", lambda a: F.softmax(a, -1), [(3, 4)], False, F32, F16),
    ("sum (CUDA list only)", lambda a: a.sum(), [(3, 4)], False, F32, F16),
    ("layer_norm (CUDA list only)", lambda a: F.layer_norm(a, (4,)), [(3, 4)], False, F32,
     F16),
    ("tanh (no list)", ag.tanh, [(3, 4)], False, F32, F16),
    ("mul (no list)", lambda a: a * a, [(3, 4)], False, F32, F16),
]


@pytest.mark.parametrize("case", CPU_OPS, ids=[c[0] for c in CPU_OPS])
@pytest.mark.parametrize("dtype", [F32, F16], ids=["float32", "float16"])
def test_cpu_lists_output_dtypes(case, dtype) -> None:
    _, op, shapes, positive, from32, from16 = case
    ins = [t(s, dtype, positive=positive) for s in shapes]
    with region():
        out = op(*ins)
    assert out.dtype == (from32 if dtype == F32 else from16)
    if dtype == F32:  # outside the region nothing changes (quantile refuses float16, as torch)
        assert op(*ins).dtype == F32


@pytest.mark.parametrize("case", CPU_OPS, ids=[c[0] for c in CPU_OPS])
def test_float64_is_never_cast(case) -> None:
    _, op, shapes, positive, _, _ = case
    with region():
        out = op(*[t(s, F64, positive=positive) for s in shapes])
    assert out.dtype == F64


@pytest.mark.parametrize(("op", "shapes", "expected"), [
    (lambda a, b: ag.cat([a, b]), [(2, 3), (2, 3)], F32),  # promote to the widest
    (lambda a, b: ag.stack([a, b]), [(2, 3), (2, 3)], F32),
    (lambda a, b: ag.matmul(a, b.T), [(2, 3), (2, 3)], F16),  # lower: a float16 GEMM
])
def test_mixed_float16_float32_inputs(op, shapes, expected) -> None:
    a, b = t(shapes[0], F16), t(shapes[1], F32)
    with region():
        assert op(a, b).dtype == expected
        assert op(b, a).dtype == expected


def test_matmul_of_mixed_dtypes_raises_outside_a_region() -> None:
    with pytest.raises(RuntimeError, match="dtype"):
        t((2, 3), F16) @ t((3, 2), F32)


# -- values: torch 2.13 CPU autocast float16, pasted -----------------------------------------
def test_values_equal_torch_cpu_autocast_float16() -> None:
    x, w, b = arrs(1, (3, 4), (2, 4), (2,))
    with region():
        y = F.linear(ag.tensor(x), ag.tensor(w), ag.tensor(b))
    assert y.dtype == F16
    np.testing.assert_allclose(y.numpy().astype(np.float32),
                               [[-0.3279, -0.1753], [-0.0291, -0.0938], [0.0034, -0.1964]],
                               atol=2e-3)
    img, k = arrs(2, (1, 2, 4, 4), (2, 2, 3, 3))
    with region():
        y = F.conv2d(ag.tensor(img), ag.tensor(k), padding=1)
    assert y.dtype == F16
    np.testing.assert_allclose(y.numpy()[0, 1].astype(np.float32), [
        [-0.6328, 0.6274, -0.7227, -0.5469], [0.3333, -0.71, 0.4441, 1.1201],
        [1.1641, 0.8193, -0.5723, -0.1246], [-0.7275, 0.7773, -0.4287, -0.2035]], atol=4e-3)
    q, kk = arrs(3, (1, 3, 4), (1, 5, 4))
    with region():
        y = F.scaled_dot_product_attention(ag.tensor(q), ag.tensor(kk), ag.tensor(kk))
    assert y.dtype == F16
    np.testing.assert_allclose(y.numpy()[0].astype(np.float32), [
        [0.0, 0.1193, 0.1704, -0.1578], [-0.0419, 0.1849, -0.0154, -0.1698],
        [-0.0278, 0.3516, 0.183, -0.1753]], atol=3e-3)


# -- gradients -------------------------------------------------------------------------------
def test_gradients_come_back_in_each_inputs_dtype() -> None:
    x = t((3, 4), F32, requires_grad=True)
    w = t((5, 4), F32, requires_grad=True)
    h = t((3, 5), F16, requires_grad=True)
    with region():
        y = F.linear(x, w)
        assert y.dtype == F16
        loss = F.cross_entropy(y + h, ag.tensor([0, 1, 4]))
        assert loss.dtype == F32
    loss.backward()
    assert x.grad.dtype == F32 and w.grad.dtype == F32 and h.grad.dtype == F16
    # the casts are recorded ops: float32 x → float16 inside the linear
    assert type(y.grad_fn).__name__ == "LinearBackward"
    assert [type(e[0]).__name__ for e in y.grad_fn.next_functions[:2]] == ["CastBackward"] * 2


def test_casts_happen_under_no_grad_too() -> None:
    with ag.no_grad(), region():
        y = t((3, 4)) @ t((4, 2))
    assert y.dtype == F16 and y.grad_fn is None


def test_weight_cast_is_made_once_per_region_and_gradients_accumulate() -> None:
    w = t((4, 4), F32, requires_grad=True)
    x = t((2, 4), F32)
    with region():
        y1, y2 = F.linear(x, w), F.linear(x, w)
        assert y1.grad_fn.next_functions[1][0] is y2.grad_fn.next_functions[1][0]
        (y1.float().sum() + y2.float().sum()).backward()
    expected = 2 * np.broadcast_to(x.numpy().astype(np.float16).sum(0), (4, 4))
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=2e-3)
    with region(cache_enabled=False):
        y1, y2 = F.linear(x, w), F.linear(x, w)
        assert y1.grad_fn.next_functions[1][0] is not y2.grad_fn.next_functions[1][0]


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_recomputes_in_the_forwards_autocast_state(use_reentrant: bool) -> None:
    w = t((4, 4), F32, requires_grad=True)
    x = t((2, 4), F32, requires_grad=True)

    def block(a):
        h = F.linear(a, w)
        assert h.dtype == F16  # in the forward and in the recompute
        return h

    with region():
        plain = block(x).float().sum()
        out = ag.checkpoint(block, x, use_reentrant=use_reentrant)
        assert out.dtype == F16
    gx, gw = ag.grad(plain, (x, w))
    out.float().sum().backward()  # outside the region: the recompute still casts
    np.testing.assert_array_equal(x.grad.numpy(), gx.numpy())
    np.testing.assert_array_equal(w.grad.numpy(), gw.numpy())
    assert x.grad.dtype == F32 and w.grad.dtype == F32


def test_two_steps_in_one_region_reuse_the_weight_cast() -> None:
    w = t((3, 3), F32, requires_grad=True)
    x = t((2, 3), F32)
    with region():
        for _ in range(2):
            F.linear(x, w).float().sum().backward()
    first = np.broadcast_to(x.numpy().astype(np.float16).astype(np.float32).sum(0), (3, 3))
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=2e-3)


def test_second_order_gradients_inside_a_region() -> None:
    x = t((3,), F32, requires_grad=True)
    with region():
        y = (ag.exp(x) * x).sum()
        (g,) = ag.grad(y, x, create_graph=True)
        assert g.dtype == F32
        g.sum().backward()
    xs = x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(xs) * (xs + 2), rtol=1e-5)


# -- GradScaler + autocast: torch's loss trajectory ---------------------------------------------
# torch 2.13, CPU autocast float16, GradScaler("cpu", init_scale, growth_interval=3), SGD 0.5
TORCH_TRAJECTORIES = {
    2.0**16: ([1.56934, 1.25147, 1.04509, 0.89841, 0.78733, 0.70045, 0.63101, 0.57464],
              [65536.0, 65536.0, 131072.0, 131072.0, 131072.0, 262144.0, 262144.0,
               262144.0]),
    # float16 gradients overflow: six skipped steps, the scale halving each time
    2.0**24: ([1.56934] * 7 + [1.25147],
              [8388608.0, 4194304.0, 2097152.0, 1048576.0, 524288.0, 262144.0, 262144.0,
               262144.0]),
}


@pytest.mark.parametrize("init_scale", sorted(TORCH_TRAJECTORIES))
def test_gradscaler_autocast_training_matches_torch(init_scale: float) -> None:
    rng = np.random.default_rng(7)
    X = ag.tensor(rng.standard_normal((16, 8)).astype(np.float32))
    Y = ag.tensor(rng.integers(0, 4, 16))
    w1 = (rng.standard_normal((16, 8)) * 0.3).astype(np.float32)
    w2 = (rng.standard_normal((4, 16)) * 0.3).astype(np.float32)
    ps = [ag.tensor(a, requires_grad=True)
          for a in (w1, np.zeros(16, np.float32), w2, np.zeros(4, np.float32))]
    opt = optim.SGD(ps, lr=0.5)
    scaler = ag.amp.GradScaler("cpu", init_scale=init_scale, growth_interval=3)
    losses, scales = [], []
    for _ in range(8):
        opt.zero_grad()
        with ag.autocast(device_type="cpu", dtype=ag.float16):
            h = ag.tanh(F.linear(X, ps[0], ps[1]))
            loss = F.cross_entropy(F.linear(h, ps[2], ps[3]), Y)
        assert h.dtype == F16 and loss.dtype == F32
        scaler.scale(loss).backward()
        assert ps[0].grad.dtype == F32
        scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
        scales.append(scaler.get_scale())
    want_losses, want_scales = TORCH_TRAJECTORIES[init_scale]
    np.testing.assert_allclose(losses, want_losses, rtol=3e-3)
    assert scales == want_scales


def test_module_forward_under_autocast() -> None:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    with region():
        out = model(t((3, 4)))
    assert out.dtype == F16
    out.float().sum().backward()
    assert all(p.grad.dtype == F32 for p in model.parameters())


# -- bfloat16, unsupported dtypes and devices ----------------------------------------------
def test_bfloat16_warns_and_disables_the_region() -> None:
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not "
                                         "supported. Disabling autocast."):
        ctx = ag.autocast("cpu")  # CPU autocast's default dtype is bfloat16
    with ctx:
        assert not ag.is_autocast_enabled("cpu")
        assert ag.get_autocast_dtype("cpu") is ag.bfloat16
        assert (t((2, 3)) @ t((3, 2))).dtype == F32  # float32 where torch's is bfloat16
    for dtype in (ag.bfloat16, ag.float32, ag.float64):
        with pytest.warns(UserWarning, match="target dtype is not supported"), \
                ag.autocast("cpu", dtype=dtype):
            assert not ag.is_autocast_enabled("cpu")
            assert ag.get_autocast_dtype("cpu") == dtype  # as torch: the region's dtype
    assert Away.autocast == 0


def test_bfloat16_on_the_double_device_warns_too(double_device) -> None:
    with pytest.warns(UserWarning, match="In double autocast, but the target dtype"), \
            ag.autocast(double_device, dtype=ag.bfloat16):
        assert not ag.is_autocast_enabled(double_device)
        assert (t((2, 3), device=double_device) @ t((3, 2), device=double_device)).dtype == F32


@pytest.mark.skipif(ag.cuda.is_available(), reason="CUDA present")
def test_cuda_region_without_cuda_warns_and_is_disabled() -> None:
    with pytest.warns(UserWarning, match="CUDA is not available"), ag.autocast("cuda"):
        assert not ag.is_autocast_enabled()
    with pytest.warns(FutureWarning, match="torch.cuda.amp.autocast"), \
            pytest.warns(UserWarning, match="CUDA is not available"):
        ag.cuda.amp.autocast()


def test_bad_device_types() -> None:
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        ag.autocast("tpu")
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ag.autocast(ag.device("cpu"))


def test_defaults_and_deprecated_names() -> None:
    assert ag.get_autocast_dtype("cpu") is ag.bfloat16
    assert ag.get_autocast_dtype("cuda") == F16
    assert not ag.is_autocast_enabled() and not ag.is_autocast_enabled("cpu")
    with pytest.warns(DeprecationWarning, match="get_autocast_dtype\\('cuda'\\)"):
        assert ag.get_autocast_gpu_dtype() == F16
    with pytest.warns(DeprecationWarning, match="get_autocast_dtype\\('cpu'\\)"):
        assert ag.get_autocast_cpu_dtype() is ag.bfloat16
    assert ag.amp.autocast is ag.autocast
    assert ag.amp.is_autocast_available("cpu") and ag.amp.is_autocast_available("cuda")
    assert not hasattr(ag, "is_autocast_available")  # torch.amp's only
    with pytest.warns(FutureWarning, match="torch.amp.autocast\\('cpu', args...\\)"):
        ctx = ag.cpu.amp.autocast(dtype=ag.float16)
    with ctx:
        assert ag.is_autocast_enabled("cpu") and ag.get_autocast_dtype("cpu") == F16


# -- nesting, decorator, threads ---------------------------------------------------------------
def test_nesting_and_disabled_subregions() -> None:
    a, b = t((2, 3)), t((3, 2))
    with region():
        e = a @ b
        with ag.autocast("cpu", enabled=False):
            assert not ag.is_autocast_enabled("cpu")
            assert ag.get_autocast_dtype("cpu") == F16  # the enclosing region's
            assert (e.float() @ e.float()).dtype == F32  # float32 as given
            with region():
                assert (a @ b).dtype == F16
            assert (a @ b).dtype == F32
        assert ag.is_autocast_enabled("cpu") and (a @ b).dtype == F16
    assert not ag.is_autocast_enabled("cpu") and (a @ b).dtype == F32
    assert Away.autocast == 0


def test_state_restored_after_an_exception() -> None:
    with pytest.raises(KeyError), region():
        raise KeyError("x")
    assert not ag.is_autocast_enabled("cpu") and Away.autocast == 0


def test_decorator_form() -> None:
    @ag.autocast(device_type="cpu", dtype=ag.float16)
    def forward(a, b):
        assert ag.is_autocast_enabled("cpu")
        return a @ b

    assert forward(t((2, 3)), t((3, 2))).dtype == F16
    assert forward.__name__ == "forward"
    assert not ag.is_autocast_enabled("cpu")


def test_state_is_per_thread() -> None:
    seen = []
    with region():
        th = threading.Thread(target=lambda: seen.append(
            (ag.is_autocast_enabled("cpu"), (t((2, 3)) @ t((3, 2))).dtype)))
        th.start()
        th.join()
        assert (t((2, 3)) @ t((3, 2))).dtype == F16
    assert seen == [(False, F32)]


# -- the CUDA lists, on the test device double (a stand-in for a GPU) -----------------------
DEVICE_OPS = [  # (name, op, shapes, positive, dtype from float32, from float16)
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 5)], False, F16, F16),
    ("linear", F.linear, [(2, 4), (5, 4)], False, F16, F16),
    ("mv", ag.mv, [(3, 4), (4,)], False, F16, F16),
    ("exp", ag.exp, [(3, 4)], False, F32, F32),
    ("log", ag.log, [(3, 4)], True, F32, F32),
    ("pow", lambda a: a ** 2, [(3, 4)], False, F32, F32),
    ("softmax", lambda a: F.softmax(a, -1), [(3, 4)], False, F32, F32),
    ("sum", lambda a: a.sum(), [(3, 4)], False, F32, F32),
    ("layer_norm", lambda a: F.layer_norm(a, (4,)), [(3, 4)], False, F32, F32),
    ("mse_loss", F.mse_loss, [(3, 4), (3, 4)], False, F32, F32),
    ("tanh (no list)", ag.tanh, [(3, 4)], False, F32, F16),
    ("trace (CPU list only)", ag.trace, [(4, 4)], False, F32, F16),
]


@pytest.mark.parametrize("case", DEVICE_OPS, ids=[c[0] for c in DEVICE_OPS])
@pytest.mark.parametrize("dtype", [F32, F16], ids=["float32", "float16"])
def test_cuda_lists_on_the_device_double(case, dtype, double_device) -> None:
    _, op, shapes, positive, from32, from16 = case
    ins = [t(s, dtype, double_device, positive) for s in shapes]
    with region(double_device):
        out = op(*ins)
        assert out.device.type == double_device
        assert out.dtype == (from32 if dtype == F32 else from16)
        host = op(*[t(s, dtype, positive=positive) for s in shapes])  # another device's
        assert host.dtype == dtype
    cpu = op(*[t(s, dtype, positive=positive) for s in shapes])
    with region("cpu"):
        cpu_cast = op(*[t(s, dtype, positive=positive) for s in shapes])
    # the value on the double equals the CPU's for the same casts
    if from32 == dtype or cpu_cast.dtype == out.dtype:
        np.testing.assert_allclose(ag.tensor(out.cpu().numpy()).double().numpy(),
                                   (cpu_cast if cpu_cast.dtype == out.dtype else cpu)
                                   .double().numpy(), rtol=1e-3, atol=1e-3)


def test_binary_cross_entropy_is_banned_under_cuda_autocast(double_device) -> None:
    p = t((4,), F32, double_device, positive=True)
    with region(double_device), pytest.raises(RuntimeError, match="unsafe to autocast"):
        F.binary_cross_entropy(p, p)
    with region(double_device):
        assert F.binary_cross_entropy_with_logits(p, p).dtype == F32
    with region("cpu"):  # on the CPU it is on the float32 list
        q = t((4,), F16, positive=True)
        assert F.binary_cross_entropy(q, q).dtype == F32


def test_device_double_gradients_and_explicit_dtype(double_device) -> None:
    x = t((3, 4), F16, double_device, requires_grad=True)
    w = t((5, 4), F32, double_device, requires_grad=True)
    with region(double_device):
        y = F.linear(x, w)
        assert y.dtype == F16
        s = y.sum()
        assert s.dtype == F32  # sum: float32 unless dtype= is given
        assert y.sum(dtype=ag.float16).dtype == F16
        assert F.softmax(y, -1, dtype=ag.float16).dtype == F16
        assert ag.addcmul(x, w[:3], x).dtype == F32  # promote: the widest input
    s.backward()
    assert x.grad.dtype == F16 and w.grad.dtype == F32
    assert x.grad.device.type == double_device


@pytest.mark.parametrize("module", [nn.LSTM, nn.GRU, nn.RNN, nn.LSTMCell],
                         ids=lambda m: m.__name__)
def test_recurrent_layers_on_the_device_double_run_in_float16(module, double_device) -> None:
    # torch's CUDA RNNs (cuDNN's, cast by autocast) and cells are on the lower-precision list
    ag.manual_seed(0)
    m = module(4, 3).to(double_device)
    shape = (2, 4) if module is nn.LSTMCell else (2, 1, 4)
    x = ag.randn(*shape, device=double_device)
    with region(double_device):
        out = m(x)
    out = out[0] if isinstance(out, tuple) else out
    assert out.dtype == F16
    out.float().sum().backward()
    assert all(p.grad.dtype == F32 for p in m.parameters())
    with region("cpu"):  # the CPU's lists do not have them (torch's CPU GRU is float32)
        assert m.cpu()(x.cpu())[0].dtype == F32


# -- custom Functions ---------------------------------------------------------------------------
class _Mul(ag.Function):
    seen: list = []

    @staticmethod
    @ag.amp.custom_fwd(device_type="cpu", cast_inputs=ag.float32)
    def forward(ctx, a, b):
        _Mul.seen.append(("fwd", ag.is_autocast_enabled("cpu"), a.dtype, b.dtype))
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    @ag.amp.custom_bwd(device_type="cpu")
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        _Mul.seen.append(("bwd", ag.is_autocast_enabled("cpu")))
        return g @ b.T, a.T @ g


class _Plain(ag.Function):
    seen: list = []

    @staticmethod
    @ag.amp.custom_fwd(device_type="cpu")
    def forward(ctx, a):
        _Plain.seen.append(("fwd", ag.is_autocast_enabled("cpu")))
        return a * 2

    @staticmethod
    @ag.amp.custom_bwd(device_type="cpu")
    def backward(ctx, g):
        _Plain.seen.append(("bwd", ag.is_autocast_enabled("cpu"),
                            ag.get_autocast_dtype("cpu")))
        return g * 2


def test_custom_fwd_with_cast_inputs_runs_without_autocast() -> None:
    _Mul.seen.clear()
    a = t((2, 3), F16, requires_grad=True)
    b = t((3, 2), F32, requires_grad=True)
    with region():
        out = _Mul.apply(a, b)
    assert out.dtype == F32
    out.sum().backward()
    assert _Mul.seen == [("fwd", False, F32, F32), ("bwd", False)]
    assert a.grad.dtype == F16 and b.grad.dtype == F32


def test_custom_bwd_runs_in_the_forwards_autocast_state() -> None:
    _Plain.seen.clear()
    a = t((3,), F32, requires_grad=True)
    with region():
        out = _Plain.apply(a)
    out.sum().backward()  # outside the region: backward still autocast, as its forward
    assert _Plain.seen == [("fwd", True), ("bwd", True, F16)]
    _Plain.seen.clear()
    _Plain.apply(a).sum().backward()
    assert _Plain.seen[1][:2] == ("bwd", False)


def test_custom_fwd_needs_a_device_type() -> None:
    with pytest.raises(TypeError, match="device_type"):
        ag.amp.custom_fwd(lambda ctx, a: a)


def test_deprecated_cuda_amp_custom_fwd_and_bwd() -> None:
    with pytest.warns(FutureWarning, match="device_type='cuda'"):
        fwd = ag.cuda.amp.custom_fwd(lambda ctx, a: a, cast_inputs=ag.float32)
    with pytest.warns(FutureWarning, match="torch.amp.custom_bwd"):
        bwd = ag.cuda.amp.custom_bwd(lambda ctx, g: g)
    ctx = type("Ctx", (), {})()
    a = t((2,), F16)
    assert fwd(ctx, a) is a and ctx._fwd_used_autocast is False  # no CUDA region: as given
    assert bwd(ctx, a) is a
    assert ag.cpu.is_available()


def test_every_hooked_op_is_on_a_list() -> None:
    import pathlib
    import re

    from autograd.autocast_mode import POLICIES
    root = pathlib.Path(ag.__file__).parent.parent
    names = set()
    for path in [*root.joinpath("autograd").rglob("*.py"), *root.joinpath("nn").rglob("*.py")]:
        names |= set(re.findall(r'autocast_run\("(\w+)", (\w+)', path.read_text()))
    assert len(names) > 100
    for name, fn in names:
        assert name == fn
        assert name in POLICIES["cuda"] or name in POLICIES["cpu"], name


# -- the cost outside a region ---------------------------------------------------------------
def test_hot_elementwise_ops_carry_no_autocast_check() -> None:
    from autograd.ops import arith, unary
    for fn in (arith.add, arith.mul, unary.tanh):
        assert "autocast" not in inspect.getsource(fn)
    assert "Away.autocast" in inspect.getsource(ag.matmul)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with region():
            assert Away.autocast == 1
        assert Away.autocast == 0
