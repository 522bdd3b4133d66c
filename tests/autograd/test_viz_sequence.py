"""ag.viz's sequence views: the per-step gradients a recurrence records equal ‖∂L/∂h_t‖
computed step by step, and the plots draw."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.ops.recurrent import recurrence


@pytest.mark.parametrize("mode,gates,reverse", [("gru", 3, False), ("lstm", 4, True),
                                                ("tanh", 1, False)])
def test_recorded_step_gradients_equal_dl_dh_step_by_step(mode, gates, reverse) -> None:
    rng = np.random.default_rng(0)
    n_t, n_b, n_h = 5, 2, 3
    gi = rng.standard_normal((n_t, n_b, gates * n_h))
    h0 = ag.tensor(rng.standard_normal((n_b, n_h)))
    c0 = ag.tensor(rng.standard_normal((n_b, n_h))) if mode == "lstm" else None
    w = ag.tensor(rng.standard_normal((gates * n_h, n_h)) * 0.6, requires_grad=True)
    cot = rng.standard_normal((n_t, n_b, n_h))  # L = Σ_t ⟨h_t, cot_t⟩

    seq = recurrence(mode, ag.tensor(gi), h0, w, c0=c0, reverse=reverse)
    hs = seq[..., :n_h] if mode == "lstm" else seq
    (hs * cot).sum().backward()
    (rec,) = ag.viz.step_gradients(seq)
    assert rec.mode == mode and rec.reverse == reverse

    # the same recurrence one step at a time, each state kept with retain_grad
    h, c, states = h0, c0, [None] * n_t
    for t in (range(n_t - 1, -1, -1) if reverse else range(n_t)):
        out = recurrence(mode, ag.tensor(gi[t:t + 1]), h, w, c0=c, reverse=False)[0]
        h = out[:, :n_h] if mode == "lstm" else out
        c = out[:, n_h:] if mode == "lstm" else None
        h.retain_grad()
        states[t] = h
    sum((states[t] * cot[t]).sum() for t in range(n_t)).backward()
    expected = [np.linalg.norm(s.grad._data) for s in states]
    np.testing.assert_allclose(rec.norms, expected, rtol=1e-10)


def test_plots_return_figures() -> None:
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(1)
    gi = ag.tensor(rng.standard_normal((4, 2, 6)), requires_grad=True)
    seq = recurrence("gru", gi, ag.zeros(2, 2, dtype=np.float64),
                     ag.tensor(rng.standard_normal((6, 2))))
    seq.sum().backward()
    fig = ag.viz.plot_step_gradients(seq)
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].lines) == 1
    weights = rng.dirichlet(np.ones(3), size=(2, 3))  # (heads, T_q, T_k)
    fig = ag.viz.plot_attention(weights, list("abc"), list("abc"), title="t")
    assert len(fig.axes) == 3  # two heads and the colour bar
    with pytest.raises(ValueError, match="no recurrence"):
        ag.viz.plot_step_gradients(ag.tensor(np.ones(2), requires_grad=True) * 2)
    with pytest.raises(ValueError, match="heads"):
        ag.viz.plot_attention(np.ones((1, 2, 2, 2)))
