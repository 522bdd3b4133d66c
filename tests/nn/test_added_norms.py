"""RMSNorm / F.rms_norm (and the other added normalisations): torch's defaults, errors,
state_dict keys and reprs; values and gradients are in test_added_values.py."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def test_rms_norm_default_eps_is_the_input_dtypes_machine_epsilon() -> None:
    x = np.linspace(-1, 1, 8).reshape(2, 4) * 1e-4
    # torch: eps = finfo(float32).eps ≈ 1.19e-7 dominates mean(x²) ≈ 4e-9 in float32 ...
    y32 = F.rms_norm(ag.tensor(x, dtype=np.float32), (4,))
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32.numpy()[0], [-0.2845609188079834, -0.20325781404972076,
                                                -0.12195468693971634, -0.04065156355500221],
                               rtol=1e-6)
    # ... and vanishes in float64 (2.2e-16)
    y64 = F.rms_norm(ag.tensor(x), (4,))
    np.testing.assert_allclose(y64.numpy()[1], [0.21821788458301358, 0.6546536537490408,
                                                1.0910894229150683, 1.5275251920810957],
                               rtol=1e-12)


def test_rms_norm_errors_as_torch() -> None:
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.rms_norm(ag.zeros(2, 3), (4,))
    with pytest.raises(TypeError, match="normalized_shape"):
        F.rms_norm(ag.zeros(2, 4), 4)  # torch's functional wants a tuple or list
    with pytest.raises(RuntimeError, match="normalized_shape"):
        nn.RMSNorm([2, 4])(ag.zeros(3, 4))


def test_rmsnorm_module_parameters_and_repr() -> None:
    m = nn.RMSNorm([2, 3])
    assert list(m.state_dict()) == ["weight"]
    assert m.weight.shape == (2, 3) and m.weight.detach().numpy().tolist() == [[1.0] * 3] * 2
    assert m.eps is None and m.weight.dtype == np.float32
    assert repr(nn.RMSNorm(4)) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    assert repr(nn.RMSNorm(4, eps=0.001, elementwise_affine=False)) == \
        "RMSNorm((4,), eps=0.001, elementwise_affine=False)"
    assert list(nn.RMSNorm(4, elementwise_affine=False).state_dict()) == []
    assert nn.RMSNorm(3, dtype=np.float64, device="cpu").weight.dtype == np.float64
