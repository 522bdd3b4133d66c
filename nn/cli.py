"""The ``chainrule`` command: train, draw and check real models on real data.

Four subcommands (``chainrule --help`` and ``chainrule CMD --help`` list their options):

* ``chainrule train``: train an MLP or a CNN on digits, MNIST-1D or MNIST and write the model,
  the metrics, the learning curves and the backward graph of one batch to ``--out``; also
  the MNIST-1D paper's GRU (``--model gru --data mnist1d``) and a small transformer
  (``--model transformer --data addition|names``, see ``nn.seq_cli``).
* ``chainrule sample RUN_DIR``: what a trained transformer writes (new names, or sums).
* ``chainrule graph``: draw one forward and backward pass of a freshly initialised model.
* ``chainrule gradcheck``: gradcheck and gradgradcheck every registered op and layer.

Also runnable as ``python -m nn.cli``. :func:`main` takes an argv list and returns the exit
status, so tests and notebooks can call it in-process. Every error a user can cause (a bad
option, missing data, an unwritable output directory) ends with a one-line message on stderr
and a non-zero status, never a traceback; Ctrl-C saves what was trained and exits with 130.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import pathlib
import platform
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

import autograd as ag
import nn
import optim
from nn import seq_cli

__all__ = ["DEFAULTS", "build_model", "build_optimizer", "main", "max_gradcheck_error"]

PROG = "chainrule"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C

MODELS = ("mlp", "cnn", "gru", "transformer")
DATASETS = ("digits", "mnist1d", "mnist", "addition", "names")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")


@dataclass(frozen=True)
class Recipe:
    """Training settings used for a (dataset, model) pair when the options leave them out."""

    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    weight_decay: float | None = None  # None: the optimizer's default (DEFAULT_WEIGHT_DECAY)
    lr_decay: float = 0.0


# Measured on 2 CPU cores, final test accuracy over seeds 0-4 (the README has the commands):
# digits: a few seconds of Adam; MLP 0.967-0.983, CNN 0.975-0.981.
# mnist1d: the paper's budget (batch 100, 6,000 steps = 150 epochs of 4,000 examples, lr
# 1e-2); it reports ~68% (MLP) and ~94% (CNN) with Adam. Plain Adam gave us 0.660-0.669 and
# 0.926-0.946 (seeds 0-2); AdamW's decoupled weight decay 0.05, same budget, gives MLP
# 0.649-0.691 (mean 0.679) and CNN 0.935-0.966 (mean 0.945). Decaying the lr (--lr-decay)
# made both worse: these small nets generalise better at a high constant lr.
# mnist: not measured here (no files); the usual small-budget settings.
DEFAULTS: dict[tuple[str, str], Recipe] = {
    ("digits", "mlp"): Recipe(epochs=20, batch_size=32, optimizer="adam", lr=3e-3),
    ("digits", "cnn"): Recipe(epochs=20, batch_size=32, optimizer="adam", lr=3e-3),
    ("mnist1d", "mlp"): Recipe(epochs=150, batch_size=100, optimizer="adamw", lr=1e-2,
                               weight_decay=0.05),
    ("mnist1d", "cnn"): Recipe(epochs=150, batch_size=100, optimizer="adamw", lr=1e-2,
                               weight_decay=0.05),
    ("mnist", "mlp"): Recipe(epochs=5, batch_size=128, optimizer="adam", lr=1e-3),
    ("mnist", "cnn"): Recipe(epochs=3, batch_size=128, optimizer="adam", lr=1e-3),
    # the MNIST-1D paper's GRU row: Adam 1e-2, batch 100, 6,000 steps (see nn/seq_models.py)
    ("mnist1d", "gru"): Recipe(epochs=150, batch_size=100, optimizer="adam", lr=1e-2,
                               weight_decay=0.0),
}
DEFAULTS.update(seq_cli.text_defaults(Recipe))  # the transformer on addition and names

# Used when --optimizer differs from the recipe's and --lr is not given.
DEFAULT_LR: dict[str, float] = {
    "sgd": 0.1, "momentum": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3,
}
# torch's defaults: only AdamW decays by default.
DEFAULT_WEIGHT_DECAY: dict[str, float] = {"adamw": 1e-2}


class CLIError(Exception):
    """A failure to report as one line on stderr, with exit status ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------------------------------
