"""The ``Optimizer`` base class: parameter groups, per-parameter state, checkpoints.

Layout and semantics follow ``torch.optim.Optimizer``:

* ``param_groups`` is a list of dicts; each holds ``"params"`` (a list of leaf
  Tensors) and its own hyperparameters, the missing ones taken from ``defaults``.
* ``state`` maps a parameter (the Tensor object itself: Tensors hash by identity)
  to a dict of NumPy arrays and counters, created lazily on the first step that
  sees a gradient for it.
* ``state_dict()`` replaces parameters by their index, counted across groups in
  order, so a checkpoint can be loaded into a fresh optimizer built over fresh
  parameters of the same shapes.

Subclasses write the update of one parameter in :meth:`Optimizer._update_param`
(the base :meth:`step` loops over the groups, skips parameters without a gradient
and bumps each changed parameter's version counter); an optimizer that needs a
different loop may override :meth:`step` itself, as in torch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, backend
from autograd.tensor import _bump_version
from optim.checkpoint import OptimizerCheckpoint
from optim.hooks import (  # noqa: F401  (torch's optim.optimizer names too)
    OptimizerHooks,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)


class _RequiredParameter:
    """Sentinel for a hyperparameter without a default (torch's ``optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


def _describe(obj: Any) -> str:
    return type(obj).__name__


def _keep(x: float) -> float:
    return x


def _float32(x: float) -> float:
    return float(np.float32(x))


def lr_rounding(lr: Any) -> Callable[[float], float]:
    """How torch rounds the scalars an update computes from ``lr``: a float32 Tensor lr
    stays a 0-d float32 tensor in torch's step (``_to_scalar``), so ``lr / c`` or
    ``1 − lr·λ`` is rounded to float32 (its Python operand cast to float32 first, as
    torch's tensor-scalar ops do): apply the returned function after each such
    operation (and to each Python operand). A float (or float64 Tensor) lr keeps
    doubles: the identity. Rounding a double result of float32 operands to float32 is
    float32 arithmetic exactly (for +, −, ×, ÷: 53 ≥ 2·24 + 2 bits)."""
    return _float32 if isinstance(lr, Tensor) and lr.dtype == np.float32 else _keep


def check_implementation_flags(foreach: bool | None = None, capturable: bool = False,
                               differentiable: bool = False, fused: bool | None = None) -> None:
    """Check torch's implementation-choice keywords, which chainrule accepts as no-ops.

    ``foreach`` (torch's multi-tensor loop), ``fused`` (its fused kernels) and
    ``capturable`` (CUDA graphs) change how torch computes, not what: chainrule
    has one NumPy implementation and gives the same numbers to float rounding.
    ``differentiable=True`` would record the step in the graph; chainrule's steps
    are never recorded, so it raises rather than silently meaning something else.
    """
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if differentiable:
        raise NotImplementedError(
            "differentiable=True is not supported: chainrule's optimizer steps are not "
            "recorded in the autograd graph"
        )


class Optimizer(OptimizerHooks, OptimizerCheckpoint):
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors (one parameter group), or of dicts, each a
            parameter group ``{"params": [...], "lr": ..., ...}`` whose missing
            options are taken from ``defaults``.
        defaults: the default hyperparameters of every group.

    Raises:
        TypeError: ``params`` is a single Tensor or a set, or holds something that is
            not a Tensor, or a Tensor that is not floating point.
        ValueError: ``params`` is empty, holds a non-leaf Tensor, or holds one
            Tensor twice (within a group or across groups); or a hyperparameter is
            out of range (checked by the subclass's :meth:`_validate_group`).
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults: dict[str, Any] = dict(defaults)
        lr = self.defaults.get("lr")
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        # Check the constructor's own arguments first, as torch does, so that
        # ``SGD(params, lr=-1)`` names ``lr`` whatever ``params`` holds.
        self._validate_group({k: v for k, v in self.defaults.items() if v is not required})
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        # Scratch arrays reused by every step (see ``_scratch``); not part of the state.
        self._scratch_arrays: dict[tuple, np.ndarray] = {}
        self._patch_step_function()  # step() runs torch's step hooks (optim.hooks)

        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors "
                f"or dicts, but got a {_describe(params)}"
            )
        if isinstance(params, set | frozenset | dict):
            raise TypeError(
                "params argument given to the optimizer should be an ordered iterable of "
                f"Tensors or dicts (a list), but got a {_describe(params)}: the order of a "
                "set changes between runs, and it decides the indices in state_dict()"
            )
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list (params)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- hyperparameter checks -----------------------------------------------------------
    @staticmethod
    def _validate_group(group: dict[str, Any]) -> None:
        """Raise ValueError naming any out-of-range hyperparameter in ``group``.

        Called on the constructor's defaults and on every added group; the base class
        accepts everything, subclasses check their own options.
        """

    # -- parameter groups ------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (as torch).

        Useful to fine-tune a pre-trained network: frozen layers can be made
        trainable and added to the optimizer as training progresses.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_describe(param_group)}")
        if "params" not in param_group:
            raise KeyError("param_group must have a 'params' entry")  # torch's class
        group = dict(param_group)  # never change the caller's dict
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set | frozenset):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        params = self._split_names(params, group)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {_describe(p)}"
                )
            if not p.is_leaf:
                raise ValueError(
                    "can't optimize a non-leaf Tensor (params): optimize the leaf it was "
                    "computed from, or pass t.detach().requires_grad_()"
                )
            if p.dtype.kind != "f":
                raise TypeError(
                    f"optimizer can only optimize floating-point Tensors, but one of the params "
                    f"has dtype {p.dtype}"
                )
        group["params"] = params

        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)
        self._validate_group(group)

        # Tensor == is elementwise, so membership goes by id(), never by `in` on lists.
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(
                "optimizer contains a parameter group with duplicate parameters (params): "
                "each parameter may appear only once"
            )
        named = "param_names" in group
        for g in self.param_groups:
            if ("param_names" in g) != named:
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add "
                    f"param group {'with' if named else 'without'} names to the optimizer"
                )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if not seen.isdisjoint(ids):
            raise ValueError(
                "some parameters appear in more than one parameter group (params)"
            )
        self.param_groups.append(group)

    @staticmethod
    def _split_names(params: list[Any], group: dict[str, Any]) -> list[Any]:
        """The Tensors of ``params``; ``(name, tensor)`` pairs (``named_parameters()``, as
        torch ≥ 2.6 takes) put their names in ``group["param_names"]``."""
        pairs = [isinstance(p, tuple) for p in params]
        if not any(pairs):
            return params
        if not all(pairs):
            raise ValueError(
                "all optimizer params should be with/without names. Some param names are missing"
            )
        group["param_names"] = [p[0] for p in params]
        return [p[1] for p in params]

    # -- gradients and the update ----------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters.

        With ``set_to_none=True`` (the default, as torch) ``.grad`` becomes ``None``,
        so the next step skips parameters that get no new gradient; otherwise the
        gradient is zeroed in place (a gradient that is part of a graph, from
        ``create_graph=True``, or read-only, is replaced by fresh zeros instead).
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None  # the slot: None needs no check
                elif grad.grad_fn is not None or not backend.writeable(grad._data):
                    p.grad = Tensor._const(np.zeros_like(p._data))
                else:
                    grad._requires_grad = False
                    grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; return ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with
        gradient recording on, as torch). Parameters whose ``.grad`` is ``None`` are
        skipped. The update changes ``p._data`` in place and records no graph; each
        changed parameter's version counter is bumped, so a backward through a graph
        that saved the old values raises instead of silently using the new ones.
        """
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        state_of = self.state.get
        with ag.no_grad():
            for group in self.param_groups:
                ready = []
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    grad, w = g._data, p._data
                    if grad.shape != w.shape:
                        raise RuntimeError(
                            f"gradient of shape {grad.shape} does not match its parameter's "
                            f"shape {w.shape}"
                        )
                    if grad.dtype != w.dtype:
                        # Rare (a hand-set grad of another dtype): keep buffers in p's dtype.
                        grad = grad.astype(w.dtype)
                    if grad.__class__ is not w.__class__:
                        raise backend.same_device_error(w, grad)
                    state = state_of(p)
                    if state:
                        _follow(state, w)
                    ready.append((p, grad))
                if ready:
                    self._update_group(group, ready)
                    for p, _ in ready:
                        _bump_version(p)
        return loss

    def _update_group(self, group: dict[str, Any], params: list[tuple[Tensor, np.ndarray]]
                      ) -> None:
        """Update every ``(p, grad)`` of ``group`` in place; by default one at a time
        through :meth:`_update_param` (an optimizer may read its options once instead)."""
        for p, grad in params:
            self._update_param(p, grad, group)

    def _update_param(self, p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> None:
        """Update ``p._data`` in place from ``grad`` (read only) with ``group``'s options."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement _update_param() or override step()"
        )

    def _scratch(self, like: np.ndarray, slot: int) -> np.ndarray:
        """A reusable work array of ``like``'s shape and dtype (``slot`` tells apart two
        that one update needs at once).

        Updates write their temporaries here with ``out=``, so after the first step
        they allocate nothing (but :meth:`_add_scaled`'s bounded temporary): one array
        per (shape, dtype, slot), shared by all parameters of that shape, as the
        parameters are updated one at a time.
        """
        key = (like.shape, like.dtype, slot, like.__class__)
        arr = self._scratch_arrays.get(key)
        if arr is None:
            xp = np if like.__class__ is np.ndarray else backend.xp_of(like)
            arr = self._scratch_arrays[key] = xp.empty(like.shape, like.dtype)
        return arr

    def _l2_gradient(self, w: np.ndarray, grad: np.ndarray, weight_decay: float,
                     maximize: bool = False) -> np.ndarray:
        """The gradient the update follows: ``±grad + λ·w`` (``−grad`` with
        ``maximize``, as torch: the ascent direction, then L2 weight decay added), in
        scratch slot 0; ``grad`` itself when neither applies. ``grad`` is only read."""
        if weight_decay == 0.0 and not maximize:
            return grad
        d = self._scratch(w, 0)
        if weight_decay == 0.0:
            np.negative(grad, out=d)
            return d
        np.multiply(w, weight_decay, out=d)
        if maximize:
            np.subtract(d, grad, out=d)
        else:
            np.add(d, grad, out=d)
        return d

    @staticmethod
    def _lerp(m: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
        """``m ← m + weight·(end − m)`` in place (``tmp`` is a work array), rounded as
        torch's ``lerp_``, which computes ``end − (end − m)·(1 − weight)`` when
        ``weight ≥ 0.5``."""
        np.subtract(end, m, out=tmp)
        if weight < 0.5:
            tmp *= weight
            m += tmp
        else:
            tmp *= 1.0 - weight
            np.subtract(end, tmp, out=m)

    @staticmethod
    def _ema_square(v: np.ndarray, d: np.ndarray, beta: float, tmp: np.ndarray) -> None:
        """``v ← β·v + (1 − β)·d²`` in place (the second-moment average of Adam, NAdam and
        RAdam; ``tmp`` is a work array)."""
        v *= beta
        np.multiply(d, d, out=tmp)
        tmp *= 1.0 - beta
        v += tmp

    @staticmethod
    def _require_nonnegative(group: dict[str, Any], *names: str) -> None:
        """ValueError naming the first of ``names`` in ``group`` that is negative (or NaN)."""
        labels = {"lr": "learning rate", "eps": "epsilon value"}
        for name in names:
            if name in group and not group[name] >= 0.0:
                label = labels.get(name, f"{name} value")
                raise ValueError(f"Invalid {label}: {name}={group[name]} (must be >= 0)")

    _CHUNK = 1 << 16  # elements: alpha·d is formed in pieces of at most 256 KiB (float32)

    def _add_scaled(self, w: np.ndarray, d: np.ndarray, alpha: float) -> None:
        """``w += alpha · d`` in place (torch's ``w.add_(d, alpha=alpha)``).

        NumPy has no fused axpy, so ``alpha · d`` needs a work array, and the update
        runs while every gradient is alive (``.grad`` is kept until ``zero_grad``): a
        whole-parameter temporary made the update the peak of a small network's step
        (the MLP's largest weight, 0.8 MB over its 0.95 MB of gradients). So the
        temporary is at most ``_CHUNK`` elements: a parameter that size or smaller gets
        one; a larger one is updated in pieces through one work array of ``_CHUNK``
        elements, a block of rows at a time whatever the layouts of ``w`` and ``d``
        (flat pieces when both are contiguous). Only a non-contiguous parameter whose
        rows are each larger than a piece takes a whole temporary. In the MLP's step
        (2026-12-07) the pieces cost no measurable time: the update reads arrays that
        backward has pushed out of the caches, and a piece's temporary stays in them.
        """
        n = w.size
        host = w.__class__ is np.ndarray
        limit = self._CHUNK if host else self._CHUNK << 4  # on a device: fewer launches
        if n <= limit:
            np.add(w, np.multiply(d, alpha), out=w)
            return
        # made per call, not kept: kept, it would add to the memory held through the
        # forward and backward, whose peak is the larger one in a convolutional network
        buf = (np if host else backend.xp_of(w)).empty(limit, w.dtype)
        if w.flags.c_contiguous and d.flags.c_contiguous:  # pieces of the flat arrays
            w, d, row = w.reshape(-1), d.reshape(-1), 1
        else:
            row = n // w.shape[0]
        rows = limit // row
        if rows == 0:  # non-contiguous rows each larger than a piece: rare, one temporary
            np.add(w, np.multiply(d, alpha), out=w)
            return
        for i in range(0, w.shape[0], rows):
            wi = w[i : i + rows]
            t = buf[: wi.size].reshape(wi.shape)
            np.multiply(d[i : i + rows], alpha, out=t)
            np.add(wi, t, out=wi)

    def __getstate__(self) -> dict[str, Any]:
        # without the ``step`` wrapper a scheduler puts on the instance (as torch's):
        # it cannot be pickled, and a deep copy's would step the original optimizer
        # and without hooks, as torch's (functions, often lambdas)
        return {k: v for k, v in self.__dict__.items()
                if k != "step" and not k.startswith("_optimizer_")}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


_NOT_ARRAYS = frozenset({int, float, bool, type(None)})  # ``step`` and other counters


def _follow(state: dict[str, Any], w: Any) -> None:
    """Move a parameter's state arrays to its device (after ``Module.to``), as torch's
    state follows its parameter; a dict check per parameter on the host."""
    cls = w.__class__
    for k, v in state.items():
        c = v.__class__
        if c is not cls and c not in _NOT_ARRAYS and backend.is_array(v) and v.ndim:
            state[k] = backend.to(v, backend.device_of(w))
