"""The one comparison of a distribution spec (spec_distributions*.py) with torch 2.13's
stored answers, shared by the distribution test files: every output's value, dtype and
gradient with respect to every parameter."""

from __future__ import annotations

import numpy as np
import spec_distributions as S

import autograd as ag
import autograd.distributions as D


def make(values, dtype):
    return ag.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def close(got, want, dtype: str) -> None:
    # float32: torch's vectorized exp/log differ from NumPy's by an ulp, which the
    # cancellation in e.g. BCE-with-logits entropies lifts to ~1e-6 relative
    tol = dict(rtol=3e-5, atol=3e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.array(want, dtype=float),
                               equal_nan=True, **tol)
    assert np.shape(got) == np.shape(want)


def assert_matches_torch(name: str, specs: dict, want: dict) -> None:
    """Spec ``name`` of ``specs`` run here equals torch's answers ``want`` for it."""
    with np.errstate(all="ignore"):
        got = S.run(ag, D, name, make, specs)
    assert sorted(got) == sorted(want)
    for key, (value, grads, dtype) in want.items():
        g_value, g_grads, g_dtype = got[key]
        assert g_dtype == dtype, key
        close(g_value, value, dtype)
        assert sorted(g_grads) == sorted(grads), key
        for param, grad in grads.items():
            mine = g_grads[param]
            if grad is None or mine is None:  # unused: None (an all-zero one is the same)
                assert not np.any(grad or 0) and not np.any(mine or 0), (key, param)
                continue
            close(mine, grad, dtype)


def check_draws(family: tuple, batch_event: tuple, sample_shape: tuple, dtype: str) -> None:
    """``family`` = (make(p), reparameterized, in_support(x) or None) built on a (2, 3)
    parameter: its batch/event shapes are ``batch_event``; draws have the shape, dtype and
    support, no graph, a finite log_prob; rsample's gradient reaches the parameter."""
    make_dist, reparam, in_support = family
    p = ag.tensor(np.array([[0.2, -0.4, 0.9], [1.1, 0.0, -0.7]], dtype=dtype),
                  requires_grad=True)
    d = make_dist(p)
    batch, event = batch_event
    assert (d.batch_shape, d.event_shape) == (batch, event)
    assert d.has_rsample == reparam
    x = d.sample(sample_shape)
    assert x.shape == sample_shape + batch + event and x.dtype == np.dtype(dtype)
    assert not x.requires_grad
    assert in_support is None or bool(in_support(x))
    assert np.isfinite(d.log_prob(x).detach().numpy()).all()
    if reparam:
        y = d.rsample(sample_shape)
        assert y.shape == x.shape and y.requires_grad
        y.sum().backward()
        assert p.grad is not None and np.isfinite(p.grad.numpy()).all()
