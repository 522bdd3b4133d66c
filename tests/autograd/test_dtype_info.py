"""ag.finfo / iinfo / is_complex / promote_types / can_cast / dtype: torch 2.13's values,
reprs and messages (computed with torch in a scratch script and pasted)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

# torch.finfo(dt): bits, eps, max, tiny (= smallest_normal), resolution, dtype, repr
FINFO = {
    "float16": (16, 0.0009765625, 65504.0, 6.103515625e-05, 0.001, "float16",
                "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, "
                "smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"),
    "float32": (32, 1.1920928955078125e-07, 3.4028234663852886e+38, 1.1754943508222875e-38,
                1e-06, "float32",
                "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, "
                "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)"),
    "float64": (64, 2.220446049250313e-16, 1.7976931348623157e+308, 2.2250738585072014e-308,
                1e-15, "float64",
                "finfo(resolution=1e-15, min=-1.79769e+308, max=1.79769e+308, eps=2.22045e-16, "
                "smallest_normal=2.22507e-308, tiny=2.22507e-308, dtype=float64)"),
    "bfloat16": (16, 0.0078125, 3.3895313892515355e+38, 1.1754943508222875e-38, 0.01,
                 "bfloat16",
                 "finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, "
                 "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)"),
}
FINFO["complex64"] = FINFO["float32"]
FINFO["complex128"] = FINFO["float64"]


@pytest.mark.parametrize("name", sorted(FINFO))
def test_finfo_is_torchs(name: str) -> None:
    bits, eps, mx, tiny, res, dt, rep = FINFO[name]
    fi = ag.finfo(getattr(ag, name))
    got = (fi.bits, fi.eps, fi.max, fi.min, fi.tiny, fi.smallest_normal, fi.resolution,
           fi.dtype, repr(fi))
    assert got == (bits, eps, mx, -mx, tiny, tiny, res, dt, rep)
    assert type(fi.eps) is float and type(fi.bits) is int


def test_finfo_default_and_tensor_dtype() -> None:
    assert ag.finfo() == ag.finfo(ag.float32)
    assert ag.finfo(ag.tensor([1.0], dtype=ag.float64).dtype).eps == 2.220446049250313e-16


IINFO = {  # torch.iinfo: bits, min, max, repr
    "uint8": (8, 0, 255, "iinfo(min=0, max=255, dtype=uint8)"),
    "int8": (8, -128, 127, "iinfo(min=-128, max=127, dtype=int8)"),
    "int16": (16, -32768, 32767, "iinfo(min=-32768, max=32767, dtype=int16)"),
    "int32": (32, -2147483648, 2147483647, "iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)"),
    "int64": (64, -9223372036854775808, 9223372036854775807,
              "iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)"),
}


@pytest.mark.parametrize("name", sorted(IINFO))
def test_iinfo_is_torchs(name: str) -> None:
    ii = ag.iinfo(getattr(ag, name))
    assert (ii.bits, ii.min, ii.max, repr(ii), ii.dtype) == (*IINFO[name], name)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: ag.finfo(ag.int32), "torch.finfo() requires a floating point input type. Use "
     "torch.iinfo to handle 'torch.finfo'"),
    (lambda: ag.iinfo(ag.float32), "torch.iinfo() requires an integer input type. Use "
     "torch.finfo to handle 'torch.iinfo'"),
    (lambda: ag.iinfo(ag.bfloat16), "torch.iinfo() requires an integer input type. Use "
     "torch.finfo to handle 'torch.iinfo'"),
    (lambda: ag.iinfo(ag.bool), "torch.bool is not supported by torch.iinfo"),
    (lambda: ag.finfo(3), "finfo(): argument 'type' (position 1) must be torch.dtype, not int"),
    (lambda: ag.is_complex(3), "is_complex(): argument 'input' (position 1) must be Tensor, "
     "not int"),
    (lambda: ag.promote_types(ag.float32, 3), "promote_types(): argument 'type2' (position 2) "
     "must be torch.dtype, not int"),
    (lambda: ag.can_cast(1.0, ag.int32), "can_cast(): argument 'from_' (position 1) must be "
     "torch.dtype, not float"),
    (lambda: ag.dtype(), "cannot create 'torch.dtype' instances"),
])
def test_bad_input_raises_torchs_type_error(call: object, message: str) -> None:
    with pytest.raises(TypeError) as err:
        call()
    assert str(err.value) == message


def test_is_complex() -> None:
    assert ag.is_complex(ag.zeros(2, dtype=ag.complex64))
    assert not ag.is_complex(ag.zeros(2))


NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
         "complex64", "complex128"]
# torch.promote_types(row, column) over NAMES
PROMOTE = [
    ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["uint8", "uint8", "int16", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["int8", "int16", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["int16", "int16", "int16", "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["int32", "int32", "int32", "int32", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["int64", "int64", "int64", "int64", "int64", "int64", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["float16", "float16", "float16", "float16", "float16", "float16", "float16", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["float32", "float32", "float32", "float32", "float32", "float32", "float32", "float32", "float64", "complex64", "complex128"],  # noqa: E501
    ["float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "complex128", "complex128"],  # noqa: E501
    ["complex64", "complex64", "complex64", "complex64", "complex64", "complex64", "complex64", "complex64", "complex128", "complex64", "complex128"],  # noqa: E501
    ["complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128", "complex128"],  # noqa: E501
]
# torch.can_cast(row, column): True from bool, never to a lower category
CAN_CAST = [[True] * 11] + [[False] + [True] * 10] * 5 + [[False] * 6 + [True] * 5] * 3 \
    + [[False] * 9 + [True] * 2] * 2


def test_promote_types_table_is_torchs() -> None:
    got = [[ag.promote_types(getattr(ag, a), getattr(ag, b)).name
            for b in NAMES] for a in NAMES]
    assert got == PROMOTE
    assert isinstance(ag.promote_types(ag.int64, ag.float16), np.dtype)


def test_can_cast_table_is_torchs() -> None:
    assert [[ag.can_cast(getattr(ag, a), getattr(ag, b)) for b in NAMES] for a in NAMES] \
        == CAN_CAST


def test_dtype_isinstance() -> None:
    for name in NAMES:
        assert isinstance(getattr(ag, name), ag.dtype)
    assert isinstance(ag.tensor([1.0]).dtype, ag.dtype)
    assert isinstance(ag.bfloat16, ag.dtype)
    assert not isinstance(3, ag.dtype)
    assert not isinstance(np.dtype("U3"), ag.dtype)
    assert not isinstance(float, ag.dtype)  # the builtin, not ag.float
    assert ag.get_default_dtype() == ag.float32
