"""Functional forms of the layers and losses, with torch's signatures.

``import nn.functional as F``. Convolution, pooling and batch norm are the
engine's primitives (``autograd.ops.conv``, ``pool``, ``norm``), re-exported here;
the losses are built from differentiable ops (or, for the binary cross-entropies,
small custom Functions whose backward is the textbook formula), so every one of
them has first and second derivatives.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device, is_array, xp_of
from autograd.function import Function, FunctionCtx
from autograd.graph import Away
from autograd.ops import linear
from autograd.ops.activations import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
    tanhshrink,
    threshold,
)
from autograd.ops.attention import attention as _attention
from autograd.ops.attention import causal_bias
from autograd.ops.conv import conv1d, conv2d
from autograd.ops.conv_transpose import conv_transpose1d, conv_transpose2d
from autograd.ops.embedding import embedding as _embedding
from autograd.ops.groupnorm import group_norm
from autograd.ops.layer_norm import layer_norm as _layer_norm
from autograd.ops.norm import batch_norm
from autograd.ops.pool import avg_pool2d, max_pool2d
from autograd.random import device_generator, generator
from autograd.tensor import Tensor
from nn import functional_extras as _extras
from nn import functional_more as _more
from nn.activation_extras import bilinear, glu, hardshrink, prelu, softmin, softshrink
from nn.distance_functions import cosine_similarity, normalize, pairwise_distance
from nn.functional_more import *  # noqa: F403 - round 2 names (its __all__)
from nn.loss_reduction import _as_target, _reduce, _reduce_weighted, _reduction
from nn.padding import pad
from nn.pointwise_losses import huber_loss, kl_div, l1_loss, smooth_l1_loss
from nn.pool1d import avg_pool1d, max_pool1d
from nn.resampling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    interpolate,
)

__all__ = [
    "DIFFERENTIABLE", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "avg_pool2d", "batch_norm",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "celu", "conv1d", "conv2d",
    "conv_transpose1d", "conv_transpose2d", "cosine_similarity", "cross_entropy", "dropout",
    "elu", "gelu", "group_norm", "hardsigmoid", "hardswish", "hardtanh", "huber_loss",
    "interpolate", "kl_div", "l1_loss", "leaky_relu", "linear", "log_softmax", "logsigmoid",
    "max_pool2d", "mish", "mse_loss", "nll_loss", "normalize", "one_hot", "pad",
    "pairwise_distance", "relu", "relu6", "selu", "sigmoid", "silu", "smooth_l1_loss",
    "softmax", "softplus", "softsign", "tanh", "tanhshrink",
]

# The differentiable functional forms: nn/cases.py must register a gradcheck case for each
# (tests/nn/test_gradcheck_nn.py fails on one without).
DIFFERENTIABLE = (
    "linear conv1d conv2d conv_transpose1d conv_transpose2d max_pool2d avg_pool2d relu "
    "leaky_relu tanh sigmoid softmax "
    "log_softmax dropout batch_norm mse_loss binary_cross_entropy "
    "binary_cross_entropy_with_logits cross_entropy nll_loss "
    # issue 16
    "elu selu celu softplus logsigmoid mish silu gelu hardtanh relu6 hardsigmoid hardswish "
    "softsign tanhshrink l1_loss smooth_l1_loss huber_loss kl_div normalize cosine_similarity "
    "pairwise_distance pad interpolate adaptive_avg_pool1d adaptive_avg_pool2d "
    "adaptive_avg_pool3d group_norm adaptive_max_pool1d adaptive_max_pool2d "
    # the parity audit (torch's names the contract's modules imply)
    "max_pool1d avg_pool1d softmin glu hardshrink softshrink prelu bilinear"
).split()
__all__ += ["avg_pool1d", "bilinear", "glu", "hardshrink", "max_pool1d", "prelu", "softmin",
            "softshrink"]

# round 2 of the parity audit: torch's names in nn/functional_more.py
DIFFERENTIABLE += _more.DIFFERENTIABLE
__all__ += _more.__all__


# -- activations -------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise; ``inplace=True`` writes it into ``input`` and returns it, as
    torch (see ``autograd.ops.activations``)."""
    return _extras.relu_(input) if inplace else ag.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope · x, elementwise (``inplace`` as :func:`relu`)."""
    if inplace:
        return _extras.leaky_relu_(input, negative_slope)
    return ag.leaky_relu(input, negative_slope)


def tanh(input: Tensor) -> Tensor:
    return ag.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e⁻ˣ) elementwise."""
    return ag.sigmoid(input)


