"""autograd.viz: draw_graph (DOT text, SVG, colours, clusters, summarising), gradient
statistics and their plot, and live_graph (graphs kept alive by mistake)."""

from __future__ import annotations

import collections
import os
import re
import shutil
import sys
import time
import types
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.graph import STATE
from autograd.viz import draw as draw_mod
from autograd.viz.classify import classify
from autograd.viz.summarise import collapse as collapse_modules
from autograd.viz.summarise import grades, summarise

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(
    not HAVE_DOT, reason="Graphviz's dot program is not installed (CI installs it: "
    "apt-get install graphviz)")


# -- reading DOT text back --------------------------------------------------------------------
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<.*>|[^\s\]]+)')


def _unquote(v: str) -> str:
    return v[1:-1].replace('\\"', '"') if v.startswith('"') else v


def parse_dot(source: str) -> tuple[dict, list]:
    """Node statements as ``{id: attrs}`` and edges as ``[(src, dst, attrs)]``."""
    nodes: dict = {}
    edges: list = []
    for line in source.splitlines():
        line = line.strip()
        m = re.match(r"^(\w+) -> (\w+)(?: \[(.*)\])?$", line)
        if m:
            edges.append((m[1], m[2], {k: _unquote(v) for k, v in _ATTR.findall(m[3] or "")}))
            continue
        m = re.match(r"^(\w+) \[(.*)\]$", line)
        if m and m[1] not in ("node", "edge", "graph"):
            nodes[m[1]] = {k: _unquote(v) for k, v in _ATTR.findall(m[2])}
    return nodes, edges


def lines_of(attrs: dict) -> list[str]:
    return attrs["label"].split("\\n")


def classes(attrs: dict) -> set[str]:
    return set(attrs.get("class", "").split())


def graph_nodes(nodes: dict, kind: str) -> dict:
    return {k: a for k, a in nodes.items() if kind in classes(a)}


def grad_line(attrs: dict) -> str | None:
    return next((ln for ln in lines_of(attrs) if ln.startswith("|grad|")), None)


def described_edges(nodes: dict, edges: list) -> collections.Counter:
    """Edges with each end named by meaning: an op by its label, a tensor by the op
    that produced it (``out:Tanh``) or, for a leaf, its first label line."""
    producer = {dst: nodes[src]["label"] for src, dst, _ in edges
                if "op" in classes(nodes[src])}

    def name(n: str) -> str:
        a = nodes[n]
        if "op" in classes(a):
            return a["label"]
        return f"out:{producer[n]}" if n in producer else lines_of(a)[0]

    return collections.Counter((name(s), name(d)) for s, d, _ in edges)


def fmt3(x: float) -> str:
    return f"{x:.3g}"


# -- a small known graph ----------------------------------------------------------------------
def small_graph():
    w = ag.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True, dtype="float64")
    x = ag.tensor([1.0, 2.0, -1.0], requires_grad=True, dtype="float64")
    y = (w @ x).tanh()
    loss = (y * y).sum()
    return w, x, y, loss


def test_small_graph_has_exactly_the_expected_nodes_edges_names_and_grad_norms() -> None:
    w, x, y, loss = small_graph()
    loss.backward()
    nodes, edges = parse_dot(ag.draw_graph(loss, params={"w": w}).source)

    ops = graph_nodes(nodes, "op")
    assert sorted(a["label"] for a in ops.values()) == ["MatMul", "Mul", "Sum", "Tanh"]
    assert len(graph_nodes(nodes, "tensor")) == 6  # 4 op outputs, w, x
    assert described_edges(nodes, edges) == collections.Counter({
        ("w", "MatMul"): 1, ("leaf", "MatMul"): 1, ("MatMul", "out:MatMul"): 1,
        ("out:MatMul", "Tanh"): 1, ("Tanh", "out:Tanh"): 1,
        ("out:Tanh", "Mul"): 2,  # y * y: both inputs drawn
        ("Mul", "out:Mul"): 1, ("out:Mul", "Sum"): 1, ("Sum", "out:Sum"): 1,
    })
    # class names stay available in the tooltip
    assert {a["tooltip"] for a in ops.values()} == {
        "MatMulBackward", "MulBackward", "SumBackward", "TanhBackward"}

    # gradient norms computed by hand, shown with 3 significant digits
    yv = np.tanh(w._data @ x._data)
    g_y = 2 * yv
    g_mm = g_y * (1 - yv ** 2)
    expected = {
        "w": np.linalg.norm(np.outer(g_mm, x._data)),
        "leaf": np.linalg.norm(w._data.T @ g_mm),
        "out:MatMul": np.linalg.norm(g_mm),
        "out:Tanh": np.linalg.norm(g_y),
        "out:Mul": np.sqrt(2.0),
        "out:Sum": 1.0,
    }
    producer = {dst: nodes[src]["label"] for src, dst, _ in edges if src in ops}
    seen = {}
    for nid, a in graph_nodes(nodes, "tensor").items():
        key = f"out:{producer[nid]}" if nid in producer else lines_of(a)[0]
        seen[key] = grad_line(a)
    assert seen == {k: f"|grad| {fmt3(v)}" for k, v in expected.items()}

    param = graph_nodes(nodes, "param")
    assert [lines_of(a)[:2] for a in param.values()] == [["w", "(2, 3) float64"]]
    assert [lines_of(a)[:2] for a in graph_nodes(nodes, "root").values()] == [
        ["output", "scalar float64"]]
    # leaves, parameters, the root and ops have distinct shapes
    shapes = {frozenset(classes(a)): a["shape"] for a in nodes.values() if "class" in a}
    assert shapes[frozenset({"tensor", "param"})] == "box3d"
    assert shapes[frozenset({"tensor", "leaf"})] == "note"
    assert shapes[frozenset({"op"})] == "ellipse"
    assert nodes[next(iter(graph_nodes(nodes, "root")))]["peripheries"] == "2"
    assert "legend" in nodes


