"""Hand-written NumPy networks: the yardstick chainrule is held to.

Every forward and backward pass here is the textbook derivation written out by
hand, as efficiently as plain NumPy allows (BLAS GEMMs, in-place elementwise
updates where they save a temporary, no Python loops over samples or pixels).
An engine built on NumPy pays this cost *plus* its own bookkeeping, so the
ratio "engine / this file" is the engine's overhead.

Conventions shared with ``torch_ref`` and ``chainrule_ref``:

* Parameters are a flat ``list[np.ndarray]`` in registration order
  ``[W1, b1, W2, b2, ...]``, stored PyTorch-style: a linear weight is
  ``(out, in)`` and is applied as ``x @ W.T + b``; a conv weight is
  ``(out_channels, in_channels, kh, kw)``. This is exactly the order and layout
  of ``nn.Linear``/``nn.Conv2d`` ``state_dict()`` values, so the same arrays
  can be loaded into every engine.
* Images are NCHW at the interface (like PyTorch). Internally the CNN keeps
  activations NHWC, because a conv GEMM's (N*H*W, O) output already is NHWC;
  it converts back to C,H,W order before flattening, so ``Linear(2048 -> 128)``
  sees the same features as in PyTorch.
* All functions keep the dtype of their inputs (float32 for timing, float64 in
  the gradient check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Params = list[np.ndarray]

MLP_SIZES: tuple[int, ...] = (784, 256, 128, 10)
CNN_PARAM_COUNT = 268_650
LINK_OPS = 3  # one chain link x -> tanh(x * 1.01 + 0.01) is three graph ops: mul, add, tanh


# --------------------------------------------------------------------------- data + init


def init_linear(
    rng: np.random.Generator, fan_in: int, fan_out: int, dtype: np.dtype | type = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's default Linear init U(±1/sqrt(fan_in)): W (fan_out, fan_in), b (fan_out,)."""
    bound = 1.0 / np.sqrt(fan_in)
    w = rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(dtype)
    b = rng.uniform(-bound, bound, size=(fan_out,)).astype(dtype)
    return w, b


def init_mlp(sizes: Sequence[int], seed: int = 0, dtype: np.dtype | type = np.float32) -> Params:
    """Parameters ``[W1, b1, ..., WL, bL]`` for an MLP; ``Wi`` is (sizes[i], sizes[i-1])."""
    rng = np.random.default_rng(seed)
    params: Params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.extend(init_linear(rng, fan_in, fan_out, dtype))
    return params


def init_cnn(seed: int = 0, dtype: np.dtype | type = np.float32) -> Params:
    """SimpleCNN parameters, 268,650 values in total.

    Order and shapes: conv1 W (16,3,3,3), b (16,); conv2 W (32,16,3,3), b (32,);
    fc1 W (128,2048), b (128,); fc2 W (10,128), b (10,).
    """
    rng = np.random.default_rng(seed)
    params: Params = []
    for c_in, c_out in ((3, 16), (16, 32)):
        w, b = init_linear(rng, c_in * 9, c_out, dtype)  # conv fan_in = c_in * kh * kw
        params.extend((w.reshape(c_out, c_in, 3, 3), b))
    params.extend(init_linear(rng, 2048, 128, dtype))
    params.extend(init_linear(rng, 128, 10, dtype))
    assert sum(p.size for p in params) == CNN_PARAM_COUNT
    return params


