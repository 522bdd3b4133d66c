"""Gradcheck cases for the structured losses and layers: ``ctc_loss``/``CTCLoss``,
``multi_head_attention_forward``, ``AdaptiveLogSoftmaxWithLoss`` and fractional max
pooling.
Imported by nn/cases.py, which registers them with the rest."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from nn import functional as F
from nn.cases import _fn, layer_case
from nn.modules import (
    AdaptiveLogSoftmaxWithLoss,
    CTCLoss,
    FractionalMaxPool2d,
    FractionalMaxPool3d,
)

__all__: list = []

# torch defines no derivative of _ctc_loss_backward (its second derivative raises, as
# torch's): these cases check the first derivative only; CtcLossBackward says so itself
# (twice_differentiable = False), which the coverage test reads
_FIRST_ONLY: dict = {"second_order": False,
                     "extra": {"why": "torch has no derivative of _ctc_loss_backward"}}


def _register_ctc() -> None:
    # repeated labels (1, 1: a blank must sit between them), a zero-length target, lengths
    # shorter than T; the gradient is checked through log_softmax, where torch's formula is
    # the derivative
    padded = np.array([[1, 1, 2], [2, 0, 0], [3, 1, 3]])
    concat = np.array([1, 1, 2, 3, 1, 3])

    def ctc(x: Any, red: str, targets: np.ndarray, zi: bool = False) -> Any:
        lp = F.log_softmax(x, -1)
        return F.ctc_loss(lp, ag.tensor(targets), ag.tensor([6, 4, 5]), ag.tensor([3, 0, 3]),
                          reduction=red, zero_infinity=zi)

    _fn("ctc_loss", "padded-mean", lambda x: ctc(x, "mean", padded), (6, 3, 4), **_FIRST_ONLY)
    _fn("ctc_loss", "concatenated-none", lambda x: ctc(x, "none", concat), (6, 3, 4),
        **_FIRST_ONLY)
    _fn("ctc_loss", "unbatched-blank2-sum",
        lambda x: F.ctc_loss(F.log_softmax(x, -1), ag.tensor([0, 1, 1]), (5,), (3,), blank=2,
                             reduction="sum"), (5, 3), **_FIRST_ONLY)
    # sample 0 cannot be aligned (3 labels with a repeat need 4 steps, it has 3): zeroed
    _fn("ctc_loss", "zero-infinity",
        lambda x: F.ctc_loss(F.log_softmax(x, -1), ag.tensor([[1, 1, 2], [2, 1, 0]]),
                             [3, 5], [3, 2], zero_infinity=True, reduction="sum"),
        (5, 2, 3), **_FIRST_ONLY)
    layer_case("blank1-sum", CTCLoss(blank=1, reduction="sum"), (4, 2, 3),
               call=lambda m, x: m(F.log_softmax(x, -1), ag.tensor([[2, 2], [0, 2]]), [4, 3],
                                   [2, 1]), **_FIRST_ONLY)


def _register_attention() -> None:
    # a float padding mask like the float attn_mask (mixing bool and float warns, as torch)
    kpm = np.where([[False, True, False], [False, False, False]], -np.inf, 0.0)
    mask = np.random.default_rng(3).standard_normal((2, 3))

    def packed(q: Any, kv: Any, w: Any, b: Any, bk: Any, ow: Any) -> Any:
        out, wts = F.multi_head_attention_forward(
            q, kv, kv, 4, 2, w, b, bk, bk * 0.5, True, 0.0, ow, None,
            key_padding_mask=ag.tensor(kpm), attn_mask=ag.tensor(mask),
            average_attn_weights=False)
        return out, wts

    _fn("multi_head_attention_forward", "packed-bias-kv-zero-attn-masks", packed,
        (2, 2, 4), (3, 2, 4), (12, 4), (12,), (1, 1, 4), (4, 4))

    def separate(q: Any, k: Any, v: Any, wq: Any, wk: Any, wv: Any, sv: Any) -> Any:
        return F.multi_head_attention_forward(
            q, k, v, 4, 2, None, None, None, None, False, 0.0, wq, None,
            need_weights=False, use_separate_proj_weight=True, q_proj_weight=wq,
            k_proj_weight=wk, v_proj_weight=wv, static_v=sv)[0]

    _fn("multi_head_attention_forward", "separate-static-v-unbatched", separate,
        (2, 4), (3, 3), (3, 2), (4, 4), (4, 3), (4, 2), (2, 3, 2))


def _register_adaptive() -> None:
    # targets in the shortlist and in both clusters (the head, both tails get gradients)
    target = np.array([0, 5, 2, 3, 1])
    asm = AdaptiveLogSoftmaxWithLoss(4, 6, [2, 4], div_value=2.0, head_bias=True)
    layer_case("two-clusters", asm, (5, 4),
               call=lambda m, x: tuple(m(x, ag.tensor(target))))
    layer_case("log-prob", AdaptiveLogSoftmaxWithLoss(3, 5, [3], div_value=1.0), (2, 3),
               call=lambda m, x: m.log_prob(x))


def _distinct(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # well-separated values: every window has a unique maximum
    n = int(np.prod(shape)) if shape else 1
    return rng.permutation(n).reshape(shape) * 0.37 - 0.2 * n


def _register_fractional() -> None:
    # fixed samples (a constant of the case): the windows do not move between calls
    s2 = np.random.default_rng(4).random((2, 2, 2))
    s3 = np.random.default_rng(5).random((1, 2, 3))
    _fn("fractional_max_pool2d", "size-overlapping",
        lambda x: F.fractional_max_pool2d(x, 3, (3, 4), _random_samples=ag.tensor(s2)) ** 2,
        (2, 2, 6, 7), make=_distinct)
    _fn("fractional_max_pool3d", "ratio-unbatched",
        lambda x: F.fractional_max_pool3d(x, (2, 1, 2), output_ratio=0.5,
                                          _random_samples=ag.tensor(s3)) ** 2,
        (2, 4, 5, 6), make=_distinct)
    layer_case("k2-size3", FractionalMaxPool2d(2, 3, _random_samples=ag.tensor(s2)),
               (2, 2, 5, 5), call=lambda m, x: m(x) ** 2, make=_distinct)
    layer_case("k2-indices", FractionalMaxPool3d(2, (2, 2, 3), return_indices=True,
                                                 _random_samples=ag.tensor(s3)),
               (1, 2, 4, 4, 5), call=lambda m, x: m(x)[0] ** 2, make=_distinct)


_register_ctc()
_register_attention()
_register_adaptive()
_register_fractional()
