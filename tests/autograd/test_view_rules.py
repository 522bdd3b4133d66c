"""view() as torch: it aliases where the strides allow and raises where only a copy could
give the shape (a copy would silently not be a view); contiguous() makes one possible."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_view_of_a_transpose_raises_as_torch() -> None:
    z = ag.arange(24.0).reshape(4, 6).t()
    with pytest.raises(RuntimeError, match=r"view size is not compatible.*Use \.reshape"):
        z.view(-1)
    with pytest.raises(RuntimeError, match="not compatible"):
        ag.arange(24.0).reshape(2, 3, 4).transpose(1, 2).view(2, 12)
    assert z.reshape(-1).shape == (24,)  # reshape copies instead, as torch's
    assert ag.zeros(0, 3).t().view(-1).shape == (0,)  # nothing to copy: torch views too


def test_views_the_strides_allow_alias_the_base() -> None:
    x = ag.arange(24.0).reshape(4, 6)
    v = x[:, ::2].view(4, 3, 1)  # a strided view can still take a size-1 dimension
    v[0, 0, 0] = 100.0
    assert x[0, 0].item() == 100.0
    y = ag.arange(24.0).reshape(2, 3, 4)
    w = y.transpose(0, 1).view(3, 2, 2, 2)  # splitting the last, contiguous, dimension
    w[0, 0, 0, 0] = -1.0
    assert y[0, 0, 0].item() == -1.0


def test_contiguous_copies_only_when_needed_and_stays_in_the_graph() -> None:
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x * 1.0
    assert y.contiguous() is y
    c = y.t().contiguous()
    assert c.is_contiguous() and type(c.grad_fn).__name__ == "CloneBackward"
    out = c.view(-1)
    np.testing.assert_array_equal(out.detach().numpy(), [0, 3, 1, 4, 2, 5])
    (out * ag.arange(6.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 2, 4], [1, 3, 5]])


def test_a_gradient_with_chainrules_own_layout_still_views() -> None:
    """A conv input's gradient is a slice of a padded buffer here, contiguous in torch:
    ``grad.view(n, -1)`` (WGAN-GP's penalty) works in torch, so it must here."""
    x = ag.randn(4, 1, 8, 8, requires_grad=True)
    conv = ag.nn.Conv2d(1, 3, 3, 2, 1)
    (g,) = ag.autograd.grad(conv(x).sum(), x, create_graph=True)
    assert g.view(4, -1).shape == (4, 64)
