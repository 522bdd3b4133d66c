"""The calls tests/nn/test_added_values.py runs through chainrule and compares with torch's
answers (``EXPECTED`` in torch_values_added.py, computed once with torch 2.13 by a scratch
script that runs this same table with ``torch``, ``torch.nn`` and ``torch.nn.functional``).

Each entry is ``name: (fn, inputs)``: ``fn(k, *tensors)`` with ``k`` a kit (``k.m`` the
tensor library, ``k.nn``, ``k.F``, ``k.fill(module)`` setting a module's parameters to
fixed values so both libraries hold the same numbers); ``inputs`` are float64 arrays (given
requires_grad) or integer arrays (constants)."""

from __future__ import annotations

from typing import Any

import numpy as np


def R(*shape: int, seed: int = 0, lo: float | None = None, hi: float | None = None
      ) -> np.ndarray:
    """A fixed float64 array: standard normal, or uniform on [lo, hi)."""
    rng = np.random.default_rng(seed)
    if lo is not None:
        return rng.uniform(lo, hi, shape)
    return rng.standard_normal(shape)


def Ints(*values: Any) -> np.ndarray:
    return np.array(values, dtype=np.int64)


class Kit:
    """The library a spec runs on, and the parameters ``fill`` set (their gradients are
    compared too)."""

    def __init__(self, m: Any, nn: Any, F: Any) -> None:
        self.m, self.nn, self.F = m, nn, F
        self.params: list = []

    def fill(self, module: Any, seed: int = 7) -> Any:
        """Set every parameter (in named_parameters order) to fixed values in float64."""
        module = module.double()
        rng = np.random.default_rng(seed)
        with self.m.no_grad():
            for _, p in module.named_parameters():
                p.copy_(self.m.tensor(rng.uniform(-0.6, 0.6, tuple(p.shape))))
                self.params.append(p)
        return module

    def t(self, a: Any, **kw: Any) -> Any:
        return self.m.tensor(np.asarray(a), **kw)


def _outputs(out: Any) -> list:
    stack, flat = [out], []
    while stack:
        o = stack.pop(0)
        if isinstance(o, (tuple, list)):
            stack[:0] = list(o)
        elif o is not None:
            flat.append(o)
    return flat


def run(kit: Kit, name: str) -> dict:
    """Outputs (values, dtypes, shapes) and the gradients of Σᵢ Σ outᵢ ⊙ cos(1, 2, 3, ...)
    with respect to the float inputs and the filled parameters."""
    fn, data = SPEC[name]
    m = kit.m
    xs = [m.tensor(d, requires_grad=True) if np.issubdtype(d.dtype, np.floating)
          else m.tensor(d) for d in data]
    outs = _outputs(fn(kit, *xs))
    res = {"values": [o.detach().numpy().tolist() for o in outs],
           "dtypes": [str(o.dtype).replace("torch.", "") for o in outs],
           "shapes": [list(o.shape) for o in outs]}
    wrt = [x for x in xs if x.requires_grad] + kit.params
    diff = [o for o in outs if o.requires_grad]
    if diff and wrt:
        loss = sum((o * m.tensor(np.cos(np.arange(1.0, o.numel() + 1.0)).reshape(
            tuple(o.shape)))).sum() for o in diff)
        grad = m.autograd.grad if m.__name__ == "torch" else m.grad
        grads = grad(loss, wrt, allow_unused=True)
        res["grads"] = [None if g is None else g.numpy().tolist() for g in grads]
    return res


X234 = R(2, 3, 4)

SPEC: dict = {
    # -- RMSNorm -----------------------------------------------------------------------------
    "rms_norm-weight": (lambda k, x, w: k.F.rms_norm(x, (4,), w), [X234, R(4, seed=1)]),
    "rms_norm-two-axes-eps": (lambda k, x: k.F.rms_norm(x, [3, 4], eps=0.5), [X234]),
    "rms_norm-default-eps-tiny": (lambda k, x: k.F.rms_norm(x * 1e-9, (4,)), [X234]),
    "RMSNorm-default": (lambda k, x: k.fill(k.nn.RMSNorm([3, 4]))(x), [X234]),
    "RMSNorm-eps-no-affine": (lambda k, x: k.nn.RMSNorm(4, 1e-2, False)(x), [X234]),
}

