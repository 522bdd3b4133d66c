"""``nn.utils.rnn``: padding variable-length sequences into one batch (torch's
``pad_sequence``; packed sequences and ``unpad_sequence``, which transposes its input in
place, are not provided)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import autograd as ag
import nn.functional as F
from autograd.tensor import Tensor

__all__ = ["pad_sequence"]


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

