"""Every registry op on the test-only device double (tests/devicedouble.py), first and
second order: the gradients on the double must equal the CPU's, and nothing may convert
between host and device silently (the double raises where CuPy would). Every case runs:
none is left out or expected to fail."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.ops.cases import CASES
from tests.devicedouble import DoubleArray

AUTOGRAD_CASES = [c for c in CASES if not c.op.startswith("nn.")]

def _host(x):
    if x is None:
        return None
    return x.detach().cpu().numpy() if isinstance(x, ag.Tensor) else x


def _grads(case, device):
    """First-order gradients of <fn(x), v> and second-order ones of <∂/∂x, u>."""
    inputs = [t.detach().to(device).requires_grad_(True) for t in case.inputs()]
    out = case.fn(*inputs)
    outs = out if isinstance(out, tuple | list) else (out,)
    outs = [o for o in outs if isinstance(o, ag.Tensor) and o.requires_grad]
    rng = np.random.default_rng(1)
    vs = [ag.tensor(rng.standard_normal(o.shape), dtype=o.dtype, device=device) for o in outs]
    total = sum(((o * v).sum() for o, v in zip(outs, vs)), ag.zeros((), dtype=np.float64,
                                                                   device=device))
    g1 = ag.grad(total, inputs, create_graph=case.second_order, allow_unused=True)
    values = [out if not isinstance(out, tuple | list) else out[0]] + list(g1)
    if case.second_order:
        used = [g for g in g1 if g is not None and g.requires_grad]
        if used:
            s = sum((g * g).sum() for g in used)
            values += list(ag.grad(s, inputs, allow_unused=True))
    return values


# Cases whose function holds a host NumPy array as an operand (a mask, a constant): on a
# device they must raise torch's RuntimeError naming both devices, never copy silently.
HOST_CONSTANT = {"batch_norm[eval-NCHW]", "mul[array-const]", "masked_fill[mask]",
                 "masked_fill[value-tensor]", "where[broadcast]", "where[scalar-b]",
                 "softmax_cross_entropy[4x3]", "softmax_cross_entropy[1x5]"}


@pytest.mark.parametrize("case", [c for c in AUTOGRAD_CASES if c.id not in HOST_CONSTANT],
                         ids=lambda c: c.id)
def test_op_on_double(case, double_device) -> None:
    on_cpu = _grads(case, "cpu")
    ag.set_default_device(double_device)  # the case's own tensor constants go there too
    try:
        on_double = _grads(case, double_device)
    finally:
        ag.set_default_device(None)
    for a, b in zip(on_cpu, on_double, strict=True):
        assert (a is None) == (b is None)
        if a is None:
            continue
        assert isinstance(b._data, DoubleArray), type(b._data)
        np.testing.assert_allclose(_host(b), _host(a), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", [c for c in AUTOGRAD_CASES if c.id in HOST_CONSTANT],
                         ids=lambda c: c.id)
def test_host_constant_on_device_raises(case, double_device) -> None:
    inputs = [t.detach().to(double_device).requires_grad_(True) for t in case.inputs()]
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but "
                                           "found at least two devices, (cpu and double|"
                                           "double and cpu)!"):
        case.fn(*inputs)


def test_device_api(double_device) -> None:
    x = ag.ones(2, 3, device="double", requires_grad=True)
    assert x.device == ag.device("double") and x.device.type == "double"
    assert repr(ag.device("cpu")) == "device(type='cpu')"
    y = (x.cpu() * 2).sum()
    y.backward()
    assert x.grad.device.type == "double"
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.full((2, 3), 2.0))
    with pytest.raises(TypeError, match="Use Tensor.cpu"):
        x.detach().numpy()
    with pytest.raises(TypeError):
        np.asarray(x.detach())
    host = ag.ones(2, 3)
    mixes = [lambda: x + host, lambda: x @ host.T, lambda: ag.cat([x, host]),
             lambda: ag.stack([host, x]), lambda: ag.where(host > 0, x, x),
             lambda: ag.nn.functional.linear(x, host) if hasattr(ag, "nn") else x @ host.T]
    for mix in mixes:
        with pytest.raises(RuntimeError, match="same device, but found at least two devices, "
                                               "(double and cpu|cpu and double)!"):
            mix()


def test_cuda_missing_says_how_to_get_it() -> None:
    if ag.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match=r"pip install 'chainrule\[cuda\]'"):
        ag.ones(2).cuda()
    with pytest.raises(RuntimeError, match="NVIDIA GPU"):
        ag.zeros(2, device="cuda")


def test_to_device_is_differentiable_first_and_second_order(double_device) -> None:
    x = ag.tensor([0.5, -1.5, 2.0], dtype=np.float64, requires_grad=True)
    y = x.to(double_device)
    assert type(y.grad_fn).__name__ == "ToDeviceBackward" and y.device.type == "double"
    assert y.grad_fn.name() == "ToCopyBackward0"  # torch's name for a move between devices
    (g,) = ag.grad((y ** 3).sum(), x, create_graph=True)  # dy/dx = 3x², on the host
    assert g.device.type == "cpu"
    np.testing.assert_allclose(g.detach().numpy(), 3 * x.detach().numpy() ** 2)
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * x.detach().numpy())
    z = ag.ones(3, dtype=np.float64, device=double_device, requires_grad=True)
    (gz,) = ag.grad((z.cpu() * x).sum(), z)
    assert gz.device.type == "double"
    np.testing.assert_allclose(gz.cpu().numpy(), x.detach().numpy())


def test_tools_accept_device_tensors(double_device) -> None:
    import nn
    import nn.functional as F

    x = ag.tensor(np.linspace(-1, 1, 12).reshape(3, 4), dtype=np.float64,
                  device=double_device, requires_grad=True)
    w = ag.tensor(np.linspace(0.5, -0.5, 8).reshape(4, 2), dtype=np.float64,
                  device=double_device, requires_grad=True)
    assert ag.gradcheck(lambda a, b: (a @ b).tanh(), (x, w))
    assert ag.gradgradcheck(lambda a, b: (a @ b).tanh(), (x, w))

    def run(device):
        ag.manual_seed(0)
        m = nn.MLP([4, 5, 3]).to(device)
        xb = ag.tensor(np.linspace(-2, 2, 24).reshape(6, 4), dtype=np.float32, device=device)
        yb = ag.tensor([0, 1, 2, 0, 1, 2], device=device)
        loss = F.cross_entropy(m(xb), yb)
        with ag.trace_backward() as tr:
            loss.backward(retain_graph=True)
        drawing = ag.draw_graph(loss, params=dict(m.named_parameters()), show_values=True)
        return str(tr), str(ag.viz.gradient_flow(m)), drawing.source

    on_cpu, on_dev = run("cpu"), run(double_device)
    assert on_dev == on_cpu


_SAME_DEVICE = ("Expected all tensors to be on the same device, but found at least two "
                "devices, (double and cpu|cpu and double)!")


def _mixes(dev, host):
    """(name, call) pairs: each op given one operand on the device and one on the host."""
    x, h = dev(np.zeros((3, 4))), host(np.zeros((3, 4)))
    idx, hidx = dev([0, 2], int), host([0, 2], int)
    g, hg = dev([[0, 1, 2, 3]] * 3, int), host([[0, 1, 2, 3]] * 3, int)
    m, hm = dev(np.eye(3, 4), bool), host(np.eye(3, 4), bool)  # bool masks, as torch needs
    return [
        ("add", lambda: x + h), ("radd", lambda: h + x), ("mul", lambda: x * h),
        ("div", lambda: h / x), ("pow", lambda: x ** h), ("atan2", lambda: ag.atan2(x, h)),
        ("gt", lambda: x > h), ("eq", lambda: h == x), ("maximum", lambda: ag.maximum(x, h)),
        ("matmul", lambda: x @ h.T), ("bmm", lambda: ag.bmm(x.unsqueeze(0), h.T.unsqueeze(0))),
        ("einsum", lambda: ag.einsum("ij,kj->ik", x, h)), ("lerp", lambda: ag.lerp(x, h, 0.5)),
        ("clamp", lambda: ag.clamp(x, min=h)), ("cat", lambda: ag.cat([x, h])),
        ("stack", lambda: ag.stack([h, x])), ("where-cond", lambda: ag.where(hm, x, x)),
        ("where-other", lambda: ag.where(m, x, h)), ("masked_fill", lambda: x.masked_fill(hm, 0)),
        ("masked_select", lambda: ag.masked_select(x, hm)),
        ("gather", lambda: ag.gather(x, 1, hg)), ("gather-host-input", lambda: ag.gather(h, 1, g)),
        ("index_select", lambda: ag.index_select(x, 0, hidx)),
        ("index_select-host-input", lambda: ag.index_select(h, 0, idx)),
        ("take_along_dim", lambda: ag.take_along_dim(x, hg, 1)),
        ("scatter-index", lambda: ag.scatter(x, 1, hg, x)),
        ("scatter-src", lambda: ag.scatter(x, 1, g, h)),
        ("scatter_add", lambda: ag.scatter_add(x, 1, g, h)),
        ("softmax_cross_entropy",
         lambda: ag.ops.softmax_cross_entropy(x, host([0, 2, 1], int)._data)),
    ]


def _maker(device):
    def make(data, dtype=float):
        arr = np.asarray(data, dtype=dtype)
        if arr.dtype == float:
            arr = np.linspace(-1, 1, arr.size).reshape(arr.shape)
        return ag.tensor(arr, device=device)
    return make


@pytest.mark.parametrize("name", [n for n, _ in _mixes(_maker("cpu"), _maker("cpu"))])
def test_mixed_devices_raise_torchs_error(name, double_device) -> None:
    """An op given operands on two devices raises torch's RuntimeError naming both, as
    torch does; nothing is copied between host and device behind the user's back."""
    call = dict(_mixes(_maker(double_device), _maker("cpu")))[name]
    with pytest.raises(RuntimeError, match=_SAME_DEVICE):
        call()


