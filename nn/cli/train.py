"""``chainrule train``: train a classifier and write its run folder (see :mod:`nn.cli.runs`);
``--resume`` continues one from its checkpoint (:mod:`nn.cli.checkpoint`). Under
``mpiexec -n N`` the ranks train one run data-parallel (:mod:`nn.cli.parallel`)."""

from __future__ import annotations

import argparse
import os
import pathlib
import shlex
import signal
import sys
import time
from typing import Any

import autograd as ag
import nn
from nn.cli import checkpoint, recipes, runs, text
from nn.cli.common import EXIT_USAGE, PROG, CLIError, float_type, positive_int
from nn.cli.parallel import Ranks
from nn.cli.recipes import (
    DATASETS,
    DEFAULT_LR,
    DEFAULT_WEIGHT_DECAY,
    DEFAULTS,
    MODELS,
    OPTIMIZERS,
    TEXT_DATA,
)
from nn.cli.signals import StopSignals, exit_status
from nn.training import EpochStats, History, fit, plot_history

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
        description="Train a classifier and write model.npz, checkpoint.npz, metrics.json, "
                    "curves.png and graph.svg (graph.dot without Graphviz) to --out. Ctrl-C, "
                    "SIGTERM and SIGHUP stop after saving what was trained so far (exit "
                    "status 130, 143, 129); --resume continues such a run, or a finished one, "
                    "exactly as if it had never stopped. In metrics.json a non-finite figure "
                    "(a diverged loss) is written as null.",
        epilog=_defaults_table() + "\n\nexamples: chainrule train --model cnn --epochs 5\n"
                                   "          chainrule train --resume runs/RUN --epochs 40",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--resume", metavar="RUN_DIR",
                       help="continue the run in RUN_DIR from its checkpoint.npz, with its "
                            "settings, to --epochs in total (default: the run's own)")
    train.add_argument("--model", choices=MODELS,
                       help="network: mlp (nn.MLP) or cnn (nn.SimpleCNN; a 1-D conv stack "
                            "for mnist1d) (default: mlp)")
    train.add_argument("--data", choices=DATASETS,
                       help="dataset: digits (bundled, 8x8), mnist1d (generated locally) or "
                            "mnist (IDX files) (default: digits)")
    train.add_argument("--data-dir", metavar="DIR",
                       help="where the mnist IDX files (or the mnist1d cache) are; default "
                            "$CHAINRULE_DATA/<data> or ~/.cache/chainrule/<data>")
    train.add_argument("--no-download", action="store_true",
                       help="for mnist: fail with instructions instead of downloading "
                            "missing files")
    train.add_argument("--epochs", type=positive_int,
                       help="passes over the training set (in total, with --resume)")
    train.add_argument("--batch-size", type=positive_int, help="examples per step")
    train.add_argument("--optimizer", choices=OPTIMIZERS,
                       help="sgd, momentum (SGD, momentum 0.9), adam, adamw or rmsprop")
    train.add_argument("--lr", type=float_type(0.0, strict=True), help="learning rate")
    train.add_argument("--weight-decay", type=float_type(0.0, strict=False),
                       help="L2 penalty (decoupled for adamw) (default: 0; 0.01 for adamw)")
    train.add_argument("--lr-decay", type=float_type(0.0, strict=False),
                       help="inverse time decay per epoch: lr = lr0 / (1 + decay * epoch)")
    train.add_argument("--seed", type=int,
                       help="seeds initialisation and shuffling (default: 0)")
    train.add_argument("--out", metavar="DIR",
                       help="output directory (default: runs/<timestamp>)")
    train.add_argument("--overwrite", action="store_true",
                       help="replace the run in an --out folder that already holds files "
                            "(refused otherwise)")
    train.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar and no per-epoch lines; only the final table")
    train.add_argument("--monitor", action="store_true",
                       help="watch training with ag.viz.Monitor (activation, gradient and "
                            "update statistics every step) and write its four views to "
                            "monitor.png")
    train.add_argument("--threads", type=int, default=1, metavar="N",
                       help="BLAS threads (default: 1, fastest for these small matrices, "
                            "much faster on a busy machine; 0 keeps NumPy's default)")
    train.add_argument("--sync-bn", action="store_true",
                       help="under mpiexec: BatchNorm statistics over the global batch "
                            "(nn.SyncBatchNorm) instead of each rank's share")
    train.add_argument("--device", default="cpu", metavar="DEVICE",
                       help="where to train: cpu (default) or cuda (an NVIDIA GPU through "
                            "CuPy: pip install 'chainrule[cuda]')")
    train.set_defaults(run=cmd_train)


# Options that --resume takes from the run instead.
RUN_SETTINGS = ("model", "data", "batch_size", "optimizer", "lr", "weight_decay", "lr_decay",
                "seed", "out", "overwrite")


