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
# # 06 · Sequence models: recurrence, gradients through time, attention
#
# A GRU read step by step next to its equations; how much gradient reaches each time step
# of an RNN, a GRU and an LSTM (vanishing gradients made visible); then a small transformer
# that learns two-digit addition, and what its attention heads look at.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd as ag
import nn
import nn.functional as F
import optim

# One BLAS thread: fastest for these small matrices, and the same summation order on every
# machine, so the printed numbers reproduce.
ag.set_num_threads(1)
ag.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)
plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})

# %% [markdown]
# ## 1 · The GRU, equation by equation
#
# torch's GRU (and chainrule's, same parameters and gate order r, z, n) updates its state
# $h_{t-1}$ with the input $x_t$ as
#
# $$
# \begin{aligned}
# r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) &&\text{reset gate}\\
# z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) &&\text{update gate}\\
# n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) &&\text{candidate}\\
# h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
# \end{aligned}
# $$
#
# `weight_ih_l0` stacks $W_{ir}, W_{iz}, W_{in}$ (shape $(3H, I)$), `weight_hh_l0` stacks
# $W_{hr}, W_{hz}, W_{hn}$ ($(3H, H)$). The input half, $W_i x_t + b_i$, does not depend on
# the state: the layer computes it for all time steps in one matrix product, and only the
# state half runs step by step. Here are the equations in NumPy, next to `nn.GRU`:

# %%
def sigmoid(a):
    return 1 / (1 + np.exp(-a))


gru = nn.GRU(input_size=3, hidden_size=4)
W_i, W_h = gru.weight_ih_l0.detach().numpy(), gru.weight_hh_l0.detach().numpy()
b_i, b_h = gru.bias_ih_l0.detach().numpy(), gru.bias_hh_l0.detach().numpy()
H = 4

x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)  # (T, batch, I)
gi = x @ W_i.T + b_i  # every time step's input projection at once: (T, batch, 3H)
h = np.zeros((2, H), np.float32)
states = []
for t in range(len(x)):
    gh = h @ W_h.T + b_h
    r = sigmoid(gi[t, :, :H] + gh[:, :H])
    z = sigmoid(gi[t, :, H:2 * H] + gh[:, H:2 * H])
    n = np.tanh(gi[t, :, 2 * H:] + r * gh[:, 2 * H:])
    h = (1 - z) * n + z * h
    states.append(h)

output, h_n = gru(ag.tensor(x))
print("largest difference from nn.GRU:", np.abs(np.stack(states) - output.detach().numpy()).max())
print("output", tuple(output.shape), " h_n", tuple(h_n.shape))

# %% [markdown]
# ## 2 · How much gradient reaches each time step
#
# Backpropagation through time sends $\partial L/\partial h_t$ from the last step to the
# first; each step multiplies it by the Jacobian $\partial h_t/\partial h_{t-1}$. For a
# tanh RNN that is $\operatorname{diag}(1 - h_t^2)\,W_{hh}$, whose norm is usually below 1,
# so the gradient shrinks geometrically. The GRU's $z_t \odot h_{t-1}$ path and the LSTM's
# cell $c_t = f_t \odot c_{t-1} + \dots$ pass it on nearly unchanged when the gates say
# so. chainrule's recurrence records $\lVert\partial L/\partial h_t\rVert$ for every step
# during `backward()`; `ag.viz.step_gradients` collects it. Below, the loss reads only the
# last state of a 60-step sequence.

# %%
T, I, H = 60, 4, 16
xs = ag.randn(T, 8, I)
fig, ax = plt.subplots(figsize=(7, 3.6))
for cls in (nn.RNN, nn.GRU, nn.LSTM):
    ag.manual_seed(1)
    layer = cls(I, H)
    out, _ = layer(xs)
    out[-1].pow(2).sum().backward()
    (rec,) = ag.viz.step_gradients(out)
    ax.semilogy(rec.norms, label=f"{cls.__name__} ({rec.mode})")
    print(f"{cls.__name__:4}  at t = {T - 1}: {rec.norms[-1]:.1e}   at t = 0: {rec.norms[0]:.1e}")
