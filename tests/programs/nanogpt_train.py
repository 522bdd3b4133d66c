"""nanoGPT's train.py on CPU around model.py (tests/programs/nanogpt.py): the dtype table
naming torch.bfloat16, torch.backends.*.allow_tf32 = True, ctx = nullcontext(),
torch.cuda.amp.GradScaler(enabled=(dtype == 'float16')) (disabled without CUDA),
get_batch from a NumPy array through torch.from_numpy(...astype(np.int64)),
estimate_loss(), gradient accumulation through scaler.scale(loss).backward(),
scaler.unscale_ + clip_grad_norm_, scaler.step/update, a checkpoint written with
torch.save and resumed with torch.load(map_location=) and the '_orig_mod.' prefix strip."""

from __future__ import annotations

import math
import tempfile
import warnings
from contextlib import nullcontext
from typing import Any

import numpy as np

from tests.programs.nanogpt import GPTConfig, build


def train(lib: Any) -> dict:  # noqa: C901 - the script, as it is
    torch = lib.torch
    batch_size, block_size, gradient_accumulation_steps = 4, 8, 2
    learning_rate, max_iters, weight_decay = 1e-2, 6, 1e-1
    beta1, beta2, grad_clip = 0.9, 0.95, 1.0
    warmup_iters, lr_decay_iters, min_lr = 2, 6, 1e-3
    eval_iters, device, device_type = 2, "cpu", "cpu"
    dtype = "bfloat16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() \
        else "float16"
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16,
               "float16": torch.float16}[dtype]
    ctx = nullcontext() if device_type == "cpu" else torch.amp.autocast(
        device_type=device_type, dtype=ptdtype)
    train_data = lib.rng.integers(0, 13, 300).astype(np.uint16)
    val_data = lib.rng.integers(0, 13, 100).astype(np.uint16)

    def get_batch(split: str) -> tuple:
        data = train_data if split == "train" else val_data
        ix = lib.rng.integers(0, len(data) - block_size, (batch_size,))
        x = torch.stack([torch.from_numpy((data[i:i + block_size]).astype(np.int64))
                         for i in ix])
        y = torch.stack([torch.from_numpy((data[i + 1:i + 1 + block_size]).astype(np.int64))
                         for i in ix])
        return x, y

    model_args = dict(n_layer=2, n_head=2, n_embd=8, block_size=block_size, bias=False,
                      vocab_size=13, dropout=0.0)
    GPT = build(lib, flash=True)
    model = GPT(GPTConfig(**model_args))
    lib.load(model, scale=1.0)
    with warnings.catch_warnings():  # torch's FutureWarning/UserWarning without CUDA
        warnings.simplefilter("ignore")
        scaler = torch.cuda.amp.GradScaler(enabled=(dtype == "float16"))
    optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2),
                                           device_type)

    @torch.no_grad()
    def estimate_loss() -> dict:
        out = {}
        model.eval()
        for split in ["train", "val"]:
            losses = torch.zeros(eval_iters)
            for k in range(eval_iters):
                X, Y = get_batch(split)
                with ctx:
                    logits, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    def get_lr(it: int) -> float:
        if it < warmup_iters:
            return learning_rate * (it + 1) / (warmup_iters + 1)
        if it > lr_decay_iters:
            return min_lr
        decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return min_lr + coeff * (learning_rate - min_lr)

    def run(iter_num: int, stop: int, X: Any, Y: Any, log: dict) -> tuple:
        best_val_loss = log.get("best", 1e9)
        while True:
            lr = get_lr(iter_num)
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr
            if iter_num % 3 == 0:
                losses = estimate_loss()
                log["evals"].append([losses["train"].item(), losses["val"].item()])
                if losses["val"] < best_val_loss:
                    best_val_loss = losses["val"]
            for _micro_step in range(gradient_accumulation_steps):
                with ctx:
                    logits, loss = model(X, Y)
                    loss = loss / gradient_accumulation_steps
                X, Y = get_batch("train")
                scaler.scale(loss).backward()
            if grad_clip != 0.0:
                scaler.unscale_(optimizer)
                log["norms"].append(float(torch.nn.utils.clip_grad_norm_(model.parameters(),
                                                                        grad_clip)))
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            log["losses"].append(loss.item() * gradient_accumulation_steps)
            iter_num += 1
            if iter_num > stop:
                return iter_num, X, Y, best_val_loss

    log: dict = {"evals": [], "norms": [], "losses": []}
    X, Y = get_batch("train")
    iter_num, X, Y, best = run(0, 2, X, Y, log)
    with tempfile.TemporaryDirectory() as out_dir:
        checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                      "model_args": model_args, "iter_num": iter_num,
                      "best_val_loss": best}
        torch.save(checkpoint, out_dir + "/ckpt.pt")
        checkpoint = torch.load(out_dir + "/ckpt.pt", map_location=device)
    state_dict = checkpoint["model"]
    unwanted_prefix = "_orig_mod."
    for k, _v in list(state_dict.items()):
        if k.startswith(unwanted_prefix):
            state_dict[k[len(unwanted_prefix):]] = state_dict.pop(k)
    model = GPT(GPTConfig(**checkpoint["model_args"]))
    model.load_state_dict(state_dict)
    optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2),
                                           device_type)
    optimizer.load_state_dict(checkpoint["optimizer"])
    log["best"] = float(checkpoint["best_val_loss"])
    run(checkpoint["iter_num"], max_iters, X, Y, log)
    log["wte"] = np.asarray(model.transformer.wte.weight.detach(), np.float64).tolist()
    log["dtype"] = dtype
    return log


PROGRAMS = {"train": train}
