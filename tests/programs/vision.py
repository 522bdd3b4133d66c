"""Vision programs from pytorch/examples and the usual CIFAR training scripts, on tiny
random images: the VAE (binary_cross_entropy with reduction='sum', the KL term, the
reparameterisation with a NumPy-drawn eps), DCGAN (ConvTranspose2d generator, BatchNorm2d,
LeakyReLU(0.2, inplace=True), BCELoss, label.fill_, fake.detach(), Adam betas (0.5,
0.999), weights_init by classname), and a small ResNet (BasicBlock with a 1×1 shortcut,
F.avg_pool2d, label smoothing, SGD nesterov with weight decay, OneCycleLR, outputs.max(1))."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def vae(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F

    class VAE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(64, 16)
            self.fc21 = nn.Linear(16, 4)
            self.fc22 = nn.Linear(16, 4)
            self.fc3 = nn.Linear(4, 16)
            self.fc4 = nn.Linear(16, 64)

        def encode(self, x: Any) -> tuple:
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu: Any, logvar: Any) -> Any:
            std = torch.exp(0.5 * logvar)
            eps = lib.randn(*std.shape)  # torch.randn_like(std), drawn by NumPy
            return mu + eps * std

        def decode(self, z: Any) -> Any:
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x: Any) -> tuple:
            mu, logvar = self.encode(x.view(-1, 64))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    def loss_function(recon_x: Any, x: Any, mu: Any, logvar: Any) -> Any:
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
        KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return BCE + KLD

    model = lib.load(VAE())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = torch.tensor(lib.rng.uniform(0, 1, (12, 1, 8, 8)).astype("float32"))
    loader = lib.data.DataLoader(lib.data.TensorDataset(images), batch_size=4)
    losses = []
    model.train()
    for _epoch in range(2):
        train_loss = 0
        for _batch_idx, (data,) in enumerate(loader):
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            losses.append(loss.item() / len(data))
        losses.append(train_loss / len(loader.dataset))
    model.eval()
    with torch.no_grad():
        data = images[:4]
        recon_batch, mu, logvar = model(data)
        test_loss = loss_function(recon_batch, data, mu, logvar).item()
        comparison = torch.cat([data[:2], recon_batch.view(4, 1, 8, 8)[:2]])
        sample = model.decode(lib.randn(3, 4))
    return {"losses": losses, "test_loss": test_loss, "comparison": as_list(comparison),
            "sample": as_list(sample)}


def dcgan(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    nz, ngf, ndf, nc = 4, 4, 4, 1

    def weights_init(m: Any) -> None:
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            torch.nn.init.normal_(m.weight, 0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            torch.nn.init.normal_(m.weight, 1.0, 0.02)
            torch.nn.init.zeros_(m.bias)

    class Generator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.main = nn.Sequential(
                nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
                nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
                nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ngf), nn.ReLU(True),
                nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

        def forward(self, input: Any) -> Any:
            return self.main(input)

    class Discriminator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.main = nn.Sequential(
                nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False), nn.Sigmoid())

        def forward(self, input: Any) -> Any:
            return self.main(input)

    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    lib.load(netG, scale=1.0)
    lib.load(netD, scale=1.0)
    criterion = nn.BCELoss()
    real_label, fake_label = 1.0, 0.0
    optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
    reals = torch.tensor(lib.rng.uniform(-1, 1, (12, nc, 16, 16)).astype("float32"))
    dataloader = lib.data.DataLoader(lib.data.TensorDataset(reals), batch_size=4)
    stats = []
    for _epoch in range(2):
        for i, data in enumerate(dataloader, 0):
            netD.zero_grad()
            real_cpu = data[0]
            b_size = real_cpu.size(0)
            label = torch.full((b_size,), real_label, dtype=torch.float)
            output = netD(real_cpu).view(-1)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()
            noise = lib.randn(b_size, nz, 1, 1)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach()).view(-1)
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake).view(-1)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()
            stats.append([errD.item(), errG.item(), D_x, D_G_z1, D_G_z2, float(i)])
    with torch.no_grad():
        fake = netG(lib.randn(2, nz, 1, 1)).detach()
    return {"stats": stats, "fake": as_list(fake),
            "bn_running_var": as_list(netG.main[1].running_var),
            "d_conv": as_list(netD.main[2].weight)}


def resnet(lib: Any) -> dict:
    torch, nn, F = lib.torch, lib.nn, lib.F

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1,
                                   bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1,
                                   bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != self.expansion * planes:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride,
                              bias=False),
                    nn.BatchNorm2d(self.expansion * planes))

        def forward(self, x: Any) -> Any:
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += self.shortcut(x)
            out = F.relu(out)
            return out

    class ResNet(nn.Module):
        def __init__(self, num_classes: int = 5) -> None:
            super().__init__()
            self.in_planes = 4
            self.conv1 = nn.Conv2d(3, 4, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(4)
            self.layer1 = self._make_layer(4, 1, stride=1)
            self.layer2 = self._make_layer(8, 1, stride=2)
            self.linear = nn.Linear(8, num_classes)

        def _make_layer(self, planes: int, num_blocks: int, stride: int) -> Any:
            strides = [stride] + [1] * (num_blocks - 1)
            layers = []
            for stride in strides:
                layers.append(BasicBlock(self.in_planes, planes, stride))
                self.in_planes = planes
            return nn.Sequential(*layers)

        def forward(self, x: Any) -> Any:
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.layer1(out)
            out = self.layer2(out)
            out = F.avg_pool2d(out, 4)
            out = out.view(out.size(0), -1)
            out = self.linear(out)
            return out

    net = lib.load(ResNet(), scale=1.0)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4,
                                nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=6)
    inputs_all = lib.randn(12, 3, 8, 8)
    targets_all = lib.randint(5, (12,))
    losses, lrs, corrects = [], [], []
    net.train()
    for step in range(6):
        sl = slice((step % 3) * 4, (step % 3) * 4 + 4)
        inputs, targets = inputs_all[sl], targets_all[sl]
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        scheduler.step()
        _, predicted = outputs.max(1)
        corrects.append(predicted.eq(targets).sum().item())
        losses.append(loss.item())
        lrs.append(scheduler.get_last_lr()[0])
    net.eval()
    with torch.no_grad():
        outputs = net(inputs_all)
        test_loss = criterion(outputs, targets_all).item()
        _, predicted = outputs.max(1)
    return {"losses": losses, "lrs": lrs, "corrects": corrects, "test_loss": test_loss,
            "predicted": predicted.tolist(), "momentum": optimizer.param_groups[0]["momentum"],
            "bn_mean": as_list(net.layer2[0].shortcut[1].running_mean),
            "conv1": as_list(net.conv1.weight)}


PROGRAMS = {"vae": vae, "dcgan": dcgan, "resnet": resnet}
