"""``Tensor.data`` as torch's: a detached Tensor sharing the array (issue 13, item 10).

Expected values are torch 2's, computed once and written in.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_data_is_a_detached_tensor_sharing_the_array() -> None:
    p = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    d = p.data
    assert isinstance(d, ag.Tensor)
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 9.0  # shares the array: p sees it
    assert p.tolist() == [9.0, 2.0, 4.0]
    assert p.detach().numpy() is p.data.numpy()


def test_data_std_is_torchs_unbiased_std() -> None:
    p = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    s = p.data.std()
    assert isinstance(s, ag.Tensor)
    np.testing.assert_allclose(s.item(), 1.5275252316519465, rtol=1e-6)  # torch: 1.5275


def test_sgd_update_through_data_works_and_is_not_version_checked() -> None:
    p = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    (p * p).sum().backward()
    p.data += -0.1 * p.grad  # the teaching-code update line
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 1.6, 3.2], rtol=1e-6)
    assert p._version == 0  # torch: 0, .data has a counter of its own
    y = (p * p).sum()
    p.data += 1  # not recorded, not checked: backward uses the new values, as torch
    y.backward()
    np.testing.assert_allclose(p.grad.numpy(), [5.6, 9.2, 16.4], rtol=1e-6)  # torch's


def test_assigning_data_replaces_the_values_and_may_change_the_shape() -> None:
    a = ag.tensor([1.0, 2.0])
    b = ag.tensor([5.0, 6.0, 7.0])
    a.data = b
    assert a.shape == (3,) and a.tolist() == [5.0, 6.0, 7.0]
    b[0] = 0.0  # torch swaps the storage: a and b share it
    assert a.tolist() == [0.0, 6.0, 7.0]
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    p.data = ag.tensor([3.0, 4.0], dtype=np.float64)
    assert p.requires_grad and p.is_leaf and p.dtype == np.float64


def test_assigning_data_rejects_what_torch_rejects() -> None:
    a = ag.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="has to be a tensor, but got list"):
        a.data = [1.0, 2.0]
    with pytest.raises(TypeError, match="got int"):
        a.data = 5
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="must be floating point"):
        p.data = ag.tensor([1, 2])
    assert p.dtype == np.float32


def test_swapping_the_data_of_a_saved_tensor_raises_at_backward() -> None:
    # torch silently differentiates with the new values (w.grad = 0 here); a swapped
    # array under a saved tensor is a wrong gradient, so chainrule raises instead.
    w = ag.tensor([1.0, 1.0, 1.0], requires_grad=True)
    y = (w * w).sum()
    w.data = ag.zeros(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
