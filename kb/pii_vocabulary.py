"""General-English common words for the NER gate, read from tokenizer files already installed.

A capitalised common word ("Settings", "Verification") is no reason to run NER on a sentence;
an unknown one ("Schuchhardt") is. Tokenizer vocabularies are a good list of common words
because they record how text is written: a word whose lower-case token is more frequent than
its capitalised one is a word, not a name. Measured on Faker's en/de/fr names, 0–3 % of first
names and 3–11 % of surnames count as common this way, and almost no full name is entirely
common (the gate's cue rules catch those).

* ``cl100k``: the tiktoken ``cl100k_base`` vocabulary llama-index bundles for offline use
  (~23,500 words whose lower-case token outranks the capitalised one);
* ``wordllama``: the Llama-2 tokenizer bundled with WordLlama (~9,300 lower-case words);
* ``none``: spaCy's stop words only (every other capitalised word sends its sentence to NER).

Neither file is downloaded; a missing one is a start-up error naming the setting.
``CommonWords`` answers whether a word is common, inflections included ("invoices", "we've").
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
from pathlib import Path

from kb.errors import RedactorUnavailable

# llama-index names its tiktoken cache file by the sha1 of the encoding's URL.
_CL100K = (
    "llama_index.core",
    "_static",
    "tiktoken_cache",
    "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
)
_WORDLLAMA = ("wordllama", "tokenizers", "l2_supercat_tokenizer_config.json")


def general_vocabulary(name: str) -> frozenset[str]:
    """The lower-case common words of vocabulary ``name`` (see the module docstring)."""
    if name == "none":
        return frozenset()
    package, *parts = _CL100K if name == "cl100k" else _WORDLLAMA
    try:
        path = _package_file(package, parts)
        return _cl100k_words(path) if name == "cl100k" else _wordllama_words(path)
    except (OSError, ValueError, KeyError, binascii.Error) as exc:
        raise RedactorUnavailable(
            f"the NER gate's general vocabulary {name!r} cannot be read ({exc}); reinstall "
            f"{package}, or set names.general_vocabulary in config/pii.yaml"
        ) from exc


def _package_file(package: str, parts: list[str]) -> Path:
    # find_spec locates the package without importing it (importing wordllama reconfigures
    # the root logger).
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        raise FileNotFoundError(f"package {package} is not installed")
    return Path(folders[0], *parts)


def _cl100k_words(path: Path) -> frozenset[str]:
    rank: dict[str, int] = {}
    for line in path.read_bytes().splitlines():
        token, number = line.split()
        try:
            text = base64.b64decode(token).decode("utf-8")
        except UnicodeDecodeError:
            continue  # a fragment of a multi-byte character
        if text.startswith(" "):
            rank[text[1:]] = int(number)
    # BPE merges frequent strings first: a lower rank means more frequent.
    return frozenset(
        word
        for word, lower in rank.items()
        if _plain_lower(word) and lower < rank.get(word.capitalize(), 1 << 30)
    )


def _wordllama_words(path: Path) -> frozenset[str]:
    vocab = json.loads(path.read_text("utf-8"))["model"]["vocab"]
    marker = "\u2581"  # SentencePiece's "starts a word"
    return frozenset(
        token[1:] for token in vocab if token.startswith(marker) and _plain_lower(token[1:])
    )


def _plain_lower(word: str) -> bool:
    return len(word) > 1 and word.isascii() and word.isalpha() and word.islower()


# A contraction or possessive ending: "we've", "don't", "sarah's".
CONTRACTION = re.compile(r"(?:['’](?:s|re|ve|ll|d|m|t)|n['’]t)$")
_SUFFIXES = ("s", "es", "ed", "ing", "ly", "er", "ers")


class CommonWords:
    """Whether a word is a common word, so alone probably not a name: in the list, or one of
    its inflections ("invoices", "we've", "two-factor"). Verdicts are memoised; safe to share
    between threads (dict writes are atomic)."""

    def __init__(self, words: frozenset[str]) -> None:
        self._words = words
        self._verdicts: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        """``word`` (casefolded) is common."""
        if not isinstance(word, str):
            return False
        known = self._verdicts.get(word)
        if known is None:
            known = self._verdicts[word] = self._common(word)
            if len(self._verdicts) > 100_000:
                self._verdicts.clear()  # bounded; rebuilding costs little
        return known

    def _common(self, word: str) -> bool:
        word = CONTRACTION.sub("", word)  # "we've", "don't", "sarah's"
        if "-" in word:  # "two-factor", "year-end"; "williams-walker" is not
            return all(self._common(part) for part in word.split("-") if part)
        if word in self._words:
            return True
        return any(
            word.endswith(suffix) and word[: -len(suffix)] in self._words
            for suffix in _SUFFIXES
            if len(word) > len(suffix) + 2
        )
