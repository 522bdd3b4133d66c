"""The ``chainrule`` command: train, draw and check real models on real data.

Three subcommands (``chainrule`` alone lists them with an example each; ``chainrule CMD
--help`` gives their options):

* ``chainrule train``: train an MLP or a CNN on digits, MNIST-1D or MNIST and write the model,
  a resumable checkpoint, the metrics, the learning curves and the backward graph of one
  batch to ``--out`` (:mod:`nn.cli.train`, :mod:`nn.cli.runs`).
* ``chainrule graph``: draw one forward and backward pass of a fresh or trained model
  (:mod:`nn.cli.graph`).
* ``chainrule gradcheck``: gradcheck and gradgradcheck every registered op and layer
  (:mod:`nn.cli.gradcheck`).

Also runnable as ``python -m nn.cli``. :func:`main` takes an argv list and returns the exit
status, so tests and notebooks can call it in-process. Every error a user can cause (a bad
option, missing data, an unwritable output directory) ends with a one-line message on stderr
and a non-zero status, never a traceback; Ctrl-C saves what was trained and exits with 130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from nn.cli import gradcheck, graph, text, train
from nn.cli.common import (
    EXIT_ERROR,
    EXIT_USAGE,
    PROG,
    CLIError,
    Parser,
    blas_threads,
    version,
)
from nn.cli.gradcheck import max_gradcheck_error
from nn.cli.recipes import DEFAULTS, build_model, build_optimizer
from nn.cli.signals import exit_status

__all__ = ["DEFAULTS", "USAGE", "build_model", "build_optimizer", "main", "make_parser",
           "max_gradcheck_error"]

USAGE = f"""\
usage: {PROG} COMMAND [options]      ({PROG} COMMAND --help for a command's options)

Train, draw and check neural networks built with chainrule's autograd.

commands:
  train      train a model; save it with a checkpoint, metrics, curves and graph
             e.g. {PROG} train                      (an MLP on 8x8 digits, seconds)
                  {PROG} train --resume runs/RUN --epochs 40   (continue a run)
  graph      draw a forward+backward pass with each gradient's size
             e.g. {PROG} graph --model cnn -o cnn.svg
  gradcheck  check every op and layer against finite differences
             e.g. {PROG} gradcheck -q
  sample     print what a trained character transformer writes
             e.g. {PROG} train --model transformer --data names --out runs/names
                  {PROG} sample runs/names

options:
  -h, --help  show this help
  --version   show the version
"""


def make_parser() -> argparse.ArgumentParser:
    """The full ``chainrule`` argument parser (subcommands train, graph, gradcheck, sample)."""
    parser = Parser(prog=PROG, usage=USAGE, add_help=False)
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser, prog=PROG)
    train.add_parser(sub)
    graph.add_parser(sub)
    gradcheck.add_parser(sub)
    text.add_sample_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command with ``argv`` (default ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 on a reported error or failed check, 2 on a usage
        error, 130 when interrupted by Ctrl-C (129 by SIGHUP, 143 by SIGTERM), after
        saving, for ``train``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        # The short help: every command with an example. No command is a usage error.
        print(USAGE, end="", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else EXIT_USAGE
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error: argparse printed it
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        print(USAGE, end="", file=sys.stderr)
        return EXIT_USAGE
    args.argv = argv  # recorded in metrics.json so that a run says how to reproduce it
    try:
        with blas_threads(getattr(args, "threads", 1)):
            return int(args.run(args))
    except CLIError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP during train (130/143/129)
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return exit_status(exc)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error worth a trace.
        # Python's recipe: point stdout at devnull so the flush at exit cannot fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_ERROR
