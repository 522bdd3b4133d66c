"""autograd.functional against torch.autograd.functional (values written in below),
against central finite differences, and every error path with torch's message."""

import numpy as np
import pytest

import autograd as ag
from autograd import functional as F

# torch.autograd.functional's results (torch 2.13, float64) for the functions below at
# X, Y, with vectors V2, W; computed once by a scratch script, never imported here.
REF = {
    'X': np.array([[-0.432, -1.13 ,  0.674],
           [-1.108,  2.014,  0.924]]),
    'Y': np.array([-0.359,  0.571,  1.612]),
    'V2': np.array([ 2.834, -0.923]),
    'W': np.array([[ 1.065,  0.518, -0.28 ],
           [ 1.092,  0.507,  1.076]]),
    'vjp_f1': np.array([[ 1.8398593735257078 ,  0.9154762487006649 ,  5.560506166551929  ],
           [-0.30479189568616655, -6.9162516619095955 , -2.325357883360612  ]]),
    'jvp_f1': np.array([0.30935963408513867, 6.870484751000516  ]),
    'jac_f1': np.array([[[0.6492093766851474 , 0.32303325642225295, 1.9620699246831084 ],
            [0.                 , 0.                 , 0.                 ]],

           [[0.                 , 0.                 , 0.                 ],
            [0.3302187385548933 , 7.493230402935639  , 2.519347652611714  ]]]),
    'jac_f2_00': np.array([[[[-0.35133816047029287,  0.                 ,  0.                 ],
             [-0.                 ,  0.                 ,  0.                 ]],

            [[-0.                 ,  0.5404736797528128 ,  0.                 ],
             [-0.                 ,  0.                 ,  0.                 ]],

            [[-0.                 ,  0.                 ,  0.9991512487475    ],
             [-0.                 ,  0.                 ,  0.                 ]]],


           [[[-0.                 ,  0.                 ,  0.                 ],
             [-0.35133816047029287,  0.                 ,  0.                 ]],

            [[-0.                 ,  0.                 ,  0.                 ],
             [-0.                 ,  0.5404736797528128 ,  0.                 ]],

            [[-0.                 ,  0.                 ,  0.                 ],
             [-0.                 ,  0.                 ,  0.9991512487475    ]]]]),
    'jac_f2_01': np.array([[[-0.4044594081185819  ,  0.                  , -0.                  ],
            [ 0.                  , -0.9507378421459136  , -0.                  ],
            [ 0.                  ,  0.                  , -0.027763418327219753]],

           [[-1.0373634819337703  ,  0.                  , -0.                  ],
            [ 0.                  ,  1.694500897417584   , -0.                  ],
            [ 0.                  ,  0.                  , -0.038061422157790875]]]),
    'jac_f2_10': np.array([[-0.864, -2.26 ,  1.348],
           [-2.216,  4.028,  1.848]]),
    'jac_f2_11': np.array([0.881434851925535  , 0.733647701266977  , 0.14723079824143046]),
    'hess_g_00': np.array([[[[ 0.28745441589480625 , -0.1170721528396479  , -0.6322630979482603  ],
             [ 0.07626703731594395 , -0.023523473969412307, -0.45419748688313866 ]],

            [[-0.11707215283964789 ,  5.291935181423747   ,  0.4125035232797967  ],
             [-0.04975843395736673 ,  0.01534727540426094 ,  0.29632927212123317 ]],

            [[-0.6322630979482603  ,  0.41250352327979667 ,  5.697441661190013   ],
             [-0.2687267709685796  ,  0.08288491888804618 ,  1.6003640409751896  ]]],


           [[[ 0.07626703731594395 , -0.04975843395736674 , -0.2687267709685796  ],
             [ 0.34798148442484034 , -0.009998032816207314, -0.19304467464292482 ]],

            [[-0.023523473969412307,  0.01534727540426094 ,  0.08288491888804617 ],
             [-0.009998032816207314,  3.1425797642178908  ,  0.05954186157887082 ]],

            [[-0.4541974868831386  ,  0.2963292721212331  ,  1.6003640409751894  ],
             [-0.19304467464292482 ,  0.05954186157887082 ,  5.342164050618791   ]]]]),
    'hess_g_01': np.array([[[ 4.531845284918144  , -0.09224716612748379, -0.788008928032516  ],
            [-0.4730598982448989 , -2.1310810912834475 ,  0.5141158170454363 ],
            [-2.5548203353625807 ,  0.32503272654670856, 12.994489830444213  ]],

           [[ 0.6350012044618087 , -0.03920722744199981, -0.3349224324680081 ],
            [-0.09505259732926066,  7.505286982645355  ,  0.10330202141320624],
            [-1.835300809940009  ,  0.23349306330126884, 13.744307480659225  ]]]),
    'hess_g_10': np.array([[[ 4.531845284918144  , -0.4730598982448989 , -2.554820335362581  ],
            [ 0.6350012044618087 , -0.09505259732926068, -1.8353008099400094 ]],

           [[-0.09224716612748375, -2.131081091283448  ,  0.32503272654670873],
            [-0.0392072274419998 ,  7.505286982645355  ,  0.23349306330126887]],

           [[-0.788008928032516  ,  0.5141158170454363 , 12.994489830444213  ],
            [-0.3349224324680082 ,  0.10330202141320625, 13.744307480659224  ]]]),
    'hess_g_11': np.array([[ 3.9175757376359783 , -0.37274820666720543, -3.1841510920339804 ],
           [-0.37274820666720554,  9.487195258205004  ,  0.4050982751527237 ],
           [-3.1841510920339804 ,  0.4050982751527239 , 10.017535375711198  ]]),
    'hess_h': np.array([[[[-0.757159902055028  ,  0.                 ,  0.                 ],
             [ 0.                 ,  0.                 ,  0.                 ]],

            [[ 0.                 , -0.37777838010451603,  0.                 ],
             [ 0.                 ,  0.                 ,  0.                 ]],

            [[ 0.                 ,  0.                 ,  3.266029283342269  ],
             [ 0.                 ,  0.                 ,  0.                 ]]],


           [[[ 0.                 ,  0.                 ,  0.                 ],
             [-0.4035098550731423 ,  0.                 ,  0.                 ]],

            [[ 0.                 ,  0.                 ,  0.                 ],
             [ 0.                 , 12.540546962701965  ,  0.                 ]],

            [[ 0.                 ,  0.                 ,  0.                 ],
             [ 0.                 ,  0.                 ,  4.941412326679129  ]]]]),
    'hvp_h': np.array([[-0.8063752956886046 , -0.19568920089413927, -0.9144881993358354 ],
           [-0.4406327617398711 ,  6.3580573100898965 ,  5.3169596635067435 ]]),
    'vhp_h': np.array([[-0.8063752956886046 , -0.19568920089413933, -0.9144881993358353 ],
           [-0.4406327617398711 ,  6.358057310089896  ,  5.316959663506742  ]]),
    'hvp_g_0': np.array([[-2.9447060283900175 ,  2.5550706476602087 , 21.465489482608096  ],
           [-0.49234399014851205,  6.092292351325158  , 27.737248954267592  ]]),
    'hvp_g_1': np.array([-2.7849346041976677,  8.924475861477795 , 27.78682739294014  ]),
    'jvp_f2_0': np.array([[-0.22897421338629104 , -0.2629059417533595  , -0.3245169799927783  ],
           [-0.011247781219336395,  1.2415801680601164  ,  1.0137317311339513  ]]),
    'jvp_f2_1': np.array(-0.517694227652638),
}


