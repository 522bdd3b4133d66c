"""The first stage of a drawing: walk the recorded graph and say what each vertex is.

A vertex is a :class:`~autograd.engine.Node` (an op, drawn with its output tensor) or
a leaf Tensor. :func:`classify` walks from the roots once, breadth first over a list
(no recursion), and records for each vertex its name (parameters, by their dotted
``nn`` name), whether it is a parameter, and the module cluster it is drawn in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd.graph import Node
from autograd.viz._common import named_parameters
from autograd.viz.constants import RECORDED, Constant, constants_of, released


def roots_of(root: Any) -> list[tuple[Any, Any]]:
    """``(vertex, tensor)`` per root: a vertex is a Node or a leaf Tensor."""
    items = list(root) if isinstance(root, list | tuple) else [root]
    if not items:
        raise ValueError("draw_graph needs at least one tensor to draw")
    out = []
    for r in items:
        if getattr(r, "_IS_TENSOR", False):
            out.append((r._node if r._node is not None else r, r))
        elif isinstance(r, Node):
            out.append((r, None))
        else:
            raise TypeError(f"draw_graph expects a Tensor (or its grad_fn), got {type(r).__name__}")
    return out


@dataclass
class Walk:
    order: list  # vertices, breadth first from the roots: nearest the output first
    index: dict  # id(vertex) -> position in order
    leaf_scope: dict  # position of a leaf -> scope of an op that consumed it (for its name)


def walk(roots: list) -> Walk:
    """Every vertex the roots depend on, each once, nearest the roots first."""
    order: list = []
    index: dict = {}
    leaf_scope: dict = {}
    for v in roots:
        if id(v) not in index:
            index[id(v)] = len(order)
            order.append(v)
    i = 0
    while i < len(order):  # ``order`` is its own queue: the walk never recurses
        v = order[i]
        i += 1
        if v._IS_TENSOR:
            continue
        scope = v.scope
        for e in v.edges:
            if e is None:
                continue
            j = index.get(id(e))
            if j is None:
                j = index[id(e)] = len(order)
                order.append(e)
            if scope is not None and e._IS_TENSOR and j not in leaf_scope:
                leaf_scope[j] = scope
    return Walk(order, index, leaf_scope)


class Namer:
    """Dotted parameter names: from ``params`` first, else from the module an op ran in
    (the leaf found by identity among ``scope.module``'s parameters, prefixed with
    ``scope.path``), else among the root module's."""

    def __init__(self, params: Any) -> None:
        self.explicit = {id(p): n for n, p in named_parameters(params)}
        self._tables: dict = {}

    def _table(self, module: Any, path: str) -> dict:
        key = (id(module), path)
        table = self._tables.get(key)
        if table is None:
            table = {}
            try:  # a module is only duck-typed: anything odd just gives no names
                for n, p in module.named_parameters():
                    table.setdefault(id(p), f"{path}.{n}" if path else n)
            except Exception:
                table = {}
            self._tables[key] = table
        return table

    def name(self, leaf: Any, scope: Any) -> str | None:
        n = self.explicit.get(id(leaf))
        if n is not None or scope is None:
            return n
        module = getattr(scope, "module", None)
        if module is not None:
            n = self._table(module, getattr(scope, "path", "") or "").get(id(leaf))
            if n is not None:
                return n
        root = getattr(scope, "root", None)
        if root is not None and root is not module:
            n = self._table(root, "").get(id(leaf))
        return n


class Modules:
    """Type names of the modules along the recorded scopes, for cluster labels."""

    def __init__(self) -> None:
        self.types: dict = {}  # (id(root), path) -> type name
        self._seen: set = set()
        self._leafy: dict = {}

    def see(self, scope: Any) -> tuple[int, str]:
        root = getattr(scope, "root", None)
        rid = id(root)
        path = getattr(scope, "path", "") or ""
        if rid not in self._seen:
            self._seen.add(rid)
            try:
                for p, m in root.named_modules():
                    self.types.setdefault((rid, p), type(m).__name__)
            except Exception:
                pass
        module = getattr(scope, "module", None)
        if module is not None:
            self.types.setdefault((rid, path), type(module).__name__)
        return rid, path

    def is_leaf_module(self, scope: Any) -> bool:
        """True for a module with no submodules (a loss called on its own)."""
        module = getattr(scope, "module", None)
        key = id(module)
        if key not in self._leafy:
            try:
                self._leafy[key] = next(iter(module.named_children()), None) is None
            except Exception:
                self._leafy[key] = False
        return self._leafy[key]

    def label(self, rid: int, path: str) -> str:
        t = self.types.get((rid, path), "")
        return f"{path} {t}".strip() if path else t or "module"


@dataclass
class Graph:
    """The walked graph and what each vertex ``i`` (its position in ``order``) is."""

    roots: list  # (vertex, tensor) per root
    order: list
    index: dict
    root_tensor: dict  # position of a root -> its Tensor (None for a grad_fn root)
    names: dict  # position of a named leaf -> dotted name
    is_param: list
    home: list  # (id(root module), path) of the cluster a vertex is drawn in, or None
    modules: Modules
    n_ops: int
    n_leaves: int
    consts: dict  # position of an op -> its inputs that need no grad (those still held)
    released: set  # positions of ops whose inputs needing no grad backward released

    def is_tensor(self, i: int) -> bool:
        return self.order[i]._IS_TENSOR


def classify(root: Any, params: Any) -> Graph:
    """Walk from ``root`` and name, mark and place (in a module cluster) every vertex."""
    roots = roots_of(root)
    w = walk([v for v, _ in roots])
    order, n = w.order, len(w.order)
    namer = Namer(params)
    modules = Modules()
    names: dict[int, str] = {}
    is_param = [False] * n
    home: list = [None] * n
    n_ops = n_leaves = 0
    consts: dict[int, list[Constant]] = {}
    gone: set = set()
    for i, v in enumerate(order):
        if v._IS_TENSOR:
            n_leaves += 1
            name = namer.name(v, w.leaf_scope.get(i))
            if name is not None:
                names[i] = name
            is_param[i] = name is not None or type(v).__name__ == "Parameter"
            continue
        n_ops += 1
        if v.saved or type(v).__name__ in RECORDED:  # cheap test first: 100,000-op chains
            held = constants_of(v)
            if held:
                consts[i] = held
        elif released(v):
            gone.add(i)
        scope = v.scope
        if scope is None:
            continue
        rid, path = modules.see(scope)
        if path or modules.is_leaf_module(scope):
            home[i] = (rid, path)
    _home_parameters(names, home, w.leaf_scope)
    return Graph(roots=roots, order=order, index=w.index,
                 root_tensor={w.index[id(v)]: t for v, t in roots}, names=names,
                 is_param=is_param, home=home, modules=modules, n_ops=n_ops, n_leaves=n_leaves,
                 consts=consts, released=gone)


def _home_parameters(names: dict, home: list, leaf_scope: dict) -> None:
    """Parameters sit in the cluster of the module that owns them (by their dotted name)."""
    homes = {key for key in home if key is not None}
    by_path = {key[1]: key for key in homes}
    for i, name in names.items():
        owner = name.rpartition(".")[0]
        scope = leaf_scope.get(i)
        key = (id(getattr(scope, "root", None)), owner) if scope is not None else None
        if key is not None and key in homes:
            home[i] = key
        elif owner in by_path:
            home[i] = by_path[owner]
