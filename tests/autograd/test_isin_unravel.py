"""torch.isin (autograd/ops/search.py), torch.unravel_index, torch.is_signed,
torch.is_same_size, torch.detach (autograd/ops/torch_names.py), torch.scalar_tensor
(autograd/factories.py) and torch's top-level names of five nn.functional ops: results
equal torch 2.13's (written here; the same functions agreed with torch on 1,600 random
isin and 400 random unravel_index calls in a scratch comparison) and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_isin_as_torch() -> None:
    out = ag.isin(ag.tensor([1, 2, 3]), ag.tensor([2.0, 3.5]))
    assert out.dtype == ag.bool and out.numpy().tolist() == [False, True, False]
    assert ag.isin(ag.tensor([[1, 2], [3, 4]]), 2).numpy().tolist() == [[False, True],
                                                                         [False, False]]
    scalar = ag.isin(2, ag.tensor([1, 2]))
    assert scalar.shape == () and scalar.item() is True
    assert ag.isin(ag.tensor([1, 2]), ag.tensor([1]), invert=True).numpy().tolist() == [
        False, True]
    nan = float("nan")
    assert ag.isin(ag.tensor([nan, 1.0]), ag.tensor([nan])).numpy().tolist() == [False, False]
    assert ag.isin(ag.tensor([1.0, 2.0]), ag.tensor([[2.0]]), assume_unique=True).numpy(
    ).tolist() == [False, True]
    assert ag.isin(ag.tensor([], dtype=ag.int64), ag.tensor([1])).shape == (0,)
    # compared at torch's result type: -3 wraps to 253 in a uint8 tensor's type, as torch's
    assert ag.isin(ag.tensor([253, 3], dtype=ag.uint8), -3).numpy().tolist() == [True, False]
    # an int64 and a float32 tensor meet in float32: 2**24 + 1 rounds to 2**24
    assert ag.isin(ag.tensor([2 ** 24 + 1]), ag.tensor([2.0 ** 24])).item() is True
    assert ag.isin(ag.tensor([1, 2]), 2.5).numpy().tolist() == [False, False]


def test_isin_errors_as_torch() -> None:
    with pytest.raises(RuntimeError, match="Unsupported input type encountered for isin"
                                           r"\(\): Bool"):
        ag.isin(ag.tensor([1, 2]), ag.tensor([True]))
    with pytest.raises(TypeError, match=r"isin\(\) received an invalid combination"):
        ag.isin(1, 2)
    with pytest.raises(TypeError):
        ag.isin(ag.tensor([1, 2]), [1])


def test_unravel_index_as_torch() -> None:
    rows, cols = ag.unravel_index(ag.tensor([5, -1, 7]), (2, 4))
    assert rows.dtype == ag.int64 and rows.numpy().tolist() == [1, 1, 1]
    assert cols.numpy().tolist() == [1, 3, 3]
    # past the size and below -size: wrapped, unchecked, as torch's
    assert [t.numpy().tolist() for t in ag.unravel_index(ag.tensor([8]), (2, 4))] == [[0], [0]]
    assert [t.numpy().tolist() for t in ag.unravel_index(ag.tensor([-9]), (2, 4))] == [[1], [3]]
    (k,) = ag.unravel_index(ag.tensor(3), 5)
    assert k.shape == () and k.item() == 3
    a, b = ag.unravel_index(ag.tensor([[3, 1]]), ag.Size([2, 2]))
    assert a.numpy().tolist() == [[1, 0]] and b.numpy().tolist() == [[1, 1]]
    (z,) = ag.unravel_index(ag.tensor([0], dtype=ag.int32), (2,))
    assert z.dtype == ag.int64
    assert ag.unravel_index(ag.tensor([0]), ()) == ()
    empty = ag.unravel_index(ag.tensor([], dtype=ag.int64), (0, 3))
    assert [t.shape for t in empty] == [(0,), (0,)]


def test_unravel_index_errors_as_torch() -> None:
    with pytest.raises(TypeError, match="expected 'indices' to be integer dtype, but got "
                                        "torch.float32"):
        ag.unravel_index(ag.tensor([1.0]), (2, 4))
    with pytest.raises(TypeError, match="but got torch.bool"):
        ag.unravel_index(ag.tensor([True]), (2,))
    with pytest.raises(ValueError, match=r"'shape' cannot have negative values, but got "
                                         r"\(2, -4\)"):
        ag.unravel_index(ag.tensor([3]), (2, -4))
    with pytest.raises(TypeError, match="expected 'shape' sequence to only contain ints, "
                                        "but got <class 'float'>"):
        ag.unravel_index(ag.tensor([5]), (2, 4.0))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ag.unravel_index(ag.tensor([5]), (2, 0))
    with pytest.raises(AttributeError):
        ag.unravel_index(5, (2, 4))


def test_is_signed_is_same_size_and_scalar_tensor_as_torch() -> None:
    assert ag.is_signed(ag.tensor([1, 2])) is True
    assert ag.is_signed(ag.tensor([1, 2], dtype=ag.uint8)) is False
    assert ag.is_same_size(ag.zeros(2, 3), ag.zeros(2, 3)) is True
    assert ag.is_same_size(ag.zeros(2), ag.zeros(3)) is False
    with pytest.raises(TypeError, match=r"is_same_size\(\): argument 'other' \(position 2\) "
                                        r"must be Tensor, not list"):
        ag.is_same_size(ag.zeros(2), [2])
    for value, dtype, expected in ((3, None, ag.float32), (3, ag.int64, ag.int64),
                                   (True, None, ag.float32), (2.5, ag.float64, ag.float64)):
        t = ag.scalar_tensor(value, dtype=dtype)
        assert t.shape == () and t.dtype == expected and t.item() == float(value)
    assert ag.scalar_tensor(ag.tensor(2)).dtype == ag.float32
    t = ag.scalar_tensor(2.5, requires_grad=True)
    assert t.requires_grad and t.is_leaf


def test_isin_and_unravel_index_stay_on_the_device(double_device: str) -> None:
    out = ag.isin(ag.tensor([1, 2, 3], device=double_device), ag.tensor([2], device=double_device))
    assert out.device.type == double_device and out.cpu().numpy().tolist() == [False, True, False]
    rows, cols = ag.unravel_index(ag.tensor([5, 7], device=double_device), (2, 4))
    assert rows.device.type == double_device
    assert cols.cpu().numpy().tolist() == [1, 3]
    assert np.array_equal(ag.scalar_tensor(1.5, device=double_device).cpu().numpy(), 1.5)


def test_torchs_top_level_names_for_functional_ops_are_the_same_functions() -> None:
    import nn

    for name in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool2d"):
        assert getattr(ag, name) is getattr(nn.functional, name), name
    x = ag.ones(2, requires_grad=True)
    d = ag.detach(x * 2)
    assert not d.requires_grad and d.grad_fn is None and d.numpy().tolist() == [2.0, 2.0]