# -- the transformer stack -------------------------------------------------------------------
CAUSAL3 = np.triu(np.ones((3, 3), dtype=bool), 1)  # True above the diagonal: masked
CAUSAL4F = np.triu(np.full((4, 4), -np.inf), 1)
KPM = np.array([[False, False, True], [False, False, False]])
MEM_KPM = np.array([[False, True, False, False], [False, False, False, True]])


def _enc(k: Kit, n: int = 2, norm: bool = True, **kw: Any) -> Any:
    layer = k.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, **kw)
    return k.fill(k.nn.TransformerEncoder(layer, n, k.nn.LayerNorm(4) if norm else None,
                                          enable_nested_tensor=False))


def _dec_layer(k: Kit, **kw: Any) -> Any:
    return k.fill(k.nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, **kw))


def _dec(k: Kit, **kw: Any) -> Any:
    layer = k.nn.TransformerDecoderLayer(4, 2, 5, dropout=0.0, **kw)
    return k.fill(k.nn.TransformerDecoder(layer, 2, k.nn.LayerNorm(4)))


def _nested_eval(k: Kit, x: Any) -> Any:
    layer = k.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, batch_first=True)
    enc = k.fill(k.nn.TransformerEncoder(layer, 2, k.nn.LayerNorm(4))).eval()
    with k.m.no_grad():  # torch's nested-tensor path: padded positions are 0 before norm
        return enc(x, src_key_padding_mask=k.t(KPM))


def _transformer(k: Kit, src: Any, tgt: Any, **kw: Any) -> Any:
    t = k.fill(k.nn.Transformer(4, 2, 1, 2, 6, dropout=0.0, **kw))
    return t(src, tgt, tgt_mask=k.nn.Transformer.generate_square_subsequent_mask(4).double(),
             src_key_padding_mask=k.t(KPM), memory_key_padding_mask=k.t(KPM))


SPEC.update({
    "TransformerEncoder-post-norm-masks": (
        lambda k, x: _enc(k)(x, mask=k.t(CAUSAL3), src_key_padding_mask=k.t(KPM)),
        [R(3, 2, 4, seed=2)]),
    "TransformerEncoder-pre-norm-gelu-batch-first-causal": (
        lambda k, x: _enc(k, 2, False, activation="gelu", norm_first=True, batch_first=True)(
            x, mask=k.t(CAUSAL4F), is_causal=True), [R(2, 4, 4, seed=3)]),
    "TransformerEncoder-unbatched-3-layers": (
        lambda k, x: _enc(k, 3)(x), [R(3, 4, seed=4)]),
    "TransformerEncoder-eval-no-grad-padding": (_nested_eval, [R(2, 3, 4, seed=5)]),
    "TransformerDecoderLayer-post-norm": (
        lambda k, t, m: _dec_layer(k)(t, m, tgt_mask=k.t(CAUSAL3),
                                      memory_key_padding_mask=k.t(MEM_KPM)),
        [R(3, 2, 4, seed=6), R(4, 2, 4, seed=7)]),
    "TransformerDecoderLayer-pre-norm-gelu-batch-first": (
        lambda k, t, m: _dec_layer(k, activation="gelu", norm_first=True, batch_first=True)(
            t, m, memory_mask=k.t(R(3, 4, seed=8)), tgt_key_padding_mask=k.t(KPM)),
        [R(2, 3, 4, seed=9), R(2, 4, 4, seed=10)]),
    "TransformerDecoderLayer-unbatched-no-bias": (
        lambda k, t, m: _dec_layer(k, bias=False)(t, m), [R(3, 4, seed=11), R(2, 4, seed=12)]),
    "TransformerDecoder-causal-detected": (
        lambda k, t, m: _dec(k)(t, m, tgt_mask=k.t(CAUSAL4F)),
        [R(4, 2, 4, seed=13), R(3, 2, 4, seed=14)]),
    "TransformerDecoder-batch-first-bool-masks": (
        lambda k, t, m: _dec(k, batch_first=True)(t, m, tgt_mask=k.t(CAUSAL3),
                                                  memory_key_padding_mask=k.t(MEM_KPM),
                                                  tgt_is_causal=False),
        [R(2, 3, 4, seed=15), R(2, 4, 4, seed=16)]),
    "Transformer-masks": (_transformer, [R(3, 2, 4, seed=17), R(4, 2, 4, seed=18)]),
    "Transformer-batch-first-norm-first": (
        lambda k, s, t: k.fill(k.nn.Transformer(4, 2, 2, 1, 5, 0.0, batch_first=True,
                                                norm_first=True))(s, t),
        [R(2, 3, 4, seed=19), R(2, 2, 4, seed=20)]),
    "generate_square_subsequent_mask": (
        lambda k: k.nn.Transformer.generate_square_subsequent_mask(4), []),
})

