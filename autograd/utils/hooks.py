"""``ag.utils.hooks``: torch.utils.hooks' ``RemovableHandle``, which is nn's (loaded on first
use, so that ``autograd`` does not import ``nn``)."""

from __future__ import annotations

from autograd.lazy import lazy_attributes

__getattr__, __dir__ = lazy_attributes(
    __name__, {"RemovableHandle": ("nn.modules.hooks", "RemovableHandle")}, globals())

__all__ = ["RemovableHandle"]  # noqa: F822 - served by __getattr__
