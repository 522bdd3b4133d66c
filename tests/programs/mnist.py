"""PyTorch examples/mnist/main.py on random 28×28 digits (narrower convolutions):
Conv2d, F.max_pool2d, Dropout (train at p = 0: torch's masks are random; eval at the
example's 0.25/0.5), torch.flatten, log_softmax + F.nll_loss, Adadelta + StepLR(gamma=0.7),
DataLoader over a TensorDataset, the example's log lines, and its test():
output.argmax(dim=1, keepdim=True), pred.eq(target.view_as(pred)).sum().item()."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def main(lib: Any) -> dict:
    torch, nn, F, optim = lib.torch, lib.nn, lib.F, lib.optim
    from_lr_scheduler = optim.lr_scheduler.StepLR

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.dropout1 = nn.Dropout(0.0)
            self.dropout2 = nn.Dropout(0.0)
            self.fc1 = nn.Linear(1152, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x: Any) -> Any:
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            output = F.log_softmax(x, dim=1)
            return output

    def train(model: Any, train_loader: Any, optimizer: Any, epoch: int, log: list) -> list:
        model.train()
        losses = []
        for batch_idx, (data, target) in enumerate(train_loader):
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if batch_idx % 2 == 0:
                log.append("Train Epoch: {} [{}/{} ({:.0f}%)]".format(  # noqa: UP032 - verbatim
                    epoch, batch_idx * len(data), len(train_loader.dataset),
                    100.0 * batch_idx / len(train_loader)))
        return losses

    def test(model: Any, test_loader: Any) -> tuple:
        model.eval()
        test_loss = 0
        correct = 0
        with torch.no_grad():
            for data, target in test_loader:
                output = model(data)
                test_loss += F.nll_loss(output, target, reduction="sum").item()
                pred = output.argmax(dim=1, keepdim=True)
                correct += pred.eq(target.view_as(pred)).sum().item()
        test_loss /= len(test_loader.dataset)
        return test_loss, correct

    images = lib.rng.uniform(0, 1, (24, 1, 28, 28)).astype("float32")
    labels = lib.rng.integers(0, 10, 24)
    x = (torch.tensor(images) - 0.1307) / 0.3081  # transforms.Normalize((0.1307,), (0.3081,))
    y = torch.tensor(labels)
    train_loader = lib.data.DataLoader(lib.data.TensorDataset(x[:16], y[:16]), batch_size=4)
    test_loader = lib.data.DataLoader(lib.data.TensorDataset(x[16:], y[16:]), batch_size=5)
    model = lib.load(Net())
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = from_lr_scheduler(optimizer, step_size=1, gamma=0.7)
    losses, log, tests, lrs = [], [], [], []
    for epoch in range(1, 4):
        losses += train(model, train_loader, optimizer, epoch, log)
        model.dropout1.p, model.dropout2.p = 0.25, 0.5  # the example's rates, for eval
        tests.append(list(test(model, test_loader)))
        model.dropout1.p = model.dropout2.p = 0.0
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return {"losses": losses, "log": log, "tests": tests, "lrs": lrs,
            "conv1": as_list(model.conv1.weight), "fc2_bias": as_list(model.fc2.bias),
            "lr_group": optimizer.param_groups[0]["lr"]}


PROGRAMS = {"main": main}
