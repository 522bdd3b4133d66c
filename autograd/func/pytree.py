"""A minimal pytree, as ``torch.utils._pytree`` sees one: tuples, lists, dicts and
namedtuples are containers, everything else (Tensors, numbers, None) is a leaf.

``tree_flatten(tree)`` gives ``(leaves, spec)``; ``tree_unflatten(leaves, spec)`` rebuilds
the same structure around new leaves. ``broadcast_prefix(prefix, spec)`` expands a prefix
tree (vmap's ``in_dims``/``out_dims``: an int or None stands for a whole subtree) to one
value per leaf, or returns None when the prefix does not fit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Spec", "broadcast_prefix", "tree_flatten", "tree_unflatten"]


class Spec:
    """The structure of a tree: ``kind`` (None for a leaf, else the container type),
    ``context`` (the dict keys, or the namedtuple class), ``children`` (their Specs)."""

    __slots__ = ("children", "context", "kind", "num_leaves")

    def __init__(self, kind: Any, context: Any, children: list) -> None:
        self.kind, self.context, self.children = kind, context, children
        self.num_leaves = 1 if kind is None else sum(c.num_leaves for c in children)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Spec) and self.kind is other.kind
                and self.context == other.context and self.children == other.children)

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        name = self.context.__name__ if self.kind is _NAMEDTUPLE else self.kind.__name__
        keys = f"{list(self.context)}, " if self.kind is dict else ""
        return f"TreeSpec({name}, {keys}[{', '.join(map(repr, self.children))}])"


LEAF = Spec(None, None, [])
_NAMEDTUPLE = object()  # the kind of every namedtuple; its class is the context


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def tree_flatten(tree: Any) -> tuple[list, Spec]:
    """``(leaves, spec)``: the leaves in order (dicts in insertion order, as torch)."""
    leaves: list = []

    def walk(t: Any) -> Spec:
        if _is_namedtuple(t):
            return Spec(_NAMEDTUPLE, type(t), [walk(c) for c in t])
        if type(t) in (tuple, list):
            return Spec(type(t), None, [walk(c) for c in t])
        if type(t) is dict:
            return Spec(dict, tuple(t), [walk(v) for v in t.values()])
        leaves.append(t)
        return LEAF

    return leaves, walk(tree)


def tree_unflatten(leaves: list, spec: Spec) -> Any:
    """The tree of ``spec`` holding ``leaves`` (as many as ``spec.num_leaves``)."""
    it = iter(leaves)

    def build(s: Spec) -> Any:
        if s.kind is None:
            return next(it)
        kids = [build(c) for c in s.children]
        if s.kind is _NAMEDTUPLE:
            return s.context(*kids)
        if s.kind is dict:
            return dict(zip(s.context, kids))
        return s.kind(kids)

    return build(spec)


def broadcast_prefix(prefix: Any, spec: Spec) -> list | None:
    """One value of ``prefix`` per leaf of ``spec``: a non-container in ``prefix`` covers
    the whole subtree under it. None when the structures disagree."""
    out: list = []

    def walk(p: Any, s: Spec) -> bool:
        p_leaves, p_spec = tree_flatten(p) if isinstance(p, (tuple, list, dict)) else ([p], LEAF)
        if p_spec.kind is None:
            out.extend([p] * s.num_leaves)
            return True
        if p_spec.kind is not s.kind or len(p_spec.children) != len(s.children):
            return False
        if s.kind is dict:
            if set(p) != set(s.context):
                return False
            return all(walk(p[k], c) for k, c in zip(s.context, s.children))
        return all(walk(pc, c) for pc, c in zip(p, s.children))

    return out if walk(prefix, spec) else None
