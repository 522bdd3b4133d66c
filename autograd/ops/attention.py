"""Scaled dot-product attention as one fused primitive, with its own VJP.

softmax(s·Q Kᵀ + M) V in one node instead of five (matmul, scale, mask add, softmax,
matmul): the backward keeps only Q, K, V and the attention weights P, and the mask M is a
constant (an additive float array: 0 where a pair takes part, −inf where it may not).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import check_same_device, device_of, xp_of
from autograd.graph import Node
from autograd.ops.record import nary
from autograd.tensor import Tensor

_CAUSAL: dict = {}  # (L, S, dtype, device) → the read-only additive causal mask, built once


def causal_bias(n_l: int, n_s: int, dtype: Any, like: Any = None) -> Any:
    """The additive causal mask (L, S): 0 on and below the diagonal, −inf above (a query
    at position i sees keys 0 … i), on the device of the array ``like`` (the host without
    one). Cached per (L, S, dtype, device); read-only (on the host, where NumPy can say so)."""
    where = None if like is None or like.__class__ is np.ndarray else device_of(like)
    key = (n_l, n_s, np.dtype(dtype), where)
    bias = _CAUSAL.get(key)
    if bias is None:
        xp = np if where is None else xp_of(like)  # made there: no copy from the host
        bias = xp.where(xp.tril(xp.ones((n_l, n_s), dtype=bool)), 0.0, -np.inf).astype(dtype)
        if where is None:
            bias.flags.writeable = False
        _CAUSAL[key] = bias
    return bias


def _keys_first(mask: Any) -> Any:
    """The additive mask (…, L, S) as a (…, S, L) view (a 1-D mask (S,) as (S, 1))."""
    return None if mask is None else (mask if mask.ndim >= 2 else mask.reshape(1, -1)
                                      ).swapaxes(-1, -2)


class AttentionBackward(Node):
    """O = P V,  P = softmax(S) along the keys,  S = s·Q Kᵀ + M  (M constant);
    dV = Pᵀ g,  dP = g Vᵀ,  dS = P ⊙ (dP − Σ_keys dP ⊙ P),  dQ = s·dS K,  dK = s·dSᵀ Q.
    Everything in the keys-first layout Pᵀ (…, S, L): the sums over the keys then run down
    the rows, which NumPy vectorises (along the short contiguous rows of P (…, L, S) its
    max and sum are ~10× slower), and the GEMMs take the transposes as views."""

    def vjp(self, g, xp):
        q, k, v = self.inputs(xp)
        scale, mask, live = self.meta
        eq, ek, ev = self.edges
        if xp.raw:
            pt = self.cached()
        else:  # Pᵀ as a function of Q and K, so second derivatives see it move
            st = xp.matmul(k, xp.swap_last(q * scale))
            if mask is not None:
                st = st + _keys_first(mask)
            if live is not None:  # fully masked queries: P = 0 there (see ``attention``)
                st = xp.where(live, st, 0.0)
            pt = xp.softmax(st, -2)
            if live is not None:
                pt = pt * live.astype(pt.dtype)
        gq = gk = gv = None
        if ev is not None:
            gv = xp.matmul(pt, g)
        if eq is not None or ek is not None:
            dpt = xp.matmul(v, xp.swap_last(g))
            dst = pt * (dpt - xp.sum(dpt * pt, -2, True))
            if eq is not None:
                gq = xp.matmul(xp.swap_last(dst), k) * scale
            if ek is not None:
                gk = xp.matmul(dst, q) * scale
        return gq, gk, gv


def attention(query: Tensor, key: Tensor, value: Tensor, mask: np.ndarray | None = None,
              scale: float = 1.0) -> Tensor:
    """softmax(scale · Q Kᵀ + mask) V for Q (…, L, E), K (…, S, E), V (…, S, Ev) with the
    same batch dimensions → (…, L, Ev). ``mask`` is a constant additive float array that
    broadcasts to (…, L, S) without enlarging it (0 / −inf for a bool mask)."""
    q, k, v = query._data, key._data, value._data
    batch = q.shape[:-2]
    if q.ndim < 2 or k.shape[:-2] != batch or v.shape[:-2] != batch \
            or k.shape[-1] != q.shape[-1] or v.shape[-2] != k.shape[-2]:
        raise RuntimeError(f"attention: query {q.shape}, key {k.shape} and value {v.shape} do "
                           f"not fit (need (…, L, E), (…, S, E), (…, S, Ev), same batch dims)")
    # the scores transposed, Sᵀ = K (s·Q)ᵀ (…, S, L): softmax down the columns (see the VJP)
    if k.__class__ is not q.__class__ or v.__class__ is not q.__class__ or (
            mask is not None and mask.__class__ is not q.__class__):  # torch's error, no copy
        check_same_device(q, k, v, mask)
    st = np.matmul(k, (q * q.dtype.type(scale)).swapaxes(-1, -2))
    if mask is not None:
        st += _keys_first(mask)  # in place: the scores' shape is the broadcast shape
    # softmax along the keys in place on the fresh scores (shifted by each query's max)
    top = st.max(axis=-2, keepdims=True)
    live = None
    if mask is not None:
        # a query whose keys are all masked (−inf) attends to nothing: P = 0, output 0, as
        # torch's SDPA (its _safe_softmax), not the NaN of 0/0
        live = top != -np.inf
        if live.all():
            live = None
        else:
            top = np.where(live, top, 0.0)
    st -= top
    pt = np.exp(st, out=st)
    den = pt.sum(axis=-2, keepdims=True)
    if live is not None:
        den[~live] = 1.0
    pt /= den
    out = np.matmul(pt.swapaxes(-1, -2), v)
    return nary(AttentionBackward, out, (query, key, value), saved=(query, key, value),
                meta=(scale, mask, live), cache=pt)
