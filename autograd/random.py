"""Random number generators with torch's API: ``ag.Generator`` and the default generator.

Each :class:`Generator` owns one stream: a NumPy ``PCG64`` bit generator seeded with
its ``initial_seed``, so the same seed gives the same numbers in any process, on any
platform. The numbers are NOT torch's (torch's CPU generator is an MT19937 with its
own transforms): distributions, dtypes, shapes and argument checks follow torch,
bit-for-bit equality with torch does not.

The default generator (``default_generator``) stands behind ``ag.manual_seed``,
``ag.seed``, ``ag.initial_seed``, ``ag.get_rng_state``/``ag.set_rng_state`` and every
draw given no ``generator=``: factories, ``nn.init``, dropout, the DataLoader shuffle.
As in torch it is seeded non-deterministically at import; a new ``Generator()``
starts from torch's fixed default seed 67280421310721.

State (``get_state``) is a uint8 Tensor of 48 bytes, as torch's ByteTensor (whose
layout differs): the 128-bit PCG64 state and increment, the cached 32-bit half
(flag and value) and the initial seed, little-endian. It round-trips through
``nn.save``/``nn.load`` and ``set_state`` accepts it as a Tensor or a uint8 array.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd import backend

__all__ = [
    "Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
    "manual_seed", "seed", "set_rng_state",
]

_DEFAULT_SEED = 67280421310721  # torch's default_rng_seed_val
_STATE_BYTES = 48
_MASK64 = (1 << 64) - 1


def _check_device(device: Any) -> None:
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"Generator: device {str(device)!r} is not available; this engine "
                           "has only the 'cpu' generator")


class Generator:
    """A stream of random numbers (as ``torch.Generator``): ``Generator(device='cpu')``.

    ``manual_seed(s)`` restarts the stream from ``s`` and returns the generator;
    ``seed()`` reseeds it from the operating system's entropy and returns the new seed;
    ``initial_seed()`` is the seed the stream started from; ``get_state()`` /
    ``set_state(state)`` save and restore the exact position (a uint8 Tensor).
    """

    def __init__(self, device: Any = "cpu") -> None:
        _check_device(device)
        self.device = "cpu"
        self._seed_value = _DEFAULT_SEED
        self._np = np.random.Generator(np.random.PCG64(_DEFAULT_SEED))

    def manual_seed(self, seed: Any) -> Generator:
        """Restart the stream from ``seed`` (an int; negative seeds wrap modulo 2⁶⁴ as
        in torch); returns this generator."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            if hasattr(seed, "item"):
                seed = seed.item()
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
                raise RuntimeError(f"manual_seed expected a long, but got "
                                   f"{type(seed).__name__}")
        seed = int(seed)
        if not -(1 << 63) <= seed <= _MASK64:
            raise ValueError(f"Overflow when unpacking long long: seed {seed} is outside "
                               "[-2**63, 2**64 - 1]")
        self._seed_value = seed & _MASK64
        self._np = np.random.Generator(np.random.PCG64(self._seed_value))
        return self

    def seed(self) -> int:
        """Reseed from OS entropy (a non-deterministic 64-bit seed) and return it."""
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this stream was last (re)started from."""
        return self._seed_value

    def get_state(self) -> Any:
        """The exact position of the stream as a uint8 Tensor (48 bytes, see module doc)."""
        from autograd.tensor import _wrap

        st = self._np.bit_generator.state
        inner = st["state"]
        raw = (int(inner["state"]).to_bytes(16, "little")
               + int(inner["inc"]).to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(4, "little")
               + int(st["uinteger"]).to_bytes(4, "little")
               + self._seed_value.to_bytes(8, "little"))
        return _wrap(np.frombuffer(raw, dtype=np.uint8).copy(), None)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state` (a uint8 Tensor or array); returns self."""
        data = getattr(new_state, "_data", new_state)
        arr = np.asarray(data)
        if arr.dtype != np.uint8 or arr.shape != (_STATE_BYTES,):
            raise RuntimeError(f"set_state: expected a uint8 tensor of {_STATE_BYTES} bytes "
                               f"(from get_state()), got dtype {arr.dtype} and shape "
                               f"{arr.shape}")
        raw = arr.tobytes()
        has_uint32 = int.from_bytes(raw[32:36], "little")
        if has_uint32 not in (0, 1) or raw[16] % 2 == 0:  # PCG64's increment is odd
            raise RuntimeError("set_state: the state is not one get_state() produced")
        bg = np.random.PCG64()
        bg.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[:16], "little"),
                      "inc": int.from_bytes(raw[16:32], "little")},
            "has_uint32": has_uint32,
            "uinteger": int.from_bytes(raw[36:40], "little"),
        }
        self._np = np.random.Generator(bg)
        self._seed_value = int.from_bytes(raw[40:48], "little")
        return self

    def __repr__(self) -> str:
        return f"<autograd.Generator object at {id(self):#x}>"


default_generator = Generator()
default_generator.seed()  # torch seeds its default generator non-deterministically


def resolve(gen: Any) -> np.random.Generator:
    """The NumPy generator behind ``gen`` (an ``ag.Generator``, a NumPy Generator, or None
    for the default generator). Every draw in autograd and nn goes through this."""
    if gen is None:
        return default_generator._np
    if isinstance(gen, Generator):
        return gen._np
    if isinstance(gen, np.random.Generator):
        return gen
    raise TypeError(f"generator must be an autograd.Generator, got {type(gen).__name__}")


def generator() -> np.random.Generator:
    """The NumPy generator behind the default generator (its current stream)."""
    return default_generator._np


_DEVICE_GENERATORS: dict = {}  # device -> its generator, made on first draw


def device_generator(like: Any) -> Any:
    """The generator of the device an array ``like`` lives on, as torch's per-device
    default generators: the device array module's ``random.RandomState`` (cuRAND's
    XORWOW under CuPy), seeded with the default generator's seed on first use and
    restarted by :func:`manual_seed` and :func:`seed`. Draws happen on the device (no
    host copy); the numbers differ from the host's for the same seed, as in torch."""
    d = backend.device_of(like)
    gen = _DEVICE_GENERATORS.get(d)
    if gen is None:
        dev = backend.backend_of(like)
        with dev.on_index(d.index):
            gen = _DEVICE_GENERATORS[d] = dev.xp.random.RandomState(
                default_generator.initial_seed())
    return gen


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (every draw without ``generator=``) and, as torch, every
    device's generator; returns the default generator."""
    _DEVICE_GENERATORS.clear()
    return default_generator.manual_seed(int(seed))  # as torch: int(seed) (1.5 seeds 1)


def seed() -> int:
    """Seed the default generator (and the devices') non-deterministically; returns the
    seed."""
    _DEVICE_GENERATORS.clear()
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's initial seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state (a uint8 Tensor; see the module doc)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """torch.random.fork_rng (its signature): draws inside the block leave the default
    generator as it was before (``enabled=False``: they do not). The device generators
    (CuPy's, whose state cannot be read back) are not forked: the block's device draws
    advance them."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
