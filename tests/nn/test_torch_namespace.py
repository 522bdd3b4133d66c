"""torch's top-level functional names that ``import nn`` binds onto autograd
(nn/torch_namespace.py): each called as ``autograd.<name>`` with torch's top-level argument
list (ATen's: int reductions, required ``train`` flags, weight-first ``embedding``...) and
compared with torch 2.13's values for the same call, written in below (TORCH). The random
ones are compared with nn.functional's draws for the same seed instead; plus presence after
a bare ``import nn``, no overwriting, in-place identity and gradient checks.

Each case is written once against a torch-like module ``lib``: the values below came from
running these same cases with ``lib = torch`` (torch 2.13, float64).
"""

from __future__ import annotations

import subprocess
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from nn import torch_namespace

ROOT = Path(__file__).resolve().parents[2]


def _a(*shape: int, scale: float = 1.0) -> np.ndarray:
    """Fixed, varied float64 values of ``shape``: sin(1), sin(2), ... times ``scale``."""
    return scale * np.sin(np.arange(1, int(np.prod(shape)) + 1, dtype=np.float64)).reshape(shape)


def _i(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _f(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _embedding_grad(lib: Any, padding_idx: int) -> tuple:
    w = lib.tensor(_a(4, 3), requires_grad=True)
    out = lib.embedding(w, lib.tensor(_i([[0, 2], [2, 3]])), padding_idx)
    (out * lib.tensor(_a(2, 2, 3))).sum().backward()
    return out, w.grad


def _batch_norm(lib: Any, training: bool) -> tuple:
    rm, rv = lib.tensor(_a(3, scale=0.1)), lib.tensor(1.0 + _a(3, scale=0.2) ** 2)
    out = lib.batch_norm(lib.tensor(_a(4, 3, 2)), lib.tensor(1.0 + _a(3)),
                         lib.tensor(_a(3, scale=0.5)), rm, rv, training, 0.2, 1e-5, True)
    return out, rm, rv


def _instance_norm(lib: Any) -> tuple:
    rm, rv = lib.tensor(np.zeros(3)), lib.tensor(np.ones(3))
    out = lib.instance_norm(lib.tensor(_a(2, 3, 4)), lib.tensor(1.0 + _a(3)),
                            lib.tensor(_a(3, scale=0.5)), rm, rv, True, 0.1, 1e-5, False)
    return out, rm, rv


def _ctc(lib: Any, *reduction: int) -> Any:
    lp = lib.log_softmax(lib.tensor(_a(5, 2, 3)), 2)
    return lib.ctc_loss(lp, lib.tensor(_i([[1, 2], [1, 1]])), [5, 4], [2, 1], 0, *reduction)


def _inplace(lib: Any, name: str, *args: Any) -> Any:
    x = lib.tensor(_a(2, 3, 2, scale=2.0))
    return getattr(lib, name)(x, *args)


# "name:variant" -> a call of lib.name; every name of torch_namespace.__all__ has one
CASES: dict[str, Callable[[Any], Any]] = {
    **{f"{n}:p1": (lambda lib, n=n: _inplace(lib, n, 1.0, True))
       for n in ("dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout",
                 "dropout_", "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_")},
    "layer_norm:affine": lambda lib: lib.layer_norm(
        lib.tensor(_a(2, 3, 4)), [3, 4], lib.tensor(_a(3, 4)), lib.tensor(_a(3, 4, scale=.3)),
        1e-5, False),
    "group_norm:affine": lambda lib: lib.group_norm(
        lib.tensor(_a(2, 4, 3)), 2, lib.tensor(1 + _a(4)), lib.tensor(_a(4, scale=.3))),
    "batch_norm:train": lambda lib: _batch_norm(lib, True),
    "batch_norm:eval": lambda lib: _batch_norm(lib, False),
    "instance_norm:stats": _instance_norm,
    "rms_norm:weight": lambda lib: lib.rms_norm(lib.tensor(_a(2, 4)), [4],
                                                lib.tensor(1 + _a(4))),
    "embedding:padding2": lambda lib: _embedding_grad(lib, 2),
    "embedding:none": lambda lib: _embedding_grad(lib, -1),
    "cosine_similarity:dim0": lambda lib: lib.cosine_similarity(
        lib.tensor(_a(3, 2)), lib.tensor(_a(3, 2, scale=-0.5) + 0.3), 0),
    "pairwise_distance:p1keep": lambda lib: lib.pairwise_distance(
        lib.tensor(_a(3, 4)), lib.tensor(_a(3, 4, scale=0.7)), 1.0, 1e-6, True),
    "pdist:p2": lambda lib: lib.pdist(lib.tensor(_a(4, 3))),
    **{f"kl_div:r{r}": (lambda lib, r=r: lib.kl_div(
        lib.log_softmax(lib.tensor(_a(2, 3)), 1), lib.tensor(np.abs(_a(2, 3, scale=.5))), r))
       for r in (0, 1, 2)},
    "kl_div:log_target_broadcast": lambda lib: lib.kl_div(
        lib.tensor(_a(2, 3)), lib.tensor(_a(1, 3, scale=.5)), 2, log_target=True),
    **{f"binary_cross_entropy_with_logits:r{r}": (
        lambda lib, r=r: lib.binary_cross_entropy_with_logits(
            lib.tensor(_a(2, 3, scale=2)), lib.tensor(np.abs(_a(2, 3))), lib.tensor(_a(2, 3)),
            lib.tensor(1 + np.abs(_a(3))), r)) for r in (0, 1, 2)},
    "hinge_embedding_loss:r0": lambda lib: lib.hinge_embedding_loss(
        lib.tensor(_a(5, scale=2)), lib.tensor(_f([1.0, -1, -1, 1, -1])), 1.5, 0),
    "margin_ranking_loss:r2": lambda lib: lib.margin_ranking_loss(
        lib.tensor(_a(4)), lib.tensor(_a(4, scale=-.5)), lib.tensor(_f([1.0, -1, 1, -1])), 0.2, 2),
    **{f"cosine_embedding_loss:{k}": (lambda lib, r=r: lib.cosine_embedding_loss(
        lib.tensor(_a(3, 4)), lib.tensor(_a(3, 4) ** 2), lib.tensor(_f([1.0, -1, -1])), 0.1,
        *r)) for k, r in (("default", ()), ("r1", (1,)))},
    # reduction left out: none in torch 2.13 (its binding reads the default Mean as 0)
    "kl_div:default": lambda lib: lib.kl_div(lib.tensor(_a(2, 3)), lib.tensor(_a(2, 3) ** 2)),
    "ctc_loss:default": lambda lib: _ctc(lib),
    "triplet_margin_loss:default": lambda lib: lib.triplet_margin_loss(
        lib.tensor(_a(3, 4)), lib.tensor(_a(3, 4, scale=.5)), lib.tensor(_a(3, 4) ** 2)),
    "triplet_margin_loss:swap_r0": lambda lib: lib.triplet_margin_loss(
        lib.tensor(_a(3, 4)), lib.tensor(_a(3, 4, scale=.5)), lib.tensor(_a(3, 4) ** 2),
        1.0, 2.0, 1e-6, True, 0),
    "poisson_nll_loss:log_r1": lambda lib: lib.poisson_nll_loss(
        lib.tensor(_a(2, 3)), lib.tensor(3 * np.abs(_a(2, 3))), True, False, 1e-8, 1),
    "poisson_nll_loss:full_r0": lambda lib: lib.poisson_nll_loss(
        lib.tensor(np.abs(_a(2, 3))), lib.tensor(3 * np.abs(_a(2, 3))), False, True, 1e-8, 0),
    "ctc_loss:r1": lambda lib: _ctc(lib, 1),
    "ctc_loss:r0": lambda lib: _ctc(lib, 0),
    "pixel_shuffle:2": lambda lib: lib.pixel_shuffle(lib.tensor(_a(1, 4, 2, 2)), 2),
    "pixel_unshuffle:2": lambda lib: lib.pixel_unshuffle(lib.tensor(_a(1, 1, 4, 2)), 2),
    "channel_shuffle:2": lambda lib: lib.channel_shuffle(lib.tensor(_a(1, 4, 2)), 2),
    "prelu:channels": lambda lib: lib.prelu(lib.tensor(_a(2, 3, 2)),
                                            lib.tensor(_f([0.1, 0.2, 0.3]))),
    "rrelu:eval": lambda lib: lib.rrelu(lib.tensor(_a(2, 3)), 0.1, 0.3, False),
    "rrelu_:eval": lambda lib: _inplace(lib, "rrelu_"),
    "hardshrink:0.6": lambda lib: lib.hardshrink(lib.tensor(_a(2, 3)), 0.6),
    "relu_:": lambda lib: _inplace(lib, "relu_"),
    "selu_:": lambda lib: _inplace(lib, "selu_"),
    "celu_:alpha": lambda lib: _inplace(lib, "celu_", 0.7),
    "threshold_:": lambda lib: _inplace(lib, "threshold_", 0.5, -3.0),
    "bilinear:bias": lambda lib: lib.bilinear(lib.tensor(_a(2, 3)), lib.tensor(_a(2, 2)),
                                              lib.tensor(_a(4, 3, 2)), lib.tensor(_a(4))),
    "conv3d:stride_pad": lambda lib: lib.conv3d(
        lib.tensor(_a(1, 2, 3, 3, 3)), lib.tensor(_a(2, 2, 2, 2, 2, scale=.5)),
        lib.tensor(_f([0.1, -0.2])), 2, 1),
    "conv_transpose3d:stride": lambda lib: lib.conv_transpose3d(
        lib.tensor(_a(1, 2, 2, 2, 2)), lib.tensor(_a(2, 1, 2, 2, 2, scale=.5)), None, 2, 0, 1),
    "max_pool1d:default_stride": lambda lib: lib.max_pool1d(lib.tensor(_a(1, 2, 7)), 2),
    "max_pool1d:pad_dil_ceil": lambda lib: lib.max_pool1d(lib.tensor(_a(1, 2, 7)), 2, 2, 1,
                                                          2, True),
    "max_pool3d:2": lambda lib: lib.max_pool3d(lib.tensor(_a(1, 1, 4, 4, 4)), 2, []),
    "avg_pool1d:pad": lambda lib: lib.avg_pool1d(lib.tensor(_a(2, 7)), 3, 2, 1, False, False),
    "adaptive_avg_pool1d:3": lambda lib: lib.adaptive_avg_pool1d(lib.tensor(_a(1, 2, 7)), 3),
    "adaptive_max_pool1d:3": lambda lib: lib.adaptive_max_pool1d(lib.tensor(_a(1, 2, 7)), 3),
    "max_pool1d_with_indices:3": lambda lib: lib.max_pool1d_with_indices(
        lib.tensor(_a(1, 2, 7)), 3, 2),
}

# torch 2.13's values of CASES with lib = torch (float64, 12 significant digits), pasted from
# a scratch run: per case, each output's (shape, flattened values)
TORCH: dict[str, Any] = {
    'dropout:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -0.0, -0.0,
        -0.0]),),
    'alpha_dropout:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -0.0,
        -0.0, -0.0]),),
    'feature_dropout:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -0.0,
        -0.0, -0.0]),),
    'feature_alpha_dropout:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0,
        -0.0, -0.0, -0.0]),),
    'dropout_:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -0.0, -0.0,
        -0.0]),),
    'alpha_dropout_:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -0.0,
        -0.0, -0.0]),),
    'feature_dropout_:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -0.0,
        -0.0, -0.0]),),
    'feature_alpha_dropout_:p1': (((2, 3, 2), [0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0, 0.0, 0.0,
        -0.0, -0.0, -0.0]),),
    'layer_norm:affine': (((2, 3, 4), [1.2427422542, 1.42811207211, 0.071883836283,
        0.553252014905, 0.968759502016, 0.0199951708617, 0.802848137371, 1.66327460405,
        0.36420852553, 0.237789244762, 1.06697590335, 0.229012777434, 0.723297134454,
        1.50085733561, 0.166332721531, 0.0925480742235, 1.01281007981, 0.213592771872,
        0.318483033462, 1.52645845108, 0.592251275679, -0.143981321015, 0.896474065076,
        0.525193280113]),),
    'group_norm:affine': (((2, 4, 3), [2.44400659254, 2.61711657944, 0.656536325705,
        -1.68436428824, -2.21923018442, -0.421076260362, 1.08050138422, 1.60278172771,
        0.695721866401, -0.407995519095, -0.560696882061, -0.405501163191, 1.29432334393,
        2.74377807113, 1.87904653965, -0.512385928424, -2.28672653643, -1.73239443383,
        0.243897751464, 1.45745537227, 1.33612695163, -0.237883258995, -0.521702516542,
        -0.541821400347]),),
    'batch_norm:train': (((4, 3, 2), [1.11550796972, 1.55333174292, 0.764222879073,
        -2.47576894243, -0.796436426018, 2.4940947596, -0.075349867017, 2.07012916243,
        1.74207213267, -1.70798559509, -0.995298801638, 1.24880619413, -1.6040344194,
        2.07819223681, 2.60146340437, -0.783830608982, -0.808413016551, 0.210501671944,
        -3.34877155239, 1.57687866617, 3.27393807816, 0.223078359527, -0.250666285255,
        -0.538108063969]), ((3,), [0.214085431532, 0.0838088876421, -0.144687559411]), ((3,),
        [0.841257697707, 0.890452921583, 0.813327359049]),),
    'batch_norm:eval': (((4, 3, 2), [1.79597918592, 1.91914694587, 0.5489299996, -1.13779725473,
        -1.03934362775, -0.264255095248, 1.46096930032, 2.06453142339, 1.05799455209,
        -0.738092203385, -1.08618589673, -0.557584297224, 1.03092263881, 2.0667997123,
        1.50539033577, -0.256980679599, -1.04216472789, -0.802158161742, 0.540096471913,
        1.92577112201, 1.85547805902, 0.267212248465, -0.910786822289, -0.978494074972]), ((3,),
        [0.0841470984808, 0.0909297426826, 0.014112000806]), ((3,), [1.02832293673,
        1.03307287242, 1.00079659427]),),
    'instance_norm:stats': (((2, 3, 4), [1.94934648474, 2.13525349048, 0.0297388924344,
        -2.43139689803, -2.17886683801, -0.492134962886, 1.83227837733, 2.65731827722,
        1.91065303288, -0.211044639386, -1.22285146425, -0.194516913122, 0.329832256779,
        2.57242885062, 1.23451608198, -2.45383521976, -1.58450847366, -1.04751742695,
        1.25159185436, 3.19902889991, 1.78377622781, 0.427029674926, -0.916658435385,
        -1.01190745123]), ((3,), [0.036353060505, -0.00301946507226, -0.0324057523392]), ((3,),
        [0.944717296996, 0.976752821402, 0.951342295835]),),
    'rms_norm:weight': (((2, 4), [2.12467791008, 2.38050241434, 0.22080504384, -0.252365943423,
        -2.27585528232, -0.687574130182, 0.966236147514, 0.310104552734]),),
    'embedding:padding2': (((2, 2, 3), [0.841470984808, 0.909297426826, 0.14112000806,
        0.656986598719, 0.989358246623, 0.412118485242, 0.656986598719, 0.989358246623,
        0.412118485242, -0.544021110889, -0.999990206551, -0.536572918]), ((4, 3),
        [0.841470984808, 0.909297426826, 0.14112000806, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        -0.544021110889, -0.999990206551, -0.536572918]),),
    'embedding:none': (((2, 2, 3), [0.841470984808, 0.909297426826, 0.14112000806,
        0.656986598719, 0.989358246623, 0.412118485242, 0.656986598719, 0.989358246623,
        0.412118485242, -0.544021110889, -0.999990206551, -0.536572918]), ((4, 3),
        [0.841470984808, 0.909297426826, 0.14112000806, 0.0, 0.0, 0.0, -0.0998158965891,
        0.0304339719602, 0.132702987043, -0.544021110889, -0.999990206551, -0.536572918]),),
    'cosine_similarity:dim0': (((2,), [-0.774542136505, -0.776477182342]),),
    'pairwise_distance:p1keep': (((3, 1), [0.7946092745, 0.865405385461, 0.747808816205]),),
    'pdist:p2': (((6,), [2.49430963499, 0.337467625428, 2.45443177054, 2.50456056732,
        0.336291936977, 2.50996855862]),),
    'kl_div:r0': (((2, 3), [0.0323240459566, 0.0393369996754, -0.0711500571643, 0.0985453428261,
        0.335267301984, -0.169516335698]),),
    'kl_div:r1': (((), [0.0441345495967]),),
    'kl_div:r2': (((), [0.26480729758]),),
    'kl_div:log_target_broadcast': (((), [2.96341511282]),),
    'binary_cross_entropy_with_logits:r0': (((2, 3), [0.469472760178, 0.399757824831,
        0.115090876416, -1.84284731957, -3.61317458636, -0.181141010283]),),
    'binary_cross_entropy_with_logits:r1': (((), [-0.775473575798]),),
    'binary_cross_entropy_with_logits:r2': (((), [-4.65284145479]),),
    'hinge_embedding_loss:r0': (((5,), [1.68294196962, 0.0, 1.21775998388, -1.51360499062,
        3.41784854933]),),
    'margin_ranking_loss:r2': (((), [1.56394614024]),),
    'cosine_embedding_loss:default': (((3,), [0.488969859787, 0.0589165088272, 0.0]),),
    'cosine_embedding_loss:r1': (((), [0.182628789538]),),
    'kl_div:default': (((2, 3), [-0.840255485846, -0.90906040076, -0.080802724029,
        0.114261662221, 0.804628676198, -0.177280035549]),),
    'ctc_loss:default': (((2,), [1.58225521018, 2.19445778049]),),
    'triplet_margin_loss:default': (((3,), [0.385063275973, 0.0, 0.0]),),
    'triplet_margin_loss:swap_r0': (((3,), [0.667081575137, 0.276011963844, 0.0]),),
    'poisson_nll_loss:log_r1': (((), [1.26820972465]),),
    'poisson_nll_loss:full_r0': (((2, 3), [2.47235189819, 2.59900425733, 0.970120135799,
        2.30961073921, 2.68988248934, 1.34822615759]),),
    'ctc_loss:r1': (((), [1.49279269279]),),
    'ctc_loss:r0': (((2,), [1.58225521018, 2.19445778049]),),
    'pixel_shuffle:2': (((1, 1, 4, 4), [0.841470984808, -0.958924274663, 0.909297426826,
        -0.279415498199, 0.412118485242, 0.420167036827, -0.544021110889, 0.990607355695,
        0.14112000806, 0.656986598719, -0.756802495308, 0.989358246623, -0.999990206551,
        0.650287840157, -0.536572918, -0.287903316665]),),
    'pixel_unshuffle:2': (((1, 4, 2, 1), [0.841470984808, -0.958924274663, 0.909297426826,
        -0.279415498199, 0.14112000806, 0.656986598719, -0.756802495308, 0.989358246623]),),
    'channel_shuffle:2': (((1, 4, 2), [0.841470984808, 0.909297426826, -0.958924274663,
        -0.279415498199, 0.14112000806, -0.756802495308, 0.656986598719, 0.989358246623]),),
    'prelu:channels': (((2, 3, 2), [0.841470984808, 0.909297426826, 0.14112000806,
        -0.151360499062, -0.287677282399, -0.0838246494597, 0.656986598719, 0.989358246623,
        0.412118485242, -0.108804222178, -0.299997061965, -0.1609718754]),),
    'rrelu:eval': (((2, 3), [0.841470984808, 0.909297426826, 0.14112000806, -0.151360499062,
        -0.191784854933, -0.0558830996398]),),
    'rrelu_:eval': (((2, 3, 2), [1.68294196962, 1.81859485365, 0.28224001612, -0.346867810349,
        -0.439506959221, -0.128065436675, 1.31397319744, 1.97871649325, 0.824236970484,
        -0.249343009158, -0.458328844669, -0.245929254084]),),
    'hardshrink:0.6': (((2, 3), [0.841470984808, 0.909297426826, 0.0, -0.756802495308,
        -0.958924274663, 0.0]),),
    'relu_:': (((2, 3, 2), [1.68294196962, 1.81859485365, 0.28224001612, 0.0, 0.0, 0.0,
        1.31397319744, 1.97871649325, 0.824236970484, 0.0, 0.0, 0.0]),),
    'selu_:': (((2, 3, 2), [1.76826878914, 1.91079940833, 0.296549863608, -1.37111524588,
        -1.49979460485, -0.752682412917, 1.38059293591, 2.07903937315, 0.866026598702,
        -1.16583896471, -1.52016180818, -1.15695038618]),),
    'celu_:alpha': (((2, 3, 2), [1.68294196962, 1.81859485365, 0.28224001612, -0.619457298975,
        -0.654790976894, -0.384944019097, 1.31397319744, 1.97871649325, 0.824236970484,
        -0.552070722632, -0.65979604157, -0.548888971449]),),
    'threshold_:': (((2, 3, 2), [1.68294196962, 1.81859485365, -3.0, -3.0, -3.0, -3.0,
        1.31397319744, 1.97871649325, 0.824236970484, -3.0, -3.0, -3.0]),),
    'bilinear:bias': (((2, 4), [1.46555225323, 1.80941963466, 1.24557993626, 0.464014508567,
        0.682806886659, 0.88117773636, 0.245784723699, -0.527690904808]),),
    'conv3d:stride_pad': (((1, 2, 2, 2, 2), [0.477260791578, 0.394959501869, 0.254445066035,
        1.74232125641, 0.422838032712, 0.690267516514, -0.258212293233, 2.75011471703,
        -0.506316618161, -0.786977594645, -0.148650937179, -2.06900915002, -0.354727548554,
        -1.24948718453, 0.48540174044, -3.13421100668]),),
    'conv_transpose3d:stride': (((1, 1, 5, 5, 5), [0.438957532076, 0.270473122538,
        0.270473122538, 0.561390389763, 0.0, -0.146683028511, -0.42897947961, 0.336167921624,
        -0.198125783338, 0.0, -0.146683028511, 0.336167921624, -0.42897947961, -0.198125783338,
        0.0, 0.509947634936, 0.214883844432, 0.214883844432, 0.430330256618, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, -0.316874175496, 0.0865637842291, -0.550263556803, -0.396491553814, 0.0,
        0.410415399943, 0.356932989677, 0.121812955237, 0.528123195012, 0.0, -0.277743161656,
        -0.515014385795, 0.250133015439, -0.160035366587, 0.0, -0.278783758745, 0.213759370418,
        -0.423067970614, -0.297133833537, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.316874175496,
        -0.550263556803, 0.0865637842291, -0.396491553814, 0.0, -0.277743161656, 0.250133015439,
        -0.515014385795, -0.160035366587, 0.0, 0.410415399943, 0.121812955237, 0.356932989677,
        0.528123195012, 0.0, -0.278783758745, -0.423067970614, 0.213759370418, -0.297133833537,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.548038051687, 0.342079430621, 0.342079430621,
        0.529687976895, 0.0, -0.178385441378, -0.534843561241, 0.230303839994, -0.280820585297,
        0.0, -0.178385441378, 0.230303839994, -0.534843561241, -0.280820585297, 0.0,
        0.427252832976, 0.231387541698, 0.231387541698, 0.530859029954, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),),
    'max_pool1d:default_stride': (((1, 2, 3), [0.909297426826, 0.14112000806, -0.279415498199,
        0.989358246623, -0.544021110889, 0.420167036827]),),
    'max_pool1d:pad_dil_ceil': (((1, 2, 4), [0.909297426826, 0.909297426826, -0.279415498199,
        -0.279415498199, 0.412118485242, 0.412118485242, 0.420167036827, 0.420167036827]),),
    'max_pool3d:2': (((1, 1, 2, 2, 2), [0.909297426826, 0.989358246623, 0.990607355695,
        0.956375928405, 0.999911860107, 0.98662759204, 0.992872648085, 0.920026038197]),),
    'avg_pool1d:pad': (((2, 4), [0.875384205817, 0.0978716465259, -0.665047422723,
        0.18878555026, 0.700738365933, -0.377297610733, -0.372132029241, 0.705387196261]),),
    'adaptive_avg_pool1d:3': (((1, 2, 3), [0.630629473231, -0.524868920637, -0.193784391381,
        0.285818540325, -0.69352807848, 0.291400491507]),),
    'adaptive_max_pool1d:3': (((1, 2, 3), [0.909297426826, 0.14112000806, 0.656986598719,
        0.989358246623, -0.536572918, 0.990607355695]), ((1, 2, 3), [1, 2, 6, 0, 4, 6]),),
    'max_pool1d_with_indices:3': (((1, 2, 3), [0.909297426826, 0.14112000806, 0.656986598719,
        0.989358246623, -0.536572918, 0.990607355695]), ((1, 2, 3), [1, 2, 6, 0, 4, 6]),),
}


