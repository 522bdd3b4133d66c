"""``DistributedDataParallel``: the same model on N processes, gradients averaged.

Each rank runs the model on its own shard of the global batch. At construction rank 0's
parameters and buffers are broadcast, so every rank starts from the same model; during
``backward()`` the gradients are averaged over the ranks, so after it every rank holds

    grad = (1/N) · Σ_r grad_r

which, when each rank's loss is the mean over an equal shard of a global batch, is the
gradient of the mean loss over the whole global batch: N ranks follow the one-process
trajectory on that batch (to float rounding), and the optimizer steps stay identical.

How (as torch's reducer): the parameters are grouped, in reverse registration order
(roughly the order backward produces their gradients), into flat buckets of one dtype
(the first of 1 MiB so communication starts early, then ``bucket_cap_mb`` MiB each).
A post-accumulate-grad hook on each parameter copies its final ``.grad`` (divided by N)
into its bucket slice; when a bucket is complete its all-reduce is started without
blocking (MPI_Iallreduce, buckets always started in index order so that every rank
issues the same sequence), and backward goes on computing the earlier layers'
gradients meanwhile. (MPI without a progress thread advances a started collective only
inside MPI calls, so each later hook also calls MPI_Testall on the buckets in flight.)
A callback queued on the backward pass waits for all buckets at its end and copies the
averaged values back into ``.grad``.

Per rank, not global: BatchNorm normalises with the statistics of the local shard and
updates its running statistics from them; with ``broadcast_buffers=True`` (the default)
rank 0's buffers are broadcast before every forward that will synchronise, so all ranks
carry rank 0's running statistics. A model with BatchNorm therefore does not reproduce
the one-process run on the global batch (batch statistics over B/N samples instead of
B); everything else does. ``nn.SyncBatchNorm.convert_sync_batchnorm(model)`` before
wrapping makes the statistics global (and the run reproduce), at four small blocking
all-reduces per BatchNorm layer and step.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import autograd.distributed as dist
from autograd.backend import writeable
from autograd.engine import STATE, queue_callback
from autograd.tensor import Tensor
from nn.modules.module import Module

__all__ = ["DistributedDataParallel"]

_MiB = 1024 * 1024
_FIRST_BUCKET_BYTES = 1 * _MiB  # torch's dist._DEFAULT_FIRST_BUCKET_BYTES


class _Bucket:
    """One flat buffer that is all-reduced as a whole, and the parameters it holds."""

    __slots__ = ("index", "buffer", "params", "pending", "request")

    def __init__(self, index: int, buffer: np.ndarray, params: list[int]) -> None:
        self.index = index
        self.buffer = buffer
        self.params = params  # indices into DistributedDataParallel._params
        self.pending = len(params)
        self.request: Any = None


class DistributedDataParallel(Module):
    """Wrap ``module`` so that ``backward()`` averages its gradients over all ranks.

    ``ddp(x)`` runs ``module(x)``; ``ddp.module`` is the wrapped module, and the
    state_dict keys carry its ``module.`` prefix, as torch. ``no_sync()`` skips the
    averaging for gradient accumulation. ``find_unused_parameters=True`` lets some
    parameters get no gradient in a backward (they are reduced, as zeros where unused
    on a rank, at the end of backward; a parameter unused on every rank keeps its
    ``.grad``). ``gradient_as_bucket_view=True`` makes each ``.grad`` a view into its
    bucket after the first synchronised backward, saving the copies in and out.
    CPU only: ``device_ids`` and ``output_device`` must be None; ``init_sync=False``
    skips the initial broadcast; ``dim``, ``check_reduction`` and ``static_graph`` are
    accepted and change nothing. Not supported: ``backward(create_graph=True)`` through
    the wrapper (a RuntimeError says so).
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, init_sync: bool = True,
                 process_group: Any = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps an nn.Module, got "
                            f"{type(module).__name__}")
        if device_ids is not None or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work "
                "with single-device/multiple-device GPU modules or CPU modules, but got "
                f"device_ids {device_ids}, output_device {output_device}, and module "
                "parameters {device(type='cpu')}."
            )
        if process_group is not None:
            raise NotImplementedError("chainrule has only the default process group: pass "
                                      "process_group=None")
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        self._comm = dist._world()  # raises torch's ValueError before init_process_group
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * _MiB)
        self.require_backward_grad_sync = True
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        self._world_size = self._comm.Get_size()
        self._verify_same_model()
        if init_sync:
            for t in [*self._params, *module.buffers()]:
                _broadcast_inplace(self._comm, t)
        self._buckets, self._slots = _assign_buckets(self._params, self.bucket_bytes_cap)
        self._armed = False  # set by a synchronising forward, cleared at the end of backward
        self._started = False  # a hook of this backward ran (the final callback is queued)
        self._marked = [False] * len(self._params)
        self._next = 0  # the next bucket to start (buckets start in index order)
        ref = weakref.ref(self)  # hooks must not keep a dropped wrapper alive
        self._handles = [p.register_post_accumulate_grad_hook(_make_hook(ref, i))
                         for i, p in enumerate(self._params)]

    # -- forward -------------------------------------------------------------------------
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        # As torch: a forward with grad enabled decides whether the next backward
        # averages (not inside no_sync); one under no_grad (evaluation) changes nothing.
        if STATE.grad_enabled:
            self._reset()
            self._armed = self.require_backward_grad_sync
            if self._armed and self.broadcast_buffers:
                for b in self.module.buffers():
                    _broadcast_inplace(self._comm, b)
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, forward/backward accumulate gradients locally without averaging; the
        first synchronised backward after it averages the accumulated ``.grad``."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # -- the reducer ---------------------------------------------------------------------
    def _reset(self) -> None:
        for b in self._buckets:
            if b.request is not None:  # a backward that failed half-way: let MPI finish
                b.request.Wait()
            b.request = None
            b.pending = len(b.params)
        self._marked = [False] * len(self._params)
        self._next = 0
        self._started = False

    def _grad_ready(self, i: int) -> None:
        """Parameter ``i``'s ``.grad`` is final for this backward: put it in its bucket."""
        if not self._armed:
            return
        if STATE.grad_enabled:
            raise RuntimeError("DistributedDataParallel does not support backward with "
                               "create_graph=True (double backward) through the wrapper")
        if self._marked[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter {self._names[i]} "
                "got its gradient twice in one backward pass (a second backward after one "
                "forward? run forward again, or use no_sync())"
            )
        if not self._started:
            self._started = True
            queue_callback(self._finalize_backward)
        self._marked[i] = True
        self._fill(i, self._params[i].grad)

    def _fill(self, i: int, grad: Tensor | None) -> None:
        bucket, view = self._slots[i]
        if grad is None:
            view[...] = 0
        elif self._world_size == 1:
            if grad._data is not view:
                np.copyto(view, grad._data)
        else:  # divided before the sum, as torch (an exact power of two for 2, 4, 8 ranks)
            np.divide(grad._data, self._world_size, out=view)
        bucket.pending -= 1
        MPI = dist._mpi()
        if self._next:  # MPI progresses a started all-reduce only inside MPI calls: poke it
            MPI.Request.Testall([b.request for b in self._buckets[:self._next]])
        if bucket.pending == 0:
            while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
                b = self._buckets[self._next]
                b.request = self._comm.Iallreduce(MPI.IN_PLACE, b.buffer, op=MPI.SUM)
                self._next += 1

    def _finalize_backward(self) -> None:
        """End of backward: start what is left, wait for every bucket, write back."""
        self._armed = False
        missing = [i for i, m in enumerate(self._marked) if not m]
        used = None
        if missing and self.find_unused_parameters:
            used = np.array(self._marked, dtype=np.int32)
            for i in missing:
                self._fill(i, self._params[i].grad)
        elif missing:
            self._reset()
            names = ", ".join(self._names[i] for i in missing)
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting "
                "a new one. This error indicates that your module has parameters that were "
                "not used in producing loss. You can enable unused parameter detection by "
                "passing the keyword argument `find_unused_parameters=True` to "
                "`nn.parallel.DistributedDataParallel`. Parameters which did not receive "
                f"grad for rank {self._comm.Get_rank()}: {names}"
            )
        elif self.find_unused_parameters:
            used = np.ones(len(self._params), dtype=np.int32)
        dist._mpi().Request.Waitall([b.request for b in self._buckets])
        if used is not None:  # every rank takes this collective: the flag is the same
            self._comm.Allreduce(dist._mpi().IN_PLACE, used, op=dist._mpi().MAX)
        for i, p in enumerate(self._params):
            if used is not None and not used[i]:
                continue  # unused on every rank: .grad stays as it was
            _store_grad(p, self._slots[i][1], self.gradient_as_bucket_view)
        self._reset()

    def _verify_same_model(self) -> None:
        mine = [(tuple(p.shape), p.dtype.str) for p in self._params]
        everyone = self._comm.allgather(mine)
        for r, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but rank {r} has {len(theirs)} "
                    f"parameters {theirs[:4]}... while rank 0 has {len(everyone[0])}: "
                    f"{everyone[0][:4]}..."
                )


