"""Every differentiable primitive, and their binding as Tensor methods and operators.

Each module holds a family of ops, every op written once as its forward on arrays
next to its ``<Op>Backward`` node with the VJP. ``PUBLIC_OPS`` lists the
contract's op names (the gradcheck registry in tests must cover each one).
"""

from __future__ import annotations

from autograd.ops import (
    ieee,  # noqa: F401 - torch's silent inf/nan (no NumPy warnings)
    vocabulary,  # noqa: E402,F401 - fills the VJP namespaces (xp)
)
from autograd.ops.arith import (
    add,
    div,
    eq,
    ge,
    gt,
    le,
    lt,
    mul,
    ne,
    neg,
    pow,
    rdiv,
    rsub,
    sub,
)
from autograd.ops.broadcast import broadcast_to, expand, sum_to
from autograd.ops.inplace import INPLACE_METHODS
from autograd.ops.linalg import linear, matmul, rmatmul
from autograd.ops.loss import softmax_cross_entropy
from autograd.ops.reduce import (
    amax,
    amin,
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    std,
    sum,
    var,
)
from autograd.ops.select import getitem, index_add, masked_fill, maximum, minimum, where
from autograd.ops.shape import (
    T,
    cat,
    flatten,
    pad,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)
from autograd.ops.unary import (
    abs,
    astype,
    clamp,
    clone,
    cos,
    exp,
    float32,
    float64,
    int64,
    leaky_relu,
    log,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
)
from autograd.tensor import Tensor

# The contract's differentiable ops (each also a Tensor method, except cat/stack/pad/where).
PUBLIC_OPS = (
    "add sub mul div neg pow matmul exp log sqrt abs sin cos tanh sigmoid relu leaky_relu "
    "clamp sum mean var std max min logsumexp softmax log_softmax reshape view flatten "
    "squeeze unsqueeze transpose permute expand broadcast_to getitem masked_fill where "
    "maximum minimum cat stack pad astype clone linear softmax_cross_entropy"
).split()


_METHODS = {
    "__add__": add, "__radd__": add, "__sub__": sub, "__rsub__": rsub,
    "__mul__": mul, "__rmul__": mul, "__truediv__": div, "__rtruediv__": rdiv,
    "__pow__": pow, "__rpow__": lambda self, other: pow(other, self),
    "__matmul__": matmul, "__rmatmul__": rmatmul, "__neg__": neg, "__abs__": abs,
    "__getitem__": getitem,
    "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge, "__eq__": eq, "__ne__": ne,
    "add": add, "sub": sub, "mul": mul, "div": div, "neg": neg, "pow": pow, "matmul": matmul,
    "exp": exp, "log": log, "sqrt": sqrt, "abs": abs, "sin": sin, "cos": cos, "tanh": tanh,
    "sigmoid": sigmoid, "relu": relu, "leaky_relu": leaky_relu, "clamp": clamp,
    "sum": sum, "mean": mean, "var": var, "std": std, "max": max, "min": min,
    "argmax": argmax, "argmin": argmin, "logsumexp": logsumexp, "softmax": softmax,
    "amax": amax, "amin": amin, "log_softmax": log_softmax, "reshape": reshape, "view": view,
    "flatten": flatten,
    "squeeze": squeeze, "unsqueeze": unsqueeze, "transpose": transpose, "permute": permute,
    "expand": expand, "broadcast_to": broadcast_to, "masked_fill": masked_fill,
    "maximum": maximum, "minimum": minimum, "astype": astype, "float": float32,
    "double": float64, "long": int64, "clone": clone, "sum_to": sum_to,
    "T": property(T),
    **INPLACE_METHODS,
}
# Issue 15's ops (part A): each family module lists its differentiable ops (PUBLIC, also
# made names of this package and contract ops with registry cases) and its Tensor METHODS.
from autograd.ops import along, contract, products, rearrange, scan, sorting  # noqa: E402

