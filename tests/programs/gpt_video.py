"""Karpathy's "Let's build GPT: from scratch" (ng-video-lecture): the self-attention
tricks of the notebook (xbow by loops, tril averaging, masked_fill + softmax, the
variance of scaled attention, a hand LayerNorm1d), then gpt.py's model (Head with a tril
buffer and k.shape[-1]**-0.5, MultiHeadAttention over nn.ModuleList and torch.cat,
FeedForward, Block with pre-norm residuals, nn.Sequential(*blocks)), AdamW training with
estimate_loss() under @torch.no_grad() (torch.zeros(eval_iters) filled with .item()s),
and argmax generation decoded to text."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def attention_tricks(lib: Any) -> dict:
    torch, F = lib.torch, lib.F
    B, T, C = 2, 5, 3
    x = lib.randn(B, T, C)
    xbow = torch.zeros((B, T, C))
    for b in range(B):
        for t in range(T):
            xprev = x[b, :t + 1]
            xbow[b, t] = torch.mean(xprev, 0)
    wei = torch.tril(torch.ones(T, T))
    wei = wei / wei.sum(1, keepdim=True)
    xbow2 = wei @ x
    tril = torch.tril(torch.ones(T, T))
    wei = torch.zeros((T, T))
    wei = wei.masked_fill(tril == 0, float("-inf"))
    wei = F.softmax(wei, dim=-1)
    xbow3 = wei @ x
    head_size = 4
    k, q = lib.randn(B, T, head_size), lib.randn(B, T, head_size)
    wei = q @ k.transpose(-2, -1) * head_size**-0.5
    out = {"close2": torch.allclose(xbow, xbow2), "close3": torch.allclose(xbow, xbow3),
           "xbow": as_list(xbow), "wei_var": wei.var().item(), "k_var": k.var().item(),
           "sharp": torch.softmax(torch.tensor([0.1, -0.2, 0.3, -0.2, 0.5]) * 8,
                                  dim=-1).tolist()}

    class LayerNorm1d:
        def __init__(self, dim: int, eps: float = 1e-5) -> None:
            self.eps = eps
            self.gamma = torch.ones(dim)
            self.beta = torch.zeros(dim)

        def __call__(self, x: Any) -> Any:
            xmean = x.mean(1, keepdim=True)
            xvar = x.var(1, keepdim=True)
            xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
            self.out = self.gamma * xhat + self.beta
            return self.out

    x = lib.randn(8, 6)
    y = LayerNorm1d(6)(x)
    out["ln"] = [y[:, 0].mean().item(), y[:, 0].std().item(), y[0, :].mean().item(),
                 y[0, :].std().item()]
    return out


def gpt(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    text = "hello world, this is a tiny corpus for a tiny gpt. hello again!"
    chars = sorted(list(set(text)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}

    def encode(s: str) -> list:
        return [stoi[c] for c in s]

    def decode(li: list) -> str:
        return "".join([itos[i] for i in li])

    data = torch.tensor(encode(text), dtype=torch.long)
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    batch_size, block_size, n_embd, n_head, n_layer, dropout = 4, 6, 8, 2, 2, 0.0
    eval_iters = 3

    def get_batch(split: str) -> tuple:
        data = train_data if split == "train" else val_data
        ix = lib.randint(len(data) - block_size, (batch_size,))
        x = torch.stack([data[i:i + block_size] for i in ix])
        y = torch.stack([data[i + 1:i + block_size + 1] for i in ix])
        return x, y

    @torch.no_grad()
    def estimate_loss() -> dict:
        out = {}
        model.eval()
        for split in ["train", "val"]:
            losses = torch.zeros(eval_iters)
            for k in range(eval_iters):
                X, Y = get_batch(split)
                logits, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    class Head(nn.Module):
        def __init__(self, head_size: int) -> None:
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
            self.dropout = nn.Dropout(dropout)

        def forward(self, x: Any) -> Any:
            B, T, C = x.shape
            k = self.key(x)
            q = self.query(x)
            wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            wei = F.softmax(wei, dim=-1)
            wei = self.dropout(wei)
            v = self.value(x)
            out = wei @ v
            return out

    class MultiHeadAttention(nn.Module):
        def __init__(self, num_heads: int, head_size: int) -> None:
            super().__init__()
            self.heads = nn.ModuleList([Head(head_size) for _ in range(num_heads)])
            self.proj = nn.Linear(head_size * num_heads, n_embd)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x: Any) -> Any:
            out = torch.cat([h(x) for h in self.heads], dim=-1)
            out = self.dropout(self.proj(out))
            return out

    class FeedFoward(nn.Module):
        def __init__(self, n_embd: int) -> None:
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(n_embd, 4 * n_embd), nn.ReLU(), nn.Linear(4 * n_embd, n_embd),
                nn.Dropout(dropout))

        def forward(self, x: Any) -> Any:
            return self.net(x)

    class Block(nn.Module):
        def __init__(self, n_embd: int, n_head: int) -> None:
            super().__init__()
            head_size = n_embd // n_head
            self.sa = MultiHeadAttention(n_head, head_size)
            self.ffwd = FeedFoward(n_embd)
            self.ln1 = nn.LayerNorm(n_embd)
            self.ln2 = nn.LayerNorm(n_embd)

        def forward(self, x: Any) -> Any:
            x = x + self.sa(self.ln1(x))
            x = x + self.ffwd(self.ln2(x))
            return x

    class GPTLanguageModel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
            self.position_embedding_table = nn.Embedding(block_size, n_embd)
            self.blocks = nn.Sequential(*[Block(n_embd, n_head=n_head) for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab_size)
            self.apply(self._init_weights)

        def _init_weights(self, module: Any) -> None:
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx: Any, targets: Any = None) -> tuple:
            B, T = idx.shape
            tok_emb = self.token_embedding_table(idx)
            pos_emb = self.position_embedding_table(torch.arange(T))
            x = tok_emb + pos_emb
            x = self.blocks(x)
            x = self.ln_f(x)
            logits = self.lm_head(x)
            if targets is None:
                loss = None
            else:
                B, T, C = logits.shape
                logits = logits.view(B * T, C)
                targets = targets.view(B * T)
                loss = F.cross_entropy(logits, targets)
            return logits, loss

        def generate(self, idx: Any, max_new_tokens: int) -> Any:
            for _ in range(max_new_tokens):
                idx_cond = idx[:, -block_size:]
                logits, loss = self(idx_cond)
                logits = logits[:, -1, :]
                probs = F.softmax(logits, dim=-1)
                idx_next = torch.argmax(probs, dim=-1, keepdim=True)  # (multinomial in the video)
                idx = torch.cat((idx, idx_next), dim=1)
            return idx

    model = GPTLanguageModel()
    m = lib.load(model, scale=1.0)
    nparams = sum(p.numel() for p in m.parameters()) / 1e6
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses, evals = [], []
    for iter in range(8):
        if iter % 4 == 0 or iter == 7:
            ev = estimate_loss()
            evals.append([ev["train"].item(), ev["val"].item()])
        xb, yb = get_batch("train")
        logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    context = torch.zeros((1, 1), dtype=torch.long)
    with torch.no_grad():
        text_out = decode(m.generate(context, max_new_tokens=12)[0].tolist())
    return {"nparams": nparams, "losses": losses, "evals": evals, "text": text_out,
            "lm_head": as_list(model.lm_head.weight)}


PROGRAMS = {"attention_tricks": attention_tricks, "gpt": gpt}
