"""``as_strided``: windows onto a tensor's memory, torch's storage semantics; every
expected value is torch 2.13's for the same call."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_overlapping_windows_and_their_gradient() -> None:
    x = ag.tensor(np.arange(12.0), requires_grad=True)
    y = x.as_strided((4, 3), (2, 1))
    assert y.tolist() == [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0], [6.0, 7.0, 8.0]]
    (y ** 2 * ag.tensor(np.arange(12.0).reshape(4, 3))).sum().backward()
    # elements read twice gather both windows' gradients
    assert x.grad.tolist() == [0.0, 2.0, 20.0, 24.0, 88.0, 70.0, 204.0, 140.0, 176.0, 0.0,
                               0.0, 0.0]


def test_positions_count_in_the_memory_not_the_view() -> None:
    x = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = ag.as_strided(x.t(), (2, 3), (1, 4), 1)  # a transposed view: x's memory order
    assert y.tolist() == [[1.0, 5.0, 9.0], [2.0, 6.0, 10.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 1.0, 0.0]] * 3
    x.grad = None
    z = x[1:]  # storage offset 4; offset 2 reads memory before z, which passes no gradient
    assert z.as_strided((2, 2), (1, 1)).tolist() == [[4.0, 5.0], [5.0, 6.0]]
    w = z.as_strided((2, 3), (1, 2), 2)
    assert w.tolist() == [[2.0, 4.0, 6.0], [3.0, 5.0, 7.0]]
    (w * ag.tensor(np.arange(1.0, 7.0).reshape(2, 3))).sum().backward()
    assert x.grad.tolist() == [[0.0] * 4, [2.0, 5.0, 3.0, 6.0], [0.0] * 4]


def test_torchs_errors() -> None:
    x = ag.tensor(np.arange(12.0).reshape(3, 4))
    with pytest.raises(RuntimeError, match=r"setStorage: sizes \[5, 5\], strides \[4, 1\], "
                                           r"storage offset 0, and itemsize 8 requiring a "
                                           r"storage size of 168 are out of bounds for storage "
                                           r"of size 96"):
        x.as_strided((5, 5), (4, 1))
    with pytest.raises(RuntimeError, match="Negative strides are not supported"):
        x.as_strided((2,), (-1,))
    with pytest.raises(RuntimeError, match="mismatch in length of strides and shape"):
        x.as_strided((2, 2), (1,))
    assert x.as_strided((0, 3), (1, 1)).shape == (0, 3)


def test_the_result_is_a_copy() -> None:
    x = ag.tensor(np.arange(4.0))
    y = x.as_strided((2, 2), (1, 1))
    y[0, 0] = 9.0
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
