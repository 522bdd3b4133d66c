"""conv2d / conv1d / max_pool2d / avg_pool2d / batch_norm: values against slow loop
references written here, torch's running-statistics formulas, error messages, dtypes,
memory layouts and the release of cached columns. (gradcheck and gradgradcheck of every
op run over the registry cases in test_registry.py.)"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.ops.conv import col2im, conv1d, conv2d, im2col
from autograd.ops.norm import batch_norm
from autograd.ops.pool import avg_pool2d, max_pool2d

RNG = np.random.default_rng(1234)


def _t(a: np.ndarray, grad: bool = False) -> ag.Tensor:
    return ag.tensor(np.asarray(a), requires_grad=grad)


def channels_last(a: np.ndarray) -> np.ndarray:
    """The same (N, C, H, W) values, stored with the channel axis innermost."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


# -- slow references ------------------------------------------------------------------------
def ref_conv2d(x, w, b, stride, padding, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, ho, wo))
    og = o // groups
    for b_ in range(n):
        for oc in range(o):
            grp = oc // og
            for i in range(ho):
                for j in range(wo):
                    acc = 0.0 if b is None else b[oc]
                    for ci in range(cg):
                        for a in range(kh):
                            for e in range(kw):
                                acc += (xp[b_, grp * cg + ci, i * sh + a * dh, j * sw + e * dw]
                                        * w[oc, ci, a, e])
                    y[b_, oc, i, j] = acc
    return y


def ref_pool(x, k, s, p, mode):
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * p[0], w + 2 * p[1]), -np.inf if mode == "max" else 0.0)
    xp[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = x
    ho, wo = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            y[:, :, i, j] = win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))
    return y


CONV_CONFIGS = [
    # (x shape, w shape, stride, padding, dilation, groups, bias)
    ((2, 3, 5, 6), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1), 1, True),
    ((2, 2, 7, 5), (3, 2, 3, 3), (2, 2), (2, 2), (1, 1), 1, True),
    ((1, 2, 6, 7), (2, 2, 2, 3), (2, 1), (0, 1), (1, 1), 1, False),
    ((1, 3, 9, 8), (2, 3, 3, 2), (1, 2), (2, 1), (2, 3), 1, True),
    ((2, 4, 5, 5), (6, 2, 3, 3), (1, 1), (1, 1), (1, 1), 2, True),
    ((1, 4, 4, 4), (4, 1, 2, 2), (2, 2), (0, 0), (1, 1), 4, False),  # depthwise
    ((1, 6, 5, 4), (4, 3, 1, 1), (1, 1), (0, 0), (1, 1), 2, True),  # 1x1, groups
]


@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
@pytest.mark.parametrize("cfg", CONV_CONFIGS, ids=lambda c: f"{c[0]}-{c[1]}-s{c[2]}-p{c[3]}-"
                         f"d{c[4]}-g{c[5]}")
def test_conv2d_matches_loop_reference(cfg, layout) -> None:
    xs, ws, s, p, d, g, has_b = cfg
    x, w = RNG.standard_normal(xs), RNG.standard_normal(ws)
    b = RNG.standard_normal(ws[0]) if has_b else None
    want = ref_conv2d(x, w, b, s, p, d, g)
    xin = channels_last(x) if layout == "channels_last" else x
    y = conv2d(_t(xin), _t(w), None if b is None else _t(b), s, p, d, g)
    assert y.shape == want.shape
    np.testing.assert_allclose(y._data, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kernel, stride, padding, dilation", [
    ((3, 3), 1, 1, 1), ((1, 1), (1, 2), 3, 1), ((3, 2), 2, (3, 2), (2, 1)),
    ((2, 3), (3, 1), (1, 3), 1), ((5, 5), 1, 0, 1)])
