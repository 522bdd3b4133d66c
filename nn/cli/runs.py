"""A training run's folder: creating it, loading its data, writing its files.

A run folder holds ``model.npz`` (the state_dict, ``nn.load``-able), ``metrics.json``
(settings, per-epoch figures, final figures, environment; non-finite numbers such as a
diverged loss are written as ``null``, so the file is always valid JSON), ``curves.png``
and ``graph.svg`` (``graph.dot`` without Graphviz).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import pathlib
import platform
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import nn
from nn.cli import render
from nn.cli.common import CLIError, version

__all__ = ["RUN_FILES", "finite_json", "load_data", "prepare_out", "remove_if_empty",
           "save_run"]

RUN_FILES = ("model.npz", "checkpoint.npz", "metrics.json", "curves.png", "graph.svg",
             "graph.dot")


def prepare_out(out: str | None, overwrite: bool = False) -> tuple[pathlib.Path, list]:
    """Create the output folder now, so that an unwritable one fails before training.

    Returns the folder and the folders this call created (innermost last), for
    :func:`remove_if_empty` after a failed run. A folder that already holds files is
    refused unless ``overwrite``.
    """
    if out is None:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = pathlib.Path("runs") / stamp
        n = 1
        while path.exists():  # two runs in the same second must not mix their files
            n += 1
            path = pathlib.Path("runs") / f"{stamp}-{n}"
    else:
        path = pathlib.Path(out).expanduser()
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise CLIError(f"--out {str(path)!r} already exists and is not empty; pass "
                       "--overwrite to replace its run, or --resume to continue it")
    created = [p for p in (path, *path.parents) if not p.exists()][::-1]
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".chainrule-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        remove_if_empty(created)
        raise CLIError(f"cannot write to --out {str(path)!r}: {exc.strerror or exc}") from None
    return path, created


def remove_if_empty(created: list) -> None:
    """Remove the folders in ``created`` (innermost last) that are empty: a failed run leaves
    no empty run folder behind."""
    for folder in reversed(created):
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            return


def load_data(model: str, data: str, data_dir: str | None, no_download: bool) -> Any:
    """The dataset split for ``--data`` (images for the CNN); CLIError if it cannot load."""
    from nn import datasets

    as_images = model == "cnn"
    try:
        if data == "mnist":
            return datasets.load_mnist(as_images=as_images, data_dir=data_dir,
                                       download=not no_download)
        return datasets.load_dataset(data, as_images=as_images, data_dir=data_dir)
    except datasets.DatasetError as exc:
        raise CLIError(f"cannot load {data}: {exc}") from None


def finite_json(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, ±inf) replaced by None, for strict JSON."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def save_run(out: pathlib.Path, model: Any, history: Any, settings: dict[str, Any],
             final: dict[str, Any], split: Any, plot_history: Callable[..., None],
             extra: Callable[[], list[str]] | None = None) -> list[str]:
    """Write model.npz, metrics.json, curves.png and the graph (and what ``extra`` writes);
    return the names written."""
    written = []
    try:
        nn.save(model, out / "model.npz")
        written.append("model.npz")
        if extra is not None:
            written += extra()
        metrics = {
            "settings": settings,
            **history.to_dict(),
            "final": final,
            "environment": {"chainrule": version(), "python": platform.python_version(),
                            "numpy": np.__version__, "platform": platform.platform()},
        }
        text = json.dumps(finite_json(metrics), indent=2, allow_nan=False)
        (out / "metrics.json").write_text(text + "\n")
        written.append("metrics.json")
        try:
            plot_history(history, out / "curves.png",
                         title=f"{settings['model_description']} on {settings['data']}")
            written.append("curves.png")
        except ImportError as exc:
            print(f"note: curves.png not written: {exc}", file=sys.stderr)

        n = min(settings["batch_size"], len(split.x_train))
        graph = render.backward_graph(model, split.x_train[:n], split.y_train[:n])
        name = "graph.svg" if render.dot_available() else "graph.dot"
        render.render(graph, out / name)
        written.append(name)
        stale = out / ("graph.dot" if name == "graph.svg" else "graph.svg")
        stale.unlink(missing_ok=True)  # from an overwritten or resumed run
        if name == "graph.dot":
            print("note: Graphviz's 'dot' program is not installed, so the backward graph is "
                  f"saved as DOT text in {out / 'graph.dot'}; install Graphviz and run "
                  f"'dot -Tsvg {out / 'graph.dot'} -o graph.svg' to draw it", file=sys.stderr)
    except OSError as exc:
        raise CLIError(f"cannot write to {str(out)!r}: {exc.strerror or exc}") from None
    return written
