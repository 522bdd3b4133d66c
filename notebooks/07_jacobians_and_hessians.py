# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Jacobians and Hessians
#
# Every op of chainrule has a differentiable backward, so derivatives of derivatives come
# for free. `autograd.functional` (torch's `torch.autograd.functional`) packages them:
#
# | function | returns | cost |
# |---|---|---|
# | `vjp(f, x, v)` | vᵀ·J | one backward |
# | `jvp(f, x, v)` | J·v | two backwards (the *double-vjp trick*) |
# | `jacobian(f, x)` | J, shape `out.shape + in.shape` | one backward per output element |
# | `hessian(f, x)` | H = ∂²f/∂x² | the Jacobian of the gradient |
# | `hvp(f, x, v)` / `vhp` | H·v / vᵀ·H | three / two backwards, never forming H |
#
# The double-vjp trick: g(u) = Jᵀu is *linear* in u, so its own vjp with v is
# (∂g/∂u)ᵀ·v = J·v — a forward-mode product from two reverse passes, with no forward rule
# for any op. This notebook uses them on four classics: the softmax Jacobian, the Hessian
# spectrum of a small network, Newton's method, and Levenberg–Marquardt curve fitting.
# Everything is float64.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import autograd as ag
from autograd import functional as AF

T0 = time.perf_counter()
ag.set_num_threads(1)  # one BLAS thread: the same summation order, so the numbers reproduce
ag.manual_seed(0)
rng = np.random.default_rng(0)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · The Jacobian of softmax
#
# pᵢ = exp(zᵢ) / Σₖ exp(zₖ) has ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ), i.e. **J = diag(p) − ppᵀ**: the
# formula every softmax backward uses. `jacobian` builds it row by row, one backward per
# output; forward mode (`strategy="forward-mode"`, here the double-vjp trick) column by
# column. Both must equal the closed form.

# %%
z = ag.tensor(rng.standard_normal(6))
p = ag.softmax(z, 0).numpy()
J = AF.jacobian(lambda z: ag.softmax(z, 0), z).numpy()
J_fwd = AF.jacobian(lambda z: ag.softmax(z, 0), z, vectorize=True,
                    strategy="forward-mode").numpy()
closed = np.diag(p) - np.outer(p, p)
print("max |J − (diag(p) − ppᵀ)| reverse:", np.abs(J - closed).max(),
      " forward:", np.abs(J_fwd - closed).max())
print("rows sum to", J.sum(1), "(adding a constant to z changes nothing)")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
for ax, M, title in zip(axes, (J, closed), ("jacobian(softmax)", "diag(p) − ppᵀ")):
    im = ax.imshow(M, cmap="RdBu_r", vmin=-0.25, vmax=0.25)
    ax.set_title(title)
fig.colorbar(im, ax=axes, shrink=0.8)
plt.show()

# %% [markdown]
# J is symmetric and singular (J·1 = 0): softmax cannot see a shift of all logits.
#
# ## 2 · The Hessian of a network's loss: sharp and flat minima
#
# A 2→16→1 tanh MLP (65 parameters) regresses y = sin(x₁)·cos(x₂). To take its Hessian we
# write the loss as a function of one flat parameter vector θ; `hessian` then returns the
# 65×65 matrix of second derivatives. Its eigenvalues describe the curvature of the loss
# surface: the largest one, λ_max, is the *sharpness*.
#
# Full-batch gradient descent with step η is stable along a direction of curvature λ only
# if λ < 2/η (on a quadratic, each step multiplies the error along that direction by
# 1 − ηλ). So GD with a large step cannot settle in a minimum sharper than 2/η: we train
# three times from the same start and compare the spectra.

# %%
X = rng.uniform(-2, 2, (128, 2))
y = np.sin(X[:, 0]) * np.cos(X[:, 1])
Xt, yt = ag.tensor(X), ag.tensor(y)


def mlp_loss(theta):
    """Mean squared error of the 2-16-1 tanh MLP whose 65 parameters are ``theta``."""
    W1, b1 = theta[:32].reshape(16, 2), theta[32:48]
    W2, b2 = theta[48:64].reshape(1, 16), theta[64:65]
    h = (Xt @ W1.T + b1).tanh()
    return (((h @ W2.T + b2).reshape(-1) - yt) ** 2).mean()


bound1, bound2 = 1 / np.sqrt(2), 1 / np.sqrt(16)  # nn.Linear's default init ranges
theta0 = np.concatenate([rng.uniform(-bound1, bound1, 48), rng.uniform(-bound2, bound2, 17)])


def gd(theta, lr, steps=3000):
    th = ag.tensor(theta.copy(), requires_grad=True)
    for _ in range(steps):
        g, = ag.grad(mlp_loss(th), [th])
        with ag.no_grad():
            th -= lr * g
    return th.detach()


