"""torch's small utility names: ag.utils, determinism and thread settings, the float32
matmul precision, set_default_tensor_type and ag.cuda without a GPU (torch 2.13's values and
messages, from a scratch script)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator

import pytest

import autograd as ag
from autograd import settings, threads


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    ag.use_deterministic_algorithms(False)
    settings._MATMUL_PRECISION[0] = "highest"
    threads._interop["n"] = None


def test_utils_names_map_and_load_lazily() -> None:
    code = ("import sys, autograd as ag; assert 'nn' not in sys.modules; import nn; "
            "import nn.data, nn.modules.hooks; c = sys.modules['autograd.checkpoint']; "
            "assert ag.utils.data is nn.data; "
            "assert ag.utils.data.DataLoader is nn.data.DataLoader; "
            "assert ag.utils.checkpoint is c and ag.utils.checkpoint.checkpoint is c.checkpoint; "
            "assert ag.utils.hooks.RemovableHandle is nn.modules.hooks.RemovableHandle")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(
        __import__("pathlib").Path(__file__).resolve().parents[2]))


def test_utils_unknown_name_is_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = ag.utils.tensorboard


def test_inline_dataloader_runs() -> None:
    ds = ag.utils.data.TensorDataset(ag.arange(6.0).reshape(3, 2))
    batches = list(ag.utils.data.DataLoader(ds, batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 2), (1, 2)]


def test_checkpoint_sequential_matches_plain() -> None:
    ws = [ag.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True) for _ in range(4)]
    fns = [lambda x, w=w: ag.tanh(x @ w) for w in ws]
    x = ag.tensor([[1.0, 2.0]], requires_grad=True)
    ag.utils.checkpoint.checkpoint_sequential(fns, 2, x, use_reentrant=False).sum().backward()
    got = [x.grad.numpy().copy()] + [w.grad.numpy().copy() for w in ws]
    for t in [x, *ws]:
        t.grad = None
    y = x
    for f in fns:
        y = f(y)
    y.sum().backward()
    for g, t in zip(got, [x, *ws]):
        assert (g == t.grad.numpy()).all()
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        ag.utils.checkpoint.checkpoint_sequential(fns, 2, x, use_reentrant=False, foo=1)


def test_deterministic_switch_as_torch() -> None:
    assert not ag.are_deterministic_algorithms_enabled()
    assert not ag.is_deterministic_algorithms_warn_only_enabled()
    ag.use_deterministic_algorithms(True, warn_only=True)
    assert ag.are_deterministic_algorithms_enabled()
    assert ag.is_deterministic_algorithms_warn_only_enabled()
    ag.use_deterministic_algorithms(False, warn_only=True)  # torch keeps warn_only
    assert not ag.are_deterministic_algorithms_enabled()
    assert ag.is_deterministic_algorithms_warn_only_enabled()
    ag.use_deterministic_algorithms(False)
    assert not ag.are_deterministic_algorithms_enabled()
    assert not ag.is_deterministic_algorithms_warn_only_enabled()
    with pytest.raises(TypeError, match=r"argument 'mode' \(position 1\) must be bool, not int"):
        ag.use_deterministic_algorithms(1)
    with pytest.raises(TypeError, match="argument 'warn_only' must be bool, not int"):
        ag.use_deterministic_algorithms(True, warn_only=1)


def test_float32_matmul_precision_as_torch() -> None:
    assert ag.get_float32_matmul_precision() == "highest"
    ag.set_float32_matmul_precision("high")
    assert ag.get_float32_matmul_precision() == "high"
    with pytest.warns(UserWarning, match="low is not one of 'highest', 'high', or 'medium'"):
        ag.set_float32_matmul_precision("low")
    assert ag.get_float32_matmul_precision() == "high"
    with pytest.raises(RuntimeError, match="set_float32_matmul_precision expects a str, but "
                       "got int"):
        ag.set_float32_matmul_precision(3)
    # the setting never lowers the precision: a float32 product stays NumPy's float32 one
    a = ag.tensor([[1.0 + 2**-20, 3.0]])
    b = ag.tensor([[1.0 - 2**-20], [1e-7]])
    ag.set_float32_matmul_precision("medium")
    assert (a @ b).numpy().tobytes() == (a.numpy() @ b.numpy()).tobytes()


def test_interop_threads_set_once_as_torch() -> None:
    for bad, msg in [(0, "expects a positive integer"), (-1, "expects a positive integer"),
                     (2.0, "expects an int, but got float"),
                     (True, "expects an int, but got bool")]:
        with pytest.raises(RuntimeError, match=f"set_num_interop_threads {msg}"):
            ag.set_num_interop_threads(bad)
    assert ag.get_num_interop_threads() >= 1
    ag.set_num_interop_threads(3)
    assert ag.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="cannot set number of interop threads after"):
        ag.set_num_interop_threads(3)


def test_set_default_tensor_type_warns_as_torch() -> None:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ag.set_default_tensor_type("torch.FloatTensor")
    assert str(w[0].message).startswith("torch.set_default_tensor_type() is deprecated as of "
                                        "PyTorch 2.1")
    assert ag.get_default_dtype() == ag.float32
    with pytest.warns(UserWarning), pytest.raises(
            TypeError, match="^only floating-point types are supported as the default type$"):
        ag.set_default_tensor_type("torch.IntTensor")
    with pytest.warns(UserWarning), pytest.raises(TypeError, match="invalid type object"):
        ag.set_default_tensor_type(ag.float64)
    # chainrule's default dtype is fixed at float32: float64 is refused, never ignored
    with pytest.warns(UserWarning), pytest.raises(NotImplementedError):
        ag.set_default_tensor_type("torch.DoubleTensor")


@pytest.mark.skipif(ag.cuda.is_available(), reason="torch's behaviour without CUDA")
def test_cuda_without_gpu_as_torch() -> None:
    for f in (ag.cuda.manual_seed, ag.cuda.manual_seed_all):
        assert f(1) is None
    assert ag.cuda.seed() is None and ag.cuda.seed_all() is None
    assert ag.cuda.empty_cache() is None
    assert (ag.cuda.memory_allocated(), ag.cuda.max_memory_allocated(),
            ag.cuda.memory_reserved(), ag.cuda.max_memory_reserved()) == (0, 0, 0, 0)
    assert ag.cuda.is_bf16_supported() is False
    assert ag.cuda.is_bf16_supported(including_emulation=False) is False
    for call in (ag.cuda.initial_seed, ag.cuda.current_device, ag.cuda.get_device_name,
                 lambda: ag.cuda.get_device_properties(0), lambda: ag.cuda.set_device(0),
                 ag.cuda.reset_peak_memory_stats):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            call()
    with pytest.raises(ValueError, match="Expected a cuda device, but got: cpu"):
        ag.cuda.set_device("cpu")
    assert ag.cuda.set_device(-1) is None
    # ag.manual_seed is unaffected by cuda's
    ag.manual_seed(3)
    a = ag.rand(3)
    ag.manual_seed(3)
    ag.cuda.manual_seed(4)
    assert (ag.rand(3).numpy() == a.numpy()).all()


class _FakePool:
    def __init__(self) -> None:
        self.used, self.total, self.freed = 100, 300, 0

    def used_bytes(self) -> int:
        return self.used

    def total_bytes(self) -> int:
        return self.total

    def free_all_blocks(self) -> None:
        self.freed += 1


def test_cuda_with_cupy_reads_its_pool_and_seeds_its_generator(monkeypatch) -> None:
    """CuPy's API stood in by a fake (no GPU here): the names read CuPy's memory pool and
    device runtime, and cuda.manual_seed installs a seeded device generator."""
    from types import SimpleNamespace

    from autograd import backend, cuda, random

    pool = _FakePool()
    state = {"device": 0}
    runtime = SimpleNamespace(
        getDevice=lambda: state["device"], setDevice=lambda i: state.update(device=i),
        getDeviceCount=lambda: 2,
        getDeviceProperties=lambda i: {"name": b"Fake GPU", "totalGlobalMem": 80, "major": 9,
                                       "minor": 0, "multiProcessorCount": 132})

    class _Device:
        def __init__(self, i: int) -> None:
            self.i = i

        def __enter__(self) -> None:
            return None

        def __exit__(self, *a: object) -> None:
            return None

    xp = SimpleNamespace(cuda=SimpleNamespace(runtime=runtime, Device=_Device),
                         get_default_memory_pool=lambda: pool,
                         random=SimpleNamespace(RandomState=lambda s: ("gen", s)))
    monkeypatch.setattr(backend, "cuda_available", lambda: True)
    monkeypatch.setattr(backend, "cuda_device_count", lambda: 2)
    monkeypatch.setattr(backend, "backend_named", lambda name: SimpleNamespace(xp=xp))
    monkeypatch.setattr(random, "_DEVICE_GENERATORS", {})
    monkeypatch.setattr(cuda, "_SEEDS", {})
    monkeypatch.setattr(cuda, "_PEAK", [0])

    assert (cuda.memory_allocated(), cuda.memory_reserved()) == (100, 300)
    pool.used = 250
    assert cuda.memory_allocated() == 250
    pool.used = 50
    assert cuda.max_memory_allocated() == 250
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == 50
    cuda.empty_cache()
    assert pool.freed == 1
    props = cuda.get_device_properties(0)
    assert (props.name, props.total_memory, props.major, props.multi_processor_count) == (
        "Fake GPU", 80, 9, 132)
    assert cuda.get_device_name("cuda:0") == "Fake GPU"
    cuda.set_device("cuda:1")
    assert cuda.current_device() == 1
    cuda.manual_seed(7)
    assert random._DEVICE_GENERATORS[backend.device("cuda", 1)] == ("gen", 7)
    assert backend.device("cuda", 0) not in random._DEVICE_GENERATORS
    assert cuda.initial_seed() == 7
    cuda.manual_seed_all(5)
    assert [random._DEVICE_GENERATORS[backend.device("cuda", i)] for i in (0, 1)] == [
        ("gen", 5), ("gen", 5)]
    random._DEVICE_GENERATORS.clear()  # what ag.manual_seed does
    assert cuda.initial_seed() == random.default_generator.initial_seed()
