"""The activations, pointwise losses and distances of issue 16 against torch's numbers
(computed once with torch and written here; see tests/nn/reference.py), their modules'
reprs, and every bad argument."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from tests.nn.reference import check


def _tensor(a, grad=True):
    return ag.tensor(a, dtype=np.float64, requires_grad=grad)


def _numpy(t):
    return t.detach().numpy().astype(np.float64)


_X = ((3, 5),)
CASES = {
    "elu": (lambda F, x: F.elu(x * 3, 0.7), _X, ()),
    "selu": (lambda F, x: F.selu(x * 3), _X, ()),
    "celu": (lambda F, x: F.celu(x * 3, 1.5), _X, ()),
    "softplus": (lambda F, x: F.softplus(x * 10), _X, ()),
    "softplus-beta-threshold": (lambda F, x: F.softplus(x * 4, beta=2.0, threshold=3.0), _X,
                                ()),
    "logsigmoid": (lambda F, x: F.logsigmoid(x * 20), _X, ()),
    "mish": (lambda F, x: F.mish(x * 3), _X, ()),
    "silu": (lambda F, x: F.silu(x * 3), _X, ()),
    "gelu": (lambda F, x: F.gelu(x * 3), _X, ()),
    "gelu-tanh": (lambda F, x: F.gelu(x * 3, approximate="tanh"), _X, ()),
    "hardtanh": (lambda F, x: F.hardtanh(x * 3, -1.5, 2.0), _X, ()),
    "relu6": (lambda F, x: F.relu6(x * 5), _X, ()),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x * 5), _X, ()),
    "hardswish": (lambda F, x: F.hardswish(x * 5), _X, ()),
    "softsign": (lambda F, x: F.softsign(x * 3), _X, ()),
    "tanhshrink": (lambda F, x: F.tanhshrink(x * 3), _X, ()),
    "l1-mean": (lambda F, x, t: F.l1_loss(x, t), ((3, 5), (3, 5)), ()),
    "l1-none": (lambda F, x, t: F.l1_loss(x, t, reduction="none"), ((3, 5), (3, 5)), ()),
    "l1-weight-sum": (lambda F, x, t, w: F.l1_loss(x, t, reduction="sum", weight=w.detach()),
                      ((3, 5), (3, 5), (3, 5)), ("normal", "normal", "positive")),
    "smooth-l1-mean": (lambda F, x, t: F.smooth_l1_loss(x, t), ((3, 5), (3, 5)), ()),
    "smooth-l1-beta0.5-sum": (lambda F, x, t: F.smooth_l1_loss(x, t, reduction="sum",
                                                               beta=0.5), ((3, 5), (3, 5)), ()),
    "smooth-l1-beta0": (lambda F, x, t: F.smooth_l1_loss(x, t, beta=0.0), ((3, 5), (3, 5)),
                        ()),
    "huber-mean": (lambda F, x, t: F.huber_loss(x, t), ((3, 5), (3, 5)), ()),
    "huber-delta0.6-none": (lambda F, x, t: F.huber_loss(x, t, reduction="none", delta=0.6),
                            ((3, 5), (3, 5)), ()),
    "kl-batchmean": (lambda F, x, t: F.kl_div(x.log(), t, reduction="batchmean"),
                     ((4, 3), (4, 3)), ("prob", "prob")),
    "kl-mean": (lambda F, x, t: F.kl_div(x, t), ((4, 3), (4, 3)), ("normal", "prob")),
    "kl-sum-log-target": (lambda F, x, t: F.kl_div(x, t, reduction="sum", log_target=True),
                          ((4, 3), (4, 3)), ()),
    "kl-none": (lambda F, x, t: F.kl_div(x, t, reduction="none"), ((2, 3), (2, 3)),
                ("normal", "positive")),
    "normalize": (lambda F, x: F.normalize(x), ((3, 4, 2),), ()),
    "normalize-p1-dim0": (lambda F, x: F.normalize(x, p=1.0, dim=0), ((3, 4),), ()),
    "normalize-p3-last": (lambda F, x: F.normalize(x, p=3, dim=-1), ((3, 4),), ()),
    "normalize-inf": (lambda F, x: F.normalize(x, p=float("inf"), dim=1), ((3, 4),), ()),
    "normalize-tiny-rows": (lambda F, x: F.normalize(x * 1e-13, dim=1), ((3, 4),), ()),
    "cosine": (lambda F, a, b: F.cosine_similarity(a, b), ((3, 4), (3, 4)), ()),
    "cosine-broadcast-last": (lambda F, a, b: F.cosine_similarity(a, b, dim=-1),
                              ((2, 3, 4), (4,)), ()),
    "cosine-clamped-norm": (lambda F, a, b: F.cosine_similarity(a * 1e-9, b, eps=1e-8),
                            ((3, 4), (3, 4)), ()),
    "pairwise": (lambda F, a, b: F.pairwise_distance(a, b), ((3, 4), (3, 4)), ()),
    "pairwise-p1-keepdim": (lambda F, a, b: F.pairwise_distance(a, b, p=1.0, keepdim=True),
                            ((3, 4), (3, 4)), ()),
}

EXPECTED = {
    'elu': (
        (3, 5), -0.19196228116710823,
        [6.5460286470524265]),
    'selu': (
        (3, 5), 0.23193339068890761,
        [8.497705844290703]),
    'celu': (
        (3, 5), 0.10113319361762796,
        [7.93442371178782]),
    'softplus': (
        (3, 5), -1.687982990975704,
        [15.260249839285468]),
    'softplus-beta-threshold': (
        (3, 5), -0.6988194011695097,
        [6.025329929675554]),
    'logsigmoid': (
        (3, 5), 24.293044657293272,
        [68.44851741826375]),
    'mish': (
        (3, 5), -0.3324490844940695,
        [4.501722442630175]),
    'silu': (
        (3, 5), -0.28110534764448836,
        [4.096853363541793]),
    'gelu': (
        (3, 5), -0.281168784185304,
        [4.13659381061491]),
    'gelu-tanh': (
        (3, 5), -0.28043379589450684,
        [4.13446421245187]),
    'hardtanh': (
        (3, 5), 0.1490000342900497,
        [6.212123518423109]),
    'relu6': (
        (3, 5), -0.7050381765839915,
        [9.646375196108709]),
    'hardsigmoid': (
        (3, 5), -0.598571486948152,
        [2.2439912146397907]),
    'hardswish': (
        (3, 5), -0.2426144517235999,
        [5.91410344056569]),
    'softsign': (
        (3, 5), 0.1564727392022855,
        [3.6455458512986545]),
    'tanhshrink': (
        (3, 5), 3.074349478233117,
        [10.08367486177623]),
    'l1-mean': (
        (), 0.8163373320930525,
        [0.11689308679066023,
         -0.11689308679066023]),
    'l1-none': (
        (3, 5), -1.17559982744524,
        [-2.741985662064132,
         2.741985662064132]),
    'l1-weight-sum': (
        (), 13.037565443459417,
        [1.6623544293095969,
         -1.6623544293095969,
         None]),
    'smooth-l1-mean': (
        (), 0.45457152455217575,
        [0.05332072915003814,
         -0.05332072915003814]),
    'smooth-l1-beta0.5-sum': (
        (), 9.142320361881193,
        [1.3460734074929,
         -1.3460734074929]),
    'smooth-l1-beta0': (
        (), 0.8163373320930525,
        [0.11689308679066023,
         -0.11689308679066023]),
    'huber-mean': (
        (), 0.45457152455217575,
        [0.05332072915003814,
         -0.05332072915003814]),
    'huber-delta0.6-none': (
        (3, 5), -0.6712909518694138,
        [-1.170283115780857,
         1.170283115780857]),
    'kl-batchmean': (
        (), 0.9217655406392875,
        [5.3682527336219135,
         -1.6095586644623232]),
    'kl-mean': (
        (), -0.3069668982910234,
        [0.04349243330102485,
         -0.07545241178573503]),
    'kl-sum-log-target': (
        (), 8.412465100737368,
        [0.8961466642767081,
         -2.804893418355147]),
    'kl-none': (
        (2, 3), -0.009553041358753678,
        [-2.605059715335988,
         2.5630737181992154]),
    'normalize': (
        (3, 4, 2), 0.48995543940396513,
        [4.801756120997294]),
    'normalize-p1-dim0': (
        (3, 4), -0.8220731760480839,
        [2.9172631025445495]),
    'normalize-p3-last': (
        (3, 4), -1.4791290597075528,
        [2.438909535311194]),
    'normalize-inf': (
        (3, 4), -1.5828372908284287,
        [2.713834680055518]),
    'normalize-tiny-rows': (
        (3, 4), -0.1882135528989721,
        [0.35516314314590136]),
    'cosine': (
        (3,), -0.035465006943893276,
        [0.8905795668819546,
         0.10050549327276814]),
    'cosine-broadcast-last': (
        (2, 3), 0.7062464981089819,
        [0.9583944544759333,
         -0.5250369011780466]),
    'cosine-clamped-norm': (
        (3,), -0.00820366596274225,
        [0.043638249993386245,
         0.06541572427482395]),
    'pairwise': (
        (3,), 2.6783956143584455,
        [-0.2204915249287684,
         0.2204915249287684]),
    'pairwise-p1-keepdim': (
        (3, 1), 4.291598862423775,
        [-0.6257870605868003,
         0.6257870605868003]),
}


# torch's hardsigmoid backward uses 1/6 rounded to float32 even for float64 (0.1666666716);
# chainrule uses the exact slope.
RTOL = {"hardsigmoid": 1e-7}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(CASES, EXPECTED, name, F, _tensor, _numpy, rtol=RTOL.get(name, 1e-9))


_EDGE = np.array([-1e-10, -30.0, 3.0, -3.0, 6.0, 0.0])


def _grad(fn, x=_EDGE):
    t = ag.tensor(x, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


def test_values_in_the_tails_are_exact_as_torchs() -> None:
    x = ag.tensor(_EDGE)
    np.testing.assert_allclose(F.elu(x).numpy(), [-9.999999999500001e-11, -0.9999999999999064,
                                                  3.0, -0.950212931632136, 6.0, 0.0],
                               rtol=1e-15)
    np.testing.assert_allclose(F.softplus(x).numpy(), [
        0.6931471805099453, 9.357622968839737e-14, 3.048587351573742, 0.04858735157374206,
        6.00247568513773, 0.6931471805599453], rtol=1e-15)
    np.testing.assert_allclose(F.logsigmoid(x).numpy()[:2], [-0.6931471806099453,
                                                            -30.000000000000092], rtol=1e-15)
    big = ag.tensor(np.array([800.0, -800.0]))
    assert np.isfinite(F.softplus(big).numpy()).all() and np.isfinite(F.mish(big).numpy()).all()


def test_derivatives_at_the_kinks_are_torchs() -> None:
    np.testing.assert_allclose(_grad(F.hardswish), [0.5, 0, 1, 0, 1, 0.5], atol=1e-10)
    np.testing.assert_allclose(_grad(F.hardsigmoid), [1 / 6, 0, 0, 0, 0, 1 / 6])
    np.testing.assert_array_equal(_grad(F.relu6), [0, 0, 1, 0, 0, 0])
    np.testing.assert_array_equal(_grad(F.hardtanh), [1, 0, 0, 0, 0, 1])
    np.testing.assert_allclose(_grad(F.elu), [0.9999999999, 9.357622968840175e-14, 1.0,
                                              0.049787068367863944, 1.0, 1.0], rtol=1e-12)
    # a large positive input does not poison ELU's gradient through its unused branch
    assert np.isfinite(_grad(F.elu, np.array([1000.0, -1.0]))).all()


def test_activation_modules_match_the_functions_and_torchs_reprs() -> None:
    reprs = {
        nn.ELU(): "ELU(alpha=1.0)", nn.ELU(0.5, True): "ELU(alpha=0.5, inplace=True)",
        nn.Softplus(): "Softplus(beta=1.0, threshold=20.0)", nn.Mish(): "Mish()",
        nn.Hardtanh(): "Hardtanh(min_val=-1.0, max_val=1.0)", nn.SiLU(): "SiLU()",
        nn.GELU(): "GELU(approximate='none')", nn.GELU("tanh"): "GELU(approximate='tanh')",
        nn.ReLU6(): "ReLU6()", nn.Hardswish(): "Hardswish()", nn.Hardsigmoid(): "Hardsigmoid()",
        nn.LogSigmoid(): "LogSigmoid()", nn.Softsign(): "Softsign()",
        nn.Tanhshrink(): "Tanhshrink()", nn.SELU(): "SELU()", nn.CELU(): "CELU(alpha=1.0)",
        nn.Hardtanh(-2, 3, True): "Hardtanh(min_val=-2, max_val=3, inplace=True)",
        nn.SiLU(True): "SiLU(inplace=True)",
    }
    for module, text in reprs.items():
        assert repr(module) == text
    x = ag.tensor(np.linspace(-4, 4, 9))
    pairs = [(nn.ELU(0.5), lambda t: F.elu(t, 0.5)), (nn.CELU(2.0), lambda t: F.celu(t, 2.0)),
             (nn.Softplus(2.0, 3.0), lambda t: F.softplus(t, 2.0, 3.0)),
             (nn.GELU("tanh"), lambda t: F.gelu(t, approximate="tanh")),
             (nn.Hardtanh(-2.0, 3.0), lambda t: F.hardtanh(t, -2.0, 3.0))]
    for module, fn in pairs:
        np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())


def test_activation_bad_arguments() -> None:
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(ag.randn(3), approximate="fast")
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(2.0, 1.0)


def test_kl_div_mean_warns_as_torch_and_batchmean_divides_by_the_batch() -> None:
    x, t = ag.tensor(np.log([[0.2, 0.8], [0.5, 0.5]])), ag.tensor([[0.1, 0.9], [0.0, 1.0]])
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        mean = F.kl_div(x, t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batchmean = F.kl_div(x, t, reduction="batchmean")
        total = F.kl_div(x, t, reduction="sum")
    np.testing.assert_allclose(batchmean.numpy(), total.numpy() / 2)
    np.testing.assert_allclose(mean.numpy(), total.numpy() / 4)
    # 0·log 0 counts as 0, as torch's xlogy
    assert np.isfinite(F.kl_div(x, t, reduction="none").numpy()).all()
    assert repr(nn.KLDivLoss(reduction="batchmean")) == "KLDivLoss()"  # torch 2.13's


def test_loss_modules_match_the_functions() -> None:
    rng = np.random.default_rng(3)
    x, y = ag.tensor(rng.standard_normal((4, 3))), ag.tensor(rng.standard_normal((4, 3)))
    pairs = [(nn.L1Loss(reduction="sum"), F.l1_loss(x, y, reduction="sum")),
             (nn.SmoothL1Loss(beta=0.3), F.smooth_l1_loss(x, y, beta=0.3)),
             (nn.HuberLoss(delta=0.4), F.huber_loss(x, y, delta=0.4))]
    for module, want in pairs:
        np.testing.assert_array_equal(module(x, y).numpy(), want.numpy())
    p = ag.tensor(rng.dirichlet(np.ones(3), size=4))
    np.testing.assert_array_equal(nn.KLDivLoss(reduction="batchmean", log_target=False)(x, p)
                                  .numpy(), F.kl_div(x, p, reduction="batchmean").numpy())


def test_loss_bad_arguments_raise_torchs_classes() -> None:
    x, y = ag.randn(3), ag.randn(3)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(x, y, beta=-1.0)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(x, y, delta=0.0)
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.kl_div(x, y, reduction="foo")
    with pytest.raises(ValueError, match="reduction"):
        F.l1_loss(x, y, reduction="batchmean")
    with pytest.raises(ValueError, match=r"target of shape \(4,\)"):
        F.l1_loss(x, ag.randn(4))
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.l1_loss(x, y, weight=np.ones(2))


def test_distance_modules() -> None:
    rng = np.random.default_rng(4)
    a, b = ag.tensor(rng.standard_normal((3, 4))), ag.tensor(rng.standard_normal((3, 4)))
    np.testing.assert_array_equal(nn.CosineSimilarity(dim=0, eps=1e-6)(a, b).numpy(),
                                  F.cosine_similarity(a, b, 0, 1e-6).numpy())
    d = nn.PairwiseDistance(p=1.0, keepdim=True)(a, b)
    assert d.shape == (3, 1)
    np.testing.assert_allclose(d.numpy()[:, 0], np.abs(a.numpy() - b.numpy() + 1e-6).sum(1))
    # a zero row normalises to zero with a finite gradient (torch: 1/eps)
    z = ag.tensor(np.zeros((1, 3)), requires_grad=True)
    F.normalize(z).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), np.full((1, 3), 1e12))
