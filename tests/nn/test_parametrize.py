"""nn.utils.parametrize and nn.utils.parametrizations (weight_norm, orthogonal): torch's
state_dict keys, parameter order, class swap, right_inverse on assignment, chains, caching,
removal and errors; values and gradients against torch 2.13's
(torch_values_parametrize.json, float64)."""

from __future__ import annotations

import copy
import json
import pathlib
import pickle

import numpy as np
import pytest

import autograd as ag
import nn
import nn.utils.parametrize as P
from nn.utils import parametrizations as PZ

T = json.loads((pathlib.Path(__file__).parent / "torch_values_parametrize.json").read_text())


class Sym(nn.Module):
    """X ↦ triu(X) + triu(X, 1)ᵀ (a symmetric matrix); right inverse triu."""

    def forward(self, X):
        return X.triu() + X.triu(1).mT

    def right_inverse(self, A):
        return A.triu()


class Scale(nn.Module):
    def __init__(self, s: float) -> None:
        super().__init__()
        self.s = s
        self.calls = 0

    def forward(self, X):
        self.calls += 1
        return X * self.s

    def right_inverse(self, X):
        return X / self.s


class Split(nn.Module):
    """(A, B) ↦ A·B, right inverse X ↦ (X/2, 2): two originals."""

    def forward(self, A, B):
        return A * B

    def right_inverse(self, X):
        return (X * 0.5, ag.full(tuple(X.shape), 2.0, dtype=X.dtype))


class NoInverse(nn.Module):
    def forward(self, X):
        return X.tanh()


class FirstRow(nn.Module):
    def forward(self, X):
        return X[:1]


class ToFloat32(nn.Module):
    def forward(self, X):
        return X.float()


def linear(W, b) -> nn.Linear:
    W, b = np.asarray(W), np.asarray(b)
    m = nn.Linear(W.shape[1], W.shape[0]).double()
    m.load_state_dict({"weight": W, "bias": b})
    return m


def close(a, b, rtol=1e-10, atol=1e-12) -> None:
    np.testing.assert_allclose(np.asarray(a.detach().numpy() if isinstance(a, ag.Tensor) else a),
                               np.asarray(b), rtol=rtol, atol=atol)


