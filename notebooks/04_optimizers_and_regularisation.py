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
# # 04 · Optimizers, regularisation, learning-rate decay and initialisation
#
# Four experiments on the 8×8 digits: how the update rule changes training, how L2
# and dropout fight overfitting, why the learning rate should decay, and why a deep
# network trains only with a sensible initialisation (or batch norm).

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

# %%
import nn
import nn.functional as F
import optim
from nn.data import DataLoader, TensorDataset
from nn.datasets import load_dataset
from nn.training import evaluate
from optim import lr_scheduler

digits = load_dataset("digits", as_images=False)
train_set = TensorDataset(ag.tensor(digits.x_train), ag.tensor(digits.y_train))


def train(model, opt, loader, epochs, scheduler=None):
    """Plain training loop; returns the loss of every mini-batch."""
    losses = []
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if scheduler is not None:
            scheduler.step()
    return np.array(losses)


# %% [markdown]
# ## 1. SGD, momentum, Adam and AdamW
#
# With gradient $g_t$ and learning rate $\eta$:
#
# * **SGD**: $\;w \leftarrow w - \eta\, g_t$
# * **momentum**: $\;v \leftarrow \mu v + g_t,\quad w \leftarrow w - \eta\, v$
# * **Adam**: running averages of the gradient and of its square, corrected for
#   their start at zero, then a step per coordinate:
#
#   $$m \leftarrow \beta_1 m + (1-\beta_1)\, g_t,\qquad
#   s \leftarrow \beta_2 s + (1-\beta_2)\, g_t^2,\qquad
#   w \leftarrow w - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{s/(1-\beta_2^t)} + \epsilon}$$
# * **AdamW**: Adam's step, plus $w \leftarrow w - \eta\lambda w$ applied outside
#   the adaptive scaling.
#
# Momentum averages gradients over roughly $1/(1-\mu)$ steps, so directions that
# keep their sign speed up and oscillating ones cancel. Adam divides each
# coordinate by a running RMS of its gradient: every parameter moves at about the
# same speed whatever the scale of its gradient. First a picture on the quadratic
# $f(w) = \tfrac12(w_1^2 + 50\,w_2^2)$, steep in $w_2$ and flat in $w_1$:

# %%
def run_on_quadratic(make_opt, steps=40):
    w = ag.tensor([-4.0, 1.0], requires_grad=True)
    opt = make_opt([w])
    path = [w.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (w[0] ** 2 + 50 * w[1] ** 2)).backward()
        opt.step()
        path.append(w.detach().numpy().copy())
    return np.array(path)


quad_runs = {
    "SGD η=0.035": lambda p: optim.SGD(p, lr=0.035),
    "momentum η=0.035, μ=0.7": lambda p: optim.SGD(p, lr=0.035, momentum=0.7),
    "Adam η=0.15": lambda p: optim.Adam(p, lr=0.15),
}
g1, g2 = np.meshgrid(np.linspace(-4.5, 1.5, 200), np.linspace(-1.5, 1.5, 200))
fig, ax = plt.subplots(figsize=(8, 4))
ax.contour(g1, g2, 0.5 * (g1**2 + 50 * g2**2), levels=np.logspace(-1, 2.5, 12),
           colors="lightgray", linewidths=0.8)
for label, make_opt in quad_runs.items():
    path = run_on_quadratic(make_opt)
    ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=label)
ax.plot(0, 0, "k*", ms=10)
ax.set(xlabel="$w_1$", ylabel="$w_2$", title="40 steps on a badly conditioned bowl")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Plain SGD must keep $\eta < 2/50$ to stay stable along the steep $w_2$, so it
# crawls along the flat $w_1$ and is still far away after 40 steps. Momentum builds
# up speed along $w_1$ while the $w_2$ oscillation dies out. Adam's first steps have
# the same size, about $\eta$, in both coordinates, whatever their curvature.
#
# Now the same four optimizers on the digits MLP, each from the **same initial
# weights** and seeing the **same mini-batches** in the same order:

# %%
ag.manual_seed(0)
init_state = nn.MLP([64, 64, 32, 10]).state_dict()

