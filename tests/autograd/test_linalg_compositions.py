"""torch.linalg's compositions (autograd/ops/linalg_compositions.py) and torch.norm's
nuclear norm (autograd/ops/products.py): results and errors as torch 2.13's (written here;
in a scratch comparison 200 random multi_dot chains, 100 vecdot and vander calls and 60
tensorinv and tensorsolve calls agreed with torch, values and gradients, within 5e-15, 0
and 3e-12). Their derivatives are checked by the op registry (cases_decompositions.py)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

L = ag.linalg


def test_multi_dot_shapes_order_and_errors_as_torch() -> None:
    a, b, c = ag.ones(2, 3), ag.ones(3, 4), ag.ones(4, 5)
    assert L.multi_dot([a, b, c]).shape == (2, 5)
    out = L.multi_dot([ag.ones(2), a, b, c, ag.ones(5)])
    assert out.shape == () and out.item() == 120.0
    assert L.multi_dot([ag.ones(2), a]).shape == (3,)
    assert L.multi_dot([a, ag.ones(3)]).shape == (2,)
    ints = L.multi_dot([ag.ones(2, 3, dtype=ag.int64), ag.ones(3, 2, dtype=ag.int64)])
    assert ints.dtype == ag.int64 and ints.numpy().tolist() == [[3, 3], [3, 3]]
    # the cheapest order: (10x100)(100x5)(5x50) is (AB)C, 7,500 multiplications against 75,000
    rng = np.random.default_rng(0)
    m = [ag.tensor(rng.standard_normal(s)) for s in ((10, 100), (100, 5), (5, 50))]
    np.testing.assert_array_equal(L.multi_dot(m).numpy(), ((m[0] @ m[1]) @ m[2]).numpy())
    for tensors, message in (
            ([a], "expected at least 2 tensors but got 1"),
            ([], "expected at least 2 tensors but got 0"),
            ([a, ag.ones(4, 5)], r"tensors 0 and 1 with shapes \[2, 3\] and \[4, 5\] cannot "
                                 r"be multiplied"),
            ([a, ag.ones(3, 4, 1)], "the last tensor must be 1D or 2D but got 3D"),
            ([ag.ones(2, 3, 3), b], "the first tensor must be 1D or 2D but got 3D"),
            ([a, ag.ones(3, 3, 3), b], "tensor 1 must be 2D but got 3D"),
            ([a, b.double()], "all tensors must have be the same dtype but tensor 0 is float "
                              "and tensor 1 double")):
        with pytest.raises(RuntimeError, match=r"^multi_dot\(\): " + message):
            L.multi_dot(tensors)


def test_vecdot_and_vander_as_torch() -> None:
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert L.vecdot(x, ag.tensor([1.0, 1.0])).numpy().tolist() == [3.0, 7.0]
    assert L.vecdot(x, ag.tensor([[1.0], [2.0]]), dim=0).numpy().tolist() == [7.0, 10.0]
    with pytest.raises(RuntimeError, match="Expected x and y to have the same dtype, but found "
                                           "x of type Float and y of type Double instead"):
        L.vecdot(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0], dtype=ag.float64))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as "
                                           "input. Got Long"):
        L.vecdot(ag.tensor([1, 2]), ag.tensor([3, 4]))
    v = L.vander(ag.tensor([1, 2, 3]))
    assert v.dtype == ag.int64 and v.numpy().tolist() == [[1, 1, 1], [1, 2, 4], [1, 3, 9]]
    assert L.vander(ag.tensor([1.0, 2.0, 3.0]), N=2).numpy().tolist() == [[1, 1], [1, 2],
                                                                          [1, 3]]
    assert L.vander(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), N=3).numpy().tolist() == [
        [[1, 1, 1], [1, 2, 4]], [[1, 3, 9], [1, 4, 16]]]
    for bad in (lambda: L.vander(ag.tensor(2.0)), lambda: L.vander(ag.tensor([1.0]), N=1)):
        with pytest.raises(RuntimeError, match="N must be greater than 1."):
            bad()


def test_diagonal_matmul_and_matrix_power_names() -> None:
    assert L.diagonal(ag.arange(8.0).reshape(2, 2, 2)).numpy().tolist() == [[0, 3], [4, 7]]
    assert L.diagonal(ag.arange(9.0).reshape(3, 3), offset=1).numpy().tolist() == [1, 5]
    assert L.matmul is ag.matmul and L.matrix_power(2 * ag.eye(2), 3).numpy().tolist() == [
        [8, 0], [0, 8]]


def test_tensorinv_and_tensorsolve_as_torch() -> None:
    rng = np.random.default_rng(1)
    a = ag.tensor(rng.standard_normal((6, 6)) + 4 * np.eye(6)).reshape(2, 3, 6)
    inv = L.tensorinv(a)
    assert inv.shape == (6, 2, 3)
    np.testing.assert_allclose(ag.tensordot(a, inv, 1).numpy(), np.eye(6).reshape(2, 3, 2, 3),
                               atol=1e-12)
    assert L.tensorinv(ag.eye(4).reshape(4, 2, 2), ind=1).shape == (2, 2, 4)
    b = ag.tensor(rng.standard_normal((2, 3)))
    x = L.tensorsolve(a, b)
    assert x.shape == (6,)
    np.testing.assert_allclose(ag.tensordot(a, x, 1).numpy(), b.numpy(), atol=1e-12)
    assert L.tensorsolve(ag.eye(6).reshape(6, 2, 3), ag.ones(6)).shape == (2, 3)
    with pytest.raises(RuntimeError, match=r"prod\(self.shape\[ind:\]\) == "
                                           r"prod\(self.shape\[:ind\]\), but got 12 != 2"):
        L.tensorinv(ag.ones(2, 3, 4), ind=1)
    with pytest.raises(RuntimeError, match="strictly positive integer for 'ind', but got 0"):
        L.tensorinv(ag.eye(4).reshape(4, 2, 2), ind=0)
    for args, got in (((ag.ones(2, 3, 4), ag.ones(2, 3)), "4 != 6"),
                      ((ag.eye(6).reshape(2, 3, 6), ag.ones(2, 3), (0,)), "2 != 6")):
        with pytest.raises(RuntimeError, match=r"prod\(self.shape\[other.ndim:\]\) == "
                                               r"prod\(self.shape\[:other.ndim\]\), but got "
                                               + got):
            L.tensorsolve(*args)


def test_torch_norm_nuclear_as_torch() -> None:
    # torch.norm(p='nuc') raised NotImplementedError; torch 2.13's values
    a = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    n = ag.norm(a, "nuc")
    n.backward()
    assert n.item() == pytest.approx(5.8309518948453, rel=1e-14)
    np.testing.assert_allclose(a.grad.numpy(), [[-0.5144957554275261, 0.8574929257125442],
                                                [0.8574929257125441, 0.5144957554275263]],
                               rtol=1e-13)
    b = ag.arange(24.0, dtype=ag.float64).reshape(2, 3, 4)
    np.testing.assert_allclose(ag.norm(b, "nuc", dim=(1, 2)).numpy(),
                               [24.36463849928471, 62.49508468032368], rtol=1e-13)
    kept = ag.norm(b, "nuc", dim=(2, 0), keepdim=True)
    assert kept.shape == (1, 3, 1)
    np.testing.assert_allclose(kept.numpy().ravel(), [29.24604696228176, 38.253513079454414,
                                                      48.24242181856118], rtol=1e-13)
    # a number p over two dims stays a vector norm, as torch's
    assert ag.norm(a.detach(), 2, dim=(0, 1)).item() == pytest.approx(30 ** 0.5)
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple. Got 0 1 2"):
        ag.norm(b, "nuc")
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple. Got 1"):
        ag.norm(a, "nuc", dim=1)
    with pytest.raises(RuntimeError, match="Order abc not supported."):
        ag.norm(a, "abc")
    # 'fro' over more than two dims is torch's matrix-norm error too (a value before)
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple. Got 0 1 2"):
        ag.norm(b, "fro", dim=(0, 1, 2))
    assert ag.norm(b, "fro", dim=(1,)).shape == (2, 4)


def test_torchs_deprecated_chain_matmul_frobenius_and_nuclear_norm() -> None:
    a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        assert ag.chain_matmul(a, a, a).numpy().tolist() == [[37, 54], [81, 118]]
    with pytest.warns(UserWarning):
        one = ag.chain_matmul(a)
        assert one is not a and one.numpy().tolist() == a.numpy().tolist()
        with pytest.raises(RuntimeError, match=r"chain_matmul\(\): Expected one or more "
                                               r"matrices"):
            ag.chain_matmul()
        with pytest.raises(RuntimeError, match="Tensor dimension is 1, expected 2 instead."):
            ag.chain_matmul(a, ag.ones(2))
    with pytest.warns(UserWarning, match="at::frobenius_norm is deprecated"):
        assert ag.frobenius_norm(a, (0, 1)).item() == pytest.approx(30 ** 0.5)
    with pytest.warns(UserWarning):
        assert ag.frobenius_norm(a, (0, 1), True).shape == (1, 1)
        assert ag.frobenius_norm(a, dim=1).numpy().tolist() == pytest.approx([5 ** 0.5, 5.0])
    with pytest.warns(UserWarning, match="at::nuclear_norm is deprecated"):
        assert ag.nuclear_norm(a).item() == pytest.approx(5.8309518948453, rel=1e-6)
    with pytest.warns(UserWarning):
        assert ag.nuclear_norm(a, True).shape == (1, 1)
        np.testing.assert_allclose(ag.nuclear_norm(ag.arange(24.0).reshape(2, 3, 4),
                                                   dim=(1, 2)).numpy(),
                                   [24.36463849928471, 62.49508468032368], rtol=1e-6)
