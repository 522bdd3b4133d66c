"""nanoGPT's model.py (Karpathy), nearly verbatim: CausalSelfAttention with the causal
mask buffer (register_buffer("bias", torch.tril(...).view(1, 1, T, T)), masked_fill with
-inf, F.softmax) and the flash path (F.scaled_dot_product_attention(is_causal=True)),
LayerNorm(bias=False), GELU, weight tying, _init_weights (normal_ std 0.02, the scaled
c_proj init), configure_optimizers (AdamW with decay/no-decay groups, fused=False),
get_num_params, estimate_mfu, crop_block_size, generate() with top_k; train.py's cosine
learning-rate schedule and clip_grad_norm_. Ten training steps from NumPy-drawn weights."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any

from tests.programs.namespace import as_list


@dataclass
class GPTConfig:
    block_size: int = 8
    vocab_size: int = 13
    n_layer: int = 2
    n_head: int = 2
    n_embd: int = 8
    dropout: float = 0.0
    bias: bool = True


def build(lib: Any, flash: bool) -> Any:  # noqa: C901 - the model file, as it is
    torch, nn, F = lib.torch, lib.nn, lib.F

    class LayerNorm(nn.Module):
        """LayerNorm but with an optional bias. PyTorch doesn't support simply bias=False"""

        def __init__(self, ndim: int, bias: bool) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

        def forward(self, input: Any) -> Any:
            return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)

    class CausalSelfAttention(nn.Module):
        def __init__(self, config: GPTConfig) -> None:
            super().__init__()
            assert config.n_embd % config.n_head == 0
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
            self.attn_dropout = nn.Dropout(config.dropout)
            self.resid_dropout = nn.Dropout(config.dropout)
            self.n_head = config.n_head
            self.n_embd = config.n_embd
            self.dropout = config.dropout
            self.flash = flash and hasattr(torch.nn.functional, "scaled_dot_product_attention")
            if not self.flash:
                bs = config.block_size
                self.register_buffer("bias", torch.tril(torch.ones(bs, bs)).view(1, 1, bs, bs))

        def forward(self, x: Any) -> Any:
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            if self.flash:
                y = torch.nn.functional.scaled_dot_product_attention(
                    q, k, v, attn_mask=None, dropout_p=self.dropout if self.training else 0,
                    is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
                att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
                att = F.softmax(att, dim=-1)
                att = self.attn_dropout(att)
                y = att @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            y = self.resid_dropout(self.c_proj(y))
            return y

    class MLP(nn.Module):
        def __init__(self, config: GPTConfig) -> None:
            super().__init__()
            self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
            self.dropout = nn.Dropout(config.dropout)

        def forward(self, x: Any) -> Any:
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))

    class Block(nn.Module):
        def __init__(self, config: GPTConfig) -> None:
            super().__init__()
            self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
            self.mlp = MLP(config)

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            x = x + self.mlp(self.ln_2(x))
            return x

    class GPT(nn.Module):
        def __init__(self, config: GPTConfig) -> None:
            super().__init__()
            assert config.vocab_size is not None
            assert config.block_size is not None
            self.config = config
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),
                wpe=nn.Embedding(config.block_size, config.n_embd),
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            ))
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight
            self.apply(self._init_weights)
            for pn, p in self.named_parameters():
                if pn.endswith("c_proj.weight"):
                    torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

        def get_num_params(self, non_embedding: bool = True) -> int:
            n_params = sum(p.numel() for p in self.parameters())
            if non_embedding:
                n_params -= self.transformer.wpe.weight.numel()
            return n_params

        def _init_weights(self, module: Any) -> None:
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx: Any, targets: Any = None) -> tuple:
            device = idx.device
            b, t = idx.size()
            assert t <= self.config.block_size
            pos = torch.arange(0, t, dtype=torch.long, device=device)
            tok_emb = self.transformer.wte(idx)
            pos_emb = self.transformer.wpe(pos)
            x = self.transformer.drop(tok_emb + pos_emb)
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)
            if targets is not None:
                logits = self.lm_head(x)
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)
            else:
                logits = self.lm_head(x[:, [-1], :])
                loss = None
            return logits, loss

        def crop_block_size(self, block_size: int) -> None:
            assert block_size <= self.config.block_size
            self.config.block_size = block_size
            self.transformer.wpe.weight = nn.Parameter(
                self.transformer.wpe.weight[:block_size])
            for block in self.transformer.h:
                if hasattr(block.attn, "bias"):
                    block.attn.bias = block.attn.bias[:, :, :block_size, :block_size]

        def configure_optimizers(self, weight_decay: float, learning_rate: float,
                                 betas: tuple, device_type: str) -> Any:
            param_dict = {pn: p for pn, p in self.named_parameters()}
            param_dict = {pn: p for pn, p in param_dict.items() if p.requires_grad}
            decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
            nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
            optim_groups = [
                {"params": decay_params, "weight_decay": weight_decay},
                {"params": nodecay_params, "weight_decay": 0.0},
            ]
            self.num_decay_params = sum(p.numel() for p in decay_params)
            self.num_nodecay_params = sum(p.numel() for p in nodecay_params)
            fused_available = "fused" in inspect.signature(torch.optim.AdamW).parameters
            use_fused = fused_available and device_type == "cuda"
            extra_args = dict(fused=True) if use_fused else dict()
            optimizer = torch.optim.AdamW(optim_groups, lr=learning_rate, betas=betas,
                                          **extra_args)
            return optimizer

        def estimate_mfu(self, fwdbwd_per_iter: int, dt: float) -> float:
            N = self.get_num_params()
            cfg = self.config
            L, H, Q, T = cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head, cfg.block_size
            flops_per_token = 6 * N + 12 * L * H * Q * T
            flops_per_fwdbwd = flops_per_token * T
            flops_per_iter = flops_per_fwdbwd * fwdbwd_per_iter
            flops_achieved = flops_per_iter * (1.0 / dt)
            flops_promised = 312e12
            return flops_achieved / flops_promised

        @torch.no_grad()
        def generate(self, idx: Any, max_new_tokens: int, temperature: float = 1.0,
                     top_k: int | None = None) -> Any:
            for _ in range(max_new_tokens):
                idx_cond = idx if idx.size(1) <= self.config.block_size \
                    else idx[:, -self.config.block_size:]
                logits, _ = self(idx_cond)
                logits = logits[:, -1, :] / temperature
                if top_k is not None:
                    v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                    logits[logits < v[:, [-1]]] = -float("Inf")
                probs = F.softmax(logits, dim=-1)
                idx_next = torch.multinomial(probs, num_samples=1)
                idx = torch.cat((idx, idx_next), dim=1)
            return idx

    return GPT