def _resolve(args: argparse.Namespace) -> dict[str, Any]:
    """Fill the options left out from the (data, model) recipe; return the settings."""
    model, data = args.model or "mlp", args.data or "digits"
    recipe = DEFAULTS.get((data, model))
    if recipe is None:
        pairs = ", ".join(f"{m} on {d}" for d, m in DEFAULTS)
        raise CLIError(f"--model {model} cannot train on --data {data}; the pairs are: {pairs}",
                       EXIT_USAGE)
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
        "model": model,
        "data": data,
        "epochs": args.epochs or recipe.epochs,
        "batch_size": args.batch_size or recipe.batch_size,
        "optimizer": optimizer,
        "lr": lr,
        "weight_decay": weight_decay,
        "lr_decay": args.lr_decay if args.lr_decay is not None else recipe.lr_decay,
        "seed": args.seed if args.seed is not None else 0,
        "data_dir": args.data_dir,
    }


def _resume_settings(args: argparse.Namespace, ckpt: dict[str, Any]) -> dict[str, Any]:
    given = [f"--{name.replace('_', '-')}" for name in RUN_SETTINGS
             if getattr(args, name) not in (None, False)]
    if given:
        raise CLIError(f"--resume continues the run with its own settings; drop "
                       f"{', '.join(given)}")
    settings = dict(ckpt["settings"])
    done = int(ckpt["epoch"])
    total = args.epochs or settings["epochs"]
    if total <= done:
        raise CLIError(f"the run in {args.resume!r} has already done {done} epoch"
                       f"{'s' * (done != 1)}; pass --epochs N with N > {done} to train more")
    settings["epochs"] = total
    settings["resumed_at"] = [*settings.get("resumed_at", []), done]
    if args.data_dir is not None:
        settings["data_dir"] = args.data_dir
    return settings


def _attach_monitor(model: Any, optimizer: Any) -> Any:
    """``--monitor``: an ``ag.viz.Monitor`` on the model, stepped after each
    ``optimizer.step()`` (``fit`` has no per-step callback, so the optimizer's ``step`` is
    wrapped on the instance; the caller deletes the wrapper afterwards)."""
    monitor = ag.viz.Monitor(model)
    step = optimizer.step

    def step_and_record(*args: Any, **kwargs: Any) -> Any:
        result = step(*args, **kwargs)
        monitor.step(lr=optimizer.param_groups[0]["lr"])
        return result

    optimizer.step = step_and_record
    return monitor


def _save_monitor(monitor: Any, out: pathlib.Path) -> list[str]:
    try:
        monitor.plot().savefig(out / "monitor.png", dpi=80)
    except (ImportError, RuntimeError) as exc:  # no matplotlib, or no step recorded
        print(f"note: monitor.png not written: {exc}", file=sys.stderr)
        return []
    return ["monitor.png"]


def _final_table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:>{width}}  {v}" for k, v in rows)


def cmd_train(args: argparse.Namespace) -> int:
    """``chainrule train``: see the module docstring and ``chainrule train --help``."""
    ranks = Ranks()  # under mpiexec: rank 0 alone reads and writes the run folder
    ckpt = None
    if args.resume:
        run = pathlib.Path(args.resume).expanduser()
        ckpt = ranks.on_main(lambda: checkpoint.read(run))
        settings = ranks.together(lambda: _resume_settings(args, ckpt))
        ranks.check_batch(settings["batch_size"])
        out, created = ranks.on_main(lambda: runs.prepare_out(str(run), overwrite=True))
    else:
        settings = _resolve(args)
        if settings["data"] in TEXT_DATA:  # the character transformer has its own loop
            if ranks.world > 1:
                raise CLIError("the character transformer trains in one process; run it "
                               "without mpiexec")
            return text.train_text(args, settings)
        ranks.check_batch(settings["batch_size"])
        out, created = ranks.on_main(lambda: runs.prepare_out(args.out, args.overwrite))
    created = created if ranks.main else []
    with StopSignals() as stop, ranks.signals_at_steps(stop):
        try:
            status = _train(args, settings, out, ckpt, stop, ranks)
        except BaseException as exc:
            runs.remove_if_empty(created)  # a failed run leaves no empty folder behind
            ranks.abort(exc)  # under mpiexec: end every rank, not this one alone
            raise
    ranks.stop()
    return status


