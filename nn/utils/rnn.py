"""``nn.utils.rnn``: padding and packing variable-length sequences, as torch's.

A PackedSequence holds a batch of sequences of different lengths time step by time step:
``data`` (Σ lengths, *) stacks, for t = 0, 1, ..., the step-t elements of the sequences
still running (longest first), ``batch_sizes[t]`` says how many there are. The RNN
modules take it in place of a padded batch and run each sequence to its own length (h_n
is each sequence's state at its last step; a bidirectional layer's reverse pass starts
there), giving torch's outputs and gradients.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

import autograd as ag
import nn.functional as F
from autograd import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence"]


class PackedSequence(NamedTuple):
    """data (Σ lengths, *), batch_sizes (T,) int64, sorted_indices / unsorted_indices (B,)
    int64 (None when the batch came sorted)."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _lengths(lengths: Any) -> np.ndarray:
    return np.asarray(lengths.tolist() if isinstance(lengths, Tensor) else lengths,
                      dtype=np.int64).reshape(-1)


def pad_sequence(sequences: Tensor | Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` with
    ``batch_first``), ``T = max L_i``, the rest filled with ``padding_value`` after each
    sequence (``padding_side='right'``) or before it (``'left'``). The result has the
    first sequence's dtype; gradients flow back to every sequence.

    Raises:
        RuntimeError: not an iterable, no sequence, a 0-d one, trailing shapes that
            differ, or another ``padding_side`` (torch's class).
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if any(s.ndim == 0 for s in seqs):
        raise RuntimeError("pad_sequence: every sequence needs a first (length) dimension")
    trailing = seqs[0].shape[1:]
    for i, s in enumerate(seqs):
        if s.shape[1:] != trailing:
            raise RuntimeError(f"pad_sequence: the trailing shapes differ: {tuple(trailing)} "
                               f"for sequence 0, {tuple(s.shape[1:])} for sequence {i}")
    dtype = seqs[0].dtype
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        if s.dtype != dtype:
            s = s.to(dtype)
        extra = longest - s.shape[0]
        before, after = (extra, 0) if padding_side == "left" else (0, extra)
        # F.pad lists (before, after) pairs from the last dimension backwards
        padded.append(F.pad(s, (0, 0) * (s.ndim - 1) + (before, after), value=padding_value)
                      if extra else s)
    return ag.stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) with batch_first) of the given lengths."""
    n = _lengths(lengths)
    if enforce_sorted:
        if np.any(n[1:] > n[:-1]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep "
                               "this requirement if you do not need ONNX exportability.")
        order, sorted_indices, unsorted_indices = np.arange(n.size), None, None
    else:
        order = np.argsort(-n, kind="stable")
        sorted_indices = ag.tensor(order)
        unsorted_indices = ag.tensor(np.argsort(order))
    x = input.transpose(0, 1) if batch_first else input
    if n.size != x.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{n.size} (batch_size={x.shape[1]})")
    if n.size and n.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if n.max() > x.shape[0]:
        raise RuntimeError(f"Expected the longest sequence length ({n.max()}) to be at most "
                           f"the padded length ({x.shape[0]})")
    if sorted_indices is not None:
        x = x.index_select(1, sorted_indices)
    ns = n[order]
    batch_sizes = np.array([(ns > t).sum() for t in range(int(ns[0]))], dtype=np.int64)
    data = ag.cat([x[t, :int(b)] for t, b in enumerate(batch_sizes)], 0)
    return PackedSequence(data, ag.tensor(batch_sizes), sorted_indices, unsorted_indices)


def _padded_sorted(sequence: PackedSequence, total: int, value: float) -> tuple:
    """The packed steps as (total, B, *) in sorted batch order, and the sorted lengths."""
    bs = sequence.batch_sizes.tolist()
    data = sequence.data
    rows, start = [], 0
    for b in bs:
        step = data[start:start + b]
        start += b
        if b < bs[0]:
            step = ag.cat([step, ag.full((bs[0] - b,) + tuple(data.shape[1:]), value,
                                         dtype=data.dtype)], 0)
        rows.append(step)
    if total > len(bs):
        rows += [ag.full((bs[0],) + tuple(data.shape[1:]), value, dtype=data.dtype)] * (
            total - len(bs))
    lengths = np.array([sum(1 for b in bs if b > i) for i in range(bs[0])], dtype=np.int64)
    return ag.stack(rows, 0), lengths


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths)."""
    steps = len(sequence.batch_sizes)
    if total_length is not None and total_length < steps:
        raise ValueError(f"Expected total_length to be at least the length of the longest "
                         f"sequence in input, but got total_length={total_length} and max "
                         f"sequence length being {steps}")
    padded, lengths = _padded_sorted(sequence, total_length or steps, padding_value)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.numpy()]
    return (padded.transpose(0, 1) if batch_first else padded), ag.tensor(lengths)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) tensors (pad_sequence, then pack_padded_sequence)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def packed_forward(module: Any, packed: PackedSequence, hx: Any) -> tuple:
    """An RNN/GRU/LSTM module over a PackedSequence: each group of equal-length sequences
    runs through the module's layers on exactly its steps."""
    x, lengths = _padded_sorted(packed, len(packed.batch_sizes), 0.0)
    lstm = module.mode == "LSTM"
    batch = x.shape[1]
    shape = (module.num_layers * module._dirs, batch, module.hidden_size)
    h0, c0 = (hx if lstm else (hx, None)) if hx is not None else (None, None)
    h0 = ag.zeros(shape, dtype=x.dtype) if h0 is None else module._state(h0, batch, False,
                                                                         x.dtype)
    if lstm:
        c0 = ag.zeros(shape, dtype=x.dtype) if c0 is None else module._state(c0, batch, False,
                                                                             x.dtype)
    if packed.sorted_indices is not None:  # torch's permute_hidden: the sorted order
        h0 = h0.index_select(1, packed.sorted_indices)
        c0 = c0.index_select(1, packed.sorted_indices) if lstm else None
    outs, hs, cs, members = [], [], [], []
    for n in sorted(set(lengths.tolist()), reverse=True):
        idx = ag.tensor(np.flatnonzero(lengths == n))
        out, h, c = module._layers(x[:n].index_select(1, idx), h0.index_select(1, idx),
                                   c0.index_select(1, idx) if lstm else None)
        if n < x.shape[0]:
            out = ag.cat([out, ag.zeros((x.shape[0] - n,) + tuple(out.shape[1:]),
                                        dtype=out.dtype)], 0)
        outs.append(out)
        hs.append(h)
        cs.append(c)
        members += idx.tolist()
    back = ag.tensor(np.argsort(members))  # group order -> sorted order
    out = ag.cat(outs, 1).index_select(1, back)
    h_n = ag.cat(hs, 1).index_select(1, back)
    c_n = ag.cat(cs, 1).index_select(1, back) if lstm else None
    if packed.unsorted_indices is not None:
        h_n = h_n.index_select(1, packed.unsorted_indices)
        c_n = c_n.index_select(1, packed.unsorted_indices) if lstm else None
    data = ag.cat([out[t, :int(b)] for t, b in enumerate(packed.batch_sizes.tolist())], 0)
    result = PackedSequence(data, packed.batch_sizes, packed.sorted_indices,
                            packed.unsorted_indices)
    return (result, (h_n, c_n)) if lstm else (result, h_n)