# -- padding layers ---------------------------------------------------------------------------
SPEC.update({
    "ZeroPad1d-crop": (lambda k, x: k.nn.ZeroPad1d((-1, 2))(x), [R(2, 3, 4, seed=21)]),
    "ZeroPad2d-tuple": (lambda k, x: k.nn.ZeroPad2d((1, 0, 2, 1))(x), [R(1, 2, 3, 3, seed=22)]),
    "ZeroPad3d-int": (lambda k, x: k.nn.ZeroPad3d(1)(x), [R(1, 2, 2, 2, seed=23)]),
    "ConstantPad1d-int": (lambda k, x: k.nn.ConstantPad1d(2, 3.5)(x), [R(2, 3, seed=24)]),
    "ConstantPad2d-tuple": (lambda k, x: k.nn.ConstantPad2d((0, 1, 2, 0), -1.0)(x),
                            [R(2, 2, 3, seed=25)]),
    "ConstantPad3d-tuple": (lambda k, x: k.nn.ConstantPad3d((1, 0, 0, 1, 1, 1), 0.5)(x),
                            [R(1, 2, 2, 3, seed=26)]),
    "ReflectionPad1d-tuple": (lambda k, x: k.nn.ReflectionPad1d((2, 1))(x), [R(2, 2, 4, seed=27)]),
    "ReflectionPad2d-unbatched": (lambda k, x: k.nn.ReflectionPad2d(1)(x), [R(2, 3, 3, seed=28)]),
    "ReflectionPad3d": (lambda k, x: k.nn.ReflectionPad3d((1, 0, 1, 1, 0, 1))(x),
                        [R(1, 1, 2, 3, 3, seed=29)]),
    "ReplicationPad1d": (lambda k, x: k.nn.ReplicationPad1d((3, 1))(x), [R(2, 2, 3, seed=30)]),
    "ReplicationPad2d": (lambda k, x: k.nn.ReplicationPad2d((0, 2, 1, 1))(x),
                         [R(1, 2, 3, 2, seed=31)]),
    "ReplicationPad3d": (lambda k, x: k.nn.ReplicationPad3d(1)(x), [R(1, 1, 2, 2, 2, seed=32)]),
    "CircularPad1d": (lambda k, x: k.nn.CircularPad1d(2)(x), [R(2, 2, 3, seed=33)]),
    "CircularPad2d": (lambda k, x: k.nn.CircularPad2d((1, 2, 0, 1))(x), [R(1, 2, 3, 3, seed=34)]),
    "CircularPad3d": (lambda k, x: k.nn.CircularPad3d((1, 1, 0, 1, 1, 0))(x),
                      [R(2, 2, 2, 2, seed=35)]),
})