optimizers = {
    "SGD (η=0.05)": lambda p: optim.SGD(p, lr=0.05),
    "SGD + momentum (η=0.05, μ=0.9)": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "Adam (η=1e-3)": lambda p: optim.Adam(p, lr=1e-3),
    "AdamW (η=1e-3, λ=0.05)": lambda p: optim.AdamW(p, lr=1e-3, weight_decay=0.05),
}
curves, results = {}, {}
for name, make_opt in optimizers.items():
    model = nn.MLP([64, 64, 32, 10])
    model.load_state_dict(init_state)
    ag.manual_seed(1)                            # the same shuffles for every run
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    curves[name] = train(model, make_opt(model.parameters()), loader, epochs=10)
    weight_norm = np.sqrt(sum((p.detach() ** 2).sum().item() for p in model.parameters()))
    results[name] = (*evaluate(model, digits.x_test, digits.y_test), weight_norm)

steps_per_epoch = len(loader)
fig, ax = plt.subplots(figsize=(8, 4.2))
for name, losses in curves.items():
    smooth = np.convolve(losses, np.ones(steps_per_epoch) / steps_per_epoch, "valid")
    ax.plot(np.arange(len(smooth)) / steps_per_epoch + 1, smooth, label=name)
ax.set(xlabel="epoch", ylabel="training loss (1-epoch moving average)",
       yscale="log", title="same model, same data, same start: four optimizers")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
print(f"{'':32} test loss  test acc  |weights|")
for name, (loss, acc, wn) in results.items():
    print(f"{name:32} {loss:9.4f}  {acc:8.3f}  {wn:9.2f}")


# %% [markdown]
# With these settings momentum gets furthest in 10 epochs (test accuracy 0.956), Adam
# and AdamW follow (0.936), and plain SGD has a long way to go (0.842).
#
# AdamW's loss curve is Adam's: its decoupled decay multiplies every weight by
# $1 - \eta\lambda = 0.99995$ per step, which leaves the fit alone and, over these
# 230 steps, makes the weights slightly smaller (last column). Putting the same
# $\lambda w$ into the gradient of Adam (`optim.Adam(weight_decay=...)`) would have
# it divided by $\sqrt{s}$ like everything else, so large-gradient weights would
# hardly be decayed at all: that is the reason AdamW exists.
#
# ## 2. Overfitting, L2 and dropout
#
# With only 200 training images and a network of 85,000 parameters, the training
# loss goes to zero while the test loss stops improving and then creeps up: the
# network memorises. Two remedies:
#
# * **L2** adds $\tfrac\lambda2\|W\|^2$ to the loss, so $\lambda W$ to every
#   gradient (`weight_decay=λ` in SGD): large weights, and the sharp functions they
#   make, cost something.
# * **Dropout** multiplies each activation during training by $m/(1-p)$,
#   $m \sim \text{Bernoulli}(1-p)$; at evaluation it is the identity (the division
#   keeps the expected activation the same). No unit can rely on any other being
#   present.

# %%
def overfit_net(p_in=0.0, p_hidden=0.0):
    layers = [nn.Dropout(p_in)] if p_in else []
    layers += [nn.Linear(64, 256), nn.ReLU()]
    layers += [nn.Dropout(p_hidden)] if p_hidden else []
    layers += [nn.Linear(256, 256), nn.ReLU()]
    layers += [nn.Dropout(p_hidden)] if p_hidden else []
    return nn.Sequential(*layers, nn.Linear(256, 10))


n_small = 200
x_small, y_small = digits.x_train[:n_small], digits.y_train[:n_small]
small_set = TensorDataset(ag.tensor(x_small), ag.tensor(y_small))
settings = {
    "no regularisation": dict(net={}, weight_decay=0.0),
    "L2 (λ=5e-3)": dict(net={}, weight_decay=5e-3),
    "dropout (0.2 in, 0.5 hidden)": dict(net=dict(p_in=0.2, p_hidden=0.5),
                                         weight_decay=0.0),
}
reg_curves = {}
for name, cfg in settings.items():
    ag.manual_seed(0)
    model = overfit_net(**cfg["net"])
    print(name, "-", sum(p.numel() for p in model.parameters()), "parameters")
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9,
                    weight_decay=cfg["weight_decay"])
    loader = DataLoader(small_set, batch_size=50, shuffle=True)
    rows = []
    for epoch in range(1, 101):
        train(model, opt, loader, epochs=1)
        if epoch % 4 == 0:
            rows.append((epoch, *evaluate(model, x_small, y_small),
                         *evaluate(model, digits.x_test, digits.y_test)))
    reg_curves[name] = np.array(rows)

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
for ax, (name, r) in zip(axes, reg_curves.items()):
    ax.plot(r[:, 0], r[:, 1], label="train")
    ax.plot(r[:, 0], r[:, 3], label="test")
    ax.fill_between(r[:, 0], r[:, 1], r[:, 3], color="C3", alpha=0.12, label="gap")
    ax.set(title=name, xlabel="epoch", yscale="log")
    ax.legend()
