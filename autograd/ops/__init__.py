"""Every differentiable primitive, and their binding as Tensor methods and operators.

Each module holds a family of ops, every op written once as its forward on arrays
next to its ``<Op>Backward`` node with the VJP. ``PUBLIC_OPS`` lists the
contract's op names (the gradcheck registry in tests must cover each one).
"""

from __future__ import annotations

from autograd.ops import vocabulary  # noqa: E402,F401 - fills the VJP namespaces (xp)
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
    "log_softmax": log_softmax, "reshape": reshape, "view": view, "flatten": flatten,
    "squeeze": squeeze, "unsqueeze": unsqueeze, "transpose": transpose, "permute": permute,
    "expand": expand, "broadcast_to": broadcast_to, "masked_fill": masked_fill,
    "maximum": maximum, "minimum": minimum, "astype": astype, "float": float32,
    "double": float64, "long": int64, "clone": clone, "sum_to": sum_to,
    "T": property(T),
    **INPLACE_METHODS,
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ = [
    "PUBLIC_OPS", "T", "abs", "add", "argmax", "argmin", "astype", "broadcast_to", "cat", "clamp",
    "clone", "cos", "div", "eq", "exp", "expand", "flatten", "ge", "getitem", "gt", "index_add",
    "le", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "lt", "masked_fill",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "ne", "neg", "pad", "permute",
    "pow", "relu", "reshape", "sigmoid", "sin", "softmax", "softmax_cross_entropy", "sqrt",
    "squeeze", "stack", "std", "sub", "sum", "sum_to", "tanh", "transpose", "unsqueeze", "var",
    "view", "where"
]
