"""Arithmetic: + - * / ** and negation, with NumPy broadcasting; comparisons.

Either operand may be a constant (Python scalar or NumPy array). Each VJP sums
its gradient back to the operand's shape with ``xp.sum_to`` when broadcasting
stretched it (``meta`` holds that shape, or ``None``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.autocast_mode import active as autocast_active
from autograd.autocast_mode import run as autocast_run
from autograd.backend import asarray, device_pair, is_array
from autograd.errors import ShapeError
from autograd.graph import (
    FREED_MSG,
    HOST_NUMBER_META,
    STATE,
    Away,
    Node,
    Versions,
    forward_stack,
)
from autograd.ops.record import array_of, binary, unary
from autograd.promotion import (
    NUMBER_ARRAYS,
    cpu_scalar_operands,
    fits,
    number_array,
    promote,
    result_type,
)
from autograd.tensor import Tensor, _wrap

_ND = np.ndarray
_new = object.__new__


def _reduce(gi: Any, shape: tuple | None, xp) -> Any:
    # (add, sub and mul, which run most often, have this inline: one frame less per VJP)
    return gi if shape is None else xp.sum_to(gi, shape)


def _recorded(cls: type[Node], fn, save: Any = False, true_div: bool = False,
              as_arrays: bool = True) -> Callable[[Callable], Callable]:
    """Make the decorated ``op(a, b)`` compute ``fn(a, b)`` at the operands'
    ``torch.result_type`` and record ``cls`` (the decorated function gives the name,
    signature and docstring; its body never runs). ``save`` is :func:`record.binary`'s.

    The common cases run in the op's own frame (no call but ``fn``'s, and ``binary``'s
    for two tensors) and cost a dtype comparison or two: two host tensors of one dtype,
    or a host tensor with a Python float or int, where NumPy's weak scalar keeps the
    array's dtype (checked on the output: an int array times 1.5 comes out float64 there
    and goes the slow way). Everything else goes through :func:`_promoted`.
    ``as_arrays``: hand ``fn`` a float array's number operand as a 0-d array of its dtype
    (same result, ``promotion.number_array``); False where ``fn`` looks at the number
    (``power``)."""
    # the saved (None, number) of the last node recorded with the number second, shared
    # by the next while the number is the same object (a loop's ``x * 1.01``): one object
    # fewer per node for the cyclic GC (fewer collections; see graph.Node)
    last = [(None, None)]

    def make(spec: Callable) -> Callable:
        def op(a: Any, b: Any) -> Tensor:
            if b.__class__ is float or b.__class__ is int:
                t, c = a, b
            elif a.__class__ is float or a.__class__ is int:
                t, c = b, a
            else:
                x = a._data if isinstance(a, Tensor) else a
                y = b._data if isinstance(b, Tensor) else b
                if x.__class__ is _ND and y.__class__ is _ND and x.dtype is y.dtype and \
                        (not true_div or x.dtype.kind == "f"):
                    try:
                        out = fn(x, y)
                    except ValueError as err:
                        raise _shape_error(err, fn, a, b) from None
                    except TypeError:  # NumPy's refusal of bool − bool: torch's error
                        _check_bool_sub(cls, x, y)
                        raise
                    return binary(cls, out, a, b, save)
                return _promoted(cls, fn, a, b, x, y, save, true_div)
            # a number c and t: its partner
            x = t._data if isinstance(t, Tensor) else t
            if x.__class__ is not _ND:
                return _promoted(cls, fn, a, b, x if t is a else c, c if t is a else x, save,
                                 true_div)
            z = None
            if as_arrays:
                consts = NUMBER_ARRAYS.get(x.dtype)
                if consts:
                    z = consts.get(c)
                if z is None:
                    z = number_array(c, x.dtype)
                if z is not None:
                    c = z  # x's float dtype: the output's too
            try:
                out = fn(x, c) if t is a else fn(c, x)
            except OverflowError:  # an int beyond x's integer dtype: torch wraps it
                return _promoted(cls, fn, a, b, array_of(a), array_of(b), save, true_div)
            if z is None and (out.dtype is not x.dtype or true_div and out.dtype.kind != "f"):
                return _promoted(cls, fn, a, b, array_of(a), array_of(b), save, true_div)
            if t.__class__ is _ND or not t._requires_grad or (
                    Away.grad_off and not STATE._grad_enabled):
                return _wrap(out, None)
            # record.binary's node for a host tensor and a number, built here (a frame less)
            if not cls.binary_meta:
                cls.binary_meta = True
            node = cls()
            e = t._node
            if e is None:
                e = t
            if t is a:  # binary()'s saved tuple, the number second; a lone edge (Node.edges)
                node._edges = e
                if not save or save is True:
                    node.saved = (a, b) if save else ()
                else:  # (None, b): the last op's tuple where b is the same number object
                    saved = last[0]
                    if saved[1] is not b:
                        saved = last[0] = (None, b)
                    node.saved = saved
            else:  # the number first
                node._edges = (None, e)
                node.saved = () if not save else (a, None) if save == "cross" else (a, b)
            node.meta = HOST_NUMBER_META  # (None, None), as binary()'s, and Node.number_arrays
            node.out = node.cache = node.grad_size = None
            s = out.shape  # t's node's tuple where equal (as record.unary)
            node.shape = e.shape if e is not t and e.shape == s else s
            node.dtype = out.dtype
            node.epoch = Versions.epoch
            node.scope = STATE._scope if Away.scoped else None
            if Away.anomaly and STATE._anomaly:
                node.trace = forward_stack(1)
            if out.__class__ is not _ND:  # NumPy gives 0-d results as scalars
                return _wrap(out, node)
            t = _new(Tensor)  # tensor._wrap inline, as in record.unary()
            t._data = out
            t._grad = None
            t._node = node
            t._requires_grad = True
            t._hooks = None
            t._base = None
            return t
        return functools.update_wrapper(op, spec)
    return make


def _promoted(cls: type[Node], fn, a: Any, b: Any, x: Any, y: Any, save: bool,
              true_div: bool) -> Tensor:
    """:func:`_recorded`'s ops for operands that need promotion (mixed dtypes, NumPy
    scalars, ints with floats; integers under true division compute in float32, torch's
    default)."""
    if x.__class__ is not y.__class__ and is_array(x) and is_array(y):
        a, b, x, y = cpu_scalar_operands(a, b, x, y)  # torch's CPU-scalar rule, or its error
    if cls is SubBackward:
        _check_bool_sub(cls, x, y)
    if true_div and result_type(x, y).kind in "biu":
        # integers divide in float32 (torch's default float), the numbers as they are: a
        # uint8 tensor / -3 is not / 253
        x, y = asarray(x, np.float32), asarray(y, np.float32)
    else:
        x, y = promote(x, y)
    try:
        out = fn(x, y)
    except ValueError as err:
        raise _shape_error(err, fn, a, b) from None
    if save:  # a constant that promotion cast is saved as the cast copy (see _saved)
        a, b = _saved(a, x), _saved(b, y)
    return binary(cls, out, a, b, save)


def _check_bool_sub(cls: type[Node], x: Any, y: Any) -> None:
    """torch refuses ``-`` with a bool operand (a bool tensor or a Python bool), where NumPy
    would compute in ints."""
    if cls is SubBackward and any(v.__class__ is bool or getattr(v, "dtype", None) == np.bool_
                                  for v in (x, y)):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _compute(fn, a: Any, b: Any) -> Any:
    """``fn`` on the operands' arrays at their ``torch.result_type``, not recorded: for ops
    that record a node of their own, or none (integer division, remainders, bit ops)."""
    x, y = promote(array_of(a), array_of(b))
    try:
        return fn(x, y)
    except ValueError as err:
        raise _shape_error(err, fn, a, b) from None


def _shape_error(err: ValueError, fn, a: Any, b: Any) -> ValueError:
    """A broadcast failure naming both shapes (other ValueErrors pass through)."""
    if "broadcast" not in str(err):
        return err
    return ShapeError(f"shapes {np.shape(array_of(a))} and {np.shape(array_of(b))} cannot "
                      f"be broadcast together for {fn.__name__}")


def _saved(t: Any, arr: Any) -> Any:
    """What a VJP keeps of operand ``t``: the tensor, or, when promotion cast a constant
    (an int tensor times a float one), the cast copy, so the VJP computes in the result
    dtype. The copy is a snapshot, so a later in-place change of ``t`` cannot reach it."""
    if isinstance(t, Tensor) and (t.requires_grad or t._data is arr):
        return t
    return arr


class AddBackward(Node):
    """z = a + b;  da = g,  db = g."""

    def vjp(self, g, xp):
        e = self._edges
        if e.__class__ is not tuple:  # the first operand's edge alone: b is a number
            return g, None
        sa, sb = self.meta
        return ((g if sa is None else xp.sum_to(g, sa)) if e[0] is not None else None,
                (g if sb is None else xp.sum_to(g, sb)) if e[1] is not None else None)


@_recorded(AddBackward, np.add)
def add(a: Any, b: Any) -> Tensor:
    """a + b (broadcasting)."""


class SubBackward(Node):
    """z = a − b;  da = g,  db = −g."""

    def vjp(self, g, xp):
        e = self._edges
        if e.__class__ is not tuple:  # the first operand's edge alone: b is a number
            return g, None
        sa, sb = self.meta
        return ((g if sa is None else xp.sum_to(g, sa)) if e[0] is not None else None,
                (-g if sb is None else xp.sum_to(-g, sb)) if e[1] is not None else None)


@_recorded(SubBackward, np.subtract)
def sub(a: Any, b: Any) -> Tensor:
    """a − b (broadcasting)."""


def rsub(a: Any, b: Any) -> Tensor:
    return sub(b, a)


class MulBackward(Node):
    """z = a ⊙ b;  da = g ⊙ b,  db = g ⊙ a."""

    number_arrays = True

    def vjp(self, g, xp):
        e = self._edges
        if e.__class__ is not tuple and xp.raw:  # the first operand's edge alone: b is a
            # number, saved as (None, b), no tensor to check: inputs() inline for it
            saved = self.saved
            if saved is None:
                raise RuntimeError(FREED_MSG.format(op=type(self).__name__))
            b = saved[1]
            if self.meta is HOST_NUMBER_META:  # see Node.number_arrays
                consts = NUMBER_ARRAYS.get(self.dtype)
                if consts:
                    b = consts.get(b, b)
            return g * b, None
        a, b = self.inputs(xp)
        if e.__class__ is not tuple:
            return g * b, None
        sa, sb = self.meta
        return ((g * b if sa is None else xp.sum_to(g * b, sa)) if e[0] is not None else None,
                (g * a if sb is None else xp.sum_to(g * a, sb)) if e[1] is not None else None)


@_recorded(MulBackward, np.multiply, save="cross")
def mul(a: Any, b: Any) -> Tensor:
    """a ⊙ b (elementwise, broadcasting)."""


class DivBackward(Node):
    """z = a / b;  da = g / b,  db = −g ⊙ (a / b) / b (torch's grouping: its second
    derivative stays 0, not NaN, at b = ±inf, and the first equals torch's bit for bit)."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        e = self._edges
        if e.__class__ is not tuple:  # the first operand's edge alone: b is a number
            return g / b, None
        sa, sb = self.meta
        return (_reduce(g / b, sa, xp) if e[0] is not None else None,
                _reduce(-g * (a / b / b), sb, xp) if e[1] is not None else None)


@_recorded(DivBackward, np.true_divide, save="quotient", true_div=True)
def div(a: Any, b: Any) -> Tensor:
    """a / b (true division, broadcasting); integer operands divide in float32 (torch's
    default float), as ``torch.div``."""


def rdiv(a: Any, b: Any) -> Tensor:
    return div(b, a)


class NegBackward(Node):
    """y = −x;  dx = −g."""

    def vjp(self, g, xp):
        return (-g,)


def neg(x: Tensor) -> Tensor:
    """−x."""
    if x._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return unary(NegBackward, np.negative(x._data), x)


class PowBackward(Node):
    """z = aᵇ;  da = g ⊙ b ⊙ aᵇ⁻¹ (0 where b = 0),  db = g ⊙ aᵇ ⊙ ln a (0 where a = 0 and
    b ≥ 0). The masks are torch's: 0**0 has gradient 0 in both, 0**(−1) gives −inf, and a
    negative base gives NaN for db (ln a), as torch."""

    def vjp(self, g, xp):
        a, b = self.inputs(xp)
        sa, sb = self.meta
        e = self.edges
        av, bv = array_of(a), array_of(b)
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if e[0] is not None:
                # torch's grouping, g ⊙ (b ⊙ aᵇ⁻¹), and its pow kernel for aᵇ⁻¹ (1/(a·a) for
                # b = −1): the manual backward of the same formula then equals it bit for bit
                pa = power(a, b - 1) if a.__class__ is np.ndarray else a ** (b - 1)
                if is_array(bv):
                    ga = _reduce(xp.where(bv == 0, 0, g * (b * pa)), sa, xp)
                else:  # a constant exponent
                    ga = g * 0 if bv == 0 else g * (b * pa)
            if e[1] is not None:
                # a ** b recomputed rather than saved: under create_graph it must be a
                # function of a and b for the second derivative.
                # ln a at the result's precision (torch promotes a float32 base of a float64
                # power before its log)
                dt, base = array_of(g).dtype, a
                if is_array(av) and av.dtype != dt:  # (a number base stays a number)
                    base = xp.astype(a, dt) if isinstance(a, Tensor) else av.astype(dt)
                log_a = xp.log(base) if isinstance(base, Tensor) else np.log(array_of(base))
                gb = g * (a ** b * log_a)
                gb = _reduce(xp.where((av == 0) & (bv >= 0), 0, gb), sb, xp)
        return ga, gb


# Exponents torch computes without pow (its pow_tensor_scalar_optimized_kernel), and so do
# we: np.power takes a slow path for negative bases (x ** 3 on a (12, 64, 512) float32
# array of normal values: 100 ms, x * x * x: 0.08 ms).
_POW_FAST = {2: lambda d: d * d, 3: lambda d: d * d * d, -1: lambda d: 1 / d,
             -2: lambda d: 1 / (d * d), 0.5: np.sqrt, -0.5: lambda d: 1 / np.sqrt(d)}


def power(x: Any, e: Any) -> Any:
    """x ** e on arrays, with the fast cases for a float array and a number exponent."""
    if e.__class__ is int and e < 0 and is_array(x) and x.dtype.kind in "iu":
        # torch refuses before a wrap could make -3 a uint8's 253
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if e.__class__ in (int, float) and x.__class__ is np.ndarray and x.dtype.kind == "f":
        fast = _POW_FAST.get(e)
        if fast is not None:
            return fast(x)
        if e.__class__ is int or e.is_integer():
            # |x|ⁿ (np.power's fast path is for positive bases), x's sign back for odd n
            r = np.power(np.abs(x), e)
            return np.copysign(r, x) if int(e) % 2 else r
    try:
        return np.power(x, e)
    except ValueError as err:  # NumPy refuses integers to negative integer powers
        if "negative integer powers" not in str(err):
            raise
        if e.__class__ is int:  # a Python int exponent: torch refuses too, with its class
            raise RuntimeError("Integers to negative integer powers are not allowed.") from None
        return _int_power(x, e)


def _int_power(x: Any, e: Any) -> Any:
    """torch's integer xᵉ where some e < 0: 1/xⁿ truncated, so 1 for x = 1, ±1 for
    x = −1 (by the parity of e) and 0 otherwise (0 too for x = 0)."""
    dt = result_type(x, e)  # a number base takes the tensor's type (-7 ** int16: int16)
    x, e = np.asarray(x), np.asarray(e)
    neg = e < 0
    out = np.power(x, np.where(neg, 0, e))
    inv = np.where(x == 1, 1, np.where(x == -1, np.where(e % 2 == 0, 1, -1), 0))
    return np.where(neg, inv, out).astype(dt, copy=False)


@_recorded(PowBackward, power, save=True, as_arrays=False)
def _pow(a: Any, b: Any) -> Tensor:
    """aᵇ elementwise (either may be a constant)."""


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the contract's name
    """aᵇ elementwise (either may be a constant)."""
    # a frame of its own: the recorded body is shared with + − × ÷, which check nothing
    if Away.autocast and autocast_active():  # on torch's autocast lists
        return autocast_run("pow", pow, a, b)
    return _pow(a, b)


# -- comparisons: bool tensors, never differentiable ----------------------------------------
def _compare(fn):
    def op(a: Any, b: Any) -> Tensor:
        if b is None:
            return NotImplemented
        x = a._data if isinstance(a, Tensor) else a
        y = b._data if isinstance(b, Tensor) else b
        if x.__class__ is not y.__class__ and y.__class__ is not float and \
                y.__class__ is not int:  # (x > 0 costs two class tests, no call)
            x, y = device_pair(x, y)  # a CPU scalar joins a device array (torch), or raise
        if is_array(x) and is_array(y) and x.dtype != y.dtype:
            x, y = promote(x, y)  # tensors compare at their result_type; scalars exactly
        elif y.__class__ is int and is_array(x) and x.dtype.kind in "iu" and \
                not fits(y, x.dtype) or x.__class__ is int and is_array(y) and \
                y.dtype.kind in "iu" and not fits(x, y.dtype):
            x, y = promote(x, y)  # except an int beyond an integer tensor's dtype: torch wraps
        try:
            return _wrap(fn(x, y), None)
        except ValueError as err:
            raise _shape_error(err, fn, a, b) from None
    op.__name__ = fn.__name__
    op.__doc__ = f"Elementwise {fn.__name__} (a bool tensor; no gradient)."
    return op


lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
eq = _compare(np.equal)
ne = _compare(np.not_equal)