def test_explicit_copies_and_host_index_keys_cross_devices(double_device) -> None:
    """What torch allows across devices: ``copy_`` and assignment (explicit copies, the
    gradient flowing back to the source's device) and ``[]`` with host indices."""
    x = ag.tensor(np.arange(12.0).reshape(3, 4), device=double_device)
    np.testing.assert_array_equal(x[ag.tensor([2, 0])].cpu().numpy(),
                                  np.arange(12.0).reshape(3, 4)[[2, 0]])
    src = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = ag.zeros(2, 4, dtype=np.float64, device=double_device) * 1
    y[0] = src * 2
    y[1].copy_(src * 3)
    assert y.device.type == "double"
    np.testing.assert_array_equal(y.detach().cpu().numpy(), [[2, 4, 6, 8], [3, 6, 9, 12]])
    (y * y).sum().backward()
    assert src.grad.device.type == "cpu"
    np.testing.assert_allclose(src.grad.numpy(), 2 * 4 * src.detach().numpy()
                               + 2 * 9 * src.detach().numpy())
    z = ag.ones(3, device=double_device)
    z.zero_()
    z.fill_(2.5)
    np.testing.assert_array_equal(z.cpu().numpy(), [2.5, 2.5, 2.5])


def test_function_with_an_unused_output_on_the_device(double_device) -> None:
    """A custom Function's unused output gets zeros on the device of the given gradient
    (they were made on the host), first order and under create_graph."""
    from autograd.ops.cases import _ScaleAndMul

    a = ag.tensor([1.0, -2.0], device=double_device, requires_grad=True)
    b = ag.tensor([3.0, 0.5], device=double_device, requires_grad=True)
    _, q = _ScaleAndMul.apply(a, b)
    ga, gb = ag.grad(q.sum(), (a, b), create_graph=True)
    assert ga.device.type == "double" and gb.device.type == "double"
    np.testing.assert_array_equal(ga.detach().cpu().numpy(), [3.0, 0.5])
    np.testing.assert_array_equal(gb.detach().cpu().numpy(), [1.0, -2.0])
    p, _ = _ScaleAndMul.apply(a, b)
    (gp,) = ag.grad(p.sum(), a)
    np.testing.assert_array_equal(gp.cpu().numpy(), [2.0, 2.0])