def _arrays(out: Any) -> list[np.ndarray]:
    """A case's output(s) as NumPy arrays (a pair's two arrays, a single tensor's one)."""
    outs = out if isinstance(out, tuple | list) else (out,)
    return [np.asarray(o.detach().numpy()) for o in outs]


def test_every_name_has_a_case_and_torch_values() -> None:
    assert {k.split(":")[0] for k in CASES} == set(torch_namespace.__all__)
    assert set(TORCH) == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch(case: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. F.kl_div's 'mean' warning is not torch.kl_div's
        got = _arrays(CASES[case](ag))
    want = TORCH[case]
    assert len(got) == len(want)
    for g, (shape, values) in zip(got, want, strict=True):
        assert g.shape == shape
        w = np.asarray(values).reshape(shape)
        if w.dtype.kind == "i":
            assert g.dtype.kind == "i"
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


def test_present_on_autograd_after_a_bare_import_of_nn() -> None:
    code = ("import sys\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            "import autograd, nn\n"
            "bound = dict(vars(autograd))  # before this script names nn.torch_namespace\n"
            "from nn.torch_namespace import __all__ as names\n"
            "print(' '.join(n for n in names if not callable(bound.get(n))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"missing on autograd: {out.stdout}"


def test_an_existing_attribute_is_not_overwritten() -> None:
    mine = object()
    fake = types.ModuleType("fake_autograd")
    fake.dropout = mine
    bound = torch_namespace.install(fake)
    assert fake.dropout is mine and "dropout" not in bound
    assert fake.layer_norm is torch_namespace.layer_norm and "layer_norm" in bound
    assert set(bound) == set(torch_namespace.__all__) - {"dropout"}
    # and on autograd itself: its own names stay, a second install binds nothing
    relu = ag.relu
    assert torch_namespace.install() == [] and ag.relu is relu


def test_dropout_train_draws_as_f_dropout() -> None:
    x = ag.tensor(_a(40, 30) + 2.0)  # no zero entries: a zero in the output is a drop
    ag.manual_seed(7)
    want = F.dropout(x, 0.5, True).numpy()
    ag.manual_seed(7)
    got = ag.dropout(x, 0.5, True).numpy()
    np.testing.assert_array_equal(got, want)
    kept = got != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(got[kept], 2.0 * x.numpy()[kept])  # scaled by 1/(1 − p)
    ag.manual_seed(7)
    y = x.clone()
    assert ag.dropout_(y, 0.5, True) is y
    np.testing.assert_array_equal(y.numpy(), want)


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_dropout",
                                  "feature_alpha_dropout"])