# -- register_parametrization ------------------------------------------------------------
def test_register_swaps_the_class_and_moves_the_tensor_as_torch() -> None:
    m = linear(T["W"], T["b"])
    original = m.weight
    P.register_parametrization(m, "weight", Sym())
    assert type(m).__name__ == "ParametrizedLinear"
    assert isinstance(m, nn.Linear)
    assert P.type_before_parametrizations(m) is nn.Linear
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [k for k, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    assert m.parametrizations.weight.original is original  # the same Parameter object
    assert isinstance(m.parametrizations.weight, P.ParametrizationList)
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert not P.is_parametrized(m, "bias") and not P.is_parametrized(nn.Linear(2, 2))
    W = np.asarray(T["W"])
    close(m.weight, np.triu(W) + np.triu(W, 1).T)  # right_inverse kept triu(W)
    assert "weight" not in m._parameters
    # another instance of the class is untouched
    assert type(nn.Linear(2, 2)) is nn.Linear


def test_chain_values_gradients_and_assignment_match_torch() -> None:
    c = T["chain"]
    m = linear(T["W"], T["b"])
    P.register_parametrization(m, "weight", Sym())
    P.register_parametrization(m, "weight", Scale(2.0))
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert len(m.parametrizations.weight) == 2
    close(m.parametrizations.weight.original, c["original"])
    close(m.weight, c["weight"])
    x = ag.tensor(np.asarray(T["x"]))
    y = m(x)
    close(y, c["out"])
    (y ** 2).sum().backward()
    close(m.parametrizations.weight.original.grad, c["grad_original"])
    close(m.bias.grad, c["grad_bias"])
    # assignment runs right_inverse through the chain, last registered first
    orig = m.parametrizations.weight.original
    m.weight = ag.tensor(np.asarray(c["X"]))
    assert m.parametrizations.weight.original is orig
    close(orig, c["original_after_assign"])
    close(m.weight, c["weight_after_assign"])
    # second order through the chain
    o = m.parametrizations.weight.original
    (g,) = ag.grad((m(x) ** 2).sum(), [o], create_graph=True)
    (g2,) = ag.grad((g ** 2).sum(), [o])
    close(g2, c["grad2_original"], rtol=1e-9)


def test_sequence_right_inverse_gives_original0_and_original1() -> None:
    s = T["split"]
    m = linear(T["W"], T["b"])
    P.register_parametrization(m, "weight", Split())
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    pw = m.parametrizations.weight
    assert not pw.is_tensor and pw.ntensors == 2
    assert isinstance(pw.original0, nn.Parameter) and isinstance(pw.original1, nn.Parameter)
    close(pw.original0, s["original0"])
    close(pw.original1, s["original1"])
    close(m.weight, T["W"])
    (m(ag.tensor(np.asarray(T["x"]))) ** 2).sum().backward()
    close(pw.original0.grad, s["grad0"])
    close(pw.original1.grad, s["grad1"])
    with pytest.raises(ValueError, match="leave_parametrized=False"):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    P.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and list(m.state_dict()) == ["bias", "weight"]
    assert isinstance(m.weight, nn.Parameter)
    close(m.weight, T["W"])


def test_buffer_is_parametrized_as_a_buffer() -> None:
    bn = nn.BatchNorm1d(3)
    bn.running_mean.copy_(ag.tensor([1.0, 2.0, 3.0]))
    P.register_parametrization(bn, "running_mean", Scale(2.0))
    assert "parametrizations.running_mean.original" in dict(bn.named_buffers())
    assert not isinstance(bn.parametrizations.running_mean.original, nn.Parameter)
    close(bn.running_mean, [1.0, 2.0, 3.0], rtol=1e-6)  # right_inverse halved the original
    close(bn.parametrizations.running_mean.original, [0.5, 1.0, 1.5], rtol=1e-6)


def test_remove_leave_parametrized_or_not() -> None:
    for leave, expected in ((True, None), (False, "triu")):
        m = linear(T["W"], T["b"])
        P.register_parametrization(m, "weight", Sym())
        original = m.parametrizations.weight.original
        value = m.weight.detach().numpy().copy()
        P.remove_parametrizations(m, "weight", leave_parametrized=leave)
        assert type(m) is nn.Linear
        assert not hasattr(m, "parametrizations")
        assert list(m.state_dict()) == ["bias", "weight"]
        assert m.weight is original
        close(m.weight, value if expected is None else np.triu(np.asarray(T["W"])))
        assert not P.is_parametrized(m)


def test_class_kept_while_another_tensor_stays_parametrized() -> None:
    m = linear(T["W"], T["b"])
    P.register_parametrization(m, "weight", Sym())
    P.register_parametrization(m, "bias", Scale(3.0))
    P.remove_parametrizations(m, "weight")
    assert type(m).__name__ == "ParametrizedLinear"
    assert list(m.state_dict()) == ["weight", "parametrizations.bias.original"]
    P.remove_parametrizations(m, "bias")
    assert type(m) is nn.Linear


def test_cached_computes_once_per_context() -> None:
    m = linear(T["W"], T["b"])
    sc = Scale(2.0)
    P.register_parametrization(m, "weight", sc)
    sc.calls = 0
    assert m.weight is not m.weight
    assert sc.calls == 2
    with P.cached():
        a = m.weight
        with P.cached():
            b = m.weight
        c = m.weight
    assert a is b is c and sc.calls == 3
    assert m.weight is not a  # the cache went with the outermost context


def test_parametrization_follows_the_module_training_mode() -> None:
    m = linear(T["W"], T["b"]).eval()
    sc = Scale(1.0)
    P.register_parametrization(m, "weight", sc)
    assert sc.training is False


def test_deepcopy_works_and_pickle_refuses_as_torch() -> None:
    m = linear(T["W"], T["b"])
    P.register_parametrization(m, "weight", Sym())
    c = copy.deepcopy(m)
    assert type(c) is type(m)
    assert c.parametrizations.weight.original is not m.parametrizations.weight.original
    close(c.weight, m.weight.detach().numpy())
    with pytest.raises(RuntimeError, match="state_dict"):
        pickle.dumps(m)


def test_state_dict_round_trip() -> None:
    m = linear(T["W"], T["b"])
    P.register_parametrization(m, "weight", Sym())
    m2 = linear(np.zeros((3, 3)), np.zeros(3))
    P.register_parametrization(m2, "weight", Sym())
    assert m2.load_state_dict(m.state_dict()).missing_keys == []
    close(m2.weight, m.weight.detach().numpy())


def test_transfer_shares_the_originals() -> None:
    m = linear(T["W"], T["b"])
    P.register_parametrization(m, "weight", Sym())
    to = linear(np.zeros((3, 3)), np.zeros(3))
    P.transfer_parametrizations_and_params(m, to)
    assert to.parametrizations.weight.original is m.parametrizations.weight.original
    close(to.weight, m.weight.detach().numpy())


def test_errors_as_torch() -> None:
    m = linear(T["W"], T["b"])
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        P.register_parametrization(m, "nope", Sym())
    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(m, "weight", FirstRow())
    with pytest.raises(ValueError, match="may not change the dtype"):
        P.register_parametrization(m, "weight", ToFloat32())
    assert type(m) is nn.Linear and list(m.state_dict()) == ["weight", "bias"]  # untouched
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(m, "weight")
    with pytest.raises(ValueError, match="one or more modules"):
        P.ParametrizationList([], m.weight)
    P.register_parametrization(m, "weight", Sym())
    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(m, "weight", FirstRow())
    assert len(m.parametrizations.weight) == 1
    with pytest.raises(KeyError, match="already exists"):  # torch's register_parameter
        m.weight = nn.Parameter(ag.zeros(3, 3, dtype=ag.float64))
    P.register_parametrization(m, "bias", NoInverse())
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        m.bias = ag.zeros(3, dtype=ag.float64)
    m2 = linear(T["W"], T["b"])
    P.register_parametrization(m2, "weight", FirstRow(), unsafe=True)  # unsafe skips checks
    assert tuple(m2.weight.shape) == (1, 3)


# -- parametrizations.weight_norm --------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_g_v_output_and_gradients_match_torch(dim) -> None:
    w = T["wn"]
    ref = w[str(dim)]
    m = linear(w["W"], w["b"])
    PZ.weight_norm(m, dim=dim)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    pw = m.parametrizations.weight
    close(pw.original0, ref["g"])
    close(pw.original1, ref["v"])
    close(m.weight, w["W"])
    y = m(ag.tensor(np.asarray(w["x"])))
    close(y, ref["out"])
    (y ** 2).sum().backward()
    close(pw.original0.grad, ref["grad_g"])
    close(pw.original1.grad, ref["grad_v"])


def test_weight_norm_loads_the_old_hook_state_dict() -> None:
    w = T["wn"]
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = nn.utils.weight_norm(linear(w["W"], w["b"]))
    assert list(old.state_dict()) == ["bias", "weight_g", "weight_v"]
    m = linear(np.zeros((4, 5)), np.zeros(4))
    PZ.weight_norm(m)
    m.load_state_dict(old.state_dict())
    close(m.weight, w["W"])


# -- parametrizations.orthogonal ---------------------------------------------------------
@pytest.mark.parametrize(("case", "orthogonal_map"), [
    ("orth", "cayley"), ("orth_wide", "cayley"), ("orth_exp", "matrix_exp"),
    ("orth_hh_tall", "householder"), ("orth_hh_wide", "householder"),
    ("orth_hh_square", "householder")])
def test_orthogonal_maps_match_torch(case, orthogonal_map) -> None:
    o = T[case]
    W = np.asarray(o["W"])
    m = linear(W, np.zeros(W.shape[0]))
    PZ.orthogonal(m, orthogonal_map=orthogonal_map)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original",
                                    "parametrizations.weight.0.base"]
    if W.shape[0] == W.shape[1]:  # a square base is W's QR factor, as torch's ...
        close(m.parametrizations.weight[0].base, o["base"], rtol=1e-9, atol=1e-11)
        close(m.weight, o["base"], rtol=1e-9, atol=1e-11)  # ... and the weight starts there
        close(m.parametrizations.weight.original, -np.eye(4))
    m.parametrizations.weight[0].base.copy_(ag.tensor(np.asarray(o["base"])))
    with ag.no_grad():
        m.parametrizations.weight.original.copy_(ag.tensor(np.asarray(o["X"])))
    Q = m.weight
    close(Q, o["weight"], rtol=1e-9, atol=1e-11)
    q = Q.detach().numpy()
    eye = q @ q.T if q.shape[0] < q.shape[1] else q.T @ q
    close(eye, np.eye(eye.shape[0]), atol=1e-12)
    (Q ** 3).sum().backward()
    close(m.parametrizations.weight.original.grad, o["grad_X"], rtol=1e-9, atol=1e-11)


