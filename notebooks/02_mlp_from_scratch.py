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
# # 02 · An MLP from scratch: backpropagation by hand and by the engine
#
# A three-layer tanh network classifies the 8×8 digits. We write its forward pass
# with the shape of every array, watch the engine run the backward pass, derive the
# same gradients by hand and check that they agree to the last digits, then train
# it and look at what it gets wrong.

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

digits = load_dataset("digits", as_images=False)
print("train:", digits.x_train.shape, digits.x_train.dtype,
      " test:", digits.x_test.shape, " labels:", digits.y_train.dtype)
print("pixel range:", digits.x_train.min(), "to", digits.x_train.max())

fig, axes = plt.subplots(1, 10, figsize=(10, 1.4))
for ax, img, label in zip(axes, digits.x_train, digits.y_train):
    ax.imshow(img.reshape(8, 8), cmap="gray_r")
    ax.set_title(int(label))
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 1. The forward pass, with shapes
#
# For a batch of $m$ images $X \in \mathbb{R}^{m\times 64}$ and PyTorch's weight
# layout $W_\ell \in \mathbb{R}^{n_\ell \times n_{\ell-1}}$ (output by input):
#
# $$Z_1 = XW_1^\top + b_1,\quad A_1 = \tanh Z_1,\quad
# Z_2 = A_1W_2^\top + b_2,\quad A_2 = \tanh Z_2,\quad Z_3 = A_2W_3^\top + b_3,$$
#
# $$P = \mathrm{softmax}(Z_3) \text{ (per row)},\qquad
# L = -\frac1m \sum_{k=1}^{m} \log P_{k,\,y_k}.$$
#
# `nn.MLP([64, 64, 32, 10])` is exactly Linear–Tanh–Linear–Tanh–Linear. We run it in
# `float64` here, so that the comparison with the hand-derived gradients can be
# strict.

# %%
ag.manual_seed(0)
model = nn.MLP([64, 64, 32, 10]).double()
print(model)
lin1, lin2, lin3 = model[0], model[2], model[4]

m = 32
X = ag.tensor(digits.x_train[:m].astype(np.float64))
y = ag.tensor(digits.y_train[:m])

Z1 = lin1(X)
A1 = Z1.tanh()
Z2 = lin2(A1)
A2 = Z2.tanh()
Z3 = lin3(A2)
loss = F.cross_entropy(Z3, y)

for name, t in [("X", X), ("W1", lin1.weight), ("Z1, A1", A1), ("W2", lin2.weight),
                ("Z2, A2", A2), ("W3", lin3.weight), ("Z3", Z3), ("L", loss)]:
    print(f"{name:>7}: {str(tuple(t.shape)):10}")

# the step-by-step forward is the model's forward, and the loss is -mean log P[y]
np.testing.assert_allclose(Z3.detach().numpy(), model(X).detach().numpy())
logP = Z3.detach().numpy() - np.log(np.exp(Z3.detach().numpy()).sum(1, keepdims=True))
np.testing.assert_allclose(loss.item(), -logP[np.arange(m), y.numpy()].mean())
print(f"loss = {loss.item():.6f}  (log 10 = {np.log(10):.6f}: an untrained guess)")

# %% [markdown]
# ## 2. The backward pass, step by step
#
# `ag.trace_backward()` records every node the engine runs, in order. Read from the
# top it is the chain rule: each row receives $\partial L/\partial(\text{its
# output})$ (norm in `|grad in|`) and sends one gradient to each input. The loss is
# one fused node, `SoftmaxCrossEntropyBackward`: `cross_entropy` computes the
# log-softmax and the mean negative log-likelihood in one op, whose backward sends
# $dZ_3 = (P - Y)/m$ straight to the logits (§3 derives it). Each `Linear` is one
# fused node with three inputs (activation, weight, bias). The input $X$ needs no
# gradient, so its column shows `—`.

# %%
for t in (Z1, A1, Z2, A2, Z3):
    t.retain_grad()
with ag.trace_backward() as steps:
    loss.backward()
print(steps)

# %% [markdown]
# ## 3. The same gradients by hand
#
# Write $dV$ for $\partial L/\partial V$ and $Y$ for the one-hot labels.
#
# * **Softmax with cross-entropy.** $\;dZ_3 = \dfrac{P - Y}{m}$.
# * **A linear layer** $Z = AW^\top + b$. $\;dW = dZ^\top A,\quad
#   db = \textstyle\sum_k dZ_{k,:},\quad dA = dZ\,W.$
#   (With the other layout, $Z = AW + b$, the first reads $dW = A^\top dZ$.)
# * **tanh.** $\;\tanh' = 1 - \tanh^2$, so $\;dZ = dA \odot (1 - A^2)$, using the
#   activation $A$ already computed in the forward pass.
#
# Chained from the output back to the input:
#
# $$dZ_3 = \tfrac{P - Y}{m} \;\to\; dW_3, db_3, dA_2 = dZ_3W_3 \;\to\;
# dZ_2 = dA_2 \odot (1 - A_2^2) \;\to\; dW_2, db_2, dA_1 \;\to\;
# dZ_1 = dA_1 \odot (1 - A_1^2) \;\to\; dW_1, db_1.$$