def t(a, requires_grad=False):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def f1(x):
    return x.exp().sum(dim=1)


def f2(x, y):
    return (x * y.sin(), (x ** 2).sum() + y.tanh().sum())


def g(x, y):
    return (x ** 2 * y.exp()).sum() + (x.tanh() * y).sum() ** 2


def h(x):
    return (ag.sigmoid(x) * x ** 3).sum()


X, Y, V2, W = (t(REF[k]) for k in ("X", "Y", "V2", "W"))


def numeric_jacobian(fn, xs, eps=1e-6):
    """Central differences: J[i][j] of shape out_i.shape + x_j.shape (fn returns a tuple)."""
    base = [np.asarray(o._data) for o in fn(*xs)]
    jac = [[np.zeros(o.shape + x.shape) for x in xs] for o in base]
    for j, x in enumerate(xs):
        for e in np.ndindex(*x.shape):
            vals = []
            for s in (1, -1):
                arr = x._data.copy()
                arr[e] += s * eps
                args = list(xs)
                args[j] = t(arr)
                vals.append([np.asarray(o._data) for o in fn(*args)])
            for i in range(len(base)):
                jac[i][j][(Ellipsis, *e)] = (vals[0][i] - vals[1][i]) / (2 * eps)
    return jac


def close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a._data if isinstance(a, ag.Tensor) else a),
                               np.asarray(b), rtol=tol, atol=tol)


