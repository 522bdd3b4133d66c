"""Build the notebooks from the cell lists below, execute them and save them with outputs.

    python notebooks/build.py                      # all five
    python notebooks/build.py 01_autograd_basics   # some of them (a prefix such as 01 works)
    python notebooks/build.py --no-execute 03      # write the cells only

The source of every notebook is the Python in this file: edit a cell here, rebuild, and
commit the .ipynb that comes out (outputs included, so plots show when browsing the repo).
Cells run with the notebook's folder as the working directory, as nbmake runs them in CI.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]


def md(text: str) -> Cell:
    return ("markdown", dedent(text).strip("\n"))


def py(text: str) -> Cell:
    return ("code", dedent(text).strip("\n"))


SETUP = py("""
    import numpy as np
    import matplotlib.pyplot as plt

    from threadpoolctl import threadpool_limits

    import autograd as ag

    threadpool_limits(1)  # small matrices: one BLAS thread beats several fighting for busy cores
    ag.manual_seed(0)
    np.set_printoptions(precision=4, suppress=True)
    plt.rcParams.update({"figure.dpi": 90, "axes.grid": True, "grid.alpha": 0.3})
""")


# ------------------------------------------------------------------------------------------
# 01 · autograd basics
# ------------------------------------------------------------------------------------------
def nb01() -> list[Cell]:
    return [
        md(r"""
            # 01 · Autograd basics

            chainrule records every operation on tensors that need a gradient into a graph,
            then walks that graph backwards, applying the chain rule one operation at a time.
            This notebook builds such a graph, runs `backward()`, redoes the same chain rule by
            hand, checks gradients numerically, adds a custom operation, and finally draws the
            graph before and after the backward pass.
        """),
        SETUP,
        md(r"""
            ## 1. Tensors

            A `Tensor` wraps a NumPy array (`.data`). Python floats become `float32`; a NumPy
            `float64` array keeps its dtype. `requires_grad=True` marks a **leaf** whose
            gradient we want: after a backward pass it will hold $\partial L/\partial w$ in
            `.grad`, with the same shape as the tensor.
        """),
        py("""
            a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
            b = ag.tensor(np.arange(3.0))            # a float64 array stays float64
            w = ag.randn(2, 3, requires_grad=True)

            print("a:", a.dtype, a.shape, "  b:", b.dtype, b.shape)
            print(w)
            print("w is a leaf:", w.is_leaf, "  w.grad:", w.grad)
            print("(a @ w).shape =", (a @ w).shape)
        """),
        md(r"""
            ## 2. The graph is recorded while the code runs

            Every operation that involves a tensor with `requires_grad=True` returns a tensor
            with a `grad_fn`: the graph node that knows how to push a gradient back through
            that operation. `next_functions` links a node to the nodes of its inputs, or to
            the leaf tensors themselves. Leaves have no `grad_fn`.
        """),
        py("""
            x = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
            y = (x * x).sum()

            print("y.grad_fn          :", y.grad_fn)
            print("its next_functions :", y.grad_fn.next_functions)
            print("one more step back :", y.grad_fn.next_functions[0].next_functions)
            print("x.grad_fn          :", x.grad_fn)
        """),
        md(r"""
            The graph is *dynamic*: it is whatever the Python code did this time. A loop that
            runs $n$ times records $n$ copies of its body, and an `if` records only the branch
            taken.
        """),
        py("""
            def count_nodes(root):
                \"\"\"Operation nodes reachable from root (leaf tensors are not counted).\"\"\"
                seen, stack = set(), [root.grad_fn]
                while stack:
                    node = stack.pop()
                    if isinstance(node, ag.Node) and id(node) not in seen:
                        seen.add(id(node))
                        stack.extend(node.next_functions)
                return len(seen)


            def f(x, n):
                for _ in range(n):
                    x = (x * 2).tanh()        # two ops per iteration
                return x.sum()                # plus one


            for n in (1, 3, 10):
                print(f"n = {n:2d}: {count_nodes(f(x, n)):2d} nodes")
        """),
        md(r"""
            ## 3. `backward()`

            `y.backward()` seeds $\partial y/\partial y = 1$ and visits the nodes in reverse
            topological order; each node multiplies the gradient arriving at its output by its
            local Jacobian (a *vector–Jacobian product*) and sends the result to its inputs.
            For $y = \sum_i x_i^2$ the leaf receives $\partial y/\partial x_i = 2x_i$.
        """),
        py("""
            y = (x * x).sum()
            y.backward()
            print("x.grad =", x.grad)
            np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())
        """),
        md(r"""
            Gradients **accumulate**: a second backward pass adds into `.grad` instead of
            overwriting it (which is what makes a variable used in two places work, see §4).
            Training loops therefore clear `.grad` before each step. Under `ag.no_grad()`
            nothing is recorded at all.
        """),
        py("""
            (x * x).sum().backward()
            print("after a second backward:", x.grad, " (4x)")
            x.grad = None

            with ag.no_grad():
                z = (x * x).sum()
            print("recorded under no_grad? ", z.requires_grad, z.grad_fn)
        """),
        md(r"""
            ## 4. The chain rule by hand and by the engine

            Take $f(x, y) = \tanh(xy + \sin x)$ and name every intermediate value:

            $$a = xy, \qquad b = \sin x, \qquad c = a + b, \qquad f = \tanh c.$$

            Going backwards, write $\bar v = \partial f/\partial v$ for each value $v$.
            Each step uses only the local derivative of one operation:

            $$\bar f = 1, \qquad \bar c = \bar f\,(1 - f^2), \qquad \bar a = \bar c, \qquad
            \bar b = \bar c,$$

            $$\bar y = \bar a\,x, \qquad \bar x = \underbrace{\bar a\,y}_{\text{via } a}
            + \underbrace{\bar b\cos x}_{\text{via } b}.$$

            $x$ feeds two operations, so its gradient is the **sum** over both paths: the
            multivariate chain rule. The engine gets the sum by accumulating.
        """),
        py("""
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
        """),
        md(r"""
            `ag.trace_backward()` shows the engine's side of the same computation: one row per
            node in the order it runs, with the norm of the gradient arriving at the node's
            output and of the one it sends to each input. `MulBackward` sends
            $|\bar a\,y| = 1.18$ to $x$ and `SinBackward` sends $|\bar b\cos x| = 0.865$;
            with their signs, $-1.183 + 0.865 = -0.318 = \bar x$.
        """),
        py("""
            x.grad = y.grad = None
            with ag.trace_backward() as steps:
                (x * y + x.sin()).tanh().backward()
            print(steps)
        """),
        md(r"""
            ## 5. Checking a gradient numerically

            `ag.gradcheck(fn, inputs)` compares every analytic gradient with a central
            difference $\big(f(x + \varepsilon) - f(x - \varepsilon)\big)/2\varepsilon$ and
            returns `True`, or raises `ag.GradcheckError` naming the input and element that
            disagree. It needs `float64` inputs: in `float32` the rounding error of the
            difference swamps it (notebook 05 shows why, and what a failure looks like).
        """),
        py("""
            def loss_fn(X, W):
                return (X @ W).tanh().pow(2).mean()


            X = ag.randn(4, 3, dtype="float64", requires_grad=True)
            W = ag.randn(3, 2, dtype="float64", requires_grad=True)
            print("gradcheck:", ag.gradcheck(loss_fn, (X, W)))
        """),
        md(r"""
            ## 6. A custom operation: `ag.Function`

            When you want to write the backward pass yourself, subclass `ag.Function` with two
            static methods, as in PyTorch. `forward` computes the output and saves what
            `backward` will need; `backward` receives $\bar y$ and returns $\bar x$.

            Softplus, $s(x) = \log(1 + e^x)$, has derivative $s'(x) = \sigma(x) = 1/(1 + e^{-x})$.
            We compute it in the stable form $\max(x, 0) + \log(1 + e^{-|x|})$, which never
            overflows.
        """),
        py("""
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
        """),
        md(r"""
            Because `backward` is written with tensor operations, the engine can differentiate
            *it* too: second derivatives come for free (notebook 05).

            ## 7. Drawing the graph

            `ag.draw_graph(root)` draws everything `root` depends on: one box per tensor with
            its shape and dtype (leaves and parameters marked) and one node per operation.
            Here is a single tanh layer with a squared-output loss, before `backward()`:
        """),
        py("""
            ag.manual_seed(0)
            X = ag.randn(4, 3)
            W = ag.randn(3, 2, requires_grad=True)
            b = ag.zeros(2, requires_grad=True)
            loss = ((X @ W + b).tanh() ** 2).mean()
            ag.draw_graph(loss, params={"W": W, "b": b})
        """),
        md(r"""
            After `backward()` every tensor also shows the norm of its gradient, coloured so
            that vanishing or exploding gradients stand out in a larger graph. The drawing
            still works although backward has released the arrays saved for it.
        """),
        py("""
            loss.backward()
            ag.draw_graph(loss, params={"W": W, "b": b})
        """),
    ]


# ------------------------------------------------------------------------------------------
# 02 · an MLP from scratch
# ------------------------------------------------------------------------------------------
def nb02() -> list[Cell]:
    return [
        md(r"""
            # 02 · An MLP from scratch: backpropagation by hand and by the engine

            A three-layer tanh network classifies the 8×8 digits. We write its forward pass
            with the shape of every array, watch the engine run the backward pass, derive the
            same gradients by hand and check that they agree to the last digits, then train
            it and look at what it gets wrong.
        """),
        SETUP,
        py("""
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
        """),
        md(r"""
            ## 1. The forward pass, with shapes

            For a batch of $m$ images $X \in \mathbb{R}^{m\times 64}$ and PyTorch's weight
            layout $W_\ell \in \mathbb{R}^{n_\ell \times n_{\ell-1}}$ (output by input):

            $$Z_1 = XW_1^\top + b_1,\quad A_1 = \tanh Z_1,\quad
            Z_2 = A_1W_2^\top + b_2,\quad A_2 = \tanh Z_2,\quad Z_3 = A_2W_3^\top + b_3,$$

            $$P = \mathrm{softmax}(Z_3) \text{ (per row)},\qquad
            L = -\frac1m \sum_{k=1}^{m} \log P_{k,\,y_k}.$$

            `nn.MLP([64, 64, 32, 10])` is exactly Linear–Tanh–Linear–Tanh–Linear. We run it in
            `float64` here, so that the comparison with the hand-derived gradients can be
            strict.
        """),
        py("""
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
                print(f"{name:>7}: {str(t.shape):10}")

            # the step-by-step forward is the model's forward, and the loss is -mean log P[y]
            np.testing.assert_allclose(Z3.detach().numpy(), model(X).detach().numpy())
            logP = Z3.detach().numpy() - np.log(np.exp(Z3.detach().numpy()).sum(1, keepdims=True))
            np.testing.assert_allclose(loss.item(), -logP[np.arange(m), y.numpy()].mean())
            print(f"loss = {loss.item():.6f}  (log 10 = {np.log(10):.6f}: an untrained guess)")
        """),
        md(r"""
            ## 2. The backward pass, step by step

            `ag.trace_backward()` records every node the engine runs, in order. Read from the
            top it is the chain rule: each row receives $\partial L/\partial(\text{its
            output})$ (norm in `|grad in|`) and sends one gradient to each input. The loss
            appears as the four operations `cross_entropy` is made of, and each `Linear` as
            one fused node with three inputs (activation, weight, bias). The input $X$ needs
            no gradient, so its column shows `—`.
        """),
        py("""
            for t in (Z1, A1, Z2, A2, Z3):
                t.retain_grad()
            with ag.trace_backward() as steps:
                loss.backward()
            print(steps)
        """),
        md(r"""
            ## 3. The same gradients by hand

            Write $dV$ for $\partial L/\partial V$ and $Y$ for the one-hot labels.

            * **Softmax with cross-entropy.** $\;dZ_3 = \dfrac{P - Y}{m}$.
            * **A linear layer** $Z = AW^\top + b$. $\;dW = dZ^\top A,\quad
              db = \textstyle\sum_k dZ_{k,:},\quad dA = dZ\,W.$
              (With the other layout, $Z = AW + b$, the first reads $dW = A^\top dZ$.)
            * **tanh.** $\;\tanh' = 1 - \tanh^2$, so $\;dZ = dA \odot (1 - A^2)$, using the
              activation $A$ already computed in the forward pass.

            Chained from the output back to the input:

            $$dZ_3 = \tfrac{P - Y}{m} \;\to\; dW_3, db_3, dA_2 = dZ_3W_3 \;\to\;
            dZ_2 = dA_2 \odot (1 - A_2^2) \;\to\; dW_2, db_2, dA_1 \;\to\;
            dZ_1 = dA_1 \odot (1 - A_1^2) \;\to\; dW_1, db_1.$$
        """),
        py("""
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
        """),
        md(r"""
            Every gradient the engine computed matches the formula to rounding error
            ($\sim 10^{-17}$ in `float64`).

            ## 4. Training

            Now the real thing, in `float32`: a fresh network, mini-batches of 64 shuffled
            images, SGD with momentum ($v \leftarrow \mu v + g$, $w \leftarrow w - \eta v$),
            and after every epoch the loss and accuracy on the training and the test set.
        """),
        py("""
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
        """),
        py("""
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
        """),
        md(r"""
            ## 5. What it gets wrong

            The confusion matrix counts test images by true class (row) and predicted class
            (column); everything off the diagonal is a mistake.
        """),
        py("""
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
        """),
        py("""
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
        """),
    ]

# ------------------------------------------------------------------------------------------
# 03 · a convolutional network
# ------------------------------------------------------------------------------------------
def nb03() -> list[Cell]:
    return [
        md(r"""
            # 03 · A convolutional network

            `nn.SimpleCNN` is Conv(3×3, pad 1)–ReLU–MaxPool(2), twice, then a two-layer
            classifier. We count its parameters against a fully connected network, check the
            output-size formula layer by layer, compute and measure its receptive fields,
            train it on the 8×8 digits, and look at what its filters learned.
        """),
        SETUP,
        py("""
            import nn
            import optim
            from nn.data import DataLoader, TensorDataset
            from nn.datasets import load_dataset
            from nn.training import fit

            cnn = nn.SimpleCNN()             # the defaults: 3×32×32 images, 10 classes
            print(cnn)
        """),
        md(r"""
            ## 1. Parameters: weight sharing

            A convolution with $C_\text{in}$ input channels, $C_\text{out}$ filters and a
            $k\times k$ kernel has $C_\text{out}(C_\text{in}k^2 + 1)$ parameters, however
            large the image. A linear layer has $n_\text{out}(n_\text{in} + 1)$. Compare with
            a fully connected network that has the same hidden width (128, 128) but reads the
            $3\cdot32\cdot32 = 3072$ raw pixels.
        """),
        py("""
            def count(module):
                return sum(p.numel() for p in module.parameters())


            for name, layer in cnn.named_modules():
                if isinstance(layer, (nn.Conv2d, nn.Linear)):
                    print(f"{name:14} {type(layer).__name__:7} {count(layer):8,d}")
            mlp = nn.MLP([3 * 32 * 32, 128, 128, 10])
            print(f"{'SimpleCNN':22} {count(cnn):8,d}")
            print(f"{'MLP 3072-128-128-10':22} {count(mlp):8,d}")

            assert count(cnn) == 16 * (3 * 9 + 1) + 32 * (16 * 9 + 1) + 128 * (2048 + 1) \\
                + 10 * (128 + 1) == 268_650
            assert count(mlp) == 128 * (3072 + 1) + 128 * (128 + 1) + 10 * (128 + 1) == 411_146
        """),
        md(r"""
            The two convolutions hold fewer than 2% of the CNN's parameters; most of them sit
            in the first linear layer. What weight sharing buys shows in the second
            convolution: it maps a $16\times16\times16$ input to a $32\times16\times16$
            output with 4,640 parameters. A linear layer between the same two shapes would
            need $4096 \cdot 8192 + 8192 \approx 33.6$ million.

            ## 2. Output sizes

            Along each spatial axis a kernel of size $k$, moved with stride $s$ over an input of
            size $n$ padded by $p$ on both sides, fits

            $$n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1$$

            times. A 3×3 convolution with padding 1 and stride 1 keeps $n$; a 2×2 max pooling
            with stride 2 halves it (rounding down). We check the formula against the actual
            shapes, layer by layer, for the 32×32 default and for the 8×8 digits.
        """),
        py("""
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
        """),
        md(r"""
            ## 3. Receptive fields

            The receptive field $r_\ell$ of a unit in layer $\ell$ is the square of input pixels
            that can influence it. With $j_\ell$ the distance, in input pixels, between two
            neighbouring units of layer $\ell$ (the product of the strides so far):

            $$r_\ell = r_{\ell-1} + (k_\ell - 1)\,j_{\ell-1}, \qquad j_\ell = j_{\ell-1}\,s_\ell,
            \qquad r_0 = j_0 = 1.$$

            ReLU is pointwise and changes neither.
        """),
        py("""
            rf, jump, fields = 1, 1, {}
            print(f"{'layer':14} {'k':>2} {'s':>2}   {'r':>3} {'jump':>5}")
            for i, layer in enumerate(digits_cnn.features):
                if hasattr(layer, "kernel_size"):
                    k, s = first(layer.kernel_size), first(layer.stride)
                    rf, jump = rf + (k - 1) * jump, jump * s
                    fields[i] = rf
                    print(f"{i}: {type(layer).__name__:11} {k:2d} {s:2d}   {rf:3d} {jump:5d}")
        """),
        md(r"""
            After the second pooling each unit sees a 10×10 window: more than a whole 8×8
            digit. We can also *measure* the receptive field with the engine: the gradient
            of one unit with respect to the input is non-zero exactly on the pixels that
            influence it. ReLU and max pooling pass gradient only along the active paths of a
            given input, so we take the union over a batch of random inputs, on a 24×24 image
            so that borders do not clip the field.
        """),
        py("""
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
                ax.set_title(f"after layer {i} ({type(digits_cnn.features[i]).__name__})\\n"
                             f"formula {r}×{r}, measured {measured[0]}×{measured[1]}",
                             fontsize=9)
                ax.set_xticks([])
                ax.set_yticks([])
            plt.show()
        """),
        md(r"""
            ## 4. Training on the digits

            The digits model, `nn.SimpleCNN(in_channels=1, image_size=8)`, flattens
            $32\cdot2\cdot2 = 128$ features, so it has far fewer parameters than the
            32×32 one. Its input keeps the image shape, $(N, 1, 8, 8)$.
        """),
        py("""
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
        """),
        md(r"""
            ## 5. What the filters learned

            The 16 first-layer filters are 3×3 weight patches (blue negative, red positive),
            each slid over the whole image. 3×3 is too small for clear shapes, but many are
            oriented contrasts, positive on one side and negative on the other: edge detectors
            for some direction.
        """),
        py("""
            w1 = model.features[0].weight.detach().numpy()      # (16, 1, 3, 3)
            lim = np.abs(w1).max()
            fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
            for f, ax in enumerate(axes.flat):
                ax.imshow(w1[f, 0], cmap="RdBu_r", vmin=-lim, vmax=lim)
                ax.set_title(f"filter {f}", fontsize=8)
                ax.axis("off")
            fig.suptitle("conv 1 filters", y=1.02)
            plt.show()
        """),
        md(r"""
            Applied to one test digit, they give 16 feature maps of 8×8 (after ReLU); the
            second convolution combines those into 32 maps of 4×4 (after ReLU, before the last
            pooling), each unit seeing an 8×8 window of the input. Dark maps are filters that
            this digit does not excite at all: ReLU outputs zero there.
        """),
        py("""
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
        """),
    ]

# ------------------------------------------------------------------------------------------
# 04 · optimizers and regularisation
# ------------------------------------------------------------------------------------------
def nb04() -> list[Cell]:
    return [
        md(r"""
            # 04 · Optimizers, regularisation, learning-rate decay and initialisation

            Four experiments on the 8×8 digits: how the update rule changes training, how L2
            and dropout fight overfitting, why the learning rate should decay, and why a deep
            network trains only with a sensible initialisation (or batch norm).
        """),
        SETUP,
        py("""
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
                \"\"\"Plain training loop; returns the loss of every mini-batch.\"\"\"
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
        """),
        md(r"""
            ## 1. SGD, momentum, Adam and AdamW

            With gradient $g_t$ and learning rate $\eta$:

            * **SGD**: $\;w \leftarrow w - \eta\, g_t$
            * **momentum**: $\;v \leftarrow \mu v + g_t,\quad w \leftarrow w - \eta\, v$
            * **Adam**: running averages of the gradient and of its square, corrected for
              their start at zero, then a step per coordinate:

              $$m \leftarrow \beta_1 m + (1-\beta_1)\, g_t,\qquad
              s \leftarrow \beta_2 s + (1-\beta_2)\, g_t^2,\qquad
              w \leftarrow w - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{s/(1-\beta_2^t)} + \epsilon}$$
            * **AdamW**: Adam's step, plus $w \leftarrow w - \eta\lambda w$ applied outside
              the adaptive scaling.

            Momentum averages gradients over roughly $1/(1-\mu)$ steps, so directions that
            keep their sign speed up and oscillating ones cancel. Adam divides each
            coordinate by a running RMS of its gradient: every parameter moves at about the
            same speed whatever the scale of its gradient. First a picture on the quadratic
            $f(w) = \tfrac12(w_1^2 + 50\,w_2^2)$, steep in $w_2$ and flat in $w_1$:
        """),
        py("""
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
        """),
        md(r"""
            Plain SGD must keep $\eta < 2/50$ to stay stable along the steep $w_2$, so it
            crawls along the flat $w_1$ and is still far away after 40 steps. Momentum builds
            up speed along $w_1$ while the $w_2$ oscillation dies out. Adam's first steps have
            the same size, about $\eta$, in both coordinates, whatever their curvature.

            Now the same four optimizers on the digits MLP, each from the **same initial
            weights** and seeing the **same mini-batches** in the same order:
        """),
        py("""
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
                weight_norm = np.sqrt(sum((p.data**2).sum() for p in model.parameters()))
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
        """),
        md(r"""
            AdamW's loss curve is Adam's: its decoupled decay multiplies every weight by
            $1 - \eta\lambda = 0.99995$ per step, which leaves the fit alone and, over these
            230 steps, makes the weights slightly smaller (last column). Putting the same
            $\lambda w$ into the gradient of Adam (`optim.Adam(weight_decay=...)`) would have
            it divided by $\sqrt{s}$ like everything else, so large-gradient weights would
            hardly be decayed at all: that is the reason AdamW exists.

            ## 2. Overfitting, L2 and dropout

            With only 200 training images and a network of 85,000 parameters, the training
            loss goes to zero while the test loss stops improving and then creeps up: the
            network memorises. Two remedies:

            * **L2** adds $\tfrac\lambda2\|W\|^2$ to the loss, so $\lambda W$ to every
              gradient (`weight_decay=λ` in SGD): large weights, and the sharp functions they
              make, cost something.
            * **Dropout** multiplies each activation during training by $m/(1-p)$,
              $m \sim \text{Bernoulli}(1-p)$; at evaluation it is the identity (the division
              keeps the expected activation the same). No unit can rely on any other being
              present.
        """),
        py("""
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
        """),
        py("""
            fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
            for ax, (name, r) in zip(axes, reg_curves.items()):
                ax.plot(r[:, 0], r[:, 1], label="train")
                ax.plot(r[:, 0], r[:, 3], label="test")
                ax.fill_between(r[:, 0], r[:, 1], r[:, 3], color="C3", alpha=0.12, label="gap")
                ax.set(title=name, xlabel="epoch", yscale="log")
                ax.legend()
            axes[0].set_ylabel("cross-entropy")
            plt.show()

            print(f"{'after 100 epochs':30} train loss  test loss    gap  train acc  test acc")
            for name, r in reg_curves.items():
                _, trl, tra, tel, tea = r[-1]
                print(f"{name:30} {trl:10.4f} {tel:10.4f} {tel - trl:6.3f} {tra:10.3f} {tea:9.3f}")
        """),
        md(r"""
            Without regularisation the test loss turns upwards after about 15 epochs while the
            training loss keeps falling: the gap grows. L2 and dropout both keep the test loss
            from climbing and shrink the gap. On this small problem the test *accuracy*
            hardly moves; the loss shows the overconfidence that memorising brings.

            ## 3. Learning-rate decay

            Mini-batch gradients are noisy, so with a constant learning rate SGD does not
            converge: it keeps bouncing in a region whose size grows with $\eta$. A large
            $\eta$ gets close quickly but stalls at a high noise floor; a small one is
            precise but slow. Decaying $\eta$ gets both. `optim.lr_scheduler` has the usual
            schedules, stepped once per epoch:
        """),
        py("""
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
        """),
        md(r"""
            To see the noise floor we need a problem with a single minimum: softmax regression
            (one `Linear(64, 10)`) with L2 on the weights, trained with batches of 16. We plot
            the full training objective after each epoch.
        """),
        py("""
            lam = 1e-2
            X_all, Y_all = ag.tensor(digits.x_train), ag.tensor(digits.y_train)


            def objective(model):
                with ag.no_grad():
                    ce = F.cross_entropy(model(X_all), Y_all).item()
                return ce + 0.5 * lam * float((model.weight.data ** 2).sum())


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
        """),
        md(r"""
            The large constant step is fastest at first and then wanders; the small one is
            still descending after 30 epochs; the decayed one starts like the first and ends
            lowest. The classical condition for SGD to converge, $\sum_t \eta_t = \infty$ and
            $\sum_t \eta_t^2 < \infty$, is what $\eta_t = \eta_0/(1 + kt)$ satisfies.

            ## 4. Initialisation and vanishing gradients

            In a deep network the signal passes through one weight matrix per layer, forward
            and backward. For a layer $h = \phi(Wa)$ with $n_\text{in}$ inputs and weights of
            variance $\sigma^2$, $\mathrm{Var}(Wa) = n_\text{in}\,\sigma^2\,\mathrm{Var}(a)$.
            If $n_\text{in}\sigma^2$ is off by a constant factor, the signal is multiplied by
            that factor at each layer: over 20 layers it vanishes or explodes.

            * **naive**: $\sigma = 0.01$, so $n_\text{in}\sigma^2 = 0.0064$ for 64 inputs:
              everything dies.
            * **Xavier / Glorot**: $\sigma^2 = 2/(n_\text{in} + n_\text{out})$, the right
              scale for tanh (slope 1 at 0).
            * **He / Kaiming**: $\sigma^2 = 2/n_\text{in}$; ReLU zeroes half its inputs,
              halving the variance, and the factor 2 puts it back. With Xavier a ReLU network
              loses a factor 2 of variance per layer.

            We build a 20-layer, 64-unit network and look at one batch at initialisation.
        """),
        py("""
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
                    act_std=[float(t.data.std()) for t in hidden],
                    grad_norm=[float(np.linalg.norm(t.grad.data)) for t in hidden],
                )

            fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
            for name, pr in probes.items():
                layers = np.arange(1, len(pr["act_std"]) + 1)
                ax1.semilogy(layers, np.maximum(pr["act_std"], 1e-30), "o-", ms=3, label=name)
                ax2.semilogy(layers, np.maximum(pr["grad_norm"], 1e-30), "o-", ms=3, label=name)
            ax1.set(xlabel="hidden layer", ylabel="std of activations", title="forward signal")
            ax2.set(xlabel="hidden layer", ylabel=r"$\\|\\partial L/\\partial h_\\ell\\|$",
                    title="backward signal (gradient w.r.t. each layer's output)")
            ax2.legend(fontsize=8)
            plt.show()
        """),
        md(r"""
            Read the right plot from right to left, the direction backward runs. With the
            naive initialisation the gradient shrinks by about a factor $0.08$ per layer and
            is below $10^{-18}$ long before it reaches the first layer (the points at the
            bottom are exact zeros: `float32` underflow). Xavier with ReLU loses a factor
            $\sqrt2$ per layer, slowly but steadily. Xavier with tanh and He with ReLU keep
            both signals at the same scale through all 20 layers, as their derivation
            promises.

            `ag.viz.plot_gradient_flow` shows the parameters' side: the mean and largest
            $|\partial L/\partial W|$ of each weight matrix. Mind each panel's axis: the bars
            are flat across layers, because $\partial L/\partial W_\ell =
            \delta_\ell^\top a_{\ell-1}$ multiplies a backward signal that shrinks towards the
            input by a forward signal that shrinks towards the output. What differs is the
            scale: below $10^{-22}$ for the naive network, $10^{-6}$ for Xavier with ReLU, against
            $10^{-3}$ to $10^{-1}$ for the others. A learning rate cannot bridge such gaps.
        """),
        py("""
            fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), layout="constrained")
            for ax, (name, pr) in zip(axes.flat, probes.items()):
                weights = {n: p for n, p in pr["model"].named_parameters()
                           if n.endswith("weight") and p.ndim == 2}
                typical = np.median([r["mean_abs"] for r in ag.viz.gradient_flow(weights)])
                ag.viz.plot_gradient_flow(weights, ax=ax, title=f"{name}: typical {typical:.0e}")
                ax.tick_params(axis="x", labelsize=6)
            axes.flat[-1].axis("off")
            plt.show()
        """),
        md(r"""
            ## 5. Batch norm fixes it

            Batch norm standardises every unit over the batch,
            $\hat z = (z - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}$, then rescales it with a
            learned $\gamma \hat z + \beta$. Whatever the scale of $W$, each layer's output has
            unit variance again, so the forward signal cannot die, and since $\hat z$ does
            not change when $W$ is scaled, the backward signal is rescaled by
            $1/\sigma_B$ too. The last curve above ("naive + batch norm") is flat although it
            uses the naive weights. Does it matter for training? Five epochs of Adam for each
            network:
        """),
        py("""
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
        """),
        md(r"""
            The naive network does not learn at all. Adam's step $m/(\sqrt{s} + \epsilon)$
            would make up for any *scale* of gradient, but gradients of $10^{-23}$ are far
            below $\epsilon = 10^{-8}$, so its steps are nil (and for plain SGD they would be
            $10^{-23}$ times $\eta$). Xavier with ReLU learns slowly; Xavier with tanh and He
            with ReLU learn; and batch norm makes even the naive initialisation train.
        """),
    ]

# ------------------------------------------------------------------------------------------
# 05 · gradient checking
# ------------------------------------------------------------------------------------------
def nb05() -> list[Cell]:
    return [
        md(r"""
            # 05 · Gradient checking

            A backward pass is only as good as its derivatives. Finite differences give an
            independent estimate of every derivative from forward passes alone, so comparing
            the two catches mistakes. This notebook looks at how accurate finite differences
            are, what `ag.gradcheck` does with them, how it catches a wrong backward, and how
            to check second derivatives.
        """),
        SETUP,
        md(r"""
            ## 1. Finite differences

            Taylor's theorem around $x$:

            $$f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x)
            + O(h^4).$$

            The **forward** difference keeps an error of order $h$; in the **central**
            difference the even terms cancel and the error is of order $h^2$:

            $$\frac{f(x + h) - f(x)}{h} = f'(x) + \tfrac{h}{2} f''(x) + O(h^2), \qquad
            \frac{f(x + h) - f(x - h)}{2h} = f'(x) + \tfrac{h^2}{6} f'''(x) + O(h^4).$$

            Our test function is $f(x) = \sin(x)\,e^x$ at $x = 0.7$; the engine gives
            $f'(x)$ exactly (up to rounding).
        """),
        py("""
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
        """),
        md(r"""
            ## 2. How small should $h$ be? The V-shaped error curve

            Shrinking $h$ reduces the truncation error, but each value of $f$ is rounded to
            about $\epsilon_\text{mach}|f|$, and the difference quotient divides that rounding
            by $h$. For the central difference the total error is roughly

            $$E(h) \approx \frac{h^2}{6}|f'''| + \frac{\epsilon_\text{mach}|f|}{h},$$

            smallest near $h^\ast \sim \epsilon_\text{mach}^{1/3}$: about $6\cdot10^{-6}$ in
            `float64` ($\epsilon_\text{mach} \approx 2.2\cdot10^{-16}$), which is why
            `gradcheck` uses `eps=1e-6`. For the forward difference
            $h^\ast \sim \epsilon_\text{mach}^{1/2} \approx 10^{-8}$. In `float32`
            ($\epsilon_\text{mach} \approx 1.2\cdot10^{-7}$) the best step is near $10^{-2}$
            and the error never gets much below $10^{-6}$: too coarse to tell a small bug from
            rounding.
        """),
        py("""
            hs = np.logspace(-14, 0, 57)


            def fd_errors(dtype, kind):
                xs = np.asarray(x0, dtype=dtype)
                hh = hs.astype(dtype)
                fx = lambda v: f(ag.tensor(np.asarray(v, dtype=dtype))).numpy()
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
            ax.loglog(hs, 1e-16 / hs, "k--", lw=1, label=r"slope $-1$ ($\\epsilon/h$)")
            ax.axvline(1e-6, color="gray", lw=1)
            ax.text(8e-7, 1e-3, "gradcheck's eps", color="gray", ha="right")
            ax.set(xlabel="step h", ylabel="|estimate − exact|", ylim=(1e-13, 1e1),
                   title="Finite-difference error: truncation (right) vs rounding (left)")
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
            plt.show()
        """),
        md(r"""
            Right of the minimum the curves follow the truncation error (slope 2 for central,
            slope 1 for forward); left of it they follow the rounding error (slope $-1$),
            noisy because rounding is.

            ## 3. `gradcheck`: the whole Jacobian, both ways

            For a function $F:\mathbb{R}^n \to \mathbb{R}^m$ the analytic Jacobian comes row by
            row, one backward pass per output element with a one-hot $\bar y$; the numeric one
            comes column by column, two forward passes per input element. Let us build both
            for $F(z, W) = \mathrm{softmax}(zW)$ and compare, then let `ag.gradcheck` do the
            same (it also checks $\partial F/\partial W$).
        """),
        py("""
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
            with ag.no_grad():
                for j in range(n):
                    d = np.zeros((1, n))
                    d[0, j] = eps
                    up, down = F(ag.tensor(z.data + d), W), F(ag.tensor(z.data - d), W)
                    J_numeric[:, j] = (up.numpy() - down.numpy()).ravel() / (2 * eps)

            print("analytic Jacobian dF/dz:\\n", J_analytic)
            print("max |analytic − numeric| =", f"{np.abs(J_analytic - J_numeric).max():.1e}")
            print("ag.gradcheck:", ag.gradcheck(F, (z, W)))
        """),
        md(r"""
            ## 4. Catching a wrong backward

            The softmax $s = \mathrm{softmax}(z)$ has Jacobian
            $\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, so its vector–Jacobian
            product is

            $$\bar z = s \odot \big(\bar s - \langle \bar s, s\rangle\big).$$

            A classic slip is to keep only the diagonal, $\bar z = s \odot \bar s$. Both
            versions below run without complaint and give gradients of the right shape; only
            a gradient check tells them apart.
        """),
        py("""
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
        """),
        md(r"""
            The message names the input (by position), the element, and both values, which is
            usually enough to find the wrong line.

            Finite differences assume $f$ is smooth between $x - \varepsilon$ and
            $x + \varepsilon$. At a kink they disagree with any analytic gradient, so a
            gradient check should avoid points within $\varepsilon$ of one: here ReLU at
            $x = 10^{-7}$, where the central difference straddles $0$.
        """),
        py("""
            near_kink = ag.tensor(np.array([1e-7, 0.5]), requires_grad=True)
            print("relu near its kink:", ag.gradcheck(ag.relu, (near_kink,), raise_exception=False))
            away = ag.tensor(np.array([0.3, 0.5]), requires_grad=True)
            print("relu away from it :", ag.gradcheck(ag.relu, (away,)))
        """),
        md(r"""
            ## 5. Second derivatives

            With `create_graph=True` the backward pass records its own operations, so the
            gradient it returns is a tensor with a graph and can be differentiated again. For
            an elementwise function, the gradient of the *sum* is the elementwise derivative.
            For $t = \tanh x$:

            $$t' = 1 - t^2, \qquad t'' = -2t(1 - t^2), \qquad t''' = -2(1 - t^2)(1 - 3t^2).$$
        """),
        py("""
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
            for curve, label in [(t, r"$\\tanh x$"), (d1, "1st"), (d2, "2nd"), (d3, "3rd")]:
                ax.plot(x.data, curve.detach().numpy(), label=label)
            ax.set(xlabel="x", title="tanh and its derivatives, by the engine")
            ax.legend()
            plt.show()
        """),
        md(r"""
            ### A Hessian, by hand and by the engine

            For logistic regression with mean loss
            $L(w) = -\frac1m\sum_k \big[y_k \log p_k + (1 - y_k)\log(1 - p_k)\big]$,
            $p = \sigma(Xw)$, the derivatives are

            $$\nabla L = \tfrac1m X^\top (p - y), \qquad
            \nabla^2 L = \tfrac1m X^\top \mathrm{diag}\big(p \odot (1 - p)\big)\, X.$$

            The engine builds the Hessian one row at a time: differentiate each component of
            the gradient (computed with `create_graph=True`) once more.
        """),
        py("""
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
            print("Hessian (engine = formula):\\n", H)
        """),
        md(r"""
            ### `gradgradcheck`

            `ag.gradgradcheck(fn, inputs)` applies the same finite-difference test to the
            first derivative itself, so it checks that backward is differentiable and right.
            A custom `backward` written with tensor operations passes. One that drops to
            NumPy (`.data`) gives correct first derivatives, but its result is a constant to
            the engine: its second derivative is silently zero, and only `gradgradcheck`
            notices.
        """),
        py("""
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
                    return ag.tensor(g.data * 2 * x.data)             # leaves the graph


            v = ag.randn(3, dtype="float64", requires_grad=True)
            for op in (SquareTensorOps, SquareNumpy):
                first = ag.gradcheck(op.apply, (v,))
                try:
                    second = ag.gradgradcheck(op.apply, (v,))
                except ag.GradcheckError as err:
                    second = f"GradcheckError: {err}"
                print(f"{op.__name__}:\\n  gradcheck     {first}\\n  gradgradcheck {second}")
        """),
    ]


# ------------------------------------------------------------------------------------------
# registry, build and execution
# ------------------------------------------------------------------------------------------
NOTEBOOKS: dict[str, Callable[[], list[Cell]]] = {
    "01_autograd_basics": nb01,
    "02_mlp_from_scratch": nb02,
    "03_cnn": nb03,
    "04_optimizers_and_regularisation": nb04,
    "05_gradient_checking": nb05,
}


def percent_cells(path: Path) -> list[Cell]:
    """The cells of a jupytext percent-format source (``# %%`` code, ``# %% [markdown]``
    text with each line's leading ``# `` removed); the header before the first cell is
    skipped."""
    cells: list[Cell] = []
    kind, lines = None, []
    for line in path.read_text().splitlines() + ["# %%"]:
        if line.startswith("# %%"):
            if kind is not None:
                text = "\n".join(lines).strip("\n")
                cells.append((kind, text))
            kind = "markdown" if "[markdown]" in line else "code"
            lines = []
        elif kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        elif kind is not None:
            lines.append(line)
    return cells[:-1] if cells and not cells[-1][1] else cells


# Notebooks written as jupytext percent-format sources beside this file.
NOTEBOOKS["06_sequence_models"] = lambda: percent_cells(HERE / "06_sequence_models.py")


def make_notebook(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells):
        cell = (nbformat.v4.new_markdown_cell if kind == "markdown"
                else nbformat.v4.new_code_cell)(source)
        cell.id = f"cell-{i:02d}"  # stable ids: a rebuild changes only what really changed
        nb.cells.append(cell)
    return nb


def build(name: str, execute: bool = True, allow_errors: bool = False,
          timeout: int = 300) -> float:
    nb = make_notebook(NOTEBOOKS[name]())
    seconds = 0.0
    if execute:
        start = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                       allow_errors=allow_errors,
                       resources={"metadata": {"path": str(HERE)}}).execute()
        seconds = time.perf_counter() - start
        nb.metadata["language_info"] = {"name": "python"}  # no interpreter version in the diff
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{name}.ipynb")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all); "
                        "a unique prefix such as 02 is enough")
    parser.add_argument("--no-execute", action="store_true", help="write the cells only")
    parser.add_argument("--allow-errors", action="store_true",
                        help="keep going past a failing cell (for drafting; never commit that)")
    args = parser.parse_args(argv)

    chosen = []
    for want in args.names or list(NOTEBOOKS):
        want = Path(want).stem
        hits = [n for n in NOTEBOOKS if n.startswith(want)]
        if len(hits) != 1:
            parser.error(f"{want!r} matches {hits or 'no notebook'}; choose from {list(NOTEBOOKS)}")
        chosen.append(hits[0])
    for name in chosen:
        seconds = build(name, execute=not args.no_execute, allow_errors=args.allow_errors)
        print(f"{name}.ipynb  " + (f"executed in {seconds:.1f} s" if seconds else "written"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
