"""nn.data behaviours found to differ from torch 2.13's torch.utils.data by a
differential audit (torch's answers written in; torch is not a test dependency)."""

from __future__ import annotations

import pytest

import autograd as ag
from nn.data import DataLoader, TensorDataset, default_collate


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
