"""The seed models: MLP and SimpleCNN structure, names, parameter counts, and that they
learn (MLP: two-moons and XOR to 100% training accuracy with plain gradient descent)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


# -- MLP ---------------------------------------------------------------------------------------
def test_mlp_structure_names_and_count() -> None:
    model = nn.MLP([784, 256, 128, 10])
    assert isinstance(model, nn.Sequential) and len(model) == 5
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    sd = model.state_dict()
    assert {k: v.shape for k, v in sd.items()} == {
        "0.weight": (256, 784), "0.bias": (256,), "2.weight": (128, 256), "2.bias": (128,),
        "4.weight": (10, 128), "4.bias": (10,),
    }
    assert sum(p.numel() for p in model.parameters()) == 784 * 256 + 256 + 256 * 128 + 128 \
        + 128 * 10 + 10
    assert model(ag.randn(3, 784)).shape == (3, 10)


def test_mlp_activation_choices_and_errors() -> None:
    relu = nn.MLP([2, 3, 3, 1], activation=nn.ReLU)
    assert [type(m).__name__ for m in relu] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    leaky = nn.MLP([2, 3, 3, 1], activation=nn.LeakyReLU(0.2))
    assert leaky[1] is not leaky[3] and leaky[3].negative_slope == 0.2
    assert len(nn.MLP([4, 2])) == 1
    for bad in ([4], [4, 0, 2], []):
        with pytest.raises(ValueError, match="MLP"):
            nn.MLP(bad)


def test_mlp_slicing_gives_the_hidden_features() -> None:
    model = nn.MLP([2, 5, 3])
    hidden = model[:2](ag.randn(4, 2))
    assert hidden.shape == (4, 5) and np.abs(hidden._data).max() <= 1


def _train_gd(model: nn.Module, x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> float:
    """Full-batch plain gradient descent on cross-entropy; returns training accuracy."""
    xt = ag.tensor(x)
    for _ in range(steps):
        model.zero_grad()
        F.cross_entropy(model(xt), y).backward()
        with ag.no_grad():
            for p in model.parameters():
                p._data -= lr * p.grad._data
    with ag.no_grad():
        return float((model(xt)._data.argmax(1) == y).mean())


def _two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple:
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    x = np.concatenate([upper, lower]) + rng.normal(0, noise, (2 * n, 2))
    y = np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)])
    return (x - x.mean(0)).astype(np.float32), y


def test_mlp_learns_two_moons_to_100_percent_with_plain_gd() -> None:
    ag.manual_seed(0)
    x, y = _two_moons(100, 0.1, np.random.default_rng(0))
    model = nn.MLP([2, 32, 32, 2])
    assert _train_gd(model, x, y, lr=0.5, steps=400) == 1.0


def test_mlp_learns_xor_to_100_percent_with_plain_gd() -> None:
    ag.manual_seed(1)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (200, 2)).astype(np.float32)
    x = x[np.abs(x).min(1) > 0.1]  # a margin around the axes
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    model = nn.MLP([2, 16, 2])
    assert _train_gd(model, x, y, lr=1.0, steps=300) == 1.0


# -- SimpleCNN ---------------------------------------------------------------------------------
def test_simple_cnn_has_268650_parameters_with_torch_names() -> None:
    model = nn.SimpleCNN()
    assert sum(p.numel() for p in model.parameters()) == 268_650
    shapes = {k: v.shape for k, v in model.state_dict().items()}
    assert shapes == {
        "features.0.weight": (16, 3, 3, 3), "features.0.bias": (16,),
        "features.3.weight": (32, 16, 3, 3), "features.3.bias": (32,),
        "classifier.1.weight": (128, 2048), "classifier.1.bias": (128,),
        "classifier.3.weight": (10, 128), "classifier.3.bias": (10,),
    }
    assert [type(m).__name__ for m in model.features] == [
        "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d"]
    assert [type(m).__name__ for m in model.classifier] == ["Flatten", "Linear", "ReLU",
                                                            "Linear"]


def test_simple_cnn_forward_and_other_sizes() -> None:
    assert nn.SimpleCNN()(ag.randn(2, 3, 32, 32)).shape == (2, 10)
    small = nn.SimpleCNN(in_channels=1, num_classes=4, image_size=8)
    assert small.classifier[1].in_features == 32 * 2 * 2
    assert small.features[0].weight.shape == (16, 1, 3, 3)
    assert small(ag.randn(5, 1, 8, 8)).shape == (5, 4)
    rect = nn.SimpleCNN(image_size=(12, 8))
    assert rect(ag.randn(1, 3, 12, 8)).shape == (1, 10)
    with pytest.raises(ValueError, match="4x4"):
        nn.SimpleCNN(image_size=3)


def test_simple_cnn_backward_reaches_every_parameter_and_it_can_overfit() -> None:
    ag.manual_seed(2)
    model = nn.SimpleCNN(in_channels=1, num_classes=3, image_size=8)
    x = np.random.default_rng(2).standard_normal((12, 1, 8, 8)).astype(np.float32)
    y = np.arange(12) % 3
    F.cross_entropy(model(ag.tensor(x)), y).backward()
    assert all(p.grad is not None and p.grad._data.any() for p in model.parameters())
    assert _train_gd(model, x, y, lr=0.1, steps=40) == 1.0


def test_simple_cnn_state_dict_round_trip_preserves_outputs() -> None:
    a, b = nn.SimpleCNN(image_size=8), nn.SimpleCNN(image_size=8)
    x = ag.randn(2, 3, 8, 8)
    assert not np.allclose(a(x)._data, b(x)._data)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a(x)._data, b(x)._data)


# -- the MNIST-1D paper's models (used by chainrule train --data mnist1d) -----------------------
def test_mnist1d_models_shapes_and_state_dict_keys() -> None:
    from nn.modules.models import MNIST1DCNN, MNIST1DMLP

    mlp = MNIST1DMLP()
    assert list(mlp.state_dict()) == ["linear1.weight", "linear1.bias", "linear2.weight",
                                      "linear2.bias", "linear3.weight", "linear3.bias"]
    assert mlp(ag.randn(3, 40)).shape == (3, 10)
    cnn = MNIST1DCNN(1, 40, 10)
    # lengths 40 -> 19 -> 10 -> 5, so the linear layer takes 25 * 5 features
    assert cnn.features_out == 125 and cnn[7].weight.shape == (10, 125)
    assert [k for k in cnn.state_dict() if k.endswith("weight")] == [
        "0.weight", "2.weight", "4.weight", "7.weight"]
    assert cnn(ag.randn(2, 1, 1, 40)).shape == (2, 10)
    with pytest.raises(ValueError, match="too short"):
        MNIST1DCNN(1, 1, 10)
