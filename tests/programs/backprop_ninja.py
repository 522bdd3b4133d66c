"""makemore part 4 "backprop ninja" (Karpathy): the forward pass chunked into small steps,
retain_grad() on every intermediate, the hand-derived backward pass compared to autograd
with cmp() (torch.all, torch.allclose, (dt - t.grad).abs().max().item()), then the fused
cross-entropy and batch-norm backward formulas and a training loop on the manual grads."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def _setup(lib: Any, n_embd: int = 4, n_hidden: int = 16, block_size: int = 3,
           vocab_size: int = 27, n: int = 16) -> tuple:
    torch = lib.torch
    C = lib.randn(vocab_size, n_embd)
    W1 = lib.randn(n_embd * block_size, n_hidden) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    b1 = lib.randn(n_hidden) * 0.1
    W2 = lib.randn(n_hidden, vocab_size) * 0.1
    b2 = lib.randn(vocab_size) * 0.1
    bngain = lib.randn(1, n_hidden) * 0.1 + 1.0
    bnbias = lib.randn(1, n_hidden) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    Xb = lib.randint(vocab_size, (n, block_size))
    Yb = lib.randint(vocab_size, (n,))
    return torch, parameters, Xb, Yb


def exercise1(lib: Any) -> dict:
    torch, parameters, Xb, Yb = _setup(lib)
    F = lib.F
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    n = Xb.shape[0]
    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)  # Bessel's correction
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    for p in parameters:
        p.grad = None
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes,
              logits, h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
              embcat, emb]:
        t.retain_grad()
    loss.backward()

    report, exact = {}, {}

    def cmp(s: str, dt: Any, t: Any) -> None:
        ex = torch.all(dt == t.grad).item()
        app = torch.allclose(dt, t.grad)
        maxdiff = (dt - t.grad).abs().max().item()
        # bit-exactness past tanh is float rounding (torch's kernels fuse, so it prints
        # exact: False from hpreact on); it is kept apart for the test to read
        exact[s] = bool(ex)
        report[s] = [bool(app), maxdiff < 1e-6]

    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2 * bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]

    for name, d, t in [("logprobs", dlogprobs, logprobs), ("probs", dprobs, probs),
                       ("counts_sum_inv", dcounts_sum_inv, counts_sum_inv),
                       ("counts_sum", dcounts_sum, counts_sum), ("counts", dcounts, counts),
                       ("norm_logits", dnorm_logits, norm_logits),
                       ("logit_maxes", dlogit_maxes, logit_maxes), ("logits", dlogits, logits),
                       ("h", dh, h), ("W2", dW2, W2), ("b2", db2, b2),
                       ("hpreact", dhpreact, hpreact), ("bngain", dbngain, bngain),
                       ("bnbias", dbnbias, bnbias), ("bnraw", dbnraw, bnraw),
                       ("bnvar_inv", dbnvar_inv, bnvar_inv), ("bnvar", dbnvar, bnvar),
                       ("bndiff2", dbndiff2, bndiff2), ("bndiff", dbndiff, bndiff),
                       ("bnmeani", dbnmeani, bnmeani), ("hprebn", dhprebn, hprebn),
                       ("embcat", dembcat, embcat), ("W1", dW1, W1), ("b1", db1, b1),
                       ("emb", demb, emb), ("C", dC, C)]:
        cmp(name, d, t)

    # exercise 2: cross entropy and batch norm backward in one formula each
    loss_fast = F.cross_entropy(logits, Yb)
    dlogits2 = F.softmax(logits, 1)
    dlogits2[range(n), Yb] -= 1
    dlogits2 /= n
    hpreact_fast = bngain * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(
        hprebn.var(0, keepdim=True, unbiased=True) + 1e-5) + bnbias
    dhprebn2 = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw
                                         * (dhpreact * bnraw).sum(0))
    return {"loss": loss.item(), "cmp": report, "exact": exact,
            "loss_fast_close": abs((loss_fast - loss).item()) < 1e-6,
            "dlogits_maxdiff_small": (dlogits2 - logits.grad).abs().max().item() < 1e-7,
            "hpreact_fast_maxdiff_small": (hpreact_fast - hpreact).abs().max().item() < 1e-6,
            "dhprebn_close": torch.allclose(dhprebn2, hprebn.grad, atol=1e-7) or
            (dhprebn2 - hprebn.grad).abs().max().item() < 1e-6,
            "dC": as_list(dC), "dW1": as_list(dW1), "W1_grad": as_list(W1.grad),
            "dhprebn2": as_list(dhprebn2)}


def exercise4(lib: Any) -> dict:
    """Training on the manual gradients under torch.no_grad(), checked once against
    autograd, as the notebook's last exercise."""
    torch, parameters, Xtr, Ytr = _setup(lib, n=40)
    F = lib.F
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    lossi, checks = [], []
    with torch.no_grad():
        for i in range(6):
            ix = lib.randint(Xtr.shape[0], (16,))
            Xb, Yb = Xtr[ix], Ytr[ix]
            n = Xb.shape[0]
            emb = C[Xb]
            embcat = emb.view(emb.shape[0], -1)
            hprebn = embcat @ W1 + b1
            bnmean = hprebn.mean(0, keepdim=True)
            bnvar = hprebn.var(0, keepdim=True, unbiased=True)
            bnvar_inv = (bnvar + 1e-5) ** -0.5
            bnraw = (hprebn - bnmean) * bnvar_inv
            hpreact = bngain * bnraw + bnbias
            h = torch.tanh(hpreact)
            logits = h @ W2 + b2
            loss = F.cross_entropy(logits, Yb)
            dlogits = F.softmax(logits, 1)
            dlogits[range(n), Yb] -= 1
            dlogits /= n
            dh = dlogits @ W2.T
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(0)
            dhpreact = (1.0 - h**2) * dh
            dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
            dbnbias = dhpreact.sum(0, keepdim=True)
            dhprebn = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0)
                                                - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
            dembcat = dhprebn @ W1.T
            dW1 = embcat.T @ dhprebn
            db1 = dhprebn.sum(0)
            demb = dembcat.view(emb.shape)
            dC = torch.zeros_like(C)
            dC.index_add_(0, Xb.view(-1), demb.view(-1, demb.shape[-1]))
            grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
            if i == 0:
                with torch.enable_grad():
                    emb2 = C[Xb]
                    hpre = emb2.view(n, -1) @ W1 + b1
                    hpre = bngain * (hpre - hpre.mean(0, keepdim=True)) / torch.sqrt(
                        hpre.var(0, keepdim=True) + 1e-5) + bnbias
                    loss2 = F.cross_entropy(torch.tanh(hpre) @ W2 + b2, Yb)
                    loss2.backward()
                checks = [(p.grad - g).abs().max().item() < 1e-6 for p, g in zip(parameters, grads)]
            for p, grad in zip(parameters, grads):
                p.data += -0.1 * grad
            lossi.append(loss.item())
    return {"lossi": lossi, "checks": checks, "C": as_list(C), "bngain": as_list(bngain)}


PROGRAMS = {"exercise1": exercise1, "exercise4": exercise4}