ax.set_xlabel("time step t")
ax.set_ylabel(r"$\|\partial L/\partial h_t\|$")
ax.set_title("gradient reaching each step, loss on the last state only")
ax.legend()
plt.show()

# %% [markdown]
# Untrained, with random gates that are not yet set to keep anything, all three lose
# the gradient geometrically, the RNN fastest: over the 59 steps back to $t = 0$ its
# norm falls from 7.7 to $5.2\cdot10^{-18}$, the GRU's from 4.9 to $6.7\cdot10^{-12}$
# and the LSTM's from 2.5 to $2.1\cdot10^{-13}$, five to six orders of magnitude less
# lost than the RNN's.
#
# The same view for a bidirectional GRU trained by `chainrule train --model gru --data
# mnist1d` is written with every run as `grad_through_time.png`; here, one batch through
# an untrained bidirectional GRU, both directions (the reverse one reads the sequence from
# its end). This model's classifier reads all 40 states (`Linear(480, 10)`), not only the
# last, so every step gets its gradient straight from the loss and neither direction
# decays: the norms stay between about $5\cdot10^{-3}$ and $9\cdot10^{-3}$ at every step.

# %%
from nn.modules.seq_models import MNIST1DGRU

model = MNIST1DGRU()
signals = ag.randn(100, 40)
labels = ag.tensor(np.random.default_rng(0).integers(0, 10, 100))
loss = F.cross_entropy(model(signals), labels)
loss.backward()
ag.viz.plot_step_gradients(loss, title="bidirectional GRU, one MNIST-1D-sized batch")

# %% [markdown]
# ## 3 · A transformer learns to add
#
# minGPT's test: the digits of $a$ and $b$ (two each), then the three digits of $c = a + b$
# written from the lowest, as one adds by hand: `57` `87` → `441` for 144. The model is a
# small GPT (token and position embeddings, pre-LayerNorm blocks of causal self-attention
# and a GELU MLP), trained with AdamW on 9,500 pairs with the loss on the answer digits
# only; 500 pairs are held out.

# %%
from nn.cli.text import addition_accuracy, attention_maps
from nn.datasets_text import addition_task
from nn.modules.seq_models import CharTransformer

task = addition_task()
ag.manual_seed(0)
gpt = CharTransformer(task.vocab_size, task.block_size, n_layer=2, n_head=4, n_embd=64)
opt = optim.AdamW(gpt.parameters(), lr=2e-3, weight_decay=0.1)
x_train, y_train = ag.tensor(task.x_train), ag.tensor(task.y_train)  # token ids, int64
rng = np.random.default_rng(0)
accuracy = []
for epoch in range(5):
    for idx in np.array_split(rng.permutation(len(x_train)), len(x_train) // 64):
        logits = gpt(x_train[idx])
        loss = F.cross_entropy(logits.reshape(-1, 10), y_train[idx].reshape(-1),
                               ignore_index=-1)  # -1: a position with no loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy.append(addition_accuracy(gpt, task, task.x_test))
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}, held-out exact answers "
          f"{accuracy[-1]:.3f}")

# %%
from IPython.display import display

sample = task.x_test[:1]
weights = attention_maps(gpt, sample)  # per layer: (batch, heads, T, T)
tokens = [str(t) for t in sample[0]]
for layer, w in enumerate(weights):
    display(ag.viz.plot_attention(w[0], tokens, tokens,
                                  title=f"layer {layer}: which digit each position reads"))

# %% [markdown]
# Each row is a position predicting the next token; causal masking leaves the upper
# triangle empty. To write the lowest answer digit (the row of the last $b$ digit) a head
# must read the two lowest digits, $a_1$ and $b_1$; the carry needs the tens digits too.
# In this sample (35 + 77 = 112, answer written `211`) that row of layer 0 does it: head 1
# reads $b_1$ (the second 7, its own position) and heads 0, 2 and 3 put most of their
# weight on $a_1$ (the 5).
