"""makemore part 5 "WaveNet" (Karpathy): the hand-written torch-ified layers (Linear,
BatchNorm1d over 2-D and 3-D input with dim=(0, 1), Tanh, Embedding, FlattenConsecutive,
Sequential), then the same net from torch.nn: nn.Embedding, a FlattenConsecutive
nn.Module, nn.Linear(bias=False), nn.BatchNorm1d on (N, C, L) through a transpose, trained
with optim.SGD; eval mode after."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list, state_list


def handwritten(lib: Any) -> dict:
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
                if x.ndim == 2:
                    dim = 0
                elif x.ndim == 3:
                    dim = (0, 1)
                xmean = x.mean(dim, keepdim=True)
                xvar = x.var(dim, keepdim=True)
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

    class Embedding:
        def __init__(self, num_embeddings: int, embedding_dim: int) -> None:
            self.weight = lib.randn(num_embeddings, embedding_dim)

        def __call__(self, IX: Any) -> Any:
            self.out = self.weight[IX]
            return self.out

        def parameters(self) -> list:
            return [self.weight]

    class FlattenConsecutive:
        def __init__(self, n: int) -> None:
            self.n = n

        def __call__(self, x: Any) -> Any:
            B, T, C = x.shape
            x = x.view(B, T // self.n, C * self.n)
            if x.shape[1] == 1:
                x = x.squeeze(1)
            self.out = x
            return self.out

        def parameters(self) -> list:
            return []

    class Sequential:
        def __init__(self, layers: list) -> None:
            self.layers = layers

        def __call__(self, x: Any) -> Any:
            for layer in self.layers:
                x = layer(x)
            self.out = x
            return self.out

        def parameters(self) -> list:
            return [p for layer in self.layers for p in layer.parameters()]

    vocab_size, block_size, n_embd, n_hidden = 27, 8, 4, 12
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden),
        Tanh(),
        FlattenConsecutive(2), Linear(n_hidden * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden * 2, n_hidden, bias=False),
        BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, vocab_size),
    ])
    with torch.no_grad():
        model.layers[-1].weight *= 0.1
    parameters = model.parameters()
    nparams = sum(p.nelement() for p in parameters)
    for p in parameters:
        p.requires_grad = True
    Xtr = lib.randint(vocab_size, (40, block_size))
    Ytr = lib.randint(vocab_size, (40,))
    lossi, shapes = [], []
    for i in range(6):
        ix = lib.randint(Xtr.shape[0], (8,))
        Xb, Yb = Xtr[ix], Ytr[ix]
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 3 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
    for layer in model.layers:
        shapes += list(layer.out.shape) + [-1]
    lossi_t = torch.tensor(lossi).view(-1, 2).mean(1)
    for layer in model.layers:
        layer.training = False
    logits = model(Xtr)
    return {"nparams": nparams, "lossi": lossi, "lossi_mean": lossi_t.tolist(),
            "shapes": shapes, "eval_loss": F.cross_entropy(logits, Ytr).item(),
            "running_var": as_list(model.layers[3].running_var),
            "running_mean": as_list(model.layers[7].running_mean),
            "emb": as_list(model.layers[0].weight)}


def with_torch_nn(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F

    class FlattenConsecutive(nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n

        def forward(self, x: Any) -> Any:
            B, T, C = x.shape
            x = x.view(B, T // self.n, C * self.n)
            if x.shape[1] == 1:
                x = x.squeeze(1)
            return x

    class BatchNormNCL(nn.Module):
        """nn.BatchNorm1d over the channels of (B, T, C) through (B, C, T)."""

        def __init__(self, c: int) -> None:
            super().__init__()
            self.bn = nn.BatchNorm1d(c)

        def forward(self, x: Any) -> Any:
            if x.ndim == 3:
                # contiguous(): torch's view in FlattenConsecutive refuses the transpose
                return self.bn(x.transpose(1, 2)).transpose(1, 2).contiguous()
            return self.bn(x)

    vocab_size, block_size, n_embd, n_hidden = 27, 8, 4, 12
    model = nn.Sequential(
        nn.Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), nn.Linear(n_embd * 2, n_hidden, bias=False),
        BatchNormNCL(n_hidden), nn.Tanh(),
        FlattenConsecutive(2), nn.Linear(n_hidden * 2, n_hidden, bias=False),
        BatchNormNCL(n_hidden), nn.Tanh(),
        FlattenConsecutive(2), nn.Linear(n_hidden * 2, n_hidden, bias=False),
        BatchNormNCL(n_hidden), nn.Tanh(),
        nn.Linear(n_hidden, vocab_size),
    )
    lib.load(model)
    names = [n for n, _ in model.named_parameters()]
    buffers = [n for n, _ in model.named_buffers()]
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    Xtr = lib.randint(vocab_size, (40, block_size))
    Ytr = lib.randint(vocab_size, (40,))
    losses = []
    model.train()
    for _ in range(6):
        ix = lib.randint(Xtr.shape[0], (8,))
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        eval_loss = F.cross_entropy(model(Xtr), Ytr).item()
        pred = model(Xtr[:5]).argmax(dim=-1).tolist()
    sd = model.state_dict()
    return {"names": names, "buffers": buffers, "losses": losses, "eval_loss": eval_loss,
            "pred": pred, "running_var": as_list(model[3].bn.running_var),
            "sd_running_mean": state_list(sd["7.bn.running_mean"]),
            "num_batches": int(sd["3.bn.num_batches_tracked"]),
            "w": as_list(model[2].weight), "emb": as_list(model[0].weight)}


PROGRAMS = {"handwritten": handwritten, "with_torch_nn": with_torch_nn}
