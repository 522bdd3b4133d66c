"""``nn.utils``: gradient clipping, parameter vectors, ``rnn`` (sequence padding) and
weight norm, with
torch's names."""

from nn.utils import rnn
from nn.utils.clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from nn.utils.weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "remove_weight_norm", "rnn",
           "vector_to_parameters", "weight_norm"]
