"""The recorded graph and the backward pass.

A :class:`Node` is one recorded operation. It holds an edge per input (the
producer node of that input, the input itself when it is a leaf that requires
grad, or ``None``) and whatever its vector-Jacobian product needs. Each op
subclass defines ``vjp(self, g, F)`` once: ``F`` is :data:`RAW` (NumPy
functions, arrays in and out) on the fast path, or :data:`GRAPH` (the engine's
own differentiable ops, Tensors in and out) under ``create_graph=True``, so the
same lines of math serve first and higher derivatives.

:func:`run_backward` orders the graph with dependency counts and an explicit
stack: nothing here recurses, so a 100,000-op chain needs no recursion limit.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from autograd.tensor import Tensor


class STATE:
    """Process-wide engine switches, read on every op (a class, not an instance: one lookup)."""

    grad_enabled: bool = True
    epoch: int = 0  # bumped by every in-place change; nodes compare it to skip version checks
    scope: Any = None  # set by nn.Module.__call__ so drawings can group ops per module
    anomaly: bool = False  # detect_anomaly(): nodes keep their forward stack
    tracer: list | None = None  # trace_backward(): steps are appended here


# Set by autograd.tensor, which imports this module: the Tensor class, and its fast
# constructor _wrap(array, node).
_TENSOR: list = [None]
_WRAP: list = [None]

FREED_MSG = (
    "Trying to backward through the graph a second time (or to use saved values after "
    "they were freed) in {op}. Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time."
)


class Node:
    """One recorded op. Subclasses are named ``<Op>Backward`` and define ``vjp``.

    Slots: ``edges`` (one per input), ``saved`` (input Tensors the VJP needs;
    ``None`` once freed), ``meta`` (small constants: axes, shapes; never freed),
    ``out`` (the output array when the VJP needs it), ``cache`` (arrays derived in the
    forward that the VJP reuses: masks, im2col columns), ``shape``/``dtype`` of the
    output, ``epoch`` (STATE.epoch at record time), ``scope`` (the nn module the
    op ran in, for drawing), ``grad_size`` (what backward left of the gradient at the
    output, see :func:`grad_norm`).
    """

    __slots__ = ("edges", "saved", "meta", "out", "cache", "shape", "dtype", "epoch", "scope",
                 "grad_size", "__dict__")
    _IS_TENSOR = False  # graph vertices are Nodes or leaf Tensors; this tells them apart
    hooks: list | None = None  # tensor hooks of the output, set by register_hook/retain_grad
    trace: list | None = None  # forward stack, only under detect_anomaly()

    def vjp(self, g: Any, F: Namespace) -> tuple:
        """Gradients of the inputs (one per edge, ``None`` where not needed) given ``g``."""
        raise NotImplementedError

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """The nodes (or leaf tensors) this node's gradient flows into, as torch names it."""
        return self.edges

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    # -- access to saved values ------------------------------------------------------
    def inputs(self, F: Namespace) -> list:
        """The saved input Tensors: their arrays on the fast path, the Tensors under
        create_graph. Raises if the graph was freed or a saved input changed in place."""
        saved = self.saved
        if saved is None:
            raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
        if self.epoch != STATE.epoch:
            self._check_versions(saved)
        T = _TENSOR[0]
        if F.raw:
            return [t.data if isinstance(t, T) else t for t in saved]
        # Constant array operands become Tensors so that every F op accepts them.
        return [t if isinstance(t, T) or not isinstance(t, np.ndarray) else T._const(t)
                for t in saved]

    def output(self, F: Namespace) -> Any:
        """The op's saved output: its array, or under create_graph a Tensor whose grad_fn
        is this node (so derivatives of the output flow back through the op)."""
        out = self.out
        if out is None:
            raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
        if self.out_dirty:
            raise RuntimeError(_inplace_msg(type(self).__name__, "its output"))
        if F.raw:
            return out
        return _WRAP[0](out, self)

    out_dirty = False  # set when the output tensor is changed in place after the op

    def cached(self) -> Any:
        """The arrays the forward left in ``cache`` (constants w.r.t. differentiation)."""
        cache = self.cache
        if cache is None:
            raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
        return cache

    def _check_versions(self, saved: Sequence[Tensor]) -> None:
        for i, t in enumerate(saved):
            if getattr(t, "_epoch", 0) > self.epoch:
                raise RuntimeError(
                    _inplace_msg(
                        type(self).__name__,
                        f"saved tensor {i} of shape {tuple(t.shape)} (now at version {t._version})",
                    )
                )

    def release(self) -> None:
        """Drop the arrays kept for backward (called after backward unless retain_graph)."""
        if self.saved or self.out is not None or self.cache is not None:
            self.saved = None
            self.out = None
            self.cache = None