def test_the_double_answers_on_the_device_and_counts_host_reads(double_device) -> None:
    """As CuPy: functions NumPy answers with a Python number (count_nonzero, allclose,
    array_equal) give 0-d device arrays; metadata (ndim, shape) stays on the host; every
    read of a value by the host (bool, int, float, item, tolist, get) is a synchronisation."""
    from tests import devicedouble

    a = ag.tensor([[0.0, 1.0], [2.0, 0.0]], device=double_device)._data
    before = devicedouble.SYNCS[0]
    for r in (np.count_nonzero(a), np.allclose(a, a), np.array_equal(a, a), a.sum(),
              np.isnan(a).any()):
        assert isinstance(r, DoubleArray) and r.shape == ()
    assert np.ndim(a) == 2 and np.shape(a) == (2, 2)
    assert devicedouble.SYNCS[0] == before
    n = np.count_nonzero(a)
    assert bool(n != 4) and int(n) == 2 and float(n) == 2.0 and n.item() == 2
    assert a.tolist() == [[0.0, 1.0], [2.0, 0.0]]
    assert devicedouble.SYNCS[0] - before == 5


def test_a_cpu_scalar_tensor_joins_an_op_on_a_device(double_device) -> None:
    """torch's CPU-scalar rule (TensorIterator's allow_cpu_scalars, binary ops and
    comparisons): a 0-d CPU tensor may meet a device tensor; the result is on the device,
    at torch.result_type (a 0-d float64 with a float32 tensor gives float32, with an int64
    tensor float64: values computed with torch 2.13), and its gradient comes back to the
    host. A 0-d *device* tensor with a CPU tensor that has dimensions still raises."""
    xs = np.array([1.0, -2.0, 4.0], np.float32)
    x = ag.tensor(xs, device=double_device, requires_grad=True)
    s = ag.tensor(2.5, dtype=np.float64, requires_grad=True)
    outs = [x * s, s * x, x + s, s - x, x / s, s / x, x.abs() ** s, s ** x.abs()]
    for out in outs:
        assert isinstance(out._data, DoubleArray) and out.dtype == np.float32
    np.testing.assert_allclose(_host(outs[5]), 2.5 / xs, rtol=1e-6)
    (x * s + s / x - s).sum().backward()
    assert s.grad.device.type == "cpu" and s.grad.shape == ()
    np.testing.assert_allclose(s.grad.numpy(), xs.sum() + (1 / xs).sum() - 3, rtol=1e-6)
    assert isinstance(x.grad._data, DoubleArray)
    np.testing.assert_allclose(_host(x.grad), 2.5 - 2.5 / xs ** 2, rtol=1e-6)
    gt = x > ag.tensor(0.0)
    assert isinstance(gt._data, DoubleArray) and gt.dtype == np.bool_
    np.testing.assert_array_equal(_host(gt), [True, False, True])
    ints = ag.tensor([1, 2], device=double_device) * ag.tensor(1.5, dtype=np.float64)
    assert ints.dtype == np.float64 and isinstance(ints._data, DoubleArray)
    both = ag.tensor(3.0, device=double_device) * ag.tensor(2.0)  # two 0-d: the device's
    assert isinstance(both._data, DoubleArray) and both.item() == 6.0
    d0 = ag.tensor(3.0, device=double_device)
    for mix in (lambda: d0 * ag.ones(2), lambda: ag.ones(2) + d0, lambda: d0 > ag.ones(2)):
        with pytest.raises(RuntimeError, match="same device, but found at least two devices"):
            mix()


