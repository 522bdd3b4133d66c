# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · Gradient checking
#
# A backward pass is only as good as its derivatives. Finite differences give an
# independent estimate of every derivative from forward passes alone, so comparing
# the two catches mistakes. This notebook looks at how accurate finite differences
# are, what `ag.gradcheck` does with them, how it catches a wrong backward, and how
# to check second derivatives.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd as ag

# One BLAS thread: fastest for these small matrices, and the same summation order on every
# machine, so the printed numbers reproduce.
ag.set_num_threads(1)
ag.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)
plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})


# %% [markdown]
# ## 1. Finite differences
#
# Taylor's theorem around $x$:
#
# $$f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x)
# + O(h^4).$$
#
# The **forward** difference keeps an error of order $h$; in the **central**
# difference the even terms cancel and the error is of order $h^2$:
#
# $$\frac{f(x + h) - f(x)}{h} = f'(x) + \tfrac{h}{2} f''(x) + O(h^2), \qquad
# \frac{f(x + h) - f(x - h)}{2h} = f'(x) + \tfrac{h^2}{6} f'''(x) + O(h^4).$$
#
# Our test function is $f(x) = \sin(x)\,e^x$ at $x = 0.7$; the engine gives
# $f'(x)$ exactly (up to rounding).

# %%
def f(t):
    return t.sin() * t.exp()


x0 = 0.7
x = ag.tensor(np.float64(x0), requires_grad=True)
f(x).backward()
exact = x.grad.item()


def f_np(v):
    return f(ag.tensor(np.asarray(v, dtype=np.float64))).numpy()


h = 1e-3
forward = (f_np(x0 + h) - f_np(x0)) / h
central = (f_np(x0 + h) - f_np(x0 - h)) / (2 * h)
print(f"engine   f'(x) = {exact:.12f}")
print(f"forward  h=1e-3: {forward:.12f}   error {abs(forward - exact):.1e}")
print(f"central  h=1e-3: {central:.12f}   error {abs(central - exact):.1e}")

# %% [markdown]
# ## 2. How small should $h$ be? The V-shaped error curve
#
# Shrinking $h$ reduces the truncation error, but each value of $f$ is rounded to
# about $\epsilon_\text{mach}|f|$, and the difference quotient divides that rounding
# by $h$. For the central difference the total error is roughly
#
# $$E(h) \approx \frac{h^2}{6}|f'''| + \frac{\epsilon_\text{mach}|f|}{h},$$
#
# smallest near $h^\ast \sim \epsilon_\text{mach}^{1/3}$: about $6\cdot10^{-6}$ in
# `float64` ($\epsilon_\text{mach} \approx 2.2\cdot10^{-16}$), which is why
# `gradcheck` uses `eps=1e-6`. For the forward difference
# $h^\ast \sim \epsilon_\text{mach}^{1/2} \approx 10^{-8}$. In `float32`
# ($\epsilon_\text{mach} \approx 1.2\cdot10^{-7}$) the best step is near $10^{-2}$
# and the error never gets much below $10^{-6}$: too coarse to tell a small bug from
# rounding.

# %%
hs = np.logspace(-14, 0, 57)


def fd_errors(dtype, kind):
    xs = np.asarray(x0, dtype=dtype)
    hh = hs.astype(dtype)

    def fx(v):
        return f(ag.tensor(np.asarray(v, dtype=dtype))).numpy()

    if kind == "central":
        est = (fx(xs + hh) - fx(xs - hh)) / (2 * hh)
    else:
        est = (fx(xs + hh) - fx(xs)) / hh
    return np.abs(est.astype(np.float64) - exact) + 1e-18


curves = {
    "central, float64": fd_errors(np.float64, "central"),
    "forward, float64": fd_errors(np.float64, "forward"),
    "central, float32": fd_errors(np.float32, "central"),
}

fig, ax = plt.subplots(figsize=(9, 4.5))
for (label, err), style in zip(curves.items(), ["o-", "s-", "^-"]):
    ax.loglog(hs, err, style, ms=3, label=label)
    print(f"{label}: best h = {hs[err.argmin()]:.0e}, error {err.min():.1e}")
