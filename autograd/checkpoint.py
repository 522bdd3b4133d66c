"""Activation checkpointing, as ``torch.utils.checkpoint.checkpoint``: trade compute for
memory.

``checkpoint(fn, *args)`` returns ``fn(*args)`` but records one node that keeps only the
inputs. Its backward runs ``fn`` again on those inputs with grad on (replaying the global
random state first, so dropout draws the same mask), backpropagates through that fresh
graph and drops it. A stack of L layers split into k checkpointed segments then holds k
segment inputs instead of every layer's saved activations, at the cost of one more forward.

Two variants, as torch:

- ``use_reentrant=True`` (torch's default when ``use_reentrant`` is not passed, with its
  warning): the forward runs under ``no_grad``; backward recomputes and runs an inner
  backward that accumulates into every leaf ``fn`` used (so parameters captured by ``fn``
  get their ``.grad``). As in torch, only ``.backward()`` is meant to go through it (torch
  refuses ``autograd.grad``; here an ``autograd.grad`` through it also accumulates the
  inner leaves' ``.grad``), and the output needs grad only if an input does.
- ``use_reentrant=False``: the forward runs with grad on once to find the leaves ``fn``
  uses (parameters), then that graph is dropped at once; the node gets an edge to each of
  them, so ``autograd.grad`` works and parameters get gradients even when no input needs
  grad; keyword arguments are passed to ``fn``.

Differentiating twice (``create_graph=True``) through a checkpoint raises
``RuntimeError``: the recomputed graph would start from detached copies of the inputs, so
second-order terms would be lost without a word.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from autograd.autocast_mode import restored as autocast_restored
from autograd.autocast_mode import snapshot as autocast_snapshot
from autograd.engine import run_backward
from autograd.function import Function, FunctionCtx
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.random import get_rng_state, set_rng_state
from autograd.tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


# The default generator's state (behind dropout, randn, init): replayed in backward.
_get_rng_state = get_rng_state
_set_rng_state = set_rng_state


_DOUBLE_BACKWARD = ("checkpoint does not support double backward (create_graph=True): the "
                    "forward is recomputed on detached inputs, so second derivatives through "
                    "the checkpointed segment would be lost. Call the function without "
                    "checkpoint to differentiate it twice.")


def _recompute(ctx: FunctionCtx, args: list, needs: list) -> tuple[list, tuple]:
    """Run the function again on detached copies of ``args`` with grad on, under the
    random state and the autocast regions the forward saw; the caller's random state is
    restored afterwards."""
    if is_grad_enabled():
        raise RuntimeError(_DOUBLE_BACKWARD)
    current = _get_rng_state() if ctx.preserve_rng_state else None
    try:
        if current is not None:
            _set_rng_state(ctx.fwd_rng_state)
        detached = [a.detach().requires_grad_(n) if isinstance(a, Tensor) else a
                    for a, n in zip(args, needs)]
        with enable_grad(), autocast_restored(ctx.autocast_regions):
            outputs = ctx.run_function(*detached, **ctx.kwargs)
    finally:
        if current is not None:
            _set_rng_state(current)
    return detached, outputs if isinstance(outputs, tuple) else (outputs,)


def _with_grad(outputs: tuple, grads: tuple) -> tuple[list, list]:
    outs, seeds = [], []
    for o, g in zip(outputs, grads):
        if isinstance(o, Tensor) and o.requires_grad:
            outs.append(o)
            seeds.append(g._data.astype(o.dtype, copy=False))
    if not outs:
        raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                           "necessary")
    return outs, seeds


def _save_inputs(ctx: FunctionCtx, run_function: Callable, preserve: bool, args: tuple,
                 kwargs: dict) -> None:
    ctx.run_function = run_function
    ctx.kwargs = kwargs
    ctx.preserve_rng_state = preserve
    ctx.autocast_regions = autocast_snapshot()
    ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
    ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    ctx.save_for_backward(*(args[i] for i in ctx.tensor_indices))


def _restore_inputs(ctx: FunctionCtx) -> list:
    inputs = list(ctx.inputs)
    for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
        inputs[i] = t
    return inputs


class CheckpointFunction(Function):
    """``use_reentrant=True``: no graph in the forward; backward recomputes and runs an
    inner backward into every leaf the function used."""

    @staticmethod
    def forward(ctx: FunctionCtx, run_function: Callable, preserve_rng_state: bool,
                *args: Any) -> Any:
        if preserve_rng_state:
            ctx.fwd_rng_state = _get_rng_state()
        _save_inputs(ctx, run_function, preserve_rng_state, args, {})
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> tuple:
        needs = list(ctx.needs_input_grad[2:])
        detached, outputs = _recompute(ctx, _restore_inputs(ctx), needs)
        outs, seeds = _with_grad(outputs, grads)
        run_backward(outs, seeds, retain_graph=False, create_graph=False)
        return (None, None) + tuple(d.grad if isinstance(d, Tensor) else None
                                    for d in detached)


class _Plan:
    """What the non-reentrant forward hands to its Function: the function, its keyword
    arguments, the random state before it ran, and its (already computed) outputs."""

    def __init__(self, fn: Callable, kwargs: dict, preserve: bool, n_args: int) -> None:
        self.fn, self.kwargs, self.preserve, self.n_args = fn, kwargs, preserve, n_args
        self.rng_state = _get_rng_state() if preserve else None
        self.outputs: Any = None
        self.params: list = []


class NonReentrantCheckpoint(Function):
    """``use_reentrant=False``: apply(plan, *args, *params), the parameters being the
    leaves the function used, so each gets an edge and ``autograd.grad`` reaches them."""

    @staticmethod
    def forward(ctx: FunctionCtx, plan: _Plan, *args_and_params: Any) -> Any:
        ctx.fwd_rng_state = plan.rng_state
        ctx.n_args = plan.n_args
        ctx._params = plan.params  # alive anyway (edges hold them): not saved memory
        _save_inputs(ctx, plan.fn, plan.preserve, args_and_params[:plan.n_args], plan.kwargs)
        outputs, plan.outputs = plan.outputs, None
        return outputs

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> tuple:
        n = ctx.n_args
        needs = list(ctx.needs_input_grad[1:1 + n])
        params = [p for p, need in zip(ctx._params, ctx.needs_input_grad[1 + n:]) if need]
        detached, outputs = _recompute(ctx, _restore_inputs(ctx), needs)
        outs, seeds = _with_grad(outputs, grads)
        wanted = [d for d, need in zip(detached, needs) if need] + params
        got = iter(_tensors(run_backward(outs, seeds, retain_graph=False, create_graph=False,
                                         inputs=wanted)) if wanted else [])
        arg_grads = tuple(next(got) if need else None for need in needs)
        param_grads = tuple(next(got) if need else None for need in ctx.needs_input_grad[1 + n:])
        return (None, *arg_grads, *param_grads)


def _leaves(outputs: tuple, exclude: set) -> list:
    """The leaf tensors requiring grad that ``outputs`` depend on (iteratively)."""
    seen: set = set()
    found = []
    stack = [o._node for o in outputs if isinstance(o, Tensor) and o._node is not None]
    while stack:
        v = stack.pop()
        for e in v.edges:
            if e is None or id(e) in seen:
                continue
            seen.add(id(e))
            if e._IS_TENSOR:
                if id(e) not in exclude:
                    found.append(e)
            else:
                stack.append(e)
    return found


def _checkpoint_without_reentrant(fn: Callable, preserve: bool, args: tuple,
                                  kwargs: dict) -> Any:
    plan = _Plan(fn, kwargs, preserve, len(args))
    detached = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                for a in args]
    with enable_grad():
        outputs = fn(*detached, **kwargs)
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    params = _leaves(outs, {id(d) for d in detached})
    # keep the values, drop the graph that produced them (and its saved arrays)
    plan.outputs = tuple(o.detach() if isinstance(o, Tensor) else o for o in outs) \
        if isinstance(outputs, tuple) else outs[0].detach()
    del outputs, outs, detached
    plan.params = params
    return NonReentrantCheckpoint.apply(plan, *args, *params)


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               preserve_rng_state: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, recomputed during backward instead of kept.

    Saves only the tensor arguments; backward replays the random state of the forward
    (``preserve_rng_state=True``), so dropout inside ``function`` draws the same mask and
    the gradients equal those without checkpointing. See the module docstring for the
    two variants; ``use_reentrant=None`` warns and means ``True``, as torch.
    """
    if use_reentrant is None:
        warnings.warn(
            "autograd.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "use_reentrant=False is recommended; without it checkpoint behaves as "
            "use_reentrant=True (torch's default).", stacklevel=2)
        use_reentrant = True
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not is_grad_enabled():
        return function(*args, **kwargs)
    if use_reentrant:
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_without_reentrant(function, preserve_rng_state, args, kwargs)


def _tensors(grads: list) -> list:
    """The engine's captured gradients (arrays on the fast path) as a Function's backward
    must return them: Tensors, or None."""
    return [g if g is None or isinstance(g, Tensor) else Tensor._const(g) for g in grads]


def checkpoint_sequential(functions: Any, segments: int, input: Any,  # noqa: A002
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """torch's ``checkpoint_sequential``: run ``functions`` (a list of callables, or a module
    with ``children()`` such as ``nn.Sequential``) one after another on ``input``, split in
    ``segments`` chunks of ``len(functions) // segments``; every chunk but the last is
    checkpointed (the last keeps its activations, as torch's)."""
    if use_reentrant is None:
        warnings.warn(
            "autograd.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. use_reentrant=False is recommended; without it "
            "checkpoint_sequential behaves as use_reentrant=True (torch's default).",
            stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children"):  # nn.Sequential (autograd does not import nn)
        functions = list(functions.children())

    def run_function(start: int, end: int) -> Callable:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input,  # noqa: A001
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1)(input)
