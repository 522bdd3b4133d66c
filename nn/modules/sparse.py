"""``torch.nn.modules.sparse``' path: the embedding layers."""

from nn.modules.embedding import Embedding, EmbeddingBag

__all__ = ["Embedding", "EmbeddingBag"]
