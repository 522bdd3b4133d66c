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
# # 03 · A convolutional network
#
# `nn.SimpleCNN` is Conv(3×3, pad 1)–ReLU–MaxPool(2), twice, then a two-layer
# classifier. We count its parameters against a fully connected network, check the
# output-size formula layer by layer, compute and measure its receptive fields,
# train it on the 8×8 digits, and look at what its filters learned.

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
import optim
from nn.data import DataLoader, TensorDataset
from nn.datasets import load_dataset
from nn.training import fit

cnn = nn.SimpleCNN()             # the defaults: 3×32×32 images, 10 classes
print(cnn)


# %% [markdown]
# ## 1. Parameters: weight sharing
#
# A convolution with $C_\text{in}$ input channels, $C_\text{out}$ filters and a
# $k\times k$ kernel has $C_\text{out}(C_\text{in}k^2 + 1)$ parameters, however
# large the image. A linear layer has $n_\text{out}(n_\text{in} + 1)$. Compare with
# a fully connected network that has the same hidden width (128, 128) but reads the
# $3\cdot32\cdot32 = 3072$ raw pixels.

# %%
def count(module):
    return sum(p.numel() for p in module.parameters())


for name, layer in cnn.named_modules():
    if isinstance(layer, (nn.Conv2d, nn.Linear)):
        print(f"{name:14} {type(layer).__name__:7} {count(layer):8,d}")
mlp = nn.MLP([3 * 32 * 32, 128, 128, 10])
print(f"{'SimpleCNN':22} {count(cnn):8,d}")
print(f"{'MLP 3072-128-128-10':22} {count(mlp):8,d}")

assert count(cnn) == 16 * (3 * 9 + 1) + 32 * (16 * 9 + 1) + 128 * (2048 + 1) \
    + 10 * (128 + 1) == 268_650
assert count(mlp) == 128 * (3072 + 1) + 128 * (128 + 1) + 10 * (128 + 1) == 411_146


# %% [markdown]
# The two convolutions hold fewer than 2% of the CNN's parameters; most of them sit
# in the first linear layer. What weight sharing buys shows in the second
# convolution: it maps a $16\times16\times16$ input to a $32\times16\times16$
# output with 4,640 parameters. A linear layer between the same two shapes would
# need $4096 \cdot 8192 + 8192 \approx 33.6$ million.
#
# ## 2. Output sizes
#
# Along each spatial axis a kernel of size $k$, moved with stride $s$ over an input of
# size $n$ padded by $p$ on both sides, fits
#
# $$n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1$$
#
# times. A 3×3 convolution with padding 1 and stride 1 keeps $n$; a 2×2 max pooling
# with stride 2 halves it (rounding down). We check the formula against the actual
# shapes, layer by layer, for the 32×32 default and for the 8×8 digits.

# %%
def first(v):
    return v[0] if isinstance(v, tuple) else v


