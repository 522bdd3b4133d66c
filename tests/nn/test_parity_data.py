"""nn.data behaviours found to differ from torch 2.13's torch.utils.data by a
differential audit (torch's answers written in; torch is not a test dependency)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import autograd as ag
from nn.data import DataLoader, TensorDataset, default_collate, default_convert


def test_complex_numbers_are_not_collated() -> None:
    # torch's default_collate knows float, int, bool, str, bytes: a complex raises
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([1 + 1j, 2 + 0j])
    with pytest.raises(TypeError):
        list(DataLoader([1j, 2j], batch_size=2))


@pytest.mark.parametrize("kwargs, match", [
    (dict(prefetch_factor=2), "prefetch_factor"),
    (dict(persistent_workers=True), "persistent_workers"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor"),
])
def test_worker_options_checked_as_torch(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DataLoader(list(range(4)), **kwargs)


def test_loader_takes_torchs_keyword_only_options() -> None:
    loader = DataLoader(list(range(4)), batch_size=2, pin_memory_device="", in_order=True,
                        num_workers=2, persistent_workers=True)
    assert loader.prefetch_factor == 2  # torch's default once workers are asked for
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]


def test_tensor_dataset_errors_have_torchs_classes() -> None:
    with pytest.raises(AssertionError):
        TensorDataset(ag.zeros(3), ag.zeros(4))
    with pytest.raises(IndexError):
        TensorDataset()
    with pytest.raises(IndexError):
        TensorDataset(ag.tensor(1.0))


def test_collate_keeps_string_fields_and_mapping_types_as_torch() -> None:
    # torch: default_collate([(1, "a"), (2, "b")]) == [tensor([1, 2]), ("a", "b")]: a
    # string field stays the tuple zip() made (a top-level batch of strings stays the list)
    out = default_collate([(1, "a", 2.0), (2, "b", 3.0)])
    assert out[1] == ("a", "b") and isinstance(out[1], tuple)
    assert default_collate(["a", "bc"]) == ["a", "bc"]
    assert default_collate([{"s": "q"}, {"s": "r"}]) == {"s": ["q", "r"]}
    # a mutable mapping is copied and updated, as torch's: a defaultdict stays one
    dd = default_collate([collections.defaultdict(int, a=1)] * 2)
    assert isinstance(dd, collections.defaultdict) and dd.default_factory is int
    assert dd["a"].tolist() == [1, 1]
    conv = default_convert(collections.defaultdict(list, a=np.ones(2)))
    assert isinstance(conv, collections.defaultdict) and conv["a"].dtype == ag.float64


def test_collate_promotes_as_torch() -> None:
    # torch stacks tensors (and NumPy arrays, made tensors first) with its promotion:
    # int64 with float32 is float32 (NumPy's stack gave float64); NumPy scalars go
    # through torch.as_tensor(batch); a bool first then an int is torch.tensor(batch),
    # int64 (chainrule made both bools)
    out = default_collate([ag.tensor([1, 2]), ag.tensor([1.5, 2.5])])
    assert out.dtype == ag.float32 and out.numpy().tolist() == [[1.0, 2.0], [1.5, 2.5]]
    out = default_collate([np.array([1, 2]), np.array([1.5, 2.5], np.float32)])
    assert out.dtype == ag.float32
    assert default_collate([np.int64(1), np.float32(2.5)]).dtype == ag.float32
    out = default_collate([True, 2])
    assert out.dtype == ag.int64 and out.numpy().tolist() == [1, 2]
    assert default_collate([True, False]).dtype == ag.bool
    # one dtype: unchanged (float64 arrays stay float64)
    assert default_collate([np.zeros(2), np.ones(2)]).dtype == ag.float64


def test_subset_getitems_as_torch() -> None:
    # torch's Subset forwards a batch to its dataset's __getitems__ (the DataLoader's
    # batched fetch), and refuses a subclass overriding only __getitem__ (its override
    # would be skipped by that fetch): NotImplementedError
    from nn.data import Subset

    class Batched:
        calls: list = []

        def __len__(self) -> int:
            return 10

        def __getitem__(self, i: int) -> int:
            return i

        def __getitems__(self, idx: list) -> list:
            self.calls.append(list(idx))
            return [10 * i for i in idx]

    sub = Subset(Batched(), [4, 2, 7])
    assert sub.__getitems__([0, 2]) == [40, 70] and Batched.calls == [[4, 7]]
    assert [b.tolist() for b in DataLoader(sub, batch_size=2)] == [[40, 20], [70]]

    class Transformed(Subset):
        def __getitem__(self, idx: int) -> int:
            return -super().__getitem__(idx)

    with pytest.raises(NotImplementedError, match="__getitems__"):
        Transformed(Batched(), [0])