def _softmax_dim(ndim: int, name: str) -> int:
    # torch's legacy choice when dim is not given (with the same warning).
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """eˣ / Σ eˣ along ``dim`` (computed in ``dtype`` when given)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return ag.softmax(input, dim, dtype)  # (dtype: cast first, as torch)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """x − logsumexp(x) along ``dim`` (stable for |x| ~ 1e4)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return ag.log_softmax(input, dim, dtype)  # (dtype: cast first, as torch)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Inverted dropout: in training, zero each element with probability ``p`` and scale
    the rest by 1/(1 − p) (so the expectation is unchanged); identity otherwise."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        zeros = xp_of(input._data).zeros(input.shape, dtype=input.dtype)
        return input.mul_(zeros) if inplace else input * zeros
    dt = input.dtype if input.dtype in (np.float32, np.float64) else np.float64
    if input._data.__class__ is np.ndarray:
        keep = generator().random(input.shape, dtype=dt) >= p
    else:  # drawn on the device by its generator (as torch: not the host's numbers)
        keep = device_generator(input._data).random_sample(input.shape, dtype=dt) >= p
    mask = keep.astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    return input.mul_(mask) if inplace else input * mask  # in place as torch's: x · mask


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape ``(*tensor.shape, num_classes)`` with a 1 at each class index
    (``num_classes=-1`` means max + 1)."""
    idx = asarray(tensor._data if isinstance(tensor, Tensor) else tensor)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot is only applicable to index tensor, got dtype {idx.dtype}")
    if num_classes == -1:
        if not idx.size:  # torch's error: nothing to take the max of
            raise RuntimeError("one_hot: can not infer the total number of classes from an "
                               "empty tensor; pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got "
                           f"values in [{idx.min()}, {idx.max()}]")
    out = xp_of(idx).zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._const(out)


# -- losses ------------------------------------------------------------------------------------
def _weighted(loss: Tensor, weight: Any) -> Tensor:
    if weight is None:
        return loss
    return loss * (weight._data if isinstance(weight, Tensor) else asarray(weight))


def mse_loss(input: Tensor, target: Any, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Any = None) -> Tensor:
    """(input − target)² (times ``weight``, of input's shape), reduced; with ``weight``,
    'mean' is Σ w·d² / Σ w as torch's. Shapes must match (torch only warns; a silently
    broadcast (N, 1) against (N,) is a classic bug, so this raises ValueError)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("mse_loss", mse_loss, input, target, size_average, reduce, reduction,
                            weight)
    reduction = _reduction(reduction, size_average, reduce)
    d = input - _as_target(target, input, "mse_loss")
    return _reduce_weighted(d * d, weight, input, reduction)


# torch's EPSILON is a float literal (1e-12 rounded to float32): matched bit for bit
_BCE_EPS = float(np.float32(1e-12))


class _BinaryCrossEntropy(Function):
    """ℓ = −(y · max(ln x, −100) + (1 − y) · max(ln(1 − x), −100))  (torch's clamp);
    ∂ℓ/∂x = (x − y) / max(x(1 − x), 1e-12),  ∂ℓ/∂y = ln(1 − x) − ln x (unclamped, as torch's:
    ±inf at x = 0 or 1)."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, y: Tensor) -> Tensor:
        xd, yd = x._data, y._data
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(xd), -100.0)
            log_1mx = np.maximum(np.log1p(-xd), -100.0)
        ctx.save_for_backward(x, y)
        return Tensor._const(-(yd * log_x + (1 - yd) * log_1mx))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / ag.clamp(x * (1 - x), min=_BCE_EPS)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gy = g * (ag.log(1 - x) - ag.log(x))
        return gx, gy


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """−(y ln x + (1 − y) ln(1 − x)) for probabilities ``input`` in [0, 1] (each log
    clamped at −100, as torch, so x = 0 or 1 gives a finite loss), times ``weight``."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("binary_cross_entropy", binary_cross_entropy, input, target, weight,
                            size_average, reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    y = _as_target(target, input, "binary_cross_entropy")
    xd = input._data
    if xd.size and not (np.all(xd >= 0) and np.all(xd <= 1)):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 "
                           f"and 1 (got values in [{xd.min()}, {xd.max()}]); for logits use "
                           "binary_cross_entropy_with_logits")
    return _reduce(_weighted(_BinaryCrossEntropy.apply(input, y), weight), reduction)