def test_before_backward_no_grads_are_shown_and_the_caption_says_why() -> None:
    _, _, _, loss = small_graph()
    src = ag.draw_graph(loss).source
    nodes, _ = parse_dot(src)
    assert all(grad_line(a) is None for a in graph_nodes(nodes, "tensor").values())
    assert "legend" not in nodes
    assert "call .backward()" in src


def test_show_grads_false_and_show_values() -> None:
    w, x, y, loss = small_graph()
    loss.backward()
    nodes, _ = parse_dot(ag.draw_graph(loss, show_grads=False, show_values=True).source)
    assert all(grad_line(a) is None for a in nodes.values() if "label" in a)
    leaves = {lines_of(a)[1]: a for a in graph_nodes(nodes, "leaf").values()}
    assert lines_of(leaves["(3,) float64"])[2] == "min -1  mean 0.667  max 2"  # x
    assert lines_of(leaves["(2, 3) float64"])[2] == "min -1  mean 0.458  max 2"  # w
    root = next(iter(graph_nodes(nodes, "root").values()))
    assert lines_of(root)[2] == f"value {fmt3(loss.item())}"
    # intermediate values are not kept by the engine: none shown
    inner = [a for a in graph_nodes(nodes, "tensor").values()
             if not classes(a) & {"leaf", "param", "root"}]
    assert inner and all(len(lines_of(a)) == 1 for a in inner)
    src = ag.draw_graph(loss, show_values=True).source
    assert "intermediate values" in src  # ... and the legend says so


def test_direction_is_rankdir_and_bad_arguments_are_rejected() -> None:
    _, _, _, loss = small_graph()
    assert "rankdir=LR" in ag.draw_graph(loss, direction="LR").source
    with pytest.raises(ValueError, match="direction"):
        ag.draw_graph(loss, direction="sideways")
    with pytest.raises(TypeError, match="Tensor"):
        ag.draw_graph("loss")
    with pytest.raises(ValueError, match="max_nodes"):
        ag.draw_graph(loss, max_nodes=1)


def test_roots_may_be_a_leaf_a_grad_fn_or_several_tensors() -> None:
    w, x, y, loss = small_graph()
    nodes, edges = parse_dot(ag.draw_graph(x).source)
    assert len(nodes) == 1 and not edges
    assert classes(next(iter(nodes.values()))) == {"tensor", "leaf", "root"}
    by_fn, _ = parse_dot(ag.draw_graph(loss.grad_fn).source)
    assert len(graph_nodes(by_fn, "op")) == 4
    both, _ = parse_dot(ag.draw_graph([loss, y]).source)
    assert len(graph_nodes(both, "root")) == 2 and len(graph_nodes(both, "op")) == 4


def test_custom_function_nodes_are_named_after_the_function() -> None:
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 3 * a * a * g

    x = ag.randn(3, requires_grad=True)
    Cube.apply(x).sum().backward()
    nodes, _ = parse_dot(ag.draw_graph(Cube.apply(x).sum()).source)
    assert "Cube" in {a["label"] for a in graph_nodes(nodes, "op").values()}


# -- parameter names from the modules the forward pass ran through ----------------------------
class FakeModule:
    """Enough of nn.Module for drawings: named_parameters / named_children / named_modules."""

    def __init__(self, **params: ag.Tensor) -> None:
        self.params = params
        self.children: dict = {}

    def named_parameters(self):
        yield from self.params.items()
        for cname, child in self.children.items():
            for n, p in child.named_parameters():
                yield f"{cname}.{n}", p

    def named_children(self):
        return iter(self.children.items())

    def named_modules(self, prefix: str = ""):
        yield prefix, self
        for cname, child in self.children.items():
            yield from child.named_modules(f"{prefix}.{cname}" if prefix else cname)


class Dense(FakeModule):
    pass


class Stack(FakeModule):
    pass


def fake_model_loss(vanish: bool = False):
    """Stack(block=Stack(0=Dense, 1=Dense), head=Dense) run under fake scopes."""
    rng = np.random.default_rng(0)
    dense = [Dense(weight=ag.tensor(rng.standard_normal((4, 4)), requires_grad=True),
                   bias=ag.tensor(np.zeros(4), requires_grad=True)) for _ in range(3)]
    block = Stack()
    block.children = {"0": dense[0], "1": dense[1]}
    model = Stack()
    model.children = {"block": block, "head": dense[2]}
    h = ag.tensor(rng.standard_normal((2, 4)))
    try:
        for path, mod in (("block.0", dense[0]), ("block.1", dense[1]), ("head", dense[2])):
            STATE.scope = types.SimpleNamespace(module=mod, path=path, root=model)
            h = (h @ mod.params["weight"] + mod.params["bias"]).tanh()
    finally:
        STATE.scope = None
    return model, h.sum()