# models and optimizers


class MNIST1DMLP(nn.Module):
    """The MNIST-1D paper's MLP: ``h = relu(W1 x)``, ``h = h + relu(W2 h)``, logits ``W3 h``.

    The residual connection around the second layer is part of the paper's model (its
    ``MLPBase``), so it is kept here to compare with the paper's ~68%.
    """

    def __init__(self, in_features: int = 40, num_classes: int = 10, hidden: int = 100) -> None:
        super().__init__()
        self.linear1 = nn.Linear(in_features, hidden)
        self.linear2 = nn.Linear(hidden, hidden)
        self.linear3 = nn.Linear(hidden, num_classes)

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


IMAGE_SHAPES: dict[str, tuple[int, int, int]] = {
    "digits": (1, 8, 8), "mnist1d": (1, 1, 40), "mnist": (1, 28, 28),
}


def build_model(model: str, data: str, image_shape: Sequence[int] | None = None,
                num_classes: int = 10) -> tuple[Any, str]:
    """The network ``chainrule train --model MODEL --data DATA`` trains, freshly initialised.

    Args:
        model: ``"mlp"`` (takes flat vectors) or ``"cnn"`` (takes ``(N, C, H, W)`` images).
        data: ``"digits"``, ``"mnist1d"`` or ``"mnist"``; picks the sizes.
        image_shape: ``(C, H, W)`` of one example (``Split.image_shape``); by default the
            dataset's own.
        num_classes: number of logits.

    Returns:
        ``(module, description)``. To reload a run's ``model.npz``, rebuild the architecture
        from its ``metrics.json`` settings: ``build_model(s["model"], s["data"])[0]``, then
        ``.load_state_dict(nn.load(path))``.
    """
    c, h, w = (int(s) for s in (image_shape or IMAGE_SHAPES[data]))
    if model == "gru":
        from nn.seq_models import MNIST1DGRU

        return MNIST1DGRU(c * h * w, num_classes), (
            f"bidirectional GRU(1, 6) over {c * h * w} steps + linear {12 * c * h * w}"
            f"->{num_classes} (MNIST-1D paper)")
    if model == "mlp":
        if data == "mnist1d":
            return MNIST1DMLP(c * h * w, num_classes), (
                f"MLP [{c * h * w}, 100, 100, {num_classes}] relu, residual (MNIST-1D paper)")
        hidden = [128, 64] if data == "digits" else [256, 128]
        sizes = [c * h * w, *hidden, num_classes]
        return nn.MLP(sizes), f"MLP {sizes} tanh"
    if model == "cnn":
        if h == 1:
            # 1-D signals stored as (N, C, 1, L) images: the MNIST-1D paper's CNN (three
            # convolutions of 25 channels, kernels 5/3/3, stride 2, padding 1, ReLU, then one
            # linear layer), written with kernels of height 1.
            channels = 25
            length = w
            layers: list[Any] = []
            in_ch = c
            for k in (5, 3, 3):
                layers += [nn.Conv2d(in_ch, channels, (1, k), stride=(1, 2), padding=(0, 1)),
                           nn.ReLU()]
                in_ch = channels
                length = (length + 2 - k) // 2 + 1
            layers += [nn.Flatten(), nn.Linear(channels * length, num_classes)]
            return nn.Sequential(*layers), (
                f"CNN 3x conv(1xk, {channels} ch, stride 2) + linear {channels * length}"
                f"->{num_classes} (MNIST-1D paper)"
            )
        if h != w or h % 4:
            raise CLIError(f"the CNN needs square images with a side divisible by 4, got {h}x{w}")
        return (nn.SimpleCNN(in_channels=c, num_classes=num_classes, image_size=h),
                f"SimpleCNN(in_channels={c}, image_size={h})")
    raise CLIError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def build_optimizer(name: str, params: Any, lr: float, weight_decay: float) -> Any:
    """The optimizer behind ``--optimizer NAME`` (``momentum`` is SGD with momentum 0.9)."""
    params = list(params)
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=weight_decay)
    raise CLIError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def _num_params(model: Any) -> int:
    return sum(int(p.numel()) for p in model.parameters())


