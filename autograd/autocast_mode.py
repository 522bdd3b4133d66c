"""``ag.autocast`` (torch.autocast / torch.amp.autocast): automatic mixed precision.

Inside an enabled region, ops on torch's autocast lists cast their floating inputs
before they run (torch 2.13's ``aten/src/ATen/autocast_mode.{h,cpp}``):

- *lower precision* (GEMMs and convolutions: matmul, mm, bmm, addmm, linear, conv2d,
  scaled_dot_product_attention ...): float32 inputs become the region's dtype (float16);
- *float32* (exp, log, pow, softmax, layer_norm, the losses ...): float16 inputs become
  float32; the reductions that take ``dtype=`` (sum, prod, cumsum, softmax ...) do so
  only when no ``dtype`` is given;
- *promote* (addcmul, atan2, dot, cat on the CPU ...): all floating inputs become the
  widest floating input dtype among them.

float64 inputs are never cast (torch's ``is_eligible``), nor are integer ones, nor tensors
on another device than the region's. A cast is a recorded op, so gradients come back in
each input's own dtype, as torch's. The lists are per device as torch's: ``"cpu"`` uses
torch's CPU lists, every other device type (``"cuda"``, a registered test device) the
CUDA lists. Inside a listed op, the ops its implementation calls are not cast again
(torch runs the op's kernel with autocast excluded), nor inside an op listed for another
device only (torch's kernel, below autocast); ops torch composes of listed ones
(cross_entropy on CUDA, einsum on the CPU) are listed as their parts.

Casting costs nothing outside a region: each listed op reads one process-wide count,
:attr:`autograd.graph.Away.autocast` (how many threads are inside an enabled region),
before it looks at its own thread's state; the other ops read nothing.

dtypes: only float16 is supported. NumPy has no bfloat16 (``ag.bfloat16`` is a
placeholder), so a region asking for it, e.g. CPU autocast's default dtype, warns as
torch warns for an unsupported dtype ("... the target dtype is not supported. Disabling
autocast.") and runs disabled: chainrule's results there are float32, where torch's
would be bfloat16. A ``"cuda"`` region without CuPy and a GPU warns and is disabled, as
torch's without CUDA.

``cache_enabled``: casts of float32 leaf tensors that require grad (the weights) are
made once per outermost region, as torch's weight cache; chainrule caches only while
grad mode is on (a cast made under ``no_grad`` has no graph and must not be reused by a
recorded forward).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd import backend
from autograd.graph import STATE, _count

__all__ = ["autocast", "custom_bwd", "custom_fwd", "get_autocast_dtype", "is_autocast_enabled"]

_F16, _F32 = np.dtype(np.float16), np.dtype(np.float32)

# -- torch's lists (autocast_mode.h's AT_FORALL_* for CUDA, autocast_mode.cpp for the CPU),
# under chainrule's op names
_CUDA_LOWER = frozenset("""
conv1d conv2d conv3d conv_tbc conv_transpose1d conv_transpose2d conv_transpose3d prelu
addmm addmv addr matmul einsum mm mv vecdot linear addbmm baddbmm bmm chain_matmul
multi_dot lstm_cell gru_cell rnn_tanh_cell rnn_relu_cell scaled_dot_product_attention
""".split())
_CUDA_FP32 = frozenset("""
acos asin cosh erfinv exp expm1 log log10 log2 log1p reciprocal rsqrt sinh tan pow softplus
layer_norm rms_norm group_norm nuclear_norm cosine_similarity poisson_nll_loss
cosine_embedding_loss nll_loss hinge_embedding_loss kl_div l1_loss smooth_l1_loss
huber_loss mse_loss margin_ranking_loss multilabel_margin_loss soft_margin_loss
triplet_margin_loss multi_margin_loss binary_cross_entropy_with_logits dist pdist cdist
renorm logsumexp interpolate norm
""".split())
_CUDA_FP32_OPT_DTYPE = frozenset("""
prod softmax log_softmax cumprod cumsum vector_norm matrix_norm sum
""".split())
_CUDA_PROMOTE = frozenset("""
addcdiv addcmul atan2 bilinear cross dot vdot grid_sample index_put tensordot scatter_add
""".split())
_CPU_LOWER = frozenset("""
conv1d conv2d conv3d bmm mm vecdot baddbmm addmm addbmm linear matmul conv_tbc
conv_transpose1d conv_transpose2d conv_transpose3d prelu scaled_dot_product_attention
""".split())
_CPU_FP32 = frozenset("""
avg_pool3d binary_cross_entropy grid_sample polar prod quantile nanquantile stft cdist trace
view_as_complex cholesky cholesky_inverse cholesky_solve inverse lu_solve orgqr ormqr
pinverse max_pool3d max_unpool2d max_unpool3d adaptive_avg_pool3d mse_loss
cosine_embedding_loss nll_loss hinge_embedding_loss poisson_nll_loss smooth_l1_loss
cross_entropy l1_loss huber_loss margin_ranking_loss soft_margin_loss triplet_margin_loss
multi_margin_loss ctc_loss kl_div multilabel_margin_loss binary_cross_entropy_with_logits
cond matrix_rank solve svdvals eigvals eigvalsh inv householder_product tensorinv
tensorsolve geqrf qr svd triangular_solve fractional_max_pool2d fractional_max_pool3d
adaptive_max_pool3d eig eigh lstsq
""".split())
_CPU_PROMOTE = frozenset("stack cat index_copy".split())
# ops torch composes of others (CompositeImplicitAutograd: cast as their parts are) where
# chainrule's are one op, listed as their parts: CUDA's cross_entropy is log_softmax and
# nll_loss (float32), the CPU's einsum and tensordot a bmm/mm (lower precision)
_CUDA_FP32 |= {"cross_entropy"}
# CUDA's nn.RNN/LSTM/GRU (cuDNN's RNN, cast to float16 by torch's AutocastRNN.cpp) and its
# cells (lstm_cell ...): chainrule's recurrence op
_CUDA_LOWER |= {"recurrence"}
_CPU_LOWER |= {"einsum", "tensordot"}

LOWER, FP32, FP32_OPT_DTYPE, PROMOTE = "lower", "fp32", "fp32_opt_dtype", "promote"
BANNED = "banned"  # CUDA's binary_cross_entropy: torch raises
_BCE_BANNED = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_"
    "logits\nor torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits "
    "are\nsafe to autocast.")


def _table(lower: frozenset, fp32: frozenset, opt: frozenset, promote: frozenset) -> dict:
    table = {name: PROMOTE for name in promote}
    table.update({name: FP32_OPT_DTYPE for name in opt})
    table.update({name: FP32 for name in fp32})
    table.update({name: LOWER for name in lower})
    return table


POLICIES = {
    "cuda": {**_table(_CUDA_LOWER, _CUDA_FP32, _CUDA_FP32_OPT_DTYPE, _CUDA_PROMOTE),
             "binary_cross_entropy": BANNED},
    # torch's CPU: prod is float32 (no dtype= handling), the rest as listed
    "cpu": _table(_CPU_LOWER, _CPU_FP32, frozenset(), _CPU_PROMOTE),
}


def policy(op: str, device_type: str) -> str | None:
    """The cast policy of ``op`` on ``device_type`` ("lower", "fp32", "fp32_opt_dtype",
    "promote", "banned"), or None where the op is on no list of that device."""
    return POLICIES["cpu" if device_type == "cpu" else "cuda"].get(op)


# -- per-thread state ---------------------------------------------------------------------
_DEFAULT_DTYPES = {"cpu": "bfloat16", "cuda": _F16}


class _AutocastState(threading.local):
    """This thread's regions (torch's autocast state is thread-local): per device type,
    whether autocast is on and its dtype; the nesting depth of regions (the cache is
    cleared when it returns to 0); ``inside`` > 0 while a listed op runs (its inner ops
    are not cast)."""

    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.dtype: dict[str, Any] = {}
        self.nesting = 0
        self.inside = 0
        self.cache_enabled = True
        self.cache: dict[int, tuple] = {}


_STATE = _AutocastState()


def _bfloat16() -> Any:
    import autograd
    return autograd.bfloat16


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether this thread is inside an enabled autocast region for ``device_type``
    (torch: no argument means ``"cuda"``)."""
    return _STATE.enabled.get("cuda" if device_type is None else device_type, False)


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype of ``device_type``'s regions: the innermost region's, else the default
    (float16 for CUDA and other GPUs, ``bfloat16`` for the CPU, as torch)."""
    _check_device_type(device_type)
    dt = _STATE.dtype.get(device_type)
    if dt is None:
        dt = _DEFAULT_DTYPES.get(device_type, _F16)
    return _bfloat16() if isinstance(dt, str) else dt


def is_autocast_cache_enabled() -> bool:
    return _STATE.cache_enabled


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type`` (any device type chainrule knows)."""
    return device_type in backend.device_types()


