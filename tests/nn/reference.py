"""A library-neutral harness for checking nn functions against numbers computed once with
PyTorch (the numbers are written into the tests; torch is never imported here).

A case is ``fn(F, *tensors)`` plus the input shapes: ``fn`` is called with
``nn.functional`` (or, in the scratch script that made the numbers, torch's) and float64
tensors made from seeded NumPy draws. :func:`evaluate` returns the output's shape, its
projection on a fixed probe array, and the projection of each input's gradient of
Σ probe·output, so one line of numbers pins the values and every gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def probe(shape: tuple, phase: float = 0.3) -> np.ndarray:
    """A fixed, sign-changing weight array of ``shape``."""
    n = int(np.prod(shape)) if shape else 1
    return np.cos(np.arange(n) * 0.7 + phase).reshape(shape)


def draw(shape: tuple, kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "prob":
        return rng.uniform(0.05, 0.95, shape)
    if kind == "distinct":
        n = int(np.prod(shape))
        return (rng.permutation(n).reshape(shape) * 0.37 - 0.1 * n).astype(np.float64)
    return rng.standard_normal(shape)


def evaluate(fn: Callable, shapes: tuple, kinds: tuple, F: Any, tensor: Callable,
             to_numpy: Callable) -> tuple:
    """(output shape, Σ probe·y, [Σ probe'·grad for each input]) for ``fn(F, *inputs)``;
    ``tensor(array)`` makes a leaf that requires grad, ``to_numpy`` reads one back."""
    kinds = kinds + ("normal",) * (len(shapes) - len(kinds))
    xs = [tensor(draw(s, k, i)) for i, (s, k) in enumerate(zip(shapes, kinds))]
    y = fn(F, *xs)
    p = probe(tuple(y.shape))
    yv = to_numpy(y)
    value = float((np.where(np.isfinite(yv), yv, 0.0) * p).sum())
    grads = []
    if getattr(y, "requires_grad", False):
        (y * tensor(p, grad=False)).sum().backward()
        for x in xs:
            g = x.grad
            grads.append(None if g is None else
                         float((to_numpy(g) * probe(tuple(g.shape), 1.1)).sum()))
    return tuple(y.shape), value, grads


def check(cases: dict, expected: dict, name: str, F: Any, tensor: Callable,
          to_numpy: Callable, rtol: float = 1e-9) -> None:
    """Assert that case ``name`` gives the recorded (torch) shape, value and gradients."""
    fn, shapes, kinds = cases[name]
    shape, value, grads = evaluate(fn, shapes, kinds, F, tensor, to_numpy)
    want_shape, want_value, want_grads = expected[name]
    assert shape == tuple(want_shape), (name, shape, want_shape)
    np.testing.assert_allclose(value, want_value, rtol=rtol, atol=1e-11, err_msg=name)
    assert len(grads) == len(want_grads), name
    for i, (g, w) in enumerate(zip(grads, want_grads)):
        if w is None:
            assert g is None or g == 0.0, (name, i, g)
        else:
            np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-11, err_msg=f"{name} grad {i}")
