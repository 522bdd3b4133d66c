"""Conversions (.to, .int, .bool, .half, .nelement), torch's axis=/keepdims= aliases, and
formatting of tensors (f-strings of 0-d tensors, summarised reprs) as torch (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_to_dtype_other_tensor_and_device() -> None:
    t = ag.tensor([1.5, -2.7], requires_grad=True)
    assert t.to(ag.float64).dtype == np.float64
    assert t.to(ag.int64).tolist() == [1, -2]
    assert t.to(np.dtype("float16")).dtype == np.float16
    assert t.to(ag.tensor([1])).dtype == np.int64
    assert t.to("cpu") is t and t.to(ag.float32) is t  # nothing to change: self, as torch
    c = t.to(ag.float32, copy=True)
    assert c is not t and c.tolist() == t.tolist()
    assert t.to("cpu", ag.float64).dtype == np.float64
    assert t.to(dtype=ag.float64).dtype == np.float64
    y = t.to(ag.float64)
    (g,) = ag.grad((y * y).sum(), t)
    assert g.dtype == np.float32 and np.allclose(g.numpy(), [3.0, -5.4])
    if not ag.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            t.to("cuda")


def test_short_casts_and_nelement() -> None:
    t = ag.tensor([1.5, -2.7, 0.0])
    assert t.int().dtype == np.int32 and t.int().tolist() == [1, -2, 0]
    assert t.bool().tolist() == [True, True, False]
    assert t.half().dtype == np.float16
    assert t.short().dtype == np.int16 and t.byte().dtype == np.uint8
    assert t.char().dtype == np.int8
    assert ag.ones(2, 3).nelement() == 6


def test_axis_and_keepdims_aliases() -> None:
    x = ag.tensor(np.arange(6.0).reshape(2, 3))
    assert ag.sum(x, axis=1, keepdims=True).tolist() == [[3.0], [12.0]]
    assert x.mean(axis=0).tolist() == [1.5, 2.5, 3.5]
    assert x.max(axis=1).values.tolist() == [2.0, 5.0]
    assert x.argmax(axis=0).tolist() == [1, 1, 1]
    assert ag.cat([x, x], axis=1).shape == (2, 6)
    assert x.std(axis=1, keepdims=True).shape == (2, 1)
    assert x.unsqueeze(axis=0).shape == (1, 2, 3)
    with pytest.raises(TypeError, match="alias axis"):
        x.sum(dim=0, axis=1)
    assert ag.sum.__name__ == "sum" and ag.sum.__doc__ == ag.ops.reduce.sum.__doc__


def test_fstrings_of_0d_tensors_format_the_item() -> None:
    loss = ag.tensor(2.5, requires_grad=True) * 1
    assert f"{loss}" == "2.5" and f"{loss:.4f}" == "2.5000"
    assert f"{ag.tensor(3)}" == "3" and f"{ag.tensor(True)}" == "True"
    assert f"{ag.tensor([1.0, 2.0])}" == repr(ag.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{ag.tensor([1.0, 2.0]):.4f}"


def test_large_tensors_are_summarised_as_torch() -> None:
    r = repr(ag.arange(1200).reshape(40, 30))
    assert r.splitlines()[0] == "tensor([[   0,    1,    2,  ...,   27,   28,   29],"  # torch 2.13
    assert "        ...," in r and len(r.splitlines()) == 7
    assert "..." not in repr(ag.arange(1000))  # up to 1000 elements print in full
    assert "..." in repr(ag.arange(1001.0))