CPU_SCALAR_OPS = {
    "where": lambda x, s: ag.where(x > 0, x, s), "maximum": lambda x, s: ag.maximum(x, s),
    "minimum": lambda x, s: ag.minimum(s, x), "clamp-min": lambda x, s: ag.clamp(x, min=s),
    "clamp-max": lambda x, s: x.clamp(max=s), "atan2": lambda x, s: ag.atan2(x, s),
    "lerp": lambda x, s: ag.lerp(x, x * 2, s), "fmax": lambda x, s: ag.fmax(x, s),
    "masked_fill": lambda x, s: x.masked_fill(x > 0, s), "hypot": lambda x, s: ag.hypot(x, s),
    "copysign": lambda x, s: ag.copysign(x, s), "fmod": lambda x, s: ag.fmod(x, s),
    "remainder": lambda x, s: x % s, "floor_divide": lambda x, s: x // s,
}


@pytest.mark.parametrize("name", sorted(CPU_SCALAR_OPS))
def test_the_cpu_scalar_rule_holds_beyond_arithmetic(name: str, double_device) -> None:
    """where, maximum/minimum, clamp's bounds, lerp's weight, atan2, hypot, copysign, fmod,
    %, // and masked_fill's value take a 0-d CPU tensor beside a device tensor, as torch's
    TensorIterator does: the result is the CPU run's, on the device, and the scalar's
    gradient comes back to the host."""
    fn = CPU_SCALAR_OPS[name]
    got = []
    for where in ("cpu", double_device):
        x = ag.tensor([1.0, -2.0, 3.0], dtype=np.float64, requires_grad=True)
        s = ag.tensor(0.5, dtype=np.float64, requires_grad=True)
        out = fn(x.to(where), s)
        assert out.device.type == ag.device(where).type
        if out.requires_grad:
            (out.cpu() * ag.tensor([1.0, 2.0, 3.0], dtype=np.float64)).sum().backward()
        grads = [None if t.grad is None else (t.grad.device.type, t.grad.numpy().tolist())
                 for t in (x, s)]
        got.append((out.cpu().detach().numpy().tolist(), grads))
    assert got[0] == got[1]
    with pytest.raises(RuntimeError, match="same device|0-dimensional"):  # dims: no
        fn(ag.tensor([1.0, -2.0, 3.0]).to(double_device), ag.tensor([0.5, 0.5, 0.5]))


