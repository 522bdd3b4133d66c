"""The calls tests/nn/test_added_values.py runs through chainrule and compares with torch's
answers (``EXPECTED`` in torch_values_added.py, computed once with torch 2.13 by a scratch
script that runs this same table with ``torch``, ``torch.nn`` and ``torch.nn.functional``).

Each entry is ``name: (fn, inputs)``: ``fn(k, *tensors)`` with ``k`` a kit (``k.m`` the
tensor library, ``k.nn``, ``k.F``, ``k.fill(module)`` setting a module's parameters to
fixed values so both libraries hold the same numbers); ``inputs`` are float64 arrays (given
requires_grad) or integer arrays (constants)."""

from __future__ import annotations

from typing import Any

import numpy as np


def R(*shape: int, seed: int = 0, lo: float | None = None, hi: float | None = None
      ) -> np.ndarray:
    """A fixed float64 array: standard normal, or uniform on [lo, hi)."""
    rng = np.random.default_rng(seed)
    if lo is not None:
        return rng.uniform(lo, hi, shape)
    return rng.standard_normal(shape)


def Ints(*values: Any) -> np.ndarray:
    return np.array(values, dtype=np.int64)


class Kit:
    """The library a spec runs on, and the parameters ``fill`` set (their gradients are
    compared too)."""

    def __init__(self, m: Any, nn: Any, F: Any) -> None:
        self.m, self.nn, self.F = m, nn, F
        self.params: list = []

    def fill(self, module: Any, seed: int = 7) -> Any:
        """Set every parameter (in named_parameters order) to fixed values in float64."""
        module = module.double()
        rng = np.random.default_rng(seed)
        with self.m.no_grad():
            for _, p in module.named_parameters():
                p.copy_(self.m.tensor(rng.uniform(-0.6, 0.6, tuple(p.shape))))
                self.params.append(p)
        return module

    def t(self, a: Any, **kw: Any) -> Any:
        return self.m.tensor(np.asarray(a), **kw)


def _outputs(out: Any) -> list:
    stack, flat = [out], []
    while stack:
        o = stack.pop(0)
        if isinstance(o, (tuple, list)):
            stack[:0] = list(o)
        elif o is not None:
            flat.append(o)
    return flat


def run(kit: Kit, name: str) -> dict:
    """Outputs (values, dtypes, shapes) and the gradients of Σᵢ Σ outᵢ ⊙ cos(1, 2, 3, ...)
    with respect to the float inputs and the filled parameters."""
    fn, data = SPEC[name]
    m = kit.m
    xs = [m.tensor(d, requires_grad=True) if np.issubdtype(d.dtype, np.floating)
          else m.tensor(d) for d in data]
    outs = _outputs(fn(kit, *xs))
    res = {"values": [o.detach().numpy().tolist() for o in outs],
           "dtypes": [str(o.dtype).replace("torch.", "") for o in outs],
           "shapes": [list(o.shape) for o in outs]}
    wrt = [x for x in xs if x.requires_grad] + kit.params
    diff = [o for o in outs if o.requires_grad]
    if diff and wrt:
        loss = sum((o * m.tensor(np.cos(np.arange(1.0, o.numel() + 1.0)).reshape(
            tuple(o.shape)))).sum() for o in diff)
        grad = m.autograd.grad if m.__name__ == "torch" else m.grad
        grads = grad(loss, wrt, allow_unused=True)
        res["grads"] = [None if g is None else g.numpy().tolist() for g in grads]
    return res


X234 = R(2, 3, 4)

SPEC: dict = {
    # -- RMSNorm -----------------------------------------------------------------------------
    "rms_norm-weight": (lambda k, x, w: k.F.rms_norm(x, (4,), w), [X234, R(4, seed=1)]),
    "rms_norm-two-axes-eps": (lambda k, x: k.F.rms_norm(x, [3, 4], eps=0.5), [X234]),
    "rms_norm-default-eps-tiny": (lambda k, x: k.F.rms_norm(x * 1e-9, (4,)), [X234]),
    "RMSNorm-default": (lambda k, x: k.fill(k.nn.RMSNorm([3, 4]))(x), [X234]),
    "RMSNorm-eps-no-affine": (lambda k, x: k.nn.RMSNorm(4, 1e-2, False)(x), [X234]),
}
