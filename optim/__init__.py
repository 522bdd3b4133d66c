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

# First: one clear line if `autograd` is not chainrule's (HIPS autograd shares the name).
# optim does not import nn, so this is nn.autograd_check's test in three lines.
import autograd as _autograd  # noqa: I001

if getattr(_autograd, "__chainrule__", False) is not True:
    raise ImportError(
        f"the 'autograd' imported from {getattr(_autograd, '__file__', _autograd)} is not "
        "chainrule's (HIPS autograd shares the import name): install chainrule in a virtual "
        "environment of its own", name="autograd")

from autograd.lazy import lazy_attributes
from optim.adadelta import Adadelta
from optim.adagrad import Adagrad
from optim.adam import Adam, AdamW
from optim.adamax import Adamax
from optim.asgd import ASGD
from optim.lbfgs import LBFGS
from optim.nadam import NAdam
from optim.optimizer import Optimizer, required
from optim.radam import RAdam
from optim.rmsprop import RMSprop
from optim.rprop import Rprop
from optim.sgd import SGD

__all__ = ["ASGD", "LBFGS", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "lr_scheduler", "required", "swa_utils"]


# lr_scheduler loads on first use (PEP 562): a third of `import optim`, unused by most steps;
# swa_utils too (it imports nn, which `import optim` otherwise does not)
__getattr__, __dir__ = lazy_attributes(
    __name__, {"lr_scheduler": ("optim.lr_scheduler", None),
               "swa_utils": ("optim.swa_utils", None)}, globals())
