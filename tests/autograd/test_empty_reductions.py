"""Reductions over no elements: torch's errors for those without identity (max, argmax,
median...), torch's empty results for softmax; every message below is torch 2.13's for
the same call on ``torch.ones(0, 3)``."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd as ag

SPECIFY = "Expected reduction dim to be specified for input.numel() == 0."


@pytest.mark.parametrize("name, kwargs, error, message", [
    ("max", {}, RuntimeError, f"max(): {SPECIFY} Specify the reduction dim with the 'dim' "
                              f"argument."),
    ("amin", {}, RuntimeError, f"amin(): {SPECIFY} Specify the reduction dim with the 'dim' "
                               f"argument."),
    ("argmax", {}, IndexError, f"argmax(): {SPECIFY}"),
    ("aminmax", {}, RuntimeError, "aminmax(): cannot compute aminmax over an empty dimension "
                                  "as the operation has no identity."),
    ("max", {"dim": 0}, IndexError, "max(): Expected reduction dim 0 to have non-zero size."),
    ("min", {"dim": -2}, IndexError, "min(): Expected reduction dim 0 to have non-zero size."),
    ("argmin", {"dim": 0}, IndexError, "argmin(): Expected reduction dim 0 to have non-zero "
                                       "size."),
    ("amax", {"dim": (0, 1)}, IndexError, "amax(): Expected reduction dim 0 to have non-zero "
                                          "size."),
    ("aminmax", {"dim": 0}, IndexError, "aminmax: Expected reduction dim 0 to have non-zero "
                                        "size."),
    ("median", {"dim": 0}, IndexError, "median(): Expected reduction dim 0 to have non-zero "
                                       "size."),
    ("nanmedian", {"dim": 0}, IndexError, "median(): Expected reduction dim 0 to have "
                                          "non-zero size."),
    ("mode", {"dim": 0}, IndexError, "mode(): Expected reduction dim 0 to have non-zero size."),
    ("kthvalue", {"k": 1, "dim": 0}, IndexError, "kthvalue(): Expected reduction dim 0 to "
                                                 "have non-zero size."),
])
def test_reductions_without_identity_over_no_elements_raise_torchs_error(
        name, kwargs, error, message) -> None:
    with pytest.raises(error, match=re.escape(message)):
        getattr(ag, name)(ag.ones(0, 3), **kwargs)


def test_reducing_a_nonempty_dim_of_an_empty_tensor_gives_an_empty_result() -> None:
    values, indices = ag.max(ag.ones(0, 3), dim=1)
    assert values.shape == (0,) and indices.shape == (0,) and indices.dtype == ag.int64
    assert ag.argmin(ag.ones(0, 3), dim=1).shape == (0,)
    assert ag.amax(ag.ones(0, 3), dim=1).shape == (0,)


def test_median_of_nothing_is_nan_with_a_zero_gradient() -> None:
    x = ag.ones(0, 3, requires_grad=True)
    m = ag.median(x)
    assert np.isnan(m.item()) and m.grad_fn is not None
    m.backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("fn", [ag.softmax, ag.log_softmax])
@pytest.mark.parametrize("shape, dim", [((0, 3, 1), 0), ((2, 0), 1), ((3, 0, 0), 2),
                                        ((0,), -1)])
def test_softmax_of_an_empty_tensor_is_empty(fn, shape, dim) -> None:
    x = ag.ones(*shape, requires_grad=True)
    out = fn(x, dim)
    assert out.shape == shape and out.dtype == ag.float32
    out.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("fn, name", [(ag.softmax, "softmax"), (ag.log_softmax, "log_softmax")])
def test_softmax_of_integers_raises_as_torch_unless_given_a_dtype(fn, name) -> None:
    x = ag.ones(2, 3, dtype=ag.int64)
    with pytest.raises(NotImplementedError,
                       match=f'"{name}_lastdim_kernel_impl" not implemented for \'Long\''):
        fn(x, -1)
    with pytest.raises(NotImplementedError,
                       match=f'"{name}_kernel_impl" not implemented for \'Long\''):
        fn(x, 0)
    np.testing.assert_allclose(ag.softmax(x, 0, dtype=ag.float32).numpy(), np.full((2, 3), 0.5))


def test_nanmean_and_median_refuse_the_dtypes_torch_refuses() -> None:
    with pytest.raises(RuntimeError, match="expected input to have floating point or complex "
                                           "dtype but got Long"):
        ag.nanmean(ag.ones(2, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point or "
                                           "complex dtype. Got: Long"):
        ag.nanmean(ag.ones(2), dtype=ag.int64)
    with pytest.raises(NotImplementedError, match="\"median_cpu\" not implemented for 'Bool'"):
        ag.median(ag.ones(2, dtype=ag.bool))
    with pytest.raises(NotImplementedError, match="\"median_out\" not implemented for 'Bool'"):
        ag.nanmedian(ag.ones(2, dtype=ag.bool), 0)
    assert ag.median(ag.tensor([3, 1, 2])).item() == 2
