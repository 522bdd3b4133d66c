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
    np.testing.assert_array_equal(xi._data, x[3])
    assert yi.item() == 3
    # torch's classes: AssertionError for a size mismatch, IndexError for no tensor
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(x, y[:5])
    with pytest.raises(IndexError):
        TensorDataset()
    with pytest.raises(IndexError):
        TensorDataset(ag.tensor(1.0))


def test_batches_in_order_with_a_short_last_batch() -> None:
    x, y = _data()
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    # a list of batched fields, as torch's default_collate gives for tuple samples
    assert all(isinstance(b, list) and isinstance(b[1], ag.Tensor) for b in batches)
    np.testing.assert_array_equal(np.concatenate([b[1]._data for b in batches]), y)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    assert not batches[0][0].requires_grad


def test_batches_own_their_memory() -> None:
    x, y = _data()
    xb, _ = next(iter(DataLoader(TensorDataset(x, y), batch_size=3)))
    xb._data[...] = -1
    assert (x >= 0).all()


def test_drop_last() -> None:
    x, y = _data()
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[1]._data.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(TensorDataset(x, y), batch_size=20, drop_last=True)) == 0


def test_shuffle_is_a_permutation_that_changes_per_epoch() -> None:
    x, y = _data(50)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    e1 = np.concatenate([b[1]._data for b in loader])
    e2 = np.concatenate([b[1]._data for b in loader])
    assert sorted(e1) == list(range(50)) and sorted(e2) == list(range(50))
    assert not np.array_equal(e1, np.arange(50)) and not np.array_equal(e1, e2)
    for xb, yb in loader:  # rows stay paired
        np.testing.assert_array_equal(xb._data, x[yb._data])


def test_shuffle_is_reproducible_under_manual_seed() -> None:
    x, y = _data(30)
    loader = DataLoader(TensorDataset(x, y), batch_size=7, shuffle=True)
    ag.manual_seed(5)
    a = [b[1]._data.tolist() for b in loader]
    ag.manual_seed(5)
    b = [b[1]._data.tolist() for b in loader]
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
    assert yb.dtype == np.int64 and yb._data.tolist() == [0, 1]
    np.testing.assert_array_equal(batches[1][0]._data, [[2, 4], [3, 9]])


def test_generic_dataset_of_single_tensors_and_a_list() -> None:
    loader = DataLoader([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]), ag.tensor([5.0, 6.0])],
                        batch_size=2, shuffle=True)
    rows = np.concatenate([b._data for b in loader])
    assert sorted(rows[:, 0].tolist()) == [1.0, 3.0, 5.0]


def test_collate_fn_is_used() -> None:
    x, y = _data(4)
    loader = DataLoader(TensorDataset(x, y), batch_size=2, collate_fn=lambda s: len(s))
    assert list(loader) == [2, 2]


def test_bad_batch_size() -> None:
    for bs in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(TensorDataset(*_data()), batch_size=bs)


# ---- torch.utils.data breadth: expected values are torch's -----------------------------

from collections import namedtuple  # noqa: E402

from nn.data import (  # noqa: E402
    BatchSampler,
    ConcatDataset,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    WeightedRandomSampler,
    default_collate,
    random_split,
)


def test_default_collate_dtypes_match_torch() -> None:
    assert default_collate([1.5, 2.0]).dtype == ag.float64  # Python floats: float64
    assert default_collate([1, 2]).dtype == ag.int64
    assert default_collate([True, False]).dtype == ag.bool
    assert default_collate([np.float32(1), np.float32(2)]).dtype == ag.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype == ag.int32
    assert default_collate([np.bool_(True), np.bool_(False)]).dtype == ag.bool
    assert default_collate([np.zeros(2), np.ones(2)]).dtype == ag.float64
    assert default_collate([np.zeros(2, np.float32)] * 2).dtype == ag.float32
    assert default_collate([np.array(1.0), np.array(2.0)]).shape == (2,)
    fields = default_collate([(1, 2.0), (3, 4.0)])
    assert isinstance(fields, list) and fields[0].numpy().tolist() == [1, 3]
    assert fields[1].dtype == ag.float64
    d = default_collate([{"a": 1, "b": [1.0, 2.0]}] * 2)
    assert d["a"].numpy().tolist() == [1, 1] and isinstance(d["b"], list)
    assert d["b"][1].numpy().tolist() == [2.0, 2.0]
    P = namedtuple("P", "x y")
    p = default_collate([P(1, 2.0), P(3, 4.0)])
    assert isinstance(p, P) and p.x.numpy().tolist() == [1, 3] and p.y.dtype == ag.float64
    assert default_collate(["a", "b"]) == ["a", "b"]
    t = default_collate([ag.zeros(2, 3), ag.ones(2, 3)])
    assert t.shape == (2, 2, 3) and t.dtype == ag.float32
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        default_collate([None])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"])])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size, but "
                                           "got \\[2\\] at entry 0 and \\[3\\] at entry 1"):
        default_collate([ag.zeros(2), ag.zeros(3)])


