"""Reparameterized Gamma and Dirichlet draws, with torch's implicit gradients.

A Gamma(α, 1) draw x has no closed-form inverse cdf, so its derivative in α is the
implicit one, dx/dα = −(∂F/∂α)(x; α) / p(x; α). torch approximates it piecewise
(ATen's ``standard_gamma_grad_one``): a Taylor series of the incomplete gamma function
for x < 0.8, Rice's saddle-point expansion for α > 8, and a bivariate rational fit
elsewhere. A Dirichlet(α) draw (normalized gammas) uses ATen's ``dirichlet_grad_one``
(the Beta(α, Σα − α) marginal's reparameterized gradient: series near 0 and 1, a
saddle-point expansion for large parameters, a rational correction to an analytic
approximation elsewhere), and its backward is grad · (g − Σ x g). Both are ported
term for term here as array kernels (in float64, as torch's CPU kernels, then rounded
to the parameter's dtype), running on any device through NumPy's dispatch.

The backwards are torch's ``once_differentiable`` ones: first derivatives only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.backend import xp_of
from autograd.distributions.draws import standard_gamma
from autograd.function import Function
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.ops.gamma import digamma_array
from autograd.tensor import Tensor, _wrap

__all__ = ["dirichlet_rsample", "standard_gamma_grad", "standard_gamma_rsample"]

_F32 = np.float32  # ATen compares with float literals (0.8f, 8.0f, 0.9f)

# ATen's coef_uv of the bivariate rational fit (u = log(x/α), v = log α)
_COEF_UV = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07),
)


def _zero_nan(a: Any) -> Any:
    return np.where(np.isnan(a), 0.0, a)


def standard_gamma_grad(alpha: Any, x: Any) -> Any:
    """dx/dα for Gamma(α, 1) draws x (arrays of one shape), in float64 (ATen's
    ``standard_gamma_grad_one`` with a double accumulator), as α's dtype."""
    dtype = alpha.dtype
    a, x = alpha.astype(np.float64), x.astype(np.float64)
    with np.errstate(all="ignore"):
        # Taylor series of the regularized incomplete gamma function, small x
        numer = np.ones_like(x)
        denom = a.copy()
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = x ** a
        gamma_pdf = x ** (a - 1) * np.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = (np.log(x) - digamma_array(a)) * gamma_cdf - pow_x_alpha * series2
        taylor = _zero_nan(-gamma_cdf_alpha / gamma_pdf)
        # Rice saddle-point expansion, large α: near the mode, then away from it
        numer_1 = 1 + 24 * a * (1 + 12 * a)
        numer_2 = (1440 * (a * a) + 6 * x * (53 - 120 * x) - 65 * x * x / a
                   + a * (107 + 3600 * x))
        near = numer_1 * numer_2 / (1244160 * (a * a) * (a * a))
        den = np.sqrt(8 * a)
        term2 = den / (a - x)
        term3 = (x - a - a * np.log(x / a)) ** -1.5
        term23 = np.where(x < a, term2 - term3, term2 + term3)
        term1 = np.log(x / a) * term23 - np.sqrt(2 / a) * (a + x) / ((a - x) * (a - x))
        stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
        far = -stirling * (x * term1) / den
        rice = np.where((_F32(0.9) * a <= x) & (x <= _F32(1.1) * a), near, far)
        # the bivariate rational approximation
        u, v = np.log(x / a), np.log(a)
        c = [_COEF_UV[0][i] + u * (_COEF_UV[1][i] + u * _COEF_UV[2][i]) for i in range(8)]
        p = c[0] + v * (c[1] + v * (c[2] + v * c[3]))
        q = c[4] + v * (c[5] + v * (c[6] + v * c[7]))
        rational = np.exp(p / q)
        out = np.where(x < _F32(0.8), taylor, np.where(a > _F32(8.0), rice, rational))
    return out.astype(dtype)


def _beta_grad_alpha_small(x: Any, alpha: Any, beta: Any) -> Any:
    factor = digamma_array(alpha) - digamma_array(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    return _zero_nan(x * (1 - x) ** -beta * series)


def _beta_grad_beta_small(x: Any, alpha: Any, beta: Any) -> Any:
    factor = digamma_array(alpha + beta) - digamma_array(beta)
    numer, betas, dbetas = np.ones_like(x), np.ones_like(x), np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    return _zero_nan(-(1 - x) ** (1 - beta) * series)


def _beta_grad_alpha_mid(x: Any, alpha: Any, beta: Any) -> Any:
    a, b = alpha, beta
    total = a + b
    mean = a / total
    std = np.sqrt(a * b / (total + 1)) / total
    poly = 47 * x * (b * b) * (b * b) + a * (
        (43 + 20 * (16 + 27 * b) * x) * (b * b) * b + a * (
            3 * (59 + 180 * b - 90 * x) * (b * b) + a * (
                (453 + 1620 * b * (1 - x) - 455 * x) * b + a * (
                    8 * (1 - x) * (135 * b - 11)))))
    prefactor_num = (1 + 12 * a) * (1 + 12 * b) / (total * total)
    prefactor_den = 12960 * a * a * a * b * b * (1 + 12 * total)
    at_mean = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * a * b / total)
    stirling = ((1 + 1 / (12 * a) + 1 / (288 * a * a)) * (1 + 1 / (12 * b) + 1 / (288 * b * b))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (a * a) * (x - 1) + a * b * (x - 1) - x * (b * b)
    axbx = a * (x - 1) + b * x
    term1 = term1_num / (np.sqrt(2 * a / b) * total ** 1.5 * axbx * axbx)
    term2 = 0.5 * np.log(a / (total * x))
    term3 = np.sqrt(8 * a * b / total) / (b * x + a * (x - 1))
    term4 = (b * np.log(b / (total * (1 - x))) + a * np.log(a / (total * x))) ** -1.5
    term1234 = term1 + term2 * (term3 + np.where(x < mean, term4, -term4))
    away = stirling * prefactor * term1234
    return np.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), at_mean, away)


