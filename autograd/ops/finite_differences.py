"""``torch.gradient``: the derivative of sampled values estimated by finite differences
along each chosen dimension, as NumPy's ``gradient`` and torch's.

Along a dimension of n ≥ edge_order + 1 samples f₀ … fₙ₋₁ with spacings hᵢ = xᵢ₊₁ − xᵢ
(a number h for all, or the coordinates x as a 1-d tensor):

- inside, the second-order central difference
  f′ᵢ ≈ (hₗ² fᵢ₊₁ − hᵣ² fᵢ₋₁ + (hᵣ² − hₗ²) fᵢ) / (hₗ hᵣ (hₗ + hᵣ)), hₗ = hᵢ₋₁, hᵣ = hᵢ
  ((fᵢ₊₁ − fᵢ₋₁) / 2h for equal spacings);
- at the two ends, the one-sided first-order difference (``edge_order=1``) or the
  one-sided second-order one through three samples (``edge_order=2``).

It is made of the engine's own ops (slices, arithmetic, ``cat``), so it differentiates,
to any order, as they do. Integer inputs give the default float dtype; coordinates of a
wider float type widen the result (float64 coordinates: float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import factories
from autograd.dims import normalize_dim
from autograd.ops.shape import cat
from autograd.tensor import Tensor

__all__ = ["gradient"]


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None,
             edge_order: int = 1) -> tuple:
    """The finite-difference estimate of ∂input/∂x along each dimension of ``dim`` (all by
    default): a tuple of tensors of ``input``'s shape (torch.gradient). ``spacing``: the
    sample spacing, a number for every dimension, one number per dimension, or one 1-d
    tensor of coordinates per dimension; ``edge_order``: 1 or 2 (see the module
    docstring)."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input.ndim
    dims = list(range(nd)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [normalize_dim(d, nd) for d in dims]
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    spacings = _spacings(spacing, dims, nd, dim is None)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    dt = input._data.dtype
    if dt == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if dt.kind != "f":
        dt = np.dtype(factories.DEFAULT_FLOAT)
    for s in spacings:
        if isinstance(s, Tensor) and s._data.dtype.kind == "f":
            dt = np.promote_types(dt, s._data.dtype)
    f = input if input._data.dtype == dt else input.to(dt)
    return tuple(_along(f, d, s, edge_order, dt) for d, s in zip(dims, spacings))


def _spacings(spacing: Any, dims: list, nd: int, all_dims: bool) -> list:
    """One spacing (a number or a 1-d tensor of coordinates) per dimension, checked as
    torch checks them."""
    if isinstance(spacing, Tensor):
        if spacing.ndim:
            raise TypeError("gradient() received an invalid combination of arguments - got "
                            "(Tensor, spacing=Tensor): spacing is a number or a tuple of "
                            "numbers or of 1-d Tensors")
        spacing = spacing.item()
    if isinstance(spacing, (int, float, np.number)) and not isinstance(spacing, bool):
        return [spacing] * len(dims)
    spacings = list(spacing)
    if len(spacings) != len(dims):
        if all_dims:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, "
                               f"or a list of length equal to 'self.dim() = {nd}', since dim "
                               f"argument was not given, but got a list of length "
                               f"{len(spacings)}")
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                           f"it's spacing and dim arguments to have the same length, but got "
                           f"a spacing argument of length {len(spacings)} and a dim argument "
                           f"of length {len(dims)}.")
    for s in spacings:
        if isinstance(s, Tensor) and s.ndim != 1:
            raise RuntimeError(f"torch.gradient expected each element of spacing to have one "
                               f"dimension, but got an element with {s.ndim} dimensions!")
    return spacings


def _along(f: Tensor, d: int, spacing: Any, edge_order: int, dt: np.dtype) -> Tensor:
    """The estimate along dimension ``d``: the two ends and the inside, joined."""
    n = f.shape[d]

    def part(start: int, stop: int) -> Tensor:  # f[start:stop] along d
        return f.narrow(d, start, stop - start)

    if not isinstance(spacing, Tensor):
        h = float(spacing)
        inside = (part(2, n) - part(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (part(1, 2) - part(0, 1)) / h
            last = (part(n - 1, n) - part(n - 2, n - 1)) / h
        else:
            first = (part(0, 1) * -1.5 + part(1, 2) * 2 - part(2, 3) * 0.5) / h
            last = (part(n - 3, n - 2) * 0.5 - part(n - 2, n - 1) * 2
                    + part(n - 1, n) * 1.5) / h
        return cat([first, inside, last], d)
    if spacing.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected the coordinates along dim {d} to have "
                           f"{n} values (the dimension's size), but got {spacing.shape[0]}")
    x = spacing if spacing._data.dtype == dt else spacing.to(dt)
    shape = [1] * f.ndim

    def steps(start: int, stop: int) -> Tensor:  # h[start:stop], lying along d
        shape[d] = stop - start
        return (x.narrow(0, start + 1, stop - start) - x.narrow(0, start, stop - start)
                ).reshape(tuple(shape))

    hl, hr = steps(0, n - 2), steps(1, n - 1)
    inside = ((hl * hl) * part(2, n) - (hr * hr) * part(0, n - 2)
              + (hr * hr - hl * hl) * part(1, n - 1)) / (hl * hr * (hl + hr))
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / steps(0, 1)
        last = (part(n - 1, n) - part(n - 2, n - 1)) / steps(n - 2, n - 1)
    else:  # one-sided through three samples: exact for quadratics
        a, b = steps(0, 1), steps(1, 2)
        first = (part(0, 1) * (-(2 * a + b) / (a * (a + b))) + part(1, 2) * ((a + b) / (a * b))
                 - part(2, 3) * (a / (b * (a + b))))
        a, b = steps(n - 3, n - 2), steps(n - 2, n - 1)
        last = (part(n - 3, n - 2) * (b / (a * (a + b))) - part(n - 2, n - 1) * ((a + b) / (a * b))
                + part(n - 1, n) * ((2 * b + a) / (b * (a + b))))
    return cat([first, inside, last], d)


PUBLIC = ["gradient"]
FUNCTIONS: dict[str, Any] = {"gradient": gradient}
