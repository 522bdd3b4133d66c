"""Spectral normalisation, both APIs: nn.utils.parametrizations.spectral_norm (buffers
``_u``/``_v`` in the parametrization) and the old hook nn.utils.spectral_norm
(``weight_orig``/``weight_u``/``weight_v``). Torch's u, v are loaded into the buffers, then
k training-mode passes (with SGD steps between) must give torch 2.13's outputs, buffers and
gradients (torch_values_spectral_norm.json, float64)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils import parametrizations as PZ

T = json.loads((pathlib.Path(__file__).parent / "torch_values_spectral_norm.json").read_text())
LIN = T["lin"]


def close(a, b, rtol=1e-10, atol=1e-12) -> None:
    np.testing.assert_allclose(np.asarray(a.detach().numpy() if isinstance(a, ag.Tensor) else a),
                               np.asarray(b), rtol=rtol, atol=atol)


def linear() -> nn.Linear:
    m = nn.Linear(5, 4).double()
    m.load_state_dict({"weight": np.asarray(LIN["W"]), "bias": np.asarray(LIN["b"])})
    return m


def sgd(m: nn.Module) -> None:
    with ag.no_grad():
        for p in m.parameters():
            p -= 0.1 * p.grad
            p.grad = None


def put(t: ag.Tensor, values) -> None:
    with ag.no_grad():
        t.copy_(ag.tensor(np.asarray(values)))


@pytest.mark.parametrize("n_it", [1, 2])
def test_parametrization_k_training_passes_match_torch(n_it) -> None:
    ref = LIN[f"param_nit{n_it}"]
    m = linear()
    PZ.spectral_norm(m, n_power_iterations=n_it)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original",
                                    "parametrizations.weight.0._u",
                                    "parametrizations.weight.0._v"]
    assert [k for k, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    sn = m.parametrizations.weight[0]
    put(sn._u, ref["u0"])
    put(sn._v, ref["v0"])
    for x, step in zip(LIN["x"], ref["steps"]):
        y = m(ag.tensor(np.asarray(x)))
        close(y, step["out"])
        close(sn._u, step["u"])
        close(sn._v, step["v"])
        (y ** 2).sum().backward()
        close(m.parametrizations.weight.original.grad, step["grad_original"], rtol=1e-9)
        close(m.bias.grad, step["grad_bias"])
        sgd(m)
        close(m.weight, step["weight"])  # a read in training mode advances u, v too
        close(sn._u, step["u_after_read"])
    m.eval()
    u = sn._u.detach().numpy().copy()
    close(m(ag.tensor(np.asarray(LIN["x"][0]))), ref["eval_out"])
    close(sn._u, ref["eval_u"])
    np.testing.assert_array_equal(sn._u.numpy(), u)  # eval mode: no power step


def test_parametrization_start_is_15_steps_plus_the_checking_read() -> None:
    init = LIN["init"]
    m = linear()
    PZ.spectral_norm(m)
    sn = m.parametrizations.weight[0]
    put(sn._u, init["u_draw"])
    put(sn._v, init["v_draw"])
    sn._power_method(sn._reshape_weight_to_matrix(m.parametrizations.weight.original), 16)
    close(sn._u, init["u"], rtol=1e-9)
    close(sn._v, init["v"], rtol=1e-9)


def test_parametrization_normalises_the_largest_singular_value() -> None:
    ag.manual_seed(0)
    m = nn.Linear(6, 4)
    PZ.spectral_norm(m, n_power_iterations=5)
    for _ in range(20):
        w = m.weight
    assert abs(np.linalg.svd(w.detach().numpy(), compute_uv=False)[0] - 1) < 1e-4
    b = nn.Linear(3, 3)  # a 1-d tensor is just normalised, with no buffers
    PZ.spectral_norm(b, name="bias")
    close(b.bias, b.parametrizations.bias.original.detach().numpy()
          / np.linalg.norm(b.parametrizations.bias.original.detach().numpy()), rtol=1e-6)
    assert list(b.parametrizations.bias[0]._buffers) == []


@pytest.mark.parametrize("n_it", [1, 3])
def test_old_hook_k_training_passes_match_torch(n_it) -> None:
    ref = LIN[f"hook_nit{n_it}"]
    m = nn.utils.spectral_norm(linear(), n_power_iterations=n_it)
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert [k for k, _ in m.named_parameters()] == ["bias", "weight_orig"]
    close(m.weight, LIN["W"])  # weight_orig's values until the first forward
    put(m.weight_u, ref["u0"])
    put(m.weight_v, ref["v0"])
    for x, step in zip(LIN["x"], ref["steps"]):
        y = m(ag.tensor(np.asarray(x)))
        close(y, step["out"])
        close(m.weight, step["weight"])
        close(m.weight_u, step["u"])
        close(m.weight_v, step["v"])
        (y ** 2).sum().backward()
        close(m.weight_orig.grad, step["grad_orig"], rtol=1e-9)
        close(m.bias.grad, step["grad_bias"])
        sgd(m)
    m.eval()
    close(m(ag.tensor(np.asarray(LIN["x"][0]))), ref["eval_out"])
    close(m.weight_u, ref["eval_u"])
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    assert isinstance(m.weight, nn.Parameter)
    close(m.weight, ref["removed_weight"])
    assert len(m._forward_pre_hooks) == 0


def test_old_hook_state_dict_round_trip_and_errors() -> None:
    m = nn.utils.spectral_norm(linear())
    m(ag.zeros(1, 5, dtype=ag.float64))
    m2 = nn.utils.spectral_norm(nn.Linear(5, 4).double())
    keys = m2.load_state_dict(m.state_dict())
    assert keys.missing_keys == [] and keys.unexpected_keys == []
    close(m2.weight_u, m.weight_u.numpy())
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="n_power_iterations"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="is None"):
        nn.utils.spectral_norm(nn.Linear(2, 2, bias=False), name="bias")
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))


def test_parametrization_errors_as_torch() -> None:
    with pytest.raises(ValueError, match="n_power_iterations"):
        PZ.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        PZ.spectral_norm(nn.Linear(2, 2), dim=2)
    with pytest.raises(ValueError, match="no parameter or buffer"):
        PZ.spectral_norm(nn.Linear(2, 2), name="w")


@pytest.mark.parametrize("api", ["param", "hook"])
def test_transposed_conv_normalises_along_dim_1(api) -> None:
    c = T["convT"]
    ref = c[api]
    m = nn.ConvTranspose2d(2, 3, 2).double()
    m.load_state_dict({"weight": np.asarray(c["W"]), "bias": np.asarray(c["b"])})
    if api == "param":
        PZ.spectral_norm(m)
        u, v = m.parametrizations.weight[0]._u, m.parametrizations.weight[0]._v
    else:
        nn.utils.spectral_norm(m)
        u, v = m.weight_u, m.weight_v
    assert (tuple(u.shape), tuple(v.shape)) == ((3,), (8,))  # out channels first
    put(u, ref["u0"])
    put(v, ref["v0"])
    close(m(ag.tensor(np.asarray(c["x"]))), ref["out"])
    close(u, ref["u"])
    close(v, ref["v"])
