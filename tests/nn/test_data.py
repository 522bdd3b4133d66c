"""nn.data: TensorDataset and DataLoader batching, shuffling, drop_last, reproducibility
and the generic (any __getitem__/__len__) path."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, Dataset, TensorDataset


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n, dtype=np.int64)


def test_tensor_dataset_indexing_and_len() -> None:
    x, y = _data()
    ds = TensorDataset(ag.tensor(x), y)
    assert len(ds) == 10
    xi, yi = ds[3]
    assert isinstance(xi, ag.Tensor) and isinstance(yi, ag.Tensor)
    np.testing.assert_array_equal(xi.data, x[3])
    assert yi.item() == 3
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(x, y[:5])
    with pytest.raises(ValueError):
        TensorDataset()


def test_batches_in_order_with_a_short_last_batch() -> None:
    x, y = _data()
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(b, tuple) and isinstance(b[1], ag.Tensor) for b in batches)
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in batches]), y)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    assert not batches[0][0].requires_grad


def test_batches_own_their_memory() -> None:
    x, y = _data()
    xb, _ = next(iter(DataLoader(TensorDataset(x, y), batch_size=3)))
    xb.data[...] = -1
    assert (x >= 0).all()


def test_drop_last() -> None:
    x, y = _data()
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[1].data.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(TensorDataset(x, y), batch_size=20, drop_last=True)) == 0


def test_shuffle_is_a_permutation_that_changes_per_epoch() -> None:
    x, y = _data(50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    e1 = np.concatenate([b[1].data for b in loader])
    e2 = np.concatenate([b[1].data for b in loader])
    assert sorted(e1) == list(range(50)) and sorted(e2) == list(range(50))
    assert not np.array_equal(e1, np.arange(50)) and not np.array_equal(e1, e2)
    for xb, yb in loader:  # rows stay paired
        np.testing.assert_array_equal(xb.data, x[yb.data])


def test_shuffle_is_reproducible_under_manual_seed() -> None:
    x, y = _data(30)
    loader = DataLoader(TensorDataset(x, y), batch_size=7, shuffle=True)
    ag.manual_seed(5)
    a = [b[1].data.tolist() for b in loader]
    ag.manual_seed(5)
    b = [b[1].data.tolist() for b in loader]
    assert a == b


class Squares(Dataset):
    """A generic dataset: samples built one at a time."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        return np.array([i, i * i], dtype=np.float64), i % 3


def test_generic_datasets_are_stacked() -> None:
    loader = DataLoader(Squares(5), batch_size=2)
    batches = list(loader)
    assert len(batches) == 3
    xb, yb = batches[0]
    assert xb.dtype == np.float64 and xb.shape == (2, 2)
    assert yb.dtype == np.int64 and yb.data.tolist() == [0, 1]
    np.testing.assert_array_equal(batches[1][0].data, [[2, 4], [3, 9]])


def test_generic_dataset_of_single_tensors_and_a_list() -> None:
    loader = DataLoader([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]), ag.tensor([5.0, 6.0])],
                        batch_size=2, shuffle=True)
    rows = np.concatenate([b.data for b in loader])
    assert sorted(rows[:, 0].tolist()) == [1.0, 3.0, 5.0]


def test_collate_fn_is_used() -> None:
    x, y = _data(4)
    loader = DataLoader(TensorDataset(x, y), batch_size=2, collate_fn=lambda s: len(s))
    assert list(loader) == [2, 2]


def test_bad_batch_size() -> None:
    for bs in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(TensorDataset(*_data()), batch_size=bs)
