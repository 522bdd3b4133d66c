"""``CTCLoss``: the module form of ``nn/ctc.py``'s ``ctc_loss`` (torch's constructor and
defaults)."""

from __future__ import annotations

from typing import Any

from autograd.tensor import Tensor
from nn.ctc import ctc_loss
from nn.modules.loss import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """The CTC loss of log_probs (T, N, C) or (T, C) against targets (see ``F.ctc_loss``)."""

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Any, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)
