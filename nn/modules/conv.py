"""``Conv1d``/``Conv2d`` (cross-correlation) and ``ConvTranspose1d``/``ConvTranspose2d``
over the engine's conv primitives.

Weights use torch's layouts, (out, in/groups, k...) for convolutions and
(in, out/groups, k...) for transposed ones, and torch's default initialisation, so
state_dicts move between the two unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.ops.window import ntuple, same_padding
from autograd.tensor import Tensor
from nn import functional as F
from nn import init
from nn.modules.module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    """Shared setup of Conv1d/Conv2d: argument checks, parameters, init, repr."""

    _n = 0  # spatial dimensions
    _transposed = False  # weight (in, out/groups, k...) instead of (out, in/groups, k...)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
                 output_padding: Any = 0) -> None:
        super().__init__()
        n = self._n
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {sorted(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if padding_mode != "zeros" and self._transposed:
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        op = type(self).__name__
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", op)
        self.stride = ntuple(stride, n, "stride", op)
        self.dilation = ntuple(dilation, n, "dilation", op)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        self.padding = self._resolve_padding(padding)
        # F.pad's widths (last axis first) for a non-zeros padding_mode, as torch's
        # _reversed_padding_repeated_twice: 'same' puts an odd total's extra row at the end
        pairs = (same_padding(self.kernel_size, self.dilation) if padding == "same"
                 else [(0, 0)] * n if padding == "valid" else [(p, p) for p in self.padding])
        self._reversed_padding_repeated_twice = [w for pair in reversed(pairs) for w in pair]
        self.output_padding = ntuple(output_padding, n, "output_padding", op)
        dt = np.dtype(dtype or np.float32)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def _resolve_padding(self, padding: Any) -> tuple | str:
        """The padding per axis, or the string 'same'/'valid' as given (torch keeps it; the
        functional applies ``same_padding``, an odd total's extra row at the end)."""
        if isinstance(padding, str) and self._transposed:
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of "
                             f"ints, got {padding!r}")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            return padding  # kept as the string, as torch's (the functional resolves it)
        return ntuple(padding, self._n, "padding", type(self).__name__)

    def reset_parameters(self) -> None:
        """torch's default: W ~ kaiming_uniform_(a=√5), b ~ U(−1/√fan_in, 1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self._n
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:  # a tuple, or the string 'same' (even kernels)
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


    def _padded(self, input: Tensor) -> tuple[Tensor, Any]:
        """(input, padding) for the convolution: a non-zeros ``padding_mode`` pads the input
        first (F.pad in that mode) and convolves with no padding, as torch."""
        if self.padding_mode == "zeros":
            return input, self.padding
        return F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode), 0


class Conv1d(_ConvNd):
    """(N, C_in, L) → (N, C_out, L_out), L_out = ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1;
    out[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c] (cross-correlation, per group)."""

    _n = 1

    def forward(self, input: Tensor) -> Tensor:
        input, pad = self._padded(input)
        if isinstance(pad, tuple):
            pad = pad[0]
        return F.conv1d(input, self.weight, self.bias, self.stride[0], pad,
                        self.dilation[0], self.groups)


class Conv2d(_ConvNd):
    """(N, C_in, H, W) → (N, C_out, H_out, W_out), H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1
    per axis; out[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c] (cross-correlation, per group)."""

    _n = 2

    def forward(self, input: Tensor) -> Tensor:
        input, pad = self._padded(input)
        return F.conv2d(input, self.weight, self.bias, self.stride, pad, self.dilation,
                        self.groups)


class Conv3d(_ConvNd):
    """(N, C_in, D, H, W) → (N, C_out, D_out, H_out, W_out), each out size
    ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 (``F.conv3d``)."""

    _n = 3

    def forward(self, input: Tensor) -> Tensor:
        input, pad = self._padded(input)
        return F.conv3d(input, self.weight, self.bias, self.stride, pad, self.dilation,
                        self.groups)


class _ConvTransposeNd(_ConvNd):
    """Shared forward of the transposed convolutions: ``output_size`` picks the
    output_padding, as torch's ``_output_padding``."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        if output_size is None:
            return self.output_padding
        n = self._n
        lead = input.ndim - n
        size = [int(v) for v in output_size]
        if len(size) == lead + n:
            size = size[lead:]
        name = type(self).__name__
        if len(size) != n:
            raise ValueError(f"{name}: for {input.ndim}D input, output_size must have {n} or "
                             f"{lead + n} elements (got {len(output_size)})")
        spatial = tuple(input.shape[lead:])
        lo = [(spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
              + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        hi = [lo[d] + self.stride[d] - 1 for d in range(n)]
        if any(not lo[d] <= size[d] <= hi[d] for d in range(n)):
            raise ValueError(f"requested an output size of {size}, but valid sizes range from "
                             f"{lo} to {hi} (for an input of {list(spatial)})")
        return tuple(size[d] - lo[d] for d in range(n))


class ConvTranspose1d(_ConvTransposeNd):
    """(N, C_in, L) → (N, C_out, L_out), L_out = (L − 1)s − 2p + d(k − 1) + output_padding + 1:
    the adjoint of Conv1d w.r.t. its input; weight (C_in, C_out/groups, k)."""

    _n = 1

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        (q,) = self._output_padding(input, output_size)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride[0],
                                  self.padding[0], q, self.groups, self.dilation[0])


class ConvTranspose2d(_ConvTransposeNd):
    """(N, C_in, H, W) → (N, C_out, H_out, W_out), per axis
    H_out = (H − 1)s − 2p + d(k − 1) + output_padding + 1: the adjoint of Conv2d w.r.t. its
    input (a learned upsampling); weight (C_in, C_out/groups, kh, kw)."""

    _n = 2

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        q = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, q,
                                  self.groups, self.dilation)


class ConvTranspose3d(_ConvTransposeNd):
    """(N, C_in, D, H, W) → (N, C_out, D_out, H_out, W_out), per axis
    (n − 1)s − 2p + d(k − 1) + output_padding + 1 (``F.conv_transpose3d``)."""

    _n = 3

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        q = self._output_padding(input, output_size)
        return F.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding, q,
                                  self.groups, self.dilation)
