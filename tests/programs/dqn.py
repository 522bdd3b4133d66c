"""PyTorch's DQN tutorial, its optimisation step on fixed transitions: policy and target
nets, a Transition namedtuple batch (torch.cat of states, a bool mask from map(lambda s: s
is not None, ...)), gather(1, action_batch), next_state_values[non_final_mask] =
target_net(...).max(1).values under no_grad, SmoothL1Loss, AdamW(amsgrad=True),
clip_grad_value_(…, 100), the soft update through state_dict arithmetic and
load_state_dict, and greedy actions max(1).indices.view(1, 1)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from tests.programs.namespace import as_list, state_list

Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


def dqn(lib: Any) -> dict:
    torch, nn, F, optim = lib.torch, lib.nn, lib.F, lib.optim

    class DQN(nn.Module):
        def __init__(self, n_observations: int, n_actions: int) -> None:
            super().__init__()
            self.layer1 = nn.Linear(n_observations, 16)
            self.layer2 = nn.Linear(16, 16)
            self.layer3 = nn.Linear(16, n_actions)

        def forward(self, x: Any) -> Any:
            x = F.relu(self.layer1(x))
            x = F.relu(self.layer2(x))
            return self.layer3(x)

    n_obs, n_actions, GAMMA, TAU, LR = 4, 2, 0.99, 0.005, 1e-3
    policy_net = lib.load(DQN(n_obs, n_actions), scale=1.0)
    target_net = DQN(n_obs, n_actions)
    target_net.load_state_dict(policy_net.state_dict())
    optimizer = optim.AdamW(policy_net.parameters(), lr=LR, amsgrad=True)
    memory = []
    for k in range(24):
        state = torch.tensor(lib.rng.standard_normal(n_obs).astype("float32")).unsqueeze(0)
        nxt = None if k % 5 == 4 else torch.tensor(
            lib.rng.standard_normal(n_obs).astype("float32")).unsqueeze(0)
        memory.append(Transition(state, torch.tensor([[int(lib.rng.integers(0, 2))]]), nxt,
                                 torch.tensor([float(lib.rng.random())])))

    def optimize_model(transitions: list) -> float:
        batch = Transition(*zip(*transitions))
        non_final_mask = torch.tensor(tuple(map(lambda s: s is not None, batch.next_state)),
                                      dtype=torch.bool)
        non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
        state_batch = torch.cat(batch.state)
        action_batch = torch.cat(batch.action)
        reward_batch = torch.cat(batch.reward)
        state_action_values = policy_net(state_batch).gather(1, action_batch)
        next_state_values = torch.zeros(len(transitions))
        with torch.no_grad():
            next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
        expected_state_action_values = (next_state_values * GAMMA) + reward_batch
        criterion = nn.SmoothL1Loss()
        loss = criterion(state_action_values, expected_state_action_values.unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
        optimizer.step()
        return loss.item()

    losses = []
    for step in range(6):
        losses.append(optimize_model(memory[step * 4:(step + 1) * 4]))
        target_net_state_dict = target_net.state_dict()
        policy_net_state_dict = policy_net.state_dict()
        for key in policy_net_state_dict:
            target_net_state_dict[key] = (policy_net_state_dict[key] * TAU
                                          + target_net_state_dict[key] * (1 - TAU))
        target_net.load_state_dict(target_net_state_dict)
    with torch.no_grad():
        actions = [policy_net(t.state).max(1).indices.view(1, 1).item() for t in memory[:8]]
    return {"losses": losses, "actions": actions, "target": as_list(target_net.layer3.weight),
            "policy": as_list(policy_net.layer1.bias),
            "max_exp_avg_sq": state_list(optimizer.state[policy_net.layer3.bias][
                "max_exp_avg_sq"])}


PROGRAMS = {"dqn": dqn}
