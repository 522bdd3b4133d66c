"""Programs that differentiate gradients: the WGAN-GP gradient penalty
(autograd.grad(outputs=d_interpolates, inputs=interpolates, grad_outputs=ones_like,
create_graph=True, retain_graph=True, only_inputs=True), its norm(2, dim=1)), a
physics-informed net (u_x and u_xx of a tanh MLP by autograd.grad with create_graph), a
MAML inner step through fast weights (F.linear with p - lr·g kept in the graph), and
FGSM (data.requires_grad = True, data.grad.data.sign(), torch.clamp)."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def wgan_gp(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    D = lib.load(nn.Sequential(nn.Conv2d(1, 3, 3, 2, 1), nn.LeakyReLU(0.2),
                               nn.Flatten(), nn.Linear(3 * 4 * 4, 1)), scale=1.0)
    G = lib.load(nn.Sequential(nn.Linear(2, 64), nn.Tanh()), scale=1.0)
    optD = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.9))
    optG = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.9))
    real = lib.randn(4, 1, 8, 8)

    def compute_gradient_penalty(D: Any, real_samples: Any, fake_samples: Any) -> Any:
        alpha = torch.tensor(lib.rng.random((real_samples.size(0), 1, 1, 1)).astype("float32"))
        interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
        d_interpolates = D(interpolates)
        fake = torch.ones(real_samples.shape[0], 1)
        gradients = torch.autograd.grad(outputs=d_interpolates, inputs=interpolates,
                                        grad_outputs=fake, create_graph=True,
                                        retain_graph=True, only_inputs=True)[0]
        gradients = gradients.view(gradients.size(0), -1)
        return ((gradients.norm(2, dim=1) - 1) ** 2).mean()

    stats = []
    for i in range(4):
        optD.zero_grad()
        z = lib.randn(4, 2)
        fake_imgs = G(z).view(4, 1, 8, 8)
        gp = compute_gradient_penalty(D, real.data, fake_imgs.data)
        d_loss = -torch.mean(D(real)) + torch.mean(D(fake_imgs.detach())) + 10 * gp
        d_loss.backward()
        optD.step()
        optG.zero_grad()
        if i % 2 == 1:
            g_loss = -torch.mean(D(G(z).view(4, 1, 8, 8)))
            g_loss.backward()
            optG.step()
            stats.append(g_loss.item())
        stats += [d_loss.item(), gp.item()]
    return {"stats": stats, "conv": as_list(D[0].weight), "lin": as_list(D[3].weight),
            "g": as_list(G[0].weight)}


def pinn(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    net = lib.load(nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(),
                                 nn.Linear(8, 1)), scale=2.0)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x = torch.tensor(lib.rng.uniform(-1, 1, (16, 1)).astype("float32"), requires_grad=True)
    t = torch.tensor(lib.rng.uniform(0, 1, (16, 1)).astype("float32"), requires_grad=True)
    nu = 0.01 / torch.pi
    losses = []
    for _ in range(5):
        opt.zero_grad()
        u = net(torch.cat([x, t], dim=1))
        u_t = torch.autograd.grad(u, t, grad_outputs=torch.ones_like(u), create_graph=True)[0]
        u_x = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
        u_xx = torch.autograd.grad(u_x, x, grad_outputs=torch.ones_like(u_x),
                                   create_graph=True)[0]
        f = u_t + u * u_x - nu * u_xx
        x0 = x.detach()
        u0 = net(torch.cat([x0, torch.zeros_like(x0)], dim=1))
        loss = torch.mean(f**2) + torch.mean((u0 + torch.sin(torch.pi * x0)) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"losses": losses, "u_xx": as_list(u_xx), "w": as_list(net[2].weight),
            "x_grad": as_list(x.grad)}


def maml(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    model = lib.load(nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1)), scale=2.0)
    meta_opt = torch.optim.Adam(model.parameters(), lr=1e-2)

    def functional_forward(x: Any, params: list) -> Any:
        x = F.relu(F.linear(x, params[0], params[1]))
        return F.linear(x, params[2], params[3])

    meta_losses = []
    for _it in range(4):
        meta_opt.zero_grad()
        meta_loss = 0
        for _task in range(2):
            a, p = lib.rng.uniform(0.5, 2), lib.rng.uniform(0, 3)
            xs = lib.rng.uniform(-3, 3, (6, 1)).astype("float32")
            xq = lib.rng.uniform(-3, 3, (6, 1)).astype("float32")
            x_s, y_s = torch.tensor(xs), torch.tensor((a * __import__("numpy").sin(xs + p))
                                                       .astype("float32"))
            x_q, y_q = torch.tensor(xq), torch.tensor((a * __import__("numpy").sin(xq + p))
                                                       .astype("float32"))
            params = list(model.parameters())
            loss = F.mse_loss(functional_forward(x_s, params), y_s)
            grads = torch.autograd.grad(loss, params, create_graph=True)
            fast = [w - 0.01 * g for w, g in zip(params, grads)]
            meta_loss = meta_loss + F.mse_loss(functional_forward(x_q, fast), y_q)
        meta_loss.backward()
        meta_opt.step()
        meta_losses.append(meta_loss.item())
    return {"meta_losses": meta_losses, "w0": as_list(model[0].weight),
            "w2": as_list(model[2].weight)}


def fgsm(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F
    model = lib.load(nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3),
                                   nn.LogSoftmax(dim=1)), scale=2.0).eval()

    def fgsm_attack(image: Any, epsilon: float, data_grad: Any) -> Any:
        sign_data_grad = data_grad.sign()
        perturbed_image = image + epsilon * sign_data_grad
        perturbed_image = torch.clamp(perturbed_image, 0, 1)
        return perturbed_image

    results = []
    images = torch.tensor(lib.rng.uniform(0, 1, (6, 1, 4, 4)).astype("float32"))
    targets = lib.randint(3, (6,))
    for epsilon in (0.0, 0.1, 0.3):
        correct = 0
        for k in range(6):
            data, target = images[k:k + 1].clone(), targets[k:k + 1]
            data.requires_grad = True
            output = model(data)
            init_pred = output.max(1, keepdim=True)[1]
            if init_pred.item() != target.item():
                continue
            loss = F.nll_loss(output, target)
            model.zero_grad()
            loss.backward()
            data_grad = data.grad.data
            perturbed_data = fgsm_attack(data, epsilon, data_grad)
            output = model(perturbed_data)
            final_pred = output.max(1, keepdim=True)[1]
            if final_pred.item() == target.item():
                correct += 1
            results.append(as_list(perturbed_data.squeeze().detach()[0]))
        results.append(correct / 6)
    return {"results": results}


PROGRAMS = {"wgan_gp": wgan_gp, "pinn": pinn, "maml": maml, "fgsm": fgsm}