def make_batch(
    shape: tuple[int, ...], n_classes: int = 10, seed: int = 1, dtype: np.dtype | type = np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """A random batch: inputs of ``shape`` (standard normal) and int64 labels (shape[0],)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    y = rng.integers(0, n_classes, size=shape[0]).astype(np.int64)
    return x, y


def copy_params(params: Sequence[np.ndarray]) -> Params:
    """Independent C-contiguous copies (each engine trains its own weights in place)."""
    return [np.array(p, copy=True, order="C") for p in params]


# --------------------------------------------------------------------------- loss


def softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean softmax cross-entropy and its gradient.

    z: logits (m, k); y: int labels (m,). Returns (loss scalar, dZ (m, k)) with
    dZ = (softmax(z) - onehot(y)) / m.
    """
    m = z.shape[0]
    rows = np.arange(m)
    shifted = z - z.max(axis=1, keepdims=True)  # max-shift so exp cannot overflow
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    # -mean(log p_y) = mean(log s - shifted_y): avoids a log of a tiny probability
    loss = np.log(s[:, 0]).mean() - shifted[rows, y].mean()
    e /= s  # e is now P; reuse its buffer for dZ
    e[rows, y] -= 1
    e /= m
    return loss, e


# --------------------------------------------------------------------------- MLP


class NumpyMLP:
    """Tanh MLP with softmax cross-entropy and in-place SGD.

    params: ``[W1, b1, ..., WL, bL]`` with ``Wi`` (out, in); the last layer is
    linear (logits), every hidden layer is ``tanh(a @ W.T + b)``.
    """

    def __init__(self, params: Params, lr: float = 0.01) -> None:
        self.params = params
        self.lr = lr

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, Params]:
        """x: (m, sizes[0]); y: (m,) int. Returns (loss, grads aligned with params)."""
        ws, bs = self.params[0::2], self.params[1::2]
        n_layers = len(ws)
        acts = [x]  # acts[l] is the input of layer l; hidden ones are tanh outputs
        a = x
        for l in range(n_layers - 1):
            z = a @ ws[l].T  # BLAS reads W.T through the transpose flag, no copy
            z += bs[l]
            a = np.tanh(z, out=z)  # in place: Z is never needed again, only A
            acts.append(a)
        logits = a @ ws[-1].T
        logits += bs[-1]
        loss, dz = softmax_cross_entropy(logits, y)

        grads: Params = [np.empty(0)] * len(self.params)
        for l in range(n_layers - 1, -1, -1):
            a_in = acts[l]
            grads[2 * l] = dz.T @ a_in  # dW (out, in)
            grads[2 * l + 1] = col_sum(dz)  # db (out,)
            if l == 0:
                break  # no dX: the input does not need a gradient
            da = dz @ ws[l]  # (m, in)
            d_tanh = a_in * a_in  # tanh'(z) = 1 - a^2, built in one buffer
            np.subtract(1, d_tanh, out=d_tanh)
            da *= d_tanh
            dz = da
        return loss, grads

    def step(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """One SGD step on (x, y), updating ``params`` in place; returns the loss."""
        loss, grads = self.loss_and_grads(x, y)
        for p, g in zip(self.params, grads):
            g *= self.lr  # the gradient buffer is ours: scale it rather than allocate lr*g
            p -= g
        return loss


# --------------------------------------------------------------------------- CNN pieces


def col_sum(dz: np.ndarray) -> np.ndarray:
    """Bias gradient: column sums of dz (m, k) -> (k,).

    Done as a GEMV because ``dz.sum(axis=0)`` walks the m rows one at a time with
    a k-wide inner loop, ~20x slower for the conv layers' (N*H*W, 16) gradients.
    """
    return np.ones(dz.shape[0], dtype=dz.dtype) @ dz


def pad_to_nchw(x: np.ndarray, pad: int, channels_last: bool = False) -> np.ndarray:
    """Zero-pad H and W, producing NCHW (N, C, H+2p, W+2p) in one copy.

    x: (N, C, H, W), or (N, H, W, C) when ``channels_last`` (the transpose rides
    along with the padding copy).
    """
    src = x.transpose(0, 3, 1, 2) if channels_last else x
    n, c, h, w = src.shape
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=x.dtype)
    xp[:, :, pad : pad + h, pad : pad + w] = src
    return xp


