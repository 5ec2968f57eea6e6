"""The intent classifier: learned at start-up, offline, from the taxonomy and labeled tickets.

The taxonomy (``config/intents.yaml``) gives each intent a name, a description and a few example
phrases; the demo tickets (``kb/demo_data/tickets.jsonl``) carry a labeled intent each. Both are
the training set: there is no model file, the classifier is rebuilt from those packaged files in
a fraction of a second whenever the app starts.

Each intent is a *centroid* in two spaces, and a text's score for an intent is the weighted sum
of its cosine to both:

* keywords — Qdrant's BM25 tokens (English stemming, stop words; the same tokenizer the index
  uses), weighted by their IDF over the training texts. This carries the signal: alone it is
  right for ~75% of the 247 demo tickets in 5-fold cross-validation, WordLlama alone for ~62%;
* meaning — WordLlama embeddings, for paraphrases that share no token with the training texts.
  A small weight: it leaves cross-validated accuracy where it is, and more of it lowers it.

The subject counts twice, because it is the customer's own one-line summary. When the best score
is too low to mean anything (hardly a word the classifier knows) the guess is ``other`` with
confidence 0.
``tests/benchmarks/bench_detection.py`` reports cross-validated accuracy and macro-F1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from kb.errors import SettingsError
from kb.index.encoders import Bm25Encoder, DenseEncoder

FALLBACK_INTENT = "other"
DENSE_WEIGHT = 0.15
MIN_SCORE = 0.1
# Softmax temperature that turns cosine scores (which differ by hundredths) into a confidence.
TEMPERATURE = 0.05

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Intent:
    """One row of the taxonomy."""

    id: str
    name: str
    description: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabeledText:
    """A training text and its intent."""

    text: str
    intent: str


@dataclass(frozen=True)
class IntentGuess:
    """The classifier's answer: the intent, how sure it is (0-1) and the next best intent."""

    id: str
    name: str
    confidence: float
    score: float
    runner_up: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "confidence": round(self.confidence, 3),
            "runner_up": self.runner_up,
        }