class _OnGpu:
    """A fake device array that knows only its device index (as a CuPy array's
    ``.device.id``): enough for the device checks, which read no values."""

    def __init__(self, index: int, ndim: int = 1) -> None:
        self.index, self.ndim, self.dtype = index, ndim, np.dtype(np.float32)


def test_two_indices_of_one_device_type_are_two_devices() -> None:
    """cuda:0 and cuda:1 are two devices to torch: arrays of one class on two indices
    raise its RuntimeError naming both (check_same_device, check_pair, promote)."""
    from autograd import backend
    from autograd.promotion import promote

    backend.register(backend.Backend("fakegpu", (_OnGpu,), np, None, None,
                                     index_of=lambda arr: arr.index))
    try:
        a0, b0, a1 = _OnGpu(0), _OnGpu(0), _OnGpu(1)
        backend.check_same_device(a0, b0, None, 2.0)
        backend.check_pair(a0, b0)
        msg = "found at least two devices, fakegpu:0 and fakegpu:1!"
        for call in (lambda: backend.check_same_device(a0, b0, a1),
                     lambda: backend.check_pair(a0, a1), lambda: promote(a0, a1)):
            with pytest.raises(RuntimeError, match=msg):
                call()
    finally:
        backend.unregister("fakegpu")


@pytest.mark.parametrize("stride", [2, 1])
def test_max_pool_ties_and_nans_on_a_device_without_a_host_read(stride, double_device) -> None:
    """Max-pool on a device routes ties to the first maximum in row-major order and NaN
    windows as torch (the CPU's gradients), with no host read in forward or backward:
    the host's tiling path tests for ties with a count_nonzero, a synchronisation on a GPU."""
    from autograd.ops.pool import max_pool2d
    from tests import devicedouble

    xs = np.array([[1, 1, 0, 2], [1, 0, 2, 2], [np.nan, 3, 5, 5], [3, np.nan, 5, 5]])[None, None]
    grads = []
    for device in ("cpu", double_device):
        x = ag.tensor(xs, device=device, requires_grad=True)
        before = devicedouble.SYNCS[0]
        y = max_pool2d(x, 2, stride)
        y.backward(ag.tensor(np.arange(1.0, 1.0 + y.numel()).reshape(y.shape), device=device))
        assert devicedouble.SYNCS[0] == before
        grads.append((_host(y), _host(x.grad)))
    np.testing.assert_array_equal(grads[1][0], grads[0][0])
    np.testing.assert_array_equal(grads[1][1], grads[0][1])