def clear_autocast_cache() -> None:
    _STATE.cache.clear()


def _check_device_type(device_type: Any) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in backend.device_types():
        raise RuntimeError(f"User specified an unsupported autocast device_type "
                           f"'{device_type}'")


def _supported(dtype: Any) -> bool:
    try:
        return np.dtype(dtype) == _F16
    except TypeError:  # ag.bfloat16 and other non-NumPy types
        return False


def _as_dtype(dtype: Any) -> Any:
    """``dtype`` as a NumPy dtype, or as given where NumPy has none (``ag.bfloat16``)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        return dtype


def _set_enabled(device_type: str, value: bool) -> None:
    state = _STATE
    before = any(state.enabled.values())
    state.enabled[device_type] = value
    after = any(state.enabled.values())
    if before is not after:
        _count("autocast", 1 if after else -1)


class autocast:  # noqa: N801 - torch's name
    """``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a region
    (``with`` block, or a decorated function) whose listed ops run in mixed precision.

    ``device_type``: "cuda", "cpu" (or another registered device type); ``dtype``: None
    for the device's default (float16 for CUDA, bfloat16 for the CPU), float16 the only
    one supported: any other dtype (bfloat16 included) warns and disables the region,
    whose results are then float32 where torch's would be bfloat16. Regions nest; an
    ``enabled=False`` region inside turns autocast off for its block.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        _check_device_type(device_type)
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = (is_autocast_cache_enabled() if cache_enabled is None
                               else bool(cache_enabled))
        enabled = bool(enabled)
        name = device_type.upper() if device_type in ("cpu", "cuda") else device_type
        if enabled:
            if device_type == "cuda" and not backend.cuda_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                enabled = False
            elif not _supported(self.fast_dtype):
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                              f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                              f"torch.float16 currently (chainrule has no bfloat16).",
                              stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        state = _STATE
        self._prev = (state.enabled.get(self.device, False), state.dtype.get(self.device),
                      state.cache_enabled, state.inside)
        state.inside = 0  # a region entered in backward (custom_bwd) casts again
        _set_enabled(self.device, self._enabled)
        state.dtype[self.device] = _as_dtype(self.fast_dtype)
        state.nesting += 1
        state.cache_enabled = self._cache_enabled
        return self

    def __exit__(self, *exc: object) -> None:
        state = _STATE
        state.nesting -= 1
        if state.nesting == 0:
            state.cache.clear()
        enabled, dtype, state.cache_enabled, state.inside = self._prev
        _set_enabled(self.device, enabled)
        if dtype is None:
            state.dtype.pop(self.device, None)
        else:
            state.dtype[self.device] = dtype

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)
        return decorated


