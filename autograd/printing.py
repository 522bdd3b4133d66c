"""``repr``/``str`` of tensors in torch's print format, and ``set_printoptions``.

torch's rules (``torch/_tensor_str.py``), reproduced so that printouts compare equal:
a float tensor prints its values with 4 decimals (``tensor([1.5000, 2.0000])``), or as
``1.`` when every finite value is a whole number, or in scientific notation (``1.0000e-05``)
when the nonzero finite magnitudes span more than 1000x, exceed 1e8 or fall below 1e-4;
every element is padded to the widest one; lines wrap at 80 characters; past 1000
elements only 3 items at each edge print, around ``...``. Suffixes follow: ``size=`` for an
empty tensor that is not 1-D, ``dtype=torch.<name>`` for a dtype other than the default
float, int64 and bool, then ``grad_fn=<...>`` or ``requires_grad=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import backend


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None


OPTS = _Options()
_DEFAULT_FLOAT = np.dtype(np.float32)  # the default float dtype (torch's get_default_dtype)

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """torch's ``set_printoptions``: digits after the point, the element count past which a
    tensor is summarised, the items kept at each edge, the line width, a ``profile``
    (``"default"``, ``"short"``, ``"full"``) and ``sci_mode`` (None: chosen per tensor)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected one "
                             f"of {sorted(_PROFILES)}")
        for k, v in _PROFILES[profile].items():
            setattr(OPTS, k, v)
    for k, v in (("precision", precision), ("threshold", threshold),
                 ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if v is not None:
            setattr(OPTS, k, v)
    OPTS.sci_mode = sci_mode


class _Formatter:
    """How each value of one tensor prints, and the common width (torch's ``_Formatter``)."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        mag = np.abs(vals).astype(np.float64)
        lo, hi = mag.min(), mag.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) \
            if OPTS.sci_mode is None else OPTS.sci_mode
        p = OPTS.precision
        values = vals.astype(np.float64).tolist()
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in values)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in values)
        else:
            widths = (len(f"{v:.{p}f}") for v in values)
        self.max_width = max(self.max_width, *widths)

    def format(self, value: Any) -> str:
        if self.floating:
            p = OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The values that print when ``arr`` is summarised (the edges of every dimension)."""
    e = OPTS.edgeitems
    for axis in range(arr.ndim):
        if arr.shape[axis] > 2 * e:
            idx = np.r_[0:e, arr.shape[axis] - e:arr.shape[axis]]
            arr = np.take(arr, idx, axis=axis)
    return arr


def _vector(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((OPTS.linewidth - indent) / (fmt.max_width + 2)))
    e = OPTS.edgeitems
    if summarize and arr.shape[0] > 2 * e:
        data = [fmt.format(v) for v in arr[:e].tolist()] + [" ..."] + \
            [fmt.format(v) for v in arr[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt)
    e = OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * e:
        rows = [_nested(arr[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."] + \
            [_nested(arr[i], indent + 1, summarize, fmt) for i in range(n - e, n)]
    else:
        rows = [_nested(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _body(arr: np.ndarray, indent: int) -> str:
    if arr.size == 0:
        return "[]"
    summarize = arr.size > OPTS.threshold
    if arr.dtype == np.float16:  # measured in float64: float16 overflows near 1e8
        arr = arr.astype(np.float32)
    fmt = _Formatter(_summarized(arr) if summarize else arr)
    return _nested(arr, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last_line + len(s) + 2 > OPTS.linewidth:
            parts.append(",\n" + " " * indent + s)
            last_line = indent + len(s)
        else:
            parts.append(", " + s)
            last_line += len(s) + 2
    parts.append(")")
    return "".join(parts)


# nodes whose torch counterpart has another name (torch records reshape and flatten as a
# view, a dtype or device move as _to_copy, cross-entropy's last step as nll_loss)
_TORCH_NODE_NAMES = {"CastBackward": "ToCopyBackward0", "ToDeviceBackward": "ToCopyBackward0",
                     "ReshapeBackward": "ViewBackward0",
                     "FlattenBackward": "ViewBackward0",
                     "SoftmaxCrossEntropyBackward": "NllLossBackward0"}


def grad_fn_name(node: Any) -> str:
    """torch's name for the node: its class name with torch's overload number (``0``); a
    custom Function's node keeps its bare name (``MyOpBackward``), as in torch."""
    name = type(node).__name__
    if getattr(node, "fn", None) is not None or not name.endswith("Backward"):
        return name
    if name in _TORCH_NODE_NAMES:
        return _TORCH_NODE_NAMES[name]
    if name == "MatMulBackward":  # torch records the product by the operands' ranks
        shapes = node.input_shapes()
        a, b = (len(s) if s is not None else 2 for s in shapes)
        if a == 1:
            return "DotBackward0" if b == 1 else "SqueezeBackward4"
        if a == 2:
            return "MmBackward0" if b == 2 else "MvBackward0"
        return "UnsafeViewBackward0" if b <= 2 or a == b == 3 else "ExpandBackward0"
    return name + "0"


def tensor_repr(t: Any, prefix: str = "tensor(") -> str:
    """``repr(t)`` in torch's format (see the module docstring)."""
    arr = t._data
    indent = len(prefix)
    suffixes = []
    if backend.is_device_array(arr):
        suffixes.append(f"device='{t.device}'")
        arr = backend.to_host(arr)
    default = _DEFAULT_FLOAT
    dt = arr.dtype
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dt != default:
            suffixes.append(f"dtype={dtype_name(dt)}")
    elif dt not in (default, np.int64, np.bool_, _default_complex(default)):
        suffixes.append(f"dtype={dtype_name(dt)}")
    node = t._node
    if node is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name(node)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + _body(arr, indent), suffixes, indent)


def _default_complex(default: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if default == np.float64 else np.complex64)


def dtype_name(dt: np.dtype) -> str:
    """The dtype as torch writes it (``torch.float64``): what users compare printouts
    against, so chainrule prints torch's spelling."""
    return "torch." + np.dtype(dt).name
