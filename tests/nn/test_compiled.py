"""torch.compile (nn/compiled.py) and torch.jit (autograd/jit.py): eager, inside torch's
wrappers, with torch's state_dict keys, attribute reads, modes and errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def test_a_compiled_module_is_torchs_optimized_module_around_the_model() -> None:
    m = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    c = ag.compile(m)
    assert type(c).__name__ == "OptimizedModule" and c._orig_mod is m
    assert list(c.state_dict()) == ["_orig_mod.0.weight", "_orig_mod.0.bias"]  # torch's keys
    assert [n for n, _ in c.named_parameters()] == ["_orig_mod.0.weight", "_orig_mod.0.bias"]
    assert c.append == m.append and len(c) == 2  # attributes read through to the model
    with pytest.raises(TypeError, match="not subscriptable"):  # as torch's wrapper
        c[0]
    x = ag.randn(4, 2)
    c.eval()
    assert not m.training and not m[1].training
    np.testing.assert_array_equal(c(x).detach().numpy(), m(x).detach().numpy())
    assert repr(c).startswith("OptimizedModule(\n  (_orig_mod): Sequential(")
    # nanoGPT's resume: strip the prefix, load into a plain model
    state = {k.removeprefix("_orig_mod."): v for k, v in c.state_dict().items()}
    fresh = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[0].weight.detach().numpy(), m[0].weight.detach().numpy())


def test_compile_functions_decorators_and_options() -> None:
    def double(x):
        return x * 2

    f = ag.compile(double)
    assert f(3) == 6 and f.__name__ == "double"

    @ag.compile(mode="max-autotune", fullgraph=True)
    def inc(x):
        return x + 1

    assert inc(1) == 2
    m = nn.Linear(2, 2)
    assert ag.compile(m, disable=True) is m
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast"):
        ag.compile(m, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options"):
        ag.compile(m, mode="default", options={"trace.enabled": True})


def test_jit_runs_eagerly() -> None:
    m = nn.Linear(2, 2)
    assert ag.jit.script(m) is m and ag.jit.trace(m, ag.randn(1, 2)) is m
    assert not ag.jit.is_scripting() and not ag.jit.is_tracing()

    class Net(nn.Module):
        @ag.jit.ignore
        def helper(self):
            return 1

        @ag.jit.export
        def other(self):
            return 2

    net = Net()
    assert net.helper() == 1 and net.other() == 2
    assert ag.jit.ignore(drop=True)(len)("ab") == 2
    assert ag.jit.unused(len)("abc") == 3 and ag.jit.annotate(list, [1]) == [1]