# ATen's c[2][3][3][4] of the rational correction (numerator, denominator)
_DIRICHLET_C = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def dirichlet_grad(x: Any, alpha: Any, total: Any) -> Any:
    """ATen's ``dirichlet_grad_one``: −(∂F/∂α)/p/(1 − x) of the Beta(α, total − α) marginal
    at x (arrays of one shape), computed in float64, returned in x's dtype."""
    dtype = x.dtype
    x, alpha, total = (t.astype(np.float64) for t in (x, alpha, total))
    beta = total - alpha
    boundary = total * x * (1 - x)
    with np.errstate(all="ignore"):
        small_x = _beta_grad_alpha_small(x, alpha, beta)
        large_x = -_beta_grad_beta_small(1 - x, beta, alpha)
        mid = _beta_grad_alpha_mid(x, alpha, beta)
        u = np.log(x)
        a = np.log(alpha) - u
        b = np.log(total) - a
        pow_u, pow_a = (1, u, u * u), (1, a, a * a)
        p = q = 0.0
        for i in range(3):
            for j in range(3):
                ua = pow_u[i] * pow_a[j]
                cp, cq = _DIRICHLET_C[0][i][j], _DIRICHLET_C[1][i][j]
                p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
                q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
        approx = x * (digamma_array(total) - digamma_array(alpha)) / beta
        rational = p / q * approx
        out = np.where((x <= 0.5) & (boundary < 2.5), small_x,
                       np.where((x >= 0.5) & (boundary < 0.75), large_x,
                                np.where((alpha > 6) & (beta > 6), mid, rational)))
    return out.astype(dtype)


ONCE_DIFFERENTIABLE = ("trying to differentiate twice a function that was marked with "
                       "@once_differentiable")
NO_GAMMA_GRAD_GRAD = "the derivative for '_standard_gamma_grad' is not implemented."


class _DelayedError(Function):
    """A gradient computed without a graph, which raises if anything differentiates
    through it, as torch's (a second derivative would silently miss the dependence of
    the implicit gradient on α)."""

    @staticmethod
    def forward(ctx: Any, message: str, result: Tensor, *inputs: Tensor) -> Tensor:
        ctx.message = message
        return result

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple:
        raise RuntimeError(ctx.message)


def _first_order_only(message: str, result: Tensor, *inputs: Tensor) -> Tensor:
    """``result`` (made without a graph); under create_graph, tied to ``inputs`` by a node
    whose backward raises ``message``."""
    if not is_grad_enabled() or not any(t.requires_grad for t in inputs):
        return result
    return _DelayedError.apply(message, result, *inputs)


class _StandardGamma(Function):
    """Gamma(α, 1) draws, differentiable in α by the implicit gradient."""

    @staticmethod
    def forward(ctx: Any, concentration: Tensor) -> Tensor:
        x = standard_gamma(concentration)
        ctx.save_for_backward(concentration, x)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        concentration, x = ctx.saved_tensors
        dx = standard_gamma_grad(concentration.detach()._data, x.detach()._data)
        with no_grad():
            result = grad * _wrap(dx, None)
        return _first_order_only(NO_GAMMA_GRAD_GRAD, result, grad, concentration)


def standard_gamma_rsample(concentration: Tensor) -> Tensor:
    """Gamma(α, 1) draws of α's shape whose gradient in α is torch's implicit one."""
    return _StandardGamma.apply(concentration)


def _sample_dirichlet(concentration: Tensor) -> Tensor:
    """Normalized Gamma(αᵢ, 1) draws along the last dim (ATen's ``_sample_dirichlet``:
    the gammas in float64, each clamped below at its smallest normal number)."""
    data = concentration.detach()._data
    gammas = standard_gamma(_wrap(data.astype(np.float64), None))._data
    ratio = gammas / gammas.sum(-1, keepdims=True)
    dt = np.dtype(data.dtype)
    out = xp_of(ratio).maximum(ratio.astype(dt), dt.type(np.finfo(dt).tiny))
    return _wrap(out, None)


class _Dirichlet(Function):
    """Dirichlet(α) draws, differentiable in α (torch's ``_Dirichlet``)."""

    @staticmethod
    def forward(ctx: Any, concentration: Tensor) -> Tensor:
        x = _sample_dirichlet(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, concentration = ctx.saved_tensors
        alpha = concentration.detach()._data
        total = xp_of(alpha).broadcast_to(alpha.sum(-1, keepdims=True), alpha.shape)
        g = _wrap(dirichlet_grad(x.detach()._data, alpha, total), None)
        with no_grad():
            result = g * (grad - (x.detach() * grad).sum(-1, True))
        return _first_order_only(ONCE_DIFFERENTIABLE, result, grad, concentration)


def dirichlet_rsample(concentration: Tensor) -> Tensor:
    """Dirichlet draws of α's shape (simplex along the last dim), differentiable in α."""
    return _Dirichlet.apply(concentration)
