"""Calls of torch's other names (autograd/ops/torch_names.py), written once against a
module namespace ``L`` (``autograd`` here; ``torch`` in the scratch script that computed
torch_values_names.py), on three fixed (2, 4) inputs: A with a NaN and ties, B random,
C with ties. tests/autograd/test_torch_names.py compares values, dtypes and gradients."""

from __future__ import annotations

import numpy as np

A = np.array([[1.0, 3.0, 3.0, np.nan], [2.0, 0.0, -1.0, -1.0]])
B = np.random.default_rng(0).standard_normal((2, 4))
C = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 0.0, -1.0, -1.0]])

# each: lambda L, a, b, c -> a tensor or a tuple of tensors
CASES = {
 "add_alpha": lambda L, a, b, c: L.add(a, b, alpha=2),
 "sub_alpha": lambda L, a, b, c: L.sub(b, c, alpha=0.5),
 "subtract": lambda L, a, b, c: L.subtract(b, 2.0),
 "mul": lambda L, a, b, c: L.mul(b, c),
 "multiply": lambda L, a, b, c: L.multiply(b, 3),
 "true_divide": lambda L, a, b, c: L.true_divide(b, c + 5),
 "negative": lambda L, a, b, c: L.negative(b),
 "absolute": lambda L, a, b, c: L.absolute(c),
 "reciprocal": lambda L, a, b, c: L.reciprocal(b),
 "clip": lambda L, a, b, c: L.clip(b, -0.5, 0.5),
 "clamp_min": lambda L, a, b, c: L.clamp_min(b, 0.1),
 "clamp_max": lambda L, a, b, c: L.clamp_max(b, 0.1),
 "amax1": lambda L, a, b, c: L.amax(c, 1),
 "amax_all": lambda L, a, b, c: L.amax(c),
 "amin0k": lambda L, a, b, c: L.amin(c, 0, keepdim=True),
 "amax_tuple": lambda L, a, b, c: L.amax(c, (0, 1)),
 "amax_nan": lambda L, a, b, c: L.amax(a, 1),
 "aminmax": lambda L, a, b, c: L.aminmax(c, dim=1),
 "nansum": lambda L, a, b, c: L.nansum(a, 1),
 "nansum_all": lambda L, a, b, c: L.nansum(a),
 "nanmean": lambda L, a, b, c: L.nanmean(a, 1),
 "nanmean_k": lambda L, a, b, c: L.nanmean(a, 0, keepdim=True),
 "count_nonzero": lambda L, a, b, c: L.count_nonzero(c, 1),
 "logaddexp": lambda L, a, b, c: L.logaddexp(b, c),
 "logaddexp2": lambda L, a, b, c: L.logaddexp2(b, c),
 "hstack": lambda L, a, b, c: L.hstack([b, c]),
 "vstack": lambda L, a, b, c: L.vstack([b[0], c[1]]),
 "dstack": lambda L, a, b, c: L.dstack([b, c]),
 "column_stack": lambda L, a, b, c: L.column_stack([b[0], c[1]]),
 "swapaxes": lambda L, a, b, c: L.swapaxes(b, 0, 1),
 "ravel": lambda L, a, b, c: L.ravel(b.t()),
 "narrow": lambda L, a, b, c: L.narrow(b, 1, 1, 2),
 "narrow_neg": lambda L, a, b, c: L.narrow(b, -1, -3, 2),
 "select": lambda L, a, b, c: L.select(b, 1, -1),
 "unfold": lambda L, a, b, c: b.unfold(1, 2, 1),
 "unfold_step": lambda L, a, b, c: b.unfold(1, 3, 2),
 "unfold0": lambda L, a, b, c: b.unfold(0, 1, 1),
 "diff": lambda L, a, b, c: L.diff(b),
 "diff2": lambda L, a, b, c: L.diff(b, n=2, dim=1, prepend=c[:, :1]),
 "diff0": lambda L, a, b, c: L.diff(b, dim=0, append=c),
 "meshgrid_ij": lambda L, a, b, c: L.meshgrid(b[0], c[1, :3], indexing="ij"),
 "meshgrid_xy": lambda L, a, b, c: L.meshgrid(b[0], c[1, :3], indexing="xy"),
 "broadcast_tensors": lambda L, a, b, c: L.broadcast_tensors(b[:1], c),
 "expand_as": lambda L, a, b, c: b[:1].expand_as(c),
 "view_as": lambda L, a, b, c: b.view_as(c.reshape(4, 2)),
 "reshape_as": lambda L, a, b, c: b.t().reshape_as(c),
 "atleast_3d": lambda L, a, b, c: L.atleast_3d(b),
}


def run(L, name: str) -> tuple:
    """(output arrays, output dtype names, gradients of A, B, C or None) of Σ out·R."""
    ts = [L.tensor(x, requires_grad=True) for x in (A, B, C)]
    out = CASES[name](L, *ts)
    outs = list(out) if isinstance(out, tuple) else [out]
    weights = np.random.default_rng(1)
    loss = None
    for o in outs:
        if o.is_floating_point():
            term = (o * L.tensor(weights.standard_normal(tuple(o.shape)))).nansum()
            loss = term if loss is None else loss + term
    grads = [None, None, None]
    if loss is not None and loss.requires_grad:
        loss.backward()
        grads = [None if t.grad is None else t.grad.numpy() for t in ts]
    return ([o.detach().numpy() for o in outs], [str(o.dtype).split(".")[-1] for o in outs],
            grads)
