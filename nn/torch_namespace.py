"""torch's top-level names of functional ops (``torch.dropout``, ``torch.layer_norm``,
``torch.cosine_similarity``, ...), installed into the ``autograd`` namespace when ``nn`` is
imported, so torch code run as ``import autograd as torch`` finds them.

Why here and not in autograd: their implementations live in ``nn`` (``nn.functional`` and the
modules it gathers), and autograd may not import nn (the layering rule: nn and optim import
autograd, never the reverse). Torch code that calls them imports ``torch.nn`` anyway (it is
how ``import autograd as torch`` code reaches layers and ``torch.nn.functional``), so the
names are there by the time such code runs. A name autograd already has is never replaced.

Each one has torch 2.13's TOP-LEVEL (ATen) signature and meaning, which often differ from
``torch.nn.functional``'s, as thin wrappers over ``nn.functional``:

- losses take ``reduction`` as ATen's int: 0 none, 1 mean, 2 sum; any other int reads as
  none, as ATen's ``apply_loss_reduction``. Left out, it is 0: the schemas say Mean, but
  torch's Python binding reads that default's text (``at::Reduction::Mean``) as the integer
  0, so in torch 2.13 ``torch.kl_div(x, t)`` or ``torch.ctc_loss(...)`` reduces nothing.
  ``kl_div``'s 1 is the elementwise mean with no warning (F's 'mean' warns) and its target
  broadcasts against the input;
- ``train``/``training`` flags and ``poisson_nll_loss``'s options are required positionals;
  a dropout ``p`` outside [0, 1] raises RuntimeError (F raises ValueError);
- ``batch_norm``/``instance_norm`` take ``weight, bias`` before the running statistics, and
  the ``cudnn_enable(d)`` flags, which change nothing here;
- ``embedding`` takes ``weight`` first, and ``padding_idx`` < 0 means none;
- ``max_pool1d``/``max_pool3d`` return the values only (``stride=[]`` meaning the kernel
  size); ``max_pool1d_with_indices`` and ``adaptive_max_pool1d`` return (values, indices).

Left out: ``embedding_bag`` (torch's top-level form returns ATen's bookkeeping tuple
(output, offset2bag, bag_size, max_indices)), and the internal, undocumented ATen entry
points ``conv_tbc``, ``convolution``, ``grid_sampler``, ``affine_grid_generator``,
``native_*`` and the ``lstm``/``gru``/``rnn_tanh``/``rnn_relu`` (cell) kernels.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import xp_of
from autograd.random import resolve
from autograd.tensor import Tensor
from nn import functional as F
from nn.feature_dropout import _dropout

__all__ = [
    "dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout", "dropout_",
    "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_",
    "layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm", "embedding",
    "cosine_similarity", "pairwise_distance", "pdist",
    "kl_div", "binary_cross_entropy_with_logits", "hinge_embedding_loss",
    "margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss",
    "poisson_nll_loss", "ctc_loss",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "prelu", "rrelu", "rrelu_",
    "hardshrink", "relu_", "selu_", "celu_", "threshold_", "bilinear",
    "conv3d", "conv_transpose3d", "max_pool1d", "max_pool3d", "avg_pool1d",
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "max_pool1d_with_indices",
]

# the same signature and meaning at the top level as in F: F's function itself
cosine_similarity, pairwise_distance, pdist = F.cosine_similarity, F.pairwise_distance, F.pdist
pixel_shuffle, pixel_unshuffle, channel_shuffle = (F.pixel_shuffle, F.pixel_unshuffle,
                                                   F.channel_shuffle)
rms_norm, prelu, hardshrink, bilinear = F.rms_norm, F.prelu, F.hardshrink, F.bilinear
relu_, selu_, celu_, threshold_ = F.relu_, F.selu_, F.celu_, F.threshold_
conv3d, conv_transpose3d = F.conv3d, F.conv_transpose3d
adaptive_avg_pool1d = F.adaptive_avg_pool1d


def _reduction(reduction: int) -> str:
    """ATen's Reduction enum as F's string; anything but 1 or 2 reduces nothing (ATen)."""
    return {1: "mean", 2: "sum"}.get(int(reduction), "none")


# -- dropouts: y = x · keep / (1 − p), keep ~ Bernoulli(1 − p) per element or per (n, c) ----
def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:  # ATen's check, a RuntimeError, even when train is False
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def _in_place(input: Tensor, out: Tensor) -> Tensor:
    # the shortcuts (p = 0, eval) hand back the input itself: nothing to copy
    return input if out is input else input.copy_(out)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Elementwise inverted dropout of any shape; the input itself when not ``train``."""
    _check_p(p)
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """:func:`dropout` in place: the same draws as F.dropout(..., inplace=True)."""
    _check_p(p)
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """SELU's dropout, elementwise: a·(x·keep − α′·(1 − keep)) + b (keeps mean 0, var 1)."""
    _check_p(p)
    return F.alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """:func:`alpha_dropout` written into ``input``."""
    _check_p(p)
    return _in_place(input, F.alpha_dropout(input, p, train))


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Inverted dropout with one draw per (sample, channel) of (N, C, *), N·C draws: whole
    feature maps kept or zeroed (F.dropout2d's rule for any rank ≥ 2, without its warnings)."""
    _check_p(p)
    return _dropout(input, p, train, True, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """:func:`feature_dropout` written into ``input``."""
    _check_p(p)
    return _in_place(input, _dropout(input, p, train, True, False))


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Alpha dropout with one draw per (sample, channel) of (N, C, *)."""
    _check_p(p)
    return F.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """:func:`feature_alpha_dropout` written into ``input``."""
    _check_p(p)
    return _in_place(input, F.feature_alpha_dropout(input, p, train))


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, generator: Any = None) -> Tensor:
    """x where x ≥ 0, a·x below; a ~ U(lower, upper) per element when ``training`` (drawn
    from ``generator``, an ``autograd.Generator``, when given), (lower + upper)/2 otherwise."""
    if generator is None or not training:
        return F.rrelu(input, lower, upper, training)
    dt = input.dtype if input.dtype in (np.float32, np.float64) else np.float64  # as F's
    xp = xp_of(input._data)
    a = xp.asarray(lower + (upper - lower) * resolve(generator).random(input.shape, dtype=dt))
    return input * xp.where(input._data >= 0, 1, a).astype(input.dtype)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False, generator: Any = None) -> Tensor:
    """:func:`rrelu` written into ``input``."""
    return input.copy_(rrelu(input, lower, upper, training, generator))


# -- normalisation and lookup: ATen's argument order --------------------------------------
def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """(x − E[x]) / √(Var[x] + eps) · weight + bias over the trailing ``normalized_shape``."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """Normalise (N, C, *) over each of ``num_groups`` channel groups; · weight_c + bias_c."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """Batch norm over channel axis 1 of (N, C, *), the running statistics updated in place
    when ``training`` (F.batch_norm with weight and bias moved ahead of the statistics)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                        eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """Normalise each (n, c) of (N, C, *) over its positions, then · weight_c + bias_c."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def embedding(weight: Tensor, indices: Any, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (V, D) at ``indices`` (*) → (*, D); row ``padding_idx`` gets no
    gradient. ATen's padding_idx is already resolved: any negative one means none."""
    return F.embedding(indices, weight, padding_idx if padding_idx >= 0 else None,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


# -- losses: int reductions, none when left out (torch 2.13's binding; see the top) ---------
def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *,
           log_target: bool = False) -> Tensor:
    """Pointwise t·(log t − input) (e^t·(t − input) with ``log_target``); 1 is the mean over
    every element (ATen's, with none of F's 'mean' warning)."""
    input, target = ag.broadcast_tensors(input, target)  # ATen broadcasts; F's check won't
    loss = F.kl_div(input, target, reduction="none", log_target=log_target)
    red = _reduction(reduction)
    return loss.mean() if red == "mean" else loss.sum() if red == "sum" else loss


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = 0) -> Tensor:
    """−w·[pos_weight·t·log σ(x) + (1 − t)·log(1 − σ(x))]."""
    return F.binary_cross_entropy_with_logits(input, target, weight,
                                              reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = 0) -> Tensor:
    """x where y = 1, max(0, margin − x) where y = −1."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """max(0, −y·(x1 − x2) + margin)."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction(reduction))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0.0, reduction: int = 0) -> Tensor:
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction(reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, reduction: int = 0) -> Tensor:
    """max(d(a, p) − d(a, n) + margin, 0), d the p-norm pairwise distance."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """e^x − t·x with ``log_input``, else x − t·log(x + eps); ``full`` adds Stirling's
    t·log t − t + ½·log(2πt) where t > 1. Every argument is required, as ATen's."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction(reduction))


def ctc_loss(log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss of (T, N, C) log-probabilities; 1 is the
    mean over the batch of each loss divided by its target length."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      _reduction(reduction), zero_infinity)


# -- pooling: ATen's stride=[] is the kernel size --------------------------------------------
def _stride(stride: Any) -> Any:
    return None if stride is None or (isinstance(stride, list | tuple) and not stride) \
        else stride


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """Max over windows of (N, C, L) or (C, L) along L; values only."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (),
                            padding: Any = 0, dilation: Any = 1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """:func:`max_pool1d` and each max's index along L."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode,
                        True)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """Max over windows of (N, C, D, H, W) or (C, D, H, W); values only."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over windows of (N, C, L) or (C, L) along L."""
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode,
                        count_include_pad)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """(values, indices) of the max of each of ``output_size`` adaptive bins along L
    (always the pair, unlike F's)."""
    return F.adaptive_max_pool1d(input, output_size, True)


def install(module: types.ModuleType = ag) -> list[str]:
    """Bind each name of ``__all__`` that ``module`` lacks (the autograd package by
    default); an existing attribute, even a lazily loaded one, is left alone. Returns the
    names bound."""
    done = []
    for name in __all__:
        if not hasattr(module, name):
            setattr(module, name, globals()[name])
            done.append(name)
    return done


INSTALLED = install()
