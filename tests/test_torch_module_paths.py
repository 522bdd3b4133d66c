"""torch's module paths, rewritten by the name map, import and hold torch's names:
``from torch.autograd import Variable`` reads ``from autograd.autograd import Variable``,
``from torch.nn.parameter import Parameter`` reads ``from nn.parameter import Parameter``,
and so on (these were ImportErrors)."""

from __future__ import annotations

import importlib
import sys

import pytest

import autograd as ag
import nn


@pytest.mark.parametrize("module, names", [
    ("autograd.autograd", ["Function", "grad", "Variable", "backward", "no_grad"]),
    ("autograd.autograd.functional", ["jacobian", "hessian", "vjp"]),
    ("autograd.autograd.grad_mode", ["no_grad", "enable_grad"]),
    ("nn.parameter", ["Parameter", "Buffer"]),
    ("nn.modules.utils", ["_single", "_pair", "_triple", "_quadruple", "_ntuple"]),
    ("nn.modules.sparse", ["Embedding", "EmbeddingBag"]),
    ("nn.modules.normalization", ["LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm"]),
    ("nn.modules.activation", ["MultiheadAttention", "ReLU"]),
    ("nn.modules.loss", ["_Loss", "_WeightedLoss"]),
])
def test_module_path_imports(module: str, names: list) -> None:
    m = importlib.import_module(module)
    for name in names:
        assert hasattr(m, name), f"{module}.{name}"


def test_the_autograd_alias_is_the_package_and_its_modules_themselves() -> None:
    import autograd.autograd.functional as aliased

    import autograd.functional

    assert importlib.import_module("autograd.autograd") is ag
    assert aliased is autograd.functional  # one module object, not a second copy
    assert sys.modules["autograd.autograd.functional"] is autograd.functional


def test_variable_is_torchs_deprecated_wrapper() -> None:
    from autograd.autograd import Variable

    t = ag.ones(2)
    v = Variable(t, requires_grad=True)
    assert v.requires_grad and not t.requires_grad and v is not t
    assert v.data_ptr() == t.data_ptr() and isinstance(t, Variable)  # shares, as torch
    y = ag.ones(2, requires_grad=True) * 2
    assert Variable(y).grad_fn is None  # detached
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1, 2])


def test_argument_helpers_and_weighted_loss() -> None:
    from nn.modules.loss import _WeightedLoss
    from nn.modules.utils import _pair, _quadruple, _reverse_repeat_tuple, _triple

    assert _pair(3) == (3, 3) and _pair((1, 2)) == (1, 2) and _triple([1, 2, 3]) == (1, 2, 3)
    assert _quadruple(0) == (0, 0, 0, 0) and _reverse_repeat_tuple((1, 2), 2) == (2, 2, 1, 1)

    class Weighted(_WeightedLoss):
        def forward(self, x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
            return ((x - y) ** 2 * self.weight).mean()

    loss = Weighted(weight=ag.tensor([1.0, 2.0]))
    assert loss(ag.ones(2), ag.zeros(2)).item() == 1.5 and list(loss.state_dict()) == ["weight"]
    assert isinstance(loss, nn.Module)


def test_fork_rng_restores_the_default_generator() -> None:
    ag.manual_seed(0)
    first = ag.rand(3).tolist()
    ag.manual_seed(0)
    with ag.random.fork_rng():
        inside = ag.rand(3).tolist()
    assert inside == first and ag.rand(3).tolist() == first
    with ag.random.fork_rng(enabled=False):
        ag.rand(1)
    assert ag.rand(3).tolist() != first