axes[0].set_ylabel("cross-entropy")
plt.show()

print(f"{'after 100 epochs':30} train loss  test loss    gap  train acc  test acc  "
      "lowest test loss")
for name, r in reg_curves.items():
    _, trl, tra, tel, tea = r[-1]
    best = r[:, 3].argmin()
    print(f"{name:30} {trl:10.4f} {tel:10.4f} {tel - trl:6.3f} {tra:10.3f} {tea:9.3f}  "
          f"{r[best, 3]:.4f} (epoch {r[best, 0]:.0f})")


# %% [markdown]
# Without regularisation the test loss is lowest at epoch 24 (0.3408) and then creeps
# up, to 0.4149 after 100 epochs, while the training loss keeps falling: the gap grows.
# With L2 the test loss stays nearly flat from epoch 20 on (lowest 0.3059, at epoch 76);
# with dropout it keeps falling, noisily (lowest 0.2224, at epoch 92). Both shrink the
# gap, to 0.281 and 0.225 against 0.412. On this small problem the test *accuracy*
# hardly moves (0.919 to 0.928); the loss shows the overconfidence that memorising
# brings.
#
# ## 3. Learning-rate decay
#
# Mini-batch gradients are noisy, so with a constant learning rate SGD does not
# converge: it keeps bouncing in a region whose size grows with $\eta$. A large
# $\eta$ gets close quickly but stalls at a high noise floor; a small one is
# precise but slow. Decaying $\eta$ gets both. `optim.lr_scheduler` has the usual
# schedules, stepped once per epoch:

# %%
def schedule(make, epochs=30, lr=1.0):
    opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=lr)
    sched = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return lrs


schedules = {
    "StepLR(step_size=10, gamma=0.3)": lambda o: lr_scheduler.StepLR(o, 10, 0.3),
    "ExponentialLR(gamma=0.9)": lambda o: lr_scheduler.ExponentialLR(o, 0.9),
    "CosineAnnealingLR(T_max=30)": lambda o: lr_scheduler.CosineAnnealingLR(o, 30),
    "InverseTimeDecay(decay_rate=0.5)":
        lambda o: lr_scheduler.InverseTimeDecay(o, 0.5),
}
fig, ax = plt.subplots(figsize=(7, 3.2))
for name, make in schedules.items():
    ax.plot(range(30), schedule(make), ".-", ms=4, label=name)
ax.set(xlabel="epoch", ylabel="learning rate / η₀", title="schedules")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# To see the noise floor we need a problem with a single minimum: softmax regression
# (one `Linear(64, 10)`) with L2 on the weights, trained with batches of 16. We plot
# the full training objective after each epoch.

# %%
lam = 1e-2
X_all, Y_all = ag.tensor(digits.x_train), ag.tensor(digits.y_train)


def objective(model):
    with ag.no_grad():
        ce = F.cross_entropy(model(X_all), Y_all)
        return (ce + 0.5 * lam * (model.weight**2).sum()).item()


runs = {
    "constant η=1.0": (1.0, None),
    "constant η=0.1": (0.1, None),
    "η=1.0, InverseTimeDecay(0.5)":
        (1.0, lambda o: lr_scheduler.InverseTimeDecay(o, 0.5)),
}
decay_curves = {}
for name, (lr, make_sched) in runs.items():
    ag.manual_seed(0)
    model = nn.Linear(64, 10)
    opt = optim.SGD([{"params": [model.weight], "weight_decay": lam},
                     {"params": [model.bias]}], lr=lr)
    sched = make_sched(opt) if make_sched else None
    loader = DataLoader(train_set, batch_size=16, shuffle=True)
    decay_curves[name] = [objective(model)]
    for _ in range(30):
        train(model, opt, loader, epochs=1, scheduler=sched)
        decay_curves[name].append(objective(model))