def _train(lib: Any, flash: bool, bias: bool) -> dict:
    torch = lib.torch
    config = GPTConfig(bias=bias)
    model = build(lib, flash)(config)
    out = {"num_params": model.get_num_params(), "num_params_all": model.get_num_params(False),
           "tied": model.transformer.wte.weight is model.lm_head.weight,
           "names": [n for n, _ in model.named_parameters()]}
    # the random init differs from torch's draws; its scale is torch's
    std = model.transformer.h[0].attn.c_proj.weight.std().item()
    out["c_proj_std_ok"] = 0.005 < std < 0.02
    lib.load(model, scale=1.0)
    optimizer = model.configure_optimizers(0.1, 1e-2, (0.9, 0.95), "cpu")
    out["groups"] = [model.num_decay_params, model.num_nodecay_params,
                     len(optimizer.param_groups[0]["params"])]
    data = lib.rng.integers(0, config.vocab_size, 200)

    def get_batch() -> tuple:
        ix = lib.rng.integers(0, len(data) - config.block_size, (4,))
        x = torch.stack([torch.tensor(data[i:i + config.block_size]) for i in ix])
        y = torch.stack([torch.tensor(data[i + 1:i + 1 + config.block_size]) for i in ix])
        return x, y

    def get_lr(it: int, warmup_iters: int = 3, lr_decay_iters: int = 8,
               learning_rate: float = 1e-2, min_lr: float = 1e-3) -> float:
        if it < warmup_iters:
            return learning_rate * (it + 1) / (warmup_iters + 1)
        if it > lr_decay_iters:
            return min_lr
        decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return min_lr + coeff * (learning_rate - min_lr)

    losses, norms = [], []
    model.train()
    for it in range(10):
        lr = get_lr(it)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr
        X, Y = get_batch()
        if it % 2:
            Y[0, -3:] = -1  # cross_entropy's ignore_index=-1 (padding in nanoGPT's finetunes)
        logits, loss = model(X, Y)
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0).item())
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    out.update(losses=losses, norms=norms, mfu=model.estimate_mfu(4 * 5, 0.5))
    model.eval()
    idx = torch.tensor([[1, 2, 3]])
    out["generated"] = model.generate(idx, 10, temperature=0.8, top_k=1).tolist()
    logits, _ = model(idx)
    out["last_logits"] = as_list(logits)
    out["wte"] = as_list(model.transformer.wte.weight)
    out["state"] = sorted(optimizer.state_dict()["state"][0].keys())
    model.crop_block_size(4)
    logits, loss = model(idx, torch.tensor([[2, 3, 4]]))
    out["cropped_loss"] = loss.item()
    return out


def flash_bias(lib: Any) -> dict:
    return _train(lib, flash=True, bias=True)


def manual_attention_no_bias(lib: Any) -> dict:
    return _train(lib, flash=False, bias=False)


PROGRAMS = {"flash_bias": flash_bias, "manual_attention_no_bias": manual_attention_no_bias}
