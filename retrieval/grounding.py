"""Grounding: is each sentence of a draft supported by the chunk it cites?

An extractive sentence is its passage, word for word; an LLM sentence must share most of its
content words with the cited chunk. Sentences that address an AI ("ignore previous
instructions") are never quoted: knowledge is data, not instructions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from nltk.stem.snowball import SnowballStemmer

from retrieval.passages import plain

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Written as one string: a sentence of words reads better than ninety quoted ones.
_STOP_WORDS = (
    "a an the and or but if then of to in on at for from by with as is are was were be been "
    "it its this that these those you your we our us i me my they them their he she his her "
    "can will would should could may might must do does did not no yes so than too very just "
    "also there here what which who when where how all any each some more most"
)
_STOP = frozenset(_STOP_WORDS.split())
# Text written to steer a model rather than to inform a reader.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(previous|prior|above|earlier|all)\b.{0,20}"
    r"\b(instructions?|prompts?|rules?)\b"
    r"|\b(system prompt|you are (an? )?(ai|assistant|language model|chatbot))\b"
    r"|\bas an? (ai|assistant|language model)\b"
    r"|\b(respond|reply|answer) (only )?with\b"
    r"|\bnew instructions?\b",
    re.IGNORECASE,
)
SUPPORT_THRESHOLD = 0.8


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def stems(text: str) -> set[str]:
    """Content words reduced to their Snowball stems, so "charged" meets "charge" and
    "invoices" meets "invoice" (for matching only; nothing is rewritten)."""
    return {_stem(w) for w in content_words(text)}


_SNOWBALL = SnowballStemmer("english")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_SNOWBALL.stem(word))


def is_instruction(text: str) -> bool:
    """True for text that tries to instruct an AI; such text is never quoted or obeyed."""
    return bool(_INSTRUCTION.search(text))


@dataclass(frozen=True)
class Support:
    supported: bool
    overlap: float  # share of the sentence's content words found in the cited chunk


def support(sentence: str, cited_chunk: str) -> Support:
    """How well the cited chunk supports the sentence; an exact quote is fully supported."""
    said, source = plain(sentence), plain(cited_chunk)
    if said and said in source:
        return Support(True, 1.0)
    words = content_words(said)
    if not words:
        return Support(False, 0.0)
    available = set(content_words(source))
    overlap = sum(w in available for w in words) / len(words)
    return Support(overlap >= SUPPORT_THRESHOLD, overlap)