# -- pixel shuffle, channel shuffle, fold/unfold ------------------------------------------------
SPEC.update({
    "pixel_shuffle": (lambda k, x: k.F.pixel_shuffle(x, 2), [R(2, 8, 2, 3, seed=40)]),
    "pixel_shuffle-extra-batch-dims": (lambda k, x: k.F.pixel_shuffle(x, 3),
                                       [R(2, 1, 9, 1, 2, seed=41)]),
    "PixelShuffle-unbatched": (lambda k, x: k.nn.PixelShuffle(2)(x), [R(4, 2, 2, seed=42)]),
    "pixel_unshuffle": (lambda k, x: k.F.pixel_unshuffle(x, 2), [R(2, 2, 4, 6, seed=43)]),
    "PixelUnshuffle-3": (lambda k, x: k.nn.PixelUnshuffle(3)(x), [R(1, 1, 3, 6, seed=44)]),
    "channel_shuffle": (lambda k, x: k.F.channel_shuffle(x, 3), [R(2, 6, 2, seed=45)]),
    "ChannelShuffle-4d": (lambda k, x: k.nn.ChannelShuffle(2)(x), [R(1, 4, 2, 2, seed=46)]),
    "native_channel_shuffle": (lambda k, x: k.F.native_channel_shuffle(x.detach(), 2),
                               [R(2, 4, 3, seed=47)]),
    "unfold-k2": (lambda k, x: k.F.unfold(x, 2), [R(2, 3, 3, 4, seed=48)]),
    "unfold-all-options": (lambda k, x: k.F.unfold(x, (2, 3), dilation=(2, 1), padding=1,
                                                   stride=(1, 2)), [R(1, 2, 5, 6, seed=49)]),
    "Unfold-unbatched": (lambda k, x: k.nn.Unfold(3, padding=1, stride=2)(x),
                         [R(2, 4, 5, seed=50)]),
    "fold-k2": (lambda k, x: k.F.fold(x, (3, 4), 2), [R(2, 12, 6, seed=51)]),
    "fold-all-options": (lambda k, x: k.F.fold(x, (5, 6), (2, 3), dilation=(2, 1), padding=1,
                                               stride=(1, 2)), [R(1, 12, 15, seed=52)]),
    "Fold-unbatched-overlap": (lambda k, x: k.nn.Fold((4, 5), 3, padding=1, stride=2)(x),
                               [R(18, 6, seed=53)]),
    "fold-of-unfold": (lambda k, x: k.F.fold(k.F.unfold(x, 2, padding=1), (3, 3), 2,
                                             padding=1), [R(1, 2, 3, 3, seed=54)]),
})

# -- instance norm, local response norm, LP pooling ------------------------------------------


def _in_stats(k: Kit, x: Any, m: Any) -> Any:
    m = k.fill(m)
    first = m(x)
    second = m(x * 2 + 1)
    m.eval()
    return first, second, m(x), m.running_mean, m.running_var


def _f_instance(k: Kit, x: Any, w: Any, b: Any) -> Any:
    rm, rv = k.t(np.array([0.1, -0.2, 0.3])), k.t(np.array([1.0, 2.0, 0.5]))
    out = k.F.instance_norm(x, rm, rv, w, b, momentum=0.3, eps=1e-3)
    return out, rm, rv, k.F.instance_norm(x, rm, rv, w, b, use_input_stats=False)


