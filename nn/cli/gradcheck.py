"""``chainrule gradcheck``: gradcheck and gradgradcheck over every registered op and layer.

Each case's Jacobians are built once per order by :func:`autograd.gradcheck.check_gradients`;
this module only formats its reports.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd.gradcheck import GradcheckReport, check_gradients
from nn.cli.common import EXIT_ERROR, CLIError

__all__ = ["add_parser", "cmd_gradcheck", "max_gradcheck_error"]

# Why a case without second_order is skipped: its registry entry's extra["why"], else this.
DEFAULT_SKIP_REASON = "its registry case sets second_order=False without saying why"


def add_parser(sub: Any) -> None:
    """Register ``chainrule gradcheck`` on the subparsers ``sub``."""
    check = sub.add_parser(
        "gradcheck", help="check every op and layer against finite differences",
        description="Run gradcheck and gradgradcheck over every registered op and layer case "
                    "and print a pass/fail table with the largest |analytic - numeric| "
                    "difference per row. The exit status is 1 when any case fails.",
        epilog="example: chainrule gradcheck --filter conv",
    )
    check.add_argument("--filter", metavar="SUBSTR", default="",
                       help="only the cases whose name contains SUBSTR (e.g. tanh, conv)")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print only failing rows and one summary line")
    check.set_defaults(run=cmd_gradcheck)


def max_gradcheck_error(fn: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6,
                        grad_outputs: Sequence[Any] | None = None) -> float:
    """Largest |analytic - numeric| entry of fn's Jacobian at ``inputs`` (float64 tensors).

    With ``grad_outputs`` (one tensor per float output that requires grad) it is the error of
    the second derivatives instead: the Jacobian of ``(inputs, v) -> v^T J`` at
    ``(inputs, grad_outputs)``, the quantity ``ag.gradgradcheck`` checks.
    """
    order = 1 if grad_outputs is None else 2
    return check_gradients(fn, tuple(inputs), eps=eps, order=order,
                           grad_outputs=grad_outputs).max_abs_error


def _grad_outputs(fn: Callable[..., Any], inputs: Sequence[Any], seed: int) -> tuple:
    with ag.enable_grad():
        result = fn(*inputs)
    items = result if isinstance(result, tuple | list) else (result,)
    outs = [o for o in items if isinstance(o, ag.Tensor) and o.dtype.kind == "f"
            and o.requires_grad]
    rng = np.random.default_rng(seed)
    return tuple(ag.tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs)


Row = tuple[str, float | None, str, float | None, str]


def _status(report: GradcheckReport) -> str:
    return "pass" if report.ok else "FAIL"


def _check_case(case: Any) -> Row:
    """(first status, first error, second status, second error, note) for one case."""
    try:
        first = check_gradients(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol)
    except Exception as exc:  # a crashing op is a failed check, reported, not a traceback
        return "ERROR", None, "-", None, f"{type(exc).__name__}: {exc}"
    note = "" if first.ok else str(first.message)
    if not case.second_order:
        why = case.extra.get("why", DEFAULT_SKIP_REASON)
        return _status(first), first.max_abs_error, "skip", None, note or f"2nd order: {why}"
    try:
        inputs = case.inputs()
        second = check_gradients(case.fn, inputs, atol=case.atol, rtol=case.rtol, order=2,
                                 grad_outputs=_grad_outputs(case.fn, inputs, seed=1))
    except Exception as exc:
        return (_status(first), first.max_abs_error, "ERROR", None,
                f"{type(exc).__name__}: {exc}")
    note = note or ("" if second.ok else str(second.message))
    return _status(first), first.max_abs_error, _status(second), second.max_abs_error, note


def _registry() -> list[Any]:
    """Every registered case: the ops' own, plus nn's layers."""
    import nn.cases  # noqa: F401 - importing registers nn's layer cases
    from autograd.ops import cases

    return list(cases.CASES)


def _fmt(err: float | None) -> str:
    return f"{err:9.1e}" if err is not None else f"{'-':>9}"


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """``chainrule gradcheck``: gradcheck + gradgradcheck over the registry, as a table."""
    selected = [c for c in _registry() if args.filter.lower() in c.id.lower()]
    if not selected:
        raise CLIError(f"no gradcheck case matches --filter {args.filter!r}")
    width = max(len("case"), *(len(c.id) for c in selected))
    if not args.quiet:
        header = f"{'case':<{width}}  {'grad':5} {'max err':>9}  {'gradgrad':8} {'max err':>9}"
        print(header)
        print("-" * len(header))
    failures = skipped = 0
    worst = 0.0
    start = time.perf_counter()
    for case in selected:
        first, e1, second, e2, note = _check_case(case)
        failed = first != "pass" or second not in ("pass", "skip")
        failures += failed
        skipped += second == "skip"
        worst = max([worst, *(e for e in (e1, e2) if e is not None and np.isfinite(e))])
        if failed or not args.quiet:
            line = f"{case.id:<{width}}  {first:5} {_fmt(e1)}  {second:8} {_fmt(e2)}"
            print(line + (f"  {note}" if note else ""), flush=True)
    elapsed = time.perf_counter() - start
    passed = len(selected) - failures
    skip_note = ""
    if skipped:
        skip_note = f", {skipped} second order skipped" + (" (see why without -q)"
                                                           if args.quiet else "")
    print(f"{len(selected)} cases: {passed} passed, {failures} failed{skip_note}; "
          f"largest |analytic - numeric| {worst:.1e} ({elapsed:.1f} s)")
    return EXIT_ERROR if failures else 0