# -- values: torch's ------------------------------------------------------------------------
def test_vjp_jvp_jacobian_match_torch():
    out, v = F.vjp(f1, X, V2)
    close(out, np.exp(REF["X"]).sum(1))
    close(v, REF["vjp_f1"])
    _, jv = F.jvp(f1, X, W)
    close(jv, REF["jvp_f1"])
    close(F.jacobian(f1, X), REF["jac_f1"])
    j = F.jacobian(f2, (X, Y))
    for a in range(2):
        for b in range(2):
            close(j[a][b], REF[f"jac_f2_{a}{b}"])
    _, jv = F.jvp(f2, (X, Y), (W, Y))
    close(jv[0], REF["jvp_f2_0"])
    close(jv[1], REF["jvp_f2_1"])


def test_hessian_hvp_vhp_match_torch():
    H = F.hessian(g, (X, Y))
    for a in range(2):
        for b in range(2):
            close(H[a][b], REF[f"hess_g_{a}{b}"])
    close(F.hessian(h, X), REF["hess_h"])
    close(F.hvp(h, X, W)[1], REF["hvp_h"])
    close(F.vhp(h, X, W)[1], REF["vhp_h"])
    hv = F.hvp(g, (X, Y), (W, Y))[1]
    close(hv[0], REF["hvp_g_0"])
    close(hv[1], REF["hvp_g_1"])
    vh = F.vhp(g, (X, Y), (W, Y))[1]  # g is C²: vᵀH = (Hv)ᵀ
    close(vh[0], REF["hvp_g_0"])
    close(vh[1], REF["hvp_g_1"])


# -- values: finite differences -------------------------------------------------------------
def test_jacobian_matches_finite_differences():
    num = numeric_jacobian(f2, (X, Y))
    ana = F.jacobian(f2, (X, Y))
    fwd = F.jacobian(f2, (X, Y), vectorize=True, strategy="forward-mode")
    for a in range(2):
        for b in range(2):
            close(ana[a][b], num[a][b], 1e-7)
            close(fwd[a][b], num[a][b], 1e-7)


def test_hessian_is_jacobian_of_numeric_gradient():
    def grads(x, y):
        return F.vjp(g, (x, y))[1]

    num = numeric_jacobian(grads, (X, Y))
    H = F.hessian(g, (X, Y))
    Hf = F.hessian(g, (X, Y), vectorize=True, outer_jacobian_strategy="forward-mode")
    for a in range(2):
        for b in range(2):
            close(H[a][b], num[a][b], 1e-6)
            close(Hf[a][b], num[a][b], 1e-6)


def test_jvp_is_directional_derivative():
    eps = 1e-6
    up, down = (f1(t(REF["X"] + s * eps * REF["W"]))._data for s in (1, -1))
    num = (up - down) / (2 * eps)
    close(F.jvp(f1, X, W)[1], num, 1e-7)


def test_create_graph_results_are_differentiable():
    # third derivatives: the Hessian itself, checked by gradcheck against finite differences
    x = t(REF["X"], requires_grad=True)
    assert ag.gradcheck(lambda x: F.hessian(h, x, create_graph=True), (x,))
    assert ag.gradcheck(lambda x: F.jacobian(f1, x, create_graph=True), (x,))
    assert ag.gradcheck(lambda x: F.hvp(h, x, W, create_graph=True)[1], (x,))
    assert ag.gradcheck(lambda x: F.vhp(h, x, W, create_graph=True)[1], (x,))
    assert ag.gradcheck(lambda x: F.jvp(f1, x, W, create_graph=True)[1], (x,))
    assert ag.gradcheck(lambda x: F.vjp(f1, x, V2, create_graph=True)[1], (x,))
    # v itself is differentiated through when it requires grad
    v = t(REF["W"], requires_grad=True)
    assert ag.gradcheck(lambda v: F.jvp(f1, X, v, create_graph=True)[1], (v,))


