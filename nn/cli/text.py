"""The ``chainrule`` command's sequence models: ``train --model transformer --data
addition|names``, the step-gradient plot of ``train --model gru``, and ``chainrule sample``.

The recipes and model/data names are in ``nn.cli.recipes``; ``nn.cli.train`` hands the text
tasks to :func:`train_text`.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shlex
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd as ag
import nn
from nn import functional as F
from nn.cli.common import PROG, CLIError
from nn.cli.recipes import TEXT_DATA, build_optimizer
from nn.cli.runs import prepare_out, remove_if_empty
from nn.datasets_text import TextTask, addition_task, bigram_loss, names_task
from nn.modules.seq_models import CharTransformer
from nn.utils import clip_grad_norm_

__all__ = ["ARCH", "add_sample_parser", "cmd_sample", "recurrent_extras", "train_text"]


@dataclass(frozen=True)
class Arch:
    """The transformer's size for one text task."""

    n_layer: int
    n_head: int
    n_embd: int


ARCH = {"addition": Arch(n_layer=2, n_head=4, n_embd=64),
        "names": Arch(n_layer=2, n_head=4, n_embd=64)}


def load_task(data: str) -> TextTask:
    """The task's data, its held-out split fixed (seed 0) whatever the training seed."""
    return addition_task() if data == "addition" else names_task()


def build_text_model(settings: dict[str, Any], task: TextTask) -> CharTransformer:
    return CharTransformer(task.vocab_size, task.block_size, settings["n_layer"],
                           settings["n_head"], settings["n_embd"])


def _loss(model: CharTransformer, x: np.ndarray, y: np.ndarray) -> Any:
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                           ignore_index=-1)


def heldout_loss(model: CharTransformer, x: np.ndarray, y: np.ndarray,
                 batch: int = 512) -> float:
    """Mean cross-entropy over every scored position of (x, y), in eval mode."""
    model.eval()
    total, count = 0.0, 0
    with ag.no_grad():
        for i in range(0, len(x), batch):
            xb, yb = x[i:i + batch], y[i:i + batch]
            n = int((yb >= 0).sum())
            total += _loss(model, xb, yb).item() * n
            count += n
    model.train()
    return total / max(count, 1)


def addition_accuracy(model: CharTransformer, task: TextTask, x: np.ndarray) -> float:
    """Share of pairs whose sum the model writes exactly (greedy, digit by digit)."""
    nd = task.info["ndigit"]
    model.eval()
    out = model.generate(x[:, :2 * nd], nd + 1, greedy=True)
    model.train()
    pow10 = 10 ** np.arange(nd - 1, -1, -1)
    a, b = x[:, :nd] @ pow10, x[:, nd:2 * nd] @ pow10
    c = out[:, 2 * nd:] @ (10 ** np.arange(nd + 1))  # written lowest digit first
    return float(np.mean(c == a + b))


def train_text(args: argparse.Namespace, settings: dict[str, Any]) -> int:
    """``chainrule train --model transformer --data addition|names``."""
    arch = ARCH[settings["data"]]
    out, created = prepare_out(args.out, args.overwrite)
    try:
        return _train_text(args, settings, arch, out)
    except BaseException:
        remove_if_empty(created)  # a failed run leaves no empty folder behind
        raise


