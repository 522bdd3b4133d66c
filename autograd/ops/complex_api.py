"""torch's complex-number API on real tensors: chainrule has no complex arithmetic (and no
conjugate or negative bits), so each name does what torch does for a real dtype.

* ``conj``, ``conj_physical``, ``resolve_conj``, ``resolve_neg``, ``real``: the tensor
  itself (torch returns ``self`` for a real tensor; no copy, no node).
* ``is_conj``, ``is_neg``: False.  ``imag``: torch's RuntimeError.  ``isreal``: all True.
* ``H`` (2-D), ``mH``, ``adjoint`` (batches of matrices): the transpose of the last two
  dims (the conjugate transpose of a real matrix), a view as torch's.
* ``sgn``: ``sign`` (z/|z| for complex z is sign(x) for real x).
* ``angle``: arg(x) = π for x < 0, 0 for x ≥ 0, NaN for NaN; integer input gives float32.
  Its gradient is zero (torch's ``AngleBackward`` for real input).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.ops.arith import add, mul
from autograd.ops.inplace import apply_inplace
from autograd.ops.rounding import sign
from autograd.ops.select import where
from autograd.ops.shape import transpose
from autograd.tensor import Tensor, _bump_version, _check_inplace, _wrap


def conj(input: Tensor) -> Tensor:
    """The complex conjugate: a real tensor is its own (returned as it is, as torch)."""
    return input


def conj_physical(input: Tensor) -> Tensor:
    """The conjugate computed eagerly: for a real tensor, the tensor itself (torch)."""
    return input


def conj_physical_(input: Tensor) -> Tensor:
    """In place: no value changes in a real tensor, but it counts as an in-place change
    (torch: a leaf that requires grad is refused, the version goes up)."""
    _check_inplace(input)
    _bump_version(input)
    return input


def resolve_conj(input: Tensor) -> Tensor:
    """Materialise a lazy conjugation: a real tensor has none, so itself."""
    return input


def resolve_neg(input: Tensor) -> Tensor:
    """Materialise a lazy negation: chainrule has none, so itself."""
    return input


def is_conj(input: Tensor) -> bool:
    """Whether the conjugate bit is set: never here (no complex views)."""
    return False


def is_neg(input: Tensor) -> bool:
    """Whether the negative bit is set: never here."""
    return False


def real(input: Tensor) -> Tensor:
    """The real part: a real tensor itself (torch returns ``self``)."""
    return input


def imag(input: Tensor) -> Tensor:
    """The imaginary part: undefined for real dtypes, as torch says."""
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def isreal(input: Tensor) -> Tensor:
    """True where the imaginary part is 0: everywhere for a real tensor (bool, NaN too)."""
    d = input._data
    return _wrap(xp_of(d).ones(d.shape, dtype=bool), None)


def _H(input: Tensor) -> Tensor:  # noqa: N802 - torch's name
    """The conjugate transpose of a matrix (2-D only, as torch's ``Tensor.H``)."""
    nd = input._data.ndim
    if nd != 2 and nd != 0:
        hint = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{nd}-D tensor.{hint}")
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return input
    return transpose(input, 0, 1)


def _matrix_transpose(input: Tensor, what: str) -> Tensor:
    nd = input._data.ndim
    if nd == 0:  # torch: deprecated, the tensor itself
        warnings.warn(f"{'Tensor.mH' if what == 'mH' else what} is deprecated on 0-D "
                      "tensors. Consider using x.conj().", UserWarning, stacklevel=3)
        return input
    if nd < 2:
        raise RuntimeError(f"tensor.{what} is only supported on matrices or batches of "
                           f"matrices. Got {nd}-D tensor.")
    return transpose(input, -2, -1)


def _mH(input: Tensor) -> Tensor:  # noqa: N802 - torch's name
    """The conjugate transpose of the last two dims (batches of matrices)."""
    return _matrix_transpose(input, "mH")


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims: for real, ``transpose(-2, -1)``."""
    return _matrix_transpose(input, "adjoint()")


def sgn(input: Tensor) -> Tensor:
    """z / |z| (0 at 0): for real x, ``sign(x)`` (bool stays bool; zero gradient)."""
    return sign(input)


def sgn_(input: Tensor) -> Tensor:
    """``sgn`` in place."""
    return apply_inplace(input, "sgn_", sign)


def angle(input: Tensor) -> Tensor:
    """arg(x): π where x < 0, else 0 (NaN stays NaN); float32 for integer and bool input.

    The value is a constant of x, so the gradient is zero; it is recorded as
    ``0 · where(finite, x, 0) + arg(x)`` so that an input requiring grad gives an output
    requiring grad with a zero (never NaN) gradient, to every order."""
    d = input._data
    xp = xp_of(d)
    if d.dtype.kind not in "f":
        out = xp.where(d < 0, math.pi, 0.0).astype(np.float32)
        return _wrap(out, None)
    value = xp.where(d < 0, d.dtype.type(math.pi), d.dtype.type(0))
    value = xp.where(xp.isnan(d), d, value).astype(d.dtype, copy=False)
    if not input.requires_grad:
        return _wrap(value, None)
    return add(mul(where(xp.isfinite(d), input, 0), 0), _wrap(value, None))


PUBLIC = ["angle"]

METHODS: dict[str, Any] = {
    "conj": conj, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
    "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "is_conj": is_conj,
    "is_neg": is_neg, "isreal": isreal, "adjoint": adjoint, "sgn": sgn, "sgn_": sgn_,
    "angle": angle,
    "real": property(real, doc="The real part: the tensor itself for a real dtype."),
    "imag": property(imag, doc="The imaginary part (raises for a real dtype, as torch)."),
    "H": property(_H, doc="The conjugate transpose of a matrix."),
    "mH": property(_mH, doc="The conjugate transpose of the last two dims."),
}

FUNCTIONS: dict[str, Any] = {
    "conj": conj, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
    "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "is_conj": is_conj,
    "is_neg": is_neg, "isreal": isreal, "adjoint": adjoint, "sgn": sgn, "angle": angle,
    "real": real, "imag": imag,
}
