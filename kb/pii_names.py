"""Names (PERSON): spaCy NER on the sentences that may hold one, plus the name slots of a ticket.

NER is nearly all of the cost of redaction, and most sentences in support text cannot hold a
name: every capitalised word in them is a common word ("Go to Settings", "Thanks for the
help"). The gate sends a sentence to spaCy only when it has a capitalised word that is neither
a common word (``kb.pii_vocabulary`` plus the policy's words) nor written in lower case
elsewhere in the same text, or a capitalised word or pair next to a cue ("my name is", "cc").
The model then decides as it would have on the whole text: its window is a few tokens wide.

Tickets also put names where the small model often misses them, alone on a line after a
sign-off ("Thanks,\\nHellmuth") or after a greeting ("Hi Claudia,"). Those slots are found by
rule: capitalised words right after a greeting, a sign-off, an introduction ("this is …") or a
signature dash, unless they are allow-listed or one of the policy's common words. So are
capitalised words that spell an e-mail address in the same text ("Sophie Laurent
(sophie.laurent@…)", which the model calls an organisation).

A name made only of common words, in no slot and next to no cue ("ask Will May"), is missed;
so are names the model does not know. The deny-list (the ticket's identity fields) covers the
names that matter most.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from kb.errors import RedactorUnavailable
from kb.pii_policy import NamePolicy
from kb.pii_vocabulary import general_vocabulary

Span = tuple[int, int, float]
NER_SCORE = 0.85  # what Presidio's SpacyRecognizer gives a PERSON entity
SLOT_SCORE = 0.8
PERSON_LABELS = frozenset({"PERSON", "PER"})

# A sentence ends at . ! ? before a blank (not after a title such as "Mr.") or at a newline.
_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?]+(?=\s)|\n")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Addresses and links hold lower-case copies of names (sarah.jones@…): not evidence of a word.
_ADDRESSES = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+")
# Two capitalised words in a row (Latin capitals; _capitalised has the last word).
_PAIR = re.compile(r"(?<!\w)([A-ZÀ-ÖØ-Þ][\w'’-]+)[^\S\n]+([A-ZÀ-ÖØ-Þ][\w'’-]+)")
_CONTRACTION = re.compile(r"(?:['’](?:s|re|ve|ll|d|m|t)|n['’]t)$")
_SUFFIXES = ("s", "es", "ed", "ing", "ly", "er", "ers")
_SP = r"[^\S\n]"
_BLANKS = re.compile(rf"{_SP}+")
_EMAIL_LOCAL = re.compile(r"(?<![\w.+-])([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_LOCAL_SPLIT = re.compile(r"[._+\-\d]+")
_CAPITAL_WORD = re.compile(r"(?<![\w@.])[A-ZÀ-ÖØ-Þ][\w'’-]*")
_CONTEXT = "Note. "  # see find_many
_CLAUSE_END = re.compile(rf"{_SP}*(?:[,.!:;)\n]|\(|$)")
# Words that fill a greeting or sign-off slot without being a name ("Hi team", "Best, The …").
_NOT_NAMES = frozenset(
    {
        *("a", "all", "again", "an", "both", "colleague", "colleagues", "customer", "customers"),
        *("everybody", "everyone", "folks", "for", "friend", "friends", "guys", "in", "it"),
        *("madam", "me", "my", "our", "sir", "so", "support", "team", "that", "the", "them"),
        *("there", "this", "us", "you", "your"),
    }
)


class PersonFinder:
    """Finds PERSON spans in many texts with one spaCy pass. Safe to share between threads."""

    def __init__(self, nlp: Language, names: NamePolicy, *, allow_words: frozenset[str]) -> None:
        self._nlp = nlp
        self._gate = names.ner_gate
        cue_words = {w for phrase in names.cues for w in _WORD.findall(phrase)}
        self._common = general_vocabulary(names.general_vocabulary) | names.common_words
        self._common |= allow_words | cue_words | {w.casefold() for w in STOP_WORDS}
        self._not_names = allow_words | names.common_words | cue_words | _NOT_NAMES
        self._cue = re.compile(_phrases(names.cues), re.I) if names.cues else None
        # (where a slot starts, whether it is an introduction); see _name_at.
        slots = [
            (rf"(?im)^{_SP}*{_phrases(names.greetings)}{_SP}+", False),
            (
                rf"(?im)(?:^|(?<=[.!?]){_SP}){_SP}*{_phrases(names.sign_offs)}"
                rf"(?:{_SP}*[,.!]?{_SP}*\n{_SP}*|{_SP}*,{_SP}*)",
                False,
            ),
            (rf"(?m)^{_SP}*[—–]{_SP}*", False),  # a signature: "— Jess, Fernhill Support"
            (rf"(?i){_phrases(names.introductions)}(?:{_SP}*[:,]{_SP}*|{_SP}+)", True),
        ]
        self._slot_patterns = [(re.compile(p), intro) for p, intro in slots]
        self._verdicts: dict[str, bool] = {}  # is_common, memoised (dict writes are atomic)
        # spaCy's Vocab grows as it meets new words, which is not safe from two threads at once.
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model: str, names: NamePolicy, *, allow_words: frozenset[str]) -> PersonFinder:
        """Load ``model`` and run only what its NER needs; RedactorUnavailable if it cannot."""
        try:
            nlp = spacy.load(model)
        except (OSError, ImportError, ValueError) as exc:
            raise RedactorUnavailable(
                f"spaCy model {model!r} is not installed or cannot be loaded ({exc}); "
                "install it, or set spacy_model in config/pii.yaml"
            ) from exc
        if "ner" not in nlp.pipe_names:
            raise RedactorUnavailable(
                f"spaCy model {model!r} has no 'ner' component to find names; "
                "set spacy_model in config/pii.yaml to a model that has one"
            )
        needed = {"ner"} | {
            name
            for name, pipe in nlp.pipeline
            if "ner" in (getattr(pipe, "listening_components", None) or ())
        }
        # The tagger, parser and lemmatizer only cost time here. (Loading the whole model and
        # disabling them keeps any component that NER listens to, in whatever model is set.)
        for name in nlp.pipe_names:
            if name not in needed:
                nlp.disable_pipe(name)
        return cls(nlp, names, allow_words=allow_words)

    def find_many(self, texts: Sequence[str], *, batch_size: int = 256) -> list[list[Span]]:
        """PERSON spans per text: (start, end, score), possibly overlapping."""
        found = [[*self._slot_names(text), *self._address_names(text)] for text in texts]
        sentences = [
            (i, start, end)
            for i, text in enumerate(texts)
            for start, end in self._read(text, known=found[i])
        ]
        if not sentences:
            return found
        # The model reads the first words of a text differently: alone, a sentence loses names
        # that it finds mid-text. A short neutral sentence in front restores the mid-text
        # reading (about +0.7 points of PERSON recall on the benchmark corpus); its own
        # entities are ignored.
        lead = len(_CONTEXT)
        with self._lock:
            docs = self._nlp.pipe(
                (_CONTEXT + texts[i][s:e] for i, s, e in sentences), batch_size=batch_size
            )
            for (i, start, _end), doc in zip(sentences, docs, strict=True):
                found[i] += [
                    (start + ent.start_char - lead, start + ent.end_char - lead, NER_SCORE)
                    for ent in doc.ents
                    if ent.label_ in PERSON_LABELS and ent.start_char >= lead
                ]
        return found

    # --- the gate ----------------------------------------------------------------------------

    def _read(self, text: str, *, known: Sequence[Span] = ()) -> Iterator[tuple[int, int]]:
        """The sentences of ``text`` spaCy should read; names in ``known`` (found in their
        slots already) are no reason to read a sentence again."""
        if not self._gate:
            yield from _sentences(text)
            return
        if known:
            text = "".join(_blank_out(text, [(s, e) for s, e, _ in known]))
        unmasked = _ADDRESSES.sub(" ", text)
        seen_lower = {w.casefold() for w in _WORD.findall(unmasked) if w[0].islower()}
        for start, end in _sentences(text):
            if self._may_hold_name(text[start:end], seen_lower):
                yield start, end

    def _may_hold_name(self, sentence: str, seen_lower: set[str]) -> bool:
        for word in _WORD.findall(sentence):
            folded = word.casefold()
            if folded not in seen_lower and _capitalised(word) and not self.is_common(folded):
                return True
        # Names made of common words ("Will May", "Mark Bill") only next to a cue; a pair
        # such as "Dear Fernhill Support" is the company.
        return self._cue is not None and bool(
            any(self._may_pair(a, b) for a, b in _PAIR.findall(sentence))
            and self._cue.search(sentence)
        )

    def _may_pair(self, first: str, second: str) -> bool:
        return all(
            _capitalised(word) and word.casefold() not in self._not_names
            for word in (first, second)
        )

    def is_common(self, word: str) -> bool:
        """Whether a casefolded word is a common word (so, alone, probably not a name)."""
        known = self._verdicts.get(word)
        if known is None:
            known = self._verdicts[word] = self._common_word(word)
            if len(self._verdicts) > 100_000:
                self._verdicts.clear()  # bounded; rebuilding costs little
        return known

    def _common_word(self, word: str) -> bool:
        word = _CONTRACTION.sub("", word)  # "we've", "don't", "sarah's"
        if "-" in word:  # "two-factor", "year-end"; "williams-walker" is not
            return all(self._common_word(part) for part in word.split("-") if part)
        if word in self._common:
            return True
        return any(
            word.endswith(suffix) and word[: -len(suffix)] in self._common
            for suffix in _SUFFIXES
            if len(word) > len(suffix) + 2
        )

    # --- name slots --------------------------------------------------------------------------

    def _slot_names(self, text: str) -> Iterator[Span]:
        for pattern, introduction in self._slot_patterns:
            for match in pattern.finditer(text):
                span = self._name_at(text, match.end(), introduction=introduction)
                if span:
                    yield span[0], span[1], SLOT_SCORE

    def _address_names(self, text: str) -> Iterator[Span]:
        """Capitalised words that spell the local part of an e-mail address in the text:
        "Sophie Laurent (sophie.laurent@…)", "Kevin Brandt … kbrandt@…"."""
        if "@" not in text:
            return
        parts = {
            part
            for local in _EMAIL_LOCAL.findall(text)
            for part in _LOCAL_SPLIT.split(local.casefold())
            if len(part) > 1
        }
        words = list(_CAPITAL_WORD.finditer(text))
        for i, word in enumerate(words):
            first = word[0].casefold()
            if first in self._not_names:
                continue
            if first in parts and not self.is_common(first):
                yield word.start(), word.end(), SLOT_SCORE
            after = words[i + 1] if i + 1 < len(words) else None
            if after is None or not _BLANKS.fullmatch(text, word.end(), after.start()):
                continue
            last = after[0].casefold()
            if last not in self._not_names and (
                {first, last} <= parts or first[0] + last in parts or first + last in parts
            ):
                yield word.start(), after.end(), SLOT_SCORE

    def _name_at(self, text: str, pos: int, *, introduction: bool) -> tuple[int, int] | None:
        """One to three capitalised words starting at ``pos``. After a greeting or sign-off
        they must end the clause ("Hi Claudia,"); after an introduction ("this is Ana Lima
        from …") one of them must be an unusual word."""
        words: list[str] = []
        end = pos
        for match in _WORD.finditer(text, pos, min(len(text), pos + 80)):
            gap = text[end : match.start()]
            if not _capitalised(match[0]) or (words and not _BLANKS.fullmatch(gap)):
                break
            words.append(match[0])
            end = match.end()
            if len(words) == 3:
                break
        if not words:
            return None
        folded = [w.casefold() for w in words]
        if any(w in self._not_names for w in folded):
            return None
        if introduction:
            return None if all(self.is_common(w) for w in folded) else (pos, end)
        return (pos, end) if _CLAUSE_END.match(text, end) else None


def _capitalised(word: str) -> bool:
    """Capitalised like a name: not lower case, not an acronym (IBAN, HMRC's), no digits (P60s)."""
    base = _CONTRACTION.sub("", word)
    return base[:1].isupper() and not base.isupper() and not any(c.isdigit() for c in base)


def _blank_out(text: str, spans: Sequence[tuple[int, int]]) -> Iterator[str]:
    """``text`` with each span replaced by as many spaces (offsets stay the same)."""
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        yield text[pos:start]
        yield " " * max(0, end - start)
        pos = max(pos, end)
    yield text[pos:]


def _phrases(phrases: Sequence[str]) -> str:
    if not phrases:
        return "(?!)"  # matches nothing
    alternatives = "|".join(re.escape(p).replace(r"\ ", rf"{_SP}+") for p in phrases)
    return rf"\b(?:{alternatives})\b"


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans, without the blanks that lead into them (the model reads a leading
    blank as a token, and finds fewer names after it)."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        yield from _trimmed(text, start, match.end())
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    if start < end:
        yield start, end
