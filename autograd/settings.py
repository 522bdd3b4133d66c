"""torch's process-wide switches that programs set at start-up: deterministic algorithms, the
float32 matmul precision and the (deprecated) default tensor type.

**Determinism.** ``use_deterministic_algorithms(True)`` makes torch refuse (or, with
``warn_only``, warn about) its nondeterministic kernels (atomic-add scatters, some cuDNN
convolutions). chainrule has none to refuse on the CPU: every op is NumPy's, which gives the
same bits for the same inputs, seed and BLAS thread count (the thread count fixes a BLAS
product's summation order: see ``autograd/threads.py``). On the ``cuda`` device (CuPy) the
scatter-adds (gather's and indexing's gradients, embedding gradients with a large
vocabulary) run as CuPy's weighted ``bincount`` or ``add.at``, which add with atomics, so a
float sum's order can vary from run to run, and cuBLAS may pick different algorithms;
chainrule does not swap those for deterministic ones. The switch is stored and reported as
torch's, and changes no kernel.

**float32 matmul precision.** torch's ``'high'``/``'medium'`` allow TF32 or bfloat16
internally on GPUs. chainrule always multiplies float32 matrices in full float32 (NumPy's
BLAS, or cuBLAS without TF32: CuPy's default unless the environment sets ``CUPY_TF32=1``),
which is what ``'highest'`` means: the setting is validated and stored as torch's and never
lowers the precision.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = [
    "are_deterministic_algorithms_enabled", "get_float32_matmul_precision",
    "is_deterministic_algorithms_warn_only_enabled", "set_default_tensor_type",
    "set_float32_matmul_precision", "use_deterministic_algorithms",
]

_DETERMINISTIC = {"mode": False, "warn_only": False}
_PRECISIONS = ("highest", "high", "medium")
_MATMUL_PRECISION = ["highest"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record torch's deterministic-algorithms switch (no kernel changes: see the module
    docstring). Both arguments must be bools, as torch's."""
    if not isinstance(mode, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must "
                        f"be bool, not {type(mode).__name__}")
    if not isinstance(warn_only, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'warn_only' must be bool, "
                        f"not {type(warn_only).__name__}")
    _DETERMINISTIC["mode"] = mode
    _DETERMINISTIC["warn_only"] = warn_only  # torch stores it whatever the mode


def are_deterministic_algorithms_enabled() -> bool:
    """The ``mode`` last given to :func:`use_deterministic_algorithms` (False at start)."""
    return _DETERMINISTIC["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` last given (False at start; kept even with ``mode=False``, as
    torch's)."""
    return _DETERMINISTIC["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    """Store ``'highest'``, ``'high'`` or ``'medium'``; another str warns and is ignored,
    a non-str raises RuntimeError (torch's behaviour). chainrule computes float32 matmuls
    in full float32 whatever the setting."""
    if not isinstance(precision, str):
        raise RuntimeError("set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    """The precision last stored (``'highest'`` at start)."""
    return _MATMUL_PRECISION[0]


_TENSOR_TYPES = {"FloatTensor": np.float32, "DoubleTensor": np.float64,
                 "HalfTensor": np.float16}
_INTEGRAL_TYPES = ("ByteTensor", "CharTensor", "ShortTensor", "IntTensor", "LongTensor",
                   "BoolTensor", "ComplexFloatTensor", "ComplexDoubleTensor")


def set_default_tensor_type(t: Any) -> None:
    """torch's deprecated ``set_default_tensor_type('torch.DoubleTensor')``: warns as torch,
    then sets the default dtype (chainrule's stays float32, so only the float one passes:
    see ``set_default_dtype``). ``'torch.cuda.FloatTensor'`` also sets the default device."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if not isinstance(t, str):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    parts = t.split(".")
    name = parts[-1]
    if name in _INTEGRAL_TYPES:
        raise TypeError("only floating-point types are supported as the default type")
    if parts[0] != "torch" or name not in _TENSOR_TYPES or parts[1:-1] not in ([], ["cuda"]):
        raise TypeError(f"invalid type: '{t}'")
    from autograd.backend import set_default_device
    from autograd.factories import set_default_dtype
    set_default_dtype(_TENSOR_TYPES[name])
    if parts[1:-1] == ["cuda"]:
        set_default_device("cuda")
