"""Tensor printing in torch 2.13's format: printouts of chainrule programs compare equal to
torch's. The expected strings are torch's, computed once with torch (never imported here)."""

from __future__ import annotations

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
