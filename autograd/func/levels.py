"""How the transforms of ``autograd.func`` nest on one tape.

torch's functorch gives each transform a *level*: the inputs it differentiates are fresh
variables of that level, and its results come back *lowered*, no longer tracked by it.
chainrule records one graph, so a transform does the same in two steps:

- ``lift``: an input that already requires grad (an outer transform's variable, or the
  caller's own) becomes a view of it, still in the outer graph, so whatever is outside can
  differentiate the result (``grad(grad(f))``); an input that requires no grad becomes a
  fresh leaf, recorded as internal to this call.
- ``lower``: derivatives are taken with ``create_graph=True`` whenever something may
  differentiate them again (``needs_graph``: an enclosing transform, or a graph reaching
  the caller's leaves); a result whose graph reaches no leaf but internal ones is then
  detached, as torch's is: ``grad(f)(x)`` on a plain ``x`` gives a Tensor that does
  not require grad. A result that reaches the caller's leaves (or an outer transform's)
  keeps its graph.

Internal leaves are kept (strong references, by id) on a per-thread stack while the call
runs; when it returns they join the enclosing call's set, since they are internal to it
too. The leaves themselves are never written to: derivatives come from ``autograd.grad``,
which does not touch ``.grad``.
"""

from __future__ import annotations

import threading
from typing import Any

from autograd.tensor import Tensor

__all__ = ["Level", "adopt", "lift", "lower", "needs_graph"]


class _Stack(threading.local):
    frames: list | None = None


_STACK = _Stack()


class Level:
    """A context manager: one transform call's set of internal leaves (``.internal``)."""

    def __init__(self) -> None:
        self.internal: dict[int, Tensor] = {}

    def __enter__(self) -> Level:
        if _STACK.frames is None:
            _STACK.frames = []
        _STACK.frames.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _STACK.frames.pop()
        adopt(self.internal)

    def fresh(self, t: Tensor) -> Tensor:
        """Record ``t`` (a new leaf that requires grad) as internal; return it."""
        self.internal[id(t)] = t
        return t


def adopt(internal: dict) -> None:
    """Add leaves internal to a finished call to the enclosing call's set, if any."""
    if _STACK.frames:
        _STACK.frames[-1].internal.update(internal)


def lift(x: Any, level: Level) -> Tensor:
    """The variable a transform differentiates in place of input ``x`` (see the module)."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if x.dtype.kind not in "fc":  # torch's message for requires_grad_ on an integer tensor
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if x.requires_grad:
        return x.view(x.shape)
    return level.fresh(x.detach().requires_grad_(True))


def _reaches_outside(t: Tensor, internal: dict) -> bool:
    """Whether ``t``'s graph has a leaf that requires grad and is not internal."""
    if t._node is None:
        return id(t) not in internal
    seen: set[int] = set()
    todo = [t._node]
    while todo:
        node = todo.pop()
        for e in node.edges:
            if e is None:
                continue
            if getattr(e, "_IS_TENSOR", False):
                if id(e) not in internal:
                    return True
            elif id(e) not in seen:
                seen.add(id(e))
                todo.append(e)
    return False


def needs_graph(tensors: list, internal: dict, inside: bool = True) -> bool:
    """Whether derivatives must be taken with ``create_graph=True``: an enclosing transform
    is running (it may differentiate them again), or ``tensors`` (the outputs, seeds) reach
    a leaf outside this call (the caller may). Otherwise nothing can ever differentiate the
    result, and the plain backward is cheaper and works through ops that refuse double
    backward (checkpoint). ``inside``: this call's own Level is on the stack."""
    if len(_STACK.frames or ()) > (1 if inside else 0):
        return True
    return any(isinstance(t, Tensor) and t.requires_grad and _reaches_outside(t, internal)
               for t in tensors)


def lower(tree: Any, internal: dict) -> Any:
    """``tree`` with each Tensor that reaches only internal leaves detached."""
    if isinstance(tree, Tensor):
        if tree.requires_grad and not _reaches_outside(tree, internal):
            return tree.detach()
        return tree
    if isinstance(tree, tuple) and hasattr(type(tree), "_fields"):
        return type(tree)(*(lower(t, internal) for t in tree))
    if type(tree) in (tuple, list):
        return type(tree)(lower(t, internal) for t in tree)
    if type(tree) is dict:
        return {k: lower(v, internal) for k, v in tree.items()}
    return tree
