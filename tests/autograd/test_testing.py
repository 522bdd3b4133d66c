# ruff: noqa: E501 - the CASES table holds torch's messages verbatim, one case a line
"""ag.testing.assert_close / assert_allclose / make_tensor against torch 2.13.

CASES: every call with torch's outcome (exception class and message, "OK" for none), from
a scratch script that ran the same calls through torch.testing (the Tensor class's name in
"No comparison pair" messages is chainrule's; one torch-internal RuntimeError, a negative
rtol, is chainrule's clear message under torch's class).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as T  # noqa: N812 - the cases are written as torch's, with T for torch
from autograd.testing import assert_allclose as AA  # noqa: N814
from autograd.testing import assert_close as AC  # noqa: N814
from autograd.testing import make_tensor

CASES = [
    (lambda: AC(T.tensor([1.,2.,3.,4.]), T.tensor([1.,2.5,3.,4.])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 4 (25.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([1.,2.,3.,4.]), T.tensor([1.,2.,3.])),
     'AssertionError', "The values for attribute 'shape' do not match: torch.Size([4]) != torch.Size([3])."),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1.,2.], dtype=T.float64)),
     'AssertionError', "The values for attribute 'dtype' do not match: torch.float32 != torch.float64."),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1.,2.], dtype=T.float64), check_dtype=False),
     'OK', ''),
    (lambda: AC(T.tensor([1,2]), T.tensor([1,3])),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1 at index (1,)\nGreatest relative difference: 0.3333333432674408 at index (1,)'),
    (lambda: AC(T.tensor([[1.,2.],[3.,4.]]), T.tensor([[1.,2.],[3.,4.1]])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 4 (25.0%)\nGreatest absolute difference: 0.09999990463256836 at index (1, 1) (up to 1e-05 allowed)\nGreatest relative difference: 0.024390220642089844 at index (1, 1) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([1.,float('nan')]), T.tensor([1.,float('nan')])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: nan at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([1.,float('nan')]), T.tensor([1.,float('nan')]), equal_nan=True),
     'OK', ''),
    (lambda: AC(1.0, 1.0 + 1e-8),
     'OK', ''),
    (lambda: AC(1.0, 1.1),
     'AssertionError', 'Scalars are not close!\n\nExpected 1.1 but got 1.0.\nAbsolute difference: 0.10000000000000009 (up to 1e-07 allowed)\nRelative difference: 0.09090909090909098 (up to 1e-07 allowed)'),
    (lambda: AC(1, 2),
     'AssertionError', 'Scalars are not equal!\n\nExpected 2 but got 1.\nAbsolute difference: 1\nRelative difference: 0.5'),
    (lambda: AC(1, 1.0),
     'AssertionError', "The (d)types do not match: <class 'int'> != <class 'float'>."),
    (lambda: AC([1.0, 2.0], [1.0, 2.0]),
     'OK', ''),
    (lambda: AC([1.0, 2.0], [1.0, 2.1]),
     'AssertionError', 'Scalars are not close!\n\nExpected 2.1 but got 2.0.\nAbsolute difference: 0.10000000000000009 (up to 1e-07 allowed)\nRelative difference: 0.04761904761904766 (up to 1e-07 allowed)\n\nThe failure occurred for item [1]'),
    (lambda: AC([1.0, 2.0], [1.0]),
     'AssertionError', 'The length of the sequences mismatch: 2 != 1'),
    (lambda: AC({"a": T.tensor(1.)}, {"a": T.tensor(1.5)}),
     'AssertionError', "Scalars are not close!\n\nExpected 1.5 but got 1.0.\nAbsolute difference: 0.5 (up to 1e-05 allowed)\nRelative difference: 0.3333333333333333 (up to 1.3e-06 allowed)\n\nThe failure occurred for item ['a']"),
    (lambda: AC({"a": 1.}, {"b": 1.}),
     'AssertionError', "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['b']\nAdditional keys in the actual mapping: ['a']"),
    (lambda: AC(T.tensor([1.]), [1.]),
     'TypeError', "No comparison pair was able to handle inputs of type <class 'autograd.tensor.Tensor'> and <class 'list'>."),
    (lambda: AC(T.tensor([1.]), T.tensor([1.1]), rtol=0.2),
     'ValueError', "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    (lambda: AC(T.tensor([1.]), T.tensor([1.1]), rtol=0.2, atol=0),
     'OK', ''),
    (lambda: AC(T.tensor([1.]), T.tensor([1.1]), msg="custom"),
     'AssertionError', 'custom'),
    (lambda: AC(T.tensor([1.]), T.tensor([1.1]), msg=lambda m: "pre " + m),
     'AssertionError', 'pre Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 0.10000002384185791 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.09090910851955414 at index (0,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor(1.), T.tensor(1.1)),
     'AssertionError', 'Scalars are not close!\n\nExpected 1.100000023841858 but got 1.0.\nAbsolute difference: 0.10000002384185791 (up to 1e-05 allowed)\nRelative difference: 0.09090911061310529 (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([True, False]), T.tensor([True, True])),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1 at index (1,)\nGreatest relative difference: 1.0 at index (1,)'),
    (lambda: AC(T.tensor([1.], dtype=T.float16), T.tensor([1.0009765625], dtype=T.float16)),
     'OK', ''),
    (lambda: AC(T.tensor([1.], dtype=T.float16), T.tensor([1.001953125], dtype=T.float16)),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 0.001953125 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.001949310302734375 at index (0,) (up to 0.001 allowed)'),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1.,2.]).requires_grad_()),
     'OK', ''),
    (lambda: AC(T.tensor([1.,float('inf')]), T.tensor([1.,float('inf')])),
     'OK', ''),
    (lambda: AC(T.tensor([1.,float('inf')]), T.tensor([1.,-float('inf')])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: inf at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: nan at index (1,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([0.,0.]), T.tensor([0.,1.])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 1.0 at index (1,) (up to 1.3e-06 allowed)'),
    (lambda: AC((T.tensor([1.,2.]),), (T.tensor([1.,2.1]),)),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)\n\nThe failure occurred for item [0]'),
    (lambda: AC(T.tensor([1.]), T.tensor([1.]), rtol=0.1),
     'ValueError', "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    (lambda: AC("a", "a"),
     'TypeError', "No comparison pair was able to handle inputs of type <class 'str'> and <class 'str'>."),
    (lambda: AC(T.zeros(2,3), T.zeros(3,2)),
     'AssertionError', "The values for attribute 'shape' do not match: torch.Size([2, 3]) != torch.Size([3, 2])."),
    (lambda: AC(T.zeros(0), T.zeros(0)),
     'OK', ''),
    (lambda: AC(T.tensor([1+1j]), T.tensor([1+1.1j])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 0.10000002384185791 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.06726729869842529 at index (0,) (up to 1.3e-06 allowed)'),
    (lambda: AC(float('nan'), float('nan')),
     'AssertionError', 'Scalars are not close!\n\nExpected nan but got nan.\nAbsolute difference: nan (up to 1e-07 allowed)\nRelative difference: nan (up to 1e-07 allowed)'),
    (lambda: AC(float('nan'), float('nan'), equal_nan=True),
     'OK', ''),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1,2])),
     'AssertionError', "The values for attribute 'dtype' do not match: torch.float32 != torch.int64."),
    (lambda: AC(T.tensor([1,2,3]), T.tensor([1,2,5])),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 2 at index (2,)\nGreatest relative difference: 0.4000000059604645 at index (2,)'),
    (lambda: AC(T.tensor([1.]), 1.0),
     'TypeError', "No comparison pair was able to handle inputs of type <class 'autograd.tensor.Tensor'> and <class 'float'>."),
    (lambda: AC(T.tensor(1.), 1.0),
     'TypeError', "No comparison pair was able to handle inputs of type <class 'autograd.tensor.Tensor'> and <class 'float'>."),
    (lambda: AC(np.array([1.]), np.array([1.1])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 0.10000000000000009 at index (0,) (up to 1e-07 allowed)\nGreatest relative difference: 0.09090909090909098 at index (0,) (up to 1e-07 allowed)'),
    (lambda: AC(T.tensor([1.]), np.array([1.])),
     'TypeError', "No comparison pair was able to handle inputs of type <class 'autograd.tensor.Tensor'> and <class 'numpy.ndarray'>."),
    (lambda: AC(np.float32(1.), np.float32(1.)),
     'OK', ''),
    (lambda: AC(np.float32(1.), np.float32(1.5)),
     'AssertionError', 'Scalars are not close!\n\nExpected 1.5 but got 1.0.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: 0.3333333333333333 (up to 1e-07 allowed)'),
    (lambda: AC(True, False),
     'AssertionError', 'Booleans mismatch: True is not False'),
    (lambda: AC(np.bool_(True), True),
     'OK', ''),
    (lambda: AC(1, 1.0, check_dtype=False),
     'OK', ''),
    (lambda: AC(1, 2.0, check_dtype=False),
     'AssertionError', 'Scalars are not close!\n\nExpected 2.0 but got 1.\nAbsolute difference: 1.0 (up to 1e-07 allowed)\nRelative difference: 0.5 (up to 1e-07 allowed)'),
    (lambda: AC(None, None),
     'OK', ''),
    (lambda: AC(None, 1),
     'AssertionError', 'None mismatch: None is not 1'),
    (lambda: AC([[1.0, 2.0]], [[1.0, 2.1]]),
     'AssertionError', 'Scalars are not close!\n\nExpected 2.1 but got 2.0.\nAbsolute difference: 0.10000000000000009 (up to 1e-07 allowed)\nRelative difference: 0.04761904761904766 (up to 1e-07 allowed)\n\nThe failure occurred for item [0][1]'),
    (lambda: AC([{"x": [1.0]}], [{"x": [1.5]}]),
     'AssertionError', "Scalars are not close!\n\nExpected 1.5 but got 1.0.\nAbsolute difference: 0.5 (up to 1e-07 allowed)\nRelative difference: 0.3333333333333333 (up to 1e-07 allowed)\n\nThe failure occurred for item [0]['x'][0]"),
    (lambda: AC((1.0,), [1.0]),
     'OK', ''),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1,2]), check_dtype=False),
     'OK', ''),
    (lambda: AC(T.tensor([1.,2.5]), T.tensor([1,2]), check_dtype=False),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.25 at index (1,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([1.,2.], dtype=T.float16), T.tensor([1.,2.1]), check_dtype=False),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.04761900380253792 at index (1,) (up to 0.001 allowed)'),
    (lambda: AC(T.tensor([0.,1.]), T.tensor([1.,0.])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 2 / 2 (100.0%)\nGreatest absolute difference: 1.0 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: inf at index (1,) (up to 1.3e-06 allowed)'),
    (lambda: AC(0.0, 1e-9),
     'OK', ''),
    (lambda: AC(1.0, 1.0 + 2e-7, atol=0, rtol=0),
     'AssertionError', 'Scalars are not equal!\n\nExpected 1.0000002 but got 1.0.\nAbsolute difference: 1.9999999989472883e-07\nRelative difference: 1.9999995989473686e-07'),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1.5,2.]), rtol=0, atol=0),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 0.5 at index (0,)\nGreatest relative difference: 0.3333333432674408 at index (0,)'),
    (lambda: AC(T.zeros(2, 3, dtype=T.int32), T.ones(2, 3, dtype=T.int32)),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 6 / 6 (100.0%)\nGreatest absolute difference: 1 at index (0, 0)\nGreatest relative difference: 1.0 at index (0, 0)'),
    (lambda: AC(T.tensor([255], dtype=T.uint8), T.tensor([0], dtype=T.uint8)),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 255 at index (0,)\nGreatest relative difference: inf at index (0,)'),
    (lambda: AC(1j, 1.1j),
     'AssertionError', 'Scalars are not close!\n\nExpected 1.1j but got 1j.\nAbsolute difference: 0.10000000000000009 (up to 1e-07 allowed)\nRelative difference: 0.09090909090909098 (up to 1e-07 allowed)'),
    (lambda: AC(T.tensor([[1., 2.], [3., 4.]], dtype=T.float64), T.tensor([[1., 2.000001], [3.1, 4.]], dtype=T.float64)),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 2 / 4 (50.0%)\nGreatest absolute difference: 0.10000000000000009 at index (1, 0) (up to 1e-07 allowed)\nGreatest relative difference: 0.03225806451612906 at index (1, 0) (up to 1e-07 allowed)'),
    (lambda: AC(T.tensor([1,2,3]), T.tensor([1,2,4]), rtol=0.5, atol=0.5),
     'OK', ''),
    (lambda: AC(T.tensor([1,2,3]), T.tensor([1,2,9]), rtol=0.5, atol=0.5),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute difference: 6 at index (2,) (up to 0.5 allowed)\nGreatest relative difference: 0.6666666865348816 at index (2,) (up to 0.5 allowed)'),
    (lambda: AC(T.tensor([1.,2.]), T.tensor([1.,2.]), rtol=-1, atol=0),
     'RuntimeError', 'rtol must be greater than or equal to zero, but got -1'),
    (lambda: AC({"b": [1.0, {"c": T.tensor([1., 2.])}], "a": 2}, {"b": [1.0, {"c": T.tensor([1., 3.])}], "a": 2}),
     'AssertionError', "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: 0.3333333432674408 at index (1,) (up to 1.3e-06 allowed)\n\nThe failure occurred for item ['b'][1]['c']"),
    (lambda: AC({"a": 1.}, {"a": 1., "c": 2.}),
     'AssertionError', "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['c']\nAdditional keys in the actual mapping: []"),
    (lambda: AC(T.tensor([1.,2.,3.]), T.tensor([1.,2.,3.]), check_stride=True),
     'OK', ''),
    (lambda: AC(T.arange(6.).reshape(2,3).t(), T.arange(6.).reshape(2,3).t().contiguous(), check_stride=True),
     'AssertionError', "The values for attribute 'stride()' do not match: (1, 3) != (2, 1)."),
    (lambda: AC(T.tensor([[1.,2.],[3.,4.]]).t(), T.tensor([[1.,3.],[2.,4.1]])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 4 (25.0%)\nGreatest absolute difference: 0.09999990463256836 at index (1, 1) (up to 1e-05 allowed)\nGreatest relative difference: 0.024390220642089844 at index (1, 1) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([1., 2.], dtype=T.complex128), T.tensor([1., 2.+1e-6j], dtype=T.complex128)),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1e-06 at index (1,) (up to 1e-07 allowed)\nGreatest relative difference: 4.999999999999375e-07 at index (1,) (up to 1e-07 allowed)'),
    (lambda: AC(T.tensor([-1., 2.]), T.tensor([1., 2.])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 2.0 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 2.0 at index (0,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor(3), T.tensor(4)),
     'AssertionError', 'Scalars are not equal!\n\nExpected 4 but got 3.\nAbsolute difference: 1\nRelative difference: 0.25'),
    (lambda: AC(T.tensor([1e-6, 1e-8]), T.tensor([1.2e-5, 1e-8])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 1.1000000085914508e-05 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.9166666269302368 at index (0,) (up to 1.3e-06 allowed)'),
    (lambda: AC(T.tensor([1., 2.]), T.tensor([1., 2.]), allow_subclasses=False),
     'OK', ''),
    (lambda: AC([T.tensor([1.]), 2.0], [T.tensor([1.]), 2.0001]),
     'AssertionError', 'Scalars are not close!\n\nExpected 2.0001 but got 2.0.\nAbsolute difference: 0.00010000000000021103 (up to 1e-07 allowed)\nRelative difference: 4.9997500125099255e-05 (up to 1e-07 allowed)\n\nThe failure occurred for item [1]'),
    (lambda: AC(T.tensor([1., 2.]), T.tensor([1., 2.]), rtol=0.1),
     'ValueError', "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    (lambda: AC(T.tensor([1, 2], dtype=T.int8), T.tensor([1, 2], dtype=T.uint8), check_dtype=False),
     'OK', ''),
    (lambda: AC(T.tensor([-1, 2], dtype=T.int8), T.tensor([255, 2], dtype=T.uint8), check_dtype=False),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute difference: 256 at index (0,)\nGreatest relative difference: 1.003921627998352 at index (0,)'),
    (lambda: AC(T.tensor([True]), T.tensor([1]), check_dtype=False),
     'OK', ''),
    (lambda: AC(T.tensor([True]), T.tensor([2]), check_dtype=False),
     'AssertionError', 'Tensor-likes are not equal!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 1 at index (0,)\nGreatest relative difference: 0.5 at index (0,)'),
    (lambda: AA(T.tensor([1.]), T.tensor([1.0000001])),
     'OK', ''),
    (lambda: AA(T.tensor([1.]), T.tensor([1.1])),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 0.10000002384185791 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.09090910851955414 at index (0,) (up to 0.0001 allowed)'),
    (lambda: AA(T.tensor([1.]), [1.0]),
     'OK', ''),
    (lambda: AA(T.tensor([1.]), [1.001]),
     'AssertionError', 'Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute difference: 0.001000046730041504 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: 0.0009990476537495852 at index (0,) (up to 0.0001 allowed)'),
    (lambda: AA(T.tensor([1.]), T.tensor([1.], dtype=T.float64)),
     'OK', ''),
    (lambda: AA([1., 2.], [1., 2.00001]),
     'OK', ''),
    (lambda: AA(T.tensor([1., float('nan')]), T.tensor([1., float('nan')])),
     'OK', ''),
    (lambda: AA(T.tensor([1.], dtype=T.float16), T.tensor([1.002], dtype=T.float16)),
     'OK', ''),]


@pytest.mark.parametrize(("call", "kind", "message"), CASES)
def test_assert_close_as_torch(call: object, kind: str, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # assert_allclose's deprecation
        try:
            call()
        except Exception as err:  # noqa: BLE001 - the class is what is compared
            got = (type(err).__name__, str(err))
        else:
            got = ("OK", "")
    assert got == (kind, message)


def test_assert_allclose_warns_as_torch() -> None:
    with pytest.warns(FutureWarning, match=r"`torch.testing.assert_allclose\(\)` is "
                      "deprecated since 1.12"):
        AA(T.tensor([1.0]), T.tensor([1.0]))


def test_namespace() -> None:
    assert T.testing.assert_close is AC and T.testing.make_tensor is make_tensor


# torch's make_tensor ranges: floats and complex parts in [-9, 9), integers in [-9, 10),
# uint8 in [0, 10) (the numbers are chainrule's generator's, not torch's)
@pytest.mark.parametrize(("dtype", "low", "high"), [
    (T.float32, -9, 9), (T.float64, -9, 9), (T.float16, -9, 9), (T.complex64, -9, 9),
    (T.int64, -9, 9), (T.int32, -9, 9), (T.int8, -9, 9), (T.uint8, 0, 9), (T.bool, 0, 1)])
def test_make_tensor_default_ranges(dtype: object, low: float, high: float) -> None:
    t = make_tensor(2000, dtype=dtype, device="cpu")
    assert t.dtype == dtype and t.shape == (2000,)
    v = t.numpy()
    v = v.view(v.real.dtype) if v.dtype.kind == "c" else v.astype(np.float64)
    assert low <= v.min() < low + 0.1 and high - 0.1 < v.max() <= high
    if np.dtype(dtype).kind in "biu":
        assert set(np.unique(v)) == set(range(low, high + 1))


def test_make_tensor_options() -> None:
    assert make_tensor((2, 3), dtype=T.float32, device="cpu").shape == (2, 3)
    assert make_tensor((), dtype=T.float32, device="cpu").shape == ()
    t = make_tensor(2, 3, dtype=T.float32, device="cpu", noncontiguous=True)
    assert t.shape == (2, 3) and not t.is_contiguous()
    assert make_tensor(2, dtype=T.float32, device="cpu", requires_grad=True).requires_grad
    assert (make_tensor(2, 3, dtype=T.int64, device="cpu", low=2, high=3).numpy() == 2).all()
    assert set(make_tensor(50, dtype=T.uint8, device="cpu", low=-5, high=3).tolist()) \
        <= {0, 1, 2}
    big = make_tensor(50, dtype=T.float32, device="cpu", low=-1e40).numpy()
    assert np.isfinite(big).all() and big.min() < -1e37
    z = make_tensor(200, dtype=T.int64, device="cpu", low=-1, high=1, exclude_zero=True)
    assert set(z.tolist()) <= {-1, 1}
    zf = make_tensor(20, dtype=T.float32, device="cpu", low=0, high=1e-45, exclude_zero=True)
    assert (zf.numpy() != 0).all()
    with pytest.warns(FutureWarning, match="Passing `low==high`"):
        assert make_tensor(4, dtype=T.float32, device="cpu", low=2, high=2).tolist() == [2.0] * 4


@pytest.mark.parametrize(("kwargs", "kind", "message"), [
    ({"dtype": T.float32, "low": 5, "high": 2}, ValueError,
     "`low` must be less than `high`, but got 5 >= 2"),
    ({"dtype": T.float32, "low": float("nan")}, ValueError,
     "`low` and `high` cannot be NaN, but got low=nan and high=9"),
    ({"dtype": T.int64, "requires_grad": True}, ValueError,
     "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
     "dtype=torch.int64"),
])
def test_make_tensor_bad_input_as_torch(kwargs: dict, kind: type, message: str) -> None:
    with pytest.raises(kind) as err:
        make_tensor(2, 3, device="cpu", **kwargs)
    assert str(err.value) == message


def test_make_tensor_needs_dtype_and_device() -> None:
    with pytest.raises(TypeError, match="device"):
        make_tensor(2, dtype=T.float32)
    with pytest.raises(TypeError, match="dtype"):
        make_tensor(2, device="cpu")
