"""``chainrule train`` with a float64 model and data (started by test_cli_mpi.py, on one
process or under ``mpiexec``): the CLI trains in float32, which hides a wrong split of
the batch behind rounding; in float64 two ranks must give the one-process figures to
1e-10. Usage: ``python cli_float64.py [--bn-model] TRAIN-ARGS...``; ``--bn-model``
trains a small MLP with BatchNorm1d instead of ``--model``'s network."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

import nn
from nn.cli import main, recipes, runs

_build_model, _load_data = recipes.build_model, runs.load_data


def build_model_float64(*args, **kwargs):  # type: ignore[no-untyped-def]
    model, description = _build_model(*args, **kwargs)
    if BN_MODEL:
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
                              nn.Linear(32, 10))
        description = "MLP [64, 32, 10] with BatchNorm1d"
    return model.double(), description


def load_data_float64(*args, **kwargs):  # type: ignore[no-untyped-def]
    split = _load_data(*args, **kwargs)
    return dataclasses.replace(split, x_train=split.x_train.astype(np.float64),
                               x_test=split.x_test.astype(np.float64))


BN_MODEL = "--bn-model" in sys.argv

if __name__ == "__main__":
    recipes.build_model = build_model_float64
    runs.load_data = load_data_float64
    sys.exit(main(["train", *(a for a in sys.argv[1:] if a != "--bn-model")]))
