"""``ag.amp`` / ``ag.cuda.amp`` / ``ag.cpu.amp``: torch's GradScaler (loss scaling for
float16 training) and autocast (mixed precision regions, ``autograd/autocast_mode.py``).

``GradScaler(device="cuda", ...)`` on a machine without CUDA disables itself with torch's
warning, so scale/step/update are then plain loss/optimizer.step()/nothing, as torch's
on a CPU-only machine (nanoGPT's ``GradScaler(enabled=(dtype == 'float16'))``). Enabled
(``device="cpu"``, or CUDA present), it is torch's algorithm: outputs times ``scale``,
``unscale_`` divides the gradients by it and notes non-finite ones, ``step`` skips the
optimizer step when it found any, ``update`` halves the scale after such a step and
doubles it after ``growth_interval`` clean ones.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import backend
from autograd.autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from autograd.tensor import Tensor

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]


class GradScaler:
    """torch.amp.GradScaler(device, init_scale, growth_factor, backoff_factor,
    growth_interval, enabled)."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda" and not backend.cuda_available():
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._scale = float(init_scale)
        self._growth_factor, self._backoff_factor = float(growth_factor), float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, bool]] = {}

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a tensor or nested lists/tuples of them) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * np.asarray(self._scale, dtype=np.float32)
        if isinstance(outputs, list | tuple):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer: Any) -> dict[str, bool]:
        return self._per_optimizer.setdefault(id(optimizer), {"unscaled": False,
                                                               "stepped": False,
                                                               "found_inf": False})

    def unscale_(self, optimizer: Any) -> None:
        """Divide ``optimizer``'s gradients by the scale (once per step), noting infs/NaNs."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["unscaled"]:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stepped"]:
            raise RuntimeError("unscale_() is being called after step().")
        inv = np.float32(1.0 / self._scale)  # torch: scale.double().reciprocal().float()
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.grad.mul_(float(inv))
                found = found or not bool(np.all(np.isfinite(backend.to_host(p.grad._data))))
        state.update(unscaled=True, found_inf=found)

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """optimizer.step() unless the unscaled gradients held an inf or NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        state = self._state(optimizer)
        if state["stepped"]:
            raise RuntimeError("step() has already been called since the last update().")
        if not state["unscaled"]:
            self.unscale_(optimizer)
        out = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stepped"] = True
        return out

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Back off after a skipped step, grow after growth_interval clean ones."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif any(s["found_inf"] for s in self._per_optimizer.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        self._per_optimizer.clear()

    def state_dict(self) -> dict[str, Any]:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])


class CudaGradScaler(GradScaler):
    """torch.cuda.amp.GradScaler: GradScaler("cuda", ...)."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


class CudaAutocast(autocast):
    """torch.cuda.amp.autocast(enabled, dtype, cache_enabled): autocast("cuda", ...),
    deprecated (FutureWarning)."""

    def __init__(self, enabled: bool = True, dtype: Any = np.float16,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class CpuAutocast(autocast):
    """torch.cpu.amp.autocast(enabled, dtype, cache_enabled): autocast("cpu", ...),
    deprecated (FutureWarning); its default dtype is bfloat16, which chainrule lacks (the
    region warns and is disabled, see autocast)."""

    def __init__(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


def cuda_custom_fwd(fwd: Any = None, *, cast_inputs: Any = None) -> Any:
    """torch.cuda.amp.custom_fwd: custom_fwd(device_type="cuda"), deprecated."""
    warnings.warn("`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_fwd(args..., device_type='cuda')` instead.",
                  FutureWarning, stacklevel=2)
    return custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def cuda_custom_bwd(bwd: Any = None) -> Any:
    """torch.cuda.amp.custom_bwd: custom_bwd(device_type="cuda"), deprecated."""
    warnings.warn("`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
                  "`torch.amp.custom_bwd(args..., device_type='cuda')` instead.",
                  FutureWarning, stacklevel=2)
    return custom_bwd(bwd, device_type="cuda")
