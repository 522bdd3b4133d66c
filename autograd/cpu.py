"""``ag.cpu``: torch.cpu's names chainrule has: ``ag.cpu.amp.autocast`` (deprecated there for
``ag.autocast("cpu", ...)``), and ``is_available()`` (always True)."""

from __future__ import annotations


def is_available() -> bool:
    """The CPU is always there."""
    return True


def __getattr__(name: str) -> object:
    """``ag.cpu.amp`` (torch.cpu.amp.autocast), loaded on first use."""
    if name == "amp":
        from types import SimpleNamespace

        from autograd.amp import CpuAutocast
        amp = SimpleNamespace(autocast=CpuAutocast)
        globals()["amp"] = amp
        return amp
    raise AttributeError(f"module 'autograd.cpu' has no attribute {name!r}")
