"""``torch.func`` (functorch's API): composable function transforms.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``
(``transforms.py``, ``jacobians.py``: chainrule's reverse-mode tape, nested by lifting
inputs and lowering results, see ``levels.py``), ``vmap`` (``vmapping.py``: a loop in
Python with torch's values) ``linearize``, and ``functional_call`` / ``stack_module_state``
/ ``replace_all_batch_norm_modules_`` (a module run with other tensors as its parameters
and buffers, the stacked state of several models for ``vmap``, batch norms without running
statistics; they live in ``nn.utils.stateless``, loaded on first use, since ``autograd``
does not import ``nn``).
"""

from autograd.func.jacobians import hessian, jacfwd, jacrev
from autograd.func.transforms import grad, grad_and_value, jvp, linearize, vjp
from autograd.func.vmapping import vmap
from autograd.lazy import lazy_attributes

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "linearize", "replace_all_batch_norm_modules_", "stack_module_state", "vjp", "vmap"]

_LAZY = {"functional_call": ("nn.utils.stateless", "functional_call"),
         "stack_module_state": ("nn.utils.stateless", "stack_module_state"),
         "replace_all_batch_norm_modules_": ("nn.utils.stateless",
                                             "replace_all_batch_norm_modules_")}
__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())
