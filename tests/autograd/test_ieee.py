"""autograd.ops.ieee: torch's inf/nan results come without NumPy's RuntimeWarnings, from
chainrule's ops only (the same ufunc called from user code still warns)."""

from __future__ import annotations

import importlib
import warnings

import numpy as np

import autograd as ag
from autograd.ops import ieee


def _edge_ops() -> None:
    """Forward and backward ops that hit NumPy's divide/invalid/overflow errors."""
    x = ag.tensor([0.0, -1.0, 1000.0], requires_grad=True)
    y = x.log() + x.sqrt() + x.exp() + 1 / x + x ** -0.5 + ag.atanh(x) + x.rsqrt()
    y.sum().backward()


def _warnings(installed: bool) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # every warning, every time (no once-per-place)
        if installed:  # the filter as chainrule installs it, back in front of "always"
            warnings.filterwarnings("ignore", message=ieee.QUIET_MESSAGES,
                                    category=RuntimeWarning, module=ieee.QUIET_MODULES)
        _edge_ops()
        np.log(np.zeros(1))  # user code: still warns
    return [f"{w.filename.rsplit('/', 1)[-1]}: {w.message}" for w in caught]


def test_chainrules_ops_are_silent_and_user_numpy_is_not() -> None:
    without = _warnings(installed=False)
    assert any("autograd" not in w and "divide by zero" in w for w in without)
    assert sum("test_ieee" not in w for w in without) >= 3  # the ops do warn unfiltered
    assert _warnings(installed=True) == ["test_ieee.py: divide by zero encountered in log"]


def test_the_filter_is_installed_on_import() -> None:
    """(pytest imports chainrule inside its own ``catch_warnings``, which drops filters added
    there on exit, as any such block does; so the import is repeated here.)"""
    def installed() -> bool:
        return any(action == "ignore" and msg is not None
                   and msg.pattern == ieee.QUIET_MESSAGES and mod is not None
                   and mod.pattern == ieee.QUIET_MODULES
                   for action, msg, _cat, mod, _line in warnings.filters)

    with warnings.catch_warnings():
        warnings.resetwarnings()
        assert not installed()
        importlib.reload(ieee)
        assert installed()