# -- return conventions ---------------------------------------------------------------------
def test_return_forms_follow_inputs_and_outputs():
    out, v = F.vjp(lambda x: x.sum(), X)  # v may be omitted for a one-element output
    assert isinstance(out, ag.Tensor) and out.shape == ()
    close(v, np.ones((2, 3)))
    out, v = F.vjp(lambda x, y: (x.sum(), y * 2), (X, Y), (t(1.0), Y))
    assert isinstance(out, tuple) and isinstance(v, tuple) and len(v) == 2
    j = F.jacobian(f1, (X,))
    assert isinstance(j, tuple) and len(j) == 1 and j[0].shape == (2, 2, 3)
    j = F.jacobian(lambda x: (x.sum(),), X)
    assert isinstance(j, tuple) and j[0].shape == (2, 3)
    j = F.jacobian(lambda x, y: (x.sum(), x * 2), (X, Y))
    assert [[e.shape for e in r] for r in j] == [[(2, 3), (3,)], [(2, 3, 2, 3), (2, 3, 3)]]
    H = F.hessian(g, (X, Y))
    assert [[e.shape for e in r] for r in H] == [[(2, 3, 2, 3), (2, 3, 3)], [(3, 2, 3), (3, 3)]]
    s = t(0.7)
    assert F.jacobian(lambda s: s.sin(), s).shape == ()
    close(F.jvp(lambda s: s * 3, s)[1], 3.0)  # v may be omitted for a one-element input
    close(F.hvp(lambda s: s ** 3, s)[1], 6 * 0.7)


def test_results_detached_unless_create_graph():
    x = t(REF["X"], requires_grad=True)
    out, v = F.vjp(f1, x, V2)
    assert not out.requires_grad and not v.requires_grad
    assert not F.jacobian(f1, x).requires_grad
    assert not F.hessian(h, x).requires_grad
    out, v = F.vjp(f1, x, V2, create_graph=True)
    assert out.requires_grad and v.requires_grad
    assert F.hessian(h, x, create_graph=True).requires_grad
    assert x.grad is None  # nothing accumulates into the caller's tensors


def test_dtype_follows_input():
    x32 = ag.tensor(REF["X"].astype(np.float32))
    assert F.jacobian(f1, x32).dtype == np.float32
    assert F.hessian(h, x32).dtype == np.float32
    assert F.vjp(f1, x32, ag.tensor(REF["V2"].astype(np.float32)))[1].dtype == np.float32


def test_independent_input_gives_zeros():
    def k(x, y):
        return x.exp()

    out, v = F.vjp(k, (X, Y), t(np.ones((2, 3))))
    close(v[1], np.zeros(3))
    j = F.jacobian(k, (X, Y))
    close(j[1], np.zeros((2, 3, 3)))
    H = F.hessian(lambda x, y: (x ** 3).sum(), (X, Y))
    close(H[1][1], np.zeros((3, 3)))
    close(H[0][1], np.zeros((2, 3, 3)))
    _, jv = F.jvp(lambda x: ag.ones(3, dtype=np.float64), X, W)  # constant output
    close(jv, np.zeros(3))
    close(F.jacobian(lambda x: ag.ones(3, dtype=np.float64), X), np.zeros((3, 2, 3)))
    close(F.hvp(lambda x: x.sum(), X, W)[1], np.zeros((2, 3)))  # linear: zero Hessian
    close(F.vhp(lambda x: x.sum(), X, W)[1], np.zeros((2, 3)))


def test_identity_and_linear_functions():
    _, jv = F.jvp(lambda x: x, X, W)
    close(jv, REF["W"])
    close(F.jacobian(lambda x: x, Y), np.eye(3))
    _, v = F.vjp(lambda x: x, Y, W[0])
    close(v, REF["W"][0])


# -- errors ---------------------------------------------------------------------------------
def test_non_tensor_inputs_and_outputs_raise_type_error():
    with pytest.raises(TypeError, match="inputs given to vjp must be either a Tensor or a "
                                        "tuple of Tensors but the given inputs has type"):
        F.vjp(f1, REF["X"], V2)
    with pytest.raises(TypeError, match="value at index 1 has type"):
        F.jacobian(f2, (X, 3.0))
    for fn in (F.vjp, F.jvp, F.vhp, F.hvp):
        with pytest.raises(TypeError, match=f"outputs of the user-provided function given to "
                                            f"{fn.__name__} must be"):
            fn(lambda x: 1.0, Y, Y)
    with pytest.raises(TypeError, match="outputs of the user-provided function given to "
                                        "jacobian"):
        F.jacobian(lambda x: x._data, Y)
    with pytest.raises(TypeError, match="outputs of the user-provided function given to "
                                        "hessian"):
        F.hessian(lambda x: [x.sum()], Y)
    with pytest.raises(TypeError, match="The v given to jvp"):
        F.jvp(f1, X, REF["W"])