def _softplus_tensor(z: Tensor) -> Tensor:
    """log(1 + eᶻ) as a smooth, stable differentiable expression: logsumexp([0, z])."""
    return ag.logsumexp(ag.stack([ag.zeros_like(z), z], -1), -1)


class _BCEWithLogits(Function):
    """ℓ = (1 − y)x + L · softplus(−x),  L = 1 + (pos_weight − 1) y  (L = 1 without
    pos_weight: max(x, 0) − xy + log(1 + e^−|x|), stable for any |x|);
    ∂ℓ/∂x = L σ(x) − pos_weight · y,  ∂ℓ/∂y = −x + (pos_weight − 1) softplus(−x)."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, y: Tensor, pos_weight: Any) -> Tensor:
        xd, yd = x._data, y._data
        # log(1 + e^−|x|) never overflows, and max(x, 0) − xy does not cancel for x ≪ 0
        # (the (1 − y)x + softplus(−x) form loses every digit of a 1e-14 loss there)
        log1p_exp = np.log1p(np.exp(-np.abs(xd)))
        if pos_weight is None:
            loss = np.maximum(xd, 0) - xd * yd + log1p_exp
        else:
            sp_neg = log1p_exp + np.maximum(-xd, 0)  # softplus(−x)
            loss = (1 - yd) * xd + (1 + (pos_weight - 1) * yd) * sp_neg
        ctx.pos_weight = pos_weight
        ctx.save_for_backward(x, y)
        return Tensor._const(asarray(loss, dtype=xd.dtype))

    @staticmethod
    def backward(ctx: FunctionCtx, g: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        pw = ctx.pos_weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            s = ag.sigmoid(x)
            gx = g * (s - y) if pw is None else g * ((1 + (pw - 1) * y) * s - pw * y)
        if ctx.needs_input_grad[1]:
            gy = -g * x if pw is None else g * ((pw - 1) * _softplus_tensor(-x) - x)
        return gx, gy, None


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable expression on logits ``input``:
    max(x, 0) − x·y + log(1 + e^−|x|), times ``weight``; ``pos_weight`` weighs positives."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("binary_cross_entropy_with_logits", binary_cross_entropy_with_logits,
                            input, target, weight, size_average, reduce, reduction, pos_weight)
    reduction = _reduction(reduction, size_average, reduce)
    y = _as_target(target, input, "binary_cross_entropy_with_logits")
    pw = None
    if pos_weight is not None:
        pw = asarray(pos_weight._data if isinstance(pos_weight, Tensor) else pos_weight,
                        dtype=input.dtype)
        if pw.__class__ is not input._data.__class__:  # torch's error, never a copy
            check_same_device(input._data, pw)
    loss = _BCEWithLogits.apply(input, y, pw)
    return _reduce(_weighted(loss, weight), reduction)


def _class_targets(input: Tensor, target: Any, ignore_index: int, name: str
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate class-index targets for ``input`` of shape (N, C, d1, ...): an integer
    array of shape (N, d1, ...) with values in [0, C) or ``ignore_index``. Returns the
    targets and the mask of ignored ones (None when there are none)."""
    t = asarray(target._data if isinstance(target, Tensor) else target)
    if t.__class__ is not input._data.__class__:  # torch's error, never a copy
        check_same_device(input._data, t)
    shape = tuple(input.shape)
    want = (shape[0],) + shape[2:]
    if t.dtype.kind not in "iu":  # torch: RuntimeError (expected scalar type Long)
        raise RuntimeError(
            f"{name}: target must hold class indices as integers (shape {want} for input of "
            f"shape {shape}), got dtype {t.dtype} and shape {t.shape}; for class "
            "probabilities pass a float target of the input's shape"
        )
    if t.shape != want:
        raise ValueError(f"{name}: target of shape {t.shape} does not fit input of shape "
                         f"{shape}; expected target shape {want}")
    n_classes = shape[1]
    # one max on the hot path: negative indices wrap to huge unsigned values
    unsigned = t.view(np.uint64) if t.dtype == np.int64 else t.astype(np.uint64)
    if not 0 <= ignore_index < n_classes and (
            not t.size or (np.maximum.reduce(unsigned, None) if unsigned.__class__ is np.ndarray
                           else unsigned.max()) < n_classes):
        return t, None
    out_of_range = unsigned >= n_classes
    ignored = t == ignore_index
    bad = out_of_range & ~ignored
    if bad.any():
        vals = np.unique(t[bad])[:5].tolist()
        raise IndexError(f"{name}: target values {vals} are out of range for {n_classes} "
                         f"classes (valid: 0..{n_classes - 1}, or ignore_index={ignore_index})")
    return t, (ignored if ignored.any() else None)


