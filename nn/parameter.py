"""``torch.nn.parameter``'s path (``from torch.nn.parameter import Parameter``): the
Parameter and Buffer classes of ``nn.modules.module``."""

from nn.modules.module import Buffer, Parameter

__all__ = ["Buffer", "Parameter"]