def test_dropout_identity_when_off(name: str) -> None:
    x = ag.tensor(_a(3, 4, 2))
    assert getattr(ag, name)(x, 0.5, False) is x  # torch hands back the input itself
    assert getattr(ag, name)(x, 0.0, True) is x
    y = x.clone()
    assert getattr(ag, name + "_")(y, 0.5, False) is y
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    with pytest.raises(RuntimeError, match="between 0 and 1, but got 1.5"):
        getattr(ag, name)(x, 1.5, False)  # ATen checks p even when not training


def test_feature_dropouts_draw_per_channel() -> None:
    x = ag.tensor(_a(30, 20, 3) + 2.0)
    ag.manual_seed(3)
    want = F.dropout3d(x.reshape(30, 20, 3, 1, 1), 0.5, True).reshape(30, 20, 3).numpy()
    ag.manual_seed(3)
    got = ag.feature_dropout(x, 0.5, True).numpy()
    np.testing.assert_array_equal(got, want)  # one draw per (n, c): F's channel dropout
    assert ((got == 0).all(-1) | (got != 0).all(-1)).all()
    ag.manual_seed(3)
    want = F.feature_alpha_dropout(x, 0.5, True).numpy()
    ag.manual_seed(3)
    y = x.clone()
    assert ag.feature_alpha_dropout_(y, 0.5, True) is y
    np.testing.assert_array_equal(y.numpy(), want)


