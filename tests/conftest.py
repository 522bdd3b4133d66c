"""Shared test setup: the checkout's packages, never an installed namesake."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import autograd  # noqa: E402

if not pathlib.Path(autograd.__file__).resolve().is_relative_to(ROOT):
    raise RuntimeError(
        f"tests imported autograd from {autograd.__file__}, not from this checkout ({ROOT}); "
        "the unrelated PyPI package 'autograd' is installed — use chainrule's own venv"
    )


@pytest.fixture(autouse=True)
def _seeded() -> None:
    """Every test starts from the same random state."""
    autograd.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002 - third-party code may draw from the legacy global state


@pytest.fixture
def double_device():
    """The test-only device "double" (tests/devicedouble.py), registered for the test."""
    from tests import devicedouble

    devicedouble.register()
    yield "double"
    devicedouble.unregister()


def pytest_collection_modifyitems(config, items) -> None:
    """Tests marked ``gpu`` run only where CuPy sees a GPU."""
    if autograd.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CuPy and an NVIDIA GPU (pip install 'chainrule[cuda]')")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
