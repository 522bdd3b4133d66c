"""Optional dependencies: import them when a feature needs them, and say in one line what to
install when they are missing.

chainrule's runtime dependencies are NumPy, graphviz and threadpoolctl. The rest are extras
of the ``chainrule`` distribution (see ``pyproject.toml``):

* ``plot``: matplotlib, for ``curves.png`` and gradient-flow plots;
* ``progress``: tqdm, for the progress bar of ``chainrule train``;
* ``mnist1d``: the MNIST-1D generator, for ``--data mnist1d``.

>>> from nn.optional import optional, require
>>> tqdm = optional("tqdm.auto", "progress", "no progress bar")     # module or None
>>> Figure = require("matplotlib.figure", "plot", "curves.png").Figure  # module or ImportError
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = ["EXTRAS", "install_hint", "optional", "require"]

# Extra name -> the distributions it installs (kept in step with pyproject.toml).
EXTRAS: dict[str, tuple[str, ...]] = {
    "plot": ("matplotlib",),
    "progress": ("tqdm",),
    "mnist1d": ("mnist1d",),
    "notebooks": ("jupyterlab", "jupytext", "ipykernel", "matplotlib", "tqdm"),
}


def install_hint(extra: str) -> str:
    """The command that installs ``extra``, e.g. ``pip install 'chainrule[plot]'``."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; valid extras are: {', '.join(EXTRAS)}")
    return f"pip install 'chainrule[{extra}]'"


def _missing_message(module: str, extra: str, purpose: str) -> str:
    top = module.partition(".")[0]
    return f"{purpose}: {top} is not installed ({install_hint(extra)})"


def _import(module: str) -> ModuleType | None:
    """``module``, or None when it (or a package above it) is not installed.

    An ImportError raised *inside* an installed module (a broken installation) is not
    "missing": it propagates, so a real failure is never reported as a missing extra.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        parts = module.split(".")
        parents = {".".join(parts[: i + 1]) for i in range(len(parts))}
        if getattr(exc, "name", None) in parents:
            return None
        raise


def require(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` for ``purpose``, or raise a one-line ``ImportError``.

    Args:
        module: dotted module name, e.g. ``"matplotlib.figure"``.
        extra: the chainrule extra that installs it (a key of :data:`EXTRAS`).
        purpose: what needs it, e.g. ``"curves.png needs matplotlib"``; starts the message.

    Raises:
        ImportError: ``"<purpose>: <package> is not installed (pip install 'chainrule[extra]')"``.
    """
    found = _import(module)
    if found is None:
        raise ImportError(_missing_message(module, extra, purpose), name=module)
    return found


def optional(module: str, extra: str, purpose: str) -> ModuleType | None:
    """Import ``module``, or print one line on stderr and return None when it is missing.

    For features that can be skipped (a progress bar): the caller goes on without them.
    The line reads ``note: <purpose>: <package> is not installed (pip install ...)``.
    """
    found = _import(module)
    if found is None:
        print(f"note: {_missing_message(module, extra, purpose)}", file=sys.stderr)
    return found
