"""Collective communication between processes over MPI (torch.distributed's API).

Launch N copies of a script with ``mpiexec -n N python script.py``; each calls
``init_process_group(backend="mpi")`` and then talks to the others through collectives
on tensors, in place on their NumPy buffers (no copies): ``all_reduce`` (every rank ends
with the elementwise reduction of all ranks' tensors), ``broadcast`` (``src``'s tensor
everywhere), ``all_gather`` (every rank's tensor, on every rank), ``barrier``.

MPI comes from ``mpi4py`` (an optional extra: ``pip install chainrule[mpi]``, which also
installs the MPICH wheel and its ``mpiexec``). This module imports without it;
``init_process_group`` then raises a RuntimeError saying what to install.

Differences from torch, on purpose:

- ``ReduceOp.AVG`` works (SUM, then a division by the world size, for floating-point
  tensors): torch's NCCL backend has it, its MPI and Gloo backends raise. Code written
  for either runs here.
- One group only, the default (``group=None``); ``new_group`` does not exist.
- ``init_process_group`` installs a ``sys.excepthook`` that prints the traceback, then
  calls ``MPI.COMM_WORLD.Abort(1)`` when there are several ranks (as ``python -m mpi4py``
  does): a rank that raises ends the whole job with a non-zero exit instead of leaving
  the other ranks blocked forever in their next collective. ``destroy_process_group``
  puts the previous hook back.
"""

from __future__ import annotations

import enum
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.backend import writeable
from autograd.tensor import Tensor, _bump_version

__all__ = [
    "ReduceOp", "Work", "all_gather", "all_gather_object", "all_reduce", "barrier",
    "broadcast", "broadcast_object_list", "destroy_process_group", "get_backend", "get_rank",
    "get_world_size", "init_process_group", "is_available", "is_initialized",
    "is_mpi_available", "launched_by_mpiexec",
]

INSTALL_HINT = "pip install chainrule[mpi]"  # the extra that brings mpi4py and MPICH


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the ranks' tensors, elementwise (torch's values)."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7


class _World:
    """The default process group: the MPI communicator and what init replaced."""

    comm: Any = None
    excepthook: Callable | None = None


def _mpi() -> Any:
    """The ``mpi4py.MPI`` module (imported on first use: importing it starts MPI)."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(
            "the 'mpi' backend needs mpi4py and an MPI library, which are not installed: "
            f"run `{INSTALL_HINT}` (mpi4py with the MPICH wheel)"
        ) from e
    return MPI


def is_available() -> bool:
    """Whether distributed training can run here (mpi4py importable)."""
    return is_mpi_available()


def is_mpi_available() -> bool:
    """Whether the MPI backend is available (mpi4py importable; this does not start MPI,
    only importing ``mpi4py.MPI`` does)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


# What launchers put in each rank's environment: MPICH's hydra, Open MPI, PMIx.
_LAUNCHER_SIZE_VARS = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE")