def _inplace_msg(op: str, what: str) -> str:
    return (
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {what} was changed after {op} saved it. {op} needs the "
        f"original value; use an out-of-place op (e.g. x = x + 1) or .clone() it first."
    )


def new_node(cls: type[Node], edges: tuple, out: np.ndarray, saved: tuple = (),
             meta: Any = None, save_out: bool = False, cache: Any = None) -> Node:
    """Create a node of ``cls`` for an op whose output array is ``out``."""
    node = cls()
    node.edges = edges
    node.saved = saved
    node.meta = meta
    node.out = out if save_out else None
    node.cache = cache
    node.shape = out.shape
    node.dtype = out.dtype
    node.epoch = STATE.epoch
    node.scope = STATE.scope
    node.grad_size = None  # what backward leaves of the gradient at the output (grad_norm)
    if STATE.anomaly:
        node.trace = traceback.format_stack()[:-3]
    return node


# -- the two namespaces a VJP computes in -------------------------------------------------
class Namespace:
    """Functions a VJP calls by name: NumPy's on the fast path, the engine's ops under
    create_graph. Both hold the same names; ``register`` adds a pair."""

    def __init__(self, raw: bool) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return "RAW" if self.raw else "GRAPH"


RAW = Namespace(raw=True)
GRAPH = Namespace(raw=False)


def register(name: str, array_fn: Callable, tensor_fn: Callable) -> None:
    """Make ``F.name`` mean ``array_fn`` on raw arrays and ``tensor_fn`` on Tensors."""
    setattr(RAW, name, array_fn)
    setattr(GRAPH, name, tensor_fn)


# -- the backward pass -------------------------------------------------------------------
def _accumulate_leaf(leaf: Tensor, g: Any, create_graph: bool, stored: set) -> None:
    """Add ``g`` into ``leaf.grad``.

    A VJP may pass its incoming gradient on unchanged (add, reshape, cat...), so one
    array can reach two leaves, or a user's ``gradient=`` array can reach a leaf; a
    leaf's .grad must alias nothing, since it is later changed in place. Views and
    arrays already handed out in this backward (``stored``, by id) are copied; fresh
    arrays, the common case, are taken as they are: no copy on the hot path.
    """
    wrap = _WRAP[0]
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    data = leaf.data
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    if g.shape != data.shape:
        raise RuntimeError(
            f"gradient of shape {g.shape} does not match the leaf's shape {data.shape}"
        )
    grad = leaf.grad
    if grad is None:
        if g.base is not None or id(g) in stored:
            g = g.copy()
        stored.add(id(g))
        leaf.grad = wrap(g, None)
    elif grad._node is not None or not grad.data.flags.writeable:
        leaf.grad = wrap(grad.data + g, None)
    else:
        np.add(grad.data, g, out=grad.data)


def _run_hooks(hooks: list, g: Any, create_graph: bool) -> Any:
    _wrap = _WRAP[0]
    for hook in hooks:
        if create_graph:
            res = hook(g)
            if res is not None:
                g = res
        else:
            with _GradMode(False):
                res = hook(_wrap(g, None))
            if res is not None:
                g = res.data if hasattr(res, "data") else np.asarray(res)
    return g


def _check_finite(node: Node, grads: tuple, create_graph: bool) -> None:
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = gi.data if create_graph else gi
        if isinstance(arr, tuple):  # a multi-output Function's gradient slots
            continue
        if not np.all(np.isfinite(arr)):
            where = "".join(node.trace or ["(forward stack not recorded)\n"])
            bad = "nan" if np.isnan(arr).any() else "inf"
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned {bad} values in its {i}th output.\n"
                f"Traceback of the forward call that created it:\n{where}"
            )


_FINAL: list = []  # one list of queue_callback() callables per running backward (nesting)


