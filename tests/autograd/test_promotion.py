"""Type promotion follows torch.result_type (issue 13, item 8).

Every expected dtype below was printed by torch 2.13 (``torch.result_type`` and the op's
output dtype) for the same operands.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest

import autograd as ag
from autograd.promotion import result_type


def t(values, dtype):
    return ag.tensor(np.array(values, dtype=dtype))


I64 = t([1, 2], np.int64)
I32 = t([1, 2], np.int32)
U8 = t([1, 2], np.uint8)
I8 = t([1], np.int8)
F32 = t([1.0, 2.0], np.float32)
F64 = t([1.0, 2.0], np.float64)
F16 = t([1.0, 2.0], np.float16)
B = t([True, False], np.bool_)
Z_F64 = t(1.0, np.float64)  # 0-d tensors
Z_I64 = t(1, np.int64)
Z_F32 = t(1.0, np.float32)

# operands -> torch's result dtype (torch 2.13)
TABLE = [
    (I64, F32, "float32"), (I64, 1.5, "float32"), (F32, np.float64(0.5), "float32"),
    (F32, np.float32(0.5), "float32"), (I64, np.float64(0.5), "float32"),
    (I32, np.int64(2), "int32"), (I32, 1, "int32"), (B, 1, "int64"), (B, 1.5, "float32"),
    (B, True, "bool"), (B, I32, "int32"), (F32, Z_F64, "float32"), (I64, Z_F64, "float64"),
    (I32, Z_I64, "int32"), (B, Z_I64, "int64"), (Z_I64, 1.5, "float32"),
    (Z_I64, Z_F64, "float64"), (I64, F16, "float16"), (F16, 1.5, "float16"),
    (F32, F64, "float64"), (U8, I8, "int16"), (U8, 1, "uint8"), (I32, Z_F32, "float32"),
    (F32, 1j, "complex64"), (F64, 1j, "complex128"), (I64, 1j, "complex64"),
    (Z_F64, F32, "float32"), (F32, np.int64(3), "float32"),
]


@pytest.mark.parametrize(("a", "b", "want"), TABLE)
def test_result_type_is_torchs(a, b, want) -> None:
    assert result_type(a, b) == np.dtype(want)
    assert result_type(b, a) == np.dtype(want)


@pytest.mark.parametrize(("a", "b", "want"), [r for r in TABLE if not isinstance(r[1], complex)])
def test_arithmetic_gives_the_result_type(a, b, want) -> None:
    has_bool = any(getattr(v, "dtype", None) == np.bool_ or isinstance(v, bool) for v in (a, b))
    for out in (a * b, b * a, a + b, a * b if has_bool else a - b):
        assert out.dtype == np.dtype(want)


@pytest.mark.parametrize(("a", "b"), [(B, 1), (B, 1.5), (B, I32), (B, Z_I64), (F32, True)])
def test_subtraction_with_a_bool_operand_raises_as_torch(a, b) -> None:
    # torch 2.13: "Subtraction, the `-` operator, with a bool tensor is not supported"
    for call in (lambda: a - b, lambda: b - a):
        with pytest.raises(RuntimeError, match="bool tensor is not supported"):
            call()


def test_integer_true_division_gives_float32() -> None:
    assert (I64 / I64).dtype == np.float32
    assert (I64 / 2).dtype == np.float32 and (2 / I64).dtype == np.float32
    with np.errstate(invalid="ignore"):
        assert (B / B).dtype == np.float32
    # float32 of the operands first, as torch: 16777217 is 16777216 in float32
    assert (t([16777217], np.int64) + 0.5).tolist() == [16777216.0]


def test_pow_where_maximum_cat_stack_promote() -> None:
    assert (I64 ** 2).dtype == np.int64 and (I64 ** 2.0).dtype == np.float32
    assert (2 ** I64).dtype == np.int64 and (2.0 ** I64).dtype == np.float32
    assert (F32 ** F64).dtype == np.float64 and (I64 ** F32).dtype == np.float32
    assert ag.where(B, I64, 1.5).dtype == np.float32
    assert ag.where(B, F32, F64).dtype == np.float64
    assert ag.where(B, I64, F32).dtype == np.float32
    assert ag.where(B, 1.0, 2.0).dtype == np.float32
    assert ag.where(B, I64, 2).dtype == np.int64
    assert ag.maximum(I64, F32).dtype == np.float32 and ag.minimum(F32, F64).dtype == np.float64
    assert ag.cat([I64, F32]).dtype == np.float32
    assert ag.stack([I64, F64]).dtype == np.float64
    assert ag.cat([B, I32]).dtype == np.int32


def test_comparisons_between_tensors_compare_at_the_result_type() -> None:
    # torch: tensor([16777217]) == tensor([16777216.]) is True (both float32)
    assert (t([16777217], np.int64) == t([16777216.0], np.float32)).tolist() == [True]
    # with a Python scalar the comparison is exact (torch: 16777217 < 16777217.5 is True)
    assert (t([16777217], np.int64) < 16777217.5).tolist() == [True]


def test_gradient_through_a_promoted_product_keeps_the_inputs_dtype() -> None:
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * ag.tensor([1, 2, 3])
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 2.0, 3.0]
    c = ag.tensor(np.float64(2.0), requires_grad=True)  # 0-d float64 with float32: float32
    z = x * c
    assert z.dtype == np.float32
    z.sum().backward()
    assert c.grad.dtype == np.float64 and c.grad.item() == 6.0


def test_matmul_does_not_promote() -> None:
    with pytest.raises(RuntimeError, match="same dtype"):
        ag.ones(1, 2) @ ag.ones(2, 2, dtype=ag.float64)
    with pytest.raises(RuntimeError, match="same dtype, but got Long and Float"):
        ag.tensor([[1, 2]]) @ ag.ones(2, 2)


def test_clamp_promotes_as_torch() -> None:
    # torch 2.13: clamp(int64, max=5) int64; clamp(int64, min=0.5) float32;
    # clamp(float32, min=np.float64(2)) float32
    assert ag.clamp(I64, max=5).dtype == np.int64
    assert ag.clamp(I64, min=0.5).dtype == np.float32
    assert ag.clamp(F32, min=np.float64(2)).dtype == np.float32
    assert ag.clamp(t([1, 5, 9], np.int64), max=5).tolist() == [1, 5, 5]


def test_result_type_is_public_as_torchs() -> None:
    assert ag.result_type(I64, 1.5) == np.float32 and ag.result_type(F32, Z_F64) == np.float32


_NUMBERS = [1.01, -0.01, 3, -7, 1 / 3, 1e-8, 1e-40, 65504.0, 70000, 1e38, 3.5e38, 1e300,
            2**60 + 1, 0.0, -0.0, 0, float("inf"), float("nan")]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_number_operands_compute_as_numpys_weak_scalars(dtype) -> None:
    # The fast path hands a number to the ufunc as a cached 0-d array of the tensor's
    # dtype: every result (bits, signed zeros, inf/nan) and dtype must be NumPy's own.
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(20), [0, -0.0, np.inf, -np.inf, np.nan]]).astype(dtype)
    t = ag.tensor(x, requires_grad=True)
    with np.errstate(all="ignore"):
        for _ in range(2):  # the second time from the cache
            for c in _NUMBERS:
                for op, fn in ((operator.add, np.add), (operator.sub, np.subtract),
                               (operator.mul, np.multiply), (operator.truediv, np.true_divide)):
                    for got, want in ((op(t, c), fn(x, c)), (op(c, t), fn(c, x))):
                        assert got.dtype == want.dtype, (c, fn)
                        assert got.detach().numpy().tobytes() == want.tobytes(), (c, fn)


def test_number_operands_keep_the_number_for_the_vjp_and_pow() -> None:
    t = ag.tensor([1.5, -2.0], requires_grad=True)
    y = t * 3.0
    assert y.grad_fn.saved == (None, 3.0)  # a Python number stays one (drawings skip it)
    assert np.array_equal((t ** 2).detach().numpy(), np.float32([2.25, 4.0]))


Z_F32 = t(1.5, np.float32)


@pytest.mark.parametrize("name, a, b, want, values", [
    # (torch 2.13's dtype and values for each call)
    ("hypot", I64, Z_F64, np.float64, [1.4142135623730951, 2.23606797749979]),
    ("hypot", U8, Z_F64, np.float64, [1.4142135623730951, 2.23606797749979]),
    ("hypot", B, Z_F64, np.float64, [1.4142135623730951, 1.0]),
    ("copysign", Z_F64, U8, np.float64, [1.0, 1.0]),
    ("atan2", I32, Z_F64, np.float64, [0.7853981633974483, 1.1071487177940904]),
    ("xlogy", Z_F32, -1.5, np.float32, np.nan),
    ("xlogy", U8, 1.5, np.float32, [0.40546509623527527, 0.8109301924705505]),
    ("xlogy", F32, 3, np.float32, [1.0986123085021973, 2.1972246170043945]),
    ("logaddexp", F32, I64, np.float32, [1.6931471824645996, 2.6931471824645996]),
    ("logaddexp", I32, F32, np.float32, [1.6931471824645996, 2.6931471824645996]),
    ("logaddexp", F32, Z_F64, np.float32, [1.6931471824645996, 2.3132617473602295]),
    ("logaddexp2", F32, Z_F64, np.float32, [2.0, 2.5849623680114746]),
    ("logaddexp2", I32, F32, np.float32, [2.0, 3.0]),
])
def test_float_functions_compute_at_torchs_result_type(name, a, b, want, values) -> None:
    # these cast integer operands to float32 and used to let NumPy promote the rest: an
    # int64 tensor with a 0-d float64 gave float32, a float32 0-d with a number float64
    out = getattr(ag, name)(a, b)
    assert out.dtype == want
    np.testing.assert_allclose(out.numpy(), values, rtol=1e-7 if want == np.float32 else 1e-15)


def test_a_float32_operand_is_not_rounded_on_the_way_to_a_float64_result() -> None:
    # logaddexp2(x, y) = logaddexp(x ln2, y ln2)/ln2: x ln2 was formed in float32
    x = t([0.3, -1.7], np.float32)
    y = t([0.1, 2.9], np.float64)
    want = np.logaddexp2(x.numpy().astype(np.float64), y.numpy())
    np.testing.assert_allclose(ag.logaddexp2(x, y).numpy(), want, rtol=1e-15)


def test_nan_to_num_keeps_integer_and_bool_dtypes() -> None:
    out = ag.nan_to_num(B)
    assert out.dtype == ag.bool and out.tolist() == [True, False]
    assert ag.nan_to_num(I32).dtype == ag.int32


def test_pow_exponent_gradient_takes_the_log_of_a_float32_base_in_float64() -> None:
    # torch 2.13's gradient for the float64 exponent of a float32 base (ln a was float32)
    # (a base that requires a gradient: a constant one was already kept in float64)
    a = ag.tensor(np.array([1.4318655, 0.3, 2.5], np.float32), requires_grad=True)
    b = ag.tensor([-2.2745247119329264, 1.7, 0.2], dtype=ag.float64, requires_grad=True)
    (a ** b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [0.15865893383511495, -0.155497290190208,
                                                1.100579186684776], rtol=1e-15)


def test_an_int_beyond_an_integer_tensors_type_wraps_as_torchs() -> None:
    # torch 2.13's results: the number is cast to the tensor's type with wraparound (NumPy
    # raised OverflowError; comparisons compared exactly)
    u = t([3, 250], np.uint8)
    assert (u * -3).tolist() == [247, 18] and (u * -3).dtype == ag.uint8
    assert (u + -1).tolist() == [2, 249] and (-3 - u).tolist() == [250, 3]
    assert (u > -7).tolist() == [False, True] and (u == 259).tolist() == [True, False]
    assert (u & -3).tolist() == [1, 248]
    assert (t([3], np.int8) + 200).tolist() == [-53]
    # true division takes the number as it is, in float32
    np.testing.assert_array_equal((u / -3).numpy(), np.float32([-1.0, -83.33333587646484]))
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        _ = u ** -3
    with pytest.raises(OverflowError):
        _ = u + 2 ** 70


def test_a_number_base_to_integer_powers_takes_the_tensors_type() -> None:
    out = ag.pow(-7, t([5, 6, -1], np.int16))
    assert out.dtype == ag.int16 and out.tolist() == [-16807, -13423, 0]


def test_in_place_ops_cast_between_integer_types_as_torch() -> None:
    # torch.can_cast's rule: integer to integer is allowed (wrapping), float to integer
    # and integer to bool are not
    u = t([250, 3], np.uint8)
    u.add_(t([10, 300], np.int64))
    assert u.tolist() == [4, 47] and u.dtype == ag.uint8
    i = t([100, 7], np.int32)
    i.mul_(t([2 ** 31, 3], np.int64))
    assert i.tolist() == [0, 21]
    with pytest.raises(RuntimeError, match="can't be cast"):
        t([1, 2], np.int64).add_(F32)
    with pytest.raises(RuntimeError, match="can't be cast"):
        t([True, False], np.bool_).add_(I64)


def test_addcmul_multiplies_at_the_type_of_all_three_operands() -> None:
    out = ag.addcmul(t([1, 2], np.int32), t([20, 30], np.uint8), t([20, 30], np.uint8))
    assert out.dtype == ag.int32 and out.tolist() == [401, 902]  # not 145, 134 (mod 256)
