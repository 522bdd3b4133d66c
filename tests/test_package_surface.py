"""After a bare ``import autograd, nn, optim`` every public name resolves, the ones
loaded on first use (``autograd/lazy.py``) included, as torch's do after ``import torch``
(``torch.distributed``, ``torch.optim.lr_scheduler``...).

Run in a fresh interpreter: in the test session another test has long since imported the
submodules, which makes them attributes of their package whatever the package does.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

# submodules a program names through its package, as it would torch's
SUBMODULES = {
    "autograd": ("distributed", "functional", "viz", "cuda", "linalg", "checkpoint", "utils",
                 "testing"),
    "nn": ("functional", "init", "utils", "data", "parallel"),
    "optim": ("lr_scheduler",),
}


def test_every_public_name_resolves_after_a_bare_import() -> None:
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import autograd, nn, optim\n"
        "missing = []\n"
        f"for name, subs in {SUBMODULES!r}.items():\n"
        "    pkg = sys.modules[name]\n"
        "    for attr in (*subs, *pkg.__all__, *dir(pkg)):\n"
        "        if not hasattr(pkg, attr):\n"
        "            missing.append(f'{name}.{attr}')\n"
        "print(' '.join(missing))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"not resolvable after the import: {out.stdout}"


def test_distributed_loads_without_mpi() -> None:
    # naming ag.distributed must not start MPI: mpi4py is imported by init_process_group
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import autograd as ag\n"
        "assert callable(ag.distributed.init_process_group)\n"
        "assert not ag.distributed.is_initialized()\n"
        "print('mpi4py' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
