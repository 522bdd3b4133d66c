"""Layout of deep drawings: a long chain wraps into side-by-side columns.

Left to itself, ``dot`` puts every op of a chain on its own rank, so a 100-layer
network is one column a hundred ranks tall, and the parameters hanging beside each
op push the chain a little sideways at every step: a thin diagonal staircase across
a mostly empty page. Here each drawn node gets a *level*, its longest distance (in
edges) to the output, and levels are cut into bands of ``rows`` levels. Edges that
cross from one band into the next are marked ``constraint=false``: they are still
drawn, but no longer rank their ends, so each band is ranked on its own from the top
and dot sets the bands side by side, like the columns of a newspaper. A node that
only feeds others (a parameter, an input) is banded with the op it feeds.

``rows`` grows as the square root of the depth (:func:`rows_for`), which keeps a
wrapped drawing roughly as wide as it is tall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_ROWS = 16  # shallower drawings are never wrapped


def levels(edges: list[tuple[str, str, dict]]) -> dict[str, int]:
    """Longest distance from each node to a node without outgoing edges (the output).

    Kahn's algorithm on the reversed edges: a node is settled once every node it feeds
    is. Nodes on a cycle (collapsed modules that call each other) keep the level they
    reached; nothing recurses.
    """
    preds: dict[str, list[str]] = {}
    pending: dict[str, int] = {}
    for s, d, _ in edges:
        preds.setdefault(d, []).append(s)
        pending[s] = pending.get(s, 0) + 1
        pending.setdefault(d, 0)
    level = dict.fromkeys(pending, 0)
    ready = [v for v, k in pending.items() if k == 0]
    while ready:
        v = ready.pop()
        for p in preds.get(v, ()):
            if level[v] + 1 > level[p]:
                level[p] = level[v] + 1
            pending[p] -= 1
            if pending[p] == 0:
                ready.append(p)
    return level


def rows_for(depth: int, sources: int, sideways: bool = False) -> int:
    """Levels per column for a drawing ``depth`` levels deep, into which ``sources`` nodes
    (parameters, inputs) feed from the side, so that it comes out about as wide as tall.

    Top to bottom, a level is about an inch tall and a column about two inches wide for
    a bare chain, about five with a parameter beside each layer: ``rows * 1 ≈ (depth /
    rows) * w``, so ``rows ≈ sqrt(w * depth)``. Left to right (``sideways``) a level is
    about two inches wide and a row one or two and a half tall: ``w`` is a quarter of
    that. The rows are evened out so that the last column is not a stub.
    """
    width = 2 if sources < 0.05 * depth else 5
    if sideways:
        width /= 4
    rows = max(MIN_ROWS, math.ceil(math.sqrt(width * depth)))
    if depth <= rows + rows // 2:
        return depth  # one column: wrapping would leave a stub
    return math.ceil(depth / math.ceil(depth / rows))


@dataclass
class Wrapped:
    edges: list  # (src, dst, attrs), those between columns with constraint=false
    statements: list[str]  # DOT lines that order the columns (none: not wrapped)
    groups: dict[str, str]  # node -> DOT ``group`` of its column: keeps each column straight


def wrap(edges: list[tuple[str, str, dict]], sideways: bool = False) -> Wrapped:
    """Wrap a deep drawing into side-by-side columns (a shallow one is left as it is);
    ``sideways``: the drawing runs left to right, so the columns are rows."""
    level = levels(edges)
    depth = max(level.values(), default=0) + 1
    has_pred = {d for _, d, _ in edges}
    rows = rows_for(depth, len(level) - len(has_pred), sideways)
    if rows >= depth:
        return Wrapped(edges, [], {})
    band = {v: lv // rows for v, lv in level.items()}
    fed: dict[str, str] = {}  # a source sits in the band of the deepest node it feeds
    for s, d, _ in edges:
        if s not in has_pred and (s not in fed or level[d] > level[fed[s]]):
            fed[s] = d
    for s, d in fed.items():
        band[s] = band[d]
    out = []
    for s, d, attrs in edges:
        if band[s] != band[d]:
            attrs = {**attrs, "constraint": "false"}
        out.append((s, d, attrs))
    # Columns left to right in the order data flows (the inputs' column first): an
    # invisible anchor above each column's top, outside any module cluster, the anchors
    # on one rank and tied in order by invisible edges (dot keeps such flat edges
    # left to right); the bottoms likewise.
    top: dict[int, str] = {}
    bottom: dict[int, str] = {}
    for v, b in band.items():
        if v in has_pred and (b not in top or level[v] > level[top[b]]):
            top[b] = v
        if b not in bottom or level[v] < level[bottom[b]]:
            bottom[b] = v
    order = sorted(top, reverse=True)
    anchors = " -> ".join(f"column{b}" for b in order)
    lines = [f"{{rank=same; node [shape=point style=invis]; {anchors} [style=invis]}}",
             "{edge [style=invis]; " + " ".join(f"column{b} -> {top[b]};" for b in order) + "}",
             "{rank=same; " + " -> ".join(bottom[b] for b in order) + " [style=invis]}"]
    # the chain itself (not what hangs off it) is grouped per column, so dot draws it straight
    groups = {v: f"column{b}" for v, b in band.items() if v in has_pred}
    return Wrapped(out, lines, groups)
