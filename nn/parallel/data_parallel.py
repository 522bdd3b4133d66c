"""torch's ``nn.DataParallel`` where chainrule runs: one process, one device.

torch splits each batch over the GPUs of one machine; on a machine without them its
DataParallel only calls the module. chainrule computes on one device per process (the host,
or one CUDA device through CuPy), so this is that case: ``model = nn.DataParallel(model)``
keeps working, and so do the checkpoints written through it (their ``module.`` key
prefix). Several devices or machines: :class:`~nn.parallel.DistributedDataParallel`, one
process each.
"""

from __future__ import annotations

from typing import Any

import autograd as ag
from nn.modules.module import Module

__all__ = ["DataParallel"]


def _to(value: Any, device: str) -> Any:
    """Tensors in ``value`` (nested in tuples, lists and dicts) moved to ``device``."""
    if isinstance(value, ag.Tensor):
        return value.to(device)
    if isinstance(value, tuple | list):
        return type(value)(_to(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: calls
    ``module``; with a CUDA device (``device_ids`` defaults to device 0 then) the inputs
    are moved there first, as torch's single-device case does. ``device_ids`` naming
    more than one device raises: one process drives one device here."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel expects an nn.Module, got {type(module).__name__}")
        ids = ([0] if ag.cuda.is_available() else []) if device_ids is None else [
            getattr(d, "index", d) for d in device_ids]
        if len(ids) > 1:
            raise ValueError(f"DataParallel: device_ids {list(device_ids)}: one process "
                             f"computes on one device here; for several, use "
                             f"nn.parallel.DistributedDataParallel with a process each")
        self.module = module
        self.device_ids = ids
        self.output_device = ids[0] if ids and output_device is None else output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.device_ids:
            device = f"cuda:{self.device_ids[0]}"
            inputs, kwargs = _to(inputs, device), _to(kwargs, device)
        return self.module(*inputs, **kwargs)