def test_parameter_names_and_clusters_come_from_the_recorded_scopes() -> None:
    model, loss = fake_model_loss()
    loss.backward()
    src = ag.draw_graph(loss).source
    nodes, _ = parse_dot(src)
    names = sorted(lines_of(a)[0] for a in graph_nodes(nodes, "param").values())
    assert names == sorted(n for n, _ in model.named_parameters())
    # one cluster per module path, nested as the modules are, labelled "path Type"
    labels = dict(re.findall(r"subgraph (\S+) \{\s*[^\n]*label=\"?([^\"\n]+?)\"? labeljust",
                             src))
    assert sorted(labels.values()) == ["block Stack", "block.0 Dense", "block.1 Dense",
                                       "head Dense"]
    parent, cluster_of = {}, {}
    current: list = []
    for line in src.splitlines():
        m = re.match(r"\s*subgraph (\S+) \{", line)
        if m:
            parent[m[1]] = current[-1] if current else None
            current.append(m[1])
        elif line.strip() == "}" and current:
            current.pop()
        else:
            m = re.match(r"\s*(t\d+) \[label=\"([^\\\"]+)", line)
            if m and current:
                cluster_of[m[2]] = current[-1]
    assert parent == {"cluster_block": None, '"cluster_block.0"': "cluster_block",
                      '"cluster_block.1"': "cluster_block", "cluster_head": None}
    # each parameter sits in its module's cluster
    assert cluster_of["head.weight"] == "cluster_head"
    assert cluster_of["block.0.bias"] == '"cluster_block.0"'


def test_explicit_params_take_precedence_over_scope_names() -> None:
    model, loss = fake_model_loss()
    loss.backward()
    renamed = {f"my_{n}": p for n, p in model.named_parameters()}
    nodes, _ = parse_dot(ag.draw_graph(loss, params=renamed).source)
    names = {lines_of(a)[0] for a in graph_nodes(nodes, "param").values()}
    assert names == set(renamed)


def test_collapse_draws_each_module_as_one_node_with_its_parameter_grad_norm() -> None:
    model, loss = fake_model_loss()
    loss.backward()
    params = dict(model.named_parameters())
    nodes, edges = parse_dot(ag.draw_graph(loss, collapse=True).source)
    groups = {lines_of(a)[0]: a for a in graph_nodes(nodes, "group").values()}
    assert set(groups) == {"block Stack", "head Dense"}
    for prefix, label in (("block.", "block Stack"), ("head.", "head Dense")):
        total = np.sqrt(sum(np.sum(p.grad._data ** 2) for n, p in params.items()
                            if n.startswith(prefix)))
        assert lines_of(groups[label])[-1] == f"|grad| of parameters {fmt3(total)}"
    assert not graph_nodes(nodes, "param")  # folded into their modules
    gid = {lines_of(a)[0]: k for k, a in nodes.items() if "group" in classes(a)}
    assert (gid["block Stack"], gid["head Dense"]) in {(s, d) for s, d, _ in edges}
    deeper, _ = parse_dot(ag.draw_graph(loss, collapse=2).source)
    assert {lines_of(a)[0] for a in graph_nodes(deeper, "group").values()} == {
        "block.0 Dense", "block.1 Dense", "head Dense"}


