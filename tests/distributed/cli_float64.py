"""``chainrule train`` with a float64 model and data (started by test_cli_mpi.py, on one
process or under ``mpiexec``): the CLI trains in float32, which hides a wrong split of
the batch behind rounding; in float64 two ranks must give the one-process figures to
1e-10. Usage: ``python cli_float64.py TRAIN-ARGS...``."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from nn.cli import main, recipes, runs

_build_model, _load_data = recipes.build_model, runs.load_data


def build_model_float64(*args, **kwargs):  # type: ignore[no-untyped-def]
    model, description = _build_model(*args, **kwargs)
    return model.double(), description


def load_data_float64(*args, **kwargs):  # type: ignore[no-untyped-def]
    split = _load_data(*args, **kwargs)
    return dataclasses.replace(split, x_train=split.x_train.astype(np.float64),
                               x_test=split.x_test.astype(np.float64))


if __name__ == "__main__":
    recipes.build_model = build_model_float64
    runs.load_data = load_data_float64
    sys.exit(main(["train", *sys.argv[1:]]))