SPEC.update({
    "instance_norm-plain": (lambda k, x: k.F.instance_norm(x), [R(2, 3, 5, seed=60)]),
    "instance_norm-running-affine": (_f_instance,
                                     [R(2, 3, 2, 3, seed=61), R(3, seed=62), R(3, seed=63)]),
    "InstanceNorm1d-default": (lambda k, x: k.nn.InstanceNorm1d(3)(x), [R(2, 3, 4, seed=64)]),
    "InstanceNorm1d-unbatched-affine": (lambda k, x: k.fill(k.nn.InstanceNorm1d(
        3, affine=True))(x), [R(3, 4, seed=65)]),
    "InstanceNorm2d-track-train-eval": (lambda k, x: _in_stats(k, x, k.nn.InstanceNorm2d(
        3, affine=True, track_running_stats=True)), [R(2, 3, 2, 3, seed=66)]),
    "InstanceNorm2d-momentum-None": (lambda k, x: _in_stats(k, x, k.nn.InstanceNorm2d(
        3, momentum=None, track_running_stats=True)), [R(2, 3, 2, 2, seed=67)]),
    "InstanceNorm3d-affine-no-bias": (lambda k, x: k.fill(k.nn.InstanceNorm3d(
        2, affine=True, bias=False))(x), [R(1, 2, 2, 2, 3, seed=68)]),
    "local_response_norm-3d": (lambda k, x: k.F.local_response_norm(x, 3, 0.5, 0.75, 1.0),
                               [R(2, 5, 3, seed=69)]),
    "LocalResponseNorm-4d-even": (lambda k, x: k.nn.LocalResponseNorm(2, 0.3, 0.6, 2.0)(x),
                                  [R(2, 4, 2, 3, seed=70)]),
    "LocalResponseNorm-5d-wide": (lambda k, x: k.nn.LocalResponseNorm(5, 1.0)(x),
                                  [R(1, 3, 2, 2, 2, seed=71)]),
    "lp_pool1d-p2": (lambda k, x: k.F.lp_pool1d(x, 2, 3), [R(2, 2, 7, seed=72)]),
    "lp_pool1d-p1.5-stride-ceil": (lambda k, x: k.F.lp_pool1d(x, 1.5, 2, 3, True),
                                   [R(2, 8, seed=73, lo=0.2, hi=2.0)]),
    "lp_pool2d-p3-odd-negative": (lambda k, x: k.F.lp_pool2d(x, 3, (2, 3), stride=1),
                                  [R(1, 2, 3, 4, seed=74)]),
    "LPPool1d": (lambda k, x: k.nn.LPPool1d(2, 2)(x), [R(2, 3, 6, seed=75)]),
    "LPPool2d-ceil": (lambda k, x: k.nn.LPPool2d(2, 2, stride=2, ceil_mode=True)(x),
                      [R(1, 2, 5, 3, seed=76)]),
})