t = time.perf_counter()
H0 = AF.hessian(mlp_loss, ag.tensor(theta0)).numpy()
print(f"Hessian: shape {H0.shape}, symmetric to {np.abs(H0 - H0.T).max():.1e}, "
      f"{1e3 * (time.perf_counter() - t):.0f} ms")
spectra = {"init": np.linalg.eigvalsh(H0)}
for lr in (0.02, 0.1, 0.3):
    th = gd(theta0, lr)
    spectra[f"GD η={lr}"] = np.linalg.eigvalsh(AF.hessian(mlp_loss, th).numpy())
    print(f"η={lr:<4}  loss {mlp_loss(th).item():.5f}   λ_max {spectra[f'GD η={lr}'][-1]:6.2f}"
          f"   2/η {2 / lr:6.1f}   λ_min {spectra[f'GD η={lr}'][0]:8.4f}")
print(f"init     loss {mlp_loss(ag.tensor(theta0)).item():.5f}   "
      f"λ_max {spectra['init'][-1]:6.2f}   λ_min {spectra['init'][0]:8.4f}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
for name, ev in spectra.items():
    ax.plot(np.arange(1, 66), np.sort(np.abs(ev))[::-1], marker=".", label=name)
ax.axhline(2 / 0.3, color="gray", ls=":", label="2/η for η = 0.3")
ax.set_yscale("log")
ax.set_xlabel("eigenvalue rank")
ax.set_ylabel("|eigenvalue| of the Hessian")
ax.set_title("Loss curvature at initialisation and after training")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# At initialisation the Hessian has a clearly negative eigenvalue (λ_min = −1.21: a
# saddle-like region). After training the negative ones are one to three orders of
# magnitude smaller (−0.147 to −0.0028) and most of the spectrum is tiny: the loss is
# flat in most directions, as is typical of over-parameterised networks, with a few stiff
# ones. The run with the largest step ends with λ_max right at its stability limit 2/η
# (6.81 against 6.7, the "edge of stability"): it can only sit in a **flatter** minimum,
# while the smaller steps settled in sharper ones (λ_max 7.39 and 10.07).
#
# ## 3 · Newton's method with Hessian-vector products
#
# Newton's step solves H·d = −∇f. Forming H costs one backward per parameter; conjugate
# gradient needs only products H·v, which `hvp` gives in three backward passes whatever the
# dimension ("Hessian-free" Newton-CG). First a quadratic f(x) = ½xᵀAx − bᵀx with
# condition number 100: Newton lands on the minimum in one step; gradient descent with the
# best fixed step 1/λ_max needs hundreds.

# %%
def cg(matvec, b, tol=1e-10, max_iter=200):
    """Conjugate gradient for A x = b (A symmetric positive definite), given x ↦ A x."""
    x = np.zeros_like(b)
    r = b.copy()
    d = r.copy()
    rr = r @ r
    for k in range(max_iter):
        if np.sqrt(rr) < tol * np.linalg.norm(b):
            return x, k
        Ad = matvec(d)
        alpha = rr / (d @ Ad)
        x += alpha * d
        r -= alpha * Ad
        rr, rr_old = r @ r, rr
        d = r + (rr / rr_old) * d
    return x, max_iter


n = 20
Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
eig = np.logspace(0, 2, n)
A, b = ag.tensor(Q @ np.diag(eig) @ Q.T), ag.tensor(rng.standard_normal(n))


def quad(x):
    return 0.5 * (x @ (A @ x)) - b @ x


f_star = quad(ag.tensor(np.linalg.solve(A.numpy(), b.numpy()))).item()


def newton(f, x0, iters, damping=0.0):
    x, gaps, n_hvp = x0.copy(), [], 0
    for _ in range(iters):
        fx, g = AF.vjp(f, ag.tensor(x))
        gaps.append(fx.item())

        def matvec(v, x=x):
            return AF.hvp(f, ag.tensor(x), ag.tensor(v))[1].numpy() + damping * v

        d, k = cg(matvec, -g.numpy())
        n_hvp += k
        x = x + d
    gaps.append(f(ag.tensor(x)).item())
    return x, np.array(gaps), n_hvp


def gradient_descent(f, x0, lr, iters):
    x, vals = x0.copy(), []
    for _ in range(iters):
        fx, g = AF.vjp(f, ag.tensor(x))
        vals.append(fx.item())
        x = x - lr * g.numpy()
    return x, np.array(vals)


_, newton_q, hvps = newton(quad, np.zeros(n), 2)
_, gd_q = gradient_descent(quad, np.zeros(n), 1 / eig.max(), 400)
print(f"Newton-CG: f − f* = {newton_q[1] - f_star:.2e} after 1 step ({hvps} hvp calls in CG)")
print(f"GD (η = 1/λ_max): f − f* = {gd_q[-1] - f_star:.2e} after {len(gd_q)} steps")

# %% [markdown]
# Now logistic regression on a real data set (scikit-learn's breast-cancer table, 569
# tumours, 30 standardised features, bundled offline) with a small L2 term λ‖w‖²/2 so the
# minimum exists. The loss is convex but not quadratic: Newton converges quadratically
# once close (the number of correct digits doubles per step).

# %%
from sklearn.datasets import load_breast_cancer  # noqa: E402

import nn.functional as F  # noqa: E402

data = load_breast_cancer()
Z = (data.data - data.data.mean(0)) / data.data.std(0)
Z = np.hstack([Z, np.ones((len(Z), 1))])  # bias column
Zt, lab = ag.tensor(Z), ag.tensor(data.target.astype(np.float64))
lam = 1e-3


def logistic_loss(w):
    """Mean binary cross-entropy of σ(Zw), plus λ‖w‖²/2.

    ``F.binary_cross_entropy_with_logits`` is stable for large |u| and, as torch's, twice
    differentiable at u = 0. The textbook stable form max(u, 0) + log(1 + e^−|u|) would not
    do here: its kinks (max, |u|) give a second derivative of 0 at u = 0, which is exactly
    where Newton starts (w = 0), and the first Newton step would be wild."""
    return F.binary_cross_entropy_with_logits(Zt @ w, lab) + 0.5 * lam * (w * w).sum()


w_newton, newton_l, hvps = newton(logistic_loss, np.zeros(Z.shape[1]), 12)
L_smooth = 0.25 * np.linalg.eigvalsh(Z.T @ Z / len(Z)).max() + lam  # Lipschitz const. of ∇f
_, gd_l = gradient_descent(logistic_loss, np.zeros(Z.shape[1]), 1 / L_smooth, 2000)
f_min = newton_l[-1]
acc = ((Z @ w_newton > 0) == data.target).mean()
print(f"Newton-CG: {len(newton_l) - 1} steps, {hvps} hvp calls, loss {f_min:.10f}, "
      f"training accuracy {acc:.3f}")
print(f"GD (η = 1/L): loss after 2000 steps {gd_l[-1]:.10f} (gap {gd_l[-1] - f_min:.1e})")
print("Newton gaps per step:", " ".join(f"{v:.1e}" for v in newton_l[:-1] - f_min))
grad_end = AF.vjp(logistic_loss, ag.tensor(w_newton))[1].numpy()
print(f"gradient norm at the Newton solution: {np.linalg.norm(grad_end):.1e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
axes[0].semilogy(np.maximum(gd_q - f_star, 1e-16), label="gradient descent")
axes[0].semilogy(np.maximum(newton_q - f_star, 1e-16), "o-", label="Newton-CG (hvp)")
axes[0].set_title("quadratic, condition number 100")
axes[1].semilogy(np.maximum(gd_l - f_min, 1e-16), label="gradient descent")
axes[1].semilogy(np.maximum(newton_l - f_min, 1e-16), "o-", label="Newton-CG (hvp)")
axes[1].set_title("L2-regularised logistic regression")
for ax in axes:
    ax.set_xlabel("iteration")
    ax.set_ylabel("f − f*")
    ax.set_xscale("symlog", linthresh=10)
    ax.legend()
plt.show()

# %% [markdown]
# ## 4 · Gauss–Newton and Levenberg–Marquardt with `jacobian`
#
# Fitting a model m(θ; t) to data by least squares, f(θ) = ½‖r(θ)‖² with residuals
# r = m(θ; t) − y, has Hessian JᵀJ + Σᵢ rᵢ∇²rᵢ. Near a good fit the residuals are small, so
# **Gauss–Newton** drops the second term: solve (JᵀJ) δ = −Jᵀr with only the Jacobian of the
# residuals. Far from the fit that step can overshoot; **Levenberg–Marquardt** solves
# (JᵀJ + μ·diag(JᵀJ)) δ = −Jᵀr, shrinking μ after a step that lowers the loss (towards
# Gauss–Newton) and raising it after one that does not (towards a short gradient step).
#
# The model is a damped oscillation m = a·e^(−bt)·sin(ct + d), 4 parameters and 80
# residuals, so forward mode (4 columns) is cheaper than reverse mode (80 rows); both give
# the same J.

# %%
t_obs = np.linspace(0, 6, 80)
theta_true = np.array([2.0, 0.4, 2.2, 0.3])


def model(theta, t):
    return theta[0] * (-theta[1] * t).exp() * (theta[2] * t + theta[3]).sin()


y_obs = model(ag.tensor(theta_true), ag.tensor(t_obs)).numpy() \
    + 0.05 * rng.standard_normal(len(t_obs))
t_tensor, y_tensor = ag.tensor(t_obs), ag.tensor(y_obs)


def residuals(theta):
    return model(theta, t_tensor) - y_tensor


theta_start = np.array([1.0, 0.1, 1.0, 0.0])
Jr = AF.jacobian(residuals, ag.tensor(theta_start)).numpy()
Jf = AF.jacobian(residuals, ag.tensor(theta_start), vectorize=True,
                 strategy="forward-mode").numpy()
print("J:", Jr.shape, " reverse vs forward mode max diff:", np.abs(Jr - Jf).max())


def fit(theta, mu, iters=30):
    """Levenberg–Marquardt (mu=None: plain Gauss–Newton); returns θ and ½‖r‖² per step."""
    history = []
    with np.errstate(all="ignore"):  # a diverging Gauss–Newton run overflows: we stop it
        for _ in range(iters):
            r = residuals(ag.tensor(theta)).numpy()
            cost = 0.5 * r @ r
            if not np.isfinite(cost):
                break
            history.append(cost)
            J = AF.jacobian(residuals, ag.tensor(theta), vectorize=True,
                            strategy="forward-mode").numpy()
            if mu is None:  # Gauss–Newton: the full step, δ = argmin ‖J δ + r‖
                theta = theta + np.linalg.lstsq(J, -r, rcond=None)[0]
                continue
            JtJ, Jtr = J.T @ J, J.T @ r
            for _ in range(30):  # raise μ until the step lowers the cost
                step = np.linalg.solve(JtJ + mu * np.diag(np.diag(JtJ)), -Jtr)
                r_new = residuals(ag.tensor(theta + step)).numpy()
                if 0.5 * r_new @ r_new < cost:
                    theta, mu = theta + step, max(mu / 3, 1e-7)
                    break
                mu *= 4
            else:  # no step lowers the cost any more: converged
                break
    return theta, np.array(history)


theta_gn, hist_gn = fit(theta_start, None)
theta_lm, hist_lm = fit(theta_start, 1e-2)
print("true      ", theta_true)
print("LM fit    ", theta_lm, f" ½‖r‖² = {hist_lm[-1]:.4f}")
print("GN ends at", np.array2string(theta_gn, precision=3, floatmode="maxprec"),
      f" ½‖r‖² = {hist_gn[-1]:.4g}")
print(f"½‖r‖²: start {hist_gn[0]:.4g}, Gauss–Newton's worst step {hist_gn.max():.1e}, "
      f"½‖y‖² = {0.5 * y_obs @ y_obs:.4g}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
axes[0].plot(t_obs, y_obs, ".", color="gray", label="data")
fine = ag.tensor(np.linspace(0, 6, 400))
axes[0].plot(fine.numpy(), model(ag.tensor(theta_start), fine).numpy(), ":", label="start")
axes[0].plot(fine.numpy(), model(ag.tensor(theta_lm), fine).numpy(), label="LM fit")
with np.errstate(all="ignore"):
    axes[0].plot(fine.numpy(), model(ag.tensor(theta_gn), fine).numpy(), "--", label="GN")
axes[0].set_xlabel("t")
axes[0].legend(fontsize=8)
axes[1].semilogy(hist_gn, "o-", ms=3, label="Gauss–Newton")
axes[1].semilogy(hist_lm, "o-", ms=3, label="Levenberg–Marquardt")
axes[1].set_xlabel("iteration")
axes[1].set_ylabel("½‖r‖²")
axes[1].set_ylim(1e-2, 1e4)  # Gauss–Newton's worst step reaches 6e168
axes[1].legend()
plt.show()
print(f"notebook ran in {time.perf_counter() - T0:.1f} s")

# %% [markdown]
# From this start (frequency 1.0 against a true 2.2) plain Gauss–Newton's full steps
# overshoot: the linearisation is poor far from the fit, some steps throw the cost up to
# 6.0e+168, and the parameters run off until the amplitude is 0. Gauss–Newton ends on the
# zero function, ½‖r‖² = 17.38 against ½‖y‖² = 17.39: below its start (26.87) but nowhere
# near a fit. Levenberg–Marquardt's damping keeps every accepted step downhill and
# recovers the true parameters to within the noise (½‖r‖² = 0.0907; 80 residuals of
# noise σ = 0.05 give about 0.1).
#
# **Takeaways.** `jacobian` is m backward passes for m outputs (or n double-vjps for n
# inputs in forward mode): pick the smaller side. `hessian` is the Jacobian of a
# `create_graph=True` gradient; `hvp` gives curvature information for the cost of three
# backward passes without ever forming H, which is what makes Newton-CG practical.
