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
# # 01 · Autograd basics
#
# chainrule records every operation on tensors that need a gradient into a graph,
# then walks that graph backwards, applying the chain rule one operation at a time.
# This notebook builds such a graph, runs `backward()`, redoes the same chain rule by
# hand, checks gradients numerically, adds a custom operation, and finally draws the
# graph before and after the backward pass.

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
# ## 1. Tensors
#
# A `Tensor` wraps a NumPy array (`.numpy()` gives it; `.data` is, as in torch, a
# detached Tensor sharing it). Python floats become `float32`; a NumPy
# `float64` array keeps its dtype. `requires_grad=True` marks a **leaf** whose
# gradient we want: after a backward pass it will hold $\partial L/\partial w$ in
# `.grad`, with the same shape as the tensor.

# %%
a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
b = ag.tensor(np.arange(3.0))            # a float64 array stays float64
w = ag.randn(2, 3, requires_grad=True)

print("a:", a.dtype, a.shape, "  b:", b.dtype, b.shape)
print(w)
print("w is a leaf:", w.is_leaf, "  w.grad:", w.grad)
print("(a @ w).shape =", (a @ w).shape)

# %% [markdown]
# ## 2. The graph is recorded while the code runs
#
# Every operation that involves a tensor with `requires_grad=True` returns a tensor
# with a `grad_fn`: the graph node that knows how to push a gradient back through
# that operation. `next_functions` links a node to the nodes of its inputs, as
# `(node, 0)` pairs exactly as in PyTorch; a leaf tensor shows up there as an
# `AccumulateGrad` node whose `.variable` is the leaf. Leaves have no `grad_fn`.

# %%
x = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = (x * x).sum()

print("y.grad_fn          :", y.grad_fn)
print("its next_functions :", y.grad_fn.next_functions)
print("one more step back :", y.grad_fn.next_functions[0][0].next_functions)
print("x.grad_fn          :", x.grad_fn)


# %% [markdown]
# The graph is *dynamic*: it is whatever the Python code did this time. A loop that
# runs $n$ times records $n$ copies of its body, and an `if` records only the branch
# taken.

# %%
def count_nodes(root):
    """Operation nodes reachable from root (leaf tensors are not counted)."""
    seen, stack = set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if isinstance(node, ag.Node) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(nxt for nxt, _ in node.next_functions)
    return len(seen)


def f(x, n):
    for _ in range(n):
        x = (x * 2).tanh()        # two ops per iteration
    return x.sum()                # plus one


for n in (1, 3, 10):
    print(f"n = {n:2d}: {count_nodes(f(x, n)):2d} nodes")

# %% [markdown]
# ## 3. `backward()`
#
# `y.backward()` seeds $\partial y/\partial y = 1$ and visits the nodes in reverse
# topological order; each node multiplies the gradient arriving at its output by its
# local Jacobian (a *vector–Jacobian product*) and sends the result to its inputs.
# For $y = \sum_i x_i^2$ the leaf receives $\partial y/\partial x_i = 2x_i$.

# %%
y = (x * x).sum()
y.backward()
print("x.grad =", x.grad)
np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())

# %% [markdown]
# Gradients **accumulate**: a second backward pass adds into `.grad` instead of
# overwriting it (which is what makes a variable used in two places work, see §4).
# Training loops therefore clear `.grad` before each step. Under `ag.no_grad()`
# nothing is recorded at all.

# %%
(x * x).sum().backward()
print("after a second backward:", x.grad, " (4x)")
x.grad = None

with ag.no_grad():
    z = (x * x).sum()
print("recorded under no_grad? ", z.requires_grad, z.grad_fn)

# %% [markdown]
# ## 4. The chain rule by hand and by the engine
#
# Take $f(x, y) = \tanh(xy + \sin x)$ and name every intermediate value:
#
# $$a = xy, \qquad b = \sin x, \qquad c = a + b, \qquad f = \tanh c.$$
#
# Going backwards, write $\bar v = \partial f/\partial v$ for each value $v$.
# Each step uses only the local derivative of one operation:
#
# $$\bar f = 1, \qquad \bar c = \bar f\,(1 - f^2), \qquad \bar a = \bar c, \qquad
# \bar b = \bar c,$$
#
# $$\bar y = \bar a\,x, \qquad \bar x = \underbrace{\bar a\,y}_{\text{via } a}
# + \underbrace{\bar b\cos x}_{\text{via } b}.$$
#
# $x$ feeds two operations, so its gradient is the **sum** over both paths: the
# multivariate chain rule. The engine gets the sum by accumulating.

# %%
x0, y0 = 0.5, -1.2

