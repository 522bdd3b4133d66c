"""chainrule's optimizers and learning-rate schedules, as ``torch.optim``.

>>> import autograd as ag, optim
>>> w = ag.tensor([1.0, -2.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w
tensor([ 0.8, -1.6], requires_grad=True)
"""

from __future__ import annotations

import chainrule.autograd_check  # noqa: F401, I001 - first: a one-line error if autograd is HIPS's
from optim import lr_scheduler
from optim.adam import Adam, AdamW
from optim.optimizer import Optimizer, required
from optim.rmsprop import RMSprop
from optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler", "required"]