# -- the margin, embedding, triplet and likelihood losses (every reduction) --------------------
PM1 = np.array([1.0, -1.0, -1.0, 1.0, 1.0])  # ±1 targets
PM1_2x3 = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
LABELS01 = (R(4, 3, seed=80) > 0).astype(np.float64)
MLM_TARGET = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 0, 0]], dtype=np.int64)
for _red in ("mean", "sum", "none"):
    SPEC.update({
        f"margin_ranking_loss-{_red}": (
            lambda k, a, b, y, r=_red: k.F.margin_ranking_loss(a, b, y, 0.3, reduction=r),
            [R(5, seed=81), R(5, seed=82), PM1]),
        f"MarginRankingLoss-tie-{_red}": (  # −y(x1 − x2) + margin = 0 exactly: clamp passes
            lambda k, a, r=_red: k.nn.MarginRankingLoss(0.5, reduction=r)(
                a, a - k.t(np.array([0.5, -0.5, 0.5, 0.5, 0.5])), k.t(PM1)), [R(5, seed=83)]),
        f"hinge_embedding_loss-{_red}": (
            lambda k, x, r=_red: k.F.hinge_embedding_loss(x, k.t(PM1_2x3), 0.7, reduction=r),
            [R(2, 3, seed=84)]),
        f"HingeEmbeddingLoss-{_red}": (
            lambda k, x, r=_red: k.nn.HingeEmbeddingLoss(reduction=r)(x, k.t(PM1)),
            [R(5, seed=85)]),
        f"cosine_embedding_loss-{_red}": (
            lambda k, a, b, r=_red: k.F.cosine_embedding_loss(a, b, k.t(PM1), 0.2, reduction=r),
            [R(5, 3, seed=86), R(5, 3, seed=87)]),
        f"CosineEmbeddingLoss-1d-{_red}": (
            lambda k, a, b, r=_red: k.nn.CosineEmbeddingLoss(-0.5, reduction=r)(
                a, b, k.t(np.array(-1.0))), [R(4, seed=88), R(4, seed=89)]),
        f"soft_margin_loss-{_red}": (
            lambda k, x, r=_red: k.F.soft_margin_loss(x, k.t(PM1_2x3 * 0.7), reduction=r),
            [R(2, 3, seed=90)]),
        f"multilabel_soft_margin_loss-{_red}": (
            lambda k, x, y, r=_red: k.F.multilabel_soft_margin_loss(x, y, reduction=r),
            [R(4, 3, seed=91), LABELS01]),
        f"MultiLabelSoftMarginLoss-weight-{_red}": (
            lambda k, x, r=_red: k.nn.MultiLabelSoftMarginLoss(
                k.t(np.array([0.5, 1.0, 2.0])), reduction=r)(x, k.t(LABELS01)),
            [R(4, 3, seed=92)]),
        f"multi_margin_loss-{_red}": (
            lambda k, x, t, r=_red: k.F.multi_margin_loss(x, t, reduction=r),
            [R(4, 5, seed=93), Ints(2, 0, 4, 1)]),
        f"MultiMarginLoss-p2-weight-margin-{_red}": (
            lambda k, x, t, r=_red: k.nn.MultiMarginLoss(2, 0.7, k.t(np.array(
                [1.0, 2.0, 0.5, 1.5])), reduction=r)(x, t), [R(3, 4, seed=94), Ints(3, 1, 1)]),
        f"MultiMarginLoss-vector-{_red}": (
            lambda k, x, r=_red: k.nn.MultiMarginLoss(reduction=r)(x, k.t(Ints(2))),
            [R(4, seed=95)]),
        f"multilabel_margin_loss-{_red}": (
            lambda k, x, t, r=_red: k.F.multilabel_margin_loss(x, t, reduction=r),
            [R(3, 4, seed=96), MLM_TARGET]),
        f"MultiLabelMarginLoss-vector-{_red}": (
            lambda k, x, r=_red: k.nn.MultiLabelMarginLoss(reduction=r)(x, k.t(Ints(0, 3, -1, 1))),
            [R(4, seed=97)]),
        f"triplet_margin_loss-{_red}": (
            lambda k, a, p, n, r=_red: k.F.triplet_margin_loss(a, p, n, reduction=r),
            [R(4, 3, seed=98), R(4, 3, seed=99), R(4, 3, seed=100)]),
        f"TripletMarginLoss-p1-swap-{_red}": (
            lambda k, a, p, n, r=_red: k.nn.TripletMarginLoss(0.5, 1.0, 1e-3, True,
                                                              reduction=r)(a, p, n),
            [R(4, 3, seed=101), R(4, 3, seed=102), R(4, 3, seed=103)]),
        f"triplet_margin_with_distance_loss-{_red}": (
            lambda k, a, p, n, r=_red: k.F.triplet_margin_with_distance_loss(
                a, p, n, reduction=r), [R(4, 3, seed=104), R(4, 3, seed=105), R(4, 3, seed=106)]),
        f"TripletMarginWithDistanceLoss-cosine-swap-{_red}": (
            lambda k, a, p, n, r=_red: k.nn.TripletMarginWithDistanceLoss(
                distance_function=lambda u, v: 1 - k.F.cosine_similarity(u, v), margin=0.8,
                swap=True, reduction=r)(a, p, n),
            [R(4, 3, seed=107), R(4, 3, seed=108), R(4, 3, seed=109)]),
        f"poisson_nll_loss-{_red}": (
            lambda k, x, y, r=_red: k.F.poisson_nll_loss(x, y, reduction=r),
            [R(2, 3, seed=110), R(2, 3, seed=111, lo=0.0, hi=4.0)]),
        f"PoissonNLLLoss-rate-full-{_red}": (
            lambda k, x, r=_red: k.nn.PoissonNLLLoss(False, True, reduction=r)(
                x, k.t(np.array([[0.0, 1.0, 2.0], [3.0, 0.5, 7.0]]))),
            [R(2, 3, seed=112, lo=0.1, hi=3.0)]),
        f"gaussian_nll_loss-{_red}": (
            lambda k, x, y, v, r=_red: k.F.gaussian_nll_loss(x, y, v, reduction=r),
            [R(3, 2, seed=113), R(3, 2, seed=114), R(3, 2, seed=115, lo=0.1, hi=2.0)]),
        f"GaussianNLLLoss-full-shared-var-clamped-{_red}": (
            lambda k, x, y, v, r=_red: k.nn.GaussianNLLLoss(full=True, eps=0.3, reduction=r)(
                x, y, v), [R(3, 2, seed=116), R(3, 2, seed=117),
                           R(3, 1, seed=118, lo=0.1, hi=0.6)]),
        f"GaussianNLLLoss-var-without-last-dim-{_red}": (
            lambda k, x, y, v, r=_red: k.nn.GaussianNLLLoss(reduction=r)(x, y, v),
            [R(3, 2, seed=119), R(3, 2, seed=120), R(3, seed=121, lo=0.5, hi=2.0)]),
    })