# by hand, in NumPy
a = x0 * y0
b = np.sin(x0)
c = a + b
f_val = np.tanh(c)
c_bar = 1.0 * (1 - f_val**2)
a_bar, b_bar = c_bar, c_bar
hand = {"f": 1.0, "c": c_bar, "a": a_bar, "b": b_bar,
        "y": a_bar * x0, "x": a_bar * y0 + b_bar * np.cos(x0)}

# by the engine (float64, and retain_grad() to keep the intermediate gradients)
x = ag.tensor(np.float64(x0), requires_grad=True)
y = ag.tensor(np.float64(y0), requires_grad=True)
ta = x * y
tb = x.sin()
tc = ta + tb
tf = tc.tanh()
for t in (ta, tb, tc, tf):
    t.retain_grad()
tf.backward()
engine = {"f": tf.grad, "c": tc.grad, "a": ta.grad, "b": tb.grad,
          "y": y.grad, "x": x.grad}

print(f"{'value':>5}  {'by hand':>12}  {'engine':>12}")
for k in hand:
    print(f"{'d' + k:>5}  {hand[k]:12.8f}  {engine[k].item():12.8f}")
    np.testing.assert_allclose(engine[k].item(), hand[k], rtol=1e-12)

# %% [markdown]
# `ag.trace_backward()` shows the engine's side of the same computation: one row per
# node in the order it runs, with the norm of the gradient arriving at the node's
# output and of the one it sends to each input. `MulBackward` sends
# $|\bar a\,y| = 1.18$ to $x$ and `SinBackward` sends $|\bar b\cos x| = 0.865$;
# with their signs, $-1.183 + 0.865 = -0.318 = \bar x$.

# %%
x.grad = y.grad = None
with ag.trace_backward() as steps:
    (x * y + x.sin()).tanh().backward()
print(steps)


# %% [markdown]
# ## 5. Checking a gradient numerically
#
# `ag.gradcheck(fn, inputs)` compares every analytic gradient with a central
# difference $\big(f(x + \varepsilon) - f(x - \varepsilon)\big)/2\varepsilon$ and
# returns `True`, or raises `ag.GradcheckError` naming the input and element that
# disagree. It needs `float64` inputs: in `float32` the rounding error of the
# difference swamps it (notebook 05 shows why, and what a failure looks like).

# %%
def loss_fn(X, W):
    return (X @ W).tanh().pow(2).mean()


X = ag.randn(4, 3, dtype="float64", requires_grad=True)
W = ag.randn(3, 2, dtype="float64", requires_grad=True)
print("gradcheck:", ag.gradcheck(loss_fn, (X, W)))


# %% [markdown]
# ## 6. A custom operation: `ag.Function`
#
# When you want to write the backward pass yourself, subclass `ag.Function` with two
# static methods, as in PyTorch. `forward` computes the output and saves what
# `backward` will need; `backward` receives $\bar y$ and returns $\bar x$.
#
# Softplus, $s(x) = \log(1 + e^x)$, has derivative $s'(x) = \sigma(x) = 1/(1 + e^{-x})$.
# We compute it in the stable form $\max(x, 0) + \log(1 + e^{-|x|})$, which never
# overflows.

# %%
class Softplus(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu() + (1 + (-x.abs()).exp()).log()

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * x.sigmoid()


x = ag.tensor(np.array([-30.0, -1.0, 0.0, 2.0, 800.0]), requires_grad=True)
y = Softplus.apply(x)
print("softplus:", y)
print("grad_fn :", y.grad_fn)
y.sum().backward()
print("grad    :", x.grad, " = sigmoid(x)")

z = ag.randn(6, dtype="float64", requires_grad=True)
print("gradcheck:", ag.gradcheck(Softplus.apply, (z,)))

# %% [markdown]
# Because `backward` is written with tensor operations, the engine can differentiate
# *it* too: second derivatives come for free (notebook 05).
#
# ## 7. Drawing the graph
#
# `ag.draw_graph(root)` draws everything `root` depends on: one box per tensor with
# its shape and dtype (leaves and parameters marked) and one node per operation.
# Here is a single tanh layer with a squared-output loss, before `backward()`:

# %%
ag.manual_seed(0)
X = ag.randn(4, 3)
W = ag.randn(3, 2, requires_grad=True)
b = ag.zeros(2, requires_grad=True)
loss = ((X @ W + b).tanh() ** 2).mean()
ag.draw_graph(loss, params={"W": W, "b": b})

# %% [markdown]
# After `backward()` every tensor also shows the norm of its gradient, coloured so
# that vanishing or exploding gradients stand out in a larger graph. The drawing
# still works although backward has released the arrays saved for it. Only the input
# `X` drops out: it needs no gradient, so nothing but the released `MatMul` held it (the
# drawing says so; `loss.backward(retain_graph=True)` would keep it).

# %%
loss.backward()
ag.draw_graph(loss, params={"W": W, "b": b})
