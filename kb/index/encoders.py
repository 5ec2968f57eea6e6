"""Text → vectors: WordLlama dense embeddings and Qdrant's BM25 sparse vectors, both offline."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import qdrant_edge

from kb.errors import SettingsError
from kb.index.interfaces import SparseVector
from kb.settings import Settings

REMOTE = "openai-compatible"  # embedding_model's value for an OpenAI-compatible server


class DenseEncoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length float32 rows, one per text."""


class WordLlamaEncoder:
    """WordLlama l2_supercat (256-d), whose weights ship inside the wordllama wheel."""

    name = "wordllama-l2-supercat"
    dim = 256

    def __init__(self) -> None:
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        import wordllama
        from wordllama import WordLlama

        # Importing wordllama calls logging.basicConfig(INFO); undo it so our settings rule.
        root.setLevel(level)
        root.handlers[:] = handlers
        package = Path(wordllama.__file__).parent
        try:
            self._model = WordLlama.load(
                "l2_supercat", cache_dir=package, dim=self.dim, disable_download=True
            )
        except FileNotFoundError as exc:
            raise SettingsError(
                f"setting embedding_model: the WordLlama weights are not installed ({exc})"
            ) from exc
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self._lock:  # the tokenizer keeps state between calls
            raw = self._model.embed(list(texts), batch_size=64)
        vectors = np.asarray(raw, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        # An empty text embeds to zeros; keep it zero instead of dividing into NaN.
        unit: npt.NDArray[np.float32] = np.divide(
            vectors, norms, out=np.zeros_like(vectors), where=norms > 0
        )
        return unit


class Bm25Encoder:
    """Qdrant's BM25 (English stemming, stop words); the index applies IDF at query time."""

    name = "qdrant-bm25-en"

    def __init__(self) -> None:
        self._bm25 = qdrant_edge.Bm25()

    def document(self, text: str) -> SparseVector:
        vector = self._bm25.embed_document(text)
        return SparseVector(list(vector.indices), list(vector.values))

    def query(self, text: str) -> SparseVector:
        vector = self._bm25.embed_query(text)
        return SparseVector(list(vector.indices), list(vector.values))


DENSE_ENCODERS = {WordLlamaEncoder.name: WordLlamaEncoder}


def configured_encoder(settings: Settings) -> DenseEncoder:
    """The dense model the settings name: WordLlama in-process, or an embedding server."""
    if settings.embedding_model == REMOTE:
        from kb.index.remote_encoder import OpenAICompatibleEncoder

        return OpenAICompatibleEncoder(
            base_url=settings.embedding_base_url,
            model=settings.embedding_server_model,
            api_key=settings.embedding_api_key,
            timeout_seconds=settings.embedding_timeout_seconds,
        )
    return dense_encoder(settings.embedding_model)


def dense_encoder(name: str) -> DenseEncoder:
    """An in-process model by name (no server, nothing to configure)."""
    try:
        factory = DENSE_ENCODERS[name]
    except KeyError:
        raise SettingsError(f"setting embedding_model: unknown model {name!r}") from None
    encoder: DenseEncoder = factory()
    return encoder
