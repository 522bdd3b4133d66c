"""The engines under comparison and how each is loaded (or skipped, with a reason).

An engine is any object with the ``Engine`` methods below; ``numpy_ref``,
``torch_ref`` and ``chainrule_ref`` each provide one. PyTorch and chainrule are
optional: when they cannot be imported the run goes on without them and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

ENGINE_NAMES: tuple[str, ...] = ("numpy", "torch", "chainrule")
DISPLAY_NAMES = {"numpy": "NumPy (by hand)", "torch": "PyTorch eager", "chainrule": "chainrule"}


class Engine(Protocol):
    """What the benchmarks need from an engine. Arrays in, closures out.

    Every ``*_step`` builds its own model from copies of ``params`` (numpy_ref's
    ``[W1, b1, ...]`` in PyTorch layout) and returns a zero-argument closure
    doing one full training step (zero grads, forward, loss, backward, SGD).
    """

    name: str

    def version(self) -> str: ...

    def mlp_step(
        self, params: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]: ...

    def cnn_step(
        self, params: list[np.ndarray], x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]: ...

    def chain(self, x0: np.ndarray, n_links: int, backward: bool) -> Callable[[], object]: ...

    def loss_and_grads(
        self, net: str, params: list[np.ndarray], x: np.ndarray, y: np.ndarray
    ) -> tuple[float, list[np.ndarray]]: ...


def load_engine(name: str) -> Engine:
    """Import and construct one engine; raises (ImportError etc.) when it cannot run."""
    if name == "numpy":
        from benchmarks.numpy_ref import NumpyEngine

        return NumpyEngine()
    if name == "torch":
        from benchmarks.torch_ref import TorchEngine

        return TorchEngine()
    if name == "chainrule":
        from benchmarks.chainrule_ref import ChainruleEngine

        return ChainruleEngine()
    raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINE_NAMES)}")


def skip_reason(name: str, exc: BaseException) -> str:
    """A one-line, actionable message for an engine that failed to load."""
    if name == "torch" and isinstance(exc, ImportError):
        return (
            "PyTorch not installed, skipping the PyTorch comparison "
            "(pip install torch==2.13.0, the CPU wheel)"
        )
    if name == "chainrule":
        return f"chainrule not usable yet, skipping it ({type(exc).__name__}: {exc})"
    return f"{name} unavailable ({type(exc).__name__}: {exc})"


def load_engines(names: Sequence[str]) -> tuple[list[Engine], dict[str, str]]:
    """Load the engines that can run. Returns (engines, {skipped name: reason})."""
    engines: list[Engine] = []
    skipped: dict[str, str] = {}
    for name in names:
        try:
            engines.append(load_engine(name))
        # a half-written package can fail in any way on import; none of them may stop the run
        except Exception as exc:
            skipped[name] = skip_reason(name, exc)
    return engines, skipped
