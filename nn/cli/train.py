"""``chainrule train``: train a classifier and write its run folder (see :mod:`nn.cli.runs`)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from typing import Any

import autograd as ag
import nn
from nn.cli import recipes, runs
from nn.cli.common import EXIT_INTERRUPTED, PROG, float_type, positive_int
from nn.cli.recipes import DATASETS, DEFAULT_LR, DEFAULT_WEIGHT_DECAY, DEFAULTS, MODELS, OPTIMIZERS

__all__ = ["add_parser", "cmd_train"]


def _defaults_table() -> str:
    lines = ["defaults per --data/--model (used for options left out):"]
    for (data, model), r in DEFAULTS.items():
        extra = f", weight decay {r.weight_decay:g}" if r.weight_decay else ""
        extra += f", lr-decay {r.lr_decay:g}" if r.lr_decay else ""
        lines.append(f"  {data:8} {model:4} {r.epochs:4} epochs, batch {r.batch_size:4}, "
                     f"{r.optimizer} lr {r.lr:g}{extra}")
    return "\n".join(lines)


def add_parser(sub: Any) -> None:
    """Register ``chainrule train`` on the subparsers ``sub``."""
    train = sub.add_parser(
        "train", help="train a model; save it with metrics, curves and graph",
        description="Train a classifier and write model.npz, metrics.json, curves.png and "
                    "graph.svg (graph.dot without Graphviz) to --out. Ctrl-C stops after "
                    "saving what was trained so far (exit status 130).",
        epilog=_defaults_table() + "\n\nexample: chainrule train --model cnn --epochs 5",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    train.add_argument("--epochs", type=positive_int, help="passes over the training set")
    train.add_argument("--batch-size", type=positive_int, help="examples per step")
    train.add_argument("--optimizer", choices=OPTIMIZERS,
                       help="sgd, momentum (SGD, momentum 0.9), adam, adamw or rmsprop")
    train.add_argument("--lr", type=float_type(0.0, strict=True), help="learning rate")
    train.add_argument("--weight-decay", type=float_type(0.0, strict=False),
                       help="L2 penalty (decoupled for adamw) (default: 0; 0.01 for adamw)")
    train.add_argument("--lr-decay", type=float_type(0.0, strict=False),
                       help="inverse time decay per epoch: lr = lr0 / (1 + decay * epoch)")
    train.add_argument("--seed", type=int, default=0,
                       help="seeds initialisation and shuffling (default: 0)")
    train.add_argument("--out", metavar="DIR",
                       help="output directory (default: runs/<timestamp>)")
    train.add_argument("--overwrite", action="store_true",
                       help="replace the run in an --out folder that already holds files "
                            "(refused otherwise)")
    train.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar and no per-epoch lines; only the final table")
    train.add_argument("--threads", type=int, default=1, metavar="N",
                       help="BLAS threads (default: 1, fastest for these small matrices, "
                            "much faster on a busy machine; 0 keeps NumPy's default)")
    train.set_defaults(run=cmd_train)


def _resolve(args: argparse.Namespace) -> dict[str, Any]:
    """Fill the options left out from the (data, model) recipe; return the settings."""
    recipe = DEFAULTS[(args.data, args.model)]
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


def _final_table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:>{width}}  {v}" for k, v in rows)


def cmd_train(args: argparse.Namespace) -> int:
    """``chainrule train``: see the module docstring and ``chainrule train --help``."""
    settings = _resolve(args)
    out, created = runs.prepare_out(args.out, args.overwrite)
    try:
        return _train(args, settings, out)
    except BaseException:
        runs.remove_if_empty(created)
        raise


def _train(args: argparse.Namespace, settings: dict[str, Any], out: Any) -> int:
    from nn.data import DataLoader, TensorDataset
    from nn.training import evaluate, fit, plot_history

    split = runs.load_data(settings["model"], settings["data"], args.data_dir,
                           args.no_download)
    ag.manual_seed(settings["seed"])
    model, description = recipes.build_model(settings["model"], settings["data"],
                                              split.image_shape, split.num_classes)
    optimizer = recipes.build_optimizer(settings["optimizer"], model.parameters(),
                                        settings["lr"], settings["weight_decay"])
    scheduler = None
    if settings["lr_decay"] > 0:
        from optim.lr_scheduler import InverseTimeDecay

        scheduler = InverseTimeDecay(optimizer, decay_rate=settings["lr_decay"])
    loader = DataLoader(TensorDataset(ag.tensor(split.x_train), ag.tensor(split.y_train)),
                        batch_size=settings["batch_size"], shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    n_params = sum(int(p.numel()) for p in model.parameters())
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
    final = {"test_loss": test_loss, "test_acc": test_acc, "epochs_completed": len(history),
             "train_time_s": train_time}
    written = runs.save_run(out, model, history, settings, final, split, plot_history)

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
