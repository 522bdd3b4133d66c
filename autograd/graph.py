"""The recorded graph: per-thread engine state, :class:`Node`, and the two namespaces a
vector-Jacobian product computes in.

A :class:`Node` is one recorded operation. It holds an edge per input (the producer node
of that input, the input itself when it is a leaf that requires grad, or ``None``) and
whatever its vector-Jacobian product needs. Each op subclass defines ``vjp(self, g, xp)``
once: ``xp`` is :data:`RAW` (NumPy functions, arrays in and out) on the fast path, or
:data:`GRAPH` (the engine's own differentiable ops, Tensors in and out) under
``create_graph=True``, so the same lines of math serve first and higher derivatives.
Which names the namespaces hold is declared in one table, ``autograd/ops/vocabulary.py``.

This module imports nothing else of the project but ``backend`` and ``promotion`` (which
import nothing of it): the Tensor class is bound to it once, by ``autograd.tensor`` calling
:func:`bind_tensor`.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.backend import is_array
from autograd.printing import grad_fn_name
from autograd.promotion import NUMBER_ARRAYS

if TYPE_CHECKING:
    from autograd.tensor import Tensor


class Away:
    """How many threads have each recording switch away from its default (process-wide).

    Reading a per-thread attribute costs about three plain attribute reads, and recording
    an op needs three switches; so the hot path (``ops/record.py``, :func:`new_node`) reads
    these counts first and looks at its own thread's switch only while some thread is
    away from the default. A zero count means every thread is at the default; a thread
    that ends while away leaves its count up, which costs speed, never correctness.
    """

    grad_off: int = 0  # threads whose grad mode is off (inside no_grad, ...)
    scoped: int = 0  # threads inside an nn.Module's forward (STATE.scope set)
    anomaly: int = 0  # threads inside detect_anomaly()
    autocast: int = 0  # threads inside an enabled autocast region (autocast_mode.py)


_away_lock = threading.Lock()


def _count(counter: str, change: int) -> None:
    with _away_lock:
        setattr(Away, counter, getattr(Away, counter) + change)


class _ThreadState(threading.local):
    """Engine switches, one set per thread (as torch's grad mode): a ``no_grad`` block in
    one thread leaves every other thread recording. The class attributes are each new
    thread's defaults; the setters keep :class:`Away` up to date (they run once per
    ``with`` block or module call). The per-op path reads the raw values (``_grad_enabled``,
    ``_scope``, ``_anomaly``) directly, and only while :class:`Away` says some thread is away."""

    _grad_enabled: bool = True
    _scope: Any = None
    _anomaly: bool = False
    inference: bool = False  # inside inference_mode() (which runs as no_grad)
    tracer: Any = None  # trace_backward(): a BackwardTrace whose record() each step calls
    final_callbacks: list | None = None  # engine.queue_callback()'s list while backward runs

    @property
    def grad_enabled(self) -> bool:
        """This thread's grad mode (default True)."""
        return self._grad_enabled

    @grad_enabled.setter
    def grad_enabled(self, value: bool) -> None:
        value = bool(value)
        if value is not self._grad_enabled:
            _count("grad_off", -1 if value else 1)
        self._grad_enabled = value

    @property
    def scope(self) -> Any:
        """The nn module this thread's forward is in (set by ``nn.Module.__call__``, so
        drawings can group ops per module), or None."""
        return self._scope

    @scope.setter
    def scope(self, value: Any) -> None:
        if (value is None) is not (self._scope is None):
            _count("scoped", -1 if value is None else 1)
        self._scope = value

    @property
    def anomaly(self) -> bool:
        """detect_anomaly() in this thread: nodes keep their forward stack."""
        return self._anomaly

    @anomaly.setter
    def anomaly(self, value: bool) -> None:
        value = bool(value)
        if value is not self._anomaly:
            _count("anomaly", 1 if value else -1)
        self._anomaly = value


STATE = _ThreadState()


class AccumulateGrad:
    """torch's graph node for a leaf, as ``next_functions`` shows it: ``variable`` is the
    leaf whose ``.grad`` backward accumulates into."""

    __slots__ = ("variable",)
    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class Versions:
    """Process-wide in-place clock (not per thread: a change made in one thread must be
    seen by a backward running in another). ``epoch`` is bumped by every in-place change;
    a node compares it with the epoch it was recorded at to skip version checks."""

    epoch: int = 0


class Bound:
    """The Tensor class and its fast constructor ``wrap(array, node)``, bound by
    ``autograd.tensor`` through :func:`bind_tensor` (the graph records cannot import the
    Tensor module, which is built on them)."""

    tensor: type | None = None
    wrap: Callable | None = None


