"""torch's complex API on real tensors, the storage metadata (layout, is_sparse,
storage_offset, share_memory_, output_nr, new), the in-place reshapes (t_, squeeze_,
resize_ ...), apply_/map_, and the sampling methods (random_, cauchy_, log_normal_,
geometric_, Tensor.bernoulli/multinomial): behaviour as torch 2.13's (values checked in a
scratch script against torch and written here)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import autograd as ag

T = ag.tensor


def test_complex_api_of_real_tensors():
    x = T([[1.0, -2.0, 0.0]])
    for name in ("conj", "conj_physical", "resolve_conj", "resolve_neg"):
        assert getattr(x, name)() is x and getattr(ag, name)(x) is x
    assert x.real is x and ag.real(x) is x
    assert x.conj_physical_() is x and x._version == 1  # counted, as torch's
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        T([1.0], requires_grad=True).conj_physical_()
    assert not x.is_conj() and not ag.is_neg(x)
    with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-complex"):
        _ = x.imag
    assert ag.isreal(T([1.0, math.nan])).tolist() == [True, True]
    assert x.H.shape == (3, 1) and x.mH.shape == (3, 1) and ag.adjoint(x).shape == (3, 1)
    assert ag.ones(2, 3, 4).mH.shape == (2, 4, 3)
    with pytest.raises(RuntimeError, match="For batches of matrices, consider using tensor.mH"):
        _ = ag.ones(2, 3, 4).H
    with pytest.raises(RuntimeError, match="matrices or batches of matrices. Got 1-D"):
        _ = ag.ones(3).mH
    with pytest.warns(UserWarning, match="deprecated on 0-D"):
        assert T(2.0).H.item() == 2.0
    assert T([1, -2, 0]).sgn().tolist() == [1, -1, 0]
    assert T([True, False]).sgn().dtype == ag.bool
    assert ag.angle(T([1, -2])).dtype == ag.float32  # integers: float32, as torch
    y = T([1.0, -2.0], requires_grad=True)
    g = ag.grad((y.angle() + y.sgn()).sum(), y)[0]
    assert g.tolist() == [0.0, 0.0]


def test_storage_metadata():
    x = ag.arange(12.0).view(3, 4)
    assert not (x.is_sparse or x.is_quantized or x.is_meta or x.is_nested)
    assert x.layout is ag.strided and repr(ag.strided) == "torch.strided"
    assert pickle.loads(pickle.dumps(ag.strided)) is ag.strided
    # torch's values for these views of a (3, 4) tensor
    assert [v.storage_offset() for v in (x, x[1:], x[:, 2], x[1:, 1:], x.t(), x.select(0, 2),
                                         x.diagonal(1), x.unbind(0)[2], x.split(2, 1)[1],
                                         x[::2, 1], x.detach()[2:])] == \
        [0, 4, 2, 5, 0, 8, 1, 8, 2, 1, 8]
    assert (x * 1)[2:].storage_offset() == 8 and x.clone().storage_offset() == 0
    assert not x.is_shared()
    assert x.share_memory_() is x and x.is_shared() and x[1].is_shared()
    assert x.output_nr == 0 and (x * 1).output_nr == 0


def test_new_deprecated_constructor():
    x = T([1.0, 2.0])
    assert x.new().shape == (0,) and x.new().dtype == ag.float32
    assert x.new(2, 3).shape == (2, 3) and x.new(x.size()).shape == (2,)
    assert x.new([1.5, 2]).tolist() == [1.5, 2.0]
    assert x.new((2, 3)).tolist() == [2.0, 3.0]  # a plain tuple is data, a Size a size (torch)
    assert T([1, 2]).new([1.5]).tolist() == [1]  # cast to the tensor's dtype, as torch
    assert x.new(x) is x
    assert not T([1.0], requires_grad=True).new(2).requires_grad
    with pytest.raises(TypeError):
        x.new(T([1, 2]))
    with pytest.raises(TypeError, match="data must be a sequence"):
        x.new(3.5)
    with pytest.raises(TypeError):
        x.new(2, dtype=ag.float64)


def test_inplace_reshapes_rebind_the_tensor():
    a = ag.randn(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        a.t_()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        a.unsqueeze_(5)  # the leaf is refused before the dim is looked at, as torch
    b = a * 2
    assert b.t_() is b and b.shape == (3, 2) and b._version == 1
    assert b.unsqueeze_(0).shape == (1, 3, 2) and b._version == 2
    assert b.squeeze_().transpose_(0, 1).shape == (2, 3)
    (g,) = ag.grad((b * T([[1.0, 2, 3], [4, 5, 6]])).sum(), a)
    assert g.tolist() == [[2.0, 4, 6], [8, 10, 12]]
    with ag.no_grad():  # torch allows it on a leaf outside grad mode
        assert a.t_().shape == (3, 2)
    # a saved output changed in place: backward refuses, as torch
    y = a.exp()
    y.swapaxes_(0, 1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    with pytest.raises(RuntimeError, match="t_\\(\\) expects a tensor with <= 2 dimensions"):
        ag.ones(2, 2, 2).t_()


def test_views_made_before_an_inplace_reshape_keep_their_gradient():
    a = T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = a * 1
    v = b.t()      # made from b's old layout
    b.t_()
    b.mul_(2.0)    # a recorded change of b: v is replayed on b's new history
    assert v.tolist() == [[2.0, 8.0], [4.0, 10.0], [6.0, 12.0]]
    (g,) = ag.grad(v.sum(), a)
    assert g.tolist() == [[2.0] * 3] * 2  # torch's
    b = a * 1
    w = b[0]
    w.unsqueeze_(0)
    w.mul_(3.0)    # written through to b (torch's CopySlices)
    (g,) = ag.grad(b.sum(), a)
    assert g.tolist() == [[3.0] * 3, [1.0] * 3]


def test_resize():
    x = ag.arange(6.0)
    v = x[1:3]
    v.resize_(4)   # within the base's memory: still a view of it, as torch
    assert v.tolist() == [1.0, 2.0, 3.0, 4.0] and v.storage_offset() == 1
    t = ag.arange(6.0).view(2, 3).t()
    assert t.resize_(6).tolist() == [0.0, 1, 2, 3, 4, 5]  # the storage's order (torch)
    y = ag.arange(6.0)
    c = y.view(2, 3)
    y.resize_(4)
    y[0] = 100.0
    assert c[0, 0].item() == 100.0 and y._version == 2
    z = ag.arange(3.0).resize_(2, 3)
    assert z.shape == (2, 3) and z.reshape(-1)[:3].tolist() == [0.0, 1, 2]
    assert ag.arange(3.0).resize_as_(ag.zeros(1, 2)).shape == (1, 2)
    assert ag.resize_as_(ag.arange(3.0), ag.zeros(3, 1)).shape == (3, 1)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        T([1.0], requires_grad=True).resize_(2)


def test_apply_and_map():
    x = T([1.0, 2.0])
    assert x.apply_(lambda v: v * 2) is x and x.tolist() == [2.0, 4.0] and x._version == 0
    assert T([1, 2]).apply_(lambda v: v / 2).tolist() == [0, 1]  # int() as torch
    assert T([True, False]).apply_(lambda v: 0).tolist() == [False, False]
    assert T([1.0, 2.0]).map_(T([3.0, 4.0]), lambda a, b: a * b).tolist() == [3.0, 8.0]
    with pytest.raises(TypeError, match="must be real number, not str"):
        T([1.0]).apply_(lambda v: "a")
    with pytest.raises(RuntimeError, match="Can't call apply_\\(\\) on Variable that requires"):
        T([1.0], requires_grad=True).apply_(lambda v: v)
    with pytest.raises(TypeError, match="expected torch.FloatTensor for 'other'"):
        T([1.0, 2.0]).map_(T([3, 4]), lambda a, b: a)
    with pytest.raises(RuntimeError):
        T([[1.0], [2.0]]).map_(T([3.0, 4.0]), lambda a, b: a)


def test_in_place_draws():
    ag.manual_seed(0)
    f = ag.zeros(20000).random_()
    assert f.dtype == ag.float32 and 0 <= f.min().item() and f.max().item() <= 2 ** 24
    assert f.max().item() > 2 ** 23
    r = ag.zeros(20000, dtype=ag.int64).random_(2, 5)
    assert sorted(set(r.tolist())) == [2, 3, 4]
    assert set(ag.zeros(1000).random_(3).tolist()) == {0.0, 1.0, 2.0}
    assert set(ag.zeros(1000, dtype=ag.bool).random_().tolist()) == {False, True}
    assert ag.zeros(3, dtype=ag.uint8).random_().dtype == ag.uint8
    with pytest.raises(RuntimeError, match="'from' to be less than 'to'"):
        ag.zeros(3).random_(5, 2)
    with pytest.raises(RuntimeError, match="to - 1 is out of bounds for unsigned char"):
        ag.zeros(3, dtype=ag.uint8).random_(0, 300)
    c = ag.zeros(200000, dtype=ag.float64).cauchy_(1.0, 2.0).numpy()
    np.testing.assert_allclose(np.quantile(c, [0.25, 0.5, 0.75]), [-1.0, 1.0, 3.0], atol=0.05)
    ln = ag.zeros(200000, dtype=ag.float64).log_normal_(0.5, 0.3).numpy()
    np.testing.assert_allclose(np.median(ln), math.exp(0.5), rtol=0.01)
    gm = ag.zeros(200000).geometric_(0.3).numpy()
    assert gm.min() == 1.0 and abs(gm.mean() - 1 / 0.3) < 0.03
    assert ag.zeros(5, dtype=ag.int64).geometric_(0.5).dtype == ag.int64
    with pytest.raises(RuntimeError, match="cauchy_ expects sigma > 0.0"):
        ag.zeros(3).cauchy_(1, 0)
    with pytest.raises(RuntimeError, match="continuous probability distribution"):
        ag.zeros(3, dtype=ag.int64).cauchy_()
    with pytest.raises(RuntimeError, match="log_normal_ expects std > 0.0"):
        ag.zeros(3).log_normal_(0, 0)
    with pytest.raises(RuntimeError, match="geometric_ expects p to be in \\(0, 1\\)"):
        ag.zeros(3).geometric_(1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        T([0.2], requires_grad=True).cauchy_()
    g1 = ag.Generator().manual_seed(3)
    g2 = ag.Generator().manual_seed(3)
    assert ag.zeros(4).log_normal_(generator=g1).tolist() == \
        ag.zeros(4).log_normal_(generator=g2).tolist()


def test_sampling_methods():
    p = T([[0.0, 1.0], [1.0, 0.0]])
    assert p.bernoulli().tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert p.bernoulli(1.0).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert T([1, 0]).bernoulli(p=0.0).tolist() == [0, 0]  # an integer tensor with p
    assert p.multinomial(1).tolist() == [[1], [0]]
    assert p.multinomial(num_samples=3, replacement=True).shape == (2, 3)
    b = T([0.2, 0.9], requires_grad=True).bernoulli()
    assert b.requires_grad
    with pytest.raises(RuntimeError, match="without replacement"):
        T([0.5, 0.5]).multinomial(3)
