"""Training-loop idioms of real scripts: gradient accumulation (loss / accum, several
backward() before step), an EMA of the weights (ema.mul_(d).add_(p, alpha=1 - d) under
no_grad, and lerp_), freezing (requires_grad_(False), filter(lambda p: p.requires_grad)),
per-group learning rates and add_param_group, a checkpoint resumed mid-run from deep
copies of model.state_dict() and optimizer.state_dict() (the resumed losses equal the
uninterrupted ones), forward hooks collecting activations, a full backward hook,
clip_grad_value_, mixup with a NumPy permutation, LambdaLR warmup + CosineAnnealingLR in
SequentialLR, ReduceLROnPlateau, MultiStepLR."""

from __future__ import annotations

import copy
from typing import Any

from tests.programs.namespace import as_list


def _net(lib: Any) -> Any:
    nn = lib.nn
    return lib.load(nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 3)),
                    scale=1.0)


def accumulate_ema_freeze(lib: Any) -> dict:
    torch, F = lib.torch, lib.F
    model = _net(lib)
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    model[0].requires_grad_(False)
    opt = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()), lr=1e-2,
                            weight_decay=0.05)
    x, y = lib.randn(16, 4), lib.randint(3, (16,))
    accum, losses = 4, []
    for _step in range(3):
        for micro in range(accum):
            xb, yb = x[micro * 4:(micro + 1) * 4], y[micro * 4:(micro + 1) * 4]
            loss = F.cross_entropy(model(xb), yb) / accum
            loss.backward()
            losses.append(loss.item())
        opt.step()
        opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.9).add_(pm, alpha=1 - 0.9)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
    with torch.no_grad():
        ema2 = copy.deepcopy(ema)
        for pe, pm in zip(ema2.parameters(), model.parameters()):
            pe.lerp_(pm, 0.25)
    return {"losses": losses, "frozen_unchanged": model[0].weight.grad is None,
            "ema": as_list(ema[3].weight), "ema2": as_list(ema2[2].bias),
            "model": as_list(model[3].weight), "n_opt": len(opt.param_groups[0]["params"])}


def groups_and_resume(lib: Any) -> dict:
    torch, F = lib.torch, lib.F
    model = _net(lib)
    start = copy.deepcopy(model.state_dict())
    x, y = lib.randn(12, 4), lib.randint(3, (12,))

    def make_opt(m: Any) -> Any:
        opt = torch.optim.SGD([{"params": m[0].parameters(), "lr": 0.05},
                               {"params": m[3].parameters()}], lr=0.1, momentum=0.9,
                              nesterov=True)
        opt.add_param_group({"params": m[2].parameters(), "lr": 0.01, "momentum": 0.5})
        return opt

    def step(m: Any, opt: Any, k: int) -> float:
        opt.zero_grad()
        loss = F.cross_entropy(m(x[k % 3 * 4:k % 3 * 4 + 4]), y[k % 3 * 4:k % 3 * 4 + 4])
        loss.backward()
        torch.nn.utils.clip_grad_value_(m.parameters(), 0.3)
        opt.step()
        return loss.item()

    opt = make_opt(model)
    full = [step(model, opt, k) for k in range(6)]
    model2 = _net(lib)
    model2.load_state_dict(start)
    opt2 = make_opt(model2)
    first = [step(model2, opt2, k) for k in range(3)]
    ckpt = {"model": copy.deepcopy(model2.state_dict()),
            "optimizer": copy.deepcopy(opt2.state_dict())}
    model3 = _net(lib)
    opt3 = make_opt(model3)
    model3.load_state_dict(ckpt["model"])
    opt3.load_state_dict(ckpt["optimizer"])
    resumed = first + [step(model3, opt3, k) for k in range(3, 6)]
    return {"full": full, "resumed": resumed, "w": as_list(model3[3].weight),
            "lrs": [g["lr"] for g in opt3.param_groups],
            "momenta": [g["momentum"] for g in opt3.param_groups]}


def hooks_and_mixup(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    model = _net(lib)
    acts, grads = {}, []

    def get_activation(name: str) -> Any:
        def hook(model: Any, input: Any, output: Any) -> None:
            acts[name] = output.detach()
        return hook

    h1 = model[1].register_forward_hook(get_activation("gelu"))
    h2 = model[3].register_full_backward_hook(
        lambda m, gin, gout: grads.append(as_list(gout[0])))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = lib.randn(8, 4), lib.randint(3, (8,))
    losses = []
    for _ in range(3):
        lam = float(lib.rng.beta(0.4, 0.4))
        index = torch.tensor(lib.rng.permutation(8))
        mixed_x = lam * x + (1 - lam) * x[index, :]
        y_a, y_b = y, y[index]
        pred = model(mixed_x)
        loss = lam * F.cross_entropy(pred, y_a) + (1 - lam) * F.cross_entropy(pred, y_b)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    h1.remove()
    h2.remove()
    model(x).sum().backward()
    return {"losses": losses, "act": as_list(acts["gelu"]), "grads": grads,
            "n_grads": len(grads), "isinstance": isinstance(model[1], nn.GELU)}


def schedulers(lib: Any) -> dict:
    torch = lib.torch
    sched = torch.optim.lr_scheduler
    w = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([w], lr=0.1)
    warm = sched.LambdaLR(opt, lambda s: (s + 1) / 3)
    cos = sched.CosineAnnealingLR(opt, T_max=5, eta_min=1e-3)
    seq = sched.SequentialLR(opt, schedulers=[warm, cos], milestones=[3])
    lrs = []
    for _ in range(9):
        opt.step()
        seq.step()
        lrs.append(opt.param_groups[0]["lr"])
    opt2 = torch.optim.Adam([w], lr=0.1)
    plateau = sched.ReduceLROnPlateau(opt2, mode="min", factor=0.5, patience=1)
    for val in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7]:
        plateau.step(val)
        lrs.append(opt2.param_groups[0]["lr"])
    opt3 = torch.optim.SGD([w], lr=1.0)
    ms = sched.MultiStepLR(opt3, milestones=[2, 4], gamma=0.1)
    for _ in range(5):
        opt3.step()
        ms.step()
        lrs.append(ms.get_last_lr()[0])
    return {"lrs": lrs}


PROGRAMS = {"accumulate_ema_freeze": accumulate_ema_freeze,
            "groups_and_resume": groups_and_resume, "hooks_and_mixup": hooks_and_mixup,
            "schedulers": schedulers}