SPEC["gaussian_nll_loss-float-var"] = (lambda k, x, y: k.F.gaussian_nll_loss(x, y, 0.5),
                                       [R(3, 2, seed=122), R(3, 2, seed=123)])
SPEC["poisson_nll_loss-legacy-flags"] = (
    lambda k, x, y: k.F.poisson_nll_loss(x, y, size_average=False),
    [R(4, seed=124), R(4, seed=125, lo=0.0, hi=3.0)])

# -- max unpooling -------------------------------------------------------------------------------


def _unpool2d(k: Kit, x: Any, *pool: Any, **kw: Any) -> Any:
    out, idx = k.F.max_pool2d(x, *pool, return_indices=True)
    return k.F.max_unpool2d(out * 1.5, idx, *pool, **kw)


def _unpool1d_module(k: Kit, x: Any) -> Any:
    out, idx = k.nn.MaxPool1d(3, 2, 1, return_indices=True)(x)
    return k.nn.MaxUnpool1d(3, 2, 1)(out, idx, output_size=[x.shape[-1]])


SPEC.update({
    "max_unpool2d-k2": (lambda k, x: _unpool2d(k, x, 2), [R(2, 2, 4, 6, seed=130)]),
    "max_unpool2d-overlapping-windows": (lambda k, x: _unpool2d(k, x, 2, 1),
                                         [R(1, 1, 4, 4, seed=131)]),
    "max_unpool2d-output-size-unbatched": (
        lambda k, x: _unpool2d(k, x, 2, output_size=(5, 5)), [R(2, 5, 5, seed=132)]),
    "max_unpool1d": (lambda k, x: k.F.max_unpool1d(*k.F.max_pool1d(x, 2, return_indices=True),
                                                   2), [R(2, 3, 6, seed=133)]),
    "MaxUnpool1d-padding-output-size": (_unpool1d_module, [R(1, 2, 7, seed=134)]),
    "MaxUnpool2d-stride-padding": (
        lambda k, x: k.nn.MaxUnpool2d(3, 2, 1)(*k.nn.MaxPool2d(3, 2, 1, return_indices=True)(x)),
        [R(1, 2, 5, 5, seed=135)]),
})