def _linalg_edge_calls():
    """(name, call(make)) pairs on the decompositions' error and edge paths; ``make``
    turns a host array into a tensor on the device under test."""
    la = ag.linalg
    rng = np.random.default_rng(5)
    g = rng.standard_normal((2, 4, 3))
    not_pd = np.array([[[4.0, 2, 0], [2, 1, 0], [0, 0, 1]], [[2.0, 0, 0], [0, 2, 0], [0, 0, 2]]])
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    spd = g.swapaxes(-1, -2) @ g
    return [
        ("cholesky-not-pd", lambda m: la.cholesky(m(not_pd))),
        ("cholesky-upper-not-pd", lambda m: la.cholesky(m(not_pd[0]), upper=True)),
        ("cholesky_ex-info", lambda m: la.cholesky_ex(m(not_pd))),
        ("cholesky-empty", lambda m: la.cholesky_ex(m(np.zeros((2, 0, 0))))),
        ("inv-singular", lambda m: la.inv(m(singular))),
        ("solve-singular", lambda m: la.solve(m(singular), m(np.ones((2, 1))))),
        ("matrix_exp-inf", lambda m: la.matrix_exp(m(np.full((2, 2), np.inf)))),
        ("matrix_exp-scaled", lambda m: la.matrix_exp(m(30 * g[:, :3]))),
        ("solve_triangular-zero-pivot", lambda m: la.solve_triangular(
            m(np.triu(singular)) * 0, m(np.ones((2, 1))), upper=True)),
        ("qr-r", lambda m: la.qr(m(g), mode="r")),
        ("qr-empty", lambda m: la.qr(m(np.zeros((3, 0))), mode="complete")),
        ("svd-empty", lambda m: la.svd(m(np.zeros((2, 0, 3))))),
        ("svdvals-empty", lambda m: la.svdvals(m(np.zeros((0, 2))))),
        ("svd-no-uv", lambda m: ag.svd(m(g), compute_uv=False)),
        ("eigh-empty", lambda m: la.eigh(m(np.zeros((0, 0))))),
        ("eigvalsh", lambda m: la.eigvalsh(m(spd), UPLO="U")),
        ("pinv-empty", lambda m: la.pinv(m(np.zeros((3, 0))))),
        ("pinv-tensor-tols", lambda m: la.pinv(m(g), atol=m(np.array(0.5)), rtol=m(np.array(0.1)))),
        ("pinv-hermitian-atol", lambda m: la.pinv(m(spd), hermitian=True, atol=2.0)),
        ("matrix_rank", lambda m: la.matrix_rank(m(np.outer([1.0, 2, 3], [1.0, -1, 2])))),
        ("matrix_rank-hermitian", lambda m: la.matrix_rank(m(spd), hermitian=True, rtol=0.3)),
        ("matrix_rank-empty", lambda m: la.matrix_rank(m(np.zeros((2, 0, 3))))),
        ("lstsq-gelsd", lambda m: la.lstsq(m(g), m(g[..., :2]), driver="gelsd")),
        ("lstsq-vector-gelss", lambda m: la.lstsq(m(g[0]), m(g[0, :, 0]), driver="gelss")),
        ("lstsq-empty", lambda m: la.lstsq(m(np.zeros((0, 2))), m(np.zeros((0, 1))))),
        ("matrix_norm-2-nuc", lambda m: (la.matrix_norm(m(g), 2), la.matrix_norm(m(g), -2),
                                         la.matrix_norm(m(g), "nuc"))),
        ("cond", lambda m: (la.cond(m(g)), la.cond(m(g[:, :3]), 1))),
        ("cholesky_inverse", lambda m: ag.cholesky_inverse(m(np.tril(spd[0]) + np.eye(3)))),
    ]