fig, ax = plt.subplots(figsize=(7, 3.8))
for name, c in decay_curves.items():
    ax.plot(c, ".-", ms=4, label=f"{name}: final {c[-1]:.4f}")
ax.set(xlabel="epoch", ylabel="cross-entropy + L2 (training set)", ylim=(0.72, 0.95),
       title="softmax regression, batches of 16")
ax.legend(fontsize=8, loc="upper right")
plt.show()


# %% [markdown]
# The large constant step is fastest at first and then wanders; the small one is slow
# at first and after 30 epochs is still a little above the decayed one, which starts
# like the large step and ends lowest (the three final values are in the legend). The
# classical condition for SGD to converge, $\sum_t \eta_t = \infty$ and
# $\sum_t \eta_t^2 < \infty$, is what $\eta_t = \eta_0/(1 + kt)$ satisfies.
#
# ## 4. Initialisation and vanishing gradients
#
# In a deep network the signal passes through one weight matrix per layer, forward
# and backward. For a layer $h = \phi(Wa)$ with $n_\text{in}$ inputs and weights of
# variance $\sigma^2$, $\mathrm{Var}(Wa) = n_\text{in}\,\sigma^2\,\mathrm{Var}(a)$.
# If $n_\text{in}\sigma^2$ is off by a constant factor, the signal is multiplied by
# that factor at each layer: over 20 layers it vanishes or explodes.
#
# * **naive**: $\sigma = 0.01$, so $n_\text{in}\sigma^2 = 0.0064$ for 64 inputs:
#   everything dies.
# * **Xavier / Glorot**: $\sigma^2 = 2/(n_\text{in} + n_\text{out})$, the right
#   scale for tanh (slope 1 at 0).
# * **He / Kaiming**: $\sigma^2 = 2/n_\text{in}$; ReLU zeroes half its inputs,
#   halving the variance, and the factor 2 puts it back. With Xavier a ReLU network
#   loses a factor 2 of variance per layer.
#
# We build a 20-layer, 64-unit network and look at one batch at initialisation.

# %%
def deep_net(act, init, batch_norm=False, depth=20, width=64):
    layers = []
    for i in range(depth):
        lin = nn.Linear(64 if i == 0 else width, width)
        init(lin.weight)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.BatchNorm1d(width), act()] if batch_norm else [lin, act()]
    return nn.Sequential(*layers, nn.Linear(width, 10))


