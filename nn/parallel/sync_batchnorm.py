"""``SyncBatchNorm``: batch norm whose training statistics cover the global batch.

Each rank holds a shard of the global batch; in training the per-channel mean and
biased variance are those of all ranks' samples together (M = the global count per
channel), computed in two passes as one process would:

    μ = all_reduce(Σ_local x) / M,   σ² = all_reduce(Σ_local (x − μ)²) / M,
    y = (x − μ) / √(σ² + eps) · weight + bias

so N ranks with equal shards reproduce ``BatchNorm`` on the global batch, running
statistics included (updated from μ and the unbiased σ²·M/(M − 1), the same on every
rank). The all-reduces are differentiable (:class:`AllReduceSum`: the backward of a sum
over ranks is the sum over ranks of the gradients), so backward reduces Σdy-type terms
across ranks too: two blocking all-reduces of C+1 and C values in the forward, two in
the backward. In eval it is plain batch norm with the running statistics. Without an
initialised process group it is a job of one rank: batch norm over the local batch
(through the same code, which the single-process gradcheck case exercises).
"""

from __future__ import annotations

from typing import Any

import autograd as ag
import autograd.distributed as dist
from autograd.backend import check_same_device
from autograd.function import Function, FunctionCtx
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.batchnorm import _BatchNorm
from nn.modules.module import Module

__all__ = ["AllReduceSum", "SyncBatchNorm"]


class AllReduceSum(Function):
    """y = Σ_r x_r on every rank (a new tensor); backward: dx_r = Σ_s dy_s, since every
    rank's loss depends on y (torch.distributed.nn.functional.all_reduce). The identity
    without an initialised process group."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
        return _summed(x)

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Tensor) -> Tensor:
        if grad.requires_grad:  # create_graph: stay differentiable
            return AllReduceSum.apply(grad)
        return _summed(grad)


def _summed(t: Tensor) -> Tensor:
    """A new tensor holding Σ_r t_r (t itself, copied, without a process group)."""
    out = Tensor._const(t._data.copy())  # C order, on t's device
    if dist.is_initialized():
        dist.all_reduce(out)
    return out


class SyncBatchNorm(_BatchNorm):
    """Batch norm over channel axis 1 of an input of 2 or more dimensions, with the
    statistics of the whole global batch in training (see the module docstring).
    ``process_group`` must be None (the default group)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None) -> None:
        if process_group is not None:
            raise NotImplementedError("chainrule has only the default process group: pass "
                                      "process_group=None")
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input of shape "
                             f"{tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            raise ValueError(f"SyncBatchNorm({self.num_features}) got input with "
                             f"{input.shape[1]} channels (shape {tuple(input.shape)})")
        factor = self._update_factor()
        if self.training or self.running_mean is None:
            return self._sync_forward(input, factor)
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight,
                            self.bias, False, factor, self.eps)

    def _sync_forward(self, x: Tensor, factor: float) -> Tensor:
        c = self.num_features
        axes = (0,) + tuple(range(2, x.ndim))
        bshape = (1, c) + (1,) * (x.ndim - 2)
        count = ag.tensor([x.numel() // c], dtype=x.dtype, device=x.device)
        totals = AllReduceSum.apply(ag.cat([x.sum(dim=axes), count]))
        m = float(totals._data[c])
        if m <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel when "
                             f"training, got {int(m)} over all ranks (local input of shape "
                             f"{tuple(x.shape)})")
        mean = totals[:c] / m
        xc = x - mean.reshape(bshape)
        var = AllReduceSum.apply((xc * xc).sum(dim=axes)) / m
        y = xc * ((var + self.eps) ** -0.5).reshape(bshape)
        if self.weight is not None:
            y = y * self.weight.reshape(bshape) + self.bias.reshape(bshape)
        if self.training and self.track_running_stats:
            check_same_device(x._data, self.running_mean._data)  # torch's error, not a copy
            with ag.no_grad():
                for buf, stat in ((self.running_mean, mean._data),
                                  (self.running_var, var._data * (m / (m - 1)))):
                    buf._data *= 1.0 - factor
                    buf._data += (factor * stat).astype(buf.dtype, copy=False)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with every BatchNorm1d/2d (itself included) replaced by a
        SyncBatchNorm sharing its parameters and buffers."""
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                out.register_buffer(name, getattr(module, name))
            out.train(module.training)
            return out
        for name, child in list(module.named_children()):
            new = cls.convert_sync_batchnorm(child, process_group)
            if new is not child:
                module.add_module(name, new)
        return module
