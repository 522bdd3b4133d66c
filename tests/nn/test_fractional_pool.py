"""F.fractional_max_pool2d/3d and nn.FractionalMaxPool2d/3d against torch 2.13: with torch's
``_random_samples`` the windows, values, indices and gradients are torch's (pasted from a
torch run on the same seeded input); without them the samples come from the engine's
generator; torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

R = np.random.default_rng(7)
X = R.standard_normal((2, 2, 7, 8))
SMP = R.random((2, 2, 2))
Y = R.standard_normal((1, 2, 5, 6, 7))
S3 = R.random((1, 2, 3))
IDX = [1, 10, 11, 6, 7, 24, 10, 11, 29, 15, 24, 34, 36, 37, 23, 49, 34, 44, 37, 46, 1, 2, 11, 4,
       23, 17, 18, 11, 28, 23, 32, 33, 35, 37, 47, 32, 33, 35, 37, 47, 17, 17, 19, 13, 23, 17,
       17, 28, 28, 23, 17, 34, 28, 28, 23, 49, 50, 36, 36, 46, 8, 18, 19, 20, 23, 8, 18, 28,
       29, 31, 24, 18, 36, 36, 31, 33, 33, 36, 36, 55]
# x.grad of Σ ramp·out (ramp = 0, 1, …): nonzero positions and values (repeats accumulate)
GRAD_AT = [6, 7, 10, 11, 15, 23, 24, 29, 34, 36, 37, 44, 46, 49, 57, 58, 60, 67, 73, 74, 79, 84,
           88, 89, 91, 93, 103, 125, 129, 131, 135, 140, 146, 148, 158, 161, 162, 176, 186, 187,
           188, 191, 192, 196, 197, 199, 201, 204, 223]
GRAD = [3.0, 4.0, 7.0, 9.0, 9.0, 14.0, 15.0, 8.0, 27.0, 12.0, 31.0, 17.0, 19.0, 15.0, 20.0, 21.0,
        23.0, 49.0, 25.0, 26.0, 53.0, 28.0, 65.0, 67.0, 69.0, 71.0, 73.0, 43.0, 222.0, 42.0,
        147.0, 200.0, 51.0, 115.0, 59.0, 55.0, 56.0, 125.0, 198.0, 62.0, 63.0, 64.0, 70.0, 67.0,
        68.0, 143.0, 151.0, 300.0, 79.0]
IDX3 = [43, 2, 52, 55, 64, 64, 59, 68, 35, 79, 73, 40, 175, 128, 129, 180, 147, 184, 143, 152,
        154, 205, 165, 201, 42, 2, 47, 48, 22, 16, 61, 61, 36, 73, 74, 82, 126, 177, 172, 139,
        140, 185, 151, 153, 196, 206, 208, 208]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_2d_values_indices_and_gradient_match_torch(dtype) -> None:
    x = ag.tensor(X.astype(dtype), requires_grad=True)
    v, i = F.fractional_max_pool2d(x, (3, 2), output_size=(4, 5), return_indices=True,
                                   _random_samples=ag.tensor(SMP.astype(dtype)))
    assert v.shape == (2, 2, 4, 5) and i.dtype == np.int64 and v.dtype == dtype
    assert i.numpy().ravel().tolist() == IDX
    planes = X.astype(dtype).reshape(4, -1)
    np.testing.assert_array_equal(v.detach().numpy().reshape(4, -1),
                                  np.take_along_axis(planes, i.numpy().reshape(4, -1), 1))
    (v * ag.tensor(np.arange(v.numel(), dtype=dtype).reshape(v.shape))).sum().backward()
    g = x.grad.numpy().ravel()
    assert np.flatnonzero(g).tolist() == GRAD_AT
    np.testing.assert_array_equal(g[GRAD_AT], GRAD)


def test_3d_ratio_indices_match_torch_and_module_form() -> None:
    v, i = F.fractional_max_pool3d(ag.tensor(Y), 2, output_ratio=(0.5, 0.6, 0.7),
                                   return_indices=True, _random_samples=ag.tensor(S3))
    assert v.shape == (1, 2, 2, 3, 4) and i.numpy().ravel().tolist() == IDX3
    m = nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.6, 0.7), return_indices=True,
                               _random_samples=ag.tensor(S3))
    assert m(ag.tensor(Y))[1].numpy().ravel().tolist() == IDX3
    assert "_random_samples" in dict(m.named_buffers())


def test_module_2d_and_unbatched() -> None:
    m = nn.FractionalMaxPool2d((3, 2), output_size=(4, 5), _random_samples=ag.tensor(SMP[:1]))
    out = m(ag.tensor(X[0]))
    assert out.shape == (2, 4, 5)
    ref = F.fractional_max_pool2d(ag.tensor(X), (3, 2), (4, 5), _random_samples=ag.tensor(SMP))
    np.testing.assert_array_equal(out.numpy(), ref.numpy()[0])
    assert repr(m) == "FractionalMaxPool2d()"


def test_without_samples_draws_from_the_engine_generator() -> None:
    x = ag.tensor(X)
    ag.manual_seed(3)
    a = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5), return_indices=True)[1]
    ag.manual_seed(3)
    smp = ag.rand(2, 2, 2, dtype=np.float64)
    b = F.fractional_max_pool2d(x, 2, output_size=(3, 4), return_indices=True,
                                _random_samples=smp)[1]
    assert a.shape == (2, 2, 3, 4) and np.array_equal(a.numpy(), b.numpy())


def test_nan_wins_and_ties_take_the_first() -> None:
    x = np.zeros((1, 1, 2, 2))
    x[0, 0, 1, 0] = np.nan
    v, i = F.fractional_max_pool2d(ag.tensor(x), 2, 1, return_indices=True,
                                   _random_samples=ag.tensor(np.zeros((1, 1, 2))))
    assert np.isnan(v.item()) and i.item() == 2
    v, i = F.fractional_max_pool2d(ag.tensor(np.ones((1, 1, 2, 2))), 2, 1, return_indices=True,
                                   _random_samples=ag.tensor(np.zeros((1, 1, 2))))
    assert i.item() == 0


@pytest.mark.parametrize("call,exc,match", [
    (lambda x, s: F.fractional_max_pool2d(x, 2, _random_samples=s), ValueError,
     "either an output_size or an output_ratio"),
    (lambda x, s: F.fractional_max_pool2d(x, 2, output_ratio=0.5, _random_samples=s),
     TypeError, "len"),
    (lambda x, s: F.fractional_max_pool2d(x, 2, (3, 8), _random_samples=s), RuntimeError,
     "pool width 2 too large relative to input width 8"),
    (lambda x, s: F.fractional_max_pool2d(x, 2, 3, _random_samples=s[:1]), RuntimeError,
     "size\\(0\\) no less then input batch size"),
    (lambda x, s: F.fractional_max_pool2d(x, 2, 3, _random_samples=s[:, :1]), RuntimeError,
     "size\\(1\\) equals to input channel size"),
    (lambda x, s: F.fractional_max_pool2d(x, 2, 3, _random_samples=s.float()), RuntimeError,
     "same dtype as input"),
    (lambda x, s: F.fractional_max_pool2d(x[0, 0], 2, 3, _random_samples=s), RuntimeError,
     "Expected 3D or 4D tensor"),
    (lambda x, s: F.fractional_max_pool2d(x, (2, 2, 2), 3, _random_samples=s), RuntimeError,
     "kernel_size must either be a single Int"),
    (lambda x, s: F.fractional_max_pool3d(x[None], 2, 3, _random_samples=s), RuntimeError,
     "pool time 2 too large relative to input time 2"),
])
def test_errors_as_torch(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call(ag.tensor(X), ag.tensor(SMP))


def test_module_argument_errors() -> None:
    with pytest.raises(ValueError, match="either an output size, or a pooling ratio"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        nn.FractionalMaxPool2d(2, 3, 0.5)
    with pytest.raises(ValueError, match="output_ratio must be between 0 and 1"):
        nn.FractionalMaxPool3d(2, output_ratio=1.5)