def test_in_place_activations_return_their_input() -> None:
    for name, args in (("relu_", ()), ("selu_", ()), ("celu_", (0.5,)),
                       ("threshold_", (0.1, 2.0)), ("rrelu_", (0.1, 0.3, True))):
        x = ag.tensor(_a(2, 3))
        assert getattr(ag, name)(x, *args) is x, name


def test_rrelu_training_draws_from_the_given_generator() -> None:
    x = ag.tensor(_a(50, 40))
    outs = [ag.rrelu(x, 0.1, 0.3, True, ag.Generator().manual_seed(5)).numpy()
            for _ in range(2)]
    np.testing.assert_array_equal(outs[0], outs[1])
    neg = x.numpy() < 0
    slope = outs[0][neg] / x.numpy()[neg]
    assert (slope >= 0.1).all() and (slope <= 0.3).all() and slope.std() > 0.03
    np.testing.assert_array_equal(outs[0][~neg], x.numpy()[~neg])


def test_gradients() -> None:
    def leaf(*shape: int, scale: float = 1.0) -> ag.Tensor:
        return ag.tensor(_a(*shape, scale=scale), requires_grad=True)

    # batch_norm in ATen's order, kl_div's elementwise mean, a margin loss summed

    target = ag.tensor(np.abs(_a(2, 3, scale=.5)))
    assert ag.gradcheck(lambda x: ag.kl_div(x, target, 1), (leaf(2, 3),))
    assert ag.gradcheck(
        lambda x, w, b: ag.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        (leaf(4, 3, 2), leaf(3), leaf(3, scale=.5)))
    y = ag.tensor([1.0, -1.0, 1.0])
    assert ag.gradcheck(lambda a, b: ag.cosine_embedding_loss(a, b, y, 0.1, 2),
                        (leaf(3, 4), ag.tensor(_a(3, 4) ** 2, requires_grad=True)))