# torch's DistributedSampler index sets, shuffle=False: (n, replicas, drop_last) -> per rank
DIST_EXPECTED = {
    (10, 3, False): [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]],
    (10, 4, False): [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]],
    (10, 4, True): [[0, 4], [1, 5], [2, 6], [3, 7]],
    (5, 3, False): [[0, 3], [1, 4], [2, 0]],
    (2, 5, False): [[0], [1], [0], [1], [0]],
    (10, 3, True): [[0, 3, 6], [1, 4, 7], [2, 5, 8]],
}


def test_distributed_sampler_index_sets_match_torch() -> None:
    for (n, r, drop), expected in DIST_EXPECTED.items():
        samplers = [DistributedSampler(range(n), num_replicas=r, rank=k, shuffle=False,
                                       drop_last=drop) for k in range(r)]
        assert [list(s) for s in samplers] == expected, (n, r, drop)
        assert all(len(s) == len(expected[0]) for s in samplers)


def test_distributed_sampler_shuffles_one_shared_permutation() -> None:
    n, r = 11, 3
    ranks = [DistributedSampler(range(n), num_replicas=r, rank=k, seed=7) for k in range(r)]
    parts = [list(s) for s in ranks]
    perm = ag.randperm(n, generator=ag.Generator().manual_seed(7)).numpy().tolist()
    padded = perm + perm[:12 - n]
    assert parts == [padded[k::r] for k in range(r)]  # one permutation, strided over ranks
    assert sorted(sum(parts, [])) == sorted(padded)
    assert [list(s) for s in ranks] == parts  # the same epoch gives the same shuffle
    for s in ranks:
        s.set_epoch(1)
    epoch1 = [list(s) for s in ranks]
    perm1 = ag.randperm(n, generator=ag.Generator().manual_seed(8)).numpy().tolist()
    assert epoch1 == [(perm1 + perm1[:1])[k::r] for k in range(r)] and epoch1 != parts
    dropped = [list(DistributedSampler(range(n), num_replicas=r, rank=k, seed=7,
                                       drop_last=True)) for k in range(r)]
    assert dropped == [perm[:9][k::r] for k in range(r)]


def test_distributed_sampler_errors() -> None:
    with pytest.raises(ValueError, match="Invalid rank 2, rank should be in the interval "
                                         "\\[0, 1\\]"):
        DistributedSampler(range(5), num_replicas=2, rank=2)
    try:
        from autograd import distributed as dist
    except ImportError:
        with pytest.raises(RuntimeError, match="distributed package"):
            DistributedSampler(range(5))
    else:
        if not dist.is_initialized():
            with pytest.raises(ValueError, match="Default process group has not been "
                                                 "initialized"):
                DistributedSampler(range(5))


def test_random_split_lengths_match_torch() -> None:
    assert [len(s) for s in random_split(range(10), [0.3, 0.3, 0.4])] == [3, 3, 4]
    assert [len(s) for s in random_split(range(11), [0.5, 0.5])] == [6, 5]
    assert [len(s) for s in random_split(range(7), [0.25] * 4)] == [2, 2, 2, 1]
    with pytest.warns(UserWarning, match="index 1 is 0"):
        assert [len(s) for s in random_split(range(3), [0.1, 0.1, 0.8])] == [1, 0, 2]
    parts = random_split(range(10, 20), [4, 6], generator=ag.Generator().manual_seed(1))
    perm = ag.randperm(10, generator=ag.Generator().manual_seed(1)).numpy().tolist()
    assert parts[0].indices == perm[:4] and parts[1].indices == perm[4:]
    assert [parts[1][i] for i in range(6)] == [10 + p for p in perm[4:]]
    for bad in ([3, 3], [0.5, 1.5], [0.5, 0.4]):
        with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
            random_split(range(10), bad)


def test_subset_and_concat_dataset() -> None:
    s = Subset(range(10, 20), [3, 1])
    assert len(s) == 2 and (s[0], s[1]) == (13, 11)
    c = ConcatDataset([range(3), range(10, 14)])
    assert len(c) == 7 and c[3] == 10 and c[-1] == 13 and c.cumulative_sizes == [3, 7]
    with pytest.raises(ValueError, match="absolute value of index"):
        c[-8]
    with pytest.raises(IndexError):
        c[7]
    with pytest.raises(AssertionError, match="empty iterable"):
        ConcatDataset([])
    both = TensorDataset(np.zeros((2, 1))) + TensorDataset(np.ones((3, 1)))
    assert isinstance(both, ConcatDataset) and len(both) == 5