def pad_to_nhwc(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad H and W of an NHWC batch: (N, H, W, C) -> (N, H+2p, W+2p, C)."""
    n, h, w, c = x.shape
    xp = np.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=x.dtype)
    xp[:, pad : pad + h, pad : pad + w, :] = x
    return xp


def im2col_nhwc(xp: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """Patch matrix of a padded NHWC batch, stride 1.

    xp: (N, H+kh-1, W+kw-1, C). Returns cols (N*H*W, kh*kw*C): rows (n, h, w),
    columns (i, j, c). The gather copy reads contiguous runs of C values, which
    is the fast layout when C is wide (conv2: C = 16).
    """
    n, hp, wp, c = xp.shape
    h, w = hp - kh + 1, wp - kw + 1
    win = sliding_window_view(xp, (kh, kw), axis=(1, 2))  # view (N, H, W, C, kh, kw)
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, kh * kw * c)  # one copy


def im2col_nchw_t(xp: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """Transposed patch matrix of a padded NCHW batch, stride 1.

    xp: (N, C, H+kh-1, W+kw-1). Returns cols_t (C*kh*kw, N*H*W): rows (c, i, j),
    columns (n, h, w). For the 3-channel input this copy reads runs of a whole
    image row instead of 3 values, 3x faster than ``im2col_nhwc``; rows in
    (c, i, j) order make the weight matrix a free ``w.reshape(O, -1)``.
    """
    n, c, hp, wp = xp.shape
    h, w = hp - kh + 1, wp - kw + 1
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))  # view (N, C, H, W, kh, kw)
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * h * w)  # one copy


def conv_input_grad_nhwc(dz: np.ndarray, w: np.ndarray, n: int, h: int, wd: int) -> np.ndarray:
    """dX of a stride-1 conv by GEMM + col2im, in padded NHWC.

    dz: output gradient (N*H*W, O) (rows n, h, w); w: weight (O, C, kh, kw).
    Returns dxp (N, H+kh-1, W+kw-1, C). One batched GEMM gives, for each of the
    kh*kw kernel offsets, a contiguous (N*H*W, C) block of patch gradients; col2im
    then adds each block onto its shifted window with one vectorised slice-add
    (kh*kw of them, no loop over pixels or samples).
    """
    o, c, kh, kw = w.shape
    w_off = w.transpose(2, 3, 0, 1).reshape(kh * kw, o, c)  # (offset, O, C)
    dcols = np.matmul(dz, w_off)  # (kh*kw, N*H*W, C), each offset block contiguous
    dxp = np.zeros((n, h + kh - 1, wd + kw - 1, c), dtype=dz.dtype)
    for k in range(kh * kw):
        i, j = divmod(k, kw)
        dxp[:, i : i + h, j : j + wd, :] += dcols[k].reshape(n, h, wd, c)
    return dxp


def maxpool2_nhwc(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 stride-2 max-pool of an NHWC batch.

    a: (N, H, W, C), H and W even. Returns (pooled (N, H/2, W/2, C), a6) where a6
    is the free (N, H/2, 2, W/2, 2, C) view of ``a`` the backward needs. Two
    elementwise maxima over strided views: ``a6.max(axis=(2, 4))`` gives the
    same result but its reduction loop is ~6x slower.
    """
    n, h, w, c = a.shape
    a6 = a.reshape(n, h // 2, 2, w // 2, 2, c)
    rows = np.maximum(a6[:, :, 0], a6[:, :, 1])  # (N, H/2, W/2, 2, C)
    return np.maximum(rows[:, :, :, 0], rows[:, :, :, 1]), a6


def maxpool2_relu_backward(dp: np.ndarray, a6: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """Gradient through ReLU then 2x2 max-pool, fused into one mask.

    dp: (N, H/2, W/2, C) gradient of the pooled output; a6/pooled from
    ``maxpool2_nhwc`` applied to a = relu(z). Returns dZ (N, H, W, C).
    The mask is "this element is its window's max and is > 0". Ties can only
    occur, with probability ~0 for float data, at a nonzero max; an all-zero
    window (the common ReLU tie) is excluded by the > 0 test, as relu' = 0 there.
    """
    mask = a6 == pooled[:, :, None, :, None, :]
    mask &= a6 > 0
    dz6 = mask * dp[:, :, None, :, None, :]  # bool * float -> float, one pass
    n, hh, _, wh, _, c = a6.shape
    return dz6.reshape(n, 2 * hh, 2 * wh, c)


class NumpyCNN:
    """SimpleCNN: Conv(3->16,3x3,p1)-ReLU-MaxPool2-Conv(16->32,3x3,p1)-ReLU-MaxPool2-
    Flatten-Linear(2048->128)-ReLU-Linear(128->10), softmax CE, in-place SGD.

    params: see ``init_cnn``. Input x: (N, 3, 32, 32) NCHW; labels y: (N,).
    Activations are NHWC inside: a conv GEMM's output (N*H*W, O) already is.
    """

    def __init__(self, params: Params, lr: float = 0.01) -> None:
        self.params = params
        self.lr = lr

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, Params]:
        """Returns (loss, grads aligned with params)."""
        cw1, cb1, cw2, cb2, fw1, fb1, fw2, fb2 = self.params
        n, _, h, w = x.shape
        h2, w2 = h // 2, w // 2

        # conv1 + relu + pool. 3 input channels: transposed patch matrix from NCHW.
        cols1_t = im2col_nchw_t(pad_to_nchw(x, 1), 3, 3)  # (27, N*32*32)
        wm1 = cw1.reshape(16, -1)  # (16, 27), rows match cols1_t's (c, i, j)
        a1 = cols1_t.T @ wm1.T  # (N*32*32, 16) == NHWC; BLAS reads both transposes
        a1 += cb1
        np.maximum(a1, 0, out=a1)
        p1, a1_6 = maxpool2_nhwc(a1.reshape(n, h, w, 16))  # (N, 16, 16, 16)

        # conv2 + relu + pool. 16 channels: channels-innermost patch matrix.
        cols2 = im2col_nhwc(pad_to_nhwc(p1, 1), 3, 3)  # (N*16*16, 144), columns (i, j, c)
        wm2 = cw2.transpose(0, 2, 3, 1).reshape(32, -1)  # (32, 144) in the same order
        a2 = cols2 @ wm2.T
        a2 += cb2
        np.maximum(a2, 0, out=a2)
        p2, a2_6 = maxpool2_nhwc(a2.reshape(n, h2, w2, 32))  # (N, 8, 8, 32)

        # flatten in PyTorch's (C, H, W) order so fc1's columns mean the same thing
        flat = p2.transpose(0, 3, 1, 2).reshape(n, -1)  # (N, 2048)
        a3 = flat @ fw1.T
        a3 += fb1
        np.maximum(a3, 0, out=a3)
        logits = a3 @ fw2.T
        logits += fb2
        loss, dz4 = softmax_cross_entropy(logits, y)

        # backward: fc2, fc1
        g_fw2 = dz4.T @ a3
        g_fb2 = col_sum(dz4)
        dz3 = dz4 @ fw2  # (N, 128)
        dz3 *= a3 > 0
        g_fw1 = dz3.T @ flat
        g_fb1 = col_sum(dz3)
        dflat = dz3 @ fw1  # (N, 2048) in (C, H, W) order
        dp2 = dflat.reshape(n, 32, h2 // 2, w2 // 2).transpose(0, 2, 3, 1)  # NHWC view

        # conv2 backward: dW by one GEMM, dX by GEMM + col2im
        dz2 = maxpool2_relu_backward(dp2, a2_6, p2).reshape(-1, 32)  # (N*16*16, 32)
        g_cw2 = (dz2.T @ cols2).reshape(32, 3, 3, 16).transpose(0, 3, 1, 2).copy()
        g_cb2 = col_sum(dz2)
        del cols2  # dead now; freeing it before dX's patch gradients lowers the peak by 9 MB
        dp1 = conv_input_grad_nhwc(dz2, cw2, n, h2, w2)[:, 1:-1, 1:-1, :]  # (N, 16, 16, 16)

        # conv1 backward: no dX, the input needs no gradient
        dz1 = maxpool2_relu_backward(dp1, a1_6, p1).reshape(-1, 16)  # (N*32*32, 16)
        g_cw1 = (cols1_t @ dz1).T.reshape(cw1.shape)  # (27, 16) -> (16, 3, 3, 3), small copy
        g_cb1 = col_sum(dz1)
        return loss, [g_cw1, g_cb1, g_cw2, g_cb2, g_fw1, g_fb1, g_fw2, g_fb2]

    def step(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """One SGD step on (x, y), updating ``params`` in place; returns the loss."""
        loss, grads = self.loss_and_grads(x, y)
        for p, g in zip(self.params, grads):
            g *= self.lr
            p -= g
        return loss


# --------------------------------------------------------------------------- op chain


def chain_forward(x: np.ndarray, n_links: int) -> np.ndarray:
    """x <- tanh(x * 1.01 + 0.01), ``n_links`` times. x: any shape, e.g. (16,)."""
    for _ in range(n_links):
        u = x * 1.01
        u += 0.01
        x = np.tanh(u, out=u)
    return x


def chain_forward_backward(x: np.ndarray, n_links: int) -> np.ndarray:
    """Gradient of sum(chain_forward(x, n_links)) with respect to x, by hand.

    Each link's local derivative is 1.01 * (1 - t^2) with t the link's output, so
    the forward keeps every t and the backward multiplies them in reverse.
    """
    outs = []
    for _ in range(n_links):
        u = x * 1.01
        u += 0.01
        x = np.tanh(u, out=u)
        outs.append(x)
    g = np.ones_like(x)
    for t in reversed(outs):
        d = t * t
        d *= -1.01
        d += 1.01  # 1.01 * (1 - t^2) without a second temporary
        g *= d
    return g


# --------------------------------------------------------------------------- engine adapter


class NumpyEngine:
    """Benchmark adapter: builds step closures that own independent weight copies."""

    name = "numpy"

    def version(self) -> str:
        """NumPy version string."""
        return np.__version__

    def mlp_step(
        self, params: Params, x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]:
        """Closure running one MLP SGD step; x (m, in), y (m,)."""
        model = NumpyMLP(copy_params(params), lr)
        return lambda: model.step(x, y)

    def cnn_step(
        self, params: Params, x: np.ndarray, y: np.ndarray, lr: float
    ) -> Callable[[], object]:
        """Closure running one SimpleCNN SGD step; x (N, 3, 32, 32), y (N,)."""
        model = NumpyCNN(copy_params(params), lr)
        return lambda: model.step(x, y)

    def chain(self, x0: np.ndarray, n_links: int, backward: bool) -> Callable[[], object]:
        """Closure running the op chain on x0 (e.g. (16,)), with or without backward."""
        x0 = x0.copy()
        if backward:
            return lambda: chain_forward_backward(x0, n_links)
        return lambda: chain_forward(x0, n_links)

    def loss_and_grads(
        self, net: str, params: Params, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, Params]:
        """Loss and parameter gradients for ``net`` in {"mlp", "cnn"} (no update)."""
        model = NumpyMLP(copy_params(params)) if net == "mlp" else NumpyCNN(copy_params(params))
        loss, grads = model.loss_and_grads(x, y)
        return float(loss), grads


# --------------------------------------------------------------------------- correctness


def max_rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """max|a - b| / max|b| (scale-aware; 0 when both are exactly 0)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = float(np.abs(b).max()) if b.size else 0.0
    diff = float(np.abs(a - b).max()) if b.size else 0.0
    return diff / scale if scale > 0 else diff


def compare_engines(
    ref: object,
    other: object,
    dtype: np.dtype | type = np.float64,
    seed: int = 0,
    nets: Sequence[str] = ("mlp", "cnn"),
) -> dict[str, tuple[float, str]]:
    """Max relative error of ``other`` against ``ref`` on the MLP and CNN losses and grads.

    Both arguments are engine adapters with ``loss_and_grads``; the same weights
    and batch (MLP batch 32 of 784, CNN batch 8 of 3x32x32) go to both.
    Returns {net: (err, dtype)} for each of ``nets``: err is the worst over the
    loss and all grads, dtype the one ``other``'s gradients came back in (an
    engine that computes float32 whatever it is fed must be judged as float32).
    """
    mlp_batch = make_batch((32, 784), seed=seed + 1, dtype=dtype)
    cnn_batch = make_batch((8, 3, 32, 32), seed=seed + 1, dtype=dtype)
    cases = {
        "mlp": (init_mlp(MLP_SIZES, seed, dtype), mlp_batch),
        "cnn": (init_cnn(seed, dtype), cnn_batch),
    }
    out: dict[str, tuple[float, str]] = {}
    for net in nets:
        params, (x, y) = cases[net]
        l_ref, g_ref = ref.loss_and_grads(net, params, x, y)  # type: ignore[attr-defined]
        l_oth, g_oth = other.loss_and_grads(net, params, x, y)  # type: ignore[attr-defined]
        if len(g_ref) != len(g_oth):
            raise ValueError(f"{net}: {len(g_ref)} vs {len(g_oth)} gradients")
        for i, (go, gr) in enumerate(zip(g_oth, g_ref)):
            if np.shape(go) != np.shape(gr):
                raise ValueError(f"{net}: gradient {i} has shape {np.shape(go)}, want {gr.shape}")
        errs = [max_rel_err(np.asarray(l_oth), np.asarray(l_ref))]
        errs += [max_rel_err(go, gr) for go, gr in zip(g_oth, g_ref)]
        out[net] = (max(errs), str(np.result_type(*g_oth)))
    return out


def check_against_torch() -> dict[str, dict[str, tuple[float, str]]]:
    """Compare the hand-written gradients with PyTorch autograd (same weights).

    Runs in float64 (must agree to ~1e-12) and float32 (~1e-5 relative).
    Returns {"float64": {"mlp": (err, dtype), "cnn": ...}, "float32": {...}}. Needs torch.
    """
    from benchmarks.torch_ref import TorchEngine  # torch only ever imported inside benchmarks/

    ref, torch_engine = NumpyEngine(), TorchEngine()
    return {
        "float64": compare_engines(torch_engine, ref, np.float64),
        "float32": compare_engines(torch_engine, ref, np.float32),
    }
