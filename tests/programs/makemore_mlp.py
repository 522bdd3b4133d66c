"""makemore parts 1-3 (Karpathy): the counting bigram and its one-layer net
(F.one_hot, W.data += -50 * W.grad), then the char-level MLP with an embedding table C
indexed C[X], emb.view, a learning-rate sweep, hand-written batch norm with running stats
updated under no_grad, manual SGD `p.data += -lr * p.grad`, the hand-written layer classes
with retain_grad and their statistics, and argmax decoding."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def bigram(lib: Any) -> dict:
    torch, F = lib.torch, lib.F
    xs = lib.randint(27, (40,))
    ys = lib.randint(27, (40,))
    N = torch.zeros((27, 27), dtype=torch.int32)
    for ix1, ix2 in zip(xs.tolist(), ys.tolist()):
        N[ix1, ix2] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    log_likelihood = 0.0
    n = 0
    for ix1, ix2 in zip(xs.tolist(), ys.tolist()):
        prob = P[ix1, ix2]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1
    nll = -log_likelihood
    out = {"counting_nll": (nll / n).item(), "N_dtype": str(N.dtype).split(".")[-1],
           "P_row_sum": P[3].sum().item()}
    W = lib.randn(27, 27)
    W.requires_grad = True
    num = xs.nelement()
    losses = []
    for _ in range(5):
        xenc = F.one_hot(xs, num_classes=27).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
        losses.append(loss.item())
    out["net_losses"] = losses
    out["W"] = as_list(W)
    return out


def mlp(lib: Any) -> dict:
    """Part 2: C[X], emb.view(-1, 6), torch.cat(torch.unbind(emb, 1), 1), lr sweep."""
    torch, F = lib.torch, lib.F
    X = lib.randint(27, (48, 3))
    Y = lib.randint(27, (48,))
    C = lib.randn(27, 2)
    W1 = lib.randn(6, 20)
    b1 = lib.randn(20)
    W2 = lib.randn(20, 27)
    b2 = lib.randn(27)
    parameters = [C, W1, b1, W2, b2]
    out = {"nparams": sum(p.nelement() for p in parameters)}
    for p in parameters:
        p.requires_grad = True
    emb = C[X]
    out["unbind_same"] = bool(torch.all(torch.cat(torch.unbind(emb, 1), 1) == emb.view(-1, 6)))
    lre = torch.linspace(-3, 0, 1000)
    lrs = 10**lre
    lri, lossi, stepi = [], [], []
    for i in range(8):
        ix = torch.randint(0, X.shape[0], (32,)) if False else lib.randint(X.shape[0], (32,))
        emb = C[X[ix]]  # (32, 3, 2)
        h = torch.tanh(emb.view(-1, 6) @ W1 + b1)  # (32, 100)
        logits = h @ W2 + b2  # (32, 27)
        loss = F.cross_entropy(logits, Y[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = lrs[600 + 50 * i]
        for p in parameters:
            p.data += -lr * p.grad
        lri.append(lre[600 + 50 * i].item())
        stepi.append(i)
        lossi.append(loss.log10().item())
    out["lri"], out["lossi"] = lri, lossi
    emb = C[X]
    h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
    logits = h @ W2 + b2
    out["full_loss"] = F.cross_entropy(logits, Y).item()
    # the long-hand loss of the video equals cross_entropy
    counts = logits.exp()
    prob = counts / counts.sum(1, keepdims=True)
    out["manual_loss"] = (-prob[torch.arange(48), Y].log().mean()).item()
    out["C"] = as_list(C)
    return out


def batchnorm_mlp(lib: Any) -> dict:
    """Part 3: kaiming-scaled init, hand batch norm with running stats, split loss under
    @torch.no_grad(), argmax sampling, update-to-data ratios."""
    torch, F = lib.torch, lib.F
    vocab_size, block_size, n_embd, n_hidden = 27, 3, 5, 24
    Xtr = lib.randint(vocab_size, (64, block_size))
    Ytr = lib.randint(vocab_size, (64,))
    C = lib.randn(vocab_size, n_embd)
    W1 = lib.randn(n_embd * block_size, n_hidden) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    b1 = lib.randn(n_hidden) * 0.01
    W2 = lib.randn(n_hidden, vocab_size) * 0.01
    b2 = lib.randn(vocab_size) * 0
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    lossi, ud = [], []
    for i in range(10):
        ix = lib.randint(Xtr.shape[0], (32,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 5 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
        with torch.no_grad():
            # b1 is cancelled by the batch norm: its gradient is rounding noise, left out
            ud.append([((lr * p.grad).std() / p.data.std()).log10().item()
                       for p in parameters if p.ndim == 2])

    @torch.no_grad()
    def split_loss() -> float:
        emb = C[Xtr]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        return F.cross_entropy(logits, Ytr).item()

    samples = []
    for _ in range(3):
        out, context = [], [1 + len(samples)] * block_size
        for _ in range(6):
            emb = C[torch.tensor([context])]
            hpreact = emb.view(1, -1) @ W1 + b1
            hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
            logits = torch.tanh(hpreact) @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.argmax(probs, dim=1).item()
            context = context[1:] + [ix]
            out.append(ix)
        samples.append(out)
    return {"lossi": lossi, "ud": ud, "split_loss": split_loss(), "samples": samples,
            "bnmean_running": as_list(bnmean_running), "bnstd_running": as_list(bnstd_running),
            "W1": as_list(W1), "requires_grad_running": bnmean_running.requires_grad}


def layer_classes(lib: Any) -> dict:
    """Part 3's torch-ified classes (Linear, BatchNorm1d, Tanh) with layer.out.retain_grad()
    and the activation/gradient statistics of its diagnostic plots."""
    torch, F = lib.torch, lib.F

    class Linear:
        def __init__(self, fan_in: int, fan_out: int, bias: bool = True) -> None:
            self.weight = lib.randn(fan_in, fan_out) / fan_in**0.5
            self.bias = torch.zeros(fan_out) if bias else None

        def __call__(self, x: Any) -> Any:
            self.out = x @ self.weight
            if self.bias is not None:
                self.out += self.bias
            return self.out

        def parameters(self) -> list:
            return [self.weight] + ([] if self.bias is None else [self.bias])

    class BatchNorm1d:
        def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
            self.eps, self.momentum, self.training = eps, momentum, True
            self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
            self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

        def __call__(self, x: Any) -> Any:
            if self.training:
                xmean = x.mean(0, keepdim=True)
                xvar = x.var(0, keepdim=True)
            else:
                xmean, xvar = self.running_mean, self.running_var
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
            self.out = self.gamma * xhat + self.beta
            if self.training:
                with torch.no_grad():
                    m = self.momentum
                    self.running_mean = (1 - m) * self.running_mean + m * xmean
                    self.running_var = (1 - m) * self.running_var + m * xvar
            return self.out

        def parameters(self) -> list:
            return [self.gamma, self.beta]

    class Tanh:
        def __call__(self, x: Any) -> Any:
            self.out = torch.tanh(x)
            return self.out

        def parameters(self) -> list:
            return []

    n_embd, n_hidden, vocab_size, block_size = 4, 16, 27, 3
    C = lib.randn(vocab_size, n_embd)
    layers = [Linear(n_embd * block_size, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
              Linear(n_hidden, vocab_size, bias=False), BatchNorm1d(vocab_size)]
    with torch.no_grad():
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if isinstance(layer, Linear):
                layer.weight *= 5 / 3
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    for p in parameters:
        p.requires_grad = True
    Xtr = lib.randint(vocab_size, (50, block_size))
    Ytr = lib.randint(vocab_size, (50,))
    losses, act_stats, grad_stats, hists = [], [], [], []
    for _ in range(4):
        ix = lib.randint(Xtr.shape[0], (16,))
        x = C[Xtr[ix]].view(16, -1)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Ytr[ix])
        for layer in layers:
            layer.out.retain_grad()
        for p in parameters:
            p.grad = None
        loss.backward()
        for p in parameters:
            p.data += -0.1 * p.grad
        losses.append(loss.item())
    for layer in layers[:-1]:
        if isinstance(layer, Tanh):
            t = layer.out
            act_stats.append([t.mean().item(), t.std().item(),
                              ((t.abs() > 0.97).float().mean() * 100).item()])
            hy, hx = torch.histogram(t, density=True)
            hists.append(hy[:5].tolist() + hx[:3].tolist())
            g = layer.out.grad
            grad_stats.append([g.mean().item(), g.std().item()])
    for layer in layers:
        layer.training = False
    x = C[Xtr].view(50, -1)
    for layer in layers:
        x = layer(x)
    return {"losses": losses, "act_stats": act_stats, "grad_stats": grad_stats, "hists": hists,
            "eval_loss": F.cross_entropy(x, Ytr).item(),
            "running_var": as_list(layers[1].running_var)}


PROGRAMS = {"bigram": bigram, "mlp": mlp, "batchnorm_mlp": batchnorm_mlp,
            "layer_classes": layer_classes}
