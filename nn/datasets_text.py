"""Token datasets for the character-level models: minGPT's two-digit addition (made here)
and first names from the US Census 1990 lists that the ``names`` package ships.

Each is a :class:`TextTask`: integer token sequences x (N, T) and next-token targets
y (N, T), where y = −1 marks positions that carry no loss (``ignore_index=-1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["TextTask", "addition_task", "bigram_loss", "load_names", "names_task"]


@dataclass
class TextTask:
    """Train and held-out (x, y) token arrays of one task, and how tokens read."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    itos: list[str]  # token id → character
    block_size: int
    info: dict = field(default_factory=dict)

    @property
    def vocab_size(self) -> int:
        return len(self.itos)


def addition_task(ndigit: int = 2, seed: int = 0, test_size: int = 500) -> TextTask:
    """minGPT's adder: every a + b with a, b < 10^ndigit, as digit tokens
    a (ndigit) · b (ndigit) · c (ndigit + 1 digits, reversed: the model writes the sum
    from its lowest digit, as one adds by hand). x = seq[:-1], y = seq[1:], and the loss
    is on the answer digits only (earlier targets −1). ``test_size`` pairs (a fixed
    permutation from ``seed``; minGPT: min(20%, 500)) are held out."""
    n = 10 ** ndigit
    perm = np.random.default_rng(seed).permutation(n * n)
    a, b = perm // n, perm % n
    c = a + b

    def digits(v: np.ndarray, k: int) -> np.ndarray:
        return (v[:, None] // 10 ** np.arange(k - 1, -1, -1)) % 10

    seq = np.concatenate([digits(a, ndigit), digits(b, ndigit),
                          digits(c, ndigit + 1)[:, ::-1]], 1).astype(np.int64)
    x, y = seq[:, :-1].copy(), seq[:, 1:].copy()
    y[:, :2 * ndigit - 1] = -1
    return TextTask("addition", x[test_size:], y[test_size:], x[:test_size], y[:test_size],
                    [str(i) for i in range(10)], 3 * ndigit, {"ndigit": ndigit})


def load_names() -> list[str]:
    """The distinct first names (lower case) of the US Census 1990 lists
    (dist.female.first, dist.male.first) shipped by the ``names`` package (MIT)."""
    try:
        import names as names_pkg
    except ImportError:
        raise ImportError("the names data needs the 'names' package (US Census 1990 first "
                          "names): pip install names") from None
    root = Path(names_pkg.__file__).parent
    out: dict[str, None] = {}
    for f in ("dist.female.first", "dist.male.first"):
        for line in (root / f).read_text().splitlines():
            if line.strip():
                out[line.split()[0].lower()] = None
    return list(out)


def names_task(seed: int = 0, test_fraction: float = 0.1) -> TextTask:
    """Character-level names: token 0 is '.', which starts and ends every name (as in
    makemore); x = '.' + name padded, y = name + '.' then −1. A ``test_fraction`` of the
    names (a permutation from ``seed``) is held out."""
    words = load_names()
    chars = sorted(set("".join(words)))
    itos = ["."] + chars
    stoi = {ch: i for i, ch in enumerate(itos)}
    block = max(len(w) for w in words) + 1
    x = np.zeros((len(words), block), np.int64)
    y = np.full((len(words), block), -1, np.int64)
    for i, w in enumerate(words):
        ids = [stoi[ch] for ch in w]
        x[i, 1:len(ids) + 1] = ids
        y[i, :len(ids)] = ids
        y[i, len(ids)] = 0
    perm = np.random.default_rng(seed).permutation(len(words))
    n_test = int(round(len(words) * test_fraction))
    te, tr = perm[:n_test], perm[n_test:]
    return TextTask("names", x[tr], y[tr], x[te], y[te], itos, block,
                    {"num_names": len(words), "source": "US Census 1990 first names "
                                                        "('names' package)"})


def bigram_loss(task: TextTask) -> tuple[float, float]:
    """(train, held-out) mean cross-entropy of the count bigram model P(next | current)
    fitted on the training split (add-one smoothing), on the scored positions."""
    v = task.vocab_size
    counts = np.ones((v, v))
    mask = task.y_train >= 0
    np.add.at(counts, (task.x_train[mask], task.y_train[mask]), 1)
    logp = np.log(counts / counts.sum(1, keepdims=True))

    def nll(x: np.ndarray, y: np.ndarray) -> float:
        m = y >= 0
        return float(-logp[x[m], y[m]].mean())

    return nll(task.x_train, task.y_train), nll(task.x_test, task.y_test)
