"""Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout and their F forms: torch's
distribution (whole channels; alpha dropout's two output levels, mean 0 and variance 1),
the gradient (the mask), eval mode, the edge probabilities, warnings and errors.
torch's random numbers are not reproduced; its constants are written in."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize(("fn", "shape"), [(F.dropout1d, (40, 30, 5)), (F.dropout1d, (300, 4)),
                                           (F.dropout2d, (40, 30, 3, 2)),
                                           (F.dropout3d, (40, 30, 2, 2, 2)),
                                           (F.dropout3d, (300, 2, 2, 2))])
def test_channel_dropout_zeroes_whole_channels(fn, shape) -> None:
    x = ag.ones(*shape, dtype=np.float64, requires_grad=True)
    y = fn(x, 0.3)
    lead = 2 if len(shape) in (3, 4, 5) and not (fn is F.dropout1d and len(shape) == 2) \
        and not (fn is F.dropout3d and len(shape) == 4) else 1
    v = y.detach().numpy().reshape(*shape[:lead], -1)
    assert set(np.unique(v)) <= {0.0, 1 / 0.7}
    assert (v == v[..., :1]).all()  # one draw per channel
    assert abs((v[..., 0] == 0).mean() - 0.3) < 0.05
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # d/dx = the mask


@pytest.mark.parametrize("cls", [nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout,
                                 nn.FeatureAlphaDropout])
def test_modules_eval_identity_repr_and_p(cls) -> None:
    m = cls(0.3)
    assert repr(m) == f"{cls.__name__}(p=0.3, inplace=False)"
    x = ag.randn(2, 3, 2, 2, 2) if cls is nn.Dropout3d else ag.randn(2, 3, 4)
    m.eval()
    assert m(x) is x or np.array_equal(m(x).numpy(), x.numpy())
    m.train()
    assert m(x).shape == x.shape
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        cls(1.5)
    assert list(m.state_dict()) == []


def test_alpha_dropout_levels_are_torchs() -> None:
    # torch: set(alpha_dropout(ones(20000), 0.2, True)) = {-1.2361598485763778, 1.1879435455876273}
    ag.manual_seed(0)
    y = F.alpha_dropout(ag.ones(20000, dtype=np.float64), 0.2, True).numpy()
    np.testing.assert_allclose(np.unique(y), [-1.2361598485763778, 1.1879435455876273],
                               rtol=1e-15)
    assert abs((y < 0).mean() - 0.2) < 0.02
    y0 = F.alpha_dropout(ag.zeros(20000, dtype=np.float64), 0.2, True).numpy()
    np.testing.assert_allclose(np.unique(y0), [-1.2361598485763778, 0.30903996214409446],
                               rtol=1e-15)


def test_alpha_dropout_keeps_mean_and_variance() -> None:
    # torch (one draw): mean 0.0048, var 1.0052 for p = 0.3 on N(0, 1)
    z = ag.tensor(np.random.default_rng(0).standard_normal(200000))
    o = F.alpha_dropout(z, 0.3, True).numpy()
    assert abs(o.mean()) < 0.01 and abs(o.var() - 1) < 0.01


def test_feature_alpha_dropout_per_channel() -> None:
    # torch: feature_alpha_dropout(ones(40, 3, 5), 0.5, True) takes these two values, per
    # channel; the gradient is 0 (dropped) or a = 0.8864048946659319
    y = F.feature_alpha_dropout(ag.ones(40, 3, 5, dtype=np.float64), 0.5, True).numpy()
    assert (y == y[..., :1]).all()
    np.testing.assert_allclose(np.unique(y), [-0.7791939305180315, 1.6655988251839635],
                               rtol=1e-15)
    x = ag.randn(6, 4, 3, dtype=np.float64, requires_grad=True)
    F.feature_alpha_dropout(x, 0.5, True).sum().backward()
    np.testing.assert_allclose(np.unique(x.grad.numpy()), [0.0, 0.8864048946659319],
                               rtol=1e-15)
    assert (x.grad.numpy() == x.grad.numpy()[..., :1]).all()


def test_edge_probabilities_and_training_flag() -> None:
    x = ag.ones(3, dtype=np.float64)
    assert F.alpha_dropout(x, 1.0, True).tolist() == [0.0, 0.0, 0.0]  # torch: zeros
    assert F.alpha_dropout(x, 0.2).tolist() == [1.0, 1.0, 1.0]  # training=False by default
    assert F.dropout2d(ag.ones(2, 3, 2, 2), 1.0).sum().item() == 0.0
    assert F.dropout1d(ag.ones(2, 3, 2), 0.0).sum().item() == 12.0
    assert F.dropout2d(ag.ones(2, 3, 2, 2), 0.5, training=False).sum().item() == 24.0


def test_errors_and_warnings_as_torch() -> None:
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        F.feature_alpha_dropout(ag.ones(3), 0.5, True)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received "
                                           "a 4D input"):
        F.dropout1d(ag.ones(2, 3, 4, 5), 0.5)
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout3d(ag.ones(2, 3, 4, 5), -0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.dropout2d(ag.ones(2, 3, 4))
        F.dropout2d(ag.ones(2, 3, 4, 5, 6))
        F.dropout3d(ag.ones(2, 3))
    assert [str(w.message)[:30] for w in caught] == [
        "dropout2d: Received a 3D input", "dropout2d: Received a 5-D inpu",
        "dropout3d: Received a 2-D inpu"]
    assert all(w.category is UserWarning for w in caught)


def test_feature_dropout_dims_check_comes_after_torchs_shortcuts() -> None:
    # torch 2.13: make_feature_noise's check runs only when noise is drawn
    assert F.feature_alpha_dropout(ag.ones(3), 0.5, False).tolist() == [1.0] * 3
    assert F.feature_alpha_dropout(ag.ones(3), 1.0, True).tolist() == [0.0] * 3
    assert F.feature_alpha_dropout(ag.ones(3), 0.0, True).tolist() == [1.0] * 3
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        nn.FeatureAlphaDropout(0.5)(ag.ones(3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2"):
            F.dropout2d(ag.ones(3), 0.5)
        assert F.dropout3d(ag.ones(3), 0.5).shape == (3,)  # unsqueezed to (1, 3) first
    assert str(caught[0].message).endswith(
        "Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
        "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
        "inputs).")
    assert str(caught[1].message).endswith("(i.e. 4D or 5D inputs).")
