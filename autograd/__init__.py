"""chainrule's autograd: a reverse-mode automatic differentiation engine on NumPy.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4.])
"""

from __future__ import annotations

import math as _math
import sys as _sys
from collections.abc import Sequence
from typing import Any

# Marks this package as chainrule's: `nn`, `optim` and the `chainrule` command check it, to
# report a foreign `autograd` (HIPS autograd, same import name) in one line.
__chainrule__ = True

from autograd import cuda, functional, linalg, ops, special
from autograd import tensor_meta as tensor_meta  # binds type(), new_zeros(), t()... on Tensor
from autograd import torch_paths as _torch_paths
from autograd.autocast_mode import (
    autocast,
    clear_autocast_cache,
    get_autocast_dtype,
    is_autocast_cache_enabled,
    is_autocast_enabled,
)
from autograd.backend import device, get_default_device, set_default_device
from autograd.checkpoint import checkpoint
from autograd.dtype_info import can_cast, dtype, finfo, iinfo, is_complex, promote_types
from autograd.dtypes import bool as bool
from autograd.dtypes import (
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from autograd.dtypes import float as float
from autograd.dtypes import int as int
from autograd.engine import run_backward
from autograd.factories import (
    Size,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_dtype,
    linspace,
    logspace,
    ones,
    ones_like,
    scalar_tensor,
    set_default_dtype,
    tensor,
    zeros,
    zeros_like,
)
from autograd.function import Function, FunctionCtx, Variable
from autograd.grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.graph import Node
from autograd.lazy import lazy_attributes
from autograd.ops import (
    abs,
    argmax,
    argmin,
    broadcast_to,
    cat,
    clamp,
    cos,
    exp,
    expand,
    flatten,
    leaky_relu,
    log,
    log_softmax,
    logsumexp,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    pad,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    view,
)
from autograd.ops import neg as neg
from autograd.ops.activations import celu, selu, threshold
from autograd.ops.along import (
    argwhere,
    gather,
    index_select,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    scatter_reduce,
    take_along_dim,
    where,
)
from autograd.ops.assemble import (
    block_diag,
    cartesian_prod,
    combinations,
    cumulative_trapezoid,
    trapezoid,
    vander,
)
from autograd.ops.assemble import trapezoid as trapz
from autograd.ops.bessel import i0
from autograd.ops.composite import abs as absolute
from autograd.ops.composite import (
    add,
    addcdiv,
    addcmul,
    aminmax,
    clamp_max,
    clamp_min,
    count_nonzero,
    diff,
    fmax,
    fmin,
    index_add,
    index_copy,
    index_fill,
    masked_scatter,
    movedim,
    nan_to_num,
    nanmean,
    nansum,
    narrow,
    reciprocal,
    rsub,
    select,
    std_mean,
    sub,
    swapaxes,
    take,
    unflatten,
    var_mean,
)
from autograd.ops.composite import clamp as clip
from autograd.ops.composite import div as true_divide
from autograd.ops.composite import movedim as moveaxis
from autograd.ops.composite import mul as mul
from autograd.ops.composite import mul as multiply
from autograd.ops.composite import neg as negative
from autograd.ops.composite import sub as subtract
from autograd.ops.composite import swapaxes as swapdims
from autograd.ops.contract import addmm, addmv, baddbmm, bmm, dot, einsum, mm, mv
from autograd.ops.conv import conv1d, conv2d
from autograd.ops.conv_transpose import conv_transpose1d, conv_transpose2d
from autograd.ops.decompositions import cholesky_deprecated as cholesky
from autograd.ops.decompositions import qr_deprecated as qr
from autograd.ops.decompositions import svd_deprecated as svd
from autograd.ops.dense import det, logdet, slogdet
from autograd.ops.dense import inv as inverse
from autograd.ops.elementary import (
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    copysign,
    cosh,
    exp2,
    expm1,
    fmod,
    hypot,
    lerp,
    log1p,
    log2,
    log10,
    remainder,
    rsqrt,
    sinh,
    square,
    tan,
)
from autograd.ops.gamma import digamma, lgamma, mvlgamma, polygamma
from autograd.ops.geometry import cdist, cross, diag_embed, rot90, tensor_split, tensordot
from autograd.ops.householder import householder_product as orgqr
from autograd.ops.information import logit, sinc, xlogy
from autograd.ops.integer import (
    bincount,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    div,
    floor_divide,
    histc,
    histogram,
)
from autograd.ops.integer import div as divide
from autograd.ops.logical import all as all
from autograd.ops.logical import (
    allclose,
    eq,
    equal,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    le,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
    not_equal,
)
from autograd.ops.logical import any as any
from autograd.ops.matrix_functions import matrix_exp, pinverse
from autograd.ops.pool import max_pool2d
from autograd.ops.products import dist, norm, prod
from autograd.ops.quantile import nanquantile, quantile
from autograd.ops.rearrange import (
    chunk,
    diag,
    diagonal,
    flip,
    fliplr,
    flipud,
    kron,
    outer,
    repeat_interleave,
    roll,
    split,
    tile,
    trace,
    tril,
    triu,
    unbind,
)
from autograd.ops.rearrange import outer as ger
from autograd.ops.reduce import amax, amin
from autograd.ops.rounding import ceil, fix, floor, frac, sign, trunc
from autograd.ops.rounding import round as round
from autograd.ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp
from autograd.ops.search import bucketize, isin, searchsorted, unique, unique_consecutive
from autograd.ops.sorting import (
    argsort,
    kthvalue,
    median,
    mode,
    msort,
    nanmedian,
    sort,
    topk,
)
from autograd.ops.special import erf, erfc, erfinv
from autograd.ops.triangular import cholesky_inverse, cholesky_solve, triangular_solve
from autograd.ops.unary import clone
from autograd.ops.windows import (
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)
from autograd.printing import set_printoptions
from autograd.promotion import result_type
from autograd.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from autograd.sampling import (
    bernoulli,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from autograd.settings import (
    are_deterministic_algorithms_enabled,
    get_float32_matmul_precision,
    is_deterministic_algorithms_warn_only_enabled,
    set_default_tensor_type,
    set_float32_matmul_precision,
    use_deterministic_algorithms,
)
from autograd.tensor import Tensor, _seed, backward
from autograd.threads import (
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (no ``.grad`` changes).

    With ``create_graph=True`` the returned gradients are themselves differentiable. An
    input the outputs do not depend on raises unless ``allow_unused`` (its entry is then
    None, or zeros with ``materialize_grads=True``, which implies ``allow_unused``).
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        raise NotImplementedError("grad(is_grads_batched=True) needs vmap, which chainrule "
                                  "does not have: loop over the batch of grad_outputs")
    outs = list(outputs) if isinstance(outputs, Sequence) and not isinstance(outputs, Tensor) \
        else [outputs]
    ins = list(inputs) if isinstance(inputs, Sequence) and not isinstance(inputs, Tensor) \
        else [inputs]
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if grad_outputs is None:
        gos: list = [None] * len(outs)
    elif isinstance(grad_outputs, Sequence) and not isinstance(grad_outputs, Tensor):
        gos = list(grad_outputs)
    else:
        gos = [grad_outputs]
    if len(gos) != len(outs):
        raise RuntimeError(f"grad: got {len(gos)} grad_outputs for {len(outs)} outputs")
    for o in outs:
        if not o.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = [_seed(o, go, "grad", create_graph) for o, go in zip(outs, gos)]
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outs, seeds, retain_graph, create_graph, inputs=ins)
    out = []
    for t, g in zip(ins, result):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
            out.append(zeros_like(t) if materialize_grads else None)
        elif isinstance(g, Tensor):
            out.append(g)
        else:
            arr = g if g.base is None else g.copy()
            if arr.dtype != t.dtype:
                arr = arr.astype(t.dtype)
            out.append(Tensor._const(arr))
    return tuple(out)


# torch's other names and small compositions (torch.add(a, b, alpha=2), torch.amax, ...)
from autograd.ops.torch_names import FUNCTIONS as _TORCH_NAMES  # noqa: E402

globals().update({_n: _f for _n, _f in _TORCH_NAMES.items() if _n not in globals()})
# torch's remaining functions (torch.cov, torch.inner, torch.conj ...: ops/__init__.py)
from autograd import sampling_draws as _sampling_draws  # noqa: E402,F401 - Tensor.random_ ...
from autograd.ops import MORE_FUNCTIONS as _MORE  # noqa: E402
from autograd.tensor_meta import layout, strided  # noqa: E402

globals().update({_n: _f for _n, _f in _MORE.items() if _n not in globals()})

# Loaded on first use (PEP 562): the drawing and monitoring tools are no part of a training
# step, and importing them with the engine made `import autograd` ~1 MB (RSS) larger.
# torch's constants (torch.pi, torch.inf ...); torch.newaxis is None as NumPy's
pi, e, inf, nan, newaxis = _math.pi, _math.e, _math.inf, _math.nan, None


class _NoNumPyType:
    """A torch dtype NumPy has no type for: programs may name it (nanoGPT's table of
    ptdtypes), and any use of it as a dtype raises NumPy's TypeError."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name} (unsupported: NumPy has no {self.name})"


bfloat16 = _NoNumPyType("bfloat16")


def get_autocast_gpu_dtype() -> Any:
    """torch.get_autocast_gpu_dtype(), deprecated: get_autocast_dtype("cuda")."""
    import warnings
    warnings.warn("torch.get_autocast_gpu_dtype() is deprecated. Please use "
                  "torch.get_autocast_dtype('cuda') instead.", DeprecationWarning, stacklevel=2)
    return get_autocast_dtype("cuda")


def get_autocast_cpu_dtype() -> Any:
    """torch.get_autocast_cpu_dtype(), deprecated: get_autocast_dtype("cpu")."""
    import warnings
    warnings.warn("torch.get_autocast_cpu_dtype() is deprecated. Please use "
                  "torch.get_autocast_dtype('cpu') instead.", DeprecationWarning, stacklevel=2)
    return get_autocast_dtype("cpu")


_LAZY = {
    "viz": ("autograd.viz", None),
    "draw_graph": ("autograd.viz", "draw_graph"),
    "trace_backward": ("autograd.viz.trace", "trace_backward"),
    # as ``torch.distributed`` after ``import torch``; its module imports mpi4py only
    # when a process group is made
    "distributed": ("autograd.distributed", None),
    # torch.distributions (Normal, Categorical, kl_divergence ...)
    "distributions": ("autograd.distributions", None),
    # torch.nn.functional.X, torch.nn.init.normal_, torch.optim.AdamW written inline, as
    # torch programs do after `import torch` (nn and optim import autograd: loading them
    # on first use keeps the package free of the cycle)
    "nn": ("nn", None),
    # torch.compile: the model itself inside torch's OptimizedModule (nn/compiled.py)
    "compile": ("nn.compiled", "compile"),
    "jit": ("autograd.jit", None),
    # torch.func (functorch's transforms) and torch.vmap (autograd/func/)
    "func": ("autograd.func", None),
    "vmap": ("autograd.func.vmapping", "vmap"),
    # torch.cpu.amp.autocast (deprecated there)
    "cpu": ("autograd.cpu", None),
    "optim": ("optim", None),
    # torch.autograd.grad / torch.autograd.Function / torch.autograd.functional: this
    # package is torch.autograd as well as torch
    "autograd": ("autograd", None),
    # torch.amp.GradScaler and torch.backends' switches (no-ops here)
    "amp": ("autograd.amp", None),
    "backends": ("autograd.backends", None),
    # torch.save / torch.load (zipfile and JSON only loaded when a file is written or read)
    "save": ("autograd.serialization", "save"),
    "load": ("autograd.serialization", "load"),
    "serialization": ("autograd.serialization", None),
    # torch.utils (.data is nn.data, .checkpoint, .hooks) and torch.testing (assert_close)
    "utils": ("autograd.utils", None),
    "testing": ("autograd.testing", None),
}
__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())
_torch_paths.install(_sys.modules[__name__])  # `from autograd.autograd import Function`

__all__ = [*_TORCH_NAMES, *_MORE, "layout", "strided", "pi", "e", "inf", "nan", "newaxis",
    "get_default_device", "set_default_device", "Variable",
    "Function", "FunctionCtx", "GradcheckError", "Node", "Tensor", "abs", "arange", "argmax",
    "checkpoint", "cuda", "device", "draw_graph", "functional", "linalg", "special", "load",
    "save", "cholesky", "cholesky_inverse", "cholesky_solve", "matrix_exp", "orgqr",
    "pinverse", "qr", "svd", "triangular_solve",
    "argmin", "broadcast_to", "cat", "clamp", "cos", "detect_anomaly", "empty", "enable_grad",
    "exp", "expand", "eye", "flatten", "from_numpy", "full", "grad", "gradcheck",
    "gradgradcheck", "is_grad_enabled", "leaky_relu", "log", "log_softmax", "logsumexp",
    "manual_seed", "masked_fill", "matmul", "max", "maximum", "mean", "min", "minimum", "neg",
    "no_grad", "ones", "ones_like", "pad", "permute", "pow", "rand", "randn", "randn_like",
    "relu", "reshape", "set_grad_enabled", "sigmoid", "sin", "softmax", "sqrt", "squeeze",
    "stack", "std", "sum", "tanh", "tensor", "trace_backward", "transpose", "unsqueeze", "var",
    "view", "viz", "where", "zeros", "zeros_like", "ops",
    # random numbers
    "Generator", "bernoulli", "default_generator", "get_rng_state", "initial_seed",
    "multinomial", "normal", "rand_like", "randint", "randint_like", "randperm", "seed",
    "set_rng_state",
    # factories
    "empty_like", "full_like", "linspace", "logspace",
    # dtypes (not int, float, bool: a star-import would shadow the builtins)
    "cdouble", "cfloat", "complex128", "complex64", "double", "float16", "float32", "float64",
    "half", "int16", "int32", "int64", "int8", "long", "short", "uint8",
    # threads
    "get_num_threads", "set_num_threads",
    # issue 15 (part A): indexing along a dim, scans, products and norms
    "nanmedian", "cdist", "cross", "diag_embed", "rot90", "tensor_split", "tensordot",
    "bucketize", "searchsorted", "unique", "unique_consecutive",
    "det", "logdet", "slogdet", "inverse", "amax", "amin", "addcdiv", "addcmul", "clamp_max",
    "clamp_min", "index_add",
    "index_copy", "index_fill", "masked_scatter", "reciprocal", "absolute", "clip", "multiply",
    "negative", "subtract", "add", "aminmax", "fmax", "fmin", "std_mean", "var_mean",
    "count_nonzero", "diff", "movedim",
    "nan_to_num",
    "nanmean", "nansum", "narrow", "rsub", "select", "sub", "swapaxes", "take", "unflatten",
    "true_divide", "moveaxis", "swapdims", "argwhere", "clone", "cummax", "cummin", "cumprod",
    "cumsum",
    "dist", "gather",
    "index_select", "logcumsumexp", "masked_select", "nonzero", "norm", "prod", "scatter",
    "scatter_add", "scatter_reduce", "take_along_dim",
    "chunk", "diag", "diagonal", "flip", "fliplr", "flipud", "ger", "kron", "outer",
    "repeat_interleave", "roll", "split", "tile", "trace", "tril", "triu", "unbind",
    "argsort", "kthvalue", "median", "mode", "msort", "sort", "topk",
    "addmm", "addmv", "baddbmm", "bmm", "dot", "einsum", "mm", "mv",
]
__all__ += [  # issue 15 part B (round: a star-import would shadow the builtin, left out)
    "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh",
    "asin", "asinh", "atan", "atan2", "atanh", "ceil", "celu", "copysign", "cosh", "erf",
    "erfc", "erfinv", "exp2", "expm1", "fix", "floor", "fmod", "frac", "hypot", "lerp",
    "log1p", "log2", "log10", "remainder", "rsqrt", "selu", "sign", "sinh", "square", "tan",
    "threshold", "trunc",
]
__all__ += [  # issue 15 part B (all, any: a star-import would shadow the builtins, left out)
    "allclose", "bincount", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "div", "divide", "eq", "equal", "floor_divide", "ge",
    "greater", "greater_equal", "gt", "histc", "histogram", "isclose", "isfinite", "isinf",
    "isnan", "isneginf", "isposinf", "le", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "logical_xor", "lt", "ne", "not_equal",
    "result_type",
]
__all__ += ["digamma", "lgamma", "logit", "mvlgamma", "polygamma", "sinc", "xlogy",
            "nanquantile", "quantile", "block_diag", "cartesian_prod", "combinations",
            "cumulative_trapezoid", "trapezoid", "trapz", "vander", "i0"]
__all__ += ["autocast", "clear_autocast_cache", "get_autocast_dtype", "get_autocast_cpu_dtype",
            "get_autocast_gpu_dtype", "is_autocast_cache_enabled",
            "is_autocast_enabled"]
__all__ += ["set_printoptions", "inference_mode", "is_inference_mode_enabled", "Size",
            "as_tensor", "get_default_dtype", "set_default_dtype", "backward",
            "set_detect_anomaly", "is_anomaly_enabled"]
__all__ += ["can_cast", "dtype", "finfo", "iinfo", "is_complex", "promote_types",
            "are_deterministic_algorithms_enabled", "get_float32_matmul_precision",
            "is_deterministic_algorithms_warn_only_enabled", "set_default_tensor_type",
            "set_float32_matmul_precision", "use_deterministic_algorithms",
            "get_num_interop_threads", "set_num_interop_threads"]
__all__ += ["isin", "scalar_tensor", "bartlett_window", "blackman_window", "hamming_window",
            "hann_window", "kaiser_window"]
# torch's top-level names for these nn.functional ones (the same functions)
__all__ += ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool2d",
            "poisson"]
# torch.range, deprecated there (warns as torch's); last, so that nothing above calls it for
# the builtin; out of __all__, as round, all and any: a star-import would shadow the builtin
from autograd.factories import deprecated_range as range  # noqa: E402,F401
