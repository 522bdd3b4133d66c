"""The VJP vocabulary: every name a vector-Jacobian product may call as ``xp.name``.

One table, ``name -> (array function, tensor function)``. On the fast path a VJP gets
``xp = RAW`` and the array function runs (NumPy arrays in and out); under
``create_graph=True`` it gets ``xp = GRAPH`` and the tensor function runs (a recorded,
differentiable op), so the same VJP lines give first and higher derivatives. Anything
else a VJP needs it does with Tensor/array operators (``+ - * / ** @``, ``.T``), which
both kinds share. The table is the whole dependency of the VJPs on other ops: a name
used in a VJP and missing here fails the vocabulary test (tests/autograd/test_registry.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd.graph import install_vocabulary
from autograd.ops.activations import _softplus_array, softplus
from autograd.ops.along import _gather_tensor, gather_array, put_along, put_along_array
from autograd.ops.bessel import i0, i0_array, i0e, i0e_array, i1, i1_array, i1e, i1e_array
from autograd.ops.broadcast import broadcast_to, sum_to, sum_to_array
from autograd.ops.contract import _einsum_array, einsum
from autograd.ops.dense import _solve_matrix, inv, inv_array, solve_array
from autograd.ops.elementary import exp2
from autograd.ops.gamma import (
    digamma,
    digamma_array,
    polygamma,
    polygamma_array,
    zeta,
    zeta_pair_array,
)
from autograd.ops.information import xlog1py, xlog1py_array, xlogy, xlogy_array
from autograd.ops.linalg import _swap_last_array, _swap_last_tensor, matmul
from autograd.ops.loss import _softmax_tensor
from autograd.ops.matrix_functions import matrix_exp, matrix_exp_array
from autograd.ops.pool import _spread_array, _spread_tensor
from autograd.ops.products import _pad_array, _pad_tensor
from autograd.ops.rearrange import _roll_array, _roll_tensor
from autograd.ops.reduce import _mean_array, _sum_array, mean, softmax_array, sum
from autograd.ops.resample import resample, resample_array
from autograd.ops.scan import cumprod, rcumsum, rcumsum_array
from autograd.ops.select import _where_tensor, index_add, index_add_array
from autograd.ops.shape import (
    _permute_array,
    _permute_tensor,
    _reshape_array,
    _reshape_tensor,
    cat,
    stack,
)
from autograd.ops.special import erf, erf_array
from autograd.ops.triangular import (
    _cholesky_solve_raw,
    _cholesky_solve_tensor,
    _solve_triangular_tensor,
    solve_triangular_array,
)
from autograd.ops.unary import (
    _astype_array,
    _rsub_inplace_array,
    _rsub_tensor,
    _sigmoid_array,
    astype,
    cos,
    exp,
    log,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
)
from autograd.ops.views import chain_array, copy_slices, copy_slices_array, view_chain
from autograd.ops.window import _col2im_tensor, _im2col_tensor, col2im_array, im2col_array

VOCABULARY: dict[str, tuple[Callable, Callable]] = {
    # elementwise
    "exp": (np.exp, exp),
    "log": (np.log, log),
    "sqrt": (np.sqrt, sqrt),
    "exp2": (np.exp2, exp2),
    "sin": (np.sin, sin),
    "cos": (np.cos, cos),
    "tanh": (np.tanh, tanh),
    "sigmoid": (_sigmoid_array, sigmoid),
    "relu": (lambda x: np.maximum(x, 0), relu),
    "erf": (erf_array, erf),
    "digamma": (digamma_array, digamma),
    "polygamma": (polygamma_array, polygamma),  # xp.polygamma(n, x)
    "zeta": (zeta_pair_array, zeta),  # Hurwitz ζ(x, q), broadcast
    "i0": (i0_array, i0),  # the modified Bessel functions (ops/bessel.py)
    "i0e": (i0e_array, i0e),
    "i1": (i1_array, i1),
    "i1e": (i1e_array, i1e),
    "xlogy": (xlogy_array, xlogy),  # x ln y, 0 where x = 0
    "xlog1py": (xlog1py_array, xlog1py),
    "softplus": (_softplus_array, softplus),
    "rsub_": (_rsub_inplace_array, _rsub_tensor),  # c - x, in place on a fresh array
    "astype": (_astype_array, astype),
    "where": (np.where, _where_tensor),
    # reductions and broadcasting
    "sum": (_sum_array, sum),
    "mean": (_mean_array, mean),
    "sum_to": (sum_to_array, sum_to),
    "broadcast_to": (np.broadcast_to, broadcast_to),
    "softmax": (softmax_array, _softmax_tensor),
    # shape and indexing
    "reshape": (_reshape_array, _reshape_tensor),
    "permute": (_permute_array, _permute_tensor),
    "roll": (_roll_array, _roll_tensor),  # cyclic shift along dims
    "swap_last": (_swap_last_array, _swap_last_tensor),
    "index_add": (index_add_array, index_add),
    "copy_slices": (copy_slices_array, copy_slices),  # x with a view's region overwritten
    "view_chain": (lambda g, chain: chain_array(g, chain).copy(), view_chain),
    "gather": (gather_array, _gather_tensor),  # x read at index along dim
    "put_along": (put_along_array, put_along),  # gather's adjoint: scatter-add into zeros
    "pad": (_pad_array, _pad_tensor),  # constant padding, (before, after) per dim
    "cat": (lambda xs, axis: np.concatenate(xs, axis), cat),
    "stack": (lambda xs, axis: np.stack(xs, axis), stack),
    # scans
    "rcumsum": (rcumsum_array, rcumsum),  # Σ_{i ≥ k} g_i, cumsum's adjoint
    "cumprod": (np.cumprod, cumprod),
    # linear algebra and windows
    "matmul": (np.matmul, matmul),
    "inv": (inv_array, inv),  # square matrices' inverses
    "solve": (solve_array, _solve_matrix),  # A⁻¹ B for matrices B
    # tri(A)⁻¹ B, (A, B, upper, left, unitriangular) (ops/triangular.py)
    "solve_triangular": (solve_triangular_array, _solve_triangular_tensor),
    "cholesky_solve": (_cholesky_solve_raw, _cholesky_solve_tensor),  # (B, L, upper)
    "matrix_exp": (matrix_exp_array, matrix_exp),
    "einsum": (_einsum_array, einsum),
    "im2col": (im2col_array, _im2col_tensor),
    "col2im": (col2im_array, _col2im_tensor),
    "pool_spread": (_spread_array, _spread_tensor),
    "resample": (resample_array, resample),  # one axis's sparse linear map (ops/resample.py)
}

install_vocabulary(VOCABULARY)