def test_samplers_match_torch() -> None:
    assert list(BatchSampler(SequentialSampler(range(7)), 3, False)) == [[0, 1, 2], [3, 4, 5],
                                                                         [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last=1"):
        BatchSampler(range(3), 2, 1)
    with pytest.raises(TypeError, match="replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    assert len(RandomSampler(range(3), num_samples=7)) == 7
    seven = list(RandomSampler(range(3), num_samples=7))
    assert sorted(seven[:3]) == sorted(seven[3:6]) == [0, 1, 2] and len(seven) == 7
    g = ag.Generator().manual_seed(3)
    a = list(RandomSampler(range(20), generator=g))
    g.manual_seed(3)
    assert list(RandomSampler(range(20), generator=g)) == a and sorted(a) == list(range(20))
    r = list(RandomSampler(range(4), replacement=True, num_samples=100))
    assert len(r) == 100 and set(r) <= {0, 1, 2, 3}
    assert sorted(SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]
    w = list(WeightedRandomSampler([0.0, 1.0, 0.0], 5))
    assert w == [1, 1, 1, 1, 1]


def test_loader_argument_checks_match_torch() -> None:
    ds = TensorDataset(*_data(5))
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    first = list(DataLoader(ds, batch_size=None))[0]  # no batching: one sample, converted
    assert isinstance(first, list) and first[0].shape == (2,) and first[1].shape == ()


def test_loader_with_sampler_batch_sampler_and_generator() -> None:
    x, y = _data(10)
    ds = TensorDataset(x, y)
    got = [b[1].numpy().tolist() for b in DataLoader(ds, batch_size=3, sampler=[9, 8, 7, 1])]
    assert got == [[9, 8, 7], [1]]
    got = [b[1].numpy().tolist() for b in DataLoader(ds, batch_sampler=[[0, 5], [2]])]
    assert got == [[0, 5], [2]]
    g = ag.Generator().manual_seed(4)
    a = [b[1].numpy().tolist() for b in DataLoader(ds, batch_size=4, shuffle=True, generator=g)]
    g.manual_seed(4)
    b = [b[1].numpy().tolist() for b in DataLoader(ds, batch_size=4, shuffle=True, generator=g)]
    assert a == b and sorted(sum(a, [])) == list(range(10))
    # the fast TensorDataset path gives what the per-sample path gives
    loader = DataLoader(ds, batch_size=4, sampler=DistributedSampler(ds, 2, 1, seed=3))
    slow = DataLoader(Subset(ds, list(range(10))), batch_size=4,
                      sampler=DistributedSampler(ds, 2, 1, seed=3))
    for fb, sb in zip(loader, slow):
        np.testing.assert_array_equal(fb[0].numpy(), sb[0].numpy())
        np.testing.assert_array_equal(fb[1].numpy(), sb[1].numpy())


class _Stream(IterableDataset):
    def __iter__(self):
        return iter(range(7))


def test_iterable_dataset_batches_the_stream() -> None:
    assert [b.numpy().tolist() for b in DataLoader(_Stream(), batch_size=3)] == [
        [0, 1, 2], [3, 4, 5], [6]]
    assert [b.numpy().tolist() for b in DataLoader(_Stream(), batch_size=3,
                                                   drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert list(DataLoader(_Stream(), batch_size=None)) == list(range(7))
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got "
                                         "shuffle=True"):
        DataLoader(_Stream(), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(_Stream(), sampler=[0])
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(_Stream(), batch_size=3))
    chained = _Stream() + _Stream()
    assert len(list(DataLoader(chained, batch_size=7))) == 2


def test_distributed_sampler_takes_world_size_and_rank_from_the_process_group(
        monkeypatch) -> None:
    import sys
    import types

    fake = types.ModuleType("autograd.distributed")
    fake.is_initialized = lambda: True
    fake.get_world_size = lambda: 4
    fake.get_rank = lambda: 3
    monkeypatch.setitem(sys.modules, "autograd.distributed", fake)
    monkeypatch.setattr(ag, "distributed", fake, raising=False)
    s = DistributedSampler(range(10), shuffle=False)
    assert (s.num_replicas, s.rank) == (4, 3) and list(s) == [3, 7, 1]


def test_fast_tensor_path_equals_the_per_sample_path() -> None:
    x, y = _data(23)
    fast_ds, slow_ds = TensorDataset(x, y), Subset(TensorDataset(x, y), list(range(23)))
    for kw in ({"shuffle": True}, {"shuffle": True, "drop_last": True}, {"drop_last": True},
               {"sampler": RandomSampler(range(23), replacement=True, num_samples=30)}):
        ag.manual_seed(9)
        fast = list(DataLoader(fast_ds, batch_size=5, **kw))
        ag.manual_seed(9)
        slow = list(DataLoader(slow_ds, batch_size=5, **kw))
        assert len(fast) == len(slow) == len(DataLoader(fast_ds, batch_size=5, **kw))
        for fb, sb in zip(fast, slow):
            np.testing.assert_array_equal(fb[0].numpy(), sb[0].numpy())
            np.testing.assert_array_equal(fb[1].numpy(), sb[1].numpy())