def test_conv2d_input_gradient_by_offsets_drops_the_padding(kernel, stride, padding,
                                                            dilation) -> None:
    # The channels-last input gradient (one kernel offset at a time, each clipped to the
    # input; with stride 1 the first offset copied in, the strips it misses zeroed) equals
    # the NCHW one (dcols through col2im), also where whole offsets land in the padding.
    x, w = RNG.standard_normal((2, 3, 5, 6)), RNG.standard_normal((4, 3) + kernel)
    g = None
    grads = []
    for xin in (x, channels_last(x)):
        X = _t(xin, True)
        y = conv2d(X, _t(w), None, stride, padding, dilation)
        g = RNG.standard_normal(y.shape) if g is None else g
        y.backward(_t(g))
        grads.append(X.grad._data)
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("groups, dilation", [(2, 1), (1, 1), (1, (2, 1))])
def test_conv2d_layouts_give_the_same_gradients(groups, dilation) -> None:
    # channels-last inputs take the 'ijc' column order (and, for one group, the input
    # gradient one kernel offset at a time); NCHW inputs the 'cij' order.
    x, w, b = RNG.standard_normal((2, 4, 6, 5)), RNG.standard_normal((6, 4 // groups, 3, 2)), \
        RNG.standard_normal(6)
    grads = []
    for xin in (x, channels_last(x)):
        X, W, B = _t(xin, True), _t(w, True), _t(b, True)
        y = conv2d(X, W, B, stride=(2, 1), padding=1, dilation=dilation, groups=groups)
        if not grads:
            g = RNG.standard_normal(y.shape)
        y.backward(g)
        grads.append((X.grad._data, W.grad._data, B.grad._data))
    for a, c in zip(*grads):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)
    # the input gradient by its definition: y is linear in x, so dx_i = <conv(e_i), g>
    i = (1, 2, 3, 4)
    e = np.zeros_like(x)
    e[i] = 1.0
    dy = conv2d(_t(channels_last(e)), _t(w), None, (2, 1), 1, dilation, groups)._data
    np.testing.assert_allclose(grads[1][0][i], (dy * g).sum(), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_bias_and_weight_gradients_whichever_needs_one(dtype) -> None:
    # One group: the forward adds the bias inside its GEMM (a column of ones in the
    # patches) and the dW GEMM yields db; with a frozen weight db is a column sum of g.
    x = RNG.standard_normal((2, 3, 5, 4)).astype(dtype)
    w, b = RNG.standard_normal((4, 3, 3, 3)).astype(dtype), RNG.standard_normal(4).astype(dtype)
    g = RNG.standard_normal((2, 4, 5, 4)).astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    want_y = ref_conv2d(x, w, b, (1, 1), (1, 1), (1, 1), 1)
    W0 = _t(w, True)  # dW without a bias: no column of ones
    conv2d(_t(x), W0, None, 1, 1).backward(_t(g))
    for xin in (x, channels_last(x)):
        for w_grad, b_grad in ((True, True), (True, False), (False, True)):
            W, B = _t(w, w_grad), _t(b, b_grad)
            y = conv2d(_t(xin), W, B, 1, 1)
            np.testing.assert_allclose(y._data, want_y, rtol=tol, atol=tol)
            assert y._data.dtype == dtype
            y.backward(_t(g))
            if b_grad:
                np.testing.assert_allclose(B.grad._data, g.sum(axis=(0, 2, 3)), rtol=tol)
                assert B.grad._data.dtype == dtype and B.grad.shape == (4,)
            if w_grad:
                np.testing.assert_allclose(W.grad._data, W0.grad._data, rtol=tol, atol=tol)
                assert W.grad.shape == w.shape


def test_conv2d_int_args_padding_strings_and_unbatched() -> None:
    x, w = RNG.standard_normal((1, 2, 5, 6)), RNG.standard_normal((3, 2, 3, 3))
    want = ref_conv2d(x, w, None, (1, 1), (1, 1), (1, 1), 1)
    np.testing.assert_allclose(conv2d(_t(x), _t(w), padding="same")._data, want, atol=1e-12)
    np.testing.assert_allclose(conv2d(_t(x), _t(w), padding=1)._data, want, atol=1e-12)
    np.testing.assert_allclose(conv2d(_t(x), _t(w), padding="valid")._data,
                               ref_conv2d(x, w, None, (1, 1), (0, 0), (1, 1), 1), atol=1e-12)
    y3 = conv2d(_t(x[0]), _t(w), padding=1)
    assert y3.shape == (3, 5, 6)
    np.testing.assert_allclose(y3._data, want[0], atol=1e-12)


@pytest.mark.parametrize("stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 1, 1, 1),
                                                            (1, 2, 2, 1), (3, 1, 1, 2)])
def test_conv1d_matches_loop_reference(stride, padding, dilation, groups) -> None:
    x, w, b = RNG.standard_normal((2, 4, 9)), RNG.standard_normal((6, 4 // groups, 3)), \
        RNG.standard_normal(6)
    want = ref_conv2d(x[:, :, None], w[:, :, None], b, (1, stride), (0, padding),
                      (1, dilation), groups)[:, :, 0]
    y = conv1d(_t(x), _t(w), _t(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(y._data, want, rtol=1e-10, atol=1e-10)
    assert conv1d(_t(x[0]), _t(w), _t(b), stride, padding, dilation, groups).shape == \
        want.shape[1:]


def test_im2col_col2im_are_adjoint() -> None:
    # <im2col(x), c> == <x, col2im(c)> for every geometry: they are each other's VJP.
    x = RNG.standard_normal((2, 3, 6, 5))
    cols = im2col(_t(x), (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    c = RNG.standard_normal(cols.shape)
    back = col2im(_t(c), x.shape, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols._data * c), np.sum(x * back._data), rtol=1e-10)


# -- pooling --------------------------------------------------------------------------------
POOL_CONFIGS = [
    # (x shape, kernel, stride, padding)
    ((2, 3, 4, 6), (2, 2), None, (0, 0)),
    ((2, 2, 5, 7), (2, 2), None, (0, 0)),  # odd sizes: the remainder is dropped
    ((1, 2, 6, 6), (3, 3), (3, 3), (0, 0)),
    ((2, 2, 5, 6), (3, 2), (1, 2), (1, 1)),
    ((1, 2, 7, 6), (3, 3), (2, 2), (1, 0)),
    ((1, 2, 4, 4), (1, 1), None, (0, 0)),
]


@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("cfg", POOL_CONFIGS, ids=lambda c: f"{c[0]}-k{c[1]}-s{c[2]}-p{c[3]}")
def test_pool_matches_loop_reference(cfg, mode, layout) -> None:
    xs, k, s, p = cfg
    x = RNG.standard_normal(xs)
    want = ref_pool(x, k, s or k, p, mode)
    fn = max_pool2d if mode == "max" else avg_pool2d
    xin = channels_last(x) if layout == "channels_last" else x
    y = fn(_t(xin), k, s, p)
    np.testing.assert_allclose(y._data, want, rtol=1e-12, atol=1e-12)
    # unbatched (C, H, W) input, as torch
    np.testing.assert_allclose(fn(_t(x[0]), k, s, p)._data, want[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride", [None, 1])
def test_max_pool_ties_route_to_the_first_index(stride) -> None:
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = 1.0  # a tie inside the first window; other windows all 0
    X = _t(x, True)
    max_pool2d(X, 2, stride).sum().backward()
    if stride is None:  # one gradient per window, at its first maximum in row-major order
        want = np.array([[0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]], float)
    else:  # what torch gives for overlapping windows
        want = np.array([[0, 2, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]], float)
    np.testing.assert_array_equal(X.grad._data[0, 0], want)


def _first_max_grad(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """dx of a 2x2/2 max-pool: each g at its window's first maximum in row-major order
    (np.argmax's and torch's choice), the uncovered last row/column left at 0."""
    dx = np.zeros_like(x)
    for idx in np.ndindex(g.shape):
        n, c, i, j = idx
        k = np.argmax(x[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2])
        dx[n, c, 2 * i + k // 2, 2 * j + k % 2] += g[idx]
    return dx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
def test_max_pool_2x2_routes_every_tie_pattern_as_torch(layout, dtype) -> None:
    # Channel k holds window pattern k: all 3**4 windows of values in {0, 1, 2}, so every
    # way of tying (within a row, a column, across the diagonal, all four) occurs; the
    # last row and column are not covered by a window. Then random ties, odd sizes.
    pats = np.array(np.meshgrid(*[[0.0, 1.0, 2.0]] * 4, indexing="ij")).reshape(4, -1).T
    x1 = np.full((1, 81, 3, 3), 5.0)
    x1[0, :, :2, :2] = pats.reshape(81, 2, 2)
    x2 = RNG.integers(-1, 2, size=(2, 3, 7, 9)).astype(float)
    for x in (x1, x2):
        x = x.astype(dtype)
        g = RNG.standard_normal((x.shape[0], x.shape[1], x.shape[2] // 2, x.shape[3] // 2))
        X = _t(channels_last(x) if layout == "channels_last" else x, True)
        y = max_pool2d(X, 2)
        y.backward(_t(g.astype(dtype)))
        np.testing.assert_array_equal(y._data, x[:, :, :x.shape[2] // 2 * 2, :x.shape[3] // 2 * 2]
                                      .reshape(*g.shape[:3], 2, g.shape[3], 2).max(axis=(3, 5)))
        np.testing.assert_array_equal(X.grad._data, _first_max_grad(x, g.astype(dtype)))
        assert X.grad._data.dtype == dtype
        # the same routing under create_graph
        X2 = _t(X._data, True)
        (gx,) = ag.grad(max_pool2d(X2, 2), [X2], _t(g.astype(dtype), True), create_graph=True)
        assert gx.requires_grad
        np.testing.assert_array_equal(gx._data, X.grad._data)


def test_max_pool_2x2_with_infinities_routes_as_torch() -> None:
    # ±inf entries, ties between them included, route as torch: the first maximum.
    x = np.array([[[[np.inf, np.inf, -np.inf, -np.inf, 1.0, -np.inf],
                    [np.inf, 0.0, -np.inf, -np.inf, -np.inf, np.inf]]]])
    g = np.array([[[[1.0, 2.0, 3.0]]]])
    for xin in (x, channels_last(x)):
        X = _t(xin, True)
        y = max_pool2d(X, 2)
        y.backward(_t(g))
        np.testing.assert_array_equal(y._data, [[[[np.inf, -np.inf, np.inf]]]])
        np.testing.assert_array_equal(X.grad._data, _first_max_grad(x, g))


def test_max_pool_2x2_channels_last_nan_and_signed_zero_as_torch() -> None:
    # Several channels, channels-last (the conv-output layout): a NaN window routes to its
    # last NaN, and a tie between 0.0 and -0.0 returns the first one's value (torch 2.13).
    nan, inf = np.nan, np.inf
    x = np.array([[[[nan, 1.0, -0.0, 0.0], [nan, 3.0, 0.0, -0.0]],
                   [[1.0, nan, 0.0, -0.0], [2.0, 0.0, -0.0, 0.0]],
                   [[inf, -inf, 5.0, 5.0], [inf, 1.0, 5.0, 5.0]]]], np.float32)
    X = _t(channels_last(x), True)
    y = max_pool2d(X, 2)
    y.backward(_t(np.array([[[[1.0, 2.0]], [[3.0, 4.0]], [[5.0, 6.0]]]], np.float32)))
    np.testing.assert_array_equal(y._data, [[[[nan, 0.0]], [[nan, 0.0]], [[inf, 5.0]]]])
    np.testing.assert_array_equal(np.signbit(y._data),
                                  [[[[False, True]], [[False, False]], [[False, False]]]])
    np.testing.assert_array_equal(X.grad._data,
                                  [[[[0, 0, 2, 0], [1, 0, 0, 0]], [[0, 3, 4, 0], [0, 0, 0, 0]],
                                    [[5, 0, 6, 0], [0, 0, 0, 0]]]])
    # without a NaN the same windows take the plane path: values and signs as torch
    x[:, :2, :, :2] = 7.0
    x[0, 2, :, :2] = [[-0.0, -0.0], [0.0, 0.0]]  # torch: -0.0, the first
    y = max_pool2d(_t(channels_last(x)), 2)
    np.testing.assert_array_equal(np.signbit(y._data),
                                  [[[[False, True]], [[False, False]], [[True, False]]]])


def test_pool_gradients_match_a_loop_reference() -> None:
    x = RNG.permutation(2 * 2 * 5 * 6).reshape(2, 2, 5, 6) * 0.1
    g = RNG.standard_normal((2, 2, 3, 3))
    X = _t(x, True)
    max_pool2d(X, 3, (2, 2), 1).backward(g)
    want = np.zeros((2, 2, 7, 8))
    xp = np.full((2, 2, 7, 8), -np.inf)
    xp[:, :, 1:6, 1:7] = x
    for n in range(2):
        for c in range(2):
            for i in range(3):
                for j in range(3):
                    a, e = np.unravel_index(np.argmax(xp[n, c, 2 * i:2 * i + 3, 2 * j:2 * j + 3]),
                                            (3, 3))
                    want[n, c, 2 * i + a, 2 * j + e] += g[n, c, i, j]
    np.testing.assert_allclose(X.grad._data, want[:, :, 1:6, 1:7])
    X = _t(x, True)
    avg_pool2d(X, 3, (2, 2), 1).backward(g)
    want = np.zeros((2, 2, 7, 8))
    for i in range(3):
        for j in range(3):
            want[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3] += g[:, :, i, j, None, None] / 9
    np.testing.assert_allclose(X.grad._data, want[:, :, 1:6, 1:7])


# -- batch norm -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 2, 3)])
def test_batch_norm_training_values_and_running_stats(shape) -> None:
    x = RNG.standard_normal(shape) * 2 + 1
    c = shape[1]
    w, b = RNG.standard_normal(c), RNG.standard_normal(c)
    rm0, rv0 = RNG.standard_normal(c), RNG.uniform(0.5, 2, c)
    rm, rv = _t(rm0.copy()), _t(rv0.copy())
    y = batch_norm(_t(x), rm, rv, _t(w), _t(b), training=True, momentum=0.3, eps=1e-3)
    axes = (0,) + tuple(range(2, len(shape)))
    bs = (1, c) + (1,) * (len(shape) - 2)
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    m = x.size // c
    want = (x - mean.reshape(bs)) / np.sqrt(var.reshape(bs) + 1e-3) * w.reshape(bs) \
        + b.reshape(bs)
    np.testing.assert_allclose(y._data, want, rtol=1e-10, atol=1e-10)
    # torch: running = (1 - momentum)·running + momentum·stat, var unbiased (M / (M - 1))
    np.testing.assert_allclose(rm._data, 0.7 * rm0 + 0.3 * mean, rtol=1e-12)
    np.testing.assert_allclose(rv._data, 0.7 * rv0 + 0.3 * var * m / (m - 1), rtol=1e-12)
    assert rm._version == 1 and rv._version == 1


def test_batch_norm_eval_uses_running_stats_and_changes_nothing() -> None:
    x = RNG.standard_normal((5, 2, 3))
    rm0, rv0 = np.array([0.5, -1.0]), np.array([2.0, 0.25])
    rm, rv = _t(rm0.copy()), _t(rv0.copy())
    y = batch_norm(_t(x), rm, rv, None, None, training=False)
    want = (x - rm0[None, :, None]) / np.sqrt(rv0[None, :, None] + 1e-5)
    np.testing.assert_allclose(y._data, want, rtol=1e-12)
    np.testing.assert_array_equal(rm._data, rm0)
    np.testing.assert_array_equal(rv._data, rv0)
    # training without running stats is allowed (as torch)
    batch_norm(_t(x), None, None, training=True)


def test_batch_norm_backward_matches_the_closed_form() -> None:
    x = RNG.standard_normal((6, 3, 2))
    w, b, g = RNG.standard_normal(3), RNG.standard_normal(3), RNG.standard_normal((6, 3, 2))
    X, W, B = _t(x, True), _t(w, True), _t(b, True)
    batch_norm(X, None, None, W, B, training=True).backward(g)
    axes, bs, m = (0, 2), (1, 3, 1), 12
    mu, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    inv = 1 / np.sqrt(var + 1e-5)
    xh = (x - mu) * inv
    dx = w.reshape(bs) * inv / m * (m * g - g.sum(axis=axes, keepdims=True)
                                    - xh * (g * xh).sum(axis=axes, keepdims=True))
    np.testing.assert_allclose(X.grad._data, dx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(W.grad._data, (g * xh).sum(axis=axes), rtol=1e-10)
    np.testing.assert_allclose(B.grad._data, g.sum(axis=axes), rtol=1e-12)


# -- errors ---------------------------------------------------------------------------------
def _err(exc, match, fn, *args, **kw):
    with pytest.raises(exc, match=match):
        fn(*args, **kw)


def test_conv_errors_name_the_shapes() -> None:
    x, w = _t(np.zeros((2, 3, 5, 5))), _t(np.zeros((4, 3, 3, 3)))
    _err(RuntimeError, r"got input of shape \(5, 5\)", conv2d, _t(np.zeros((5, 5))), w)
    _err(ValueError, r"\(2, 4, 5, 5\).*\(4, 3, 3, 3\)", conv2d, _t(np.zeros((2, 4, 5, 5))), w)
    _err(RuntimeError, r"\(2, 3, 5, 5\).*\(4, 1, 3, 3\).*groups=1", conv2d, x,
         _t(np.zeros((4, 1, 3, 3))))
    _err(RuntimeError, r"\(5 x 5\).*\(7 x 7\)", conv2d, x, _t(np.zeros((4, 3, 7, 7))))
    _err(RuntimeError, r"\(7 x 7\).*\(9 x 9\)", conv2d, x, w, None, 1, 1, 4)  # dilated
    _err(ValueError, r"groups=2 must divide out_channels.*\(3, 3, 3, 3\)", conv2d,
         _t(np.zeros((2, 6, 5, 5))), _t(np.zeros((3, 3, 3, 3))), None, 1, 0, 1, 2)
    _err(ValueError, r"groups=2", conv2d, _t(np.zeros((2, 3, 5, 5))),
         _t(np.zeros((4, 1, 3, 3))), None, 1, 0, 1, 2)
    _err(ValueError, r"bias of shape \(3,\).*\(4, 3, 3, 3\)", conv2d, x, w, _t(np.zeros(3)))
    _err(ValueError, r"stride must be positive", conv2d, x, w, None, 0)
    _err(ValueError, r"padding='same'", conv2d, x, w, None, 2, "same")
    _err(RuntimeError, r"got input of shape \(2, 3, 5, 5\)", conv1d, x,
         _t(np.zeros((4, 3, 3))))


def test_pool_and_norm_errors() -> None:
    _err(RuntimeError, r"input of shape \(4, 4\)", max_pool2d, _t(np.zeros((4, 4))), 2)
    _err(ValueError, r"at most half the kernel", max_pool2d, _t(np.zeros((1, 1, 4, 4))), 2,
         2, 2)
    _err(RuntimeError, r"\(2 x 2\).*\(3 x 3\)", avg_pool2d, _t(np.zeros((1, 1, 2, 2))), 3)
    x = _t(np.zeros((4, 3)))
    _err(ValueError, r"weight of shape \(2,\).*\(4, 3\)", batch_norm, x, None, None,
         _t(np.ones(2)), None, True)
    _err(ValueError, r"more than 1 value per channel", batch_norm, _t(np.zeros((1, 3))), None,
         None, None, None, True)
    _err(RuntimeError, r"running_mean and running_var", batch_norm, x, None, None)


# -- dtypes, layout, memory -----------------------------------------------------------------
def test_float32_stays_float32_forward_and_backward() -> None:
    f = np.float32
    x = _t(RNG.standard_normal((2, 4, 6, 6)).astype(f), True)
    w, b = _t(RNG.standard_normal((4, 2, 3, 3)).astype(f), True), _t(np.zeros(4, f), True)
    bw, bb = _t(np.ones(4, f), True), _t(np.zeros(4, f), True)
    rm, rv = _t(np.zeros(4, f)), _t(np.ones(4, f))
    h = conv2d(x, w, b, padding=1, groups=2)
    h = batch_norm(h, rm, rv, bw, bb, training=True)
    h = max_pool2d(h.relu(), 2) + avg_pool2d(h, 3, 1, 1)[:, :, ::2, ::2]
    w1 = _t(RNG.standard_normal((3, 4, 2)).astype(f), True)
    y = conv1d(h.reshape(2, 4, 9), w1, stride=2)
    for t in (h, y):
        assert t.dtype == f
    y.sum().backward()
    for p in (x, w, b, bw, bb, w1):
        assert p.grad.dtype == f, p.shape
    assert rm.dtype == f and rv.dtype == f


def test_conv_output_is_channels_last_and_pooling_keeps_it() -> None:
    x = _t(RNG.standard_normal((2, 3, 8, 8)))
    y = conv2d(x, _t(RNG.standard_normal((5, 3, 3, 3))), padding=1)
    p = max_pool2d(y, 2)
    for t in (y, p, avg_pool2d(y, 2), y.relu()):
        s = t._data.strides
        assert s[1] < s[3] < s[2] < s[0]  # memory order N, H, W, C


def test_cached_columns_are_freed_after_backward() -> None:
    x = _t(RNG.standard_normal((2, 3, 6, 6)), True)
    w = _t(RNG.standard_normal((4, 3, 3, 3)), True)
    y = conv2d(x, w, padding=1)
    p = max_pool2d(y, 2)
    node, pnode = y.grad_fn, p.grad_fn
    assert node.cache is not None and node.cache.shape == (2 * 6 * 6, 27)
    p.sum().backward(retain_graph=True)  # retained: still there
    assert node.cache is not None and pnode.cache is not None
    p.sum().backward()
    assert node.cache is None and node.saved is None and pnode.cache is None
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        p.sum().backward()


def test_columns_are_not_cached_when_the_weight_needs_no_gradient() -> None:
    x = _t(RNG.standard_normal((1, 2, 4, 4)), True)
    y = conv2d(x, _t(RNG.standard_normal((3, 2, 3, 3))))
    assert y.grad_fn.cache is None
    y.sum().backward()
    assert x.grad.shape == x.shape
    with ag.no_grad():
        assert conv2d(x, _t(np.ones((3, 2, 3, 3)))).grad_fn is None


def test_second_derivative_of_a_small_cnn() -> None:
    # create_graph through conv, relu, max-pool, avg-pool and batch norm: d/dw of |∂L/∂x|²
    # against central differences.
    x0 = RNG.standard_normal((2, 2, 4, 4))
    w0 = RNG.standard_normal((3, 2, 3, 3))

    def grad_norm2(w_arr: np.ndarray) -> tuple:
        x, w = _t(x0, True), _t(w_arr, True)
        h = conv2d(x, w, padding=1)
        h = batch_norm(h, None, None, training=True)
        loss = (max_pool2d(h, 2) * avg_pool2d(h, 2)).sum()
        (gx,) = ag.grad(loss, x, create_graph=True)
        return (gx * gx).sum(), w

    val, w = grad_norm2(w0)
    val.backward()
    eps = 1e-6
    for idx in [(0, 0, 0, 0), (1, 1, 2, 1), (2, 0, 1, 2)]:
        wp, wm = w0.copy(), w0.copy()
        wp[idx] += eps
        wm[idx] -= eps
        num = (grad_norm2(wp)[0].item() - grad_norm2(wm)[0].item()) / (2 * eps)
        np.testing.assert_allclose(w.grad._data[idx], num, rtol=1e-5, atol=1e-7)


def _as_channels_last(t: ag.Tensor) -> ag.Tensor:
    n, c, h, w = t.shape
    return t.permute(0, 2, 3, 1).reshape(n, h * w * c).reshape(n, h, w, c).permute(0, 3, 1, 2)


GRAPH_VS_RAW = {
    "conv2d": (lambda x, w: conv2d(x, w, padding=1, stride=(1, 2)), (2, 4, 5, 5), (3, 4, 3, 3)),
    "conv2d-cl": (lambda x, w: conv2d(_as_channels_last(x), w, padding=(1, 2), stride=(2, 1),
                                      dilation=(1, 2)), (2, 4, 5, 5), (3, 4, 3, 2)),
    "conv2d-cl-groups": (lambda x, w: conv2d(_as_channels_last(x), w, padding=1, groups=2),
                         (2, 4, 5, 5), (6, 2, 3, 2)),
    "max-tiling": (lambda x: max_pool2d(x, 2), (2, 3, 5, 4)),
    "max-tiling-cl": (lambda x: max_pool2d(_as_channels_last(x), 2), (2, 3, 4, 6)),
    "max-general": (lambda x: max_pool2d(x, 3, 2, 1), (2, 3, 5, 5)),
    "avg-tiling-cl": (lambda x: avg_pool2d(_as_channels_last(x), 2), (2, 3, 5, 4)),
    "avg-general": (lambda x: avg_pool2d(x, 3, 1, 1), (1, 2, 4, 4)),
    "bn-train": (lambda x: batch_norm(x, None, None, training=True), (4, 3, 2, 2)),
}


@pytest.mark.parametrize("name", list(GRAPH_VS_RAW))
def test_create_graph_gradients_equal_the_fast_path(name) -> None:
    # The VJPs run on arrays (fast path) or on Tensors (create_graph); both must agree.
    fn, *shapes = GRAPH_VS_RAW[name]
    arrays = [RNG.permutation(int(np.prod(s))).reshape(s) * 0.1 - 1 for s in shapes]
    ins = [_t(a, True) for a in arrays]
    out = fn(*ins)
    g = RNG.standard_normal(out.shape)
    fast = ag.grad(out, ins, g)
    slow = ag.grad(fn(*ins), ins, _t(g, True), create_graph=True)
    for a, b in zip(fast, slow):
        assert b.requires_grad  # computed by recorded ops
        np.testing.assert_allclose(a._data, b._data, rtol=1e-12, atol=1e-12)
