"""How an op's output array becomes a Tensor: with a node when a gradient is needed.

Every op computes its forward on arrays, then calls one of these. They are the
only place that decides whether to record (grad mode on and an input requiring
grad), so ``no_grad`` costs nothing per op beyond the check. The check reads the
process-wide ``Away.grad_off`` first: the per-thread grad mode only matters while some
thread has it off.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import (
    STATE,
    Away,
    Node,
    Versions,
    forward_stack,
    new_node,
)
from autograd.tensor import Tensor, _wrap

_new = object.__new__


def unary(cls: type[Node], out: np.ndarray, x: Tensor, save_input: bool = False,
          save_out: bool = False, meta: Any = None, cache: Any = None) -> Tensor:
    """Result of a one-input op; saves ``x`` and/or the output when asked."""
    if x._requires_grad and (not Away.grad_off or STATE._grad_enabled):
        node = cls()  # graph.new_node inline (one frame less per op)
        p = x._node
        node._edges = p or x  # a lone edge (see Node.edges)
        node.saved = (x,) if save_input else ()
        node.meta = meta
        node.out = out if save_out else None
        node.cache = cache
        s = out.shape
        # an elementwise op's output has its input's shape: share its node's tuple (one
        # object fewer per node for the cyclic GC to count and walk, see graph.Node)
        node.shape = p.shape if p is not None and p.shape == s else s
        node.dtype = out.dtype
        node.epoch = Versions.epoch
        node.scope = STATE._scope if Away.scoped else None
        node.grad_size = None
        if Away.anomaly and STATE._anomaly:
            node.trace = forward_stack(2)
        if out.__class__ is not np.ndarray:  # _wrap inline (one frame less per op)
            return _wrap(out, node)
        t = _new(Tensor)
        t._data = out
        t._grad = None
        t._node = node
        t._requires_grad = True
        t._hooks = None
        t._base = None
        return t
    return _wrap(out, None)


def binary(cls: type[Node], out: np.ndarray, a: Any, b: Any, save: Any = False,
           save_out: bool = False) -> Tensor:
    """Result of a two-operand op; an operand may be a constant (scalar or array).

    ``meta`` holds each differentiable operand's shape where it differs from the
    output's (what its VJP must sum back to), ``None`` otherwise; for a constant operand
    its shape, ``None`` for a Python number (traces read it: ``Node.input_shapes``).
    ``save``: ``True`` keeps both operands for the VJP; ``"cross"`` keeps each only when
    the *other* needs a gradient (a product: ``y * 3.0`` keeps no ``y``, so changing ``y``
    later is fine, as torch); ``"quotient"`` keeps the divisor, and the dividend only when
    the divisor needs a gradient.
    """
    if not Away.grad_off or STATE._grad_enabled:
        ea = eb = sa = sb = None
        if isinstance(a, Tensor):
            s = a._data.shape
            if a.requires_grad:
                ea = a._node or a
                if s != out.shape:
                    sa = s
            else:
                sa = s
        elif a.__class__ is not float and a.__class__ is not int:
            sa = np.shape(a)
        if isinstance(b, Tensor):
            s = b._data.shape
            if b.requires_grad:
                eb = b._node or b
                if s != out.shape:
                    sb = s
            else:
                sb = s
        elif b.__class__ is not float and b.__class__ is not int:
            sb = np.shape(b)
        if ea is not None or eb is not None:
            if save is True or not save:
                saved = (a, b) if save else ()
            elif save == "cross":
                saved = (a if eb is not None else None, b if ea is not None else None)
            else:  # "quotient"
                saved = (a if eb is not None else None, b)
            if not cls.binary_meta:
                cls.binary_meta = True
            return _wrap(out, new_node(cls, (ea, eb), out, saved, (sa, sb), save_out))
    return _wrap(out, None)


def _shape(x: Any) -> tuple:
    if isinstance(x, Tensor):
        return x._data.shape
    return () if x.__class__ in (int, float, bool) else np.shape(x)


def nary(cls: type[Node], out: np.ndarray, inputs: tuple, saved: tuple = (), meta: Any = None,
         save_out: bool = False, cache: Any = None) -> Tensor:
    """Result of an op over several inputs (cat, stack, where, conv, custom Functions)."""
    if not Away.grad_off or STATE._grad_enabled:
        edges = [None] * len(inputs)
        needed = False
        for i, t in enumerate(inputs):
            if isinstance(t, Tensor) and t.requires_grad:
                edges[i] = t._node or t
                needed = True
        if needed:
            node = new_node(cls, tuple(edges), out, saved, meta, save_out, cache)
            if any(e is None for e in edges):
                node.in_shapes = tuple(_shape(t) for t in inputs)
            return _wrap(out, node)
    return _wrap(out, None)


def array_of(x: Any) -> Any:
    """The array (or scalar) an operand stands for."""
    return x._data if isinstance(x, Tensor) else x


def check_tensor_args(op: str, *args: tuple[str, Any, bool]) -> None:
    """Raise torch's TypeError for an argument that must be a Tensor but is not: each of
    ``args`` is ``(name, value, optional)``, in the op's argument order."""
    for pos, (name, value, optional) in enumerate(args, 1):
        if not isinstance(value, Tensor) and not (optional and value is None):
            kind = type(value)
            what = kind.__name__ if kind.__module__ == "builtins" else \
                f"{kind.__module__.split('.')[0]}.{kind.__qualname__}"
            raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {what}")
