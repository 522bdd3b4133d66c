"""Convergence: every optimizer finds the known minimum of a convex quadratic, and on the
seed MLP (``nn.MLP``, Linear-Tanh-Linear) over digits momentum and Adam beat plain SGD
in the same number of steps.

Losses are built from autograd ops and differentiated with ``backward()``, so these
also check the optimizers against the engine end to end.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np
import pytest

import autograd as ag
import optim
from optim.lr_scheduler import CosineAnnealingLR


def quadratic() -> tuple[np.ndarray, np.ndarray]:
    """A = Q diag(1..10) Qᵀ (condition number 10) and the minimiser x*."""
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    a = q @ np.diag([1.0, 2.0, 4.0, 7.0, 10.0]) @ q.T
    return a, rng.standard_normal(5)


def minimise(make: Callable, steps: int, anneal: bool) -> tuple[np.ndarray, list[float]]:
    """Minimise f(x) = ½ (x − x*)ᵀ A (x − x*) from x = 0; return x and the losses."""
    a, x_star = quadratic()
    at, xt = ag.tensor(a), ag.tensor(x_star)
    x = ag.tensor(np.zeros(5), requires_grad=True)
    opt = make([x])
    # Adaptive methods take steps of size ~lr even near the minimum; annealing the
    # lr to zero lets them settle on it (plain and momentum SGD converge linearly).
    sched = CosineAnnealingLR(opt, T_max=steps) if anneal else None
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        d = x - xt
        loss = 0.5 * (d @ (at @ d))
        loss.backward()
        losses.append(loss.item())
        opt.step()
        if sched is not None:
            sched.step()
    return x._data, losses


QUADRATIC_CASES = {
    "sgd": (lambda p: optim.SGD(p, lr=0.15), 200, False),
    "sgd-momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.7), 200, False),
    "sgd-nesterov": (lambda p: optim.SGD(p, lr=0.05, momentum=0.7, nesterov=True), 200, False),
    "sgd-dampening": (lambda p: optim.SGD(p, lr=0.1, momentum=0.7, dampening=0.7), 200, False),
    "adam": (lambda p: optim.Adam(p, lr=0.1), 400, True),
    "adam-amsgrad": (lambda p: optim.Adam(p, lr=0.1, amsgrad=True), 400, True),
    "adamw": (lambda p: optim.AdamW(p, lr=0.1, weight_decay=0.0), 400, True),
    "rmsprop": (lambda p: optim.RMSprop(p, lr=0.05), 400, True),
    "rmsprop-momentum": (lambda p: optim.RMSprop(p, lr=0.02, momentum=0.5), 400, True),
    "rmsprop-centered": (lambda p: optim.RMSprop(p, lr=0.02, momentum=0.5, centered=True),
                         400, True),
}


@pytest.mark.parametrize("name", list(QUADRATIC_CASES))
def test_reaches_minimum_of_convex_quadratic(name: str) -> None:
    make, steps, anneal = QUADRATIC_CASES[name]
    x, losses = minimise(make, steps, anneal)
    _, x_star = quadratic()
    np.testing.assert_allclose(x, x_star, atol=1e-6, rtol=0)
    assert losses[-1] < 1e-10 * losses[0]


@pytest.mark.parametrize("cls, lr, anneal", [(optim.SGD, 0.15, False),
                                             (optim.Adam, 0.1, True),
                                             (optim.RMSprop, 0.05, True)])
def test_weight_decay_moves_minimum_to_the_l2_one(cls, lr: float, anneal: bool) -> None:
    # With weight_decay=λ the optimizers minimise f + λ/2·|x|²: (A + λI) x = A x*.
    lam = 2.0
    x, _ = minimise(lambda p: cls(p, lr=lr, weight_decay=lam), 400, anneal)
    a, x_star = quadratic()
    np.testing.assert_allclose(x, np.linalg.solve(a + lam * np.eye(5), a @ x_star),
                               atol=1e-6, rtol=0)


# -- the seed MLP on digits -------------------------------------------------------------
def digits(n: int = 300) -> tuple[ag.Tensor, ag.Tensor]:
    """A fixed subset of scikit-learn's 8x8 digits, pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))[:n]
    return ag.tensor((x[idx] / 16.0).astype(np.float32)), ag.tensor(y[idx])


def train_mlp(make: Callable, x: ag.Tensor, y: ag.Tensor, steps: int = 100) -> float:
    """Full-batch training of nn.MLP([64, 32, 10]) (Linear-Tanh-Linear), the same
    initialisation for every optimizer; returns the last cross-entropy loss."""
    import nn
    import nn.functional as F

    ag.manual_seed(1)
    model = nn.MLP([64, 32, 10])
    opt = make(model.parameters())
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    assert all(p.dtype == np.float32 for p in model.parameters())
    return loss.item()


@pytest.mark.slow  # ~1-2 s alone (scikit-learn's import), more on a busy machine
def test_momentum_and_adam_beat_plain_sgd_on_digits_mlp() -> None:
    x, y = digits()
    # Matrices this small gain nothing from BLAS threads, and on a busy machine
    # spinning threads slow the run tenfold: one thread, only for this test.
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a dev extra: without it the test only runs slower
        threadpool_limits = None
    with threadpool_limits(limits=1) if threadpool_limits else contextlib.nullcontext():
        _compare_optimizers(x, y)


def _compare_optimizers(x: ag.Tensor, y: ag.Tensor) -> None:
    sgd = train_mlp(lambda p: optim.SGD(p, lr=0.1), x, y)
    momentum = train_mlp(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), x, y)
    nesterov = train_mlp(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), x, y)
    adam = train_mlp(lambda p: optim.Adam(p, lr=0.01), x, y)
    # Plain SGD is still far from fitting (loss ~1.1, from ln 10 ≈ 2.3); the others
    # fit the 300 samples (loss < 0.1). Wide margins: robust to float rounding.
    assert sgd < 2.0  # it does learn
    assert momentum < 0.5 * sgd
    assert nesterov < 0.5 * sgd
    assert adam < 0.5 * sgd