# ------------------------------------------------------------------------------------------
# graphs


def _backward_graph(model: Any, x: np.ndarray, y: np.ndarray) -> Any:
    """Run one forward and backward on ``(x, y)``; return the drawing of the loss's graph."""
    # Only the grads of this one batch may show: stale ones would mislabel the drawing.
    model.zero_grad()
    loss = nn.CrossEntropyLoss()(model(ag.tensor(x)), ag.tensor(y))
    loss.backward()
    graph = ag.draw_graph(loss, params=dict(model.named_parameters()))
    model.zero_grad()
    return graph


def _dot_available() -> bool:
    return shutil.which("dot") is not None


def _check_format(path: pathlib.Path) -> str:
    """The output format named by ``path``'s suffix; a CLIError if unknown or not drawable."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt in ("dot", "gv"):
        return "dot"
    if fmt not in ("svg", "png", "pdf"):
        raise CLIError(f"cannot tell the format from {path.name!r}: use a .svg, .png or .dot file")
    if not _dot_available():
        raise CLIError(
            f"writing {path.name} needs Graphviz's 'dot' program, which is not on PATH: "
            "install Graphviz (e.g. apt install graphviz, brew install graphviz) or write a "
            ".dot file instead"
        )
    return fmt


def _render(graph: Any, path: pathlib.Path) -> None:
    """Write ``graph`` to ``path`` in the format its suffix names (.svg, .png or .dot)."""
    fmt = _check_format(path)
    if fmt == "dot":
        path.write_text(graph.source)
    else:
        path.write_bytes(graph.pipe(format=fmt))


# ------------------------------------------------------------------------------------------
# argument parsing


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``chainrule train: error: ... (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _float(minimum: float, strict: bool) -> Callable[[str], float]:
    what = "a positive number" if strict else "a number >= 0"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not np.isfinite(value) or value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


def _defaults_table() -> str:
    lines = ["defaults per --data/--model (used for options left out):"]
    for (data, model), r in DEFAULTS.items():
        extra = f", weight decay {r.weight_decay:g}" if r.weight_decay else ""
        extra += f", lr-decay {r.lr_decay:g}" if r.lr_decay else ""
        lines.append(f"  {data:8} {model:4} {r.epochs:4} epochs, batch {r.batch_size:4}, "
                     f"{r.optimizer} lr {r.lr:g}{extra}")
    return "\n".join(lines)


def make_parser() -> argparse.ArgumentParser:
    """The full ``chainrule`` argument parser (subcommands train, graph, gradcheck)."""
    parser = _Parser(
        prog=PROG,
        description="Train, draw and check neural networks built with chainrule's autograd.",
        epilog="Start with: chainrule train   (an MLP on 8x8 digits, well under a minute)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = sub.add_parser(
        "train", help="train a model; save it with metrics, curves and graph",
        description="Train a classifier and write model.npz, metrics.json, curves.png and "
                    "graph.svg (graph.dot without Graphviz) to --out. Ctrl-C stops after "
                    "saving what was trained so far (exit status 130).",
        epilog=_defaults_table(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--model", choices=MODELS, default="mlp",
                       help="network: mlp (nn.MLP) or cnn (nn.SimpleCNN; a 1-D conv stack "
                            "for mnist1d) (default: mlp)")
    train.add_argument("--data", choices=DATASETS, default="digits",
                       help="dataset: digits (bundled, 8x8), mnist1d (generated locally) or "
                            "mnist (IDX files) (default: digits)")
    train.add_argument("--data-dir", metavar="DIR",
                       help="where the mnist IDX files (or the mnist1d cache) are; default "
                            "$CHAINRULE_DATA/<data> or ~/.cache/chainrule/<data>")
    train.add_argument("--no-download", action="store_true",
                       help="for mnist: fail with instructions instead of downloading "
                            "missing files")
    train.add_argument("--epochs", type=_positive_int, help="passes over the training set")
    train.add_argument("--batch-size", type=_positive_int, help="examples per step")
    train.add_argument("--optimizer", choices=OPTIMIZERS,
                       help="sgd, momentum (SGD, momentum 0.9), adam, adamw or rmsprop")
    train.add_argument("--lr", type=_float(0.0, strict=True), help="learning rate")
    train.add_argument("--weight-decay", type=_float(0.0, strict=False),
                       help="L2 penalty (decoupled for adamw) (default: 0; 0.01 for adamw)")
    train.add_argument("--lr-decay", type=_float(0.0, strict=False),
                       help="inverse time decay per epoch: lr = lr0 / (1 + decay * epoch)")
    train.add_argument("--seed", type=int, default=0,
                       help="seeds initialisation and shuffling (default: 0)")
    train.add_argument("--out", metavar="DIR",
                       help="output directory (default: runs/<timestamp>)")
    train.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar and no per-epoch lines; only the final table")
    train.add_argument("--threads", type=int, default=1, metavar="N",
                       help="BLAS threads (default: 1, fastest for these small matrices, "
                            "much faster on a busy machine; 0 keeps NumPy's default)")
    train.set_defaults(run=cmd_train)

    graph = sub.add_parser(
        "graph", help="draw a forward+backward pass with gradient sizes",
        description="Run one forward and backward pass of a freshly initialised model on a "
                    "small batch of digits and draw the graph with each gradient's norm. "
                    "The format follows the file's suffix: .svg and .png need Graphviz's "
                    "'dot' program, .dot is DOT text.",
    )
    graph.add_argument("--model", choices=("mlp", "cnn"), default="mlp",
                       help="the digits MLP or SimpleCNN of chainrule train (default: mlp)")
    graph.add_argument("-o", "--output", metavar="FILE", default="graph.svg",
                       help="output file, .svg, .png or .dot (default: graph.svg)")
    graph.add_argument("--batch-size", type=_positive_int, default=4,
                       help="examples in the batch (default: 4)")
    graph.add_argument("--seed", type=int, default=0, help="initialisation seed (default: 0)")
    graph.set_defaults(run=cmd_graph)

    check = sub.add_parser(
        "gradcheck", help="check every op and layer against finite differences",
        description="Run gradcheck and gradgradcheck over every registered op and layer case "
                    "and print a pass/fail table with the largest |analytic - numeric| "
                    "difference per row. The exit status is 1 when any case fails.",
    )
    check.add_argument("--filter", metavar="SUBSTR", default="",
                       help="only the cases whose name contains SUBSTR (e.g. tanh, conv)")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print only failing rows and the summary")
    check.set_defaults(run=cmd_gradcheck)
    seq_cli.add_sample_parser(sub)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("chainrule")
    except Exception:  # not installed: running from a checkout
        return "(not installed)"


# ------------------------------------------------------------------------------------------
# chainrule train


def _resolve(args: argparse.Namespace) -> dict[str, Any]:
    """Fill the options left out from the (data, model) recipe; return the settings."""
    recipe = DEFAULTS.get((args.data, args.model))
    if recipe is None:
        pairs = ", ".join(f"{m} on {d}" for d, m in DEFAULTS)
        raise CLIError(f"--model {args.model} cannot train on --data {args.data}; "
                       f"the pairs are: {pairs}", EXIT_USAGE)
    optimizer = args.optimizer or recipe.optimizer
    if args.lr is not None:
        lr = args.lr
    elif optimizer == recipe.optimizer:
        lr = recipe.lr
    else:
        lr = DEFAULT_LR[optimizer]
    if args.weight_decay is not None:
        weight_decay = args.weight_decay
    elif optimizer == recipe.optimizer and recipe.weight_decay is not None:
        weight_decay = recipe.weight_decay
    else:
        weight_decay = DEFAULT_WEIGHT_DECAY.get(optimizer, 0.0)
    return {
        "model": args.model,
        "data": args.data,
        "epochs": args.epochs or recipe.epochs,
        "batch_size": args.batch_size or recipe.batch_size,
        "optimizer": optimizer,
        "lr": lr,
        "weight_decay": weight_decay,
        "lr_decay": args.lr_decay if args.lr_decay is not None else recipe.lr_decay,
        "seed": args.seed,
    }


def _prepare_out(out: str | None) -> pathlib.Path:
    """Create the output directory now, so an unwritable one fails before training."""
    if out is None:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = pathlib.Path("runs") / stamp
        n = 1
        while path.exists():  # two runs in the same second must not mix their files
            n += 1
            path = pathlib.Path("runs") / f"{stamp}-{n}"
    else:
        path = pathlib.Path(out).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".chainrule-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CLIError(f"cannot write to --out {str(path)!r}: {exc.strerror or exc}") from None
    return path


def _load_data(settings: dict[str, Any], data_dir: str | None, no_download: bool) -> Any:
    from nn import datasets

    as_images = settings["model"] == "cnn"
    try:
        if settings["data"] == "mnist":
            return datasets.load_mnist(as_images=as_images, data_dir=data_dir,
                                       download=not no_download)
        return datasets.load_dataset(settings["data"], as_images=as_images, data_dir=data_dir)
    except datasets.DatasetError as exc:
        raise CLIError(f"cannot load {settings['data']}: {exc}") from None


def _final_table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:>{width}}  {v}" for k, v in rows)


def cmd_train(args: argparse.Namespace) -> int:
    """``chainrule train``: see the module docstring and ``chainrule train --help``."""
    from nn.data import DataLoader, TensorDataset
    from nn.training import evaluate, fit, plot_history

    settings = _resolve(args)
    if settings["data"] in seq_cli.TEXT_DATA:
        return seq_cli.train_text(args, settings)
    out = _prepare_out(args.out)
    split = _load_data(settings, args.data_dir, args.no_download)

    ag.manual_seed(settings["seed"])
    model, description = build_model(settings["model"], settings["data"], split.image_shape,
                                      split.num_classes)
    optimizer = build_optimizer(settings["optimizer"], model.parameters(), settings["lr"],
                                settings["weight_decay"])
    scheduler = None
    if settings["lr_decay"] > 0:
        from optim.lr_scheduler import InverseTimeDecay

        scheduler = InverseTimeDecay(optimizer, decay_rate=settings["lr_decay"])
    loader = DataLoader(TensorDataset(ag.tensor(split.x_train), ag.tensor(split.y_train)),
                        batch_size=settings["batch_size"], shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    n_params = _num_params(model)
    settings.update(out=str(out), data_dir=args.data_dir, model_description=description,
                    num_parameters=n_params, command=shlex.join([PROG, *args.argv]))

    say = (lambda _line: None) if args.quiet else print
    epochs = settings["epochs"]
    say(f"training {description} ({n_params:,} parameters) on {settings['data']} "
        f"({len(split.x_train):,} train / {len(split.x_test):,} test)")
    say(f"{settings['optimizer']} lr {settings['lr']:g}"
        + (f", weight decay {settings['weight_decay']:g}" if settings["weight_decay"] else "")
        + (f", lr decay {settings['lr_decay']:g}/epoch" if settings["lr_decay"] else "")
        + f", {epochs} epoch{'s' * (epochs != 1)} of batch {settings['batch_size']}"
        + f", seed {settings['seed']} -> {out}{os.sep}")

    start = time.perf_counter()
    history = fit(model, loss_fn, optimizer, loader, (split.x_test, split.y_test),
                  epochs, scheduler=scheduler,
                  progress=not args.quiet and sys.stderr.isatty(),
                  log=None if args.quiet else print)
    train_time = time.perf_counter() - start
    if history.interrupted:
        print(f"interrupted after {len(history)} of {settings['epochs']} epochs; "
              f"saving what was trained to {out}", file=sys.stderr)

    # The saved model is the one measured here, also after an interrupt mid-epoch.
    test_loss, test_acc = evaluate(model, split.x_test, split.y_test, loss_fn)
    written = _save_run(out, model, history, settings, test_loss, test_acc, train_time,
                        split, plot_history)
    if settings["model"] == "gru":
        n = min(settings["batch_size"], len(split.x_test))
        written += seq_cli.recurrent_extras(out, model, split.x_test[:n], split.y_test[:n])

    best = history.best()
    rows = [
        ("model", f"{description} ({n_params:,} parameters)"),
        ("data", f"{settings['data']} ({len(split.x_train):,} train / "
                 f"{len(split.x_test):,} test)"),
        ("epochs", f"{len(history)} of {settings['epochs']}"
                   + (" (interrupted)" if history.interrupted else "")),
        ("test accuracy", f"{test_acc:.4f}"
         + (f"  (best {best.test_acc:.4f} at epoch {best.epoch})" if best else "")),
        ("test loss", f"{test_loss:.4f}"),
        ("train time", f"{train_time:.1f} s"),
        ("saved", f"{out}{os.sep}  " + "  ".join(written)),
    ]
    print(_final_table(rows))
    return EXIT_INTERRUPTED if history.interrupted else 0


def _save_run(out: pathlib.Path, model: Any, history: Any, settings: dict[str, Any],
              test_loss: float, test_acc: float, train_time: float, split: Any,
              plot_history: Callable[..., None]) -> list[str]:
    """Write model.npz, metrics.json, curves.png and the graph; return the names written."""
    written = []
    try:
        nn.save(model, out / "model.npz")
        written.append("model.npz")
        metrics = {
            "settings": settings,
            **history.to_dict(),
            "final": {"test_loss": test_loss, "test_acc": test_acc,
                      "epochs_completed": len(history), "train_time_s": train_time},
            "environment": {"chainrule": _version(), "python": platform.python_version(),
                            "numpy": np.__version__, "platform": platform.platform()},
        }
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        written.append("metrics.json")
        try:
            plot_history(history, out / "curves.png",
                         title=f"{settings['model_description']} on {settings['data']}")
            written.append("curves.png")
        except ImportError as exc:
            print(f"note: curves.png not written: {exc}", file=sys.stderr)

        n = min(settings["batch_size"], len(split.x_train))
        graph = _backward_graph(model, split.x_train[:n], split.y_train[:n])
        if _dot_available():
            _render(graph, out / "graph.svg")
            written.append("graph.svg")
        else:
            _render(graph, out / "graph.dot")
            written.append("graph.dot")
            print("note: Graphviz's 'dot' program is not installed, so the backward graph is "
                  f"saved as DOT text in {out / 'graph.dot'}; install Graphviz and run "
                  f"'dot -Tsvg {out / 'graph.dot'} -o graph.svg' to draw it", file=sys.stderr)
    except OSError as exc:
        raise CLIError(f"cannot write to {str(out)!r}: {exc.strerror or exc}") from None
    return written


# ------------------------------------------------------------------------------------------
# chainrule graph


def cmd_graph(args: argparse.Namespace) -> int:
    """``chainrule graph``: one forward+backward of a fresh model on a few digits, drawn."""
    from nn import datasets

    path = pathlib.Path(args.output).expanduser()
    _check_format(path)  # a bad suffix or a missing 'dot' fails before any work
    split = datasets.load_dataset("digits", as_images=args.model == "cnn")
    ag.manual_seed(args.seed)
    model, description = build_model(args.model, "digits", split.image_shape)
    n = min(args.batch_size, len(split.x_train))
    graph = _backward_graph(model, split.x_train[:n], split.y_train[:n])
    try:
        _render(graph, path)
    except OSError as exc:
        raise CLIError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    print(f"wrote {path}: {description}, one forward and backward on {n} digits")
    return 0


# ------------------------------------------------------------------------------------------
# chainrule gradcheck


def _float_outputs(result: Any) -> list[ag.Tensor]:
    items = result if isinstance(result, tuple | list) else (result,)
    return [o for o in items if isinstance(o, ag.Tensor) and o.dtype.kind == "f"]


def _jacobians(fn: Callable[..., Any], inputs: Sequence[Any], eps: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Analytic and central-difference Jacobians of all of fn's float outputs with respect
    to all of its inputs that require grad, stacked into two matrices of the same shape."""
    diff = [i for i, x in enumerate(inputs) if isinstance(x, ag.Tensor) and x.requires_grad]
    with ag.enable_grad():
        outs = _float_outputs(fn(*inputs))
    n_in = sum(inputs[i].numel() for i in diff)
    n_out = sum(o.numel() for o in outs)
    analytic = np.zeros((n_out, n_in))
    row = 0
    for o in outs:
        for k in range(o.numel()):
            if o.requires_grad:
                seed = np.zeros(o.shape, dtype=o.dtype)
                seed.reshape(-1)[k] = 1
                grads = ag.grad([o], [inputs[i] for i in diff], grad_outputs=[ag.tensor(seed)],
                                retain_graph=True, allow_unused=True)
                col = 0
                for i, g in zip(diff, grads):
                    size = inputs[i].numel()
                    if g is not None:
                        analytic[row, col:col + size] = np.asarray(g.data, np.float64).ravel()
                    col += size
            row += 1

    numeric = np.zeros_like(analytic)
    col = 0
    for i in diff:
        base = np.asarray(inputs[i].data, dtype=np.float64)
        for e in range(base.size):
            values = []
            for sign in (1.0, -1.0):
                pert = base.copy()
                pert.reshape(-1)[e] += sign * eps
                # Fresh tensors, never the caller's arrays; still requiring grad, since a
                # first-derivative function differentiates its inputs inside.
                shifted = list(inputs)
                shifted[i] = ag.tensor(pert, requires_grad=True)
                with ag.enable_grad():
                    ys = _float_outputs(fn(*shifted))
                values.append(np.concatenate([np.asarray(y.data, np.float64).ravel()
                                              for y in ys]) if ys else np.zeros(0))
            numeric[:, col] = (values[0] - values[1]) / (2 * eps)
            col += 1
    return analytic, numeric


