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
# # 08 · Watching training: activations, gradients and updates over time
#
# The best-known lecture on training deep networks by hand spends most of its time on
# four plots: a histogram of every layer's activations (with the share of saturated
# units), a histogram of the gradients arriving at those activations, the
# gradient-to-data ratio of each weight matrix, and the update-to-data ratio of every
# weight over the training steps (the "1e-3 rule"). `ag.viz.Monitor` records those
# statistics through module hooks while a model trains and draws the four views.
#
# The classic story, on the 8×8 digits: a deep tanh network initialised too large
# (saturated), fixed by a Kaiming-style gain, then by batch norm.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd as ag

# One BLAS thread: fastest for these small matrices, and the same summation order on every
# machine, so the printed numbers reproduce.
ag.set_num_threads(1)
ag.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)
plt.rcParams.update({"figure.dpi": 80})

# %%
import nn
import nn.functional as F
import optim
from nn.data import DataLoader, TensorDataset
from nn.datasets import load_dataset
from nn.training import evaluate

digits = load_dataset("digits", as_images=False)
train_set = TensorDataset(ag.tensor(digits.x_train), ag.tensor(digits.y_train))


def deep_tanh(init, batch_norm=False, width=100, depth=5):
    """64 → `depth` tanh layers of `width` → 10, weights drawn by `init`, biases 0."""
    layers, n_in = [], 64
    for _ in range(depth):
        layers.append(nn.Linear(n_in, width, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.Tanh())
        n_in = width
    layers.append(nn.Linear(n_in, 10))
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, nn.Linear):
            init(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


# %% [markdown]
# ## The monitor
#
# `Monitor(model)` hooks the activation modules (here the five `Tanh` layers) and every
# parameter; `monitor.step(lr=...)` after each `optimizer.step()` closes the step. The
# statistics come from a fixed subsample of at most `sample` values per array (256 by
# default). By default the monitor records every step: on the digits MLP of
# `benchmarks/monitor.py` that adds about 10% to a training step; `every=10` records every
# 10th step, with its hooks attached only for those steps, for about 4%. Here we want every
# step's update:data ratio, so the default (written out: `every=1`).

# %%
def run(model, steps=600, lr=0.1):
    """SGD on mini-batches of 32 for `steps` steps, watched by a Monitor."""
    opt = optim.SGD(model.parameters(), lr=lr)
    monitor = ag.viz.Monitor(model, every=1)
    loader = DataLoader(train_set, batch_size=32, shuffle=True)
    step = 0
    while step < steps:
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
            monitor.step(lr=lr)
            step += 1
            if step == steps:
                break
    monitor.remove()
    _, test_acc = evaluate(model, digits.x_test, digits.y_test)
    return monitor, test_acc


def four_views(monitor, title):
    """The monitor's four views side by side."""
    fig, axes = plt.subplots(1, 4, figsize=(20, 4.2), layout="constrained")
    for ax, kind in zip(axes, ("activations", "gradients", "grad_data", "update_data")):
        monitor.plot(kind=kind, ax=ax)
    fig.suptitle(title)
    plt.show()


def summary(monitor, test_acc):
    """Saturation per tanh layer at the first and last step, and the weights'
    update:data ratios at the end."""
    hist = monitor.history
    last = max(r["step"] for r in hist)
    first_sat = [r["saturated"] for r in hist if r["kind"] == "layer" and r["step"] == 0]
    last_sat = [r["saturated"] for r in hist if r["kind"] == "layer" and r["step"] == last]
    steps, ratio = monitor.series("update_data")
    weights = [j for j, (_, p) in enumerate(monitor.params) if len(p.shape) == 2]
    late = np.log10(ratio[-100:, weights]).mean(axis=0)
    print("saturated, step 0:  ", np.round(first_sat, 3))
    print(f"saturated, step {last}:", np.round(last_sat, 3))
    print("log10 update:data (mean of the last 100 steps), per weight:", np.round(late, 2))
    print(f"test accuracy {test_acc:.3f}")


# %% [markdown]
# ## 1. Too large: weights drawn from N(0, 1)
#
# Each unit sums 100 inputs of size ~1 with unit weights, so its pre-activation has a
# standard deviation of about 10: tanh is flat there, almost every output is ±1.

# %%
ag.manual_seed(0)
model = deep_tanh(lambda w: nn.init.normal_(w, 0.0, 1.0))
monitor, acc = run(model)
four_views(monitor, "N(0, 1) weights: saturated")
summary(monitor, acc)

# %% [markdown]
# The activation histograms pile up at ±1: 62 to 84% of the units are beyond 0.97 in
# magnitude at the first step, and training makes it worse (83 to 98% after 600 steps).
# A saturated unit passes almost no gradient ($1 - t^2 \approx 0$): the weight gradients
# are a spike at 0 with a few large values, from the units that still pass something,
# and the weights' update:data ratios jump by orders of magnitude from step to step
# (10^-5 to 10^-1 over the run). Averaged over the last 100 steps they sit at 10^-3.0 to
# 10^-2.2, above the 1e-3 line, yet the network learns little: the few weights that
# move take large steps while the rest stay put. Test accuracy 0.597, and not a stable
# figure: this run is chaotic, and the last bits a CPU's BLAS kernels round differently
# moved it between 0.47 and 0.65 (the notebooks are built with pinned kernels, see
# `notebooks/build.py`).
#
# ## 2. Kaiming-style gain: std = (5/3) / √fan_in
#
# Scaling the weights by $1/\sqrt{\text{fan\_in}}$ keeps the pre-activations' variance
# at about 1; tanh squashes, so the gain $5/3$ (`calculate_gain("tanh")`) makes up for
# it and the signal neither grows nor shrinks with depth.

# %%
ag.manual_seed(0)
model = deep_tanh(lambda w: nn.init.kaiming_normal_(w, nonlinearity="tanh"))
monitor, acc = run(model)
four_views(monitor, "Kaiming gain 5/3: healthy")
summary(monitor, acc)

# %% [markdown]
# Now the activations spread over (-1, 1) with a few percent saturated (1 to 5% at the
# first step, up to 7% in the last layer after training), the gradient histograms are
# narrow bells around 0, and the update:data ratios of all six weights fall together, in
# one band, to a little below the 1e-3 guide line (10^-3.3 to 10^-3.7 over the last 100
# steps). Test accuracy 0.975.
#
# ## 3. Batch norm, with the too-large weights of experiment 1
#
# Batch norm standardises each pre-activation over the batch before the tanh, so the
# scale of $W$ no longer matters.

# %%
ag.manual_seed(0)
model = deep_tanh(lambda w: nn.init.normal_(w, 0.0, 1.0), batch_norm=True)
monitor, acc = run(model)
four_views(monitor, "N(0, 1) weights + batch norm")
summary(monitor, acc)

# %% [markdown]
# The activations look like those of the well-initialised network although the weights
# are as large as in experiment 1 (1.2 to 5.7% saturated), and the test accuracy is
# back (0.953). The weights' update:data ratios are lower (10^-3.3 to 10^-3.9): batch
# norm makes each layer's output independent of its weights' scale, so the gradient
# shrinks as $1/\lVert W \rVert$ while the weights stay large: updates are small
# relative to data, and the 1e-3 line tells that the learning rate could be raised.
#
# ## The history as a table
#
# `monitor.history` is a list of dicts, one per step and layer or parameter
# (`pandas.DataFrame(monitor.history)` makes a table of it); `monitor.series(key)`
# gives one statistic as an array over the steps.

# %%
for row in monitor.history[:2] + [r for r in monitor.history if r["kind"] == "param"][:1]:
    print(row)
steps, std = monitor.series("std")
print(steps.shape, std.shape)