def _train_text(args: argparse.Namespace, settings: dict[str, Any], arch: Arch,
                out: pathlib.Path) -> int:
    task = load_task(settings["data"])
    settings.update(n_layer=arch.n_layer, n_head=arch.n_head, n_embd=arch.n_embd,
                    out=str(out), command=shlex.join([PROG, *args.argv]))
    ag.manual_seed(settings["seed"])
    model = build_text_model(settings, task)
    opt = build_optimizer(settings["optimizer"], model.parameters(), settings["lr"],
                          settings["weight_decay"])
    say = (lambda _line: None) if args.quiet else print
    n_params = sum(int(p.numel()) for p in model.parameters())
    say(f"training a {settings['n_layer']}-layer transformer ({n_params:,} parameters) on "
        f"{task.name} ({len(task.x_train):,} train / {len(task.x_test):,} held-out sequences) "
        f"-> {out}{os.sep}")
    rng = np.random.default_rng(settings["seed"])
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    bs = settings["batch_size"]
    step, total = 0, settings["epochs"] * -(-len(task.x_train) // bs)
    settings["schedule"] = "cosine decay of the lr to 0; gradient norm clipped at 1"
    interrupted = False
    try:
        for epoch in range(1, settings["epochs"] + 1):
            perm = rng.permutation(len(task.x_train))
            losses = []
            for i in range(0, len(perm), bs):
                idx = perm[i:i + bs]
                loss = _loss(model, task.x_train[idx], task.y_train[idx])
                opt.zero_grad()
                loss.backward()
                # minGPT's recipe: clip the gradient norm at 1, cosine-decay the lr to 0
                # (without them Adam's occasional loss spikes undo a finished run)
                clip_grad_norm_(model.parameters(), 1.0)
                for group in opt.param_groups:
                    group["lr"] = settings["lr"] * 0.5 * (1 + np.cos(np.pi * step / total))
                opt.step()
                step += 1
                losses.append(loss.item())
            row = {"epoch": epoch, "train_loss": float(np.mean(losses)),
                   "test_loss": heldout_loss(model, task.x_test, task.y_test),
                   "time_s": time.perf_counter() - start}
            if task.name == "addition":
                row["test_acc"] = addition_accuracy(model, task, task.x_test)
            history.append(row)
            say("  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in row.items()))
    except KeyboardInterrupt:
        interrupted = True
        print(f"interrupted after {len(history)} epochs; saving to {out}", file=sys.stderr)
    final = _finish_text(out, model, task, settings, history, time.perf_counter() - start)
    width = max(len(k) for k in final)
    print("\n".join(f"  {k:>{width}}  {v}" for k, v in final.items()))
    return 130 if interrupted else 0


def _finish_text(out: pathlib.Path, model: CharTransformer, task: TextTask,
                 settings: dict[str, Any], history: list, train_time: float) -> dict:
    """Save model.npz, metrics.json, curves.png, attention.png (and samples.txt)."""
    test_loss = heldout_loss(model, task.x_test, task.y_test)
    final: dict[str, Any] = {"held-out loss": f"{test_loss:.4f}"}
    metrics: dict[str, Any] = {"settings": settings, "epochs": history,
                               "final": {"test_loss": test_loss,
                                         "train_time_s": train_time}}
    if task.name == "addition":
        acc = addition_accuracy(model, task, task.x_test)
        metrics["final"]["test_acc"] = acc
        final["exact-answer accuracy"] = f"{acc:.4f} on {len(task.x_test)} held-out pairs"
    else:
        tr, te = bigram_loss(task)
        metrics["final"]["bigram_test_loss"] = te
        final["bigram baseline"] = f"{te:.4f} (same split; train {tr:.4f})"
    final["train time"] = f"{train_time:.1f} s"
    nn.save(model, out / "model.npz")
    written = ["model.npz", "metrics.json"]
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    if task.name == "names":
        (out / "samples.txt").write_text("\n".join(sample_names(model, task, 20, 1.0, 0)) + "\n")
        written.append("samples.txt")
    try:
        _plot_text_run(out, model, task, history)
        written += ["curves.png", "attention.png"]
    except ImportError as exc:
        print(f"note: plots not written: {exc}", file=sys.stderr)
    final["saved"] = f"{out}{os.sep}  " + "  ".join(written)
    return final


def _plot_text_run(out: pathlib.Path, model: CharTransformer, task: TextTask,
                   history: list) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ep = [r["epoch"] for r in history]
    ax.plot(ep, [r["train_loss"] for r in history], label="train")
    ax.plot(ep, [r["test_loss"] for r in history], label="held-out")
    if task.name == "names":
        ax.axhline(bigram_loss(task)[1], color="grey", linestyle=":", label="bigram (held-out)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy (nats)")
    ax.legend()
    fig.savefig(out / "curves.png", dpi=110)
    x = task.x_test[:1]
    weights = attention_maps(model, x)
    toks = [task.itos[i] for i in x[0]]
    figs = [ag.viz.plot_attention(w[0], toks, toks, title=f"layer {i}")
            for i, w in enumerate(weights)]
    figs[-1].savefig(out / "attention.png", dpi=110)


def attention_maps(model: CharTransformer, x: np.ndarray) -> list[np.ndarray]:
    """Per layer, the attention weights (N, heads, T, T) of the tokens ``x`` (N, T)."""
    for b in model.blocks:
        b.keep_attention = True
    try:
        model.eval()
        with ag.no_grad():
            model(x)
    finally:
        for b in model.blocks:
            b.keep_attention = False
        model.train()
    return [b.last_attention for b in model.blocks]


def sample_names(model: CharTransformer, task: TextTask, n: int, temperature: float,
                 seed: int) -> list[str]:
    """``n`` names drawn from the model, one character at a time until '.'."""
    rng = np.random.default_rng(seed)
    idx = np.zeros((n, 1), np.int64)
    model.eval()
    out = model.generate(idx, task.block_size - 1, temperature=temperature, rng=rng)
    names = []
    for row in out[:, 1:]:
        chars = []
        for t in row:
            if t == 0:
                break
            chars.append(task.itos[t])
        names.append("".join(chars))
    return names


# -- the GRU's extra plot ------------------------------------------------------------------------
def recurrent_extras(out: pathlib.Path, model: Any, x: np.ndarray, y: np.ndarray) -> list[str]:
    """grad_through_time.png: ‖∂L/∂h_t‖ per time step and direction on one batch."""
    loss = nn.CrossEntropyLoss()(model(ag.tensor(x)), ag.tensor(y))
    model.zero_grad()
    loss.backward()
    model.zero_grad()
    try:
        fig = ag.viz.plot_step_gradients(loss, title="‖∂L/∂h_t‖ per time step (one batch)")
    except ImportError as exc:
        print(f"note: grad_through_time.png not written: {exc}", file=sys.stderr)
        return []
    fig.savefig(out / "grad_through_time.png", dpi=110)
    return ["grad_through_time.png"]


# -- chainrule sample ------------------------------------------------------------------------------
def add_sample_parser(sub: Any) -> None:
    p = sub.add_parser("sample", help="print what a trained character model writes",
                       description="Load a run written by 'chainrule train --model transformer' "
                                   "and print new names (names) or sums (addition).")
    p.add_argument("run_dir", metavar="RUN_DIR", help="the --out directory of the run")
    p.add_argument("-n", "--num", type=int, default=20, help="how many (default: 20)")
    p.add_argument("--temperature", type=float, default=1.0,
                   help="softmax temperature for names (default: 1.0)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default: 0)")
    p.set_defaults(run=cmd_sample)


def cmd_sample(args: argparse.Namespace) -> int:
    """``chainrule sample RUN_DIR``: new names, or sums, from a trained transformer."""
    run = pathlib.Path(args.run_dir)
    try:
        settings = json.loads((run / "metrics.json").read_text())["settings"]
        state = nn.load(run / "model.npz")
    except (OSError, ValueError, KeyError) as exc:
        raise CLIError(f"cannot read the run in {str(run)!r}: {exc}") from None
    if settings.get("data") not in TEXT_DATA:
        raise CLIError(f"{str(run)!r} is a run of {settings.get('model')} on "
                       f"{settings.get('data')}; sample needs a transformer run on "
                       f"{' or '.join(TEXT_DATA)}")
    if args.num <= 0 or args.temperature <= 0:
        raise CLIError("--num and --temperature must be positive")
    task = load_task(settings["data"])
    model = build_text_model(settings, task)
    model.load_state_dict(state)
    if task.name == "names":
        for name in sample_names(model, task, args.num, args.temperature, args.seed):
            print(name)
        return 0
    rng = np.random.default_rng(args.seed)
    x = task.x_test[rng.choice(len(task.x_test), min(args.num, len(task.x_test)), False)]
    nd = task.info["ndigit"]
    out = model.generate(x[:, :2 * nd], nd + 1, greedy=True)
    pow10 = 10 ** np.arange(nd - 1, -1, -1)
    for row, full in zip(x, out):
        a, b = int(row[:nd] @ pow10), int(row[nd:2 * nd] @ pow10)
        c = int(full[2 * nd:] @ (10 ** np.arange(nd + 1)))
        print(f"{a} + {b} = {c}" + ("" if c == a + b else f"   (wrong: {a + b})"))
    return 0
