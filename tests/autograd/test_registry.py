"""gradcheck and gradgradcheck over every registered op case (the registry of
autograd/ops/cases.py), the check that every public op has a case, the coverage check
derived from the code (every Node subclass of autograd and nn runs, first and second
order, in some case), and the check of the VJP vocabulary table."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import autograd as ag
import nn.cases  # noqa: F401 - registers the nn layers' cases (the coverage test runs them)
from autograd.graph import GRAPH, RAW, STATE, Node
from autograd.ops import PUBLIC_OPS
from autograd.ops.cases import CASES
from autograd.ops.vocabulary import VOCABULARY

ROOT = Path(__file__).resolve().parents[2]

# nn registers its layers' cases too (named "nn.…"); tests/nn runs those.
AUTOGRAD_CASES = [c for c in CASES if not c.op.startswith("nn.")]


def test_every_public_op_has_a_case() -> None:
    covered = {c.op for c in CASES}
    missing = sorted(set(PUBLIC_OPS) - covered)
    assert not missing, f"ops without a gradcheck case: {missing}"


def test_every_public_op_is_exported() -> None:
    for name in PUBLIC_OPS:
        assert hasattr(ag.ops, name), name


@pytest.mark.parametrize("case", AUTOGRAD_CASES, ids=lambda c: c.id)
def test_gradcheck(case) -> None:
    assert ag.gradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


@pytest.mark.parametrize("case", [c for c in AUTOGRAD_CASES if c.second_order],
                         ids=lambda c: c.id)
def test_gradgradcheck(case) -> None:
    assert ag.gradgradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)


# -- coverage derived from the code: every Node subclass the packages define ---------------
def _package_node_classes() -> set:
    """Every ``Node`` subclass defined (by name, at module level) in autograd or nn; the
    per-Function subclasses ``Function.apply`` creates on the fly are not definitions."""
    found, stack = set(), [Node]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            module = sys.modules.get(sub.__module__)
            if sub.__module__.split(".")[0] in ("autograd", "nn") and \
                    getattr(module, sub.__name__, None) is sub:
                found.add(sub)
    return found


class _Recorder:
    """A tracer (``STATE.tracer``) that keeps (node class, create_graph) of every step;
    a step counts for the classes it inherits from too (``Function.apply`` makes one
    ``FunctionBackward`` subclass per Function)."""

    def __init__(self) -> None:
        self.seen: set = set()

    def record(self, node: Node, g: object, grads: tuple, create_graph: bool) -> None:
        self.seen.update((cls, create_graph) for cls in type(node).__mro__)


def _exercised() -> tuple[set, set]:
    """The node classes whose VJP runs in some registry case (first order), and those whose
    VJP runs under create_graph in a case that gradgradcheck differentiates (second)."""
    first, second = set(), set()
    for case in CASES:
        inputs = case.inputs()
        rec = _Recorder()
        prev, STATE.tracer = STATE.tracer, rec
        try:
            out = case.fn(*inputs)
            outs = [o for o in (out if isinstance(out, tuple) else (out,))
                    if isinstance(o, ag.Tensor) and o.requires_grad]
            ag.grad(outs, list(inputs), [ag.ones_like(o) for o in outs],
                    create_graph=case.second_order, allow_unused=True)
        finally:
            STATE.tracer = prev
        first |= {cls for cls, _ in rec.seen}
        if case.second_order:
            second |= {cls for cls, create_graph in rec.seen if create_graph}
    return first, second


def test_every_node_class_is_exercised_first_and_second_order_by_a_case() -> None:
    # a move between devices needs a second device: test_device_double.py checks it
    from autograd.ops.conversion import ToDeviceBackward

    nodes = _package_node_classes() - {ToDeviceBackward}
    assert len(nodes) > 50  # the walk found the package's ops
    first, second = _exercised()
    names = lambda classes: sorted(c.__name__ for c in classes)  # noqa: E731
    assert not nodes - first, f"ops no registry case runs: {names(nodes - first)}"
    # a node whose VJP torch does not differentiate (CtcLossBackward: backward through its
    # create_graph gradient raises, as torch's) says so; its own tests check that it raises
    once = {n for n in nodes if not getattr(n, "twice_differentiable", True)}
    assert len(once) <= 3, names(once)  # the exemption stays rare
    nodes -= once
    assert not nodes - second, \
        f"ops no second-order registry case runs: {names(nodes - second)}"


# -- the VJP vocabulary: one table, both namespaces ------------------------------------------
def _names_used_on_xp(path: Path) -> set:
    """``name`` of every ``xp.name`` inside a function that takes a parameter ``xp``."""
    found = set()
    for fn in ast.walk(ast.parse(path.read_text())):
        if isinstance(fn, ast.FunctionDef | ast.Lambda) and \
                "xp" in [a.arg for a in fn.args.args]:
            found |= {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)
                      and isinstance(n.value, ast.Name) and n.value.id == "xp"}
    return found


def test_every_name_a_vjp_uses_is_in_the_vocabulary_and_both_namespaces() -> None:
    used: dict[str, set] = {}
    for path in sorted((ROOT / "autograd").rglob("*.py")) + sorted((ROOT / "nn").rglob("*.py")):
        for name in _names_used_on_xp(path):
            used.setdefault(name, set()).add(path.name)
    used.pop("raw", None)  # the namespace's own flag: RAW.raw is True, GRAPH.raw False
    assert len(used) >= 15, sorted(used)
    missing = {n: sorted(files) for n, files in used.items() if n not in VOCABULARY}
    assert not missing, f"VJPs use names the vocabulary table lacks: {missing}"
    for name, (array_fn, tensor_fn) in VOCABULARY.items():
        assert getattr(RAW, name) is array_fn and getattr(GRAPH, name) is tensor_fn, name
    assert RAW.raw is True and GRAPH.raw is False
    unused = sorted(set(VOCABULARY) - set(used))
    assert not unused, f"vocabulary names no VJP uses: {unused}"