def test_orthogonal_assignment_and_errors() -> None:
    m = linear(np.asarray(T["orth"]["W"]), np.zeros(4))
    PZ.orthogonal(m, orthogonal_map="cayley")
    q = np.linalg.qr(np.asarray(T["orth"]["X"]))[0]
    m.weight = ag.tensor(q)
    close(m.weight, q, atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        m.weight = ag.zeros(3, 3, dtype=ag.float64)
    m2 = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        PZ.orthogonal(m2, orthogonal_map="qr")
    with pytest.raises(ValueError, match="1 dimensions"):
        PZ.orthogonal(m2, name="bias")
    with pytest.raises(ValueError, match="no parameter or buffer"):
        PZ.orthogonal(m2, name="nope")
    # the default maps: householder for a non-square weight, matrix_exp for a square one
    assert PZ.orthogonal(nn.Linear(3, 5)).parametrizations.weight[0].orthogonal_map.name == \
        "householder"
    assert PZ.orthogonal(m2).parametrizations.weight[0].orthogonal_map.name == "matrix_exp"
    m4 = PZ.orthogonal(nn.Linear(3, 5), use_trivialization=False)
    with pytest.raises(NotImplementedError, match="geqrf"):
        m4.weight = ag.eye(5, 3)
    m3 = nn.Linear(3, 3)
    PZ.orthogonal(m3, orthogonal_map="cayley", use_trivialization=False)
    assert list(m3.state_dict()) == ["bias", "parametrizations.weight.original"]
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        m3.weight = ag.eye(3)


@pytest.mark.parametrize("which", ["weight_norm", "spectral_norm", "cayley", "chain"])
def test_parametrized_weight_passes_gradcheck_and_gradgradcheck(which) -> None:
    """The weight as a function of its originals: first and second derivatives against
    finite differences (spectral_norm in eval mode, where u and v stay put)."""
    ag.manual_seed(3)
    m = nn.Linear(4, 4).double()
    if which == "weight_norm":
        PZ.weight_norm(m)
    elif which == "spectral_norm":
        PZ.spectral_norm(m)
        m.eval()
    elif which == "cayley":
        PZ.orthogonal(m, orthogonal_map="cayley")
    else:
        P.register_parametrization(m, "weight", Sym())
        P.register_parametrization(m, "weight", Scale(2.0))
    pw = m.parametrizations.weight
    names = ["original"] if pw.is_tensor else ["original0", "original1"]
    originals = [getattr(pw, n).detach().clone().requires_grad_(True) for n in names]
    if which == "cayley":
        originals = [(ag.randn(4, 4, dtype=ag.float64) * 0.5).requires_grad_(True)]

    def weight(*xs):
        for n, x in zip(names, xs):
            pw._parameters[n] = x  # the property reads these
        return m.weight

    assert ag.gradcheck(weight, tuple(originals))
    assert ag.gradgradcheck(weight, tuple(originals))
