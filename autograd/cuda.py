"""``ag.cuda``: whether the ``cuda`` device (CuPy on an NVIDIA GPU) can be used, as
``torch.cuda``. CuPy is the optional extra ``pip install 'chainrule[cuda]'``."""

from __future__ import annotations

from autograd import backend


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
