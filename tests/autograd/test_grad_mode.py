"""Grad mode and the other engine switches are per thread (as torch), and the mode
decorators hold inside generator functions (torch wraps generators)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.graph import STATE


def _in_thread(fn: Callable[[], object]) -> object:
    """``fn()`` run to completion in a new thread; its result (or its exception, raised)."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller
            box["error"] = err

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_no_grad_in_one_thread_leaves_another_thread_recording() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    entered, recorded = threading.Event(), threading.Event()
    seen: dict = {}

    def inference() -> None:
        with ag.no_grad():
            entered.set()
            recorded.wait(5)  # the other thread records while this one is inside no_grad
            seen["inside"] = (x * 2).requires_grad
            seen["mode"] = ag.is_grad_enabled()

    t = threading.Thread(target=inference)
    t.start()
    assert entered.wait(5)
    y = x * 3  # this thread: still recording
    recorded.set()
    t.join()
    assert y.requires_grad and y.grad_fn is not None and ag.is_grad_enabled()
    assert seen == {"inside": False, "mode": False}
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [3.0, 3.0])


def test_a_new_thread_starts_with_grad_enabled_whatever_the_caller_set() -> None:
    x = ag.tensor([1.0], requires_grad=True)
    with ag.no_grad():
        assert _in_thread(lambda: (ag.is_grad_enabled(), (x * 2).requires_grad)) == (True, True)
        assert not (x * 2).requires_grad
    ag.set_grad_enabled(False)
    try:
        assert _in_thread(ag.is_grad_enabled) is True
    finally:
        ag.set_grad_enabled(True)


def test_anomaly_mode_scope_and_tracer_are_per_thread() -> None:
    with ag.detect_anomaly():
        assert STATE.anomaly
        assert _in_thread(lambda: STATE.anomaly) is False
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.trace_backward() as steps:
        _in_thread(lambda: (x * x).sum().backward())  # another thread's backward
        assert len(steps) == 0
        (x * 2).sum().backward()
    assert [s.op for s in steps] == ["SumBackward", "MulBackward"]

    class Probe(nn.Module):
        def forward(self, x: ag.Tensor) -> ag.Tensor:
            scopes.append((STATE.scope, _in_thread(lambda: STATE.scope)))
            return x

    scopes: list = []
    Probe()(ag.randn(1, 2))
    (mine, other), = scopes
    assert mine is not None and other is None and STATE.scope is None


def test_an_in_place_change_in_another_thread_is_caught_at_backward() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.tensor([3.0, 4.0])
    loss = (x * c).sum()
    _in_thread(lambda: c.__imul__(0))  # c *= 0, in place (c needs no grad)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# -- the mode decorators on generator functions ----------------------------------------------
def test_no_grad_decorator_holds_inside_a_generator_and_not_between_its_items() -> None:
    x = ag.tensor([1.0, 2.0], requires_grad=True)

    @ag.no_grad()
    def gen():
        for _ in range(2):
            received = yield (x * 2).requires_grad, ag.is_grad_enabled()
            assert received is None or received == "sent"

    g = gen()
    assert next(g) == (False, False)
    assert ag.is_grad_enabled() and (x * 2).requires_grad  # the caller's mode between items
    assert g.send("sent") == (False, False)
    assert ag.is_grad_enabled()
    with pytest.raises(StopIteration):
        next(g)
    assert ag.is_grad_enabled()


def test_bare_no_grad_enable_grad_and_set_grad_enabled_wrap_generators() -> None:
    x = ag.tensor([1.0], requires_grad=True)

    @ag.no_grad
    def bare():
        yield (x * 2).requires_grad

    @ag.enable_grad()
    def enabled():
        yield (x * 2).requires_grad

    @ag.set_grad_enabled(False)
    def disabled():
        yield ag.is_grad_enabled()

    assert ag.is_grad_enabled()  # applying set_grad_enabled(False) as a decorator: restored
    assert list(bare()) == [False]
    with ag.no_grad():
        assert list(enabled()) == [True]
        assert not ag.is_grad_enabled()
    assert list(disabled()) == [False]
    assert ag.is_grad_enabled()


def test_a_decorated_generator_sees_thrown_exceptions_and_close_in_its_mode() -> None:
    modes: list = []

    @ag.no_grad()
    def gen():
        try:
            yield 1
        except ValueError:
            modes.append(("throw", ag.is_grad_enabled()))
            yield 2
        finally:
            modes.append(("close", ag.is_grad_enabled()))

    g = gen()
    assert next(g) == 1
    assert g.throw(ValueError("x")) == 2
    g.close()
    assert modes == [("throw", False), ("close", False)]
    assert ag.is_grad_enabled()


def test_a_decorated_generator_returns_its_value() -> None:
    @ag.no_grad()
    def gen():
        yield 1
        return "done"

    def outer():
        result = yield from gen()
        return result

    g = outer()
    assert next(g) == 1
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done"


def test_the_process_wide_counts_follow_every_switch_and_a_dead_thread_costs_nothing() -> None:
    # The hot path trusts Away: zero means every thread records with no scope or anomaly.
    from autograd.graph import Away

    start = (Away.grad_off, Away.scoped, Away.anomaly)
    with ag.no_grad():
        assert Away.grad_off == start[0] + 1
        with ag.enable_grad():
            assert Away.grad_off == start[0]
    with ag.detect_anomaly():
        assert Away.anomaly == start[2] + 1
    nn.Linear(2, 2)(ag.randn(1, 2))
    assert (Away.grad_off, Away.scoped, Away.anomaly) == start
    # a thread that ends with grad mode off leaves the count up: this thread still records
    _in_thread(lambda: ag.set_grad_enabled(False))
    try:
        assert Away.grad_off == start[0] + 1
        x = ag.tensor([1.0], requires_grad=True)
        assert (x * 2).requires_grad
        with ag.no_grad():
            assert not (x * 2).requires_grad
    finally:
        Away.grad_off = start[0]  # forget the dead thread (test isolation)
