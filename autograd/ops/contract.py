"""Contractions: einsum (differentiable: each operand's VJP is an einsum of the output
gradient with the other operands) and the BLAS-named matrix products bmm, mm, mv, dot,
addmm and baddbmm (torch's shape rules, built on matmul)."""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, check_same_device, xp_of
from autograd.graph import Away, Node
from autograd.ops.arith import add, mul
from autograd.ops.linalg import matmul
from autograd.ops.rearrange import diagonal
from autograd.ops.record import array_of, nary
from autograd.ops.select import where
from autograd.tensor import Tensor


class EinsumBackward(Node):
    """y = einsum('s_1,...,s_n->o', x_1, ..., x_n);
    dx_i = einsum('o,s_1,..(not s_i)..,s_n->s_i', g, x_j...), with x_i's letters that the
    rest lacks (summed out) broadcast back and its size-1 broadcast dims summed."""

    def vjp(self, g, xp):
        subs, out = self.meta
        xs = self.inputs(xp)
        grads = []
        for i, (e, s) in enumerate(zip(self.edges, subs)):
            if e is None:
                grads.append(None)
                continue
            rest = [out] + [t for j, t in enumerate(subs) if j != i]
            present = set("".join(rest))
            target = "".join(c for c in s if c in present)
            others = [x for j, x in enumerate(xs) if j != i]
            r = xp.einsum(f"{','.join(rest)}->{target}", g, *others)
            shape = tuple(xs[i].shape)
            sizes = dict(zip(target, r.shape))
            r = xp.reshape(r, tuple(sizes.get(c, 1) for c in s))
            mid = tuple(1 if n == 1 else m for n, m in zip(shape, r.shape))
            r = xp.sum_to(r, mid)
            grads.append(xp.broadcast_to(r, shape))
        return tuple(grads)