def bind_tensor(tensor_cls: type, wrap: Callable) -> None:
    """Tell the graph which class its saved values and rebuilt outputs are (called once,
    by ``autograd.tensor`` as it loads)."""
    Bound.tensor = tensor_cls
    Bound.wrap = wrap


FREED_MSG = (
    "Trying to backward through the graph a second time (or to use saved values after "
    "they were freed) in {op}. Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time."
)


class Node:
    """One recorded op. Subclasses are named ``<Op>Backward`` and define ``vjp``.

    Slots: the edges, one per input (read them as ``edges``, see there), ``saved`` (input
    Tensors the VJP needs; ``None`` once freed), ``meta`` (small constants: axes, shapes;
    never freed), ``out`` (the output array when the VJP needs it), ``cache`` (arrays
    derived in the forward that the VJP reuses: masks, im2col columns), ``shape``/``dtype``
    of the output (``shape`` is the input node's own tuple where equal, for the elementwise
    ops of ``ops.record.unary`` and ``ops.arith``: one object fewer per node), ``epoch``
    (``Versions.epoch`` at record time), ``scope`` (the nn module the op ran in, for
    drawing), ``grad_size`` (what backward left of the gradient at the
    output, see ``engine.grad_norm``).
    """

    # ``_edges``: the tuple ``edges`` returns, or, where the only edge is the first input's
    # (an op of one input recorded by ``ops.record.unary``, or of a tensor and a number
    # second recorded by ``ops.arith``), that edge alone: a tuple per node is one more
    # object the cyclic GC tracks and traverses for as long as the graph lives (a
    # 100,000-link chain holds 300,000 of them). The engine's loop reads ``_edges`` itself.
    __slots__ = ("_edges", "saved", "meta", "out", "cache", "shape", "dtype", "epoch",
                 "scope", "grad_size", "__dict__")
    _IS_TENSOR = False  # graph vertices are Nodes or leaf Tensors; this tells them apart
    hooks: list | None = None  # tensor hooks of the output, set by register_hook/retain_grad
    trace: list | None = None  # forward stack, only under detect_anomaly()
    out_dirty = False  # set when the output tensor is changed in place after the op
    in_shapes: tuple | None = None  # every input's shape, set where an input needs no grad
    binary_meta = False  # recorded by ops.record.binary: meta = (shape a, shape b), see there
    # True where the VJP only multiplies the gradient by a number operand: inputs() then
    # hands it over as the 0-d array of the op's dtype that the forward used (promotion.
    # number_array; the same product, without NumPy converting the number on every call),
    # for nodes recorded on host arrays (meta is HOST_NUMBER_META; a device array takes no
    # NumPy operand).
    number_arrays = False

    def input_shapes(self) -> tuple:
        """The shape of every input, those that need no gradient included (None where the
        op did not record it)."""
        if self.in_shapes is not None:
            return self.in_shapes
        shapes = [None if e is None else tuple(e.shape) for e in self.edges]
        if self.binary_meta:  # a constant operand: its shape in meta, None for a number
            for i, s in enumerate(self.meta):
                if shapes[i] is None:
                    shapes[i] = () if s is None else tuple(s)
        return tuple(shapes)

    def vjp(self, g: Any, xp: Namespace) -> tuple:
        """Gradients of the inputs (one per edge, ``None`` where not needed) given ``g``."""
        raise NotImplementedError

    @property
    def edges(self) -> tuple:
        """One entry per input, in the op's argument order: the input's producer node, the
        input itself when it is a leaf that requires grad, or None (no gradient needed)."""
        edges = self._edges
        if edges.__class__ is tuple:
            return edges
        # a lone edge: the first input's, the second a number (ops.arith) or none
        return (edges, None) if self.meta is HOST_NUMBER_META else (edges,)

    def name(self) -> str:
        """torch's name of the op (``MulBackward0``; a custom Function's ``MyOpBackward``)."""
        return grad_fn_name(self)

    @property
    def next_functions(self) -> tuple:
        """Where this node's gradient flows, as torch: one ``(node, 0)`` pair per input, the
        node being the input's producer, an :class:`AccumulateGrad` for a leaf that requires
        grad (its ``.variable``), or None. ``edges`` gives the producers and leaves bare."""
        return tuple((e if e is None or not e._IS_TENSOR else AccumulateGrad(e), 0)
                     for e in self.edges)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    # -- access to saved values ------------------------------------------------------
    def inputs(self, xp: Namespace) -> list:
        """The saved input Tensors: their arrays on the fast path, the Tensors under
        create_graph. Raises if the graph was freed or a saved input changed in place."""
        saved = self.saved
        if saved is None:
            raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
        if self.epoch != Versions.epoch:
            self._check_versions(saved)
        T = Bound.tensor
        if xp.raw:
            if len(saved) == 2:  # most ops: no comprehension (a frame of its own)
                a, b = saved
                a = a._data if isinstance(a, T) else a
                b = b._data if isinstance(b, T) else b
                if self.number_arrays and self.meta is HOST_NUMBER_META:  # see number_arrays
                    consts = NUMBER_ARRAYS.get(self.dtype)
                    if consts:
                        if b.__class__ is float or b.__class__ is int:
                            b = consts.get(b, b)
                        elif a.__class__ is float or a.__class__ is int:
                            a = consts.get(a, a)
                return [a, b]
            return [t._data if isinstance(t, T) else t for t in saved]
        # Constant array operands become Tensors so that every xp op accepts them.
        return [t if isinstance(t, T) or not is_array(t) else T._const(t)
                for t in saved]

    def output(self, xp: Namespace) -> Any:
        """The op's saved output: its array, or under create_graph a Tensor whose grad_fn
        is this node (so derivatives of the output flow back through the op)."""
        out = self.out
        if out is None:
            raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
        if self.out_dirty:
            raise RuntimeError(inplace_msg(type(self).__name__, "its output"))
        if xp.raw:
            return out
        return Bound.wrap(out, self)

    def cached(self) -> Any:
        """The arrays the forward left in ``cache`` (constants w.r.t. differentiation)."""
        cache = self.cache
        if cache is None:
            raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
        return cache

    def _check_versions(self, saved: Sequence[Tensor]) -> None:
        for i, t in enumerate(saved):
            base = getattr(t, "_base", None)  # a view's counter is its base's
            if getattr(t if base is None else base, "_epoch", 0) > self.epoch:
                raise RuntimeError(
                    inplace_msg(
                        type(self).__name__,
                        f"saved tensor {i} of shape {tuple(t.shape)} (now at version {t._version})",
                    )
                )


