"""Names (PERSON): spaCy NER on the prose sentences that may hold one, plus the name slots.

Names live in prose. The finder reads a view of each text with its code blocks, inline code,
URLs, link targets and HTML tags blanked out (``kb.pii_markup``), and keeps only candidates
shaped like a person's name (``kb.pii_name_shape``: not ``WriteLine``, ``java.util``, ``JSON``).

NER is nearly all of the cost of redaction, and most sentences cannot hold a name. The gate
sends a sentence to spaCy only when it could yield a name the finder would keep: two
name-shaped words in a row, one of them unusual (neither a common word, from
``kb.pii_vocabulary`` plus the policy's words, nor written in lower case elsewhere in the same
text), or name-shaped words next to a cue ("my name is", "cc", "Mr"). The model then decides as
it would have on the whole text: its window is a few tokens wide.

What the model finds is kept when it is name-shaped and has two name words, one of them not a
common word ("Priya Raman"), or a cue right before it or a title in it ("I spoke with Mark
Walker", "Dr. Adeyinka"). A lone word (``Cognito``, ``Alice``) or a run of common words
(``Getting Started``) without a cue is a term; a lone word next to a name already found in a
slot completes it ("Arne" signs off; the model finds "Koch" in "Arne Koch here"). A lone first
name is still replaced when it belongs to a full name found in the same text ("Thanks, Ana"
after "Ana Lima", see ``Redactor._repeated_names``) or to the caller's deny-list.

A word of the document's own Markdown headings is a term too ("# Amazon Aurora DB clusters":
``Amazon Aurora`` is the product, not a person), except where a heading may name someone: a
heading that is nothing but unusual words ("## Helen Marsh"), and the words after "with",
"by", "for", a cue or a title ("## Design patterns with Rick Houlihan").

Names in the slots of a ticket and names that spell an e-mail address are found by rule
(``kb.pii_name_slots``), and so are unusual words written with letters English lacks that the
model missed ("Łukasz Wróblewski", ``kb.pii_name_accents``). A name made only of common words,
in no slot and next to no cue ("ask Will May"), is missed; so are lone names without a cue,
names the model does not know (unless written with letters English lacks), names in code, and
names whose words are also in the document's headings. The deny-list (the ticket's
identity fields) covers the names that matter most.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from kb.errors import RedactorUnavailable
from kb.pii_markup import HEADING, prose_view
from kb.pii_name_accents import ACCENT_SCORE, PLACE_LABELS, accented_runs
from kb.pii_name_shape import TITLES, Token, name_tokens, name_words, strip_edges, token_kind
from kb.pii_name_slots import NOT_NAMES, SP, WORD, NameSlots, Span, phrases
from kb.pii_policy import NamePolicy
from kb.pii_vocabulary import CommonWords, general_vocabulary

NER_SCORE = 0.85  # what Presidio's SpacyRecognizer gives a PERSON entity
PERSON_LABELS = frozenset({"PERSON", "PER"})

# A sentence ends at . ! ? before a blank (not after a title such as "Mr.") or at a newline.
# (The lookahead first: the lookbehinds then run only at punctuation.)
_SENTENCE_END = re.compile(
    r"(?=[.!?])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?]+(?=\s)|\n"
)
_BLANK_RUN = re.compile(r"\s+")
# Addresses and links hold lower-case copies of names (sarah.jones@…): not evidence of a word.
_ADDRESSES = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+")
_CONTEXT = "Note. "  # see find_many
# A run of name words ends at a token that ends a clause: "Schuchhardt, Hellmuth".
_RUN_END = tuple(',;:!?)"”')
_CUE_WINDOW = 60  # how far before a candidate its cue may start
# "Modifying Oracle", "Querying Amazon": an instruction's verb in front of a product.
_GERUND = re.compile(rf"([A-Z][a-z]{{2,}}ing){SP}+(?=\S)")
# The word right before or after a candidate ("Arne" of "Arne Koch"), and the token (any
# characters) right before or after a word spread from a name ("Aurora PostgreSQL").
_WORD_BEFORE = re.compile(rf"(?<!\S)({WORD.pattern}){SP}+$")
_WORD_AFTER = re.compile(rf"{SP}+({WORD.pattern})(?=[\s,;:!?)]|$)")
_TOKEN_BEFORE = re.compile(rf"(?<!\S)(\S+){SP}+$")
_TOKEN_AFTER = re.compile(rf"{SP}+(\S+)")
# Headings: where a clause ends, and the words after which a person's name may follow
# ("Patterns with Rick Houlihan"); the policy's cue words and titles count too.
_HEADING_CLAUSE_END = tuple(",:;|)")
_DASHES = ("—", "–", "-")
_PERSON_LEADS = frozenset({"with", "by", "from", "for", "to", "and", "meet", "meeting", "ask"})


@dataclass(frozen=True)
class _Prose:
    """One text as the finder reads it."""

    text: str
    view: str  # the text with code and markup blanked (kb.pii_markup)
    known: frozenset[str]  # words of the names found by rule, casefolded
    terms: frozenset[str]  # words of the document's headings, casefolded (see _heading_terms)


class PersonFinder:
    """Finds PERSON spans in many texts with one spaCy pass. Safe to share between threads."""

    def __init__(self, nlp: Language, names: NamePolicy, *, allow_words: frozenset[str]) -> None:
        self._nlp = nlp
        self._gate = names.ner_gate
        # Both forms: phrases are in lower case ("grüßen"), words are compared casefolded.
        cue_words = {f(w) for p in names.cues for w in WORD.findall(p) for f in (str, str.casefold)}
        self._common = CommonWords(
            general_vocabulary(names.general_vocabulary)
            | names.common_words
            | allow_words
            | cue_words
            | {w.casefold() for w in STOP_WORDS}
        )
        self._not_names = allow_words | names.common_words | cue_words | NOT_NAMES
        self._person_leads = _PERSON_LEADS | cue_words | TITLES
        self._slots = NameSlots(names, common=self._common, not_names=self._not_names)
        self._cue = re.compile(phrases(names.cues), re.I) if names.cues else None
        # What may stand right before a name the model found: an introduction ("contact our
        # accountant"), a greeting that starts its line, a sign-off with its comma ("Best,",
        # not "the best Availability Zone"), a title.
        words = rf"{SP}*(?:[\w'’-]+{SP}+){{0,2}}"
        self._cue_before = re.compile(
            rf"(?i)(?:{phrases(names.introductions)}{SP}*[:,]?"
            rf"|^{SP}*{phrases(names.greetings)}){words}\Z"
            rf"|{phrases(names.sign_offs)}{SP}*(?:[,!.]{SP}*\n?|\n){SP}*\Z"
            rf"|{phrases(sorted(TITLES))}\.?{SP}+\Z",
            re.M,
        )
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

    def is_common(self, word: str) -> bool:
        """Whether a casefolded word is a common word (so, alone, probably not a name)."""
        return word in self._common

    def find_many(self, texts: Sequence[str], *, batch_size: int = 256) -> list[list[Span]]:
        """PERSON spans per text: (start, end, score), possibly overlapping."""
        found: list[list[Span]] = []
        proses: list[_Prose] = []
        for text in texts:
            view = prose_view(text)
            slots = self._slots.find(text, view)
            known = frozenset(w.casefold() for s, e, _ in slots for w in text[s:e].split())
            found.append(slots)
            proses.append(_Prose(text, view, known, self._heading_terms(view)))
        sentences = [
            (i, start, end) for i, prose in enumerate(proses) for start, end in self._read(prose)
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
                (_CONTEXT + proses[i].view[s:e] for i, s, e in sentences), batch_size=batch_size
            )
            for (i, start, end), doc in zip(sentences, docs, strict=True):
                for ent in doc.ents:
                    if ent.label_ not in PERSON_LABELS or ent.start_char < lead:
                        continue
                    offset = start - lead
                    span = self._kept(
                        proses[i], start, offset + ent.start_char, offset + ent.end_char
                    )
                    if span:
                        found[i].append((*span, NER_SCORE))
                found[i] += self._accented(proses[i], start, end, doc, lead)
        return found

    def _accented(self, prose: _Prose, start: int, end: int, doc: Doc, lead: int) -> list[Span]:
        """Names in letters English lacks that the model missed (``kb.pii_name_accents``)."""
        places = [
            (ent.start_char - lead, ent.end_char - lead)
            for ent in doc.ents
            if ent.label_ in PLACE_LABELS
        ]
        return [
            (start + s, start + e, ACCENT_SCORE)
            for s, e in accented_runs(prose.view[start:end], places, self._common)
            if not any(
                w.casefold() in prose.terms for w in prose.view[start + s : start + e].split()
            )
        ]

    def _kept(self, prose: _Prose, sentence: int, start: int, end: int) -> tuple[int, int] | None:
        """The span of a PERSON the model found in the sentence starting at ``sentence``, if
        it is kept (see the module docstring)."""
        view = prose.view
        if view[start:end] != prose.text[start:end]:
            return None  # it reaches into code or markup
        # A common word in -ing opening the candidate is an instruction's verb, not a name.
        gerund = _GERUND.match(view, start, end)
        if gerund and gerund[1].casefold() in self._common:
            start = gerund.end()
        value = view[start:end]
        kinds = name_tokens(value)
        if kinds is None:
            return None
        words = [w.casefold() for w in name_words(value)]
        if any(w in prose.terms for w in words):
            return None
        if len(words) > 1 and not all(w in self._common for w in words):
            return start, end
        cue_from = max(sentence, start - _CUE_WINDOW)
        if Token.TITLE in kinds or self._cue_before.search(view, cue_from, start):
            return start, end
        if len(words) == 1:
            # The rest of a name found in a slot: "Arne" signs off, the model finds "Koch"
            # in "Arne Koch here".
            before = _WORD_BEFORE.search(view, max(sentence, start - 40), start)
            if before and before[1].casefold() in prose.known:
                return before.start(1), end
            after = _WORD_AFTER.match(view, end)
            if after and after[1].casefold() in prose.known:
                return start, after.end(1)
        return None

    def _heading_terms(self, view: str) -> frozenset[str]:
        """The name-shaped words of the document's Markdown headings, except where a heading
        may name someone (see ``_person_runs``)."""
        terms: set[str] = set()
        for heading in HEADING.findall(view):
            raws = heading.split()
            tokens = [strip_edges(raw) for raw in raws]
            kinds = [token_kind(token) if token else None for token in tokens]
            people = self._person_runs(raws, kinds)
            terms.update(
                token.casefold()
                for i, (token, kind) in enumerate(zip(tokens, kinds, strict=True))
                if kind is Token.NAME and i not in people
            )
        return frozenset(terms)

    def _person_runs(self, raws: Sequence[str], kinds: Sequence[Token | None]) -> set[int]:
        """Positions of the runs of name-shaped words in a heading that may be a person's
        name: after "with", "by", "for", a cue or a title ("Patterns with Rick Houlihan");
        a run that is a whole clause of it ("Helen Marsh (support manager)", "Refunds —
        Helen Marsh"); a run that ends the heading after a lower-case word ("VIP customer
        Margaret Okafor")."""
        people: set[int] = set()
        i = 0
        while i < len(raws):
            if kinds[i] is None:
                i += 1
                continue
            end = i + 1  # a run of name-shaped tokens, up to a token that ends a clause
            while not raws[end - 1].endswith(_HEADING_CLAUSE_END) and end < len(raws):
                if kinds[end] is None or raws[end].startswith(("(", *_DASHES)):
                    break
                end += 1
            before = raws[i - 1] if i else ""
            clause_ends = end == len(raws) or raws[end - 1].endswith(_HEADING_CLAUSE_END)
            clause_ends |= end < len(raws) and raws[end].startswith(("(", *_DASHES))
            clause_starts = not before or before.endswith(_HEADING_CLAUSE_END + _DASHES)
            if (
                strip_edges(before).casefold() in self._person_leads
                or (clause_starts and clause_ends)
                or (end == len(raws) and before[:1].islower())
            ):
                people.update(range(i, end))
            i = end
        return people

    def in_another_name(self, text: str, start: int, end: int, own: set[str]) -> bool:
        """Whether the word at ``text[start:end]``, taken from a name made of the words
        ``own`` (casefolded), stands right next to an unusual capitalised word of some other
        name: "Aurora" in "Aurora PostgreSQL" after "Amazon Aurora", not "Ana" in "Thanks, Ana"."""
        before = _TOKEN_BEFORE.search(text, max(0, start - 40), start)
        after = _TOKEN_AFTER.match(text, end)
        neighbours = [before[1]] if before and not before[1].endswith(_RUN_END) else []
        neighbours += [after[1]] if after else []
        for raw in neighbours:
            token = strip_edges(raw)
            folded = token.casefold()
            if (
                token[:1].isupper()
                and token_kind(token) is not Token.TITLE
                and folded not in own
                and folded not in self._common
            ):
                return True
        return False

    # --- the gate ----------------------------------------------------------------------------

    def _read(self, prose: _Prose) -> Iterator[tuple[int, int]]:
        """The sentences of the text's view spaCy should read. Words of the names found by
        rule are no reason to read a sentence again, though a word next to one may be the
        rest of the name ("Howard" from howard16@…, then "Howard Patel")."""
        view = prose.view
        if not self._gate:
            yield from _sentences(view)
            return
        unmasked = _ADDRESSES.sub(" ", view)
        seen = {w.casefold() for w in WORD.findall(unmasked) if w[0].islower()}
        seen |= prose.known | prose.terms
        for start, end in _sentences(view):
            if self._may_hold_name(view[start:end], seen):
                yield start, end

    def _may_hold_name(self, sentence: str, seen: set[str]) -> bool:
        """Whether the sentence could yield a name ``_kept`` would keep: two name words in a
        row, one of them unusual (not common, and not in ``seen``: written in lower case
        elsewhere, a name found already or a heading word), or name words next to a cue."""
        if sentence.lower() == sentence:
            return False  # no capital, no name (most lines of code and tables)
        # Name words in the current run; unusual ones, and ones that may fill a slot, among them.
        run = unusual = plain = 0
        single = pair = titled = False
        for raw in sentence.split():
            token = strip_edges(raw)
            kind = token_kind(token) if token else None
            if kind is Token.NAME:
                folded = token.casefold()
                rare = folded not in seen and folded not in self._common
                run, unusual = run + 1, unusual + rare
                plain = plain + 1 if folded not in self._not_names else 0
                if run > 1 and unusual:
                    return True
                single |= rare
                pair |= plain > 1
            elif kind is Token.TITLE:
                titled = True
            # Particles and initials continue a run ("Anke de Vries", "John F. Kennedy").
            if kind is None or raw.endswith(_RUN_END):
                run = unusual = plain = 0
        if titled and (single or pair):
            return True
        # A lone unusual word, or names made of common words ("Will May", "Mark Bill"), only
        # next to a cue; a pair such as "Dear Fernhill Support" is the company.
        return (single or pair) and self._cue is not None and bool(self._cue.search(sentence))


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans, without the blanks that lead into them (the model reads a leading
    blank as a token, and finds fewer names after it)."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        yield from _trimmed(text, start, match.end())
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    blanks = _BLANK_RUN.match(text, start, end)
    start = blanks.end() if blanks else start
    if start < end:
        yield start, end
