"""torch's module paths that this package answers under its own names.

The name map puts ``autograd`` where ``torch`` stands, and this package is
``torch.autograd`` too (``autograd.autograd`` is the package itself), so torch's
``from torch.autograd import Function`` reads ``from autograd.autograd import Function``
and ``from torch.autograd.functional import jacobian`` reads
``from autograd.autograd.functional import jacobian``. :func:`install` makes those import:
``autograd.autograd`` is the package, and ``autograd.autograd.X`` the module
``autograd.X`` itself (one module object, never a second copy of its file).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Any

_PREFIX = "autograd.autograd."


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``autograd.autograd.X`` as the already importable ``autograd.X``."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.startswith(_PREFIX):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> ModuleType:
        return importlib.import_module("autograd." + spec.name[len(_PREFIX):])

    def exec_module(self, module: ModuleType) -> None:
        pass  # the module ran when it was imported under its own name


def install(package: ModuleType) -> None:
    """Register ``autograd.autograd`` (the package) and the finder of its submodules."""
    sys.modules.setdefault(package.__name__ + ".autograd", package)
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
