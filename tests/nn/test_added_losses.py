"""The added margin, embedding, triplet and likelihood losses: torch's exception classes,
module options and reprs (values and gradients of every reduction against torch are in
test_added_values.py)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

o = ag.ones
LOSSES = ["CosineEmbeddingLoss", "GaussianNLLLoss", "HingeEmbeddingLoss", "MarginRankingLoss",
          "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
          "PoissonNLLLoss", "SoftMarginLoss", "TripletMarginLoss",
          "TripletMarginWithDistanceLoss"]


@pytest.mark.parametrize("name", LOSSES)
def test_repr_as_torch_and_reduction_kept(name) -> None:
    cls = getattr(nn, name)
    # torch prints no options; TripletMarginWithDistanceLoss's default distance_function is a
    # PairwiseDistance module, a child, which torch 2.13 prints
    child = "(\n  (distance_function): PairwiseDistance()\n)" if "Distance" in name else "()"
    assert repr(cls(reduction="sum")) == f"{name}{child}"
    assert cls(reduction="none").reduction == "none"


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: F.margin_ranking_loss(o(3), o(3), o(3, 1)), RuntimeError,
     "All input tensors should have same dimension"),
    (lambda: F.cosine_embedding_loss(o(3, 2), o(3, 2), o(3, 1)), RuntimeError,
     "0D or 1D target tensor expected"),
    (lambda: F.cosine_embedding_loss(o(3), o(3), o(3)), RuntimeError,
     r"1D target tensor expects 2D input tensors, but found inputs with sizes \[3\] and \[3\]"),
    (lambda: F.multi_margin_loss(o(3, 4), ag.tensor([0, 1, 4])), RuntimeError, "out of range"),
    (lambda: F.multi_margin_loss(o(3, 4), ag.tensor([0, 1])), RuntimeError, "target size"),
    (lambda: F.multi_margin_loss(o(3, 4), ag.tensor([0, 1, 2]), p=3), ValueError,
     "only p == 1 and p == 2 supported"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, "only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(o(2, 3, 4), ag.tensor([0, 1])), RuntimeError,
     "Expected non-empty vector or matrix"),
    (lambda: F.triplet_margin_loss(o(3, 2), o(3), o(3, 2)), RuntimeError,
     "anchor 2D, positive 1D, and negative 2D inputs"),
    (lambda: F.triplet_margin_loss(o(3, 2), o(3, 2), o(3, 2), margin=0), ValueError,
     "margin must be greater than 0, got 0"),
    (lambda: nn.TripletMarginLoss(margin=-1), ValueError, "expected margin to be greater"),
    (lambda: nn.TripletMarginWithDistanceLoss(margin=0), ValueError,
     "expected margin to be greater than 0, got 0 instead"),
    (lambda: F.gaussian_nll_loss(o(3, 2), o(3, 2), o(2, 2)), ValueError,
     "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(o(3, 2), o(3, 2), -o(3, 2)), ValueError,
     "var has negative entry"),
    (lambda: F.gaussian_nll_loss(o(3, 2), o(3, 2), -1.0), ValueError, "var has negative"),
    (lambda: F.gaussian_nll_loss(o(3, 2), o(3, 2), o(3, 2), reduction="x"), ValueError,
     "x is not valid"),
    (lambda: F.poisson_nll_loss(o(3), o(3), reduction="x"), ValueError, "reduction"),
    (lambda: F.multilabel_margin_loss(o(2, 3), ag.tensor([[0, 5, -1], [1, -1, 0]])),
     RuntimeError, "out of range"),
    (lambda: F.multilabel_margin_loss(o(2, 3), ag.tensor([[0, 1], [1, -1]])), RuntimeError,
     r"inconsistent target size: \[2, 2\] for input of size: \[2, 3\]"),
    (lambda: F.hinge_embedding_loss(o(3), o(2)), RuntimeError, "broadcast"),
    (lambda: F.soft_margin_loss(o(3), o(3, requires_grad=True)), RuntimeError,
     "not differentiable with respect to argument 'target'"),
    (lambda: F.cosine_embedding_loss(o(2, 3), o(2, 3), ag.tensor(1.0)), RuntimeError,
     r"0D target tensor expects 1D input tensors, but found inputs with sizes \[2, 3\]"),
    (lambda: F.cosine_embedding_loss(o(2, 3), o(2, 4), o(2)), RuntimeError, "broadcast"),
    (lambda: F.multi_margin_loss(o(3, 4), ag.tensor([0, 1, -1])), RuntimeError,
     "target out of range"),
    (lambda: F.multi_margin_loss(o(3, 4), ag.tensor([[0, 1, 1]])), RuntimeError,
     r"Expected target size \[3\], but got \[1, 3\]"),
    (lambda: F.multi_margin_loss(o(3, 4), ag.tensor([0.0, 1.0, 1.0])), RuntimeError,
     "expected scalar type Long but found Float"),
    (lambda: F.multi_margin_loss(o(2, 0), ag.tensor([0, 0])), RuntimeError,
     r"Expected non-empty vector or matrix with optional 0-dim batch size, but got: \[2, 0\]"),
    (lambda: F.multilabel_margin_loss(o(0), ag.tensor([0])), RuntimeError,
     "Expected non-empty vector or matrix"),
    (lambda: F.multilabel_margin_loss(o(2, 3), ag.tensor([[0, -1, 5], [1, -1, 0]])),
     RuntimeError, "argument #2 'target' is out of range"),
    (lambda: F.multilabel_margin_loss(o(3), ag.tensor([[0, 1, -1]])), RuntimeError,
     r"inconsistent target size: \[1, 3\] for input of size: \[3\]"),
])
def test_errors_as_torch(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_shapes_of_vector_inputs_as_torch() -> None:
    # torch 2.13: multi_margin_loss with reduction='none' takes the target's shape: (1,) for
    # a (1,) target, () for a 0-d one (a (C,) input either way);
    # multilabel_margin_loss of a (C,) input → shape ()
    assert F.multi_margin_loss(o(4), ag.tensor([2]), reduction="none").shape == (1,)
    assert F.multi_margin_loss(o(4), ag.tensor(2), reduction="none").shape == ()
    assert F.multi_margin_loss(o(1, 4), ag.tensor(2), reduction="none").shape == ()
    assert F.multi_margin_loss(ag.tensor(1.0), ag.tensor([0]), reduction="none").shape == (1,)
    assert F.multilabel_margin_loss(ag.tensor(1.0), ag.tensor(0), reduction="none").shape == ()
    assert F.multilabel_margin_loss(o(3), ag.tensor([0, 1, -1]), reduction="none").shape == ()
    assert F.cosine_embedding_loss(o(3), o(3), ag.tensor(1.0), reduction="none").shape == ()


def test_soft_margin_target_may_require_grad_under_no_grad() -> None:
    with ag.no_grad():  # torch: the check is on the recorded graph only
        assert F.soft_margin_loss(o(3), o(3, requires_grad=True)).shape == ()


def test_weights_are_buffers_and_legacy_flags_apply() -> None:
    m = nn.MultiMarginLoss(weight=ag.tensor([1.0, 2.0, 3.0]))
    assert list(m.state_dict()) == ["weight"]
    assert m.double().weight.dtype == np.float64
    assert list(nn.MultiLabelSoftMarginLoss(weight=[1.0, 2.0]).state_dict()) == ["weight"]
    assert nn.SoftMarginLoss(size_average=False).reduction == "sum"
    assert nn.PoissonNLLLoss(reduce=False).reduction == "none"
    m = nn.TripletMarginWithDistanceLoss(distance_function=F.pairwise_distance, swap=True)
    assert m.swap and m.margin == 1.0 and m.distance_function is F.pairwise_distance


def test_gaussian_nll_clamp_passes_the_gradient() -> None:
    # torch: var clamped at eps in place without recording: d/dvar is taken at eps, passed 1:1
    # (torch: grad of var = 0.5/eps − 0.5·(x − y)²/eps² at var = 0.01 < eps = 0.1)
    var = ag.tensor([0.01, 1.0], dtype=np.float64, requires_grad=True)
    x = ag.tensor([0.5, 0.5], dtype=np.float64)
    F.gaussian_nll_loss(x, ag.zeros(2, dtype=np.float64), var, eps=0.1,
                        reduction="sum").backward()
    np.testing.assert_allclose(var.grad.numpy(), [0.5 / 0.1 - 0.5 * 0.25 / 0.01,
                                                  0.5 - 0.5 * 0.25], rtol=1e-12)
