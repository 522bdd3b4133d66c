"""PyTorch's "Deep Learning with PyTorch: A 60 Minute Blitz" and the linear-regression
tutorial: tensor basics (new_ones, randn_like with dtype, add_, view(-1, 8), size()),
autograd basics (y.data.norm() doubling loop, y.backward(v), no_grad, requires_grad_),
LeNet (F.max_pool2d with a tuple and an int window, torch.flatten), out.backward(grad),
grad_fn.next_functions, the manual update f.data.sub_(f.grad.data * lr), optim.SGD,
torch.max(outputs, 1) accuracy and per-class counts; linear regression on from_numpy."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.programs.namespace import as_list


def basics(lib: Any) -> dict:
    torch = lib.torch
    x = lib.randn(5, 3)
    x = x.new_ones(5, 3, dtype=torch.double)
    y = torch.tensor(lib.rng.standard_normal((5, 3))).float()
    z = x.float().add_(y)
    r = torch.add(x.float(), y)
    v = lib.randn(4, 4)
    w8 = v.view(-1, 8)
    out = {"dtype": str(x.dtype).split(".")[-1], "z": as_list(z), "r_eq": bool(torch.equal(r, z)),
           "sizes": [list(v.size()), list(w8.size()), list(v.view(16).size())],
           "item": v[1, 1].item(), "numpy": x.numpy()[0].tolist()}
    a = torch.ones(2, 2, requires_grad=True)
    b = a + 2
    c = b * b * 3
    m = c.mean()
    m.backward()
    out["a_grad"] = as_list(a.grad)
    out["grad_fn"] = type(b.grad_fn).__name__ != ""
    x = lib.randn(3)
    x.requires_grad = True
    y = x * 2
    doublings = 0
    while y.data.norm() < 1000:
        y = y * 2
        doublings += 1
    vv = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(vv)
    out["doublings"], out["x_grad"] = doublings, as_list(x.grad)
    with torch.no_grad():
        out["nograd"] = (x**2).requires_grad
    out["detach_eq"] = bool(x.detach().eq(x).all())
    return out


def lenet(lib: Any) -> dict:
    torch, nn, F, optim = lib.torch, lib.nn, lib.F, lib.optim

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    net = lib.load(Net(), scale=1.0)
    params = list(net.parameters())
    out = {"nparams": len(params), "size0": list(params[0].size())}
    input = lib.randn(1, 1, 32, 32)
    output = net(input)
    net.zero_grad()
    output.backward(lib.randn(1, 10))
    out["conv1_bias_grad"] = as_list(net.conv1.bias.grad)
    target = lib.randn(10).view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(net(input), target)
    out["loss"] = loss.item()
    out["next"] = loss.grad_fn.next_functions[0][0] is not None
    net.zero_grad()
    loss.backward()
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    images = lib.randn(8, 1, 32, 32)
    labels = lib.randint(10, (8,))
    crit = nn.CrossEntropyLoss()
    losses = []
    for _epoch in range(2):
        running_loss = 0.0
        for i in range(2):
            inputs, lbl = images[i * 4:(i + 1) * 4], labels[i * 4:(i + 1) * 4]
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = crit(outputs, lbl)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        losses.append(running_loss / 2)
    classes = tuple("0123456789")
    correct = total = 0
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        outputs = net(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
        for label, prediction in zip(labels, predicted):
            if label == prediction:
                correct_pred[classes[label]] += 1
            total_pred[classes[label]] += 1
    out.update(losses=losses, correct=correct, total=total, per_class=correct_pred,
               predicted=predicted.tolist(), fc3=as_list(net.fc3.weight))
    return out


def linear_regression(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    x_train = np.linspace(1, 10, 15, dtype=np.float32).reshape(-1, 1)
    y_train = (2.5 * x_train + 1 + lib.rng.standard_normal((15, 1))).astype(np.float32)
    model = lib.load(nn.Linear(1, 1))
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(20):
        inputs = torch.from_numpy(x_train)
        targets = torch.from_numpy(y_train)
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (epoch + 1) % 5 == 0:
            losses.append(loss.item())
    predicted = model(torch.from_numpy(x_train)).detach().numpy()
    return {"losses": losses, "predicted": predicted.ravel().tolist(),
            "w": model.weight.item(), "b": model.bias.item()}


PROGRAMS = {"basics": basics, "lenet": lenet, "linear_regression": linear_regression}
