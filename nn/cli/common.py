"""What every ``chainrule`` subcommand shares: exit statuses, the one-line error, option
types, the version string and the BLAS thread cap."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from autograd.threads import num_threads

__all__ = ["CLIError", "EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_USAGE", "PROG", "Parser",
           "blas_threads", "float_type", "positive_int", "version"]

PROG = "chainrule"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class CLIError(Exception):
    """A failure to report as one line on stderr, with exit status ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``chainrule train: error: ... (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def positive_int(text: str) -> int:
    """argparse type: an integer ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def float_type(minimum: float, strict: bool) -> Callable[[str], float]:
    """argparse type: a finite float ≥ ``minimum`` (> with ``strict``)."""
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


def version() -> str:
    """The installed distribution's version, or a note when running from a checkout."""
    try:
        from importlib.metadata import version as dist_version

        return dist_version("chainrule")
    except Exception:  # not installed: running from a checkout
        return "(not installed)"


def blas_threads(n: int) -> Any:
    """Cap NumPy's BLAS at ``n`` threads while a command runs (``n <= 0``: leave it alone).

    The matrices here are small, so threads buy little, and on a machine whose cores are
    busy a multi-threaded BLAS spins and waits: a digits CNN step measured 15x slower with
    OpenBLAS's default threads than with one. Results are reproducible for a given seed and
    thread count (a multi-threaded BLAS splits float32 sums differently).
    """
    return num_threads(n)