def _gather(logp: Tensor, t: np.ndarray) -> Tensor:
    """``logp[n, t[n, ...], ...]``: the entry of each sample's target class (shape of t)."""
    xp = xp_of(t)  # the grids are made where the targets are
    if logp.ndim == 2:
        return logp[xp.arange(t.shape[0]), t]
    grids = [xp.arange(s).reshape((-1,) + (1,) * (t.ndim - 1 - i)) for i, s in enumerate(t.shape)]
    return logp[(grids[0], t, *grids[1:])]


def _unbatched(input: Tensor, target: Any) -> tuple[Tensor, Any, bool]:
    """(C,) input with a () target is one sample: add the batch dimension."""
    if input.ndim == 1:
        t = target._data if isinstance(target, Tensor) else asarray(target)
        if t.ndim == 0:
            return input.unsqueeze(0), t.reshape(1), True
        if t.shape == input.shape:  # class probabilities (a Tensor stays in the graph)
            return input.unsqueeze(0), (target if isinstance(target, Tensor) else t
                                        ).reshape(1, -1), True
    return input, target, False


def nll_loss(input: Tensor, target: Any, weight: Any = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None,
             reduction: str = "mean") -> Tensor:
    """−w[t] · input[n, t[n]] for log-probabilities ``input`` (N, C, ...) and class
    indices ``target`` (N, ...); 'mean' divides by Σ w[t] over non-ignored samples."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("nll_loss", nll_loss, input, target, weight, size_average, ignore_index,
                            reduce, reduction)
    reduction = _reduction(reduction, size_average, reduce)
    input, target, squeeze = _unbatched(input, target)
    if input.ndim < 2:
        raise ValueError(f"nll_loss: input must have shape (C,), (N, C) or (N, C, d1, ...), "
                         f"got {tuple(input.shape)}")
    loss = _nll(input, target, weight, ignore_index, reduction, "nll_loss")
    return loss.reshape(()) if squeeze and reduction == "none" else loss


def _nll(logp: Tensor, target: Any, weight: Any, ignore_index: int, reduction: str,
         name: str) -> Tensor:
    t, ignored = _class_targets(logp, target, ignore_index, name)
    safe = t if ignored is None else np.where(ignored, 0, t)
    picked = _gather(logp, safe)
    if weight is None and ignored is None:
        return _reduce(-picked, reduction)
    n_classes = logp.shape[1]
    w = xp_of(t).ones(n_classes, dtype=logp.dtype) if weight is None else asarray(
        weight._data if isinstance(weight, Tensor) else weight, dtype=logp.dtype)
    if w.__class__ is not t.__class__:  # torch's error, never a copy
        check_same_device(logp._data, w)
    if w.shape != (n_classes,):
        raise ValueError(f"{name}: weight of shape {w.shape} does not fit {n_classes} classes")
    wt = w[safe]
    if ignored is not None:
        wt[ignored] = 0
    loss = -picked * wt
    if reduction == "mean":
        if ignored is not None and ignored.all():
            # torch: NaN, but a zero gradient (not the NaN of d(0/0))
            return loss.sum() + float("nan")
        return loss.sum() / wt.sum()
    return _reduce(loss, reduction)


def cross_entropy(input: Tensor, target: Any, weight: Any = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over dim 1 then nll_loss: for logits (N, C) and class indices (N,),
    mean of −log softmax(x)[n, t[n]]; its gradient is (softmax(x) − onehot(t)) / N.
    A float target of the input's shape is read as class probabilities (as torch)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("cross_entropy", cross_entropy, input, target, weight, size_average,
                            ignore_index, reduce, reduction, label_smoothing)
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    input, target, squeeze = _unbatched(input, target)
    if input.ndim < 2:
        raise ValueError(f"cross_entropy: input must have shape (C,), (N, C) or "
                         f"(N, C, d1, ...), got {tuple(input.shape)}")
    n_classes = input.shape[1]
    tdata = asarray(target._data if isinstance(target, Tensor) else target)
    if tdata.__class__ is not input._data.__class__:  # torch's error, never a copy
        check_same_device(input._data, tdata)
    if (input.ndim == 2 and weight is None and not label_smoothing and reduction == "mean"
            and tdata.dtype.kind in "iu"):
        # The common case as one fused op: its VJP is (softmax − onehot)/N directly.
        t, ignored = _class_targets(input, tdata, ignore_index, "cross_entropy")
        if ignored is None:
            return ag.ops.softmax_cross_entropy(input, t)
    logp = ag.log_softmax(input, 1)
    w = None if weight is None else asarray(
        weight._data if isinstance(weight, Tensor) else weight, dtype=input.dtype)
    if w is not None and w.__class__ is not tdata.__class__:
        check_same_device(input._data, w)
    wshape = (1, n_classes) + (1,) * (input.ndim - 2)
    if tdata.dtype.kind == "f" and tdata.shape == tuple(input.shape):
        # class probabilities: −Σ_c w_c p_c log q_c, mean over the N·d1·... positions
        # a target Tensor stays in the graph: one that requires grad gets −w·log q (torch)
        probs = tdata.astype(input.dtype, copy=False) if not isinstance(target, Tensor) \
            else target if target.dtype == input.dtype else target.astype(input.dtype)
        if label_smoothing:
            probs = probs * (1 - label_smoothing) + label_smoothing / n_classes
        coef = probs if w is None else probs * w.reshape(wshape)
        loss = -(logp * coef).sum(1)
        if squeeze and reduction == "none":
            loss = loss.reshape(())
        return _reduce(loss, reduction)
    nll = _nll(logp, tdata, weight, ignore_index, reduction, "cross_entropy")
    if squeeze and reduction == "none":
        nll = nll.reshape(())
    if not label_smoothing:
        return nll
    # torch's smoothing term: −Σ_c w_c log q_c per position, zero where ignored
    t = asarray(tdata)
    ignored = t == ignore_index
    smooth = -(logp if w is None else logp * w.reshape(wshape)).sum(1)
    if ignored.any():
        smooth = smooth * (~ignored).astype(input.dtype)
    if reduction == "mean":
        if w is None:
            smooth = smooth.sum() / max(int((~ignored).sum()), 1)
        elif ignored.all():  # the NLL term is torch's NaN with a zero gradient; so is this
            smooth = smooth.sum()
        else:
            smooth = smooth.sum() / w[t[~ignored]].sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    elif squeeze:
        smooth = smooth.reshape(())
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


# == sequence models: embedding, layer norm, GELU/SiLU, attention (issue 17) ====================
def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (V, D) picked by the integer ``input`` (*) → (*, D); the row at
    ``padding_idx`` gets no gradient. ``max_norm``: first, in place and outside autograd,
    every looked-up row whose ``norm_type``-norm exceeds it is scaled by
    max_norm / (norm + 1e-7) (torch's ``embedding_renorm_``). ``scale_grad_by_freq``
    divides each row's gradient by its index's count in ``input``. (``sparse=True``, a
    sparse gradient, is not supported: it raises.)"""
    if sparse:
        raise NotImplementedError("embedding: sparse=True (a sparse gradient) is not supported")
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _embedding(input, weight, padding_idx, scale_grad_by_freq)


