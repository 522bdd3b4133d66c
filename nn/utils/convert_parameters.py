"""Parameters to one flat vector and back (torch.nn.utils.convert_parameters)."""

from __future__ import annotations

from collections.abc import Iterable

import autograd as ag
from autograd.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _same_device(params: list[Tensor]) -> None:
    devices = {str(p.device) for p in params}
    if len(devices) > 1:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated, in order: shape ``(Σ numel,)``; a
    graph node, so gradients flow back to each parameter (``torch.cat`` of views)."""
    params = list(parameters)
    _same_device(params)
    return ag.cat([p.view(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into each parameter's ``.data``
    (reshaped to its shape), the inverse of :func:`parameters_to_vector`."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    _same_device(params + [vec])
    pointer = 0
    for p in params:
        n = p.numel()
        p.data = vec[pointer:pointer + n].view(p.shape).data
        pointer += n