def queue_callback(fn: Callable[[], None]) -> None:
    """Run ``fn()`` once the backward pass now running has finished (torch's
    ``Variable._execution_engine.queue_callback``); callbacks run in the order queued,
    only if the pass succeeds. DistributedDataParallel waits for its all-reduces here."""
    if not _FINAL:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _FINAL[-1].append(fn)


def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Tensor] | None = None) -> list | None:
    """:func:`_chain_rule`, then the callbacks queued during it (:func:`queue_callback`)."""
    queued: list = []
    _FINAL.append(queued)
    try:
        captured = _chain_rule(roots, root_grads, retain_graph, create_graph, inputs)
        i = 0
        while i < len(queued):  # a callback may queue another
            queued[i]()
            i += 1
    finally:
        _FINAL.pop()
    return captured


def _chain_rule(roots: Sequence[Tensor], root_grads: Sequence[Any], retain_graph: bool,
                create_graph: bool, inputs: Sequence[Tensor] | None = None) -> list | None:
    """Apply the chain rule from ``roots`` (seeded with ``root_grads``) back to the leaves.

    Without ``inputs`` the gradients accumulate into the leaves' ``.grad``; with
    ``inputs`` they are returned instead (``autograd.grad``) and no ``.grad`` changes.
    Vertices are Nodes and leaf Tensors; a vertex runs once every consumer has sent
    its gradient (dependency counting), so each node sees its total gradient.
    """
    F = GRAPH if create_graph else RAW

    # 1. count, for every vertex, how many edges point at it
    deps: dict = {}
    stack = []
    for r in roots:
        v = r._node if r._node is not None else r
        if v not in deps:
            deps[v] = 0
            stack.append(v)
    while stack:
        for e in stack.pop().edges:  # a leaf's edges are ()
            if e is None:
                continue
            n = deps.get(e)
            if n is None:
                deps[e] = 1
                if not e._IS_TENSOR:  # leaves have no edges to follow
                    stack.append(e)
            else:
                deps[e] = n + 1

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

    with _GradMode(create_graph):
        while ready:
            v, g = ready.pop()
            if v._IS_TENSOR:  # a root that is a leaf
                if g is not None:
                    _to_leaf(v, g, create_graph, stored, capture, captured)
                continue
            edges = v.edges
            if g is None:  # nothing flowed here: just release the inputs' dependencies
                grads = (None,) * len(edges)
            else:
                if v.hooks:
                    g = _run_hooks(v.hooks, g, create_graph)
                v.grad_size = _grad_size(g, create_graph)
                if watch:
                    if capture is not None and v in capture:
                        for i in capture[v]:
                            captured[i] = g
                    grads = v.vjp(g, F)
                    if anomaly:
                        _check_finite(v, grads, create_graph)
                    if tracer is not None:
                        tracer.append(_trace_step(v, g, grads, create_graph))
                else:
                    grads = v.vjp(g, F)
            for e, gi in zip(edges, grads):
                if e is None:
                    continue
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
                    ready.append((e, gi))
                elif gi is not None:  # a leaf: nothing to run, its gradient lands now
                    if capture is None and not e._hooks:
                        _accumulate_leaf(e, gi, create_graph, stored)
                    else:
                        _to_leaf(e, gi, create_graph, stored, capture, captured)
            grads = None
            if not retain_graph and (v.saved or v.out is not None or v.cache is not None):
                v.saved = v.out = v.cache = None
    return captured


def _to_leaf(leaf: Tensor, g: Any, create_graph: bool, stored: set, capture: dict | None,
             captured: list | None) -> None:
    """Deliver a leaf's complete gradient: through its hooks, then into ``.grad`` (or
    into ``captured`` for autograd.grad)."""
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
        g = g.data if create_graph else np.asarray(g)  # NumPy hands 0-d results as scalars
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
    return float(np.sqrt(np.sum(np.square(gs, dtype=np.float64))))


def _trace_step(node: Node, g: Any, grads: tuple, create_graph: bool) -> Any:
    from autograd.trace import TraceStep

    return TraceStep.from_node(node, g, grads, create_graph)


class _GradMode:
    """Set grad mode for a block; restores the previous mode (the primitive under no_grad)."""

    __slots__ = ("mode", "prev")

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = STATE.grad_enabled
        STATE.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.grad_enabled = self.prev