for _mod in (along, contract, products, rearrange, scan, sorting):
    _METHODS.update(_mod.METHODS)
    PUBLIC_OPS += _mod.PUBLIC
    globals().update({_n: getattr(_mod, _n) for _n in _mod.PUBLIC})
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ = [
    "PUBLIC_OPS", "T", "abs", "add", "amax", "amin", "argmax", "argmin", "astype",
    "broadcast_to", "cat", "clamp",
    "clone", "cos", "div", "eq", "exp", "expand", "flatten", "ge", "getitem", "gt", "index_add",
    "le", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "lt", "masked_fill",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "ne", "neg", "pad", "permute",
    "pow", "relu", "reshape", "sigmoid", "sin", "softmax", "softmax_cross_entropy", "sqrt",
    "squeeze", "stack", "std", "sub", "sum", "sum_to", "tanh", "transpose", "unsqueeze", "var",
    "view", "where"
]

# -- issue 15 (part B): elementary and special functions, rounding, activations -------------
from autograd.ops import activations, elementary, rounding, special  # noqa: E402
from autograd.ops.activations import (  # noqa: E402
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
    tanhshrink,
    threshold,
)
from autograd.ops.elementary import (  # noqa: E402
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
from autograd.ops.rounding import ceil, fix, floor, frac, round, sign, trunc  # noqa: E402
from autograd.ops.special import erf, erfc, erfinv  # noqa: E402

PUBLIC_OPS += (
    "square rsqrt log1p expm1 log2 log10 exp2 erf erfc erfinv sinh cosh asinh acosh atanh "
    "tan asin acos atan atan2 hypot lerp copysign fmod remainder sign round floor ceil trunc "
    "frac softplus silu gelu mish elu selu celu hardtanh hardsigmoid hardswish logsigmoid "
    "softsign tanhshrink threshold relu6"
).split()

_MATH_METHODS = {
    "square": square, "rsqrt": rsqrt, "log1p": log1p, "expm1": expm1, "log2": log2,
    "log10": log10, "exp2": exp2, "erf": erf, "erfc": erfc, "erfinv": erfinv, "sinh": sinh,
    "cosh": cosh, "asinh": asinh, "acosh": acosh, "atanh": atanh, "tan": tan, "asin": asin,
    "acos": acos, "atan": atan, "atan2": atan2, "hypot": hypot, "lerp": lerp,
    "copysign": copysign, "fmod": fmod, "remainder": remainder, "sign": sign, "round": round,
    "floor": floor, "ceil": ceil, "trunc": trunc, "frac": frac,
    "arcsin": asin, "arccos": acos, "arctan": atan, "arcsinh": asinh, "arccosh": acosh,
    "arctanh": atanh, "arctan2": atan2, "fix": trunc,
}
for _name, _fn in _MATH_METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ += [
    "acos", "acosh", "activations", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctan2", "arctanh", "fix", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "celu",
    "copysign", "cosh", "elementary", "elu", "erf", "erfc", "erfinv", "exp2", "expm1",
    "floor", "fmod", "frac", "gelu", "hardsigmoid", "hardswish", "hardtanh", "hypot", "lerp",
    "log1p", "log2", "log10", "logsigmoid", "mish", "relu6", "remainder", "round", "rounding",
    "rsqrt", "selu", "sign", "silu", "sinh", "softplus", "softsign", "special", "square",
    "tan", "tanhshrink", "threshold", "trunc",
]

# -- issue 15 (part B): predicates, logical ops, integer operators, counting -----------------
from autograd.ops import integer, logical  # noqa: E402
from autograd.ops.integer import (  # noqa: E402
    OPERATORS,
    bincount,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    floor_divide,
    histc,
    histogram,
)
from autograd.ops.integer import div as div_rounding  # noqa: E402
from autograd.ops.logical import (  # noqa: E402
    all,
    allclose,
    any,
    equal,
    greater,
    greater_equal,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    not_equal,
)

PUBLIC_OPS += ["div_rounding"]

_LOGICAL_METHODS = {
    **OPERATORS, "div": div_rounding, "divide": div_rounding, "true_divide": div,
    "floor_divide": floor_divide, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": greater,
    "greater_equal": greater_equal, "less": less, "less_equal": less_equal,
    "not_equal": not_equal, "isclose": isclose, "allclose": allclose, "equal": equal,
    "isfinite": isfinite, "isnan": isnan, "isinf": isinf, "isposinf": isposinf,
    "isneginf": isneginf, "all": all, "any": any, "logical_and": logical_and,
    "logical_or": logical_or, "logical_xor": logical_xor, "logical_not": logical_not,
    "bincount": bincount, "histc": histc, "histogram": histogram,
}
for _name, _fn in _LOGICAL_METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ += [
    "all", "allclose", "any", "bincount", "bitwise_and", "bitwise_left_shift", "bitwise_not",
    "bitwise_or", "bitwise_right_shift", "bitwise_xor", "div_rounding", "equal",
    "floor_divide", "greater", "greater_equal", "histc", "histogram", "integer", "isclose",
    "isfinite", "isinf", "isnan", "isneginf", "isposinf", "less", "less_equal", "logical",
    "logical_and", "logical_not", "logical_or", "logical_xor", "not_equal",
]

# -- issue 15 (part B): conversions, and torch's axis=/keepdims= aliases ---------------------
from autograd.ops import conversion  # noqa: E402
from autograd.ops.conversion import CONVERSIONS, numpy_names  # noqa: E402

(sum, mean, var, std, max, min, argmax, argmin, logsumexp, softmax, log_softmax, squeeze,
 unsqueeze, cat, stack) = (numpy_names(f) for f in (
    sum, mean, var, std, max, min, argmax, argmin, logsumexp, softmax, log_softmax, squeeze,
    unsqueeze, cat, stack))
_CONVERSION_METHODS = {
    **CONVERSIONS, "sum": sum, "mean": mean, "var": var, "std": std, "max": max, "min": min,
    "argmax": argmax, "argmin": argmin, "logsumexp": logsumexp, "softmax": softmax,
    "log_softmax": log_softmax, "squeeze": squeeze, "unsqueeze": unsqueeze,
}
for _name, _fn in _CONVERSION_METHODS.items():
    setattr(Tensor, _name, _fn)
__all__ += ["conversion"]

from autograd.ops.inplace import inplace_of  # noqa: E402


def _family(mod: object, public: list | None = None, inplace: tuple = (),
            new_only: bool = False) -> None:
    """Register an op family module: its differentiable ops (``public``, by default its
    ``PUBLIC``) become contract ops (the gradcheck registry must cover them) and names of
    this package; its ``METHODS`` are bound on Tensor (``new_only``: none may replace a
    method bound before), and each name in ``inplace`` gains torch's in-place form."""
    global PUBLIC_OPS
    names = list(getattr(mod, "PUBLIC", ())) if public is None else list(public)
    PUBLIC_OPS += names
    globals().update({n: getattr(mod, n) for n in names})
    methods = getattr(mod, "METHODS", {})
    taken = sorted(n for n in methods if n in Tensor.__dict__) if new_only else []
    assert not taken, f"{mod.__name__} would replace Tensor methods {taken}"
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    for name in inplace:
        setattr(Tensor, name + "_", inplace_of(getattr(Tensor, name), name + "_"))


# torch's compositions and aliases (addcmul, masked_scatter, index_add, clip...); dense
# linear algebra (inv, det, slogdet, solve); decompositions and triangular systems
# (cholesky, qr, svd, eigh, pinv, matrix_exp...); products and rearrangements built from
# other ops (tensordot, cross, cdist...); set and search ops without gradients (unique,
# searchsorted, bucketize)
from autograd.ops import (  # noqa: E402
    composite,
    decompositions,
    dense,
    geometry,
    householder,
    matrix_functions,
    search,
    triangular,
)

for _mod in (composite, dense, decompositions, householder, matrix_functions, triangular,
             geometry):
    _family(_mod)
_family(search, public=[])

# -- torch's in-place forms of the methods above (floor_, lerp_, lt_, tril_, cumsum_...) -----
for _name in (
    "acos acosh asin asinh atan atanh atan2 arccos arccosh arcsin arcsinh arctan arctanh "
    "arctan2 ceil floor round trunc frac fix sign square rsqrt log1p log2 log10 expm1 exp2 "
    "sinh cosh tan erf erfc erfinv fmod remainder hypot copysign floor_divide true_divide "
    "divide lerp lt le gt ge eq ne less less_equal greater greater_equal not_equal "
    "logical_not logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor "
    "bitwise_not bitwise_left_shift bitwise_right_shift tril triu cumsum cumprod addcmul "
    "addcdiv reciprocal clamp_min clamp_max masked_scatter index_fill index_copy index_add "
    "absolute negative subtract multiply clip"
).split():
    if hasattr(Tensor, _name) and not hasattr(Tensor, _name + "_"):
        setattr(Tensor, _name + "_", inplace_of(getattr(Tensor, _name), _name + "_"))

# torch's other names (concat, hstack, meshgrid, x.expand_as, x.unfold ...); fill_diagonal_;
# the gamma family (lgamma, digamma, polygamma, mvlgamma, zeta); torch.special's other
# functions (erfcx, ndtr, log_ndtr, ndtri, xlogy, entr, logit...); quantile/nanquantile;
# assembled tensors and the trapezoid rule (cartesian_prod, block_diag, vander...); the
# modified Bessel functions i0, i0e, i1, i1e
from autograd.ops import (  # noqa: E402
    assemble,
    bessel,
    gamma,
    gaussian,
    information,
    torch_names,
)
from autograd.ops import fill as _fill  # noqa: E402
from autograd.ops import quantile as _quantile  # noqa: E402
from autograd.ops.special import erfcx  # noqa: E402,F401 - ops.erfcx (PUBLIC_OPS)

_family(torch_names, new_only=True)
_family(_fill, public=[])
_family(gamma, inplace=("lgamma", "digamma", "polygamma", "mvlgamma"))
PUBLIC_OPS += ["erfcx"]
_family(gaussian)
_family(information, inplace=tuple(information.METHODS))
_family(_quantile)
_family(assemble)
_family(bessel, inplace=tuple(bessel.METHODS))

# -- torch's remaining Tensor methods and functions: the complex API of real tensors,
# number functions, products, statistics, scatters, splits, in-place reshapes -------------
from autograd.ops import (  # noqa: E402
    complex_api,
    finite_differences,
    index_writes,
    inplace_views,
    linalg_compositions,
    matrix_products,
    numeric,
    scatter_views,
    splits,
    statistics,
)

# torch.* functions of these modules (``autograd/__init__.py`` makes them package names)
MORE_FUNCTIONS: dict = {"renorm": products.renorm}
for _mod in (complex_api, finite_differences, index_writes, inplace_views, matrix_products,
             numeric, scatter_views, splits, statistics):
    _family(_mod, new_only=True)
    MORE_FUNCTIONS.update(_mod.FUNCTIONS)
_family(linalg_compositions)  # torch.linalg's (autograd/linalg.py names them there)
for _name in (*numeric.INPLACE, "renorm"):
    setattr(Tensor, _name + "_", inplace_of(getattr(Tensor, _name), _name + "_"))
for _name in ("deg2rad", "rad2deg", "gcd", "lcm", "ldexp"):  # torch.deg2rad_ ...
    MORE_FUNCTIONS[_name + "_"] = getattr(Tensor, _name + "_")
