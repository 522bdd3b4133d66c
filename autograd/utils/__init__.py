"""``ag.utils``: torch.utils' names that programs call, mapped (nothing is defined here).

``ag.utils.data`` is ``nn.data`` (torch.utils.data: ``DataLoader``, ``Dataset`` ...),
``ag.utils.checkpoint`` is ``autograd.checkpoint`` (``checkpoint``, ``checkpoint_sequential``)
and ``ag.utils.hooks.RemovableHandle`` is the handle nn's hooks return. Each is loaded on
first use: ``autograd`` never imports ``nn`` itself.
"""

from __future__ import annotations

from autograd.lazy import lazy_attributes

_LAZY = {
    "data": ("nn.data", None),
    "checkpoint": ("autograd.checkpoint", None),
    "hooks": ("autograd.utils.hooks", None),
}
__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())

__all__ = ["checkpoint", "data", "hooks"]
