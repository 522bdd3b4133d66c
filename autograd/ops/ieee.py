"""IEEE results without NumPy's warnings, as torch gives them.

torch computes ``log(0) = -inf``, ``0/0 = nan``, ``exp(1000) = inf`` silently; NumPy
computes the same values but also emits a ``RuntimeWarning`` ("divide by zero
encountered in log"), which teaching code ported from torch would print at every step.
An ``np.errstate`` around each op would cost ~1 µs per op (a third of a small op), so
instead one warnings filter drops NumPy's floating-point warnings where they are
attributed to chainrule's own modules (the Python frame that called the ufunc), and
nowhere else: the same ufunc called from user code still warns. Installed once, when
``autograd.ops`` is imported. ``warnings.simplefilter("error")`` in user code takes
precedence (a filter added later wins), as it should for someone asking for every warning;
and a ``warnings.catch_warnings()`` block around the import drops the filter with the
rest of its changes when it ends (pytest imports test modules inside one: there the
warnings show in pytest's summary, as before).
"""

from __future__ import annotations

import warnings

__all__ = ["QUIET_MODULES", "QUIET_MESSAGES"]

QUIET_MODULES = r"(autograd|nn|optim)\."
QUIET_MESSAGES = r"(divide by zero|invalid value|overflow) encountered"

warnings.filterwarnings("ignore", message=QUIET_MESSAGES, category=RuntimeWarning,
                        module=QUIET_MODULES)
