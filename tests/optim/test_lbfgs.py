"""LBFGS against torch 2.13's: the closure's loss, the parameters, ``func_evals`` and
``n_iter`` after each of four ``step(closure)`` calls (float64), with and without the
strong-Wolfe line search; torch's values, computed once, are in torch_values_lbfgs.json
(torch is not a test dependency)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import autograd as ag
import optim

TORCH = json.loads((pathlib.Path(__file__).parent / "torch_values_lbfgs.json").read_text())
A = [[2.0, 0.3, -0.2, 0.1, 0.0, 0.4], [0.3, 1.5, 0.2, -0.3, 0.1, 0.0],
     [-0.2, 0.2, 1.0, 0.25, -0.1, 0.2], [0.1, -0.3, 0.25, 0.8, 0.3, -0.1],
     [0.0, 0.1, -0.1, 0.3, 1.2, 0.2], [0.4, 0.0, 0.2, -0.1, 0.2, 0.9]]
B = [1.0, -0.5, 0.3, 0.8, -1.2, 0.4]
X0 = [[[0.5, -1.0], [1.5, 0.2]], [-0.7, 1.1]]
CONFIGS = {
    "quad": ("quad", {}),
    "quad-lr": ("quad", dict(lr=0.3, max_iter=5, history_size=3)),
    "quad-wolfe": ("quad", dict(line_search_fn="strong_wolfe", max_iter=7, history_size=2)),
    "sin-wolfe": ("sin", dict(line_search_fn="strong_wolfe")),
    "sin-eval": ("sin", dict(max_iter=6, max_eval=4, lr=0.5)),
    "rosen-wolfe": ("rosen", dict(line_search_fn="strong_wolfe", tolerance_grad=1e-5)),
}


def _loss(kind: str, x: ag.Tensor) -> ag.Tensor:
    if kind == "quad":  # ½xᵀAx − bᵀx
        a, b = ag.tensor(A, dtype=ag.float64), ag.tensor(B, dtype=ag.float64)
        return 0.5 * (x * (a @ x)).sum() - (b * x).sum()
    if kind == "rosen":  # Rosenbrock's valley
        return ((1 - x[:-1]) ** 2).sum() + 10 * ((x[1:] - x[:-1] ** 2) ** 2).sum()
    return (x ** 4).sum() * 0.25 + ag.sin(x * 3).sum() + 0.5 * (x * x).sum()


def _problem(name: str) -> tuple[list[ag.Tensor], optim.LBFGS, object]:
    kind, kwargs = CONFIGS[name]
    params = [ag.tensor(np.array(x), requires_grad=True) for x in X0]
    opt = optim.LBFGS(params, **kwargs)

    def closure() -> ag.Tensor:
        opt.zero_grad()
        loss = _loss(kind, ag.cat([p.reshape(-1) for p in params]))
        loss.backward()
        return loss

    return params, opt, closure


def _row(params: list[ag.Tensor], opt: optim.LBFGS, loss: ag.Tensor) -> list[float]:
    state = opt.state[params[0]]
    flat = np.concatenate([p.detach().numpy().ravel() for p in params])
    return [float(loss), *flat.tolist(), state["func_evals"], state["n_iter"]]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_lbfgs_steps_as_torch(name: str) -> None:
    params, opt, closure = _problem(name)
    rows = [_row(params, opt, opt.step(closure)) for _ in range(4)]
    got, want = np.array(rows), np.array(TORCH[name])
    np.testing.assert_array_equal(got[:, -2:], want[:, -2:])  # func_evals, n_iter
    np.testing.assert_allclose(got[:, :-2], want[:, :-2], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["quad-lr", "sin-wolfe"])
def test_lbfgs_state_dict_round_trip_continues(name: str) -> None:
    params, opt, closure = _problem(name)
    opt.step(closure)
    saved = opt.state_dict()
    fresh_params, fresh, fresh_closure = _problem(name)
    for p, q in zip(fresh_params, params):
        p.data = q.detach().clone()
    fresh.load_state_dict(saved)
    rows = [_row(fresh_params, fresh, fresh.step(fresh_closure)) for _ in range(3)]
    np.testing.assert_allclose(np.array(rows), np.array(TORCH[name][1:]), rtol=1e-9,
                               atol=1e-12)


def test_lbfgs_checks_as_torch() -> None:
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [p]}, {"params": [ag.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="learning rate"):
        optim.LBFGS([p], lr=-1.0)
    opt = optim.LBFGS([p], line_search_fn="backtracking")
    assert opt.defaults["max_eval"] == 25  # max_iter * 5 // 4

    def closure() -> ag.Tensor:
        opt.zero_grad()
        loss = ((p - 1.0) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="strong_wolfe"):
        opt.step(closure)