def out_size(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def check_sizes(model, channels, n):
    h = ag.zeros(1, channels, n, n)
    print(f"input {tuple(h.shape)}")
    for layer in model.features:
        h = layer(h)
        if hasattr(layer, "kernel_size"):
            k, s, p = (first(layer.kernel_size), first(layer.stride),
                       first(layer.padding))
            n_in, n = n, out_size(n, k, s, p)
            assert h.shape[2:] == (n, n), (layer, h.shape, n)
            print(f"  {type(layer).__name__:9} k={k} s={s} p={p}:  "
                  f"⌊({n_in:2d} + {2 * p} − {k}) / {s}⌋ + 1 = {n:2d}   "
                  f"actual {tuple(h.shape)}")
    print(f"flatten: {h.numel()} features = 32·({model.image_size}//4)²")


with ag.no_grad():
    check_sizes(cnn, 3, 32)
    digits_cnn = nn.SimpleCNN(in_channels=1, image_size=8)
    check_sizes(digits_cnn, 1, 8)

# %% [markdown]
# ## 3. Receptive fields
#
# The receptive field $r_\ell$ of a unit in layer $\ell$ is the square of input pixels
# that can influence it. With $j_\ell$ the distance, in input pixels, between two
# neighbouring units of layer $\ell$ (the product of the strides so far):
#
# $$r_\ell = r_{\ell-1} + (k_\ell - 1)\,j_{\ell-1}, \qquad j_\ell = j_{\ell-1}\,s_\ell,
# \qquad r_0 = j_0 = 1.$$
#
# ReLU is pointwise and changes neither.

# %%
rf, jump, fields = 1, 1, {}
print(f"{'layer':14} {'k':>2} {'s':>2}   {'r':>3} {'jump':>5}")
for i, layer in enumerate(digits_cnn.features):
    if hasattr(layer, "kernel_size"):
        k, s = first(layer.kernel_size), first(layer.stride)
        rf, jump = rf + (k - 1) * jump, jump * s
        fields[i] = rf
        print(f"{i}: {type(layer).__name__:11} {k:2d} {s:2d}   {rf:3d} {jump:5d}")

# %% [markdown]
# After the second pooling each unit sees a 10×10 window: more than a whole 8×8
# digit. We can also *measure* the receptive field with the engine: the gradient
# of one unit with respect to the input is non-zero exactly on the pixels that
# influence it. ReLU and max pooling pass gradient only along the active paths of a
# given input, so we take the union over a batch of random inputs, on a 24×24 image
# so that borders do not clip the field.

# %%
x = ag.rand(64, 1, 24, 24, requires_grad=True)
fig, axes = plt.subplots(1, len(fields), figsize=(12, 3.4))
for ax, (i, r) in zip(axes, fields.items()):
    x.grad = None
    out = digits_cnn.features[: i + 1](x)
    c = out.shape[2] // 2                        # a unit near the centre
    out[:, :, c, c].sum().backward()
    support = (x.grad.numpy() != 0).any(axis=(0, 1))
    rows, cols = np.flatnonzero(support.any(1)), np.flatnonzero(support.any(0))
    measured = (rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    assert measured == (r, r), (i, measured, r)
    ax.imshow(support, cmap="Blues", vmin=0, vmax=1.4)
    ax.set_title(f"after layer {i} ({type(digits_cnn.features[i]).__name__})\n"
                 f"formula {r}×{r}, measured {measured[0]}×{measured[1]}",
                 fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ## 4. Training on the digits
#
# The digits model, `nn.SimpleCNN(in_channels=1, image_size=8)`, flattens
# $32\cdot2\cdot2 = 128$ features, so it has far fewer parameters than the
# 32×32 one. Its input keeps the image shape, $(N, 1, 8, 8)$.

# %%
digits = load_dataset("digits", as_images=True)
print("images:", digits.x_train.shape, " parameters:", f"{count(digits_cnn):,d}")

ag.manual_seed(0)
model = nn.SimpleCNN(in_channels=1, image_size=8)
loader = DataLoader(TensorDataset(ag.tensor(digits.x_train), ag.tensor(digits.y_train)),
                    batch_size=16, shuffle=True)
history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
              loader, (digits.x_test, digits.y_test), epochs=20, progress=False,
              log=None)
for e in history.epochs[::4] + history.epochs[-1:]:
    print(f"epoch {e.epoch:2d}  train loss {e.train_loss:.4f} acc {e.train_acc:.3f}  "
          f"|  test loss {e.test_loss:.4f} acc {e.test_acc:.3f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.5))
for key, label in [("train", "train (during the epoch)"), ("test", "test")]:
    ax1.plot(history.column("epoch"), history.column(f"{key}_loss"), "o-", ms=3,
             label=label)
    ax2.plot(history.column("epoch"), history.column(f"{key}_acc"), "o-", ms=3,
             label=label)
ax1.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="loss")
ax2.set(xlabel="epoch", ylabel="accuracy", ylim=(0.8, 1.005), title="accuracy")
ax1.legend()
ax2.legend()
plt.show()

# %% [markdown]
# ## 5. What the filters learned
#
# The 16 first-layer filters are 3×3 weight patches (blue negative, red positive),
# each slid over the whole image. 3×3 is too small for clear shapes, but several
# (filters 0, 1, 3, 12 and 14, for instance) are oriented contrasts, positive on one side
# and negative on the other: edge detectors for some direction.

# %%
w1 = model.features[0].weight.detach().numpy()      # (16, 1, 3, 3)
lim = np.abs(w1).max()
fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for f, ax in enumerate(axes.flat):
    ax.imshow(w1[f, 0], cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"filter {f}", fontsize=8)
    ax.axis("off")
fig.suptitle("conv 1 filters", y=1.02)
plt.show()

# %% [markdown]
# Applied to one test digit, they give 16 feature maps of 8×8 (after ReLU); the
# second convolution combines those into 32 maps of 4×4 (after ReLU, before the last
# pooling), each unit seeing an 8×8 window of the input. Dark maps are filters that
# this digit does not excite at all: ReLU outputs zero there.

# %%
model.eval()
k = int(np.flatnonzero(digits.y_test == 2)[0])      # the first 2 of the test set
img = ag.tensor(digits.x_test[k : k + 1])
with ag.no_grad():
    maps1 = model.features[:2](img).numpy()[0]     # conv1 + ReLU: (16, 8, 8)
    maps2 = model.features[:5](img).numpy()[0]     # ... conv2 + ReLU: (32, 4, 4)

fig = plt.figure(figsize=(13, 3.6), layout="constrained")
left, mid, right = fig.subfigures(1, 3, width_ratios=[1.3, 4, 8])
ax = left.subplots()
ax.imshow(digits.x_test[k, 0], cmap="gray_r")
ax.set_title("input")
ax.axis("off")
for sub, maps, cols, title in [(mid, maps1, 4, "conv 1 + ReLU: 16 maps, 8×8"),
                               (right, maps2, 8, "conv 2 + ReLU: 32 maps, 4×4")]:
    for f, ax in enumerate(sub.subplots(4, cols).flat):
        ax.imshow(maps[f], cmap="viridis", vmin=0, vmax=maps.max())
        ax.axis("off")
    sub.suptitle(title)
plt.show()
