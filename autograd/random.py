"""The engine's one source of randomness, seeded by ``manual_seed``.

init, dropout, ``randn`` and the DataLoader's shuffle all draw from
:func:`generator`, so one ``manual_seed(n)`` makes a whole run repeatable.
"""

from __future__ import annotations

import numpy as np

_GEN: list = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random draw of autograd, nn and optim."""
    _GEN[0] = np.random.default_rng(int(seed))
    return _GEN[0]


def generator() -> np.random.Generator:
    """The current generator (replaced by each ``manual_seed``)."""
    return _GEN[0]