def launched_by_mpiexec() -> bool:
    """Whether this process was started by ``mpiexec``/``mpirun`` (from the launcher's
    environment variables; imports nothing, starts nothing). Not in torch: a command line
    such as ``chainrule train`` calls ``init_process_group`` only when this is true."""
    return any(v in os.environ for v in _LAUNCHER_SIZE_VARS)


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not destroyed since)."""
    return _World.comm is not None


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: Any = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", pg_options: Any = None,
                       device_id: Any = None) -> None:
    """Join the job started by ``mpiexec``: afterwards ``get_rank()`` is this process's
    rank in ``0..get_world_size()-1``. Only ``backend="mpi"`` (the default) exists; MPI
    assigns the ranks, so ``world_size``/``rank`` are ignored (with torch's warning),
    as are ``init_method``, ``timeout`` and ``store``. Run without ``mpiexec`` the
    process is a job of one rank."""
    if backend is None:
        backend = "mpi"
    name = str(backend).lower()
    if name in ("gloo", "nccl", "ucc", "xccl"):
        raise RuntimeError(
            f"Distributed package doesn't have {name.upper()} built in; chainrule has only "
            "the 'mpi' backend: init_process_group(backend='mpi')"
        )
    if name != "mpi":
        raise ValueError(f"Invalid backend: '{backend}'")
    if _World.comm is not None:
        raise ValueError("trying to initialize the default process group twice!")
    MPI = _mpi()
    if world_size != -1 or rank != -1:
        warnings.warn(
            f"For MPI backend, world_size ({world_size}) and rank ({rank}) are ignored since "
            "they are assigned by the MPI runtime.", stacklevel=2,
        )
    _World.comm = MPI.COMM_WORLD
    _World.excepthook = sys.excepthook
    sys.excepthook = _abort_on_uncaught


def _abort_on_uncaught(exc_type: type, exc: BaseException, tb: Any) -> None:
    """Print the traceback, then end every rank: the others may be waiting in a
    collective this rank will never join, and MPI_Finalize at exit would wait for them."""
    previous = _World.excepthook or sys.__excepthook__
    previous(exc_type, exc, tb)
    comm = _World.comm
    if comm is not None and comm.Get_size() > 1:
        sys.stderr.flush()
        sys.stdout.flush()
        # mpiexec forwards each rank's output through its own proxy, and Abort kills the
        # proxies too: give them a moment to pass the traceback on, or the user sees only
        # its first line (seen in CI)
        time.sleep(0.25)
        comm.Abort(1)


def destroy_process_group(group: Any = None) -> None:
    """Leave the default group (MPI itself is finalised at exit by mpi4py)."""
    _check_group(group)
    _world()
    sys.excepthook = _World.excepthook or sys.__excepthook__
    _World.comm = None
    _World.excepthook = None


def _world() -> Any:
    comm = _World.comm
    if comm is None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return comm


def _check_group(group: Any) -> None:
    if group is not None:
        raise NotImplementedError("chainrule has only the default process group: pass group=None")


def get_backend(group: Any = None) -> str:
    _check_group(group)
    _world()
    return "mpi"


def get_rank(group: Any = None) -> int:
    """This process's rank in the default group (0 .. world size - 1)."""
    _check_group(group)
    return _world().Get_rank()


def get_world_size(group: Any = None) -> int:
    """The number of processes in the default group."""
    _check_group(group)
    return _world().Get_size()


class Work:
    """What a collective with ``async_op=True`` returns: ``wait()`` blocks until it is
    done (then the tensor holds the result), ``is_completed()`` asks without blocking."""

    __slots__ = ("_request", "_then", "_done")

    def __init__(self, request: Any, then: Callable[[], None] | None = None) -> None:
        self._request = request
        self._then = then
        self._done = False

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            if self._request is not None:
                self._request.Wait()
            self._finish()
        return True

    def is_completed(self) -> bool:
        if not self._done and (self._request is None or self._request.Test()):
            self._finish()
        return self._done

    def _finish(self) -> None:
        self._done = True
        if self._then is not None:
            self._then()


def _buffer(tensor: Any, what: str) -> np.ndarray:
    """The tensor's array, which MPI reads and writes in place."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected a Tensor, got {type(tensor).__name__}")
    arr = tensor._data
    if not arr.flags.c_contiguous:
        raise RuntimeError(f"{what}: Tensors must be contiguous (got shape {arr.shape} strides "
                           f"{arr.strides}); pass tensor.contiguous() and copy back")
    if not writeable(arr):
        raise RuntimeError(f"{what}: the tensor's array is read-only")
    return arr


def _mpi_op(op: ReduceOp, arr: np.ndarray) -> Any:
    if not isinstance(op, ReduceOp):
        raise TypeError(f"all_reduce: op must be a ReduceOp, got {op!r}")
    MPI = _mpi()
    if op is ReduceOp.AVG:
        if arr.dtype.kind not in "fc":
            raise RuntimeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor, "
                               f"got dtype {arr.dtype}")
        return MPI.SUM
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and arr.dtype.kind not in "iub":
        raise RuntimeError(f"all_reduce: {op.name} needs an integer or bool tensor, "
                           f"got dtype {arr.dtype}")
    return getattr(MPI, {"PRODUCT": "PROD"}.get(op.name, op.name))


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` over all ranks, in place: afterwards every rank holds
    ``op(tensor_0, ..., tensor_{N-1})`` elementwise (AVG: the sum divided by N).
    ``async_op=True`` starts it (MPI_Iallreduce) and returns a :class:`Work`; the tensor
    must not be touched until ``wait()``."""
    _check_group(group)
    comm = _world()
    arr = _buffer(tensor, "all_reduce")
    mpi_op = _mpi_op(op, arr)
    MPI = _mpi()
    n = comm.Get_size()

    def then() -> None:
        if op is ReduceOp.AVG and n > 1:
            np.divide(arr, n, out=arr)
        _bump_version(tensor)

    if async_op:
        work = Work(comm.Iallreduce(MPI.IN_PLACE, arr, op=mpi_op), then)
        return work
    comm.Allreduce(MPI.IN_PLACE, arr, op=mpi_op)
    then()
    return None


def broadcast(tensor: Tensor, src: int, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into every rank's ``tensor``, in place (shapes and
    dtypes must agree on all ranks)."""
    _check_group(group)
    comm = _world()
    _check_src(src, comm)
    arr = _buffer(tensor, "broadcast")
    if async_op:
        return Work(comm.Ibcast(arr, root=src), lambda: _bump_version(tensor))
    comm.Bcast(arr, root=src)
    _bump_version(tensor)
    return None


def _check_src(src: int, comm: Any) -> None:
    n = comm.Get_size()
    if not isinstance(src, int | np.integer) or not 0 <= src < n:
        raise ValueError(f"src={src!r} is not a rank of the default group (0..{n - 1})")


def all_gather(tensor_list: list, tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Fill ``tensor_list[i]`` with rank i's ``tensor``, on every rank (the list holds
    world-size tensors of ``tensor``'s shape and dtype). MPI gathers into one
    contiguous array, then each piece is copied into its tensor (one copy)."""
    _check_group(group)
    comm = _world()
    n = comm.Get_size()
    send = _buffer(tensor, "all_gather")
    if len(tensor_list) != n:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors, the "
                         f"world size is {n}")
    for i, t in enumerate(tensor_list):
        if not isinstance(t, Tensor) or t.shape != send.shape or t.dtype != send.dtype:
            got = (t.shape, t.dtype) if isinstance(t, Tensor) else type(t).__name__
            raise ValueError(f"all_gather: tensor_list[{i}] is {got}, expected a tensor of "
                             f"shape {send.shape} and dtype {send.dtype}")
    recv = np.empty((n, *send.shape), dtype=send.dtype)

    def then() -> None:
        for t, piece in zip(tensor_list, recv):
            t._data[...] = piece
            _bump_version(t)

    if async_op:
        return Work(comm.Iallgather(send, recv), then)
    comm.Allgather(send, recv)
    then()
    return None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    """Block until every rank has reached this call."""
    _check_group(group)
    comm = _world()
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None


def broadcast_object_list(object_list: list, src: int = 0, group: Any = None,
                          device: Any = None) -> None:
    """Replace ``object_list``'s items on every rank with ``src``'s (pickled)."""
    _check_group(group)
    comm = _world()
    _check_src(src, comm)
    objs = comm.bcast(list(object_list) if comm.Get_rank() == src else None, root=src)
    object_list[:] = objs


def all_gather_object(object_list: list, obj: Any, group: Any = None) -> None:
    """Fill ``object_list[i]`` with rank i's ``obj`` (pickled), on every rank."""
    _check_group(group)
    comm = _world()
    if len(object_list) != comm.Get_size():
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} items, the "
                         f"world size is {comm.Get_size()}")
    object_list[:] = comm.allgather(obj)
