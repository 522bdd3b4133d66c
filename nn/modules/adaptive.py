"""``AdaptiveLogSoftmaxWithLoss``: torch's efficient softmax approximation (Grave et al.,
2016) for many classes, with torch's parameter names (``head``, ``tail.i.0``, ``tail.i.1``),
so state_dicts load from torch's layout.

The classes split at ``cutoffs`` into a shortlist [0, c₀) and clusters [cᵢ, cᵢ₊₁). The head
Linear(in, c₀ + n_clusters) scores the shortlist and one entry per cluster; cluster i has
its own two-layer tail in → in // div_valueⁱ⁺¹ → its size. For a class y in cluster i,

    log p(y | x) = log_softmax(head(x))[c₀ + i] + log_softmax(tail_i(x))[y − cᵢ],

and for a shortlist class just log_softmax(head(x))[y]. Built from differentiable ops.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd as ag
from autograd.backend import follow, to_host
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.container import ModuleList, Sequential
from nn.modules.linear import Linear
from nn.modules.module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """``forward(input (N, in) or (in,), target (N,) or ()) → _ASMoutput(output, loss)``:
    each target's log-probability (N,) and the mean negative log-likelihood; ``log_prob``
    gives the full (N, n_classes) log-distribution, ``predict`` the most likely class."""

    def __init__(self, in_features: int, n_classes: int, cutoffs: Sequence[int],
                 div_value: float = 4.0, head_bias: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1 \
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = {"device": device, "dtype": dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self) -> None:
        """Every Linear's own initialisation again (torch's)."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Any) -> _ASMoutput:
        # the targets are read on the host (their rows pick the clusters), as torch's nonzero
        target = to_host(target_._data) if isinstance(target_, Tensor) else np.asarray(target_)
        if target.ndim == 1:
            if input_.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {list(input_.shape)}")
        elif target.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {list(input_.shape)}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target.ndim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = np.asarray(target if batched else target[None]).astype(np.int64)
        n = target.shape[0]
        gather = np.empty(n, dtype=np.int64)
        rows, parts = [], []  # each cluster's rows and their log p(y | cluster)
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            idx = np.flatnonzero((target >= lo) & (target < hi))
            if idx.size == 0:
                continue
            rows.append(idx)
            if i == 0:
                gather[idx] = target[idx]
                parts.append(Tensor._const(follow(np.zeros(idx.size, input.dtype), input._data)))
                continue
            gather[idx] = self.shortlist_size + i - 1
            logp = F.log_softmax(self.tail[i - 1](input[follow(idx, input._data)]), dim=1)
            rel = follow((target[idx] - lo)[:, None], input._data)
            parts.append(logp.gather(1, Tensor._const(rel)).squeeze(1))
        used = sum(r.size for r in rows)
        if used != n:
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{target.min()}, {target.max()}] were found. ")
        # the rows back in batch order (torch's index_copy_ into a zero vector)
        order = follow(np.argsort(np.concatenate(rows), kind="stable"), input._data) \
            if parts else None
        output = ag.cat(parts)[order] if parts \
            else Tensor._const(follow(np.zeros(0, input.dtype), input._data))
        head_logprob = F.log_softmax(self.head(input), dim=1)
        inds = Tensor._const(follow(gather[:, None], input._data))
        output = output + head_logprob.gather(1, inds).squeeze(1)
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        """(N, n_classes) log-probabilities from the input and the head's output."""
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob
                         + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ag.cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """log p(c | x) for every class c: (N, in_features) → (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class per row (N,) (as ``log_prob(input).argmax(1)``; the tails
        run only for rows whose head picks a cluster)."""
        head_output = self.head(input)
        output = ag.argmax(head_output, dim=1)
        out = output._data
        not_in_shortlist = out >= self.shortlist_size
        if not not_in_shortlist.any():
            return output
        if not_in_shortlist.all():
            return ag.argmax(self._get_full_log_prob(input, head_output), dim=1)
        sel = follow(np.flatnonzero(to_host(not_in_shortlist)), out)
        log_prob = self._get_full_log_prob(input[sel], head_output[sel])
        out = out.copy()
        out[sel] = ag.argmax(log_prob, dim=1)._data
        return Tensor._const(out)
