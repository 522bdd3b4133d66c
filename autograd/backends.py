"""``ag.backends``: torch.backends' switches that programs set at start-up
(``torch.backends.cuda.matmul.allow_tf32 = True``, ``torch.backends.cudnn.benchmark``...).
They select GPU kernels in torch and change nothing here: chainrule's matmuls are NumPy's
(CuPy's) in the tensor's own dtype, never TF32."""

from __future__ import annotations

from types import SimpleNamespace


def _false() -> bool:
    return False


cuda = SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False,
                                              allow_fp16_reduced_precision_reduction=True,
                                              allow_bf16_reduced_precision_reduction=True),
                       is_built=_false)
cudnn = SimpleNamespace(enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                        is_available=_false)
mps = SimpleNamespace(is_available=_false, is_built=_false)

__all__ = ["cuda", "cudnn", "mps"]