# The meta of a binary op between a host (NumPy) array and a Python number, recorded by
# ops.arith's + - * / **: (None, None) as any unbroadcast binary op's, and by its identity
# the sign that the op ran on the host (Node.number_arrays).
HOST_NUMBER_META = (None, None)


def inplace_msg(op: str, what: str) -> str:
    """The error for a value ``op`` saved that was changed in place before backward."""
    return (
        f"one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {what} was changed after {op} saved it. {op} needs the "
        f"original value; use an out-of-place op (e.g. x = x + 1) or .clone() it first."
    )


def new_node(cls: type[Node], edges: tuple, out: np.ndarray, saved: tuple = (),
             meta: Any = None, save_out: bool = False, cache: Any = None) -> Node:
    """Create a node of ``cls`` for an op whose output array is ``out``; ``edges`` has one
    entry per input (see ``Node.edges``)."""
    node = cls()
    node._edges = edges
    node.saved = saved
    node.meta = meta
    node.out = out if save_out else None
    node.cache = cache
    node.shape = out.shape
    node.dtype = out.dtype
    node.epoch = Versions.epoch
    node.scope = STATE._scope if Away.scoped else None
    node.grad_size = None  # what backward leaves of the gradient at the output (grad_norm)
    if Away.anomaly and STATE._anomaly:
        node.trace = forward_stack(3)  # new_node, the recording function, the op
    return node


def forward_stack(inner: int) -> list:
    """The stack of the forward call being recorded, for detect_anomaly(): the caller's,
    less its ``inner`` innermost frames (the caller's own, the op's and any between)."""
    return traceback.format_stack()[:-1 - inner]


# -- the two namespaces a VJP computes in -------------------------------------------------
class Namespace:
    """Functions a VJP calls by name (``xp.matmul``): NumPy's on the fast path, the
    engine's ops under create_graph. Both hold the same names, those of the vocabulary
    table (``autograd/ops/vocabulary.py``), installed by :func:`install_vocabulary`."""

    def __init__(self, raw: bool) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return "RAW" if self.raw else "GRAPH"


RAW = Namespace(raw=True)
GRAPH = Namespace(raw=False)


def install_vocabulary(table: Mapping[str, tuple[Callable, Callable]]) -> None:
    """Make ``xp.name`` mean the array function on :data:`RAW` and the tensor function on
    :data:`GRAPH`, for every ``name -> (array_fn, tensor_fn)`` of ``table``."""
    for name, (array_fn, tensor_fn) in table.items():
        setattr(RAW, name, array_fn)
        setattr(GRAPH, name, tensor_fn)
