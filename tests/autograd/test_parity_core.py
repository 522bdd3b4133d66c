"""Tensor printing in torch 2.13's format: printouts of chainrule programs compare equal to
torch's. The expected strings are torch's, computed once with torch (never imported here)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

TORCH_REPRS = {
    "ag.tensor([1.5, 2.])": "tensor([1.5000, 2.0000])",
    "ag.tensor(1.5)": "tensor(1.5000)",
    "ag.tensor([1e-5, 1.])": "tensor([1.0000e-05, 1.0000e+00])",
    "ag.tensor([1., 2000.])": "tensor([1.0000e+00, 2.0000e+03])",
    'ag.tensor([float("nan"), 1.5])': "tensor([   nan, 1.5000])",
    "ag.tensor([-1.5, 2.25, 100.125])": "tensor([ -1.5000,   2.2500, 100.1250])",
    "ag.tensor([1, 2], dtype=ag.int32)": "tensor([1, 2], dtype=torch.int32)",
    "ag.tensor([1.5, 2.], dtype=ag.float16)": "tensor([1.5000, 2.0000], dtype=torch.float16)",
    "ag.zeros(2, 0)": "tensor([], size=(2, 0))",
    "ag.tensor([], dtype=ag.int64)": "tensor([], dtype=torch.int64)",
    "ag.arange(12.).reshape(3, 4) / 7":
        "tensor([[0.0000, 0.1429, 0.2857, 0.4286],\n        [0.5714, 0.7143, 0.8571, 1.0000],\n"
        "        [1.1429, 1.2857, 1.4286, 1.5714]])",
    "ag.linspace(0, 1, 12)":
        "tensor([0.0000, 0.0909, 0.1818, 0.2727, 0.3636, 0.4545, 0.5455, 0.6364, 0.7273,\n"
        "        0.8182, 0.9091, 1.0000])",
    "ag.tensor([[True], [False]])": "tensor([[ True],\n        [False]])",
    "ag.tensor([1., 2.], requires_grad=True) * 2": "tensor([2., 4.], grad_fn=<MulBackward0>)",
    "ag.ones(2, 3, requires_grad=True) @ ag.ones(3, 2)":
        "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<MmBackward0>)",
    "ag.tensor([1.,2.], requires_grad=True).double()":
        "tensor([1., 2.], dtype=torch.float64, grad_fn=<ToCopyBackward0>)",
    "ag.arange(1001.)": "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])",
}


@pytest.mark.parametrize("expr", sorted(TORCH_REPRS))
def test_repr_is_torchs(expr: str) -> None:
    t = eval(expr, {"ag": ag})
    assert repr(t) == TORCH_REPRS[expr]
    assert str(t) == TORCH_REPRS[expr]


def test_printoptions_change_precision_and_back() -> None:
    ag.set_printoptions(precision=2)
    try:
        assert repr(ag.tensor([1.2345, 2.0])) == "tensor([1.23, 2.00])"
    finally:
        ag.set_printoptions(profile="default")
    assert repr(ag.tensor([1.2345, 2.0])) == "tensor([1.2345, 2.0000])"


# -- autograd semantics (torch 2.13's values written in) -------------------------------------
def test_retained_grad_is_taken_after_every_hook_whenever_registered() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)  # registered after retain_grad: still runs before it
    (y * y).sum().backward()
    assert y.grad.tolist() == [40.0, 80.0] and x.grad.tolist() == [80.0, 160.0]
    assert y.retains_grad and not x.retains_grad


def test_backward_inputs_accumulates_only_into_those_tensors() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    z = ag.tensor([3.0, 4.0], requires_grad=True)
    h = x * z
    (h * h).sum().backward(inputs=[z, h])
    assert x.grad is None and z.grad.tolist() == [6.0, 32.0] and h.grad.tolist() == [6.0, 16.0]
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * x).sum().backward(inputs=[])


def test_grad_materialize_grads_and_empty_inputs() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    z = ag.tensor(1.0, requires_grad=True)
    gx, gz = ag.grad((x * x).sum(), [x, z], materialize_grads=True)
    assert gx.tolist() == [2.0, 4.0] and gz.item() == 0.0 and gz.shape == ()
    with pytest.raises(ValueError):
        ag.grad((x * x).sum(), [x, z], allow_unused=False, materialize_grads=True)
    with pytest.raises(RuntimeError):
        ag.grad((x * x).sum(), [])


def test_a_hook_may_not_change_the_gradient_dtype() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match="type"):
        (x * x).sum().backward()


def test_detach_in_place_and_the_non_leaf_grad_warning() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="not a leaf"):
        assert y.grad is None
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None


# -- tensor creation (torch 2.13's values written in) ----------------------------------------
def test_tensor_with_a_dtype_converts_python_floats_once() -> None:
    assert ag.tensor([1e40], dtype=ag.float64).tolist() == [1e40]  # was inf (via float32)
    assert ag.tensor(1.0000001, dtype=ag.float64).item() == 1.0000001


def test_tensor_dtype_inference_as_torch() -> None:
    assert ag.tensor([np.float64(1.5), 2.0]).dtype == np.float64
    assert ag.tensor([1.5, 2.0]).dtype == np.float32
    assert ag.tensor(3 + 1j).dtype == np.complex64
    with pytest.raises(RuntimeError):
        ag.tensor(None)
    with pytest.raises(RuntimeError):
        ag.tensor([1.0, float("nan")], dtype=ag.int64)
    with pytest.raises(RuntimeError):
        ag.tensor(2**40, dtype=ag.int32)


def test_full_takes_torchs_dtype_from_the_fill_value() -> None:
    assert ag.full((2,), np.float64(2.0)).dtype == np.float32
    assert ag.full((2,), np.int32(3)).dtype == np.int64
    assert ag.full((2,), True).dtype == np.bool_
    with pytest.raises(RuntimeError):
        ag.full((2,), float("nan"), dtype=ag.int64)


def test_arange_as_torch() -> None:
    assert ag.arange(1, 2.5, 0.5, dtype=ag.int32).tolist() == [1, 1, 1]
    assert ag.arange(0.5, 3, 1, dtype=ag.int64).tolist() == [0, 1, 2]
    assert ag.arange(ag.tensor(4)).dtype == np.int64
    assert ag.arange(end=3).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError):
        ag.arange(0, 1, 0)
    with pytest.raises(RuntimeError):
        ag.arange(0, 5, -1)


def test_integer_linspace_and_logspace_truncate_the_ends_first() -> None:
    assert ag.linspace(-1.5, 2.5, 9, dtype=ag.int64).tolist() == [-1, 0, 0, 0, 0, 0, 1, 1, 2]
    assert ag.linspace(0.9, 3.9, 4, dtype=ag.int64).tolist() == [0, 1, 2, 3]
    assert ag.logspace(-1.5, 2.5, 5, dtype=ag.int64).tolist() == [0, 0, 3, 17, 100]


@pytest.mark.parametrize("make", [ag.zeros, ag.ones, ag.empty, ag.rand, ag.randn])
def test_factory_sizes_are_checked_as_torch(make) -> None:
    assert make(size=(2, 3)).shape == (2, 3)
    with pytest.raises(TypeError):
        make(2.0)
    with pytest.raises(TypeError):
        make()
    with pytest.raises(RuntimeError):
        make(-1)
    assert ag.rand_like(ag.tensor(1.5)).shape == ()


def test_eye_with_a_negative_size_raises_runtime_error() -> None:
    with pytest.raises(RuntimeError):
        ag.eye(-1)


# -- custom Functions (torch 2.13's values written in) ---------------------------------------
class _Scale(ag.Function):
    @staticmethod
    def forward(ctx, x, k=2.0):
        ctx.save_for_backward(x)
        ctx.k = k
        return x**2 * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x * ctx.k, None  # a None for k even when apply got only x: as torch


class _MaxAndIndex(ag.Function):
    @staticmethod
    def forward(ctx, x):
        c = x * 1
        ctx.mark_non_differentiable(c)
        return x.max(), x.argmax(), c

    @staticmethod
    def backward(ctx, g, gi, gc):
        ctx.gc = gc.tolist()
        return g * ag.ones(3)


class _TwoOut(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 1, x * 2

    @staticmethod
    def backward(ctx, ga, gb):
        ctx.seen = (ga is None, gb is None)
        return (ga if ga is not None else 0) + (gb * 2 if gb is not None else 0)


def test_function_extra_none_gradients_and_keyword_arguments() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = _Scale.apply(x)
    y.sum().backward()
    assert y.tolist() == [2.0, 8.0, 18.0] and x.grad.tolist() == [4.0, 8.0, 12.0]
    x.grad = None
    y = _Scale.apply(x, k=3.0)
    y.sum().backward()
    assert y.tolist() == [3.0, 12.0, 27.0] and x.grad.tolist() == [6.0, 12.0, 18.0]
    assert y.grad_fn.needs_input_grad == (True, False) and y.grad_fn.k == 3.0


def test_function_non_differentiable_outputs_and_unmaterialized_grads() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m, i, c = _MaxAndIndex.apply(x)
    assert (m.requires_grad, i.requires_grad, c.requires_grad) == (True, False, False)
    m.backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0] and m.grad_fn.gc == [0.0, 0.0, 0.0]
    x.grad = None
    a, b = _TwoOut.apply(x)
    b.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and b.grad_fn.seen == (True, False)


def test_function_returning_a_number_returns_it() -> None:
    class Five(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return 5

        @staticmethod
        def backward(ctx, g):
            return g

    assert Five.apply(ag.tensor([1.0], requires_grad=True)) == 5


# -- the Tensor object (torch 2.13's answers written in) -------------------------------------
def test_type_names_and_casts() -> None:
    x = ag.tensor([1.5, 2.0])
    assert x.type() == "torch.FloatTensor" and ag.tensor([1]).type() == "torch.LongTensor"
    assert x.type(ag.float64).dtype == np.float64
    assert x.type("torch.LongTensor").tolist() == [1, 2]
    assert x.type(ag.float32) is x
    assert ag.tensor([1]).type_as(x).dtype == np.float32


def test_new_factories_keep_the_tensors_dtype() -> None:
    x = ag.tensor([1.5, 2.0])
    assert x.new_zeros(2, 3).dtype == np.float32 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_full((2,), 3).tolist() == [3.0, 3.0]
    assert x.new_tensor([1, 2]).dtype == np.float32
    assert ag.tensor([1, 2]).new_ones((2,)).dtype == np.int64
    assert x.new_empty(4).shape == (4,)


def test_membership_and_scalar_conversions() -> None:
    m = ag.tensor([[1, 2], [3, 4]])
    assert 2 in m and 5 not in m and ag.tensor(2) in ag.tensor([1, 2])
    assert 2.5 in ag.tensor(2.5)  # a 0-d tensor too (it cannot be iterated)
    for convert in (float, int, complex):
        with pytest.raises(ValueError):
            convert(ag.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError):
        ag.tensor([1.0, 2.0]).item()


def test_kind_queries_and_t() -> None:
    assert ag.tensor(3).is_signed() and not ag.tensor([1], dtype=ag.uint8).is_signed()
    assert not ag.tensor(True).is_signed() and ag.tensor(1.0).is_floating_point()
    assert not ag.tensor(1).is_floating_point() and not ag.tensor(1.0).is_complex()
    assert ag.tensor([1.0, 2.0]).element_size() == 4 and ag.tensor([1.0, 2.0]).nbytes == 8
    assert ag.ones(2, 3).t().shape == (3, 2) and ag.tensor([1.0, 2.0]).t().shape == (2,)
    with pytest.raises(RuntimeError):
        ag.ones(2, 2, 2).t()
    w = ag.ones(2, 3, requires_grad=True)
    (w.t() * ag.tensor([[1.0, 2.0]] * 3)).sum().backward()
    assert w.grad.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    x = ag.tensor([1.0, 2.0])
    assert x.data_ptr() == x.detach().data_ptr() and x.is_contiguous() and x.is_cpu
    assert x.get_device() == -1 and x.ndimension() == 1


def test_inference_mode_as_context_decorator_and_switch() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    with ag.inference_mode():
        y = x * 2
        assert ag.is_inference_mode_enabled() and not ag.is_grad_enabled()
        with ag.inference_mode(False):  # as torch: grad mode back on
            assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    assert not y.requires_grad and ag.is_grad_enabled() and not ag.is_inference_mode_enabled()

    @ag.inference_mode
    def bare(a):
        return a * 2

    @ag.inference_mode()
    def called(a):
        return a * 2

    assert not bare(x).requires_grad and not called(x).requires_grad
    assert ag.is_grad_enabled()


def test_in_place_draws_fill_as_torchs() -> None:
    ag.manual_seed(0)
    w = ag.zeros(400, 100)
    assert w.normal_(0, 0.01) is w and w._version == 1
    assert abs(w.mean().item()) < 1e-3 and abs(w.std().item() - 0.01) < 5e-4
    w.uniform_(-2, 3)
    assert -2 <= w.min().item() and w.max().item() < 3 and abs(w.mean().item() - 0.5) < 0.05
    w.bernoulli_(0.3)
    assert set(np.unique(w.numpy()).tolist()) == {0.0, 1.0}
    assert abs(w.mean().item() - 0.3) < 0.02
    w.exponential_(2.0)
    assert abs(w.mean().item() - 0.5) < 0.02 and w.dtype == np.float32
    p = ag.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        p.normal_()
    with pytest.raises(NotImplementedError):
        ag.zeros(3, dtype=ag.int64).normal_()
    x = ag.ones(3, requires_grad=True)
    y = x * 2
    y.normal_()  # overwritten: no gradient reaches x through the old values (torch: zeros)
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_as_tensor_shares_what_it_can() -> None:
    a = np.array([1.0, 2.0])
    t = ag.as_tensor(a)
    a[0] = 9.0
    assert t.tolist() == [9.0, 2.0] and t.dtype == np.float64
    b = ag.tensor([1.0, 2.0])
    assert ag.as_tensor(b) is b and ag.as_tensor(b, dtype=ag.float64) is not b
    assert ag.as_tensor([1, 2]).dtype == np.int64
    assert ag.as_tensor(a, dtype=ag.float32).dtype == np.float32


def test_size_and_default_dtype() -> None:
    s = ag.Size([2, 3])
    assert repr(s) == "torch.Size([2, 3])" and s.numel() == 6 and s == (2, 3)
    assert ag.zeros(s).shape == (2, 3) and ag.zeros(2, 3).shape == s
    assert ag.get_default_dtype() == ag.float32
    ag.set_default_dtype(ag.float32)
    with pytest.raises(NotImplementedError):
        ag.set_default_dtype(ag.float64)


def test_next_functions_and_name_as_torchs() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    s = y.sum()
    assert s.grad_fn.name() == "SumBackward0" and y.grad_fn.name() == "MulBackward0"
    ((prev, idx),) = s.grad_fn.next_functions
    assert prev is y.grad_fn and idx == 0
    (acc, _), (const, _) = y.grad_fn.next_functions  # x, then the number 2 (None)
    assert acc.variable is x and acc.name() == "torch::autograd::AccumulateGrad"
    assert const is None and acc.next_functions == ()


def test_manual_seed_argument_checks_as_torch() -> None:
    ag.manual_seed(1.5)  # torch.manual_seed takes int(seed)
    assert ag.initial_seed() == 1
    ag.manual_seed(2**64 - 1)
    assert ag.initial_seed() == 2**64 - 1
    with pytest.raises(ValueError):
        ag.manual_seed(2**64)
    with pytest.raises(RuntimeError):
        ag.Generator().manual_seed(1.5)
    ag.manual_seed(0)


def test_module_backward_and_set_detect_anomaly() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor(3.0, requires_grad=True)
    ag.backward([(x * x).sum(), (x * y).sum()])
    assert x.grad.tolist() == [5.0, 7.0] and y.grad.item() == 3.0
    ag.backward([x * 2], [ag.ones(2)])
    assert x.grad.tolist() == [7.0, 9.0]
    ag.backward((x * y).sum(), inputs=[y])
    assert x.grad.tolist() == [7.0, 9.0] and y.grad.item() == 6.0
    ag.set_detect_anomaly(True)
    try:
        assert ag.is_anomaly_enabled()
    finally:
        ag.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()
    with ag.set_detect_anomaly(True):
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()
