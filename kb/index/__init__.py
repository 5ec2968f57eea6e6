"""The vector index: encoders (dense WordLlama, sparse BM25) and two Qdrant backends.

``open_index(settings, database)`` returns the configured backend behind the ``VectorIndex``
protocol: Qdrant Edge in-process by default, a Qdrant server when ``qdrant_url`` is set.
"""

from kb.index.interfaces import ChunkPoint, IndexFilter, ScoredChunk, SparseVector, VectorIndex
from kb.index.opening import open_index

__all__ = ["ChunkPoint", "IndexFilter", "ScoredChunk", "SparseVector", "VectorIndex", "open_index"]