ax.loglog(hs, hs**2, "k:", lw=1, label=r"slope 2 ($h^2$)")
ax.loglog(hs, 1e-16 / hs, "k--", lw=1, label=r"slope $-1$ ($\epsilon/h$)")
ax.axvline(1e-6, color="gray", lw=1)
ax.text(8e-7, 1e-3, "gradcheck's eps", color="gray", ha="right")
ax.set(xlabel="step h", ylabel="|estimate − exact|", ylim=(1e-13, 1e1),
       title="Finite-difference error: truncation (right) vs rounding (left)")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()


# %% [markdown]
# Right of the minimum the curves follow the truncation error (slope 2 for central,
# slope 1 for forward); left of it they follow the rounding error (slope $-1$),
# noisy because rounding is. In `float32` the steps below about $3\cdot10^{-8}$ vanish
# altogether: $x \pm h$ rounds to $x$, the estimate is 0 and the error is $|f'(x)|$.
#
# ## 3. `gradcheck`: the whole Jacobian, both ways
#
# For a function $F:\mathbb{R}^n \to \mathbb{R}^m$ the analytic Jacobian comes row by
# row, one backward pass per output element with a one-hot $\bar y$; the numeric one
# comes column by column, two forward passes per input element. Let us build both
# for $F(z, W) = \mathrm{softmax}(zW)$ and compare, then let `ag.gradcheck` do the
# same (it also checks $\partial F/\partial W$).

# %%
def F(z, W):
    return ag.softmax(z @ W, dim=-1)


z = ag.randn(1, 3, dtype="float64", requires_grad=True)
W = ag.randn(3, 4, dtype="float64", requires_grad=True)
m, n = F(z, W).numel(), z.numel()

# analytic: row i = gradient of output element i
J_analytic = np.zeros((m, n))
out = F(z, W)
for i in range(m):
    onehot = np.zeros((1, m))
    onehot[0, i] = 1.0
    (gz,) = ag.grad(out, z, grad_outputs=ag.tensor(onehot), retain_graph=True)
    J_analytic[i] = gz.numpy().ravel()

# numeric: column j = central difference in input element j
eps = 1e-6
J_numeric = np.zeros((m, n))
z0 = z.detach().numpy()
with ag.no_grad():
    for j in range(n):
        d = np.zeros((1, n))
        d[0, j] = eps
        up, down = F(ag.tensor(z0 + d), W), F(ag.tensor(z0 - d), W)
        J_numeric[:, j] = (up.numpy() - down.numpy()).ravel() / (2 * eps)

print("analytic Jacobian dF/dz:\n", J_analytic)
print("max |analytic − numeric| =", f"{np.abs(J_analytic - J_numeric).max():.1e}")
print("ag.gradcheck:", ag.gradcheck(F, (z, W)))


# %% [markdown]
# ## 4. Catching a wrong backward
#
# The softmax $s = \mathrm{softmax}(z)$ has Jacobian
# $\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, so its vector–Jacobian
# product is
#
# $$\bar z = s \odot \big(\bar s - \langle \bar s, s\rangle\big).$$
#
# A classic slip is to keep only the diagonal, $\bar z = s \odot \bar s$. Both
# versions below run without complaint and give gradients of the right shape; only
# a gradient check tells them apart.

# %%
class BadSoftmax(ag.Function):
    @staticmethod
    def forward(ctx, z):
        s = ag.softmax(z, dim=-1)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, s_bar):
        (s,) = ctx.saved_tensors
        return s * s_bar                                  # missing term


class GoodSoftmax(ag.Function):
    @staticmethod
    def forward(ctx, z):
        s = ag.softmax(z, dim=-1)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, s_bar):
        (s,) = ctx.saved_tensors
        return s * (s_bar - (s_bar * s).sum(dim=-1, keepdim=True))


z = ag.randn(2, 4, dtype="float64", requires_grad=True)
try:
    ag.gradcheck(BadSoftmax.apply, (z,))
except ag.GradcheckError as err:
    print("BadSoftmax  ->", type(err).__name__)
    print("  ", err)
print("GoodSoftmax ->", ag.gradcheck(GoodSoftmax.apply, (z,)))

# %% [markdown]
# The message names the input (by position), the element, and both values, which is
# usually enough to find the wrong line.
#
# Finite differences assume $f$ is smooth between $x - \varepsilon$ and
# $x + \varepsilon$. At a kink they disagree with any analytic gradient, so a
# gradient check should avoid points within $\varepsilon$ of one: here ReLU at
# $x = 10^{-7}$, where the central difference straddles $0$.

