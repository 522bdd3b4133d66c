"""An optimizer's checkpoint: ``state_dict()`` and ``load_state_dict()`` in torch's
layout (the :class:`~optim.Optimizer` mixin that holds them)."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import numpy as np

from autograd import Tensor, backend

__all__ = ["OptimizerCheckpoint"]


def _describe(obj: Any) -> str:
    return type(obj).__name__


class OptimizerCheckpoint:
    """``state_dict`` / ``load_state_dict`` of :class:`~optim.Optimizer`, which holds
    ``param_groups``, ``state`` and ``defaults`` (and, from
    :class:`~optim.hooks.OptimizerHooks`, ``_run_dict_hooks``)."""

    param_groups: list[dict[str, Any]]
    state: defaultdict[Tensor, dict[str, Any]]
    defaults: dict[str, Any]

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as torch lays it out (copies; safe to keep and change).

        ``{"state": {index: {name: array or number}}, "param_groups": [{..options..,
        "params": [index, ...]}]}``, where a parameter's index counts across groups in
        order. Only parameters that have state appear in ``"state"``.
        """
        self._run_dict_hooks("_optimizer_state_dict_pre_hooks")
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            start = len(index)
            for i, p in enumerate(group["params"]):
                index[id(p)] = start + i
            packed["params"] = list(range(start, start + len(group["params"])))
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            i = index.get(id(p))
            if i is not None:  # state of a parameter no longer in any group is dropped
                state[i] = {k: _copy_value(v) for k, v in s.items()}
        out = {"state": dict(sorted(state.items())), "param_groups": groups}
        return self._run_dict_hooks("_optimizer_state_dict_post_hooks", out)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a :meth:`state_dict`: the state and every group's hyperparameters.

        The current parameters are matched to the saved indices by position. Arrays
        are copied and cast to their parameter's dtype (as torch casts floating
        state); ``step`` becomes an int. Everything is checked before anything
        changes, so a failed load leaves the optimizer as it was and a later
        ``step()`` never stops halfway on a bad entry.

        Raises:
            ValueError: naming what does not match: the number of groups, a group's
                number of parameters, an index in no group, an array's shape, or an
                entry that is not a number or an array of numbers.
            KeyError: the dict lacks ``state`` or ``param_groups``; a parameter's saved
                state lacks an entry the update needs (e.g. Adam's ``exp_avg_sq``); a
                saved group lacks ``params`` or an option this optimizer needs (a group
                saved by another optimizer type: torch raises it at the next step).
            TypeError: ``state_dict`` is not a dict.
        """
        if isinstance(state_dict, dict):  # the hooks see (and may replace) a shallow copy
            state_dict = self._run_dict_hooks("_optimizer_load_state_dict_pre_hooks",
                                              state_dict.copy())
        if not isinstance(state_dict, dict):
            raise TypeError(f"optimizer state_dict must be a dict, got {_describe(state_dict)}")
        for key in ("state", "param_groups"):
            if key not in state_dict:  # torch's KeyError
                raise KeyError(f"optimizer state_dict has no {key!r} entry (a dict with "
                               "'state' and 'param_groups' entries is expected)")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups: "
                f"{len(saved_groups)} saved, {len(self.param_groups)} in this optimizer"
            )
        id_map: dict[Any, tuple[Tensor, int]] = {}
        new_groups = []
        for gi, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise KeyError(f"loaded state dict's param_groups[{gi}] has no 'params' entry")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: param_groups[{gi}] has {len(saved['params'])} "
                    f"parameters saved, {len(group['params'])} in this optimizer"
                )
            for k, p in zip(saved["params"], group["params"]):
                id_map[k] = (p, gi)
                # a checkpoint stored as JSON has its int state keys back as strings
                id_map.setdefault(str(k), (p, gi))
            # As torch: the saved group replaces this one (its params and, unless saved,
            # its param_names kept); options a checkpoint may predate take torch's
            # fallbacks, and any other option it lacks (one saved by another optimizer
            # type) is a KeyError here, where torch's next step() would raise it.
            merged = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            merged["params"] = group["params"]
            if "param_names" in group:
                merged.setdefault("param_names", group["param_names"])
            for k, v in {**_GROUP_FALLBACKS, **self._group_fallbacks}.items():
                if k in self.defaults:
                    merged.setdefault(k, v)
            missing = [k for k in self.defaults if k not in merged]
            if missing:
                raise KeyError(
                    f"loaded state dict's param_groups[{gi}] has no {missing[0]!r}, which "
                    f"{type(self).__name__} needs (saved options: "
                    f"{sorted(k for k in saved if k != 'params')})"
                )
            # (no range checks: torch loads what it saved, e.g. the -1e-18 lr a LinearLR
            # down to 0 leaves through rounding)
            new_groups.append(merged)

        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, saved_state in state_dict["state"].items():
            if key not in id_map:
                raise ValueError(
                    f"loaded state dict has state for parameter index {key!r}, which is in "
                    "no parameter group"
                )
            if not isinstance(saved_state, dict):
                raise ValueError(
                    f"loaded state dict has state[{key!r}] of type "
                    f"{_describe(saved_state)}, expected a dict"
                )
            p, gi = id_map[key]
            if saved_state:  # empty state: the parameter starts afresh at its next step
                missing = [n for n in self._required_state(new_groups[gi]) if n not in saved_state]
                if missing:
                    raise KeyError(
                        f"loaded state dict has no state[{key!r}][{missing[0]!r}], which "
                        f"{type(self).__name__} needs (saved entries: {sorted(saved_state)})"
                    )
            new_state[p] = {
                name: self._load_value(key, name, value, p) for name, value in saved_state.items()
            }

        # All checks passed: apply. Group dicts are updated in place so that
        # references to them (a scheduler, a user's handle) stay valid.
        self.state = new_state
        for group, merged in zip(self.param_groups, new_groups):
            group.clear()
            group.update(merged)
        self._run_dict_hooks("_optimizer_load_state_dict_post_hooks")

    # Per-parameter state entries that are numbers, not arrays (besides ``step``).
    _scalar_state: tuple[str, ...] = ()
    # Options a loaded group may lack, with the values torch's __setstate__ gives them
    # (besides _GROUP_FALLBACKS, shared by all).
    _group_fallbacks: dict[str, Any] = {}

    def _required_state(self, group: dict[str, Any]) -> tuple[str, ...]:
        """The entries a non-empty saved state must hold for ``group``'s next step
        (an optimizer whose buffers appear lazily lists only the ones it cannot
        recreate)."""
        return ()

    def _load_value(self, index: Any, name: str, value: Any, p: Tensor) -> Any:
        """One saved state entry, checked against and cast for its parameter ``p``."""
        if isinstance(value, Tensor):
            value = value._data
        if backend.is_device_array(value):  # checked on the host; moved on the next step
            value = backend.to_host(value)
        if name == "step" or name in self._scalar_state:
            arr = np.asarray(value)
            if arr.size != 1 or arr.dtype.kind not in "biuf":
                raise ValueError(
                    f"loaded state dict has state[{index!r}][{name!r}] = {value!r}, "
                    "expected a number"
                )
            # A number here; torch checkpoints store it as a 0-d tensor.
            if name == "step":
                return int(arr.item())
            return self._load_scalar(name, float(arr.item()), p)
        if value is None:
            return None
        if isinstance(value, int | float) or (
                isinstance(value, np.ndarray | np.generic) and value.ndim == 0 and p.ndim):
            # a number this optimizer does not use (NAdam's mu_product loaded into Adam):
            # kept, as torch keeps every saved entry
            return value.item() if isinstance(value, np.ndarray | np.generic) else value
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
            what = f"dtype {value.dtype}" if isinstance(value, np.ndarray) else _describe(value)
            raise ValueError(
                f"loaded state dict has state[{index!r}][{name!r}] of {what}, expected an "
                "array of numbers"
            )
        if value.shape != p._data.shape:
            raise ValueError(
                f"loaded state dict has state[{index!r}][{name!r}] of shape {value.shape}, "
                f"but that parameter has shape {p._data.shape}"
            )
        # Cast to the parameter's dtype, as torch: the in-place update needs it.
        return np.array(value, dtype=p._data.dtype, copy=True)

    def _load_scalar(self, name: str, value: float, p: Tensor) -> Any:
        """A loaded entry of :attr:`_scalar_state` (a float; an optimizer may keep it in
        the form its update expects)."""
        return value



_GROUP_FALLBACKS = {"maximize": False, "foreach": None, "differentiable": False}


def _copy_value(value: Any) -> Any:
    if backend.is_array(value):
        return value.copy()
    if isinstance(value, Tensor):
        return value._data.copy()
    return copy.deepcopy(value)

