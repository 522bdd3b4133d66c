"""Karpathy's minGPT: NewGELU written out with torch.pow and math.sqrt(2/π), the
named_modules walk of configure_optimizers (whitelist Linear, blacklist LayerNorm and
Embedding, decay & no_decay sets checked, AdamW groups), generate(do_sample=False) with
torch.topk(probs, k=1), the SortDataset demo as a torch.utils.data.Dataset whose targets
mask the prompt with -1 (cross_entropy ignore_index=-1), the Trainer's DataLoader loop
with clip_grad_norm_ and zero_grad(set_to_none=True), and the demo's evaluation
(torch.equal per row, (inp, sol) sorted check)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tests.programs.namespace import as_list


def sort_demo(lib: Any) -> dict:  # noqa: C901 - the demo's file, as it is
    torch, nn, F = lib.torch, lib.nn, lib.F
    Dataset, DataLoader = lib.data.Dataset, lib.data.DataLoader

    class NewGELU(nn.Module):
        def forward(self, x: Any) -> Any:
            return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi)
                                               * (x + 0.044715 * torch.pow(x, 3.0))))

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size))
                                 .view(1, 1, block_size, block_size))
            self.n_head, self.n_embd = n_head, n_embd

        def forward(self, x: Any) -> Any:
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = att @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention(n_embd, n_head, block_size)
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(n_embd, 4 * n_embd),
                                          c_proj=nn.Linear(4 * n_embd, n_embd),
                                          act=NewGELU()))
            m = self.mlp
            self.mlpf = lambda x: m.c_proj(m.act(m.c_fc(x)))

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            x = x + self.mlpf(self.ln_2(x))
            return x

    class GPT(nn.Module):
        def __init__(self, vocab_size: int, block_size: int, n_layer: int, n_head: int,
                     n_embd: int) -> None:
            super().__init__()
            self.block_size = block_size
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
                h=nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
                ln_f=nn.LayerNorm(n_embd)))
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.n_params = sum(p.numel() for p in self.transformer.parameters())

        def configure_optimizers(self, lr: float, betas: tuple, weight_decay: float) -> Any:
            decay, no_decay = set(), set()
            whitelist_weight_modules = (torch.nn.Linear,)
            blacklist_weight_modules = (torch.nn.LayerNorm, torch.nn.Embedding)
            for mn, m in self.named_modules():
                for pn, _p in m.named_parameters():
                    fpn = "%s.%s" % (mn, pn) if mn else pn  # noqa: UP031 - verbatim
                    if pn.endswith("bias"):
                        no_decay.add(fpn)
                    elif pn.endswith("weight") and isinstance(m, whitelist_weight_modules):
                        decay.add(fpn)
                    elif pn.endswith("weight") and isinstance(m, blacklist_weight_modules):
                        no_decay.add(fpn)
            param_dict = {pn: p for pn, p in self.named_parameters()}
            inter_params = decay & no_decay
            union_params = decay | no_decay
            assert len(inter_params) == 0
            assert len(param_dict.keys() - union_params) == 0
            optim_groups = [
                {"params": [param_dict[pn] for pn in sorted(list(decay))],
                 "weight_decay": weight_decay},
                {"params": [param_dict[pn] for pn in sorted(list(no_decay))],
                 "weight_decay": 0.0},
            ]
            self.groups = [sorted(decay), sorted(no_decay)]
            return torch.optim.AdamW(optim_groups, lr=lr, betas=betas)

        def forward(self, idx: Any, targets: Any = None) -> tuple:
            b, t = idx.size()
            pos = torch.arange(0, t, dtype=torch.long).unsqueeze(0)
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1),
                                       ignore_index=-1)
            return logits, loss

        @torch.no_grad()
        def generate(self, idx: Any, max_new_tokens: int, temperature: float = 1.0,
                     do_sample: bool = False, top_k: int | None = None) -> Any:
            for _ in range(max_new_tokens):
                idx_cond = idx if idx.size(1) <= self.block_size \
                    else idx[:, -self.block_size:]
                logits, _ = self(idx_cond)
                logits = logits[:, -1, :] / temperature
                probs = F.softmax(logits, dim=-1)
                _, idx_next = torch.topk(probs, k=1, dim=-1)
                idx = torch.cat((idx, idx_next), dim=1)
            return idx

    class SortDataset(Dataset):
        def __init__(self, split: str, length: int = 4, num_digits: int = 3) -> None:
            self.split, self.length, self.num_digits = split, length, num_digits
            self.rng = np.random.default_rng(0 if split == "train" else 1)
            self.items = [self.rng.integers(0, num_digits, length) for _ in range(24)]

        def __len__(self) -> int:
            return len(self.items)

        def get_vocab_size(self) -> int:
            return self.num_digits

        def get_block_size(self) -> int:
            return self.length * 2 - 1

        def __getitem__(self, idx: int) -> tuple:
            inp = torch.tensor(self.items[idx], dtype=torch.long)
            sol = torch.sort(inp)[0]
            cat = torch.cat((inp, sol), dim=0)
            x = cat[:-1].clone()
            y = cat[1:].clone()
            y[:self.length - 1] = -1
            return x, y

    train_dataset = SortDataset("train")
    model = GPT(train_dataset.get_vocab_size(), train_dataset.get_block_size(), 2, 2, 8)
    lib.load(model, scale=1.0)
    optimizer = model.configure_optimizers(5e-3, (0.9, 0.95), 0.1)
    loader = DataLoader(train_dataset, shuffle=False, batch_size=8)
    losses = []
    model.train()
    for _epoch in range(2):
        for batch in loader:
            x, y = batch
            logits, loss = model(x, y)
            model.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    n = train_dataset.length
    results, outs = [], []
    for b, (x, y) in enumerate(DataLoader(SortDataset("test"), batch_size=6, shuffle=False)):
        inp = x[:, :n]
        sol = y[:, -n:]
        cat = model.generate(inp, n, do_sample=False)
        sol_candidate = cat[:, n:]
        correct = (sol == sol_candidate).all(1).cpu()
        for i in range(x.size(0)):
            results.append(int(correct[i]))
            outs.append(bool(torch.equal(sol_candidate[i], torch.sort(inp[i])[0])))
        if b == 1:
            break
    return {"n_params": model.n_params, "groups": model.groups, "losses": losses,
            "results": results, "outs": outs, "lm_head": as_list(model.lm_head.weight)}


PROGRAMS = {"sort_demo": sort_demo}
