"""ag.set_num_threads / ag.get_num_threads: torch's names, messages and behaviour on BLAS."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

import autograd as ag
from autograd import threads


@pytest.fixture(autouse=True)
def _restore_threads() -> Iterator[None]:
    before = ag.get_num_threads()
    yield
    ag.set_num_threads(before)


def test_set_then_get() -> None:
    ag.set_num_threads(1)
    assert ag.get_num_threads() == 1
    if (os.cpu_count() or 1) >= 2:
        ag.set_num_threads(2)
        assert ag.get_num_threads() == 2


def test_blas_library_itself_is_capped() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [lib for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library that threadpoolctl can see")
    ag.set_num_threads(1)
    assert all(lib["num_threads"] == 1 for lib in threadpoolctl.threadpool_info()
               if lib["user_api"] == "blas")


@pytest.mark.parametrize(("value", "message"), [
    (0, "set_num_threads expects a positive integer"),
    (-1, "set_num_threads expects a positive integer"),
    (1.5, "set_num_threads expects an int, but got float"),
    ("2", "set_num_threads expects an int, but got str"),
])
def test_bad_counts_raise_torchs_runtime_error(value: object, message: str) -> None:
    before = ag.get_num_threads()
    with pytest.raises(RuntimeError, match=message):
        ag.set_num_threads(value)  # type: ignore[arg-type]
    assert ag.get_num_threads() == before  # nothing half-done


def test_num_threads_context_restores() -> None:
    ag.set_num_threads(1)
    with threads.num_threads(2 if (os.cpu_count() or 1) >= 2 else 1):
        pass
    assert ag.get_num_threads() == 1
    with threads.num_threads(0):  # 0: leave it alone
        assert ag.get_num_threads() == 1


def test_results_with_one_thread_are_reproducible() -> None:
    # Same seed, same thread count: the same bits (the README's reproducibility promise).
    ag.set_num_threads(1)
    a = np.random.default_rng(0).standard_normal((64, 300), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((300, 50), dtype=np.float32)
    first = (ag.tensor(a) @ ag.tensor(b))._data
    second = (ag.tensor(a) @ ag.tensor(b))._data
    assert np.array_equal(first, second)


def test_fallback_without_threadpoolctl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_threadpoolctl", lambda: None)
    for var in threads._ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    with pytest.warns(RuntimeWarning, match="threadpoolctl is not installed"):
        ag.set_num_threads(3)
    assert ag.get_num_threads() == 3
    assert all(os.environ[var] == "3" for var in threads._ENV_VARS)
    monkeypatch.setattr(threads, "_requested", None)
    assert ag.get_num_threads() == 3  # from $OMP_NUM_THREADS