def _first_derivative(fn: Callable[..., Any], n_inputs: int) -> Callable[..., tuple]:
    """(inputs, v) -> v^T J(inputs), differentiable: what gradgradcheck checks."""

    def first(*args: Any) -> tuple:
        xs, vs = args[:n_inputs], args[n_inputs:]
        diff = [x for x in xs if isinstance(x, ag.Tensor) and x.requires_grad]
        with ag.enable_grad():
            ys = [o for o in _float_outputs(fn(*xs)) if o.requires_grad]
            if not ys:
                return tuple(ag.zeros(x.shape, dtype=x.dtype) for x in diff)
            grads = ag.grad(ys, diff, grad_outputs=list(vs[:len(ys)]), create_graph=True,
                            allow_unused=True)
        return tuple(g if g is not None else ag.zeros(x.shape, dtype=x.dtype)
                     for g, x in zip(grads, diff))

    return first


def max_gradcheck_error(fn: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6,
                        grad_outputs: Sequence[Any] | None = None) -> float:
    """Largest |analytic - numeric| entry of fn's Jacobian at ``inputs`` (float64 tensors).

    With ``grad_outputs`` (one tensor per float output that requires grad) it is the error of
    the second derivatives instead: the Jacobian of ``(inputs, v) -> v^T J`` at
    ``(inputs, grad_outputs)``, the quantity ``ag.gradgradcheck`` checks.
    """
    if grad_outputs is not None:
        fn, inputs = _first_derivative(fn, len(inputs)), (*inputs, *grad_outputs)
    analytic, numeric = _jacobians(fn, inputs, eps)
    return float(np.abs(analytic - numeric).max()) if analytic.size else 0.0


