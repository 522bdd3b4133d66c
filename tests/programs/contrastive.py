"""Metric-learning programs: SimCLR's NT-Xent loss (F.normalize, z @ z.T / τ, the
self-similarity masked with masked_fill_ or fill_diagonal_, positives by index,
cross_entropy), a Siamese net with F.pairwise_distance and the contrastive loss
(torch.clamp(margin - d, min=0.0)), and F.cosine_similarity scores; Adam steps."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def simclr(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    encoder = lib.load(nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 4)), scale=1.0)
    opt = torch.optim.Adam(encoder.parameters(), lr=1e-2)
    x = lib.randn(5, 6)

    def nt_xent(z1: Any, z2: Any, temperature: float = 0.5) -> Any:
        n = z1.size(0)
        z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
        sim = torch.matmul(z, z.T) / temperature
        mask = torch.eye(2 * n, dtype=torch.bool)
        sim.masked_fill_(mask, -9e15)
        targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
        return F.cross_entropy(sim, targets)

    def nt_xent_diag(z1: Any, z2: Any, temperature: float = 0.5) -> Any:
        z = F.normalize(torch.cat([z1, z2]), p=2, dim=-1)
        sim = z @ z.t() / temperature
        sim = sim.clone()
        sim.fill_diagonal_(float("-inf"))
        n = z1.shape[0]
        labels = (torch.arange(2 * n) + n) % (2 * n)
        return F.cross_entropy(sim, labels)

    losses = []
    for step in range(4):
        noise1, noise2 = lib.randn(5, 6) * 0.1, lib.randn(5, 6) * 0.1
        z1, z2 = encoder(x + noise1), encoder(x + noise2)
        loss = nt_xent(z1, z2) if step % 2 == 0 else nt_xent_diag(z1, z2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        z = encoder(x)
        cos = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=-1)
    return {"losses": losses, "cos": as_list(cos), "w": as_list(encoder[2].weight)}


def siamese(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F

    class ContrastiveLoss(nn.Module):
        def __init__(self, margin: float = 2.0) -> None:
            super().__init__()
            self.margin = margin

        def forward(self, output1: Any, output2: Any, label: Any) -> Any:
            euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
            return torch.mean((1 - label) * torch.pow(euclidean_distance, 2)
                              + label * torch.pow(torch.clamp(self.margin - euclidean_distance,
                                                              min=0.0), 2))

    net = lib.load(nn.Sequential(nn.Linear(4, 6), nn.ReLU(inplace=True), nn.Linear(6, 3)),
                   scale=1.0)
    criterion = ContrastiveLoss()
    opt = torch.optim.Adam(net.parameters(), lr=5e-3)
    a, b = lib.randn(8, 4), lib.randn(8, 4)
    label = torch.tensor(lib.rng.integers(0, 2, (8, 1)).astype("float32"))
    losses = []
    for _ in range(4):
        o1, o2 = net(a), net(b)
        loss = criterion(o1, o2, label)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        d = F.pairwise_distance(net(a), net(b))
        triplet = F.relu(d[:4] - d[4:] + 0.5).mean()
    return {"losses": losses, "d": as_list(d), "triplet": triplet.item()}


PROGRAMS = {"simclr": simclr, "siamese": siamese}