def _embedding_renorm_(weight: Tensor, input: Any, max_norm: float, norm_type: float) -> None:
    """Scale, in place, the rows of ``weight`` that ``input`` looks up whose p-norm exceeds
    ``max_norm`` down to max_norm / (norm + 1e-7) of it (an in-place change autograd sees
    through the version counter, as torch's)."""
    w = weight._data
    idx = asarray(input._data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu" or not idx.size or w.ndim != 2 or \
            idx.min() < 0 or idx.max() >= w.shape[0]:
        return  # the lookup itself raises the error, with nothing changed
    rows = xp_of(w).unique(idx)
    r = w[rows]
    if norm_type == math.inf:
        norms = abs(r).max(axis=1)
    else:
        norms = (abs(r) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        with ag.no_grad():
            weight[rows[big]] = Tensor._const(r[big] * scale[:, None])


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """(x − E[x]) / √(Var[x] + eps) · weight + bias over the trailing ``normalized_shape``
    axes (biased variance), as one fused op."""
    return _layer_norm(input, normalized_shape, weight, bias, eps)



def _attn_bias(attn_mask: Any, is_causal: bool, n_l: int, n_s: int, like: Any) -> Any:
    """An additive float mask (0 / −inf, or the given floats) for scores (…, L, S) of the
    query array ``like`` (its dtype, its device), or None."""
    dtype = like.dtype
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should not be "
                               "set when is_causal=True")
        return causal_bias(n_l, n_s, dtype, like)  # built once per (L, S, dtype, device)
    if attn_mask is None:
        return None
    m = attn_mask._data if isinstance(attn_mask, Tensor) else asarray(attn_mask)
    if m.__class__ is not like.__class__:  # torch's error, not a copy
        check_same_device(like, m)
    if m.dtype == bool:
        return np.where(m, 0.0, -np.inf).astype(dtype)  # True = takes part
    return attn_mask if isinstance(attn_mask, Tensor) else m.astype(dtype, copy=False)


def _fusable(query: Tensor, key: Tensor, value: Tensor, bias: Any) -> bool:
    """Whether the fused attention primitive computes this call: the same batch dims for
    Q, K and V, and a constant mask (an array of the scores' dtype) that broadcasts to the
    scores' shape without enlarging it. Otherwise the composite graph does (a float mask
    Tensor that requires grad gets its gradient there)."""
    batch = query.shape[:-2]
    if key.shape[:-2] != batch or value.shape[:-2] != batch:
        return False
    if bias is None:
        return True
    if isinstance(bias, Tensor):
        if bias.requires_grad:
            return False
        bias = bias._data
    if not is_array(bias) or bias.dtype != query.dtype:
        return False
    scores = batch + (query.shape[-2], key.shape[-2])
    try:
        return np.broadcast_shapes(bias.shape, scores) == scores
    except ValueError:
        return False


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q Kᵀ · scale + mask) V for Q (…, L, E), K (…, S, E), V (…, S, Ev) → (…, L, Ev).

    ``scale`` defaults to 1/√E. A bool ``attn_mask`` marks with True the pairs that take
    part (others get −inf); a float mask is added to the scores. ``is_causal`` masks key
    positions after the query's (the upper triangle). ``dropout_p`` drops attention
    weights (always, as torch: pass 0.0 in eval). ``enable_gqa``: K and V with fewer heads
    (dim −3) than Q serve groups of query heads (each repeated Hq/Hkv times).
    """
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("scaled_dot_product_attention", scaled_dot_product_attention, query,
                            key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    if enable_gqa and query.ndim >= 3 and key.ndim >= 3 and \
            key.shape[-3] != query.shape[-3]:
        hq, hkv = query.shape[-3], key.shape[-3]
        if hkv == 0 or hq % hkv or value.shape[-3] != hkv:
            raise RuntimeError(f"scaled_dot_product_attention: with enable_gqa, the query's "
                               f"{hq} heads must be a multiple of the key's and value's "
                               f"({hkv}, {value.shape[-3]})")
        key = key.repeat_interleave(hq // hkv, -3)
        value = value.repeat_interleave(hq // hkv, -3)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2 or query.shape[-1] != key.shape[-1] \
            or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: query {tuple(query.shape)}, key "
                           f"{tuple(key.shape)} and value {tuple(value.shape)} do not fit "
                           f"(need (…, L, E), (…, S, E), (…, S, Ev))")
    s = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    bias = _attn_bias(attn_mask, is_causal, query.shape[-2], key.shape[-2], query._data)
    if dropout_p == 0.0 and _fusable(query, key, value, bias):
        mask = bias._data if isinstance(bias, Tensor) else bias
        return _attention(query, key, value, mask, s)  # one node: softmax(s·QKᵀ + M) V
    scores = ag.matmul(query * s, key.transpose(-2, -1))
    if bias is not None:
        scores = scores + bias
    dead = None
    if bias is not None:  # fully masked queries get weights 0, as torch's _safe_softmax
        dead = scores._data.max(axis=-1, keepdims=True) == -np.inf
        dead = dead if dead.any() else None
    if dead is not None:
        weights = ag.softmax(ag.where(dead, 0.0, scores), -1) * Tensor._const(
            (~dead).astype(scores.dtype))
    else:
        weights = ag.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return ag.matmul(weights, value)


DIFFERENTIABLE += ["embedding", "layer_norm", "scaled_dot_product_attention"]
__all__ += ["embedding", "layer_norm", "scaled_dot_product_attention"]

# -- more activations (issue 15): the engine's ops of autograd/ops/activations.py, with the
# `inplace` flags torch's signatures carry (written into the input, as torch).
__all__ += [
    "celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
    "relu6", "selu", "silu", "softplus", "softsign", "tanhshrink", "threshold",
]