def load_taxonomy(path: Path | None = None) -> list[Intent]:
    """The intents of a taxonomy file (``None``: the packaged one), checked."""
    where = str(path) if path else "config/intents.yaml"
    try:
        raw = (
            path.read_text("utf-8")
            if path
            else resources.files("config").joinpath("intents.yaml").read_text("utf-8")
        )
        rows = yaml.safe_load(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise SettingsError(f"{where}: cannot read the intent taxonomy: {exc}") from exc
    if not isinstance(rows, list) or not rows:
        raise SettingsError(f"{where}: expected a list of intents")
    intents = [_intent(row, f"{where}[{n}]") for n, row in enumerate(rows)]
    ids = [intent.id for intent in intents]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SettingsError(f"{where}: duplicate intent ids {duplicates}")
    if FALLBACK_INTENT not in ids:
        raise SettingsError(f"{where}: the fallback intent {FALLBACK_INTENT!r} is missing")
    return intents


def _intent(row: Any, where: str) -> Intent:
    if not isinstance(row, Mapping):
        raise SettingsError(f"{where}: expected a mapping with id, name, description, examples")
    for key in ("id", "name", "description"):
        if not isinstance(row.get(key), str) or not row[key].strip():
            raise SettingsError(f"{where}.{key}: expected non-empty text")
    examples = row.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise SettingsError(f"{where}.examples: expected a list of phrases")
    return Intent(row["id"], row["name"], row["description"], tuple(examples))


def taxonomy_examples(taxonomy: Iterable[Intent]) -> list[LabeledText]:
    """The taxonomy's own training texts: each example, and the name with the description."""
    return [
        LabeledText(text, intent.id)
        for intent in taxonomy
        for text in (*intent.examples, f"{intent.name}. {intent.description}")
    ]


def ticket_examples(tickets: Iterable[Mapping[str, Any]]) -> list[LabeledText]:
    """Labeled tickets (demo shape: ``labels.intent``) as training texts."""
    return [
        LabeledText(classifier_text(t.get("subject") or "", t["body"]), t["labels"]["intent"])
        for t in tickets
        if (t.get("labels") or {}).get("intent")
    ]


def classifier_text(subject: str, body: str) -> str:
    """What the classifier reads: the subject twice (the customer's own summary), the body."""
    return f"{subject}\n{subject}\n{body}" if subject else body


class IntentClassifier:
    """Nearest-centroid over BM25 keywords and WordLlama meaning. Build once, share freely:
    ``classify`` only reads."""

    def __init__(
        self,
        taxonomy: Sequence[Intent],
        examples: Sequence[LabeledText],
        *,
        encoder: DenseEncoder,
        dense_weight: float = DENSE_WEIGHT,
        min_score: float = MIN_SCORE,
    ) -> None:
        self.intents = {intent.id: intent for intent in taxonomy}
        unknown = sorted({e.intent for e in examples} - set(self.intents))
        if unknown:
            raise SettingsError(f"intent examples name intents the taxonomy lacks: {unknown}")
        if not examples:
            raise SettingsError("the intent classifier needs labeled examples")
        self._ids = list(self.intents)
        self._encoder = encoder
        self._bm25 = Bm25Encoder()
        self._dense_weight = dense_weight
        self._min_score = min_score
        texts = [e.text for e in examples]
        labels = np.array([self._ids.index(e.intent) for e in examples])
        tokens = [self._bm25.document(text) for text in texts]
        self._columns = _vocabulary(tokens)
        self._idf = _idf(tokens, self._columns)
        self._sparse_centroids = _centroids(self._sparse(tokens), labels, len(self._ids))
        self._dense_centroids = _centroids(encoder.encode(texts), labels, len(self._ids))

    @classmethod
    def packaged(
        cls, encoder: DenseEncoder, *, tickets: Iterable[Mapping[str, Any]] | None = None
    ) -> IntentClassifier:
        """Trained on the packaged taxonomy and ``tickets`` (default: every demo ticket)."""
        if tickets is None:
            from kb.demo import demo_tickets  # the demo data ships inside kb

            tickets = demo_tickets()
        taxonomy = load_taxonomy()
        return cls(
            taxonomy, taxonomy_examples(taxonomy) + ticket_examples(tickets), encoder=encoder
        )

    def classify(self, text: str) -> IntentGuess:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[IntentGuess]:
        """One guess per text (``classifier_text(subject, body)`` for a ticket)."""
        if not texts:
            return []
        scores = self.scores(texts)
        return [self._guess(row) for row in scores]

    def scores(self, texts: Sequence[str]) -> Matrix:
        """Each text's score for each intent (columns in taxonomy order)."""
        sparse = self._sparse([self._bm25.document(t) for t in texts]) @ self._sparse_centroids.T
        dense = self._encoder.encode(texts) @ self._dense_centroids.T
        combined: Matrix = (1 - self._dense_weight) * sparse + self._dense_weight * dense
        return combined

    def similarities(self, text: str, others: Sequence[str]) -> list[float]:
        """Cosine (0-1) of ``text`` to each of ``others``, by the same keywords and meaning the
        classifier weighs: how alike two contacts are, whatever their intents."""
        if not others:
            return []
        texts = [text, *others]
        sparse = self._sparse([self._bm25.document(t) for t in texts])
        dense = self._encoder.encode(texts)
        combined = (1 - self._dense_weight) * (sparse[1:] @ sparse[0]) + self._dense_weight * (
            dense[1:] @ dense[0]
        )
        return [float(max(0.0, value)) for value in combined]

    def _guess(self, row: Matrix) -> IntentGuess:
        order = np.argsort(-row)
        best, second = int(order[0]), int(order[1])
        exp = np.exp((row - row[best]) / TEMPERATURE)
        confidence = float(1.0 / exp.sum())
        score = float(row[best])
        intent_id = self._ids[best]
        if score < self._min_score:
            # Nothing the classifier knows is in the text: say so rather than guess.
            intent_id, confidence = FALLBACK_INTENT, 0.0
        return IntentGuess(
            id=intent_id,
            name=self.intents[intent_id].name,
            confidence=confidence,
            score=score,
            runner_up=self._ids[second] if intent_id == self._ids[best] else self._ids[best],
        )

    def _sparse(self, vectors: Sequence[Any]) -> Matrix:
        matrix = np.zeros((len(vectors), len(self._columns)), dtype=np.float32)
        for row, vector in enumerate(vectors):
            for index, value in zip(vector.indices, vector.values, strict=True):
                column = self._columns.get(index)
                if column is not None:
                    matrix[row, column] = value * self._idf[column]
        return _unit_rows(matrix)


def _vocabulary(tokens: Sequence[Any]) -> dict[int, int]:
    columns: dict[int, int] = {}
    for vector in tokens:
        for index in vector.indices:
            columns.setdefault(index, len(columns))
    return columns


def _idf(tokens: Sequence[Any], columns: Mapping[int, int]) -> Matrix:
    df = np.zeros(len(columns), dtype=np.float32)
    for vector in tokens:
        for index in set(vector.indices):
            df[columns[index]] += 1
    idf: Matrix = (np.log((len(tokens) + 1) / (df + 1)) + 1).astype(np.float32)
    return idf


def _centroids(rows: Matrix, labels: npt.NDArray[np.int_], count: int) -> Matrix:
    sums = np.zeros((count, rows.shape[1]), dtype=np.float32)
    np.add.at(sums, labels, rows)
    return _unit_rows(sums)


def _unit_rows(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return unit