# -- EmbeddingBag ---------------------------------------------------------------------------------
BAG_IDX = Ints(1, 2, 4, 5, 4, 3, 2, 9)
BAG_OFF = Ints(0, 2, 2, 5)  # bag 1 is empty
SPEC.update({
    "embedding_bag-mean-2d": (lambda k, w: k.F.embedding_bag(k.t(Ints(1, 2, 4, 5, 4, 3).reshape(
        2, 3)), w), [R(10, 3, seed=140)]),
    "embedding_bag-sum-offsets-empty-bag": (
        lambda k, w: k.F.embedding_bag(k.t(BAG_IDX), w, k.t(BAG_OFF), mode="sum"),
        [R(10, 3, seed=141)]),
    "embedding_bag-max-offsets-empty-bag": (
        lambda k, w: k.F.embedding_bag(k.t(BAG_IDX), w, k.t(BAG_OFF), mode="max"),
        [R(10, 3, seed=142)]),
    "embedding_bag-sum-weights-last-offset": (
        lambda k, w, p: k.F.embedding_bag(k.t(BAG_IDX), w, k.t(Ints(0, 3, 3, 8)), mode="sum",
                                          per_sample_weights=p, include_last_offset=True),
        [R(10, 3, seed=143), R(8, seed=144)]),
    "embedding_bag-mean-padding-freq": (
        lambda k, w: k.F.embedding_bag(k.t(BAG_IDX), w, k.t(BAG_OFF), padding_idx=4,
                                       scale_grad_by_freq=True), [R(10, 3, seed=145)]),
    "embedding_bag-max-norm": (
        lambda k, w: k.F.embedding_bag(k.t(BAG_IDX), w * 1, k.t(BAG_OFF), max_norm=0.8,
                                       mode="sum"), [R(10, 3, seed=146)]),
    "EmbeddingBag-max-padding-2d": (
        lambda k: k.fill(k.nn.EmbeddingBag(10, 3, mode="max", padding_idx=4))(
            k.t(Ints(1, 4, 4, 9, 2, 2).reshape(3, 2))), []),
    "EmbeddingBag-sum-psw-2d": (
        lambda k, p: k.fill(k.nn.EmbeddingBag(10, 2, mode="sum"))(
            k.t(Ints(1, 4, 4, 9, 2, 2).reshape(2, 3)), per_sample_weights=p), [R(2, 3, seed=147)]),
})
SPEC["embedding_bag-sum-freq-2d"] = (  # torch's CPU kernel's own frequency scaling
    lambda k, w: k.F.embedding_bag(k.t(Ints(3, 3, 0, 7, 3, 0, 5, 5, 5).reshape(3, 3)), w,
                                   mode="sum", scale_grad_by_freq=True), [R(8, 2, seed=148)])


def _eval_no_grad(k: Kit, x: Any, batch_first: bool, kpm: np.ndarray, **kw: Any) -> Any:
    layer = k.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, batch_first=batch_first)
    enc = k.fill(k.nn.TransformerEncoder(layer, 2, **kw)).eval()
    with k.m.no_grad():
        return enc(x, src_key_padding_mask=k.t(kpm))


SPEC.update({  # when torch takes its nested-tensor path (padded outputs 0) and when not
    "TransformerEncoder-eval-seq-first-no-nested": (
        lambda k, x: _eval_no_grad(k, x, False, KPM), [R(3, 2, 4, seed=150)]),
    "TransformerEncoder-eval-right-padding-not-left-aligned": (
        lambda k, x: _eval_no_grad(k, x, True, np.array([[True, False, False],
                                                         [False, False, False]])),
        [R(2, 3, 4, seed=151)]),
    "TransformerEncoder-eval-float-padding-mask": (
        lambda k, x: _eval_no_grad(k, x, True, np.array([[0.0, 0.0, -np.inf],
                                                         [0.0, -np.inf, -np.inf]])),
        [R(2, 3, 4, seed=152)]),
    "TransformerEncoder-eval-mask-check-off": (
        lambda k, x: _eval_no_grad(k, x, True, np.array([[True, False, False],
                                                         [False, False, True]]),
                                   mask_check=False), [R(2, 3, 4, seed=153)]),
})