def _train(args: argparse.Namespace, settings: dict[str, Any], out: pathlib.Path,
           ckpt: dict[str, Any] | None, stop: StopSignals, ranks: Ranks) -> int:
    from nn.data import DataLoader, TensorDataset

    split = ranks.main_first(lambda: runs.load_data(
        settings["model"], settings["data"], settings.get("data_dir"), args.no_download))
    ag.manual_seed(settings["seed"])
    model, description = recipes.build_model(settings["model"], settings["data"],
                                              split.image_shape, split.num_classes)
    model.to(getattr(args, "device", "cpu"))  # before the optimizer, as torch
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
    if ckpt is None:
        history, prior_time = History(), 0.0
        settings.update(out=str(out), model_description=description,
                        num_parameters=n_params, command=shlex.join([PROG, *args.argv]))
    else:
        history = checkpoint.restore(ckpt, model, optimizer, scheduler)
        prior_time = float(ckpt["train_time_s"])
    net = ranks.wrap(model, args.sync_bn)  # DDP over the ranks (``model`` on one)

    quiet = args.quiet or not ranks.main
    say = (lambda _line: None) if quiet else print
    epochs, done = settings["epochs"], len(history)
    say(f"{'resuming' if ckpt else 'training'} {description} ({n_params:,} parameters) on "
        f"{settings['data']} ({len(split.x_train):,} train / {len(split.x_test):,} test)"
        + (f" after epoch {done}" if ckpt else ""))
    say(f"{settings['optimizer']} lr {settings['lr']:g}"
        + (f", weight decay {settings['weight_decay']:g}" if settings["weight_decay"] else "")
        + (f", lr decay {settings['lr_decay']:g}/epoch" if settings["lr_decay"] else "")
        + f", {epochs} epoch{'s' * (epochs != 1)} of batch {settings['batch_size']}"
        + f", seed {settings['seed']} -> {out}{os.sep}")

    start = time.perf_counter()
    # The state at the end of each finished epoch (and before the first): what
    # checkpoint.npz holds, so that a resumed run replays exactly the epochs still to come.
    last = [checkpoint.snapshot(model, optimizer, scheduler, history, settings, prior_time)]

    finished = list(history.epochs)

    def on_epoch(stats: EpochStats) -> None:
        ranks.combine(stats)  # this rank's share of the figures -> the global batch's
        finished.append(stats)
        last[0] = checkpoint.snapshot(model, optimizer, scheduler, History(finished),
                                      settings, prior_time + time.perf_counter() - start)

    monitor = _attach_monitor(model, optimizer) if args.monitor else None
    try:
        history = fit(net, ranks.loss(loss_fn), optimizer, ranks.shard(loader, stop),
                      ranks.test_shard(split.x_test, split.y_test), epochs,
                      scheduler=scheduler, progress=not quiet and sys.stderr.isatty(),
                      log=None if quiet else print, on_epoch=on_epoch, start_epoch=done,
                      history=history)
    except KeyboardInterrupt:  # landed as fit returned, outside its own handler
        history = History(finished, interrupted=True)
    if monitor is not None:
        monitor.remove()
        vars(optimizer).pop("step", None)
    stop.armed = False  # from here on a signal waits for the files to be written
    train_time = prior_time + time.perf_counter() - start
    signum = stop.received
    if history.interrupted and ranks.main:
        why = f"stopped by {signal.Signals(signum).name}" if signum else "interrupted"
        print(f"{why} after {len(history)} of {epochs} epochs; saving what was trained to "
              f"{out}", file=sys.stderr)

    # The saved model is the one measured here, also after an interrupt mid-epoch.
    test_loss, test_acc = ranks.evaluate(model, split.x_test, split.y_test, loss_fn)
    ranks.unwrap()  # the last collective is done: rank 0 saves the plain model
    final = {"test_loss": test_loss, "test_acc": test_acc, "epochs_completed": len(history),
             "train_time_s": train_time}
    if not ranks.main:
        return exit_status(signum=stop.received) if history.interrupted or stop.received else 0
    if ranks.world > 1:
        final["ranks"] = ranks.world

    def write_checkpoint() -> list[str]:
        nn.save(last[0], out / "checkpoint.npz")
        written = ["checkpoint.npz"]
        if settings["model"] == "gru":  # the gradient norm reaching each time step
            n = min(settings["batch_size"], len(split.x_test))
            written += text.recurrent_extras(out, model, split.x_test[:n], split.y_test[:n])
        if monitor is not None:
            written += _save_monitor(monitor, out)
        return written

    written = runs.save_run(out, model, history, settings, final, split, plot_history,
                            extra=write_checkpoint)
    best = history.best()
    rows = [
        ("model", f"{description} ({n_params:,} parameters)"),
        ("data", f"{settings['data']} ({len(split.x_train):,} train / "
                 f"{len(split.x_test):,} test)"),
        ("epochs", f"{len(history)} of {epochs}"
                   + (" (interrupted)" if history.interrupted else "")),
        ("test accuracy", f"{test_acc:.4f}"
         + (f"  (best {best.test_acc:.4f} at epoch {best.epoch})" if best else "")),
        ("test loss", f"{test_loss:.4f}"),
        ("train time", f"{train_time:.1f} s"),
        ("saved", f"{out}{os.sep}  " + "  ".join(written)),
    ]
    print(_final_table(rows))
    if history.interrupted or stop.received:
        return exit_status(signum=stop.received)
    return 0