def test_wrong_v_raises():
    # torch's messages, with its Size reprs
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be "
                                           r"torch\.Size\(\[2\]\) but got "
                                           r"torch\.Size\(\[3\]\)"):
        F.vjp(f1, X, Y)
    with pytest.raises(RuntimeError, match=r"Entry 1 in v has invalid size: should be "
                                           r"torch\.Size\(\[3\]\)"):
        F.jvp(f2, (X, Y), (W, V2))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but "
                                           "got 1"):
        F.hvp(g, (X, Y), (W,))
    with pytest.raises(RuntimeError, match="The given v should contain a single Tensor"):
        F.vhp(h, X, (W, W))
    with pytest.raises(RuntimeError, match="v can only be None if the user-provided function "
                                           "returns a single Tensor with a single element"):
        F.vjp(f1, X)
    for fn in (F.jvp, F.hvp, F.vhp):
        with pytest.raises(RuntimeError, match="v can only be None if the input to the "
                                               "user-provided function is a single Tensor"):
            fn(h, X)


def test_hessian_family_needs_one_scalar_output():
    with pytest.raises(RuntimeError, match="function given to hessian should contain a single "
                                           "element"):
        F.hessian(f1, X)
    with pytest.raises(RuntimeError, match="function given to hessian should return a single "
                                           "Tensor"):
        F.hessian(lambda x: (x.sum(),), X)
    for fn in (F.hvp, F.vhp):
        with pytest.raises(RuntimeError, match=f"function given to {fn.__name__} should "
                                               f"contain a single element"):
            fn(f1, X, W)
        with pytest.raises(RuntimeError, match=f"function given to {fn.__name__} should "
                                               f"return a single Tensor"):
            fn(lambda x: (x.sum(), x.sum()), X, W)


def test_strict_raises_where_an_output_does_not_depend_on_an_input():
    def k(x, y):
        return x.exp().sum()

    with pytest.raises(RuntimeError, match="independent of input 1. This is not allowed in "
                                           "strict mode"):
        F.vjp(k, (X, Y), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is "
                                           "independent of input 1"):
        F.jacobian(k, (X, Y), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not "
                                           "require gradients"):
        F.vjp(lambda x: ag.ones(2, dtype=np.float64), X, V2, strict=True)
    with pytest.raises(RuntimeError, match="The output of the user-provided function is "
                                           "independent of input 1"):
        F.jvp(k, (X, Y), (W, Y), strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with "
                                           "respect to input 1 is independent of the input"):
        F.vhp(lambda x, y: (x ** 2).sum() + y.sum(), (X, Y), (W, Y), strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with "
                                           "respect to input 0 is independent of the input"):
        F.hvp(lambda x: x.sum(), X, W, strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with "
                                           "respect to input 0 is independent of the input"):
        F.hessian(lambda x: x.sum(), X, strict=True)
    # strict with everything connected is silent and gives the same numbers
    close(F.jacobian(f1, X, strict=True), REF["jac_f1"])
    close(F.hessian(h, X, strict=True), REF["hess_h"])


def test_strict_create_graph_refuses_constant_gradients():
    # d(2x)/dx = 2 does not depend on x: with create_graph the result could not require grad
    with pytest.raises(RuntimeError, match="not allowed in strict mode when create_graph=True"):
        F.jacobian(lambda x: 2 * x, Y, strict=True, create_graph=True)


def test_vectorize_and_strategy_arguments():
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not "
                                           "supported together"):
        F.jacobian(f1, X, strict=True, vectorize=True)
    with pytest.raises(AssertionError, match='"forward-mode" or "reverse-mode"'):
        F.jacobian(f1, X, strategy="sideways")
    with pytest.raises(AssertionError, match='"forward-mode" or "reverse-mode"'):
        F.hessian(h, X, outer_jacobian_strategy="sideways")
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        F.jacobian(f1, X, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="`create_graph=True` and "
                                                  '`strategy="forward-mode"`'):
        F.jacobian(f1, X, strategy="forward-mode", vectorize=True, create_graph=True)
    with pytest.raises(RuntimeError, match="`strict=True` and `strategy=\"forward-mode\"`"):
        F.jacobian(f1, X, strategy="forward-mode", vectorize=True, strict=True)
    close(F.jacobian(f1, X, vectorize=True), REF["jac_f1"])
    close(F.hessian(h, X, vectorize=True), REF["hess_h"])


def test_softmax_jacobian_closed_form():
    for n in (1, 5):
        z = t(np.linspace(-1, 2, n))
        p = ag.softmax(z, 0)._data
        close(F.jacobian(lambda z: ag.softmax(z, 0), z), np.diag(p) - np.outer(p, p), 1e-14)
