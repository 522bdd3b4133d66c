"""``autograd.special`` as ``torch.special``: the same function objects as the package's
names where torch has one there too (``special.erf is autograd.erf``), and the special
functions torch keeps only here (erfcx, ndtr, ndtri, log_ndtr, entr, xlog1py, zeta).

Not here (torch.special has them; chainrule does not): the Bessel functions other than
i0, i0e, i1, i1e (bessel_j0, modified_bessel_k0, ...), airy_ai, gammainc / gammaincc,
spherical_bessel_j0 and the orthogonal polynomials. Using one raises
AttributeError, as any name chainrule lacks.
"""

from __future__ import annotations

from autograd.ops import log_softmax, logsumexp, softmax
from autograd.ops.bessel import i0, i0e, i1, i1e
from autograd.ops.elementary import exp2, expm1, log1p
from autograd.ops.gamma import digamma, polygamma, zeta
from autograd.ops.gamma import digamma as psi
from autograd.ops.gamma import lgamma as gammaln
from autograd.ops.gamma import mvlgamma as multigammaln
from autograd.ops.gaussian import log_ndtr, ndtr, ndtri
from autograd.ops.information import entr, logit, sinc, xlog1py, xlogy
from autograd.ops.rounding import round
from autograd.ops.special import erf, erfc, erfcx, erfinv
from autograd.ops.unary import sigmoid as expit

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
    "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit",
    "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
    "softmax", "xlog1py", "xlogy", "zeta",
]