def _parse(equation: str, ndims: list) -> tuple:
    """Subscripts per operand and of the output, with '...' spelled out as letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        raise RuntimeError(f"einsum(): {len(ins)} operands in the equation {equation!r} but "
                           f"{len(ndims)} given")
    used = set(eq) - set(".,->")
    free = [c for c in string.ascii_letters if c not in used]
    n_ell = max([nd - (len(s) - 3) for s, nd in zip(ins, ndims) if "..." in s] or [0])
    ell = "".join(free[:n_ell])
    subs = []
    for s, nd in zip(ins, ndims):
        if "..." in s:
            k = nd - (len(s) - 3)
            s = s.replace("...", ell[n_ell - k:] if k else "")
        if len(s) != nd:
            raise RuntimeError(f"einsum(): the subscripts {s!r} do not match an operand with "
                               f"{nd} dimensions (equation {equation!r})")
        subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = "".join(subs)
        out = ell + "".join(sorted(c for c in set(counts) - set(ell) if counts.count(c) == 1))
    return subs, out


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation (torch's/NumPy's notation, ellipsis and repeated letters (a
    diagonal) allowed): the product of the operands summed over letters not in the output."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("einsum", einsum, equation, *operands)
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    ops = [t if isinstance(t, Tensor) else Tensor._const(asarray(t)) for t in operands]
    check_same_device(*(t._data for t in ops))
    subs, out = _parse(equation, [t._data.ndim for t in ops])
    for i, s in enumerate(subs):  # a repeated letter within an operand reads its diagonal
        while len(set(s)) < len(s):
            c = next(c for c in s if s.count(c) > 1)
            p = s.index(c)
            q = s.index(c, p + 1)
            ops[i] = diagonal(ops[i], 0, p, q)
            s = s[:p] + s[p + 1:q] + s[q + 1:] + c
        subs[i] = s
    if len(set(out)) < len(out) or set(out) - set("".join(subs)):
        raise RuntimeError(f"einsum(): invalid output subscripts {out!r} in {equation!r}")
    eq = f"{','.join(subs)}->{out}"
    try:
        res = _einsum_array(eq, *[t._data for t in ops])
    except ValueError as err:
        raise RuntimeError(f"einsum(): {err} (equation {equation!r}, shapes "
                           f"{[t._data.shape for t in ops]})") from None
    return nary(EinsumBackward, asarray(res), tuple(ops), saved=tuple(ops),
                meta=(subs, out))


def _einsum_array(eq: str, *arrays: np.ndarray) -> np.ndarray:
    """NumPy's einsum; through BLAS (``optimize``) unless the loop nest is tiny, where
    planning the path costs more (~10 µs) than the naive loops save."""
    sizes = {}
    for subs, a in zip(eq.partition("->")[0].split(","), arrays):
        sizes.update(zip(subs, a.shape))
    work = 1
    for n in sizes.values():
        work *= n
    return np.einsum(eq, *arrays, optimize=len(arrays) > 2 or work > 4096)


def _need(name: str, t: Any, ndim: int) -> None:
    nd = np.ndim(t._data if isinstance(t, Tensor) else t)
    if nd != ndim:
        raise RuntimeError(f"{name}: expected a {ndim}-D tensor, got {nd}-D")


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of (b, n, m) and (b, m, p) tensors (no broadcasting)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("bmm", bmm, input, mat2)
    _need("bmm", input, 3)
    _need("bmm", mat2, 3)
    a, b = input._data.shape, mat2._data.shape
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(f"bmm: shapes {a} and {b} do not fit (need (b, n, m) @ (b, m, p))")
    return matmul(input, mat2)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of (n, m) and (m, p) tensors."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("mm", mm, input, mat2)
    _need("mm", input, 2)
    _need("mm", mat2, 2)
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix–vector product of an (n, m) and an (m,) tensor."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("mv", mv, input, vec)
    _need("mv", input, 2)
    _need("mv", vec, 1)
    return matmul(input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of one size (0-d result)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("dot", dot, input, other)
    na, nb = np.ndim(input._data), np.ndim(other._data)
    if na != 1 or nb != 1:
        raise RuntimeError(f"1D tensors expected, but got {na}D and {nb}D tensors")
    if input._data.shape != other._data.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.size}] "
                           f"and src [{other._data.size}] to have the same number of elements")
    return matmul(input, other)


def _scaled_sum(input: Any, prod: Tensor, beta: float, alpha: float) -> Tensor:
    """beta · input + alpha · prod; input is ignored when beta = 0 (NaN in it too). For
    integer tensors torch converts beta and alpha to the integer type (0.5 → 0): so here."""
    kind = getattr(array_of(input), "dtype", None)
    kind = np.asarray(input).dtype.kind if kind is None else kind.kind
    if prod._data.dtype.kind in "iu" and kind in "biu":
        beta, alpha = int(beta), int(alpha)
    p = prod if alpha == 1 else mul(prod, alpha)
    if beta == 0:
        if not (isinstance(input, Tensor) and input.requires_grad):
            return p
        # torch gives input a zero gradient (not none); where() keeps NaN out of the sum
        none = xp_of(input._data).zeros(input._data.shape, bool)
        out = add(p, where(none, input, 0))
        if out._data.shape != prod._data.shape:
            raise RuntimeError(f"the input of shape {input._data.shape} does not broadcast "
                               f"to the product's shape {prod._data.shape}")
        return out
    x = input if beta == 1 else mul(input, beta)
    out = add(x, p)
    if out._data.shape != prod._data.shape:
        raise RuntimeError(f"the input of shape {np.shape(input._data)} does not broadcast "
                           f"to the product's shape {prod._data.shape}")
    return out


def addmm(input: Any, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1
          ) -> Tensor:
    """beta · input + alpha · (mat1 @ mat2), input broadcast to the product's shape."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("addmm", addmm, input, mat1, mat2, beta=beta, alpha=alpha)
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def baddbmm(input: Any, batch1: Tensor, batch2: Tensor, *, beta: float = 1,
            alpha: float = 1) -> Tensor:
    """beta · input + alpha · bmm(batch1, batch2)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("baddbmm", baddbmm, input, batch1, batch2, beta=beta, alpha=alpha)
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def addmv(input: Any, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1
          ) -> Tensor:
    """beta · input + alpha · (mat @ vec)."""
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("addmv", addmv, input, mat, vec, beta=beta, alpha=alpha)
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


# The differentiable ops of this family (each has registry cases).
PUBLIC = [
    "einsum", "bmm", "mm", "mv", "dot", "addmm", "baddbmm", "addmv",
]

METHODS = {"bmm": bmm, "mm": mm, "mv": mv, "dot": dot, "addmm": addmm, "baddbmm": baddbmm,
           "addmv": addmv}
