"""Random numbers: Generator streams, the default generator, every draw's dtype, shape,
distribution and argument checks (torch's exception classes and messages)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def test_generator_streams_are_independent_and_reseedable() -> None:
    g1, g2 = ag.Generator(), ag.Generator(device="cpu")
    assert g1.initial_seed() == 67280421310721  # torch's default seed for a new Generator
    assert g1.manual_seed(5) is g1 and g1.initial_seed() == 5
    g2.manual_seed(5)
    a = ag.randn(4, generator=g1)
    ag.manual_seed(123)
    ag.randn(10)  # the default stream does not move g1 or g2
    b = ag.randn(4, generator=g2)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(ag.randn(4, generator=g1).numpy(), a.numpy())
    with pytest.raises(RuntimeError, match="cuda"):
        ag.Generator(device="cuda")
    with pytest.raises(TypeError, match="generator"):
        ag.randn(2, generator=3)


def test_seed_is_nondeterministic_and_returned() -> None:
    g = ag.Generator()
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s and 0 <= s < 2 ** 64
    assert ag.Generator().seed() != s
    s2 = ag.seed()
    assert ag.initial_seed() == s2


def test_manual_seed_returns_the_default_generator() -> None:
    g = ag.manual_seed(7)
    assert g is ag.default_generator and isinstance(g, ag.Generator)
    assert ag.initial_seed() == 7
    x = ag.rand(3)
    ag.manual_seed(7)
    np.testing.assert_array_equal(ag.rand(3).numpy(), x.numpy())
    assert ag.manual_seed(-1).initial_seed() == 2 ** 64 - 1  # torch wraps negative seeds


def test_state_round_trip_and_bad_state(tmp_path) -> None:
    ag.manual_seed(0)
    ag.randn(3)
    state = ag.get_rng_state()
    assert isinstance(state, ag.Tensor) and state.dtype == ag.uint8 and state.shape == (48,)
    x = ag.randn(5)
    nn.save({"rng": state}, tmp_path / "s.npz")  # checkpoints carry the state
    ag.set_rng_state(nn.load(tmp_path / "s.npz")["rng"])
    np.testing.assert_array_equal(ag.randn(5).numpy(), x.numpy())
    assert ag.initial_seed() == 0
    g = ag.Generator().manual_seed(9)
    st = g.get_state()
    y = ag.rand(3, generator=g)
    g.manual_seed(1)
    assert g.set_state(st) is g and g.initial_seed() == 9
    np.testing.assert_array_equal(ag.rand(3, generator=g).numpy(), y.numpy())
    with pytest.raises(RuntimeError, match="48 bytes"):
        g.set_state(np.zeros(5, np.uint8))
    with pytest.raises(RuntimeError, match="uint8"):
        g.set_state(np.zeros(48, np.float32))


def test_same_seed_same_numbers_in_another_process() -> None:
    code = ("import autograd as ag; ag.manual_seed(42); "
            "print(ag.randn(3).numpy().tolist(), ag.randint(100, (3,)).numpy().tolist())")
    out = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout for _ in range(2)]
    ag.manual_seed(42)
    here = f"{ag.randn(3).numpy().tolist()} {ag.randint(100, (3,)).numpy().tolist()}\n"
    assert out[0] == out[1] == here


def test_randn_rand_dtypes_shapes_and_validation() -> None:
    assert ag.randn(2, 3).dtype == ag.float32 and ag.randn((2, 3)).shape == (2, 3)
    assert ag.rand(4, dtype=ag.float64).dtype == ag.float64
    assert ag.rand(2, dtype=ag.half).dtype == ag.float16
    assert ag.randn(2, requires_grad=True).requires_grad
    assert ag.randn(size=(2, 3)).shape == (2, 3) and ag.rand(size=[4]).shape == (4,)
    with pytest.raises(TypeError, match="unexpected"):
        ag.rand(2, shape=(3,))
    with pytest.raises(NotImplementedError, match="normal_kernel_cpu"):
        ag.randn(2, dtype=ag.int64)
    with pytest.raises(NotImplementedError, match="check_uniform_bounds"):
        ag.rand(2, dtype=ag.long)
    with pytest.raises(RuntimeError, match="negative dimension"):
        ag.randn(-1)
    ag.manual_seed(0)
    u = ag.rand(200_000, dtype=ag.float64).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.005
    z = ag.randn(200_000, dtype=ag.float64).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01


def test_like_factories_follow_the_input() -> None:
    x = ag.zeros(2, 3, dtype=ag.float64)
    for t in (ag.randn_like(x), ag.rand_like(x), ag.empty_like(x)):
        assert t.shape == (2, 3) and t.dtype == ag.float64
    assert ag.rand_like(x, dtype=ag.float32).dtype == ag.float32
    g = ag.Generator().manual_seed(1)
    a = ag.rand_like(x, generator=g)
    g.manual_seed(1)
    np.testing.assert_array_equal(ag.rand_like(x, generator=g).numpy(), a.numpy())
    r = ag.randint_like(x, 5)
    assert r.dtype == ag.float64 and set(np.unique(r.numpy())) <= {0, 1, 2, 3, 4}
    r = ag.randint_like(ag.zeros(1000, dtype=ag.int64), 3, 6)
    assert r.dtype == ag.int64 and set(np.unique(r.numpy())) == {3, 4, 5}


def test_randint_signatures_dtype_range_and_errors() -> None:
    a = ag.randint(5, (1000,))
    assert a.dtype == ag.int64 and a.shape == (1000,)
    assert set(np.unique(a.numpy())) == {0, 1, 2, 3, 4}
    b = ag.randint(-3, 2, (4, 500))
    assert b.shape == (4, 500) and set(np.unique(b.numpy())) == {-3, -2, -1, 0, 1}
    assert ag.randint(3, 10, (3,), dtype=ag.float32).dtype == ag.float32
    assert ag.randint(low=2, high=4, size=(3,)).numpy().min() >= 2
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        ag.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="size"):
        ag.randint(5, 3)
    g = ag.Generator().manual_seed(3)
    x = ag.randint(0, 100, (6,), generator=g)
    g.manual_seed(3)
    np.testing.assert_array_equal(ag.randint(0, 100, (6,), generator=g).numpy(), x.numpy())


def test_randperm() -> None:
    p = ag.randperm(10)
    assert p.dtype == ag.int64 and sorted(p.numpy().tolist()) == list(range(10))
    assert ag.randperm(4, dtype=ag.float32).dtype == ag.float32
    assert ag.randperm(0).shape == (0,)
    with pytest.raises(RuntimeError, match="negative dimension"):
        ag.randperm(-1)
    g = ag.Generator().manual_seed(2)
    a = ag.randperm(20, generator=g)
    g.manual_seed(2)
    np.testing.assert_array_equal(ag.randperm(20, generator=g).numpy(), a.numpy())


def test_multinomial_shapes_distribution_and_errors() -> None:
    ag.manual_seed(0)
    w = ag.tensor([1.0, 2.0, 3.0, 4.0])
    s = ag.multinomial(w, 4)
    assert s.dtype == ag.int64 and sorted(s.numpy().tolist()) == [0, 1, 2, 3]
    m = ag.multinomial(ag.tensor([[1.0, 0.0, 3.0], [0.0, 0.0, 1.0]]), 5, replacement=True)
    assert m.shape == (2, 5) and set(m.numpy()[0]) <= {0, 2} and set(m.numpy()[1]) == {2}
    draws = ag.multinomial(w, 40_000, replacement=True).numpy()
    np.testing.assert_allclose(np.bincount(draws) / 40_000, [0.1, 0.2, 0.3, 0.4], atol=0.01)
    # without replacement the first draw follows the weights too
    first = ag.multinomial(w.expand(20_000, 4), 1).numpy()[:, 0]
    np.testing.assert_allclose(np.bincount(first) / 20_000, [0.1, 0.2, 0.3, 0.4], atol=0.015)
    np.testing.assert_array_equal(ag.multinomial(ag.tensor([1.0, 0, 0]), 1).numpy(), [0])
    with pytest.raises(RuntimeError, match="without replacement"):
        ag.multinomial(ag.tensor([1.0, 1.0, 1.0]), 4)
    with pytest.raises(RuntimeError, match="element < 0"):
        ag.multinomial(ag.tensor([1.0, -1.0, 1.0]), 1)
    with pytest.raises(RuntimeError, match="element < 0"):
        ag.multinomial(ag.tensor([1.0, float("nan")]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        ag.multinomial(ag.tensor([0.0, 0.0]), 1)
    with pytest.raises(RuntimeError, match="floating-point"):
        ag.multinomial(ag.tensor([1, 2]), 1)
    with pytest.raises(RuntimeError, match="n_sample <= 0"):
        ag.multinomial(w, 0)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        ag.multinomial(ag.ones(2, 2, 2), 1)
    # fewer positive weights than samples: torch 2.13 goes on with the zero-weight ones
    np.testing.assert_array_equal(ag.multinomial(ag.tensor([1.0, 0.0, 0.0]), 2).numpy(), [0, 1])
    np.testing.assert_array_equal(ag.multinomial(ag.tensor([0.0, 0.0, 1.0]), 3).numpy(),
                                  [2, 0, 1])
    g = ag.Generator().manual_seed(4)
    a = ag.multinomial(w, 3, generator=g)
    g.manual_seed(4)
    np.testing.assert_array_equal(ag.multinomial(w, 3, generator=g).numpy(), a.numpy())


def test_normal_overloads() -> None:
    ag.manual_seed(0)
    t = ag.normal(2.0, 3.0, (100_000,))
    assert t.dtype == ag.float32 and t.shape == (100_000,)
    assert abs(t.numpy().mean() - 2) < 0.05 and abs(t.numpy().std() - 3) < 0.05
    assert ag.normal(0.0, 1.0, (2,), dtype=ag.float64).dtype == ag.float64
    assert ag.normal(ag.zeros(2), 1.0).dtype == ag.float32
    assert ag.normal(ag.zeros(2, 1), ag.ones(3)).shape == (2, 3)
    assert ag.normal(2.0, ag.ones(3, dtype=ag.float64)).dtype == ag.float64
    m = ag.normal(ag.tensor([0.0, 100.0]), ag.tensor([0.0, 0.0]))
    np.testing.assert_array_equal(m.numpy(), [0.0, 100.0])  # std 0 gives the mean
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        ag.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        ag.normal(ag.zeros(2), ag.tensor([1.0, -1.0]))
    with pytest.raises(TypeError, match="invalid combination"):
        ag.normal(0.0, 1.0)
    g = ag.Generator().manual_seed(8)
    a = ag.normal(ag.zeros(3), 1.0, generator=g)
    g.manual_seed(8)
    np.testing.assert_array_equal(ag.normal(ag.zeros(3), 1.0, generator=g).numpy(), a.numpy())


def test_bernoulli() -> None:
    ag.manual_seed(0)
    p = ag.full((50_000,), 0.3)
    b = ag.bernoulli(p)
    assert b.dtype == ag.float32 and set(np.unique(b.numpy())) == {0.0, 1.0}
    assert abs(b.numpy().mean() - 0.3) < 0.01
    assert ag.bernoulli(ag.tensor([1.0], dtype=ag.float64)).dtype == ag.float64
    np.testing.assert_array_equal(ag.bernoulli(ag.tensor([0.0, 1.0])).numpy(), [0.0, 1.0])
    assert abs(ag.bernoulli(ag.zeros(50_000), 0.5).numpy().mean() - 0.5) < 0.01
    with pytest.raises(RuntimeError, match="p_in >= 0 && p_in <= 1"):
        ag.bernoulli(ag.tensor([2.0]))


def test_init_dropout_and_loader_draw_from_the_right_generator() -> None:
    w = ag.zeros(50, 50)
    g = ag.Generator().manual_seed(5)
    nn.init.normal_(w, generator=g)
    first = w.numpy().copy()
    for fill in (nn.init.uniform_, nn.init.xavier_uniform_, nn.init.xavier_normal_,
                 nn.init.kaiming_uniform_, nn.init.kaiming_normal_, nn.init.trunc_normal_):
        g.manual_seed(5)
        a = fill(ag.zeros(8, 8), generator=g).numpy()
        g.manual_seed(5)
        np.testing.assert_array_equal(fill(ag.zeros(8, 8), generator=g).numpy(), a)
    g.manual_seed(5)
    np.testing.assert_array_equal(nn.init.normal_(ag.zeros(50, 50), generator=g).numpy(), first)
    t = nn.init.trunc_normal_(ag.zeros(10_000), a=-0.5, b=1.0)
    assert t.numpy().min() >= -0.5 and t.numpy().max() <= 1.0
    x = ag.ones(1000)
    ag.manual_seed(11)
    a = F.dropout(x, 0.5).numpy()
    ag.manual_seed(11)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).numpy(), a)


def test_normal_and_bernoulli_of_parameters_have_zero_gradient_as_torch() -> None:
    m = ag.zeros(3, requires_grad=True)
    s = ag.ones(1, requires_grad=True)
    y = ag.normal(m, s)
    assert y.requires_grad and y.shape == (3,)
    (y * 3).sum().backward()
    assert m.grad.numpy().tolist() == [0.0, 0.0, 0.0] and s.grad.numpy().tolist() == [0.0]
    p = ag.full((4,), 0.5, requires_grad=True)
    b = ag.bernoulli(p)
    assert b.requires_grad
    b.sum().backward()
    assert p.grad.numpy().tolist() == [0.0] * 4
    assert not ag.multinomial(p, 1).requires_grad  # integer indices: never differentiable
    with ag.no_grad():
        assert not ag.normal(m, 1.0).requires_grad
    assert not ag.normal(ag.zeros(2), 1.0).requires_grad


def test_poisson_draws_counts_as_torch() -> None:
    g = ag.Generator().manual_seed(3)
    rates = ag.tensor([0.0, 0.5, 4.0, 100.0])
    draws = ag.stack([ag.poisson(rates, g) for _ in range(4000)])
    assert draws.dtype == ag.float32 and draws.shape == (4000, 4)
    d = draws.numpy()
    assert (d == np.round(d)).all() and (d[:, 0] == 0).all()
    np.testing.assert_allclose(d.mean(0)[1:], [0.5, 4.0, 100.0], rtol=0.05)
    np.testing.assert_allclose(d.var(0)[1:], [0.5, 4.0, 100.0], rtol=0.1)  # var = mean
    # the same generator state gives the same counts
    a = ag.poisson(rates, ag.Generator().manual_seed(9))
    b = ag.poisson(rates, ag.Generator().manual_seed(9))
    assert a.numpy().tolist() == b.numpy().tolist()
    assert ag.poisson(ag.zeros(2, 3, dtype=ag.float64)).dtype == ag.float64
    # torch's PoissonBackward: the counts depend on the rates only through chance
    r = ag.tensor([1.0, 2.0], requires_grad=True)
    out = ag.poisson(r)
    assert out.grad_fn is not None
    out.sum().backward()
    assert r.grad.numpy().tolist() == [0.0, 0.0]
    with pytest.raises(NotImplementedError, match="\"poisson_cpu\" not implemented for 'Long'"):
        ag.poisson(ag.tensor([1, 2]))
    for bad in (-1.0, float("nan")):
        with pytest.raises(RuntimeError, match="invalid Poisson rate, expected rate to be "
                                               "non-negative"):
            ag.poisson(ag.tensor([1.0, bad]))


def test_randint_bounds_must_fit_the_dtype_as_torchs() -> None:
    # torch 2.13's errors; bool takes [0, 2)
    for low, high, dtype, message in ((-3, 3, ag.uint8, "from is out of bounds for unsigned "
                                       "char"),
                                      (0, 300, ag.uint8, "to - 1 is out of bounds for "
                                       "unsigned char"),
                                      (0, 129, ag.int8, "to - 1 is out of bounds for signed "
                                       "char"),
                                      (0, 3, ag.bool, "to - 1 is out of bounds for bool"),
                                      (0, 70000, ag.float16, "to - 1 is out of bounds for "
                                       "c10::Half")):
        with pytest.raises(RuntimeError, match=message):
            ag.randint(low, high, (2,), dtype=dtype)
    draws = ag.randint(0, 2, (64,), dtype=ag.bool)
    assert draws.dtype == ag.bool and 0 < draws.sum().item() < 64
    assert ag.randint_like(ag.zeros(3, dtype=ag.bool), 2).dtype == ag.bool
