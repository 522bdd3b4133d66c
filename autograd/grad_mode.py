"""Turning graph recording on and off: ``no_grad``, ``enable_grad``,
``set_grad_enabled`` (context managers and decorators, as torch) and
``detect_anomaly``. Each is per thread (``graph.STATE``), as torch's.

A decorated generator function holds the mode inside the generator, each time it runs
(as torch wraps generators): the mode is set around every resumption and restored at
every ``yield``, so the caller's code between two items keeps its own mode."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator
from typing import Any

from autograd.graph import STATE


class _Mode:
    """Base of the mode switches: a context manager that is also a decorator."""

    _attr = "grad_enabled"
    _value: Any = None

    def __enter__(self) -> None:
        self._prev = getattr(STATE, self._attr)
        setattr(STATE, self._attr, self._value)

    def __exit__(self, *exc: object) -> None:
        setattr(STATE, self._attr, self._prev)

    def __call__(self, fn: Callable) -> Callable:
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)._fresh(self):
                return fn(*args, **kwargs)
        return wrapper

    def _fresh(self) -> _Mode:
        return type(self)()

    def _wrap_generator(self, fn: Callable) -> Callable:
        """``fn`` is a generator function: run each step of its generator in the mode."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Generator:
            gen = fn(*args, **kwargs)
            try:
                with self._fresh():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self._fresh():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with self._fresh():
                            response = gen.throw(exc)
                    else:
                        with self._fresh():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value
        return wrapper


class _BareDecorator(_Mode):
    """A mode usable as ``@mode()`` and, as torch allows, as a bare ``@mode``."""

    def __new__(cls, fn: Callable | None = None) -> Any:
        self = super().__new__(cls)
        if fn is not None and callable(fn):
            return self(fn)
        return self

    def __init__(self, fn: Callable | None = None) -> None:
        pass


class no_grad(_BareDecorator):
    """Run without recording a graph (inference, optimizer updates)."""

    _value = False


class enable_grad(_BareDecorator):
    """Record a graph again inside a ``no_grad`` block."""

    _value = True


class set_grad_enabled(_Mode):
    """Set grad mode now (``set_grad_enabled(False)``) or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        self._value = bool(mode)
        self._prev = STATE.grad_enabled
        STATE.grad_enabled = self._value

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        STATE.grad_enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        # As a decorator it changes nothing now (as torch): only calls of fn run in the mode.
        STATE.grad_enabled = self._prev
        return super().__call__(fn)

    def _fresh(self) -> _Mode:
        return _Switch(self._value)


class _Switch(_Mode):
    def __init__(self, value: bool) -> None:
        self._value = value


class inference_mode(_BareDecorator):
    """torch's ``inference_mode(mode=True)``: as ``no_grad`` (chainrule has no separate
    inference tensors), with ``is_inference_mode_enabled()`` True inside; ``mode=False``
    turns it off again and, as torch, turns grad mode on."""

    _mode = True  # a bare ``@inference_mode`` never runs __init__

    def __init__(self, mode: bool = True) -> None:
        self._mode = bool(mode)

    def __enter__(self) -> None:
        self._prev = (STATE.grad_enabled, STATE.inference)
        STATE.grad_enabled = not self._mode
        STATE.inference = self._mode

    def __exit__(self, *exc: object) -> None:
        STATE.grad_enabled, STATE.inference = self._prev

    def _fresh(self) -> _Mode:
        return type(self)(self._mode)


def is_inference_mode_enabled() -> bool:
    return STATE.inference


def is_grad_enabled() -> bool:
    return STATE.grad_enabled


class detect_anomaly(_Mode):
    """Record each op's forward stack; a NaN or infinity appearing in backward raises
    ``RuntimeError`` naming the op and showing where the forward created it."""

    _attr = "anomaly"
    _value = True

    def __init__(self, check_nan: bool = True) -> None:
        self._value = bool(check_nan)


class set_detect_anomaly(_Mode):
    """``set_detect_anomaly(mode)``: turn anomaly detection on or off now, or for a ``with``
    block (torch's ``autograd.set_detect_anomaly``)."""

    _attr = "anomaly"

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = STATE.anomaly
        self._value = bool(mode) and bool(check_nan)
        STATE.anomaly = self._value

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        STATE.anomaly = self._prev


def is_anomaly_enabled() -> bool:
    return bool(STATE.anomaly)
