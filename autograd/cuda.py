"""``ag.cuda``: whether the ``cuda`` device (CuPy on an NVIDIA GPU) can be used, as
``torch.cuda``. CuPy is the optional extra ``pip install 'chainrule[cuda]'``.

Without CuPy or a GPU the names behave as a torch without CUDA: the seeding functions
silently do nothing (torch queues them for a CUDA that never comes), ``memory_allocated``
and its kin return 0, ``empty_cache`` does nothing, ``is_bf16_supported`` is False, and
``initial_seed``, ``current_device``, ``get_device_name``, ``get_device_properties``,
``set_device`` and ``reset_peak_memory_stats`` raise torch's AssertionError. With CuPy the
memory figures are those of CuPy's default memory pool (the device arrays chainrule makes):
``memory_allocated`` its used bytes, ``memory_reserved`` its total bytes; CuPy keeps no peak,
so ``max_memory_allocated`` is the largest used-bytes figure these functions have seen since
the last ``reset_peak_memory_stats`` (a lower bound of torch's true peak).
"""

from __future__ import annotations

import secrets
from typing import Any

from autograd import backend, random

__all__ = [
    "current_device", "device_count", "empty_cache", "get_device_name",
    "get_device_properties", "initial_seed", "is_available", "is_bf16_supported",
    "manual_seed", "manual_seed_all", "max_memory_allocated", "max_memory_reserved",
    "memory_allocated", "memory_reserved", "reset_peak_memory_stats", "seed", "seed_all",
    "set_device", "synchronize",
]


def is_available() -> bool:
    """CuPy is installed and sees at least one GPU."""
    return backend.cuda_available()


def device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy or a GPU)."""
    return backend.cuda_device_count()


def synchronize() -> None:
    """Wait for the GPU's queued work to finish (nothing to do without a GPU)."""
    if backend.cuda_available():
        backend.backend_named("cuda").xp.cuda.Device().synchronize()


def _no_cuda() -> AssertionError:
    return AssertionError("Torch not compiled with CUDA enabled (chainrule: CuPy is not "
                          f"installed or sees no GPU; {backend.CUDA_HINT})")


def _cupy() -> Any:
    """CuPy, or torch's AssertionError when there is no usable GPU."""
    if not backend.cuda_available():
        raise _no_cuda()
    return backend.backend_named("cuda").xp


# Seeds given through this module, by device index: (seed, the generator it made), so that
# initial_seed() can tell its own generator from one ag.manual_seed made since.
_SEEDS: dict[int, tuple[int, Any]] = {}
_PEAK = [0]


def _seed_device(index: int, value: int) -> None:
    xp = backend.backend_named("cuda").xp
    with xp.cuda.Device(index):
        gen = xp.random.RandomState(value)
    random._DEVICE_GENERATORS[backend.device("cuda", index)] = gen
    _SEEDS[index] = (value, gen)


def manual_seed(seed: int) -> None:
    """Seed the current GPU's generator (the one ``cuda`` draws use); nothing without a GPU,
    as torch's."""
    if backend.cuda_available():
        _seed_device(current_device(), int(seed))


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator; nothing without a GPU."""
    for i in range(device_count()):
        _seed_device(i, int(seed))


def seed() -> None:
    """Seed the current GPU's generator with a random number; nothing without a GPU."""
    manual_seed(secrets.randbits(63))


def seed_all() -> None:
    """Seed every GPU's generator with one random number; nothing without a GPU."""
    manual_seed_all(secrets.randbits(63))


def initial_seed() -> int:
    """The current GPU generator's seed (the default generator's until ``cuda.manual_seed``);
    AssertionError without a GPU, as torch's."""
    _cupy()
    index = current_device()
    mine = _SEEDS.get(index)
    if mine is not None and random._DEVICE_GENERATORS.get(backend.device("cuda", index)) \
            is mine[1]:
        return mine[0]
    return random.default_generator.initial_seed()


def current_device() -> int:
    """The index of CuPy's current GPU."""
    return int(_cupy().cuda.runtime.getDevice())


def set_device(device: Any) -> None:
    """Make ``device`` (an int, ``'cuda:1'`` or a cuda ``device``) CuPy's current GPU; a
    negative index does nothing, as torch's."""
    d = backend.as_device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    if d.index is not None and d.index < 0:
        return
    _cupy().cuda.runtime.setDevice(d.index or 0)


def _index(device: Any) -> int:
    if device is None:
        return current_device()
    d = backend.as_device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_device() if d.index is None else d.index


def get_device_properties(device: Any = None) -> Any:
    """CuPy's property dict of the GPU, with torch's attribute names where they map
    (``name``, ``total_memory``, ``major``, ``minor``, ``multi_processor_count``)."""
    from types import SimpleNamespace

    props = _cupy().cuda.runtime.getDeviceProperties(_index(device))
    name = props["name"]
    return SimpleNamespace(
        name=name.decode() if isinstance(name, bytes) else str(name),
        total_memory=int(props["totalGlobalMem"]), major=int(props["major"]),
        minor=int(props["minor"]), multi_processor_count=int(props["multiProcessorCount"]))


def get_device_name(device: Any = None) -> str:
    """The GPU's name (``'NVIDIA H100 80GB HBM3'``)."""
    return get_device_properties(device).name


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: NumPy and CuPy have no bfloat16, so chainrule computes in none."""
    return False


def _pool() -> Any:
    return backend.backend_named("cuda").xp.get_default_memory_pool() \
        if backend.cuda_available() else None


def memory_allocated(device: Any = None) -> int:
    """Bytes of device arrays held now (CuPy's memory pool's used bytes; 0 without a GPU)."""
    pool = _pool()
    used = int(pool.used_bytes()) if pool is not None else 0
    _PEAK[0] = max(_PEAK[0], used)
    return used


def max_memory_allocated(device: Any = None) -> int:
    """The largest :func:`memory_allocated` seen since the last reset (see the module
    docstring: CuPy keeps no peak of its own); 0 without a GPU."""
    return max(_PEAK[0], memory_allocated(device))


def memory_reserved(device: Any = None) -> int:
    """Bytes CuPy's memory pool holds from the driver (used and cached); 0 without a GPU."""
    pool = _pool()
    return int(pool.total_bytes()) if pool is not None else 0


def max_memory_reserved(device: Any = None) -> int:
    """CuPy keeps no peak: the current :func:`memory_reserved` (0 without a GPU)."""
    return memory_reserved(device)


def reset_peak_memory_stats(device: Any = None) -> None:
    """Restart :func:`max_memory_allocated` from the current figure."""
    _cupy()
    _PEAK[0] = 0
    _PEAK[0] = memory_allocated(device)


def empty_cache() -> None:
    """Give CuPy's cached, unused blocks back to the driver; nothing without a GPU."""
    pool = _pool()
    if pool is not None:
        pool.free_all_blocks()


def __getattr__(name: str) -> object:
    """``ag.cuda.amp`` (torch.cuda.amp's GradScaler, autocast, custom_fwd/custom_bwd,
    deprecated there), loaded on first use."""
    if name == "amp":
        from types import SimpleNamespace

        from autograd.amp import CudaAutocast, CudaGradScaler, cuda_custom_bwd, cuda_custom_fwd
        amp = SimpleNamespace(GradScaler=CudaGradScaler, autocast=CudaAutocast,
                              custom_fwd=cuda_custom_fwd, custom_bwd=cuda_custom_bwd)
        globals()["amp"] = amp
        return amp
    raise AttributeError(f"module 'autograd.cuda' has no attribute {name!r}")