_LINALG_RAISES = {"cholesky-not-pd", "cholesky-upper-not-pd", "inv-singular", "solve-singular"}


def _linalg_outcome(call, device):
    """The values (host arrays, and whether each was on ``device``) or (class, message)."""
    def make(arr):
        return ag.tensor(np.asarray(arr, dtype=np.float64), device=device)
    try:
        with np.errstate(all="ignore"):
            out = call(make)
    except Exception as err:  # noqa: BLE001 - the exception is the outcome compared
        return type(err), str(err)
    outs = out if isinstance(out, tuple) else (out,)
    return [(_host(t), ag.device(device) == t.device) for t in outs]


def check_linalg_edge(name, device, rtol=1e-10, atol=1e-12) -> None:
    """The outcome on ``device`` is the CPU's: the same exception (class and message), or
    the same values, each on ``device``."""
    call = dict(_linalg_edge_calls())[name]
    want, got = _linalg_outcome(call, "cpu"), _linalg_outcome(call, device)
    assert isinstance(want, tuple) == (name in _LINALG_RAISES), want
    if isinstance(want, tuple):
        assert want[0] is ag.linalg.LinAlgError and got == want
        return
    assert isinstance(got, list) and len(got) == len(want), got
    for (w, _), (v, there) in zip(want, got, strict=True):
        assert there and v.dtype == w.dtype and v.shape == w.shape
        np.testing.assert_allclose(v, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", [n for n, _ in _linalg_edge_calls()])
def test_linalg_errors_and_edge_cases_on_the_double(name, double_device) -> None:
    """Singular and non-positive-definite input raises the CPU's LinAlgError (the double,
    as CuPy, fails silently unless the op asks for the device's checks), and empty inputs,
    tolerances, ranks and residuals give the CPU's results, on the device."""
    check_linalg_edge(name, double_device)


# The decompositions read no device value on the host themselves, forward or backward
# (first and second order); the only waits on a GPU are CuPy's reads of cuSOLVER's info
# under backend.linalg_checks (torch's CUDA checks read theirs too). matrix_exp reads its
# number of squarings, lstsq its rank where residuals may come back (data-dependent).
_NO_READS = {"cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh",
             "solve_triangular", "cholesky_solve", "cholesky_inverse", "triangular_solve",
             "pinv", "pinverse"}


@pytest.mark.parametrize("case", [c for c in AUTOGRAD_CASES if c.op in _NO_READS],
                         ids=lambda c: c.id)
def test_decompositions_read_nothing_on_the_host(case, double_device) -> None:
    from tests import devicedouble

    ag.set_default_device(double_device)
    try:
        before = devicedouble.SYNCS[0]
        _grads(case, double_device)
        assert devicedouble.SYNCS[0] == before
    finally:
        ag.set_default_device(None)
