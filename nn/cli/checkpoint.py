"""A run's ``checkpoint.npz``: everything ``chainrule train --resume`` needs to continue a run
exactly as if it had never stopped.

It is one :func:`nn.save` structure: the state at the end of the last finished epoch —
``model`` (state_dict), ``optimizer`` and ``scheduler`` (their state_dicts; None without a
scheduler), ``epoch`` (finished epochs), ``rng`` (the global generator's state, taken before
the next epoch's shuffle), ``history`` (the finished epochs' figures), ``settings`` and
``train_time_s`` — plus ``format``/``version`` tags. An interrupt mid-epoch drops that
epoch's partial work from the checkpoint (``model.npz`` still holds it), so that resuming
replays the epoch from its start with the same shuffle.
"""

from __future__ import annotations

import pathlib
from dataclasses import asdict
from typing import Any

import autograd as ag
import nn
from nn.cli.common import CLIError
from nn.training import EpochStats, History

__all__ = ["FORMAT", "get_rng_state", "read", "restore", "set_rng_state", "snapshot"]

FORMAT = "chainrule.checkpoint"
VERSION = 1


def get_rng_state() -> Any:
    """The state of the default generator behind init, dropout and the DataLoader's shuffle
    (``ag.get_rng_state()``: a uint8 Tensor, saved as an array)."""
    return ag.get_rng_state()


def set_rng_state(state: Any) -> None:
    """Restore :func:`get_rng_state`'s result."""
    ag.set_rng_state(state)


def snapshot(model: Any, optimizer: Any, scheduler: Any, history: History,
             settings: dict[str, Any], train_time_s: float) -> dict[str, Any]:
    """The checkpoint structure for the current state (copies: safe to keep while training
    goes on)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "epoch": len(history),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "rng": get_rng_state(),
        "history": [asdict(e) for e in history.epochs],
        "settings": dict(settings),
        "train_time_s": float(train_time_s),
    }


def read(run: pathlib.Path) -> dict[str, Any]:
    """The checkpoint of the run folder ``run``; a CLIError saying what is wrong if none."""
    path = run / "checkpoint.npz"
    if not run.is_dir():
        raise CLIError(f"--resume {str(run)!r}: no such run folder")
    try:
        ckpt = nn.load(path)
    except FileNotFoundError:
        raise CLIError(f"--resume {str(run)!r}: no checkpoint.npz in it (only runs of this "
                       "chainrule version or later can be resumed)") from None
    except (OSError, ValueError) as exc:
        raise CLIError(f"--resume {str(run)!r}: {exc}") from None
    keys = {"format", "version", "epoch", "model", "optimizer", "scheduler", "rng",
            "history", "settings", "train_time_s"}
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT or not keys <= ckpt.keys():
        raise CLIError(f"--resume {str(run)!r}: checkpoint.npz is not a chainrule train "
                       "checkpoint")
    if ckpt["version"] != VERSION:
        raise CLIError(f"--resume {str(run)!r}: checkpoint version {ckpt['version']} is not "
                       f"supported (this chainrule reads version {VERSION})")
    return ckpt


def restore(ckpt: dict[str, Any], model: Any, optimizer: Any, scheduler: Any) -> History:
    """Load the checkpoint's states into freshly built objects; return its history."""
    try:
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(ckpt["scheduler"])
        set_rng_state(ckpt["rng"])
        return History([EpochStats(**e) for e in ckpt["history"]])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise CLIError(f"the checkpoint does not fit the run's model: {exc}") from None
