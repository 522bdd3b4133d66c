"""The check that the ``autograd`` package Python imports is chainrule's.

chainrule's packages are ``autograd``, ``nn`` and ``optim``. The import name ``autograd`` is
also that of the unrelated HIPS autograd on PyPI, and the two cannot share an environment:
``pip install autograd`` after chainrule writes HIPS's files into chainrule's ``autograd/``
(replacing its ``__init__.py``), and with an editable install of chainrule, HIPS's copy in
site-packages comes first on ``sys.path``. Either way ``import nn`` would fail deep inside with
``cannot import name 'Tensor'``; :func:`check_autograd` (importing this module runs it, and
``nn`` imports it first) says instead, in one line, what happened and how to fix it. In the
``chainrule`` command that line is the whole output (exit status 1, no traceback).

This module imports nothing of ``autograd`` at module level: it must work when ``autograd``
is not chainrule's.
"""

from __future__ import annotations

import os
import pathlib
import sys

__all__ = ["check_autograd"]

_FIX = (
    "chainrule and HIPS autograd share the import name 'autograd', so they cannot share an "
    "environment: install chainrule in a virtual environment of its own "
    "(python -m venv .venv && .venv/bin/pip install chainrule)"
)


def _foreign_autograd_message(location: str) -> str:
    """The one-line error for a foreign ``autograd`` found at ``location``."""
    import importlib.metadata  # here, not at the top: it imports email, zipfile, csv (~2 MB)

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


def _foreign(message: str) -> ImportError:
    """The one-line ImportError; inside the ``chainrule`` command, the line and exit 1."""
    if os.path.basename(sys.argv[0]) in ("chainrule", "chainrule.exe"):
        print(f"chainrule: error: {message}", file=sys.stderr)
        raise SystemExit(1)
    return ImportError(message, name="autograd")


def check_autograd() -> None:
    """Raise ``ImportError`` (one line) unless ``import autograd`` gives chainrule's autograd.

    chainrule's ``autograd/__init__.py`` sets ``autograd.__chainrule__ = True``; any other
    module of that name lacks the marker. Run as the ``chainrule`` command, print the line
    and exit with status 1 instead: a console script would show a traceback.
    """
    try:
        import autograd
    except ImportError as exc:  # a foreign autograd that does not even import
        raise _foreign(
            f"'import autograd' failed ({exc}); if HIPS autograd is installed here: {_FIX}"
        ) from None
    if getattr(autograd, "__chainrule__", False) is not True:
        where = getattr(autograd, "__file__", None) or repr(autograd)
        raise _foreign(_foreign_autograd_message(str(where)))


check_autograd()
