"""Ready-made parametrizations (torch's ``nn.utils.parametrizations``): ``weight_norm``,
``spectral_norm`` and ``orthogonal``, each registered with
:func:`nn.utils.parametrize.register_parametrization`.

``orthogonal``'s three maps are torch's: ``matrix_exp`` (``ag.linalg.matrix_exp``),
``cayley`` (``ag.linalg.solve``) and ``householder`` (``ag.linalg.householder_product``).
Only assigning to a ``householder`` weight without trivialization is missing (it needs
``geqrf``) and raises ``NotImplementedError``.
"""

from __future__ import annotations

from enum import Enum, auto

import numpy as np

import autograd as ag
from autograd.tensor import Tensor
from nn import functional as F
from nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from nn.modules.module import Module
from nn.utils import parametrize
from nn.utils.weight_norm import norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _mH(x: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (the transpose for real ``x``)."""
    return x.mT.conj() if x.is_complex() else x.mT


def _is_orthogonal(q: Tensor) -> bool:
    """Whether ``Qᴴ Q = I`` to ``10·n·eps`` (q: (..., n, k))."""
    n, k = q.shape[-2], q.shape[-1]
    eye = ag.eye(k, dtype=q.dtype)
    return ag.allclose(_mH(q) @ q, eye, atol=10.0 * n * float(np.finfo(q._data.dtype).eps))


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``A = QR`` with R's diagonal made non-negative (torch multiplies Q's
    columns by ``sgn(diag R)``: the unique Q of a full-rank A; a zero pivot zeroes its
    column, as torch's). Not differentiated: used only by ``right_inverse``, under
    ``no_grad``; LAPACK's Householder QR, as torch's ``geqrf``."""
    q, r = np.linalg.qr(a._data)
    d = np.diagonal(r, axis1=-2, axis2=-1)
    sgn = d / np.abs(d) if np.iscomplexobj(d) else np.sign(d)
    return ag.tensor(np.ascontiguousarray(q * sgn[..., None, :]))


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps a (..., n, k) tensor to an orthogonal one (orthonormal columns, or rows when
    n < k): ``matrix_exp``/``cayley`` of the skew-symmetric ``A = X̃ − X̃ᴴ`` (X̃ the lower
    triangle, padded square), the Cayley map being ``(I − A/2)⁻¹ (I + A/2)``; with
    ``use_trivialization`` the result is multiplied on the left by the buffer ``base``
    that ``right_inverse`` sets."""

    base: Tensor

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == _OrthMaps.householder:
            # the reflectors of X's strict lower triangle, τ = 2 / (1 + ‖vᵢ‖²); X's
            # diagonal (±1, never trained through: an int cast, as torch) signs the columns
            A = X.tril(-1)
            Q = ag.linalg.householder_product(A, 2.0 / (1.0 + (A * A).sum(-2)))
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:
                pad = X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)
                X = ag.cat([X, pad], dim=-1)
            A = X - _mH(X)
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = ag.linalg.matrix_exp(A)
            else:  # the Cayley retraction (I − A/2)⁻¹ (I + A/2)
                eye = ag.eye(n, dtype=A.dtype)
                Q = ag.linalg.solve(eye + (-0.5) * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if "base" in self._buffers:  # torch's hasattr(self, "base")
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        """An ``X`` with ``forward(X) = Q``: with ``use_trivialization``, ``base``
        becomes ``Q`` (made orthogonal by QR, completed to a square matrix by random
        columns when n ≠ k) and ``X = −I`` (which every map sends to the identity).

        Raises:
            ValueError: ``Q``'s shape is not the weight's.
            NotImplementedError: without trivialization (torch's for
                ``matrix_exp``/``cayley``; ``householder`` needs ``geqrf``).
        """
        with ag.no_grad():
            if Q.shape != self.shape:
                raise ValueError("Expected a matrix or batch of matrices of shape "
                                 f"{tuple(self.shape)}. Got a tensor of shape "
                                 f"{tuple(Q.shape)}.")
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            if n < k:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map != _OrthMaps.householder:
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the "
                        "Cayley parametrizations when use_trivialization=False.")
                raise NotImplementedError(
                    "orthogonal_map='householder' with use_trivialization=False needs "
                    "geqrf, which chainrule does not have yet")
            if n == k:
                Q = _make_orthogonal(Q) if not _is_orthogonal(Q) else Q.clone()
            else:
                N = ag.randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(ag.cat([Q, N], dim=-1))
            self.base = Q
            neg_id = np.zeros(Q_init.shape, dtype=Q_init._data.dtype)
            diag = np.arange(min(neg_id.shape[-2:]))
            neg_id[..., diag, diag] = -1.0
            return ag.tensor(neg_id)


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Parametrize the matrix (or batch of matrices) ``module.<name>`` as an orthogonal
    one (orthonormal columns, or rows when it is wide), keeping its current value (made
    orthogonal by QR when it is not).

    Args:
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` or ``"householder"``; default
            ``matrix_exp`` for square (or complex) matrices, else ``householder``.
        use_trivialization: keep a ``base`` buffer and parametrize around it (torch's
            default; needed to assign to the weight).

    Raises:
        ValueError: no such tensor, fewer than 2 dims, or an unknown map.
        NotImplementedError: ``matrix_exp`` or ``householder`` (not in chainrule yet).
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = ("matrix_exp" if weight.shape[-2] == weight.shape[-1]
                          or weight.is_complex() else "householder")
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """``(g, v) ↦ v · g / ‖v‖``, the norm over every dim but ``dim`` (all of them for
    ``dim=None``, stored as -1)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    r"""Reparametrise ``module.<name>`` as ``w = g · v / ‖v‖`` (norm over every dim but
    ``dim``; over all for ``dim=None``): ``g`` (shape 1 except along ``dim``) is
    ``parametrizations.<name>.original0``, ``v`` (w's shape) ``original1``, starting at
    ``g = ‖w‖``, ``v = w``. A state dict of the old hook API (``<name>_g``, ``<name>_v``)
    loads too."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(mod: Module, state_dict: dict, prefix: str, *args: object
                                 ) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module.register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    """``W ↦ W / σ``, σ the largest singular value of W (dims but ``dim`` flattened)
    estimated by power iteration with the buffers ``_u`` (h,) and ``_v`` (w,), which
    advance ``n_power_iterations`` steps per read in training mode; a 1-d W is just
    normalised."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            with ag.no_grad():
                weight_mat = self._reshape_weight_to_matrix(weight)
                h, w = weight_mat.shape
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
                self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
                self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)  # torch's start: u, v near the top pair

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """(d_dim, prod(other dims)): ``dim`` moved first, the rest flattened."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim)
                                                if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """``u ← W v / ‖W v‖``, ``v ← Wᴴ u / ‖Wᴴ u‖``, ``n_power_iterations`` times, in
        place in the buffers (no gradient)."""
        with ag.no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(ag.mv(weight_mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(ag.mv(_mH(weight_mat), self._u), dim=0,
                                          eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()  # the buffers change in place at the next read
        v = self._v.clone()
        sigma = ag.dot(u.conj() if u.is_complex() else u, ag.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Parametrize ``module.<name>`` as ``W / σ(W)`` (spectral normalisation, Miyato et
    al. 2018), σ estimated by power iteration (buffers
    ``parametrizations.<name>.0._u``/``_v``, advanced on each read in training mode;
    15 iterations from a random start at registration).

    Args:
        dim: the output dim (default 1 for transposed convolutions, else 0).

    Raises:
        ValueError: no such tensor, or ``n_power_iterations <= 0``.
        IndexError: ``dim`` out of range.
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose1d | ConvTranspose2d | ConvTranspose3d) \
            else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
