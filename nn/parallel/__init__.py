"""Data-parallel training over several processes (torch.nn.parallel).

>>> from nn.parallel import DistributedDataParallel as DDP   # doctest: +SKIP
>>> model = DDP(model)        # after autograd.distributed.init_process_group("mpi")

Importing this package does not need mpi4py; constructing a DDP needs an initialised
process group.
"""

from nn.parallel.data_parallel import DataParallel
from nn.parallel.distributed import DistributedDataParallel
from nn.parallel.sync_batchnorm import SyncBatchNorm

__all__ = ["DataParallel", "DistributedDataParallel", "SyncBatchNorm"]