# -- the casts the listed ops make ----------------------------------------------------------
def active() -> bool:
    """Whether the listed op calling this casts now (this thread is in an enabled region,
    not inside another listed op). Called only while ``Away.autocast`` is nonzero."""
    state = _STATE
    return state.inside == 0 and any(state.enabled.values())


def _device_type(t: Any) -> str:
    d = t._data
    return "cpu" if d.__class__ is np.ndarray else backend.device_of(d).type


def _eligible(t: Any) -> str | None:
    """The device type whose region casts ``t``, or None (not a float16/float32 tensor,
    or its device has no enabled region)."""
    if not getattr(t, "_IS_TENSOR", False):
        return None
    dt = t._data.dtype
    if dt is not _F16 and dt is not _F32 and dt != _F16 and dt != _F32:
        return None
    device = _device_type(t)
    return device if _STATE.enabled.get(device, False) else None


def _cast(t: Any, dtype: np.dtype) -> Any:
    if t._data.dtype == dtype:
        return t
    state = _STATE
    cacheable = (state.cache_enabled and dtype == _F16 and t._data.dtype == _F32
                 and t.requires_grad and t.is_leaf and STATE.grad_enabled
                 and getattr(t, "_base", None) is None)
    if cacheable:
        hit = state.cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
    out = t.astype(dtype)
    if cacheable:
        state.cache[id(t)] = (t, out)  # the source held: its id cannot be reused meanwhile
    return out


def _map(args: tuple, kwargs: dict, fn: Callable[[Any], Any]) -> tuple[tuple, dict]:
    """``fn`` applied to every tensor of ``args``/``kwargs`` and of lists/tuples in them
    (cat's and einsum's operands)."""
    def one(a: Any) -> Any:
        if getattr(a, "_IS_TENSOR", False):
            return fn(a)
        if isinstance(a, list | tuple) and a and any(getattr(x, "_IS_TENSOR", False)
                                                   for x in a):
            return type(a)(one(x) for x in a)
        return a
    return tuple(one(a) for a in args), {k: one(v) for k, v in kwargs.items()}