# -- the colour scale -------------------------------------------------------------------------
def deep_net(depth: int, act, scale: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    ws = [ag.tensor(scale * rng.standard_normal((8, 8)) / np.sqrt(8), requires_grad=True)
          for _ in range(depth)]
    h = ag.tensor(rng.standard_normal((4, 8)))
    for w in ws:
        h = act(h @ w)
    return ws, h.mean()


def first_and_last_param_nodes(loss, ws):
    params = {f"layer{k}": w for k, w in enumerate(ws)}
    nodes, _ = parse_dot(ag.draw_graph(loss, params=params).source)
    by_name = {lines_of(a)[0]: a for a in graph_nodes(nodes, "param").values()}
    return by_name["layer0"], by_name[f"layer{len(ws) - 1}"]


def test_colour_scale_flags_a_vanishing_deep_sigmoid_network() -> None:
    ws, loss = deep_net(30, ag.sigmoid, 1.0)
    loss.backward()
    first, last = first_and_last_param_nodes(loss, ws)
    rel = np.linalg.norm(ws[0].grad._data) / 1.0
    assert rel < 1e-6  # the network really vanishes
    assert "vanishing" in classes(first) and first["fillcolor"] == draw_mod._VANISH_FILL
    assert grad_line(first) == f"|grad| {fmt3(rel)}  (vanishing)"
    assert first["penwidth"] == "3"
    assert not classes(last) & {"vanishing", "exploding"}


def test_colour_scale_flags_an_exploding_deep_network() -> None:
    ws, loss = deep_net(20, lambda h: h, 4.0)  # |W| ~ 4: the gradient grows 4x per layer
    loss.backward()
    first, _ = first_and_last_param_nodes(loss, ws)
    assert np.linalg.norm(ws[0].grad._data) > 1e4
    assert "exploding" in classes(first) and first["fillcolor"] == draw_mod._EXPLODE_FILL
    # follow the tensors from the output back to the first layer's output
    nodes, edges = parse_dot(ag.draw_graph(loss).source)
    producer = {d: s for s, d, _ in edges if "op" in classes(nodes[s])}
    inputs: dict = {}
    for s, d, _ in edges:
        inputs.setdefault(d, []).append(s)
    chain = [next(iter(graph_nodes(nodes, "root")))]
    while True:
        prev = [x for x in inputs[producer[chain[-1]]] if x in producer]
        if not prev:
            break
        chain.append(prev[0])
    assert len(chain) == 21  # the output and the 20 MatMul outputs
    flags = ["exploding" in classes(nodes[t]) for t in chain]
    assert not flags[1]  # next to the output: 1/numel of its gradient
    assert flags[-1]  # dL/d(x @ W0): about 4**19 times the output's
    assert flags == sorted(flags)  # once exploded, flagged all the way to the input


def test_colours_follow_the_log_of_the_norm_relative_to_the_output() -> None:
    col = ag.viz.grad_colour
    assert col(1.0)[0] == "#ffffbf"  # the output's own size: the middle of the scale
    assert col(None) == ("#ffffff", None)
    assert col(0.0)[1] == "zero" and col(float("nan"))[1] == "nan"
    assert col(float("inf"))[1] == "inf"
    assert col(1e-7)[1] == "vanishing" and col(2e-6)[1] is None
    assert col(2e4)[1] == "exploding" and col(5e3)[1] is None
    # relative: the same norm vanishes next to a huge output gradient
    assert col(1.0, ref=1e7)[1] == "vanishing"
    def warmth(c: str) -> int:
        return int(c[1:3], 16) - int(c[5:7], 16)  # red minus blue

    ramp = [warmth(col(10.0 ** p)[0]) for p in np.linspace(-5.9, 3.9, 40)]
    assert ramp == sorted(ramp) and ramp[0] < 0 < ramp[-1]  # blue to red, monotonically


# -- big graphs -------------------------------------------------------------------------------
def test_a_100k_op_chain_draws_summarised_quickly() -> None:
    x = ag.randn(3, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    loss = y.sum()
    loss.backward()
    t0 = time.perf_counter()
    dot = ag.draw_graph(loss, max_nodes=300)
    src = dot.source
    elapsed = time.perf_counter() - t0
    assert elapsed < 10, f"drawing took {elapsed:.1f} s"
    nodes, edges = parse_dot(src)
    graph_total = 2 * 100_001 + 1
    s = dot.summary
    assert (s.ops, s.leaves) == (100_001, 1)
    assert s.drawn_nodes <= 300
    assert s.drawn_nodes - 1 + s.hidden_nodes == graph_total  # minus the "more" node
    assert len(nodes) - 1 == s.drawn_nodes  # the legend is not a graph node
    assert lines_of(nodes["more"])[0] == f"{s.hidden_nodes:,} more nodes"
    assert len(graph_nodes(nodes, "root")) == 1
    assert len(graph_nodes(nodes, "leaf")) == 1  # the leaf at the far end stays visible
    assert sum(1 for _, d, _ in edges if d == "more") == 1
    assert len(src) < 200_000
    assert sys.getrecursionlimit() <= 10_000  # no one raised it for us


def test_summarising_keeps_the_parameters() -> None:
    ws, loss = deep_net(40, ag.tanh, 1.0)
    loss.backward()
    dot = ag.draw_graph(loss, params={f"w{k}": w for k, w in enumerate(ws)}, max_nodes=60)
    nodes, _ = parse_dot(dot.source)
    assert dot.summary.drawn_nodes <= 60
    assert len(graph_nodes(nodes, "param")) >= 20  # at most half the budget, in order
    assert "w39" in {lines_of(a)[0] for a in graph_nodes(nodes, "param").values()}
    full = ag.draw_graph(loss)
    assert full.summary.hidden_nodes == 0 and "more" not in parse_dot(full.source)[0]


# -- drawing leaves the graph alone -----------------------------------------------------------
def _snapshot(root):
    out = []
    stack, seen = [root.grad_fn], set()
    while stack:
        v = stack.pop()
        if v is None or id(v) in seen or v._IS_TENSOR:
            continue
        seen.add(id(v))
        out.append((id(v), v.saved, v.out, v.cache, tuple(map(id, v.edges)),
                    id(v.grad_size), v.scope))
        stack.extend(v.edges)
    return out


def test_drawing_after_backward_released_the_saved_arrays_works_and_changes_nothing() -> None:
    w, x, y, loss = small_graph()
    loss.backward()
    assert loss.grad_fn.next_functions[0][0].saved is None  # released
    before = _snapshot(loss)
    grads = (w.grad._data.copy(), x.grad._data.copy())
    assert "digraph" in ag.draw_graph(loss, show_values=True).source
    assert "more nodes" in ag.draw_graph(loss, collapse=True, max_nodes=3).source
    assert _snapshot(loss) == before
    np.testing.assert_array_equal(w.grad._data, grads[0])
    np.testing.assert_array_equal(x.grad._data, grads[1])


def test_backward_with_retain_graph_still_works_after_drawing() -> None:
    w, x, y, loss = small_graph()
    loss.backward(retain_graph=True)
    g1 = w.grad._data.copy()
    assert "digraph" in ag.draw_graph(loss, show_values=True).source
    loss.backward()
    np.testing.assert_allclose(w.grad._data, 2 * g1)


# -- rendering --------------------------------------------------------------------------------
@needs_dot
def test_render_to_svg_gives_one_node_group_per_graph_node(tmp_path) -> None:
    model, loss = fake_model_loss()
    loss.backward()
    dot = ag.draw_graph(loss)
    nodes, edges = parse_dot(dot.source)
    path = dot.render(tmp_path / "graph", format="svg")
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    groups = [g.get("class", "").split() for g in root.iter(f"{ns}g")]
    node_groups = [c for c in groups if "node" in c]
    assert len(node_groups) == len(nodes)
    assert sum("op" in c for c in node_groups) == len(graph_nodes(nodes, "op")) == 10
    assert sum("edge" in c for c in groups) == len(edges)
    assert sum("cluster" in c for c in groups) == 4
    png = dot.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_dot_source_works_and_rendering_says_how_to_install(tmp_path, monkeypatch):
    _, _, _, loss = small_graph()
    loss.backward()
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    dot = ag.draw_graph(loss)
    assert dot.source.startswith("digraph")
    for call in (lambda: dot.render(tmp_path / "g", format="svg"),
                 lambda: dot.pipe(format="svg"),
                 lambda: dot._repr_image_svg_xml()):
        with pytest.raises(ag.viz.GraphvizNotFoundError) as info:
            call()
        msg = str(info.value)
        assert "apt-get install graphviz" in msg and "brew install graphviz" in msg
        assert "conda" in msg
    import graphviz

    assert issubclass(ag.viz.GraphvizNotFoundError, graphviz.ExecutableNotFound)
    assert isinstance(dot, graphviz.Digraph)


# -- with real nn models ----------------------------------------------------------------------
def test_mlp_drawing_names_parameters_and_clusters_without_extra_arguments() -> None:
    ag.manual_seed(0)
    model = nn.MLP([6, 5, 4, 3])
    x = ag.randn(4, 6)
    loss = nn.CrossEntropyLoss()(model(x), ag.tensor(np.array([0, 1, 2, 0])))
    loss.backward()
    src = ag.draw_graph(loss).source
    nodes, _ = parse_dot(src)
    named = dict(model.named_parameters())
    labels = {lines_of(a)[0]: a for a in graph_nodes(nodes, "param").values()}
    assert set(labels) == set(named)
    for name, p in named.items():
        assert grad_line(labels[name]) == f"|grad| {fmt3(np.linalg.norm(p.grad._data))}"
    for path, kind in (("0", "Linear"), ("1", "Tanh"), ("2", "Linear"), ("4", "Linear")):
        assert f'label="{path} {kind}"' in src
    collapsed, _ = parse_dot(ag.draw_graph(loss, collapse=True).source)
    groups = sorted(lines_of(a)[0] for a in graph_nodes(collapsed, "group").values())
    assert groups == ["0 Linear", "1 Tanh", "2 Linear", "3 Tanh", "4 Linear"]


def test_simple_cnn_clusters_are_labelled_with_module_paths() -> None:
    ag.manual_seed(0)
    model = nn.SimpleCNN(in_channels=1, num_classes=3, image_size=8)
    try:
        out = model(ag.randn(2, 1, 8, 8))
    except NotImplementedError as err:  # conv2d's primitive may not have landed yet
        pytest.skip(f"SimpleCNN cannot run yet: {err}")
    loss = out.sum()
    loss.backward()
    src = ag.draw_graph(loss).source
    assert 'label="features.0 Conv2d"' in src and 'label="features Sequential"' in src
    nodes, _ = parse_dot(src)
    names = {lines_of(a)[0] for a in graph_nodes(nodes, "param").values()}
    assert names == {n for n, _ in model.named_parameters()}


# -- gradient flow ----------------------------------------------------------------------------
def flow_params():
    rng = np.random.default_rng(1)
    a = ag.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ag.tensor(np.zeros(4), requires_grad=True)
    c = ag.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    unused = ag.tensor(np.ones(2), requires_grad=True)
    x = ag.tensor(rng.standard_normal((5, 3)))
    ((x @ a + b).tanh() @ c).pow(2).sum().backward()
    return {"a": a, "b": b, "unused": unused, "c": c}


def test_gradient_flow_statistics_match_numpy() -> None:
    params = flow_params()
    rows = ag.viz.gradient_flow(params, lr=0.1)
    assert [r["name"] for r in rows] == ["a", "b", "c"]  # order kept, no grad left out
    for r in rows:
        p = params[r["name"]]
        g = p.grad._data
        assert r["shape"] == p.shape
        assert r["mean_abs"] == pytest.approx(np.mean(np.abs(g)), rel=1e-12)
        assert r["max_abs"] == pytest.approx(np.max(np.abs(g)), rel=1e-12)
        assert r["norm"] == pytest.approx(np.sqrt(np.sum(g * g)), rel=1e-12)
        w = np.linalg.norm(p._data)
        expected = 0.1 * np.linalg.norm(g) / w if w else np.inf
        assert r["update_ratio"] == pytest.approx(expected, rel=1e-12)
    assert rows[1]["update_ratio"] == np.inf  # zero bias: any step is infinitely large
    assert "update_ratio" not in ag.viz.gradient_flow(params)[0]
    table = str(rows)
    assert table.splitlines()[0].split()[:2] == ["name", "shape"] and "c" in table


def test_gradient_flow_accepts_a_module_pairs_or_a_dict() -> None:
    params = flow_params()

    class M:
        def named_parameters(self):
            return iter(params.items())

    by_dict = ag.viz.gradient_flow(params)
    assert ag.viz.gradient_flow(M()) == by_dict
    assert ag.viz.gradient_flow(list(params.items())) == by_dict
    with pytest.raises(TypeError, match="named_parameters"):
        ag.viz.gradient_flow(3)


def test_plot_gradient_flow_renders_a_png(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    params = flow_params()
    fig = ag.viz.plot_gradient_flow(params)
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert all(t.get_rotation() > 0 for t in ax.get_xticklabels())
    assert len(ax.patches) >= 6  # mean and max bar per parameter
    path = tmp_path / "flow.png"
    fig.savefig(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    # into a given axes: the same figure comes back
    fig2 = Figure()
    ax2 = fig2.add_subplot()
    assert ag.viz.plot_gradient_flow(params, ax=ax2) is fig2


def test_without_matplotlib_the_plot_says_what_to_install(monkeypatch) -> None:
    params = flow_params()
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(ImportError, match="pip install matplotlib"):
        ag.viz.plot_gradient_flow(params)
    assert len(ag.viz.gradient_flow(params)) == 3  # the statistics still work


# -- live_graph -------------------------------------------------------------------------------
def test_accumulating_the_loss_tensor_keeps_every_graph_alive() -> None:
    w = ag.randn(32, 16, requires_grad=True)

    def step():
        x = ag.randn(64, 32)
        return ((x @ w).tanh() ** 2).mean()  # 4 nodes; MatMul saves x, Tanh its output

    base = ag.viz.live_graph()
    running = 0.0
    for _ in range(5):
        loss = step()
        running += loss  # the mistake: a tensor, so each step's graph hangs off it
    leaky = ag.viz.live_graph()
    assert leaky.nodes - base.nodes == 5 * 4 + 5  # 4 per step + one Add per +=
    assert len(leaky.nodes) == int(leaky.nodes)
    step_bytes = 64 * 32 * 4 + 64 * 16 * 4  # x saved by MatMul, tanh's saved output
    assert leaky.saved_bytes - base.saved_bytes >= 5 * step_bytes
    assert "nodes alive" in repr(leaky)
    del running, loss
    after = ag.viz.live_graph()
    assert (after.nodes, after.saved_bytes) == (base.nodes, base.saved_bytes)

    running = 0.0
    for _ in range(5):
        loss = step()
        running += loss.item()  # the fix
    fixed = ag.viz.live_graph()
    assert fixed.nodes - base.nodes == 4  # only the last step's graph, still named `loss`
    del loss
    assert ag.viz.live_graph().nodes == base.nodes


def test_saved_bytes_count_a_shared_buffer_once_and_drop_after_backward() -> None:
    a = ag.randn(1000, requires_grad=True, dtype="float64")
    base = ag.viz.live_graph()
    p, q = a.sin(), a.cos()  # both save `a`: one buffer
    two = ag.viz.live_graph()
    assert two.nodes - base.nodes == 2
    assert two.saved_bytes - base.saved_bytes == a._data.nbytes
    assert two.holding - base.holding == 2
    half = a[:500].sin()  # saves a view of `a`'s buffer: still nothing new
    viewed = ag.viz.live_graph()
    assert viewed.nodes - base.nodes == 4
    assert viewed.saved_bytes - base.saved_bytes == a._data.nbytes
    del half
    assert two.by_op.get("SinBackward", 0) >= 1
    (p + q).sum().backward()
    after = ag.viz.live_graph()
    assert after.saved_bytes == base.saved_bytes  # backward released them
    assert after.holding == base.holding
    assert after.nodes - base.nodes == 2  # ... but the nodes live while `p`, `q` do
    del p, q
    assert ag.viz.live_graph().nodes == base.nodes


def test_viz_is_reachable_from_the_package() -> None:
    assert ag.draw_graph is ag.viz.draw_graph
    for name in ("draw_graph", "gradient_flow", "plot_gradient_flow", "live_graph"):
        assert callable(getattr(ag.viz, name))
    assert os.path.basename(ag.viz.__file__) == "__init__.py"


# -- what the summary hides ---------------------------------------------------------------------
def _chain_grad_norms(x: np.ndarray, steps: int, op: str) -> list[float]:
    """|dL/ds_k| for s_k = f(s_{k-1}), s_0 = x, L = sum(s_steps), by hand (k = 1..steps)."""
    s = [x]
    for _ in range(steps):
        s.append(1 / (1 + np.exp(-s[-1])) if op == "sigmoid" else 3.0 * s[-1])
    g = np.ones_like(x)
    norms = [0.0] * (steps + 1)
    for k in range(steps, 0, -1):
        norms[k] = float(np.linalg.norm(g))
        g = g * (s[k] * (1 - s[k]) if op == "sigmoid" else 3.0)
    return norms


@pytest.mark.parametrize("op, flag, fill", [("sigmoid", "vanishing", "_VANISH_FILL"),
                                            ("triple", "exploding", "_EXPLODE_FILL")])
def test_the_folded_node_shows_the_range_of_the_grad_norms_it_hides(op, flag, fill) -> None:
    x0 = np.linspace(-1, 1, 4)
    x = ag.tensor(x0, requires_grad=True, dtype="float64")
    y = x
    for _ in range(40):
        y = y.sigmoid() if op == "sigmoid" else y * 3.0
    loss = y.sum()
    loss.backward()
    dot = ag.draw_graph(loss, max_nodes=20)
    nodes, _ = parse_dot(dot.source)
    more = nodes["more"]
    kept = len(graph_nodes(nodes, "op")) - 1  # chain ops drawn, besides the Sum
    hidden = _chain_grad_norms(x0, 40, op)[1:41 - kept]  # the ones nearest the leaf
    assert dot.summary.hidden_nodes == 2 * len(hidden) > 0
    lo, hi = min(hidden), max(hidden)
    assert lines_of(more)[2] == f"|grad| {fmt3(lo)} – {fmt3(hi)}  ({flag})"
    assert flag in classes(more) and more["penwidth"] == "3"
    assert more["fillcolor"] == getattr(draw_mod, fill)
    # every drawn chain tensor is unflagged: only the folded node tells
    inner = [a for a in graph_nodes(nodes, "tensor").values()
             if not classes(a) & {"leaf", "root"}]
    assert len(inner) == kept and not any(classes(a) & {flag} for a in inner)
    # an unflagged range is shown plainly
    calm = ag.randn(3, requires_grad=True)
    z = calm
    for _ in range(50):
        z = z * 1.0
    total = z.sum()
    total.backward()
    plain = parse_dot(ag.draw_graph(total, max_nodes=10).source)[0]["more"]
    assert lines_of(plain)[2] == f"|grad| {fmt3(np.sqrt(3))}"
    assert classes(plain) == {"more"} and "penwidth" not in plain


# -- inputs that need no grad -------------------------------------------------------------------
def inputs_into(nodes: dict, edges: list, op_label: str) -> list[tuple[str, str]]:
    """``(first label line, edge label)`` of each drawn input of the op labelled ``op_label``."""
    (op,) = [k for k, a in graph_nodes(nodes, "op").items() if a["label"] == op_label]
    return sorted((lines_of(nodes[s])[0], a.get("label", "")) for s, d, a in edges if d == op)


def test_inputs_needing_no_grad_are_drawn_with_shape_and_dtype_while_the_ops_hold_them() -> None:
    w = ag.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
    x = ag.tensor(np.ones((3, 4), dtype=np.float32))  # the data: needs no grad
    h = w @ x
    loss = ((h * x[:2]) * 3.0).sum()  # x again (through a view), and a Python number
    dot = ag.draw_graph(loss, params={"w": w})
    nodes, edges = parse_dot(dot.source)
    assert inputs_into(nodes, edges, "MatMul") == [("input", "(3, 4) float32"), ("w", "")]
    consts = graph_nodes(nodes, "const")
    assert len(consts) == 2 and dot.summary.constants == 2  # x, and the view x[:2]
    assert all(a["style"] == "rounded,dashed" for a in consts.values())
    # x[:2] needs no grad either, so indexing records nothing: Mul holds it as an operand
    muls = [k for k, a in graph_nodes(nodes, "op").items() if a["label"] == "Mul"]
    into_mul = sorted(a.get("label", "") for s, d, a in edges if d in muls and s in consts)
    assert into_mul == ["(2, 4) float32"]  # the 3.0 is a number: not drawn
    assert len(nodes) == dot.summary.drawn_nodes  # no legend before backward
    # the same tensor feeding two ops is drawn once, with two edges
    both = parse_dot(ag.draw_graph((w @ x).sum() + (w @ x).mean()).source)
    (k,) = graph_nodes(both[0], "const")
    assert sum(1 for s, _, _ in both[1] if s == k) == 2
    # with show_values its values are shown (it is an array the op holds)
    vals = parse_dot(ag.draw_graph(loss, show_values=True).source)[0]
    assert [lines_of(a)[1:] for a in graph_nodes(vals, "const").values()] == [
        ["min 1  mean 1  max 1"]] * 2


def test_backward_releases_the_inputs_unless_retained_and_the_caption_says_so() -> None:
    w = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x = ag.tensor(np.ones((3, 4)))
    loss = (w @ x).sum()
    loss.backward(retain_graph=True)
    nodes, edges = parse_dot(ag.draw_graph(loss).source)
    assert inputs_into(nodes, edges, "MatMul") == [("input", "(3, 4) float64"), ("leaf", "")]
    assert "released" not in ag.draw_graph(loss).source
    loss.backward()  # frees the graph: MatMul no longer holds x
    dot = ag.draw_graph(loss)
    nodes, edges = parse_dot(dot.source)
    assert inputs_into(nodes, edges, "MatMul") == [("leaf", "")]
    assert not graph_nodes(nodes, "const") and dot.summary.constants == 0
    assert "backward released what the ops held" in dot.source
    assert "retain_graph=True" in dot.source


def test_mlp_drawing_shows_the_data_and_the_targets() -> None:
    import nn

    ag.manual_seed(0)
    model = nn.MLP([6, 5, 3])
    x = ag.randn(4, 6)
    loss = nn.CrossEntropyLoss()(model(x), ag.tensor(np.array([0, 1, 2, 0])))
    loss.backward(retain_graph=True)
    nodes, edges = parse_dot(ag.draw_graph(loss).source)
    linears = [k for k, a in graph_nodes(nodes, "op").items() if a["label"] == "Linear"]
    into_first = sorted(lines_of(nodes[s])[0] for s, d, _ in edges if d in linears
                        and "const" in classes(nodes[s]))
    assert into_first == ["input"]
    assert ("targets", "(4,) class indices") in inputs_into(nodes, edges, "SoftmaxCrossEntropy")
    collapsed, cedges = parse_dot(ag.draw_graph(loss, collapse=True).source)
    groups = {k: lines_of(a)[0] for k, a in graph_nodes(collapsed, "group").items()}
    into_groups = [(groups[d], a["label"]) for s, d, a in cedges
                   if d in groups and "const" in classes(collapsed[s])]
    assert into_groups == [("0 Linear", "(4, 6) float32")]
    # after a plain backward the loss still records its targets (their count)
    loss2 = nn.CrossEntropyLoss()(model(x), ag.tensor(np.array([0, 1, 2, 0])))
    loss2.backward()
    nodes, edges = parse_dot(ag.draw_graph(loss2).source)
    assert [lines_of(a)[0] for a in graph_nodes(nodes, "const").values()] == ["targets"]


def test_inputs_count_against_max_nodes() -> None:
    rng = np.random.default_rng(0)
    y = ag.tensor(np.ones(5), requires_grad=True)
    for _ in range(100):
        y = y * ag.tensor(rng.uniform(0.5, 1.5, 5))  # Mul holds each constant
    dot = ag.draw_graph(y.sum(), max_nodes=31)
    nodes, _ = parse_dot(dot.source)
    assert dot.summary.drawn_nodes == len(nodes) <= 31  # no legend before backward
    consts = graph_nodes(nodes, "const")
    assert dot.summary.constants == len(consts) > 5
    assert dot.summary.drawn_nodes - 1 - len(consts) + dot.summary.hidden_nodes == 2 * 101 + 1


# -- deep graphs wrap into columns --------------------------------------------------------------
def plain_layout(dot) -> tuple[float, float, dict]:
    """Width and height (inches) of dot's layout, and each node's (x, y, w, h)."""
    lines = dot.pipe(format="plain").decode().splitlines()
    _, _, width, height = lines[0].split()[:4]
    pos = {p[1]: tuple(map(float, p[2:6])) for p in (ln.split() for ln in lines)
           if p[0] == "node"}
    return float(width), float(height), pos


def test_a_deep_chain_is_cut_into_columns_and_a_small_graph_is_not() -> None:
    ws, loss = deep_net(30, ag.sigmoid, 1.0)
    loss.backward()
    src = ag.draw_graph(loss).source
    nodes, edges = parse_dot(src)
    cut = [(s, d) for s, d, a in edges if a.get("constraint") == "false"]
    # 30 layers of 4 levels (param/input -> MatMul -> tensor -> Sigmoid -> tensor): the
    # chain crosses into a new column once per column boundary, and only there
    assert 3 <= len(cut) <= 8
    assert all(s in nodes and d in nodes for s, d in cut)
    groups = {a["group"] for a in nodes.values() if "group" in a}
    assert len(groups) == len(cut) + 1  # one group per column
    assert all("group" not in a for a in graph_nodes(nodes, "param").values())  # at the side
    assert "newrank=true" in src and src.count("rank=same") == 2
    # wrapping only adds layout attributes: the same nodes and edges as drawn unwrapped
    assert {(s, d) for s, d, _ in edges} == {
        (s, d) for s, d, _ in draw_mod.emit_edges(*_stages(loss))}
    small = ag.draw_graph(small_graph()[3]).source
    assert "constraint" not in small and "rank=same" not in small and "group=" not in small


def _stages(loss):
    """The stages before emission, as draw_graph runs them (no collapse)."""
    g = classify(loss, None)
    units = summarise(g, *collapse_modules(g, 0), draw_mod.MAX_NODES)
    return g, units, grades(g, units, True)


@needs_dot
@pytest.mark.parametrize("kind", ["layers", "chain"])
def test_deep_graphs_lay_out_compactly_in_reading_order(kind) -> None:
    params = {}
    if kind == "layers":  # a parameter beside every layer
        ws, loss = deep_net(30, ag.sigmoid, 1.0)
        params = {f"w{k}": w for k, w in enumerate(ws)}
    else:  # a bare chain, summarised to max_nodes
        x = ag.randn(3, requires_grad=True)
        y = x
        for _ in range(5_000):
            y = y * 1.0
        loss = y.sum()
    loss.backward()
    dot = ag.draw_graph(loss, params=params)
    width, height, pos = plain_layout(dot)
    # unwrapped, these were 35 x 115 and 10 x 444 inches, with 3-4 % of the page inked
    assert 0.5 < width / height < 2.5
    filled = sum(w * h for _, _, w, h in pos.values())
    assert filled / (width * height) > 0.08
    nodes, _ = parse_dot(dot.source)
    (root,) = graph_nodes(nodes, "root")
    (far,) = [k for k, a in graph_nodes(nodes, "tensor").items()
              if lines_of(a)[0] == ("w0" if kind == "layers" else "leaf")]
    assert pos[far][0] < pos[root][0]  # columns read left to right, from the input
