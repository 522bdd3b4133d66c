"""dtype names on the module, as torch's: ``ag.float32``, ``ag.long``, ``ag.bool``, ...

They are the NumPy scalar types themselves, so they are accepted wherever a dtype is
taken (``dtype=ag.int64``, ``t.to(ag.float64)``, ``np.dtype(ag.half)``) and compare
equal to a tensor's ``dtype`` (``t.dtype == ag.float32``). torch's aliases map as in
torch: ``float``/``float32``, ``double``/``float64``, ``half``/``float16``,
``long``/``int64``, ``int``/``int32``, ``short``/``int16``.
"""

from __future__ import annotations

import numpy as np

float32 = np.float32
float64 = np.float64
float16 = np.float16
half = np.float16
float = np.float32  # noqa: A001 - torch's name (torch.float is float32)
double = np.float64
int64 = np.int64
long = np.int64
int32 = np.int32
int = np.int32  # noqa: A001 - torch's name (torch.int is int32)
int16 = np.int16
short = np.int16
int8 = np.int8
uint8 = np.uint8
bool = np.bool_  # noqa: A001 - torch's name (torch.bool)
complex64 = np.complex64
complex128 = np.complex128
cfloat = np.complex64
cdouble = np.complex128

# Names safe to star-import (``int``, ``float`` and ``bool`` would shadow builtins).
__all__ = [
    "cdouble", "cfloat", "complex128", "complex64", "double", "float16", "float32", "float64",
    "half", "int16", "int32", "int64", "int8", "long", "short", "uint8",
]
