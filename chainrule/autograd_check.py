"""Importing this module runs :func:`chainrule.check_autograd`: ``nn`` and ``optim`` import it
first, so a foreign ``autograd`` (HIPS autograd) stops them with one clear line."""

from chainrule import check_autograd

check_autograd()