# %%
near_kink = ag.tensor(np.array([1e-7, 0.5]), requires_grad=True)
print("relu near its kink:", ag.gradcheck(ag.relu, (near_kink,), raise_exception=False))
away = ag.tensor(np.array([0.3, 0.5]), requires_grad=True)
print("relu away from it :", ag.gradcheck(ag.relu, (away,)))

# %% [markdown]
# ## 5. Second derivatives
#
# With `create_graph=True` the backward pass records its own operations, so the
# gradient it returns is a tensor with a graph and can be differentiated again. For
# an elementwise function, the gradient of the *sum* is the elementwise derivative.
# For $t = \tanh x$:
#
# $$t' = 1 - t^2, \qquad t'' = -2t(1 - t^2), \qquad t''' = -2(1 - t^2)(1 - 3t^2).$$

# %%
x = ag.tensor(np.linspace(-3, 3, 121), requires_grad=True)
t = x.tanh()
(d1,) = ag.grad(t.sum(), x, create_graph=True)
(d2,) = ag.grad(d1.sum(), x, create_graph=True)
(d3,) = ag.grad(d2.sum(), x)

tn = t.detach().numpy()
np.testing.assert_allclose(d1.detach().numpy(), 1 - tn**2, atol=1e-12)
np.testing.assert_allclose(d2.detach().numpy(), -2 * tn * (1 - tn**2), atol=1e-12)
np.testing.assert_allclose(d3.numpy(), -2 * (1 - tn**2) * (1 - 3 * tn**2), atol=1e-12)
print("three derivatives of tanh equal their formulas")

fig, ax = plt.subplots(figsize=(7, 3.5))
for curve, label in [(t, r"$\tanh x$"), (d1, "1st"), (d2, "2nd"), (d3, "3rd")]:
    ax.plot(x.detach().numpy(), curve.detach().numpy(), label=label)
ax.set(xlabel="x", title="tanh and its derivatives, by the engine")
ax.legend()
plt.show()

# %% [markdown]
# ### A Hessian, by hand and by the engine
#
# For logistic regression with mean loss
# $L(w) = -\frac1m\sum_k \big[y_k \log p_k + (1 - y_k)\log(1 - p_k)\big]$,
# $p = \sigma(Xw)$, the derivatives are
#
# $$\nabla L = \tfrac1m X^\top (p - y), \qquad
# \nabla^2 L = \tfrac1m X^\top \mathrm{diag}\big(p \odot (1 - p)\big)\, X.$$
#
# The engine builds the Hessian one row at a time: differentiate each component of
# the gradient (computed with `create_graph=True`) once more.

# %%
rng = np.random.default_rng(0)
Xn = rng.normal(size=(20, 3))
yn = (rng.random(20) < 0.5).astype(np.float64)
X, y = ag.tensor(Xn), ag.tensor(yn)
w = ag.tensor(np.array([0.5, -0.3, 0.8]), requires_grad=True)

p = (X @ w).sigmoid()
L = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
(g,) = ag.grad(L, w, create_graph=True)
H = np.stack([ag.grad(g[i], w, retain_graph=True)[0].numpy() for i in range(3)])

pn = p.detach().numpy()
np.testing.assert_allclose(g.detach().numpy(), Xn.T @ (pn - yn) / 20, rtol=1e-12)
np.testing.assert_allclose(H, Xn.T @ np.diag(pn * (1 - pn)) @ Xn / 20, rtol=1e-12)
print("Hessian (engine = formula):\n", H)


# %% [markdown]
# ### `gradgradcheck`
#
# `ag.gradgradcheck(fn, inputs)` applies the same finite-difference test to the
# first derivative itself, so it checks that backward is differentiable and right.
# A custom `backward` written with tensor operations passes. One that drops to
# NumPy (`.numpy()`) gives correct first derivatives, but its result is a constant to
# the engine: its second derivative is silently zero, and only `gradgradcheck`
# notices.

# %%
class SquareTensorOps(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x


class SquareNumpy(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.tensor(g.detach().numpy() * 2 * x.detach().numpy())  # leaves the graph


v = ag.randn(3, dtype="float64", requires_grad=True)
for op in (SquareTensorOps, SquareNumpy):
    first = ag.gradcheck(op.apply, (v,))
    try:
        second = ag.gradgradcheck(op.apply, (v,))
    except ag.GradcheckError as err:
        second = f"GradcheckError: {err}"
    print(f"{op.__name__}:\n  gradcheck     {first}\n  gradgradcheck {second}")