# %%
x_, a1, a2 = X.numpy(), A1.detach().numpy(), A2.detach().numpy()
z3 = Z3.detach().numpy()
w2, w3 = lin2.weight.detach().numpy(), lin3.weight.detach().numpy()

P = np.exp(z3 - z3.max(1, keepdims=True))
P /= P.sum(1, keepdims=True)
Y = np.eye(10)[y.numpy()]

hand = {}
hand["dZ3"] = (P - Y) / m
hand["dW3"] = hand["dZ3"].T @ a2
hand["db3"] = hand["dZ3"].sum(0)
hand["dA2"] = hand["dZ3"] @ w3
hand["dZ2"] = hand["dA2"] * (1 - a2**2)
hand["dW2"] = hand["dZ2"].T @ a1
hand["db2"] = hand["dZ2"].sum(0)
hand["dA1"] = hand["dZ2"] @ w2
hand["dZ1"] = hand["dA1"] * (1 - a1**2)
hand["dW1"] = hand["dZ1"].T @ x_
hand["db1"] = hand["dZ1"].sum(0)

engine = {"dZ3": Z3.grad, "dW3": lin3.weight.grad, "db3": lin3.bias.grad,
          "dA2": A2.grad, "dZ2": Z2.grad, "dW2": lin2.weight.grad,
          "db2": lin2.bias.grad, "dA1": A1.grad, "dZ1": Z1.grad,
          "dW1": lin1.weight.grad, "db1": lin1.bias.grad}

print(f"{'':4} {'shape':>9}  {'max |hand - engine|':>20}")
for k, h in hand.items():
    e = engine[k].numpy()
    np.testing.assert_allclose(e, h, rtol=1e-10, atol=1e-14)
    print(f"{k:4} {str(h.shape):>9}  {np.abs(h - e).max():20.1e}")

# %% [markdown]
# Every gradient the engine computed matches the formula bit for bit: the same `float64`
# operations in the same order. For the biases that is by design: the engine reduces a
# broadcast gradient with the very sum `Tensor.sum` uses, so `dZ.sum(0)` written by hand
# is `bias.grad` exactly, as in torch.
#
# ## 4. Training
#
# Now the real thing, in `float32`: a fresh network, mini-batches of 64 shuffled
# images, SGD with momentum ($v \leftarrow \mu v + g$, $w \leftarrow w - \eta v$),
# and after every epoch the loss and accuracy on the training and the test set.

# %%
ag.manual_seed(0)
model = nn.MLP([64, 64, 32, 10])
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
train_set = TensorDataset(ag.tensor(digits.x_train), ag.tensor(digits.y_train))
loader = DataLoader(train_set, batch_size=64, shuffle=True)

step_losses, history = [], []
for epoch in range(1, 31):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        step_losses.append(loss.item())
    train = evaluate(model, digits.x_train, digits.y_train)
    test = evaluate(model, digits.x_test, digits.y_test)
    history.append((epoch, *train, *test))
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train loss {train[0]:.4f} acc {train[1]:.3f}  |  "
              f"test loss {test[0]:.4f} acc {test[1]:.3f}")
history = np.array(history)

# %%
steps_per_epoch = len(loader)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
ax1.plot(np.arange(1, len(step_losses) + 1) / steps_per_epoch, step_losses,
         color="lightgray", lw=0.8, label="mini-batch")
ax1.plot(history[:, 0], history[:, 1], "o-", ms=3, label="train")
ax1.plot(history[:, 0], history[:, 3], "o-", ms=3, label="test")
ax1.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="loss")
ax1.legend()
ax2.plot(history[:, 0], history[:, 2], "o-", ms=3, label="train")
ax2.plot(history[:, 0], history[:, 4], "o-", ms=3, label="test")
ax2.set(xlabel="epoch", ylabel="accuracy", ylim=(0.85, 1.005), title="accuracy")
ax2.legend()
plt.show()

# %% [markdown]
# ## 5. What it gets wrong
#
# The confusion matrix counts test images by true class (row) and predicted class
# (column); everything off the diagonal is a mistake.

# %%
with ag.no_grad():
    probs = F.softmax(model(ag.tensor(digits.x_test)), dim=1).numpy()
pred = probs.argmax(1)
true = digits.y_test
cm = np.zeros((10, 10), dtype=int)
np.add.at(cm, (true, pred), 1)
print(f"test accuracy {np.trace(cm) / cm.sum():.4f}: "
      f"{cm.sum() - np.trace(cm)} of {cm.sum()} wrong")

fig, ax = plt.subplots(figsize=(5, 4.5))
ax.imshow(cm, cmap="Blues")
for i in range(10):
    for j in range(10):
        if cm[i, j]:
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=8,
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
       title="confusion matrix (test set)")
ax.grid(False)
plt.show()

# %%
wrong = np.flatnonzero(pred != true)
cols = min(len(wrong), 10)
rows = -(-len(wrong) // cols)
fig, axes = plt.subplots(rows, cols, figsize=(1.4 * cols, 1.7 * rows), squeeze=False)
for ax in axes.flat:
    ax.axis("off")
for ax, k in zip(axes.flat, wrong):
    ax.imshow(digits.x_test[k].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{true[k]}→{pred[k]} ({probs[k, pred[k]]:.2f})", fontsize=9)
fig.suptitle("misclassified test digits: true → predicted (confidence)", y=1.02)
plt.show()