def _grad_outputs(fn: Callable[..., Any], inputs: Sequence[Any], seed: int) -> tuple:
    with ag.enable_grad():
        outs = [o for o in _float_outputs(fn(*inputs)) if o.requires_grad]
    rng = np.random.default_rng(seed)
    return tuple(ag.tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs)


def _check_case(case: Any) -> tuple[str, float | None, str, float | None, str]:
    """(first status, first error, second status, second error, note) for one case."""
    first_err: float | None = None
    second_err: float | None = None
    try:
        ok = ag.gradcheck(case.fn, case.inputs(), atol=case.atol, rtol=case.rtol,
                          raise_exception=False)
        first_err = max_gradcheck_error(case.fn, case.inputs())
        first = "pass" if ok else "FAIL"
    except Exception as exc:  # a crashing op is a failed check, reported, not a traceback
        return "ERROR", None, "-", None, f"{type(exc).__name__}: {exc}"
    if not case.second_order:
        return first, first_err, "skip", None, ""
    try:
        inputs = case.inputs()
        vs = _grad_outputs(case.fn, inputs, seed=1)
        ok2 = ag.gradgradcheck(case.fn, inputs, grad_outputs=vs, atol=case.atol,
                               rtol=case.rtol, raise_exception=False)
        second_err = max_gradcheck_error(case.fn, case.inputs(), grad_outputs=vs)
        second = "pass" if ok2 else "FAIL"
    except Exception as exc:
        return first, first_err, "ERROR", None, f"{type(exc).__name__}: {exc}"
    return first, first_err, second, second_err, ""


