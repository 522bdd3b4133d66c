"""Custom differentiable operations, as torch's ``autograd.Function``.

``forward(ctx, *args)`` computes on Tensors (no graph is recorded inside it);
``backward(ctx, *grads)`` returns one gradient per argument. Under
``create_graph=True`` backward runs with recording on, so a backward written
with Tensor operations has second derivatives too.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd.backend import is_array, xp_of
from autograd.grad_mode import no_grad
from autograd.graph import STATE, Node, new_node
from autograd.tensor import Tensor, _wrap


class FunctionCtx:
    """What ``forward`` leaves for ``backward``: saved tensors and any attributes."""

    def __init__(self, needs_input_grad: tuple) -> None:
        self.needs_input_grad = needs_input_grad
        self._to_save: tuple = ()
        self._unpacked: tuple | None = None
        self._non_differentiable: tuple = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """These outputs get no gradient: they do not require grad, and backward receives
        zeros for them (torch's ``ctx.mark_non_differentiable``; for indices, masks)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """False: backward receives None, not zeros, for an output no gradient reached."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        if self._unpacked is None:
            raise RuntimeError("saved_tensors is only available inside backward")
        return self._unpacked


class _GradTuple(tuple):
    """Gradients of a multi-output Function, one slot per output; adding two merges them
    slot by slot, so the engine's ordinary accumulation works for them."""

    shape = None  # read by the engine's per-edge shape check, which lets slot tuples pass

    def __add__(self, other: Any) -> _GradTuple:
        return _GradTuple(a if b is None else b if a is None else a + b
                          for a, b in zip(self, other))


class FunctionBackward(Node):
    """The node of a custom Function; its VJP is the Function's ``backward``."""

    fn: type = None  # the Function subclass, set on the per-Function subclass

    def vjp(self, g, xp):
        ctx, n_args, tensor_pos, out_meta, n_out = self.meta
        saved = self.inputs(xp)
        if self.saved is None:  # pragma: no cover - inputs() raised already
            return ()
        ctx._unpacked = tuple(self._unpack(s, xp) for s in saved)
        grads = g if isinstance(g, _GradTuple) else (g,)
        given = next((x for x in grads if x is not None), None)  # an unused output's zeros
        given = getattr(given, "_data", given)  # go where the given gradients are
        zeros = np.zeros if given is None or given.__class__ is np.ndarray else \
            xp_of(given).zeros
        if not ctx.materialize_grads:
            zeros = _none
        if xp.raw:
            grads = tuple(_wrap(x, None) if x is not None else _maybe(zeros(s, d))
                          for x, (s, d) in zip(grads, out_meta))
            with no_grad():
                res = self.fn.backward(ctx, *grads)
        else:
            grads = tuple(x if x is not None else _maybe(zeros(s, d))
                          for x, (s, d) in zip(grads, out_meta))
            res = self.fn.backward(ctx, *grads)
        ctx._unpacked = None
        if not isinstance(res, tuple):
            res = (res,)
        name = self.fn.__name__
        # as torch, gradients past the inputs are allowed when they are all None
        if len(res) < n_args or any(r is not None for r in res[n_args:]):
            raise RuntimeError(f"function {name}Backward returned an incorrect number of "
                               f"gradients (expected {n_args}, got {len(res)})")
        out = []
        for pos, e in zip(tensor_pos, self.edges):
            gi = res[pos]
            if e is None or gi is None:
                out.append(None)
                continue
            if not isinstance(gi, Tensor):
                raise TypeError(
                    f"function {name}Backward returned a {type(gi).__name__} as the gradient "
                    f"at index {pos}: backward must return Tensors (or None)"
                )
            arr = gi._data
            if arr.shape != tuple(e.shape):
                raise RuntimeError(
                    f"function {name}Backward returned an invalid gradient at index {pos} - "
                    f"got shape {arr.shape} but expected shape {tuple(e.shape)}"
                )
            out.append(arr if xp.raw else (gi if isinstance(gi, Tensor) else Tensor._const(arr)))
        return tuple(out)

    def __getattr__(self, name: str) -> Any:
        # as torch, where ctx is the node: y.grad_fn.needs_input_grad, y.grad_fn.<attr>
        if name.startswith("__") or name == "meta":
            raise AttributeError(name)
        meta = self.meta
        if isinstance(meta, tuple) and meta and isinstance(meta[0], FunctionCtx):
            return getattr(meta[0], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _unpack(self, s: Any, xp) -> Any:
        if isinstance(s, _SavedOutput):
            return _wrap(s._data, None if xp.raw else s.node)
        if xp.raw and is_array(s):
            return _wrap(s, None)
        return s


def _none(shape: tuple, dtype: Any) -> None:
    return None


def _maybe(arr: Any) -> Tensor | None:
    """A missing output gradient for backward: zeros as a Tensor, or None
    (``set_materialize_grads(False)``)."""
    return None if arr is None else Tensor._const(arr)


class _SavedOutput:
    """An output saved for backward, held without its Tensor (no reference cycle)."""

    __slots__ = ("_data", "node")

    def __init__(self, data: np.ndarray, node: Node) -> None:
        self._data = data
        self.node = node


class OutputBackward(Node):
    """Output i of a multi-output Function: passes its gradient into slot i."""

    def vjp(self, g, xp):
        i, n = self.meta
        return (_GradTuple(g if j == i else None for j in range(n)),)

    def __getattr__(self, name: str) -> Any:
        # torch has one node for all outputs: its ctx's attributes are read through any
        if name.startswith("__") or name in ("meta", "_edges"):
            raise AttributeError(name)
        return getattr(self._edges[0], name)


class Function:
    """Base class of custom ops: subclass with ``@staticmethod forward(ctx, *args)`` and
    ``@staticmethod backward(ctx, *grads)``; call as ``MyOp.apply(*args)``."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def _node_class(cls) -> type[FunctionBackward]:
        node_cls = cls.__dict__.get("_node_cls")
        if node_cls is None:
            node_cls = type(f"{cls.__name__}Backward", (FunctionBackward,), {"fn": cls})
            cls._node_cls = node_cls
        return node_cls

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        if kwargs:  # as torch: keywords bound to forward's parameters, in its order
            bound = inspect.signature(cls.forward).bind(None, *args, **kwargs)
            args, kwargs = bound.args[1:], bound.kwargs
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        for i, o in enumerate(outs):
            if isinstance(o, np.ndarray | np.generic):
                raise TypeError(
                    f"{cls.__name__}.forward returned a NumPy {type(o).__name__} as output "
                    f"{i}: forward must return Tensors (wrap arrays with autograd.tensor)"
                )
        record = STATE.grad_enabled and any(needs)
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        if not record or not tensor_outs:
            return result
        tensor_pos = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        edges = tuple((args[i]._node or args[i]) if needs[i] else None for i in tensor_pos)
        out_meta = tuple((o.shape, o.dtype) if isinstance(o, Tensor) else ((), np.float32)
                         for o in outs)
        node = new_node(cls._node_class(), edges, tensor_outs[0]._data,
                        meta=(ctx, len(args), tensor_pos, out_meta, len(outs)))
        fixed = {id(t) for t in ctx._non_differentiable}
        wrapped = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor) or o.dtype.kind != "f" or id(o) in fixed:
                wrapped.append(o)
                continue
            if single:
                wrapped.append(_wrap(o._data, node))
            else:
                sel = new_node(OutputBackward, (node,), o._data, meta=(i, len(outs)))
                wrapped.append(_wrap(o._data, sel))
        # Saved tensors: inputs as they are (their graph matters under create_graph);
        # outputs as array + node, so the output does not keep itself alive.
        out_ids = {id(o): (w, o) for w, o in zip(wrapped, outs) if isinstance(o, Tensor)}
        saved = []
        for s in ctx._to_save:
            if id(s) in out_ids:
                w, _ = out_ids[id(s)]
                saved.append(_SavedOutput(w._data, w._node))
            else:
                saved.append(s)
        node.saved = tuple(saved)
        ctx._to_save = ()
        return wrapped[0] if single else tuple(wrapped)


class _VariableType(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, Tensor)  # every tensor is a Variable, as in torch since 0.4


class Variable(metaclass=_VariableType):
    """torch's deprecated ``torch.autograd.Variable``: ``Variable(t, requires_grad=False)``
    is ``t`` detached (sharing its memory) with ``requires_grad`` set, as torch still
    gives for old code; ``isinstance(t, Variable)`` holds for every tensor."""

    def __new__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
