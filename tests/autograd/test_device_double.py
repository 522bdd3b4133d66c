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
    assert y.grad_fn.name == "ToDeviceBackward" and y.device.type == "double"
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