def _reference_sdpa(torch: Any, query: Any, key: Any, value: Any, dropout_p: float,
                    is_causal: bool) -> Any:
    # the reference implementation in torch's scaled_dot_product_attention documentation,
    # as written there (torch.dropout, masked_fill_ on a bool mask's logical_not)
    L, S = query.size(-2), key.size(-2)
    scale_factor = 1 / np.sqrt(query.size(-1))
    attn_bias = torch.zeros(L, S, dtype=query.dtype)
    if is_causal:
        temp_mask = torch.ones(L, S, dtype=torch.bool).tril(diagonal=0)
        attn_bias.masked_fill_(temp_mask.logical_not(), float("-inf"))
    attn_weight = query @ key.transpose(-2, -1) * scale_factor
    attn_weight += attn_bias
    attn_weight = torch.softmax(attn_weight, dim=-1)
    attn_weight = torch.dropout(attn_weight, dropout_p, train=True)
    return attn_weight @ value


@pytest.mark.parametrize("is_causal", [False, True])
def test_torchs_reference_attention_runs_and_matches_the_fused_one(is_causal: bool) -> None:
    q, k, v = (ag.tensor(_a(2, 3, 5, 4, scale=s)) for s in (1.0, 0.7, 1.3))
    got = _reference_sdpa(ag, q, k, v, 0.0, is_causal)
    want = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    ag.manual_seed(0)
    dropped = _reference_sdpa(ag, q, k, v, 0.5, is_causal)
    assert dropped.shape == want.shape and not np.allclose(dropped.numpy(), want.numpy())