def _make_hook(ref: weakref.ref, i: int) -> Any:
    def hook(param: Tensor) -> None:
        ddp = ref()
        if ddp is not None:
            ddp._grad_ready(i)
    return hook


def _store_grad(p: Tensor, view: np.ndarray, as_view: bool) -> None:
    """Write the averaged gradient from the bucket into ``p.grad``."""
    grad = p.grad
    if as_view:
        if grad is None or grad._data is not view:
            p.grad = Tensor._const(view)
    elif grad is not None and grad._node is None and writeable(grad._data):
        np.copyto(grad._data, view)
    else:
        p.grad = Tensor._const(view.copy())


def _broadcast_inplace(comm: Any, t: Tensor) -> None:
    """Rank 0's values of ``t`` on every rank, written into ``t``'s array."""
    arr = t._data
    if arr.flags.c_contiguous and writeable(arr):
        comm.Bcast(arr, root=0)
    else:
        tmp = np.ascontiguousarray(arr)
        comm.Bcast(tmp, root=0)
        t._data[...] = tmp


def _assign_buckets(params: list[Tensor], cap: int) -> tuple[list[_Bucket], list[tuple]]:
    """Buckets of one dtype in reverse parameter order: the first up to 1 MiB, the rest
    up to ``cap`` bytes (a bucket closes once it reaches its limit, as torch's
    compute_bucket_assignment_by_size). Returns the buckets and, per parameter, its
    bucket and its slice of the bucket's buffer shaped like the parameter."""
    open_: dict = {}  # dtype -> (param indices, bytes so far, buckets closed so far)
    groups: list[list[int]] = []
    for i in reversed(range(len(params))):
        key = params[i].dtype
        idx, size, closed = open_.get(key, ([], 0, 0))
        idx.append(i)
        size += params[i]._data.nbytes
        limit = _FIRST_BUCKET_BYTES if closed == 0 else cap
        if size >= limit:
            groups.append(idx)
            open_[key] = ([], 0, closed + 1)
        else:
            open_[key] = (idx, size, closed)
    groups.extend(idx for idx, _, _ in open_.values() if idx)
    buckets: list[_Bucket] = []
    slots: list = [None] * len(params)
    for b, idx in enumerate(groups):
        dtype = params[idx[0]].dtype
        buffer = np.zeros(sum(params[i]._data.size for i in idx), dtype=dtype)
        bucket = _Bucket(b, buffer, idx)
        offset = 0
        for i in idx:
            n = params[i]._data.size
            slots[i] = (bucket, buffer[offset:offset + n].reshape(params[i].shape))
            offset += n
        buckets.append(bucket)
    return buckets, slots
