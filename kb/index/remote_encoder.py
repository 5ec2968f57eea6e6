"""Dense embeddings from an OpenAI-compatible embedding server, through llama-index.

For teams that run a stronger embedding model than WordLlama on their own hardware (vLLM, Hugging
Face TEI, llama.cpp server, LM Studio, Ollama's ``/v1`` API) or use OpenAI: ``embedding_model =
openai-compatible`` with ``embedding_base_url`` and ``embedding_server_model``. Nothing is
downloaded; the one address contacted is ``embedding_base_url``.

The model's dimension is learned from one probe at start-up, so a server that is down or a model
it does not serve stops start-up with an error naming the setting, instead of failing on the
first ticket. The index records ``openai-compatible:<model>/<dim>``, so vectors of two models are
never mixed (``kb.index.state``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.errors import IndexUnavailable, SettingsError

NAME = "openai-compatible"
PROBE = "Tandem checks the embedding model at start-up."
BATCH = 64  # texts per request: servers cap a request's size, and an ingest sends thousands


class EmbeddingUnavailable(IndexUnavailable):
    """The embedding server did not answer: nothing can be embedded, so nothing is searched."""


class OpenAICompatibleEncoder:
    """Unit-length float32 vectors from ``POST {base_url}/embeddings``."""

    def __init__(
        self, *, base_url: str, model: str, api_key: str = "", timeout_seconds: float = 10.0
    ) -> None:
        from llama_index.embeddings.openai_like import OpenAILikeEmbedding

        self.name = f"{NAME}:{model}"
        self.base_url = base_url
        self._client: Any = OpenAILikeEmbedding(
            model_name=model,
            api_base=base_url,
            # The client insists on a key; local servers ignore it. A placeholder also keeps an
            # OPENAI_API_KEY in the environment from being sent to a server it was not for.
            api_key=api_key or "not-needed",
            embed_batch_size=BATCH,
            timeout=timeout_seconds,
            max_retries=0,  # an agent is waiting; a retry loop would only hide a dead server
        )
        self._lock = threading.Lock()
        self.dim = 0  # learned from the probe: the first answer's width
        try:
            probe = self._embed([PROBE])
        except EmbeddingUnavailable as exc:
            raise SettingsError(
                f"setting embedding_base_url: the embedding server at {base_url} did not embed "
                f"with model {model!r} ({exc.__cause__ or exc}). Start it, fix "
                "embedding_base_url / embedding_server_model, or set "
                "TANDEM_EMBEDDING_MODEL=wordllama-l2-supercat."
            ) from exc
        self.dim = int(probe.shape[1])

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(list(texts))

    def _embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        # Servers refuse an empty input string; an empty text embeds to zeros, as WordLlama's.
        todo = [i for i, text in enumerate(texts) if text.strip()]
        try:
            with self._lock:  # one client, one connection pool: requests go one at a time
                rows = self._client.get_text_embedding_batch([texts[i] for i in todo])
        except Exception as exc:  # the client raises its own, httpx's and openai's errors
            raise EmbeddingUnavailable(
                f"The embedding server at {self.base_url} failed: {type(exc).__name__}: {exc}"
            ) from exc
        width = len(rows[0]) if rows else self.dim
        vectors = np.zeros((len(texts), width), dtype=np.float32)
        for i, row in zip(todo, rows, strict=True):
            vectors[i] = row
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = np.divide(
            vectors, norms, out=np.zeros_like(vectors), where=norms > 0
        )
        return unit
