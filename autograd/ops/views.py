"""Views in a graph, as torch's: replaying a view on its base, and writing through it.

A view (basic indexing, transpose/permute, reshape/view, expand, diagonal) made while grad
mode is on
carries its *chain*: the steps that make it from its base, the tensor owning the memory
(``_links`` on the view; ``tensor._view`` records it). Two things need it:

* A recorded in-place change of the base rewrites the base's history, so every live view
  gets a fresh node, the chain replayed on the base's new node (torch regenerates a view's
  ``grad_fn`` the same way): ``z = y.t(); y.mul_(v)`` gives ``z`` the gradient through
  ``v``, where the old node would silently have left it out.
* A recorded in-place change of a view is the base with the view's region replaced,
  ``base' = copy_slices(base, chain, v')`` (torch's ``CopySlices``); then the views are
  replayed on ``base'`` as above. Its VJP: ``d base = g`` with the region set to 0,
  ``d v' = chain(g)``.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from autograd.backend import writeable, xp_of
from autograd.graph import Node
from autograd.ops.record import array_of, nary
from autograd.tensor import Tensor


def chain_array(a: Any, chain: tuple) -> Any:
    """The view of array ``a`` that ``chain`` makes (NumPy views all the way)."""
    for kind, arg in chain:
        if kind == "index":
            a = a[arg]
        elif kind == "permute":
            a = a.transpose(arg[0])
        elif kind == "reshape":
            a = a.reshape(arg[0])
        elif kind == "diagonal":
            a = xp_of(a).diagonal(a, *arg)
            try:
                a.flags.writeable = True  # NumPy's diagonal is a read-only view
            except (AttributeError, ValueError):
                pass
        else:  # expand
            a = xp_of(a).broadcast_to(a, arg)
    return a


# Steps made by view ops of family modules above this one (``rearrange.diagonal``), which
# register their recorded op here: this module imports none of them (no import cycle).
STEP_OPS: dict[str, Any] = {}


def chain_tensor(t: Tensor, chain: tuple) -> Tensor:
    """The view of tensor ``t`` that ``chain`` makes, recorded (each step its own node)."""
    from autograd.ops.broadcast import broadcast_to
    from autograd.ops.select import getitem
    from autograd.ops.shape import _permute, _reshape

    for kind, arg in chain:
        if kind == "index":
            t = getitem(t, arg)
        elif kind == "permute":
            t = _permute(t, arg[0], arg[1])
        elif kind == "reshape":
            t = _reshape(t, arg[0], arg[1])
        elif kind in STEP_OPS:  # a view op of a family module that registered itself
            t = STEP_OPS[kind](t, *arg)
        else:
            t = broadcast_to(t, arg)
    return t


def view_chain(g: Any, chain: tuple) -> Any:
    """``chain`` applied to a gradient: arrays are copied out of the view, tensors recorded."""
    if isinstance(g, Tensor):
        return chain_tensor(g, chain)
    return chain_array(g, chain).copy()


class CopySlicesBackward(Node):
    """y = x with chain(y) = v;  dx = g with chain(dx) = 0,  dv = sum_to(chain(g), v.shape)."""

    def vjp(self, g, xp):
        chain, vshape, vdtype = self.meta
        ex, ev = self.edges
        gx = xp.copy_slices(g, chain, 0.0) if ex is not None else None
        gv = None
        if ev is not None:
            gv = xp.view_chain(g, chain)
            if gv.shape != vshape:
                gv = xp.sum_to(gv, vshape)
            if gv.dtype != vdtype:
                gv = xp.astype(gv, vdtype)
        return gx, gv


def copy_slices_array(x: Any, chain: tuple, value: Any) -> Any:
    out = x.copy()
    chain_array(out, chain)[...] = value
    return out


def copy_slices(x: Tensor, chain: tuple, value: Any) -> Tensor:
    """``x`` with the view ``chain`` makes of it overwritten by ``value`` (out of place)."""
    v = array_of(value)
    out = x._data.copy()
    region = chain_array(out, chain)
    if not writeable(region):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers "
            "to a single memory location (an in-place op on an expand()ed view). Please "
            "clone() the tensor before performing the operation."
        )
    region[...] = v
    return nary(CopySlicesBackward, out, (x, value),
                meta=(chain, np.shape(v), getattr(v, "dtype", None)))


def refresh_views(root: Tensor) -> None:
    """Give every live view of ``root`` a fresh node: its chain replayed on ``root`` as it
    is now (after a recorded in-place change of ``root``)."""
    refs = getattr(root, "_links", None) if root._base is None else None
    if not refs:
        return
    live = [v for r in refs if (v := r()) is not None]
    root._links = None  # the replays below make views of their own: not kept
    try:
        for v in live:
            y = chain_tensor(root, v._links)
            v._node, v._requires_grad = y._node, y._requires_grad
    finally:
        root._links = [weakref.ref(v) for v in live]