inits = {
    "naive N(0, 0.01²), tanh": (nn.Tanh, lambda w: nn.init.normal_(w, 0.0, 0.01)),
    "Xavier, tanh": (nn.Tanh, nn.init.xavier_normal_),
    "Xavier, ReLU": (nn.ReLU, nn.init.xavier_normal_),
    "He, ReLU": (nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")),
    "naive + batch norm, tanh": (nn.Tanh, lambda w: nn.init.normal_(w, 0.0, 0.01)),
}
xb, yb = ag.tensor(digits.x_train[:256]), ag.tensor(digits.y_train[:256])
probes = {}
for name, (act, init) in inits.items():
    ag.manual_seed(0)
    model = deep_net(act, init, batch_norm="batch norm" in name)
    h, hidden = xb, []
    for layer in model:                      # forward layer by layer, keeping
        h = layer(h)                         # each activation and its gradient
        if isinstance(layer, (nn.Tanh, nn.ReLU)):
            h.retain_grad()
            hidden.append(h)
    F.cross_entropy(h, yb).backward()
    probes[name] = dict(
        model=model,
        act_std=[t.detach().std().item() for t in hidden],
        grad_norm=[t.grad.norm().item() for t in hidden],
    )

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for name, pr in probes.items():
    layers = np.arange(1, len(pr["act_std"]) + 1)
    ax1.semilogy(layers, np.maximum(pr["act_std"], 1e-30), "o-", ms=3, label=name)
    ax2.semilogy(layers, np.maximum(pr["grad_norm"], 1e-30), "o-", ms=3, label=name)
ax1.set(xlabel="hidden layer", ylabel="std of activations", title="forward signal")
ax2.set(xlabel="hidden layer", ylabel=r"$\|\partial L/\partial h_\ell\|$",
        title="backward signal (gradient w.r.t. each layer's output)")
ax2.legend(fontsize=8)
plt.show()

print(f"{'':28} {'std of activations':>20}   {'|∂L/∂h|':>8} at layer")
print(f"{'':28} {'1':>9} {'20':>10}   {'20':>9} {'10':>9} {'3':>9} {'1':>9}")
for name, pr in probes.items():
    a, g = pr["act_std"], pr["grad_norm"]
    print(f"{name:28} {a[0]:9.1e} {a[19]:10.1e}   {g[19]:9.1e} {g[9]:9.1e} {g[2]:9.1e} "
          f"{g[0]:9.1e}")

# %% [markdown]
# Read the right plot from right to left, the direction backward runs. With the
# naive initialisation the gradient shrinks by about a factor $0.08$ per layer
# ($3.4\cdot10^{-2}$ at layer 20, $3.9\cdot10^{-13}$ at layer 10), is $7\cdot10^{-21}$
# at layer 3 and exactly zero below it (the points at the bottom: `float32`
# underflow). Xavier with ReLU loses a factor of about $\sqrt2$ per layer in both
# directions, slowly but steadily ($5.1\cdot10^{-5}$ arrives at layer 1). He with
# ReLU keeps both signals at the same scale through all 20 layers, as its derivation
# promises; Xavier with tanh comes close (within a factor 3: tanh's slope is below 1
# away from 0).
#
# `ag.viz.plot_gradient_flow` shows the parameters' side: the mean and largest
# $|\partial L/\partial W|$ of each weight matrix. Mind each panel's axis: the bars
# are nearly flat across layers, because $\partial L/\partial W_\ell =
# \delta_\ell^\top a_{\ell-1}$ multiplies a backward signal that shrinks towards the
# input by a forward signal that shrinks towards the output. What differs is the
# scale: below $10^{-22}$ for the naive network, $10^{-6}$ for Xavier with ReLU, against
# $10^{-3}$ to $10^{-1}$ for the others. A learning rate cannot bridge such gaps.

# %%
fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), layout="constrained")
for ax, (name, pr) in zip(axes.flat, probes.items()):
    weights = {n: p for n, p in pr["model"].named_parameters()
               if n.endswith("weight") and p.ndim == 2}
    typical = np.median([r["mean_abs"] for r in ag.viz.gradient_flow(weights)])
    ag.viz.plot_gradient_flow(weights, ax=ax, title=f"{name}: typical {typical:.0e}")
    ax.tick_params(axis="x", labelsize=6)
axes.flat[-1].axis("off")
plt.show()

# %% [markdown]
# ## 5. Batch norm fixes it
#
# Batch norm standardises every unit over the batch,
# $\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$, then rescales it with a
# learned $\gamma \hat z + \beta$. Whatever the scale of $W$, each layer's output has
# unit variance again, so the forward signal cannot die, and since $\hat z$ does
# not change when $W$ is scaled, the backward signal is rescaled by
# $1/\sigma_B$ too. The last curves above ("naive + batch norm") use the naive
# weights, yet the forward signal is flat (std 0.63 at layer 1, 0.64 at layer 20) and
# the backward one changes by less than a factor 7 over the 20 layers.
# Does it matter for training? Five epochs of Adam for each network:

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for name, (act, init) in inits.items():
    ag.manual_seed(0)
    model = deep_net(act, init, batch_norm="batch norm" in name)
    loader = DataLoader(train_set, batch_size=64, shuffle=True)
    losses = train(model, optim.Adam(model.parameters(), lr=1e-3), loader, epochs=5)
    test_loss, test_acc = evaluate(model, digits.x_test, digits.y_test)
    smooth = np.convolve(losses, np.ones(10) / 10, "valid")
    ax.plot(smooth, label=f"{name}: test acc {test_acc:.2f}")
ax.set(xlabel="step", ylabel="training loss (10-step average)",
       title="20-layer networks, Adam η=1e-3, 5 epochs")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The naive network does not learn at all. Adam's step $m/(\sqrt{s} + \epsilon)$
# would make up for any *scale* of gradient, but gradients of $10^{-23}$ are far
# below $\epsilon = 10^{-8}$, so its steps are nil (and for plain SGD they would be
# $10^{-23}$ times $\eta$). Xavier with ReLU learns slowly; Xavier with tanh and He
# with ReLU learn; and batch norm makes even the naive initialisation train.
