"""How many threads NumPy's BLAS uses: ``set_num_threads`` / ``get_num_threads``, as in torch.

chainrule's heavy work is NumPy's matrix products (``matmul``, ``Linear``, the im2col
convolutions), which run in the BLAS library NumPy was built with (OpenBLAS, MKL, ...). That
library starts one thread per core by default. For the small matrices of these models the
threads gain little, and on a machine whose cores are busy they spin and wait: a digits CNN
step measured 15x slower with OpenBLAS's default threads than with one. Like
``torch.set_num_threads``, :func:`set_num_threads` caps them for the whole process.

The thread count also fixes the summation order inside a BLAS product (each thread sums its
own block of a dot product), so a float32 training run is reproducible for a given seed *and*
thread count (and the same NumPy build and CPU), not across thread counts.

The capping is done by threadpoolctl (a runtime dependency of chainrule: pure Python, no
dependencies of its own), which finds the BLAS and OpenMP libraries loaded in the process and
calls their own ``set_num_threads`` functions. Fallback, when threadpoolctl is missing: the
count is remembered and written to ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and
``MKL_NUM_THREADS`` for libraries loaded later, and a ``RuntimeWarning`` says that the BLAS
already loaded keeps its threads (``pip install threadpoolctl`` fixes it).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["get_num_interop_threads", "get_num_threads", "num_threads", "set_num_interop_threads",
           "set_num_threads"]

_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# The count asked for last, for the fallback without threadpoolctl.
_requested: int | None = None


def _threadpoolctl() -> Any:
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in NumPy's BLAS (and any OpenMP pool) from now on, as torch's.

    Args:
        n: a positive int.

    Raises:
        RuntimeError: ``n`` is not an int, or not positive (torch's messages).
    """
    global _requested
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _requested = n
    tpc = _threadpoolctl()
    if tpc is not None:
        tpc.threadpool_limits(limits=n)  # not used as a context: the limit stays
        return
    for var in _ENV_VARS:
        os.environ[var] = str(n)
    warnings.warn(
        f"set_num_threads({n}): threadpoolctl is not installed, so the BLAS library NumPy has "
        "already loaded keeps its threads (pip install threadpoolctl)",
        RuntimeWarning, stacklevel=2,
    )


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses, as ``torch.get_num_threads`` reports its own.

    With threadpoolctl: the largest ``num_threads`` of the BLAS libraries loaded (else of the
    OpenMP ones). Without it, or when no such library is found: the last count given to
    :func:`set_num_threads`, else ``$OMP_NUM_THREADS``, else the number of CPUs.
    """
    tpc = _threadpoolctl()
    if tpc is not None:
        info = tpc.threadpool_info()
        for api in ("blas", "openmp"):
            counts = [int(lib["num_threads"]) for lib in info if lib.get("user_api") == api]
            if counts:
                return max(counts)
    if _requested is not None:
        return _requested
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return os.cpu_count() or 1


@contextlib.contextmanager
def num_threads(n: int) -> Iterator[None]:
    """Within the ``with`` block, use ``n`` BLAS threads; afterwards, the count from before.

    Not in torch (whose setting is only global); what the ``chainrule`` command uses so that
    ``main()`` called in-process (tests, notebooks) leaves the caller's setting alone.
    ``n <= 0`` leaves the count as it is.

    >>> with num_threads(1):
    ...     pass
    """
    if n <= 0:
        yield
        return
    before = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(before)


# torch's inter-op pool runs independent ops of a TorchScript graph in parallel; chainrule
# runs every op in the calling thread, so the count is only stored and reported. torch's
# default is the number of cores; its rule that the count may be set once (and not after
# parallel work began) is kept, so a program that breaks it fails here as with torch.
_interop: dict[str, Any] = {"n": None}


def set_num_interop_threads(n: int) -> None:
    """Set the inter-op thread count once, as torch's (a second call raises RuntimeError).
    chainrule runs ops one after another in the calling thread: the count changes nothing."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(n).__name__}")
    if n < 1:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _interop["n"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _interop["n"] = n


def get_num_interop_threads() -> int:
    """The count given to :func:`set_num_interop_threads`, else the number of CPUs (torch's
    default)."""
    return _interop["n"] if _interop["n"] is not None else (os.cpu_count() or 1)
