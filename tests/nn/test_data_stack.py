"""nn.data.StackDataset and get_worker_info, as torch.utils.data's (outputs checked against
torch 2.13 in a scratch script)."""

from __future__ import annotations

import pytest

import autograd as ag
from nn import data as D


def test_stack_dataset_tuple_and_dict():
    a = D.TensorDataset(ag.arange(4.0))
    s = D.StackDataset(a, ag.arange(4))
    assert len(s) == 4 and isinstance(s, D.Dataset)
    first, second = s[1]
    assert first[0].item() == 1.0 and second.item() == 1
    named = D.StackDataset(x=ag.arange(3), y=[10, 20, 30])
    assert named[2]["x"].item() == 2 and named[2]["y"] == 30
    assert [b["y"] for b in named.__getitems__([0, 2])] == [10, 30]
    batches = list(D.DataLoader(D.StackDataset(a=ag.arange(4), b=ag.arange(4.0)), batch_size=3))
    assert [b["a"].tolist() for b in batches] == [[0, 1, 2], [3]]
    assert batches[0]["b"].dtype == ag.float32


def test_stack_dataset_errors():
    with pytest.raises(ValueError, match="At least one dataset"):
        D.StackDataset()
    with pytest.raises(ValueError, match="Size mismatch"):
        D.StackDataset(ag.arange(3), [1, 2])
    with pytest.raises(ValueError, match="both types are given"):
        D.StackDataset(ag.arange(3), y=[1, 2, 3])


def test_get_worker_info_is_none_in_the_main_process():
    assert D.get_worker_info() is None
    seen = [D.get_worker_info() for _ in D.DataLoader(ag.arange(4), batch_size=2)]
    assert seen == [None, None]
    info = D.WorkerInfo(id=0, num_workers=2, seed=5, dataset=None)
    assert info.id == 0 and "num_workers=2" in repr(info)
    with pytest.raises(RuntimeError, match="Cannot assign attributes"):
        info.id = 1
