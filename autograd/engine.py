"""The backward pass: the chain rule over the recorded graph (``autograd.graph``).

:func:`run_backward` orders the graph with dependency counts and an explicit
stack: nothing here recurses, so a 100,000-op chain needs no recursion limit.
Each node's ``vjp(g, xp)`` runs with ``xp`` = ``RAW`` (arrays) on the fast path and
``GRAPH`` (recorded Tensor ops) under ``create_graph=True``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.autocast_mode import suspended as autocast_suspended
from autograd.backend import asarray, to_host, writeable, xp_of
from autograd.grad_mode import no_grad, set_grad_enabled
from autograd.graph import GRAPH, RAW, STATE, Away, Bound, Node

if TYPE_CHECKING:
    from autograd.tensor import Tensor

__all__ = ["STATE", "Node", "grad_norm", "l2_norm", "run_backward"]

_ND = np.ndarray


# -- the backward pass -------------------------------------------------------------------
def accumulate_grad(t: Tensor, g: Any, create_graph: bool, stored: set) -> None:
    """Add ``g`` into ``t.grad`` as backward does for a leaf (``backward(inputs=...)``
    does it for the tensors it names, non-leaves included)."""
    _accumulate_leaf(t, g, create_graph, stored)


def _accumulate_leaf(leaf: Tensor, g: Any, create_graph: bool, stored: set) -> None:
    """Add ``g`` into ``leaf.grad``.

    A VJP may pass its incoming gradient on unchanged (add, reshape, cat...), so one
    array can reach two leaves, or a user's ``gradient=`` array can reach a leaf; a
    leaf's .grad must alias nothing, since it is later changed in place. Views and
    arrays already handed out in this backward (``stored``, by id) are copied; fresh
    arrays, the common case, are taken as they are: no copy on the hot path.
    """
    wrap = Bound.wrap
    if create_graph:
        leaf._grad = g if leaf._grad is None else leaf._grad + g
        return
    data = leaf._data
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    if g.shape != data.shape:
        raise RuntimeError(
            f"gradient of shape {g.shape} does not match the leaf's shape {data.shape}"
        )
    grad = leaf._grad
    if grad is None:
        if g.base is not None or id(g) in stored:
            g = g.copy()
        stored.add(id(g))
        leaf._grad = wrap(g, None)
    elif grad._node is not None or not writeable(grad._data):
        leaf._grad = wrap(grad._data + g, None)
    else:
        np.add(grad._data, g, out=grad._data)


def _run_hooks(hooks: list, g: Any, create_graph: bool) -> Any:
    _wrap = Bound.wrap
    for hook in hooks:
        if create_graph:
            res = hook(g)
        else:
            with no_grad():
                res = hook(_wrap(g, None))
        if res is None:
            continue
        if not isinstance(res, Bound.tensor):
            raise TypeError(
                f"expected Variable, but hook {_name(hook)} returned "
                f"'{type(res).__module__}.{type(res).__qualname__}': a tensor hook must "
                "return a Tensor (the new gradient) or None"
            )
        if res.shape != g.shape:
            raise RuntimeError(
                f"hook {_name(hook)} has changed the size of value: it returned shape "
                f"{tuple(res.shape)} for a gradient of shape {tuple(g.shape)}"
            )
        if res.dtype != g.dtype:
            raise RuntimeError(
                f"hook {_name(hook)} has changed the type of value: it returned dtype "
                f"{res.dtype} for a gradient of dtype {g.dtype}"
            )
        g = res if create_graph else res._data
    return g


def _name(fn: Any) -> str:
    return repr(getattr(fn, "__qualname__", None) or type(fn).__name__)


def _check_finite(node: Node, grads: tuple, create_graph: bool) -> None:
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = gi._data if create_graph else gi
        if isinstance(arr, tuple):  # a multi-output Function's gradient slots
            continue
        if not np.all(np.isfinite(arr)):
            where = "".join(node.trace or ["(forward stack not recorded)\n"])
            bad = "nan" if np.isnan(arr).any() else "inf"
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned {bad} values in its {i}th output.\n"
                f"Traceback of the forward call that created it:\n{where}"
            )


def queue_callback(fn: Callable[[], None]) -> None:
    """Run ``fn()`` once the backward pass now running has finished (torch's
    ``Variable._execution_engine.queue_callback``); callbacks run in the order queued,
    only if the pass succeeds. DistributedDataParallel waits for its all-reduces here."""
    queued = STATE.final_callbacks
    if queued is None:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    queued.append(fn)


def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Tensor] | None = None) -> list | None:
    """:func:`_chain_rule`, then the callbacks queued during it (:func:`queue_callback`)."""
    queued: list = []
    outer, STATE.final_callbacks = STATE.final_callbacks, queued  # this thread's pass
    try:
        # IEEE results (1/0 = inf, 0/0 = NaN in a VJP) without NumPy's RuntimeWarnings:
        # torch's backward never warns
        with np.errstate(all="ignore"):
            if Away.autocast:  # backward's recorded ops (create_graph) are not autocast
                with autocast_suspended():
                    captured = _chain_rule(roots, root_grads, retain_graph, create_graph,
                                           inputs)
            else:
                captured = _chain_rule(roots, root_grads, retain_graph, create_graph, inputs)
        i = 0
        while i < len(queued):  # a callback may queue another
            queued[i]()
            i += 1
    finally:
        STATE.final_callbacks = outer
    return captured


def _chain_rule(roots: Sequence[Tensor], root_grads: Sequence[Any], retain_graph: bool,
                create_graph: bool, inputs: Sequence[Tensor] | None = None) -> list | None:
    """Apply the chain rule from ``roots`` (seeded with ``root_grads``) back to the leaves.

    Without ``inputs`` the gradients accumulate into the leaves' ``.grad``; with
    ``inputs`` they are returned instead (``autograd.grad``) and no ``.grad`` changes.
    Vertices are Nodes and leaf Tensors; a vertex runs once every consumer has sent
    its gradient (dependency counting), so each node sees its total gradient.
    """
    xp = GRAPH if create_graph else RAW

    deps = _count_dependencies(roots)  # 1.

    capture: dict | None = None
    captured: list | None = None
    if inputs is not None:
        capture = {}
        for i, t in enumerate(inputs):
            capture.setdefault(t._node if t._node is not None else t, []).append(i)
        captured = [None] * len(inputs)

    # 2. seed the roots, then run each vertex once all its consumers have sent their part
    buf: dict = {}  # partial gradient sums of vertices still waiting for consumers
    stored = {id(g) for g in root_grads}  # arrays the caller holds: never become a .grad
    for r, g in zip(roots, root_grads):
        v = r._node if r._node is not None else r
        buf[v] = buf[v] + g if v in buf else g
    ready = [(v, buf.pop(v)) for v in dict.fromkeys(
        r._node if r._node is not None else r for r in roots) if deps[v] == 0]
    tracer = STATE.tracer
    anomaly = STATE.anomaly
    watch = capture is not None or anomaly or tracer is not None

    nv = ng = None  # the vertex to run next, when one became ready (see the end of the loop)
    with set_grad_enabled(create_graph):
        while True:
            if nv is not None:  # (always a Node)
                v = nv
                g = ng
                nv = None
            elif ready:
                v, g = ready.pop()
                if v._IS_TENSOR:  # a root that is a leaf
                    if g is not None:
                        _to_leaf(v, g, create_graph, stored, capture, captured)
                    continue
            else:
                break
            edges = v._edges  # as in 1.
            lone = edges.__class__ is not tuple
            if g is None:  # nothing flowed here: just release the inputs' dependencies
                grads = (None,) if lone else (None,) * len(edges)
            else:
                if v.hooks:
                    g = _run_hooks(v.hooks, g, create_graph)
                if g.__class__ is _ND and g.size <= _SMALL:  # _grad_size's common case
                    v.grad_size = g
                else:
                    v.grad_size = _grad_size(g, create_graph)
                if watch:
                    if capture is not None and v in capture:
                        for i in capture[v]:
                            captured[i] = g
                    grads = v.vjp(g, xp)
                    if anomaly:
                        _check_finite(v, grads, create_graph)
                    if tracer is not None:
                        tracer.record(v, g, grads, create_graph)
                else:
                    grads = v.vjp(g, xp)
            if lone and not buf and deps[edges] == 1 and not edges._IS_TENSOR and (
                    (gi := grads[0]) is None or gi.shape == edges.shape):
                # a chain's link (one input, its node waiting for nothing else): that node
                # runs next, as the general case below would run it, with less bookkeeping
                nv = edges
                ng = gi
            else:
                if lone:
                    edges = (edges,)  # zip pairs it with the first gradient
                for e, gi in zip(edges, grads):
                    if e is None:
                        continue
                    if gi is not None and gi.shape != e.shape:  # e: a Node or a leaf Tensor
                        _check_grad_shape(v, edges, e, gi)
                    d = deps[e]
                    if d > 1:  # more consumers to come: keep the partial sum
                        deps[e] = d - 1
                        if gi is not None:
                            old = buf.get(e)
                            buf[e] = gi if old is None else old + gi
                        continue
                    if buf:  # the last consumer: e is complete (with what others sent)
                        old = buf.pop(e, None)
                        if old is not None:
                            gi = old if gi is None else old + gi
                    if not e._IS_TENSOR:
                        # run the last node that became ready next, without the stack: the
                        # order of a stack (last in, first out), one push and pop less a node
                        if nv is not None:
                            ready.append((nv, ng))
                        nv, ng = e, gi
                    elif gi is not None:  # a leaf: nothing to run, its gradient lands now
                        if capture is None and not e._hooks:
                            _accumulate_leaf(e, gi, create_graph, stored)
                        else:
                            _to_leaf(e, gi, create_graph, stored, capture, captured)
            grads = None
            if not retain_graph and (v.saved or v.out is not None or v.cache is not None):
                v.saved = v.out = v.cache = None
    return captured


def _count_dependencies(roots: Sequence[Tensor]) -> dict:
    """1. of :func:`_chain_rule`: for every vertex reachable from ``roots``, how many edges
    point at it (0 for the roots themselves, unless another root's graph reaches them)."""
    deps: dict = {}
    stack = []
    for r in roots:
        v = r._node if r._node is not None else r
        if v not in deps:
            deps[v] = 0
            stack.append(v)
    push, pop, count = stack.append, stack.pop, deps.get
    while stack:
        edges = pop()._edges  # Node.edges without the property's call (a leaf's are ())
        while edges.__class__ is not tuple:  # a lone edge (never None): no tuple, no loop
            n = count(edges)
            if n is not None:
                deps[edges] = n + 1
                break
            # first seen: follow it at once (a chain's links need no push and pop each)
            deps[edges] = 1
            edges = edges._edges  # a leaf's are (): the loop below does nothing
        else:
            for e in edges:
                if e is None:
                    continue
                n = count(e)
                if n is None:
                    deps[e] = 1
                    push(e)
                else:
                    deps[e] = n + 1
    return deps


def _check_grad_shape(node: Node, edges: tuple, e: Any, gi: Any) -> None:
    """A VJP's gradient must have its input's shape: raise where it is produced, naming the
    op (one shape comparison per edge on the hot path; this runs only on a mismatch)."""
    if isinstance(gi, tuple):  # a multi-output Function's gradient slots: no shape of its own
        return
    i = next(k for k, x in enumerate(edges) if x is e)
    raise RuntimeError(
        f"Function {type(node).__name__} returned an invalid gradient at index {i} - got "
        f"shape {tuple(np.shape(gi))} but expected shape {tuple(e.shape)} (the shape of "
        f"that input in the forward pass)"
    )


def _to_leaf(leaf: Tensor, g: Any, create_graph: bool, stored: set, capture: dict | None,
             captured: list | None) -> None:
    """Deliver a leaf's complete gradient: through its hooks, then into ``.grad`` (or
    into ``captured`` for autograd.grad)."""
    if g.dtype != leaf._data.dtype:  # torch casts a gradient to its input's dtype (a cat
        g = g.astype(leaf._data.dtype)  # of float32 and float64, under create_graph too)
    hooks = leaf._hooks
    if hooks:
        g = _run_hooks(hooks, g, create_graph)
    if capture is None:
        _accumulate_leaf(leaf, g, create_graph, stored)
        if hooks:
            for h in hooks:
                if h.__class__ is PostAccumulateGradHook:
                    h.fn(leaf)
    elif leaf in capture:
        for i in capture[leaf]:
            captured[i] = g


class PostAccumulateGradHook:
    """``fn(leaf)``, run after backward has added the leaf's gradient into ``.grad``
    (``Tensor.register_post_accumulate_grad_hook``; never under ``autograd.grad``). It
    sits in the leaf's hook list as a pre-hook that changes nothing, so ordering and
    removal work as for the other hooks."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable) -> None:
        self.fn = fn

    def __call__(self, g: Any) -> None:
        return None


_SMALL = 4096  # gradients up to this size are kept by reference; larger ones as their norm


def _grad_size(g: Any, create_graph: bool) -> Any:
    """What a node keeps of the gradient that reached it, for drawings after backward:
    small arrays themselves (cheaper than a norm per op on the hot path), else the norm."""
    if g.__class__ is not np.ndarray:
        if isinstance(g, tuple):  # a multi-output Function's gradient slots
            return None
        g = g._data if create_graph else asarray(g)  # NumPy hands 0-d results as scalars
        if g.__class__ is not np.ndarray:  # a device array: its norm stays there (no sync)
            return g if g.size <= _SMALL else xp_of(g).linalg.norm(g.reshape(-1))
    if g.size <= _SMALL:
        return g
    # a flat view for any dense layout (channels-last included); BLAS dot for the sum
    flat = g.reshape(-1) if g.flags.c_contiguous else g.ravel(order="K")
    return math.sqrt(np.dot(flat, flat))


def grad_norm(node: Node) -> float | None:
    """The norm of the gradient that reached ``node``'s output in the last backward."""
    gs = node.grad_size
    if gs is None:
        return None
    if isinstance(gs, float):
        return gs
    return l2_norm(gs)


def l2_norm(arr: Any) -> float:
    """‖a‖₂ = √(Σ aᵢ²), accumulated in float64 (float16/32 sums of squares overflow or
    lose the small gradients the viewers are about). The one norm every viewer uses."""
    return float(np.sqrt(np.sum(np.square(np.asarray(to_host(arr)), dtype=np.float64))))
