"""The added padding, pixel-shuffle, fold/unfold and pooling layers: torch's reprs,
argument forms and exception classes (values and gradients against torch are in
test_added_values.py)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

# torch 2.13's reprs
REPRS = [
    (lambda: nn.ZeroPad1d(2), "ZeroPad1d((2, 2))"),
    (lambda: nn.ZeroPad2d((1, 0, 2, 1)), "ZeroPad2d((1, 0, 2, 1))"),
    (lambda: nn.ZeroPad3d(1), "ZeroPad3d((1, 1, 1, 1, 1, 1))"),
    (lambda: nn.ConstantPad1d(2, 1.5), "ConstantPad1d(padding=(2, 2), value=1.5)"),
    (lambda: nn.ConstantPad2d((0, 1, 2, 0), -1), "ConstantPad2d(padding=(0, 1, 2, 0), value=-1)"),
    (lambda: nn.ConstantPad3d(1, 0.0), "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=0.0)"),
    (lambda: nn.ReflectionPad1d((2, 1)), "ReflectionPad1d((2, 1))"),
    (lambda: nn.ReflectionPad2d(1), "ReflectionPad2d((1, 1, 1, 1))"),
    (lambda: nn.ReflectionPad3d(1), "ReflectionPad3d((1, 1, 1, 1, 1, 1))"),
    (lambda: nn.ReplicationPad1d(3), "ReplicationPad1d((3, 3))"),
    (lambda: nn.ReplicationPad2d([0, 2, 1, 1]), "ReplicationPad2d((0, 2, 1, 1))"),
    (lambda: nn.ReplicationPad3d(2), "ReplicationPad3d((2, 2, 2, 2, 2, 2))"),
    (lambda: nn.CircularPad1d(1), "CircularPad1d((1, 1))"),
    (lambda: nn.CircularPad2d((1, 2, 0, 1)), "CircularPad2d((1, 2, 0, 1))"),
    (lambda: nn.CircularPad3d(1), "CircularPad3d((1, 1, 1, 1, 1, 1))"),
]


@pytest.mark.parametrize(("make", "want"), REPRS, ids=[w for _, w in REPRS])
def test_repr_as_torch(make, want) -> None:
    assert repr(make()) == want


def test_padding_layers_are_torchs_class_tree_and_hold_nothing() -> None:
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)
    assert nn.ZeroPad1d(1).value == 0.0
    assert list(nn.ReflectionPad2d(1).state_dict()) == []


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: nn.CircularPad2d(1)(ag.ones(2, 3)), ValueError, r"expected 3D or 4D input \(got 2D"),
    (lambda: nn.CircularPad1d(1)(ag.ones(2, 3, 4, 5)), ValueError, "expected 2D or 3D input"),
    (lambda: nn.ReflectionPad1d(3)(ag.ones(1, 2, 3)), RuntimeError, "Padding size should be less"),
    (lambda: nn.ReplicationPad2d(1)(ag.ones(5)), RuntimeError, "Padding length should be less"),
    (lambda: nn.ConstantPad1d((1, 2, 3), 0.0)(ag.ones(2, 3)), RuntimeError, "divisible by 2"),
    (lambda: nn.ReflectionPad2d(1)(ag.ones(2, 3)), NotImplementedError, "Padding size 4"),
])
def test_padding_errors_as_torch(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_zero_pad_with_a_short_tuple_pads_only_the_last_axis() -> None:
    # torch: ZeroPad2d((1, 2)) on (2, 3, 3) gives (2, 3, 6): the tuple is used as given
    assert nn.ZeroPad2d((1, 2))(ag.ones(2, 3, 3)).shape == (2, 3, 6)


@pytest.mark.parametrize(("make", "want"), [
    (lambda: nn.Unfold(2), "Unfold(kernel_size=2, dilation=1, padding=0, stride=1)"),
    (lambda: nn.Fold((4, 5), (2, 3), stride=2),
     "Fold(output_size=(4, 5), kernel_size=(2, 3), dilation=1, padding=0, stride=2)"),
    (lambda: nn.PixelShuffle(3), "PixelShuffle(upscale_factor=3)"),
    (lambda: nn.PixelUnshuffle(2), "PixelUnshuffle(downscale_factor=2)"),
    (lambda: nn.ChannelShuffle(2), "ChannelShuffle(groups=2)"),
])
def test_rearrangement_reprs_as_torch(make, want) -> None:
    assert repr(make()) == want


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: F.unfold(ag.ones(2, 3), 2), IndexError, "Dimension out of range"),
    (lambda: F.unfold(ag.ones(1, 2, 3, 3), 4), RuntimeError,
     r"calculated shape of the array of sliding blocks as \(0, 0\)"),
    (lambda: F.unfold(ag.ones(1, 2, 3, 3), 2, stride=0), RuntimeError,
     "stride should be greater than zero"),
    # torch 2.13 counts blocks rounding down (div_rtn): (4 − 5)/2 + 1 = 0 rows, not 1
    (lambda: F.unfold(ag.ones(1, 2, 4, 1), (3, 2), dilation=(2, 1), padding=(0, 1),
                      stride=(2, 1)), RuntimeError,
     r"sliding blocks as \(0, 2\), but its components must be at least one"),
    (lambda: F.fold(ag.ones(1, 7, 4), (3, 3), 2), RuntimeError,
     r"input.size\(1\)=7 and kernel_size=\(2, 2\)"),
    (lambda: F.fold(ag.ones(1, 8, 5), (3, 3), 2), RuntimeError,
     r"sliding blocks 2 \* 2 = 4, but got input.size\(2\)=5"),
    (lambda: F.fold(ag.ones(2, 1, 8, 4), (3, 3), 2), RuntimeError, "Expected 2D or 3D"),
    (lambda: F.pixel_shuffle(ag.ones(1, 5, 2, 2), 2), RuntimeError,
     r"input.size\(-3\)=5 is not divisible by 4"),
    (lambda: F.pixel_shuffle(ag.ones(5, 2), 2), RuntimeError, "at least 3 dimensions"),
    (lambda: F.pixel_unshuffle(ag.ones(1, 1, 3, 4), 2), RuntimeError,
     r"height to be divisible by downscale_factor, but input.size\(-2\)=3"),
    (lambda: F.pixel_unshuffle(ag.ones(1, 1, 4, 3), 2), RuntimeError, "width to be divisible"),
    (lambda: F.channel_shuffle(ag.ones(1, 5, 2), 2), RuntimeError,
     "Got 5 channels and 2 groups"),
    (lambda: nn.ChannelShuffle(2)(ag.ones(2, 4)), RuntimeError, r"> 2 dims, but got input "
     r"with sizes \[2, 4\]"),
])
def test_rearrangement_errors_as_torch(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_native_channel_shuffle_has_no_derivative_as_torch() -> None:
    # torch 2.13: the output requires grad, backward raises; values are channel_shuffle's
    x = ag.tensor(np.arange(8.0).reshape(1, 4, 2), requires_grad=True)
    y = F.native_channel_shuffle(x, 2)
    assert y.requires_grad and y.tolist() == F.channel_shuffle(x, 2).tolist()
    with pytest.raises(RuntimeError, match="derivative for aten::native_channel_shuffle is "
                                           "not implemented"):
        y.sum().backward()
    with pytest.raises(RuntimeError, match="Got 5 channels and 2 groups"):
        F.native_channel_shuffle(ag.ones(1, 5, 2), 2)


def test_fold_is_unfolds_adjoint_and_shapes_as_torch() -> None:
    # torch: unfold of (2, 3, 3) with k=2 is (8, 4); fold of (8, 4) into (3, 3) is (2, 3, 3)
    x = ag.ones(2, 3, 3)
    assert F.unfold(x, 2).shape == (8, 4)
    assert F.fold(ag.ones(8, 4), (3, 3), 2).shape == (2, 3, 3)
    assert F.pixel_shuffle(ag.ones(2, 3, 8, 2, 2), 2).shape == (2, 3, 2, 4, 4)
    # overlap counts: fold(unfold(ones)) counts the blocks covering each pixel
    counts = F.fold(F.unfold(ag.ones(1, 1, 3, 3, dtype=np.float64), 2), (3, 3), 2)
    assert counts.numpy()[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_max_unpool_reprs_and_errors_as_torch() -> None:
    assert repr(nn.MaxUnpool1d(2)) == "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))"
    assert repr(nn.MaxUnpool2d(2, stride=1, padding=(0, 1))) == \
        "MaxUnpool2d(kernel_size=(2, 2), stride=(1, 1), padding=(0, 1))"
    x = ag.tensor(np.arange(20.0).reshape(1, 1, 4, 5))  # the last maximum sits at index 18
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(RuntimeError, match="Found an invalid max index"):
        F.max_unpool2d(out, idx, 2)  # torch: the default 4x4 output cannot hold index 18
    assert F.max_unpool2d(out, idx, 2, output_size=(1, 1, 4, 5)).shape == (1, 1, 4, 5)
    with pytest.raises(ValueError, match=r'invalid output_size "\[7, 7\]" \(dim 0 must be '
                                         r'between 2 and 6\)'):
        F.max_unpool2d(out, idx, 2, output_size=[7, 7])
    with pytest.raises(ValueError, match="2 or 4 elements, but it has a length of '3'"):
        F.max_unpool2d(out, idx, 2, output_size=(4, 5, 6))
    with pytest.raises(RuntimeError, match="Expected shape of indices to be same"):
        F.max_unpool2d(out, idx[..., :1], 2)
    with pytest.raises(RuntimeError, match="should be type int64"):
        F.max_unpool2d(out, idx.to(ag.int32), 2)
    back = F.max_unpool2d(out, idx, 2, output_size=(4, 5)).numpy()[0, 0]
    assert back[1].tolist() == [0.0, 6.0, 0.0, 8.0, 0.0] and back[3, 3] == 18.0


W = ag.randn(10, 3)
I3 = ag.tensor([1, 2, 3])


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: F.embedding_bag(I3.reshape(1, 3), W, ag.tensor([0])), ValueError,
     "if input is 2D, then offsets has to be None"),
    (lambda: F.embedding_bag(I3, W), ValueError, "offsets has to be a 1D Tensor but got None"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([[0]])), ValueError, "offsets has to be a 1D"),
    (lambda: F.embedding_bag(I3.reshape(1, 1, 3), W), ValueError,
     "input has to be 1D or 2D Tensor, but got Tensor of dimension 3"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0]), mode="max", scale_grad_by_freq=True),
     ValueError, "max mode does not support scaling"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0]), mode="min"), ValueError,
     "mode has to be one of sum, mean or max"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0]), per_sample_weights=ag.ones(3)),
     NotImplementedError, "only supported for mode='sum' \\(got mode='mean'\\)"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0]), mode="sum",
                             per_sample_weights=ag.ones(2)), ValueError,
     "must have the same shape as the input"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([1])), RuntimeError, "offsets\\[0\\] has to be 0"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0, 5])), RuntimeError,
     "can not be greater than input's length 3"),
    (lambda: nn.EmbeddingBag(10, 3, padding_idx=10), AssertionError,
     "padding_idx must be within num_embeddings"),
    (lambda: F.embedding_bag(ag.tensor([1, 12]), W, ag.tensor([0])), RuntimeError,
     r"Index 1 of input takes value 12 which is not in the valid range \[0, 10\)"),
    # torch 2.13: the float64 and max-mode kernels name the value; max_norm's renorm first
    (lambda: F.embedding_bag(ag.tensor([1, 12]), W.double(), ag.tensor([0])), RuntimeError,
     "Expected idx >= 0 && idx < num_embeddings but found idx to be 12"),
    (lambda: F.embedding_bag(ag.tensor([1, -11]), W.clone(), ag.tensor([0]), max_norm=1.0),
     IndexError, r"select\(\): index -11 out of range for tensor of size \[10, 3\]"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0]), mode="max", sparse=True), ValueError,
     "max mode does not support sparse weights"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0.0])), RuntimeError,
     "'indices' to have one of the following scalar types: Long, Int; but got "
     "torch.FloatTensor"),
    (lambda: F.embedding_bag(I3, W, ag.tensor([0]), mode="sum",
                             per_sample_weights=ag.ones(3, dtype=ag.float64)), RuntimeError,
     "type torch.FloatTensor does not equal torch.DoubleTensor"),
])
def test_embedding_bag_errors_as_torch(call, exc, match) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_embedding_bag_module_as_torch() -> None:
    assert repr(nn.EmbeddingBag(10, 3)) == "EmbeddingBag(10, 3, mode='mean')"
    assert repr(nn.EmbeddingBag(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True,
                                mode="sum", padding_idx=-1, include_last_offset=True)) == \
        "EmbeddingBag(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, " \
        "mode='sum', padding_idx=9)"
    m = nn.EmbeddingBag(10, 3, padding_idx=2)
    assert list(m.state_dict()) == ["weight"] and not m.weight.detach().numpy()[2].any()
    assert 0.5 < m.weight.detach().numpy().std() < 1.6  # N(0, 1) as torch
    pre = nn.EmbeddingBag.from_pretrained(ag.ones(4, 2), mode="sum")
    assert not pre.weight.requires_grad
    assert pre(ag.tensor([[0, 1, 3]])).tolist() == [[3.0, 3.0]]
    assert nn.EmbeddingBag(5, 2, device="cpu", dtype=np.float64).weight.dtype == np.float64


def test_max_unpool_checks_in_torchs_order() -> None:
    # torch 2.13 (one thread): the dtype before the rank, the last bad index named, dim 0
    # taken for the batch (so it may be empty), max_unpool1d's messages on (..., L, 1)
    z = ag.zeros(1, 0, 2, dtype=ag.int64)
    with pytest.raises(RuntimeError, match="should be type int64 but got: Double"):
        F.max_unpool2d(ag.ones(2, 2), ag.ones(2, 2, dtype=ag.float64), 2)
    with pytest.raises(RuntimeError, match="should be a 3d or 4d Tensor, but got a tensor with "
                                           "2 dimensions"):
        F.max_unpool1d(ag.ones(2), ag.ones(2, dtype=ag.int64), 2)
    with pytest.raises(RuntimeError, match=r"but got \[1, 0, 2, 1\] with dimension 1 being "
                                           "empty"):
        F.max_unpool1d(z.float(), z, 2)
    with pytest.raises(RuntimeError, match=r"invalid max index: -3 \(output volumes are of size "
                                           r"4x1\)"):
        F.max_unpool1d(ag.ones(1, 2), ag.tensor([[9, -3]]), 2)
    assert F.max_unpool3d(ag.zeros(0, 2, 2, 2), ag.zeros(0, 2, 2, 2, dtype=ag.int64),
                          2).shape == (0, 4, 4, 4)


def test_empty_batches_as_torch() -> None:
    # torch 2.13: unfold/fold of an empty batch are empty; pixel_unshuffle returns an empty
    # input unchanged in shape (pixel_shuffle reshapes it)
    assert F.unfold(ag.zeros(0, 2, 3, 3), 2).shape == (0, 8, 4)
    assert F.fold(ag.zeros(0, 8, 4), (3, 3), 2).shape == (0, 2, 3, 3)
    assert F.pixel_unshuffle(ag.zeros(0, 1, 2, 2), 2).shape == (0, 1, 2, 2)
    assert F.pixel_shuffle(ag.zeros(0, 4, 2, 2), 2).shape == (0, 1, 4, 4)


def test_embedding_bag_short_last_offset_runs_the_last_bag_to_the_end() -> None:
    # torch 2.13 (float64 kernel): include_last_offset with offsets[-1] = 2 < 4 indices;
    # out = [[0.3, 0.4, 0.5], [0.9, 1.0, 1.1]], d(out.sum())/dW[:, 0] = [0, 1, 1/3, 1/3, 1/3, 0]
    w = ag.tensor(np.arange(30.0).reshape(10, 3) / 10, requires_grad=True)
    out = F.embedding_bag(ag.tensor([1, 2, 3, 4]), w, ag.tensor([0, 1, 2]),
                          include_last_offset=True)
    np.testing.assert_allclose(out.detach().numpy(), [[0.3, 0.4, 0.5], [0.9, 1.0, 1.1]])
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy()[:6, 0], [0, 1, 1 / 3, 1 / 3, 1 / 3, 0])


def test_embedding_bag_max_of_only_empty_bags_is_in_the_graph() -> None:
    # torch 2.13: every bag empty (padding only) gives zeros that require grad; gradient 0
    w = ag.randn(4, 3, requires_grad=True)
    out = F.embedding_bag(ag.tensor([0, 0, 0]), w, ag.tensor([0, 0, 3]), mode="max",
                          padding_idx=0)
    assert out.requires_grad and not out.detach().numpy().any()
    out.sum().backward()
    assert w.grad is not None and not w.grad.numpy().any()
