"""The ``chainrule`` distribution itself: the ``chainrule`` command's entry point and the check
that the ``autograd`` package Python imports is chainrule's.

chainrule's packages are ``autograd``, ``nn`` and ``optim``. The import name ``autograd`` is
also that of the unrelated HIPS autograd on PyPI, and the two cannot share an environment:
``pip install autograd`` after chainrule writes HIPS's files into chainrule's ``autograd/``
(replacing its ``__init__.py``), and with an editable install of chainrule, HIPS's copy in
site-packages comes first on ``sys.path``. Either way ``import nn`` would fail deep inside with
``cannot import name 'Tensor'``; :func:`check_autograd` (run by ``nn`` and ``optim`` when they
are imported, and by the command before anything else) says instead, in one line, what
happened and how to fix it.
"""

from __future__ import annotations

import importlib.metadata
import pathlib
import sys
from collections.abc import Sequence

__all__ = ["check_autograd", "main"]

_FIX = (
    "chainrule and HIPS autograd share the import name 'autograd', so they cannot share an "
    "environment: install chainrule in a virtual environment of its own "
    "(python -m venv .venv && .venv/bin/pip install chainrule)"
)


def _foreign_autograd_message(location: str) -> str:
    """The one-line error for a foreign ``autograd`` found at ``location``."""
    try:
        who = f"HIPS autograd {importlib.metadata.version('autograd')}"
    except importlib.metadata.PackageNotFoundError:
        who = "another package named 'autograd'"
    # HIPS installed over chainrule's wheel leaves chainrule's own modules beside its files.
    if (pathlib.Path(location).parent / "engine.py").is_file():
        how = "was installed over chainrule's autograd/, replacing its __init__.py"
    else:
        how = "comes before chainrule's on sys.path"
    return f"the 'autograd' imported from {location} is not chainrule's: {who} {how}; {_FIX}"


def check_autograd() -> None:
    """Raise ``ImportError`` (one line) unless ``import autograd`` gives chainrule's autograd.

    chainrule's ``autograd/__init__.py`` sets ``autograd.__chainrule__ = True``; any other
    module of that name lacks the marker.
    """
    try:
        import autograd
    except ImportError as exc:  # a foreign autograd that does not even import
        raise ImportError(
            f"'import autograd' failed ({exc}); if HIPS autograd is installed here: {_FIX}",
            name="autograd",
        ) from None
    if getattr(autograd, "__chainrule__", False) is not True:
        where = getattr(autograd, "__file__", None) or repr(autograd)
        raise ImportError(_foreign_autograd_message(str(where)), name="autograd")


def main(argv: Sequence[str] | None = None) -> int:
    """The ``chainrule`` command: :func:`nn.cli.main` after :func:`check_autograd`.

    A foreign ``autograd`` ends the command with its one-line message on stderr and exit
    status 1, never a traceback (the console script's ``import`` of this module imports
    nothing of ``autograd``, ``nn`` or ``optim``).
    """
    try:
        check_autograd()
        from nn.cli import main as cli_main
    except ImportError as exc:
        print(f"chainrule: error: {exc}", file=sys.stderr)
        return 1
    return cli_main(argv)
