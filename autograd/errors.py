"""Exception classes shared by every op (no dependencies, so any module can import it)."""

from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """A tensor shape that does not fit an op (a ValueError and a RuntimeError, so code
    written for either convention, NumPy's or torch's, catches it)."""


class LinAlgError(RuntimeError):
    """A linear-algebra failure (a matrix that is singular or not positive definite), as
    ``torch.linalg.LinAlgError``: a RuntimeError."""