def _tensors(args: tuple, kwargs: dict) -> list:
    found: list = []
    _map(args, kwargs, lambda t: found.append(t) or t)
    return found


def run(op: str, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call the listed op ``fn`` (named ``op``) with its inputs cast by its policy, its
    inner ops not cast again. Called by the op itself when :func:`active` (its own check
    then passes, as ``inside`` is set)."""
    tensors = _tensors(args, kwargs)
    device = next((d for d in map(_eligible, tensors) if d is not None), None)
    how = None if device is None else policy(op, device)
    if how is None:  # on no list of this device (or no input to cast): run as it is
        pass
    elif how == BANNED:
        raise RuntimeError(_BCE_BANNED)
    elif how == LOWER:
        target = np.dtype(_STATE.dtype[device])
        args, kwargs = _map(args, kwargs, lambda t: _cast(t, target) if _eligible(t) else t)
    elif how == PROMOTE:
        wide = _F32 if any(_eligible(t) and t._data.dtype == _F32 for t in tensors) else _F16
        args, kwargs = _map(args, kwargs, lambda t: _cast(t, wide) if _eligible(t) else t)
    elif how == FP32_OPT_DTYPE and (kwargs.get("dtype") is not None or (
            op in ("softmax", "log_softmax") and len(args) > 2 and args[2] is not None)):
        pass  # an explicit dtype= is kept (torch's fp32_set_opt_dtype)
    elif how == FP32_OPT_DTYPE:  # only the first input: reductions with dtype=float32
        if _eligible(args[0]):
            args = (_cast(args[0], _F32), *args[1:])
    else:
        args, kwargs = _map(args, kwargs, lambda t: _cast(t, _F32) if _eligible(t) else t)
    _STATE.inside += 1
    try:
        return fn(*args, **kwargs)
    finally:
        _STATE.inside -= 1


def suspended() -> Any:
    """A context in which no op casts (backward's recorded ops under create_graph, as
    torch's backward runs outside the forward's autocast state)."""
    return _Suspended()


class _Suspended:
    def __enter__(self) -> None:
        _STATE.inside += 1

    def __exit__(self, *exc: object) -> None:
        _STATE.inside -= 1


def snapshot() -> tuple:
    """This thread's enabled regions, (device type, dtype) each, for :func:`restored`."""
    return tuple((d, _STATE.dtype.get(d)) for d, on in _STATE.enabled.items() if on)


def restored(regions: tuple) -> contextlib.ExitStack:
    """A context that re-enters the regions of a :func:`snapshot` (checkpoint's recompute
    runs in the autocast state its forward ran in, as torch's checkpoint)."""
    stack = contextlib.ExitStack()
    for device, dtype in regions:
        stack.enter_context(autocast(device, dtype=dtype))
    return stack


# -- custom autograd Functions -----------------------------------------------------------------
def _cast_inputs(value: Any, device_type: str, dtype: Any) -> Any:
    """torch.amp.autocast_mode._cast: floating tensors on ``device_type`` (not float64)
    to ``dtype``, through mappings and iterables."""
    if getattr(value, "_IS_TENSOR", False):
        d = value._data.dtype
        if d.kind == "f" and d != np.float64 and _device_type(value) == device_type:
            return value.astype(np.dtype(dtype))
        return value
    if isinstance(value, str | bytes | np.ndarray) or value is None:
        return value
    if isinstance(value, Mapping):
        return {_cast_inputs(k, device_type, dtype): _cast_inputs(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, Iterable):
        out = (_cast_inputs(v, device_type, dtype) for v in value)
        return type(value)(out) if isinstance(value, list | tuple) else out
    return value


def custom_fwd(fwd: Callable | None = None, *, device_type: str,
               cast_inputs: Any = None) -> Callable:
    """torch.amp.custom_fwd: decorate a custom Function's ``forward``. With
    ``cast_inputs`` set, inside an enabled region the forward runs with autocast off and
    its floating inputs cast to ``cast_inputs``; without, it runs in the caller's state.
    Either way ``backward`` (decorated by :func:`custom_bwd`) runs in the forward's."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        if is_autocast_enabled(device_type):
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast_inputs(args, device_type, cast_inputs),
                           **_cast_inputs(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd: Callable | None = None, *, device_type: str) -> Callable:
    """torch.amp.custom_bwd: run a custom Function's ``backward`` in the autocast state
    its forward (decorated by :func:`custom_fwd`) ran in."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast,
                      dtype=ctx._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
