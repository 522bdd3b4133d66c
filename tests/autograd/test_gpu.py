"""The same checks on a real GPU (CuPy): skipped unless CuPy sees one (marker ``gpu``)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.ops.cases import CASES
from tests.autograd.test_device_double import (
    HOST_CONSTANT,
    _grads,
    _host,
    _linalg_edge_calls,
    check_linalg_edge,
)

pytestmark = pytest.mark.gpu

CUDA_CASES = [c for c in CASES if not c.op.startswith("nn.") and c.id not in HOST_CONSTANT]


def test_device_api_on_cuda() -> None:
    x = ag.ones(2, 3, device="cuda", requires_grad=True)
    assert x.device == ag.device("cuda:0") and x.is_cuda
    assert repr(x.device) == "device(type='cuda', index=0)"
    (x.cpu() * 2).sum().backward()
    assert x.grad.device.type == "cuda"
    with pytest.raises(TypeError, match="Use Tensor.cpu"):
        x.detach().numpy()
    with pytest.raises(RuntimeError, match="cuda:0 and cpu|cpu and cuda:0"):
        _ = x + ag.ones(2, 3)


@pytest.mark.parametrize("case", CUDA_CASES, ids=lambda c: c.id)
def test_op_on_cuda(case) -> None:
    on_cpu = _grads(case, "cpu")
    ag.set_default_device("cuda")
    try:
        on_gpu = _grads(case, "cuda")
    finally:
        ag.set_default_device(None)
    for a, b in zip(on_cpu, on_gpu, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(_host(b), _host(a), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", [n for n, _ in _linalg_edge_calls()])
def test_linalg_errors_and_edge_cases_on_cuda(name) -> None:
    """cuSOLVER's failures raise the CPU's LinAlgError (the ops run CuPy's linalg under
    cupyx.errstate(linalg='raise')); edge cases give the CPU's results, on the GPU."""
    check_linalg_edge(name, "cuda", rtol=1e-9, atol=1e-11)