def _registry() -> list[Any]:
    """Every registered case: the ops' own, plus nn's layers once nn.cases is importable."""
    from autograd.ops import cases

    try:
        import nn.cases  # noqa: F401 - importing registers nn's layer cases
    except ImportError as exc:
        if getattr(exc, "name", None) != "nn.cases":
            raise
        print("note: nn.cases is not available; checking the autograd ops only",
              file=sys.stderr)
    return list(cases.CASES)


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """``chainrule gradcheck``: gradcheck + gradgradcheck over the registry, as a table."""
    selected = [c for c in _registry() if args.filter.lower() in c.id.lower()]
    if not selected:
        raise CLIError(f"no gradcheck case matches --filter {args.filter!r}")
    width = max(len("case"), *(len(c.id) for c in selected))
    header = f"{'case':<{width}}  {'grad':5} {'max err':>9}  {'gradgrad':8} {'max err':>9}"
    print(header)
    print("-" * len(header))
    failures = 0
    start = time.perf_counter()

    def fmt(err: float | None) -> str:
        return f"{err:9.1e}" if err is not None else f"{'-':>9}"

    for case in selected:
        first, e1, second, e2, note = _check_case(case)
        failed = first != "pass" or second not in ("pass", "skip")
        failures += failed
        if failed or not args.quiet:
            line = f"{case.id:<{width}}  {first:5} {fmt(e1)}  {second:8} {fmt(e2)}"
            print(line + (f"  {note}" if note else ""), flush=True)
    elapsed = time.perf_counter() - start
    passed = len(selected) - failures
    print(f"{len(selected)} cases: {passed} passed, {failures} failed ({elapsed:.1f} s; "
          "max err = largest |analytic - numeric| of the Jacobian)")
    return EXIT_ERROR if failures else 0


# ------------------------------------------------------------------------------------------
# entry point


@contextlib.contextmanager
def _blas_threads(n: int) -> Iterator[None]:
    """Cap NumPy's BLAS at ``n`` threads while a command runs (``n <= 0``: leave it alone).

    The matrices here are small, so threads buy little, and on a machine whose cores are
    busy a multi-threaded BLAS spins and waits: a digits CNN step measured 15x slower with
    OpenBLAS's default threads than with one. threadpoolctl (in the dev extra) does the
    capping; without it the command runs with NumPy's default.
    """
    if n <= 0:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n):
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command with ``argv`` (default ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 on a reported error or failed check, 2 on a usage
        error, 130 when interrupted (after saving, for ``train``).
    """
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error: argparse printed it
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    # Recorded in metrics.json so that a run says how to reproduce it.
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        with _blas_threads(getattr(args, "threads", 1)):
            return int(args.run(args))
    except CLIError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error worth a trace.
        # Python's recipe: point stdout at devnull so the flush at exit cannot fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
