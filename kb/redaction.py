"""PII redaction: the one redactor every writer calls before text is stored, indexed or sent.

Ingestion, drafts, the audit log and refresh proposals all pass text through ``Redactor``
first. It finds what the policy (``config/pii.yaml``, see ``kb.pii_policy``) lists — names with
spaCy NER (``kb.pii_names``), e-mails, phones, cards and IBANs with Presidio's pattern
recognizers (``kb.pii_patterns``), UK sort codes and bank account numbers by their cue
(``kb.pii_bank``), postal addresses (``kb.pii_address``), National Insurance numbers and dates
of birth (``kb.pii_identity``), and any values the caller names in a deny-list — and
replaces each with a typed placeholder such as ``<PERSON_1>``: the same value gets the same
placeholder throughout one document, numbered in reading order.

Names are looked for in prose only: the name finder skips code blocks, inline code, URLs, link
targets and HTML tags (``kb.pii_markup``). The patterns and the deny-list read the whole text,
code included: a card number or an address pasted in a code block is still personal data, and
those patterns are cheap; the digits around a decimal point (``0.2707797586917877``, a
timestamp ``1540857600.0``) are never a card or a phone. A name found in prose is replaced
wherever else it occurs, code included.

What was replaced is reported as counts per type only. The mapping from placeholders back to
values is never returned, stored or logged: redaction cannot be undone, by design.

Nothing is downloaded: the spaCy model must be installed (or the redactor refuses to start,
``RedactorUnavailable``), and tldextract uses its bundled suffix list.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.entities import RecognizerResult as Replacement

from kb.pii_address import ADDRESS
from kb.pii_name_shape import name_words
from kb.pii_names import NER_SCORE, PersonFinder
from kb.pii_patterns import pattern_recognizers, use_offline_public_suffix_list
from kb.pii_placeholders import (
    NUMBER_TYPES,
    PiiFinding,
    number,
    placeholder_spans,
    resolve,
)
from kb.pii_policy import PiiPolicy, load_pii_policy

__all__ = ["DenyList", "PiiFinding", "RedactedFields", "Redaction", "Redactor"]

log = logging.getLogger(__name__)

DenyList = Mapping[str, Sequence[str]]
"""Values to redact whatever the recognizers say, by entity type: ``{"PERSON": ["Ana Lima"]}``."""

FIELD_SEPARATOR = "\n\n"
_ENTITY_NAME = re.compile(r"[A-Z][A-Z_]*")
_WORDS = re.compile(r"[^\W_][\w'’-]*")
_DENY_SCORE = 1.0
_DIGIT_POINT = re.compile(r"\d\.\Z")
_POINT_DIGIT = re.compile(r"\.\d")
_ONE_DECIMAL = re.compile(r"\d\.\d\Z")


@dataclass(frozen=True)
class Redaction:
    """A redacted text and what was replaced: ``counts`` is occurrences per entity type,
    ``distinct`` the number of different values (= placeholders) per type."""

    text: str
    counts: dict[str, int]
    distinct: dict[str, int]


@dataclass(frozen=True)
class RedactedFields:
    """Several fields of one document (title, body, …) redacted with one numbering."""

    fields: dict[str, str]
    counts: dict[str, int]
    distinct: dict[str, int]


class Redactor:
    """Finds and replaces PII as the policy says. Load it once and share it.

    Construction loads the spaCy model and checks everything (slow, about a second); after
    that ``redact`` may be called from several threads: spaCy runs under a lock inside
    ``PersonFinder``, and the Presidio recognizers and anonymizer keep no per-call state.
    """

    def __init__(self, policy: PiiPolicy) -> None:
        # Presidio logs at INFO on every call; with the root logger at INFO (wordllama sets it
        # on import) that is a line per document.
        for name in ("presidio-analyzer", "presidio-anonymizer"):
            logging.getLogger(name).setLevel(logging.WARNING)
        use_offline_public_suffix_list()
        self.policy = policy
        self._pattern_entities = [e for e in policy.entities if e != "PERSON"]
        self._persons = (
            PersonFinder.load(policy.spacy_model, policy.names, allow_words=policy.allow_words)
            if "PERSON" in policy.thresholds
            else None
        )
        # The pattern recognizers are called directly: AnalyzerEngine's per-call work (NLP
        # artifacts, context enhancement, decision logging) serves NLP-based recognizers, and
        # names are found in one batched spaCy pass instead (kb.pii_names).
        self._recognizers = pattern_recognizers(self._pattern_entities, policy.phone_regions)
        self._anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self._allow = policy.allow_values | policy.allow_words
        self._not_name_words = policy.allow_words | policy.names.common_words
        # Presidio compiles each pattern on first use; do it now, before threads share them.
        self.find_many(["warm-up: 020 7946 0321, a@b.example, 4111 1111 1111 1111"])
        log.info(
            "PII redactor ready: policy %s v%d, model %s, entities %s",
            policy.source,
            policy.version,
            policy.spacy_model,
            ", ".join(policy.entities),
        )

    @classmethod
    def from_policy(cls, policy_path: Path | None = None) -> Redactor:
        """The redactor for a policy file; ``None`` means the packaged ``config/pii.yaml``."""
        return cls(load_pii_policy(policy_path))

    def redact(self, text: str, *, deny: DenyList | None = None) -> Redaction:
        """Redact one document."""
        return self.redact_many([text], deny=[deny])[0]

    def redact_many(
        self, texts: Sequence[str], *, deny: Sequence[DenyList | None] | None = None
    ) -> list[Redaction]:
        """Redact many documents with one NER pass (ingestion); ``deny`` is per document."""
        redactions = []
        for text, findings in zip(texts, self.find_many(texts, deny=deny), strict=True):
            [redacted], counts, distinct = self._replace([text], findings)
            redactions.append(Redaction(redacted, counts, distinct))
        return redactions

    def redact_fields(
        self, fields: Mapping[str, str], *, deny: DenyList | None = None
    ) -> RedactedFields:
        """Redact the fields of one document (title, body) so they share one numbering: the
        name in the title and in the body get the same placeholder."""
        names, parts = list(fields), list(fields.values())
        [findings] = self.find_many([FIELD_SEPARATOR.join(parts)], deny=[deny])
        redacted, counts, distinct = self._replace(parts, findings)
        return RedactedFields(dict(zip(names, redacted, strict=True)), counts, distinct)

    def find_many(
        self, texts: Sequence[str], *, deny: Sequence[DenyList | None] | None = None
    ) -> list[list[PiiFinding]]:
        """What ``redact_many`` would replace in each text, in reading order, without
        replacing it (for benchmarks, tests and highlighting)."""
        denies = list(deny) if deny is not None else [None] * len(texts)
        if len(denies) != len(texts):
            raise ValueError(f"deny has {len(denies)} entries for {len(texts)} texts")
        names = self._persons.find_many(texts) if self._persons else [[] for _ in texts]
        out = []
        for text, spans, doc_deny in zip(texts, names, denies, strict=True):
            found = [PiiFinding("PERSON", start, end, score) for start, end, score in spans]
            found += self._patterns(text)
            found = [
                f
                for f in found
                if f.score >= self.policy.thresholds[f.entity_type]
                and not self._allowed(text[f.start : f.end], f.entity_type)
            ]
            found = _not_in_addresses(found)
            found += self._repeated_names(text, found)
            found += _denied(text, doc_deny)
            out.append(resolve(text, found, protected=placeholder_spans(text)))
        return out

    def _patterns(self, text: str) -> list[PiiFinding]:
        return [
            PiiFinding(r.entity_type, r.start, r.end, r.score)
            for recognizer in self._recognizers
            # Pattern recognizers never read NLP artifacts (there are none: no spaCy here).
            for r in recognizer.analyze(text, recognizer.supported_entities, None)  # type: ignore[arg-type]
            # Digits on either side of a decimal point ("0.2707797586917877", a timestamp
            # "1540857600.0" in a JSON sample) are a measurement, not a card or a phone.
            if not (r.entity_type in NUMBER_TYPES and _decimal(text, r.start, r.end))
        ]

    def _repeated_names(self, text: str, found: Sequence[PiiFinding]) -> list[PiiFinding]:
        """Other mentions of the names found: the model may find "Ana Lima" in one sentence
        and miss her elsewhere, or miss the "Ana" of "Thanks, Ana"."""
        if self._persons is None:
            return []
        persons = self._persons
        names: set[str] = set()
        parts: dict[str, set[str]] = {}  # a word of a longer name -> the words of its names
        for f in found:
            if f.entity_type == "PERSON":
                name = text[f.start : f.end]
                words = name.split()
                if len(words) > 1 or not persons.is_common(name.casefold()):
                    names.add(name)
                if len(words) == 1:
                    continue
                # A lone common word ("Email" that the model took for a name) is not spread,
                # nor are titles, initials and particles ("Dr.", "F.", "de").
                own = {w.casefold() for w in words}
                for word in name_words(name):
                    if _capitalised_part(word) and not persons.is_common(word.casefold()):
                        parts.setdefault(word, set()).update(own)
        spread = [
            (start, start + len(name)) for name in names for start in _whole_words(text, name)
        ]
        spread += [
            (start, start + len(word))
            for word, own in parts.items()
            for start in _whole_words(text, word)
            # "Aurora" of "Amazon Aurora" is not spread to "Aurora PostgreSQL", another name.
            if not persons.in_another_name(text, start, start + len(word), own)
        ]
        return [PiiFinding("PERSON", start, end, NER_SCORE) for start, end in spread]

    def _allowed(self, value: str, entity_type: str) -> bool:
        folded = " ".join(value.split()).casefold()
        if folded in self._allow:
            return True
        if entity_type != "PERSON":
            return False
        # A "name" with a product or company word in it ("Xero Payroll", "Stripe Radar") or
        # made only of domain words ("Fernhill Support", "Payroll Team") is not one.
        words = set(_WORDS.findall(folded))
        return bool(words) and (
            bool(words & self.policy.allow_words) or words <= self._not_name_words
        )

    def _replace(
        self, parts: Sequence[str], findings: Sequence[PiiFinding]
    ) -> tuple[list[str], dict[str, int], dict[str, int]]:
        """Replace ``findings`` (offsets into the parts joined by FIELD_SEPARATOR)."""
        joined = FIELD_SEPARATOR.join(parts)
        placeholders = number(joined, findings)
        out, offset = [], 0
        for part in parts:
            end = offset + len(part)
            # No recognizer matches across a line break, so a finding lies inside one part;
            # clipping is only a guard that nothing straddling two fields could leak.
            pieces = [
                (f, max(f.start, offset), min(f.end, end), placeholder)
                for f, placeholder in zip(findings, placeholders, strict=True)
                if f.start < end and offset < f.end
            ]
            if pieces:
                out.append(self._anonymize(joined, offset, part, pieces))
            else:
                out.append(part)
            offset = end + len(FIELD_SEPARATOR)
        counts = Counter(f.entity_type for f in findings)
        # Placeholders name their type, and there is one per distinct value.
        distinct = Counter(placeholder[1:].rsplit("_", 1)[0] for placeholder in set(placeholders))
        return out, dict(sorted(counts.items())), dict(sorted(distinct.items()))

    def _anonymize(
        self,
        joined: str,
        offset: int,
        part: str,
        pieces: Sequence[tuple[PiiFinding, int, int, str]],
    ) -> str:
        # The anonymizer hands its operator only the value, so each type gets a table from
        # exact value to placeholder (equal values always share one).
        tables: dict[str, dict[str, str]] = {}
        for f, start, end, placeholder in pieces:
            tables.setdefault(f.entity_type, {})[joined[start:end]] = placeholder
        operators = {
            entity_type: OperatorConfig("custom", {"lambda": table.__getitem__})
            for entity_type, table in tables.items()
        }
        replacements = [
            Replacement(f.entity_type, start - offset, end - offset, f.score)
            for f, start, end, _ in pieces
        ]
        result = self._anonymizer.anonymize(
            part, replacements, operators=operators, merge_entities_with_spaces=False
        )
        text: str = result.text
        return text


def _not_in_addresses(found: list[PiiFinding]) -> list[PiiFinding]:
    """The findings but the names inside an address: the model reads the street of "2147
    Larkspur Lane" as a person, and "Lane" would then be replaced wherever it stands."""
    addresses = [(f.start, f.end) for f in found if f.entity_type == ADDRESS]
    if not addresses:
        return found
    return [
        f
        for f in found
        if f.entity_type != "PERSON" or not any(s <= f.start and f.end <= e for s, e in addresses)
    ]


def _decimal(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of a decimal number: a digit and a point before
    it, a point and a digit after it, or one digit after a final point ("1540857600.0")."""
    return bool(
        _DIGIT_POINT.search(text, max(0, start - 2), start)
        or _POINT_DIGIT.match(text, end)
        or _ONE_DECIMAL.search(text, max(start, end - 3), end)
    )


def _denied(text: str, deny: DenyList | None) -> list[PiiFinding]:
    """Every occurrence of the deny-listed values, as their type."""
    found = []
    for entity_type, values in (deny or {}).items():
        if not _ENTITY_NAME.fullmatch(entity_type):
            raise ValueError(f"deny-list type {entity_type!r} must be UPPER_CASE like PERSON")
        if entity_type == "PERSON":
            patterns = _name_patterns(values)
        else:
            patterns = [_value_pattern(entity_type, v) for v in values if len(v.strip()) > 1]
        found += [
            PiiFinding(entity_type, m.start(), m.end(), _DENY_SCORE, denied=True)
            for pattern in patterns
            for m in pattern.finditer(text)
        ]
    return found


def _value_pattern(entity_type: str, value: str) -> re.Pattern[str]:
    """A value wherever it stands as a whole, in any case and spacing."""
    if entity_type in NUMBER_TYPES:
        # The same number written with other spacing: 4111111111111111 / 4111 1111 1111 1111
        chars = [re.escape(c) for c in value if c.isalnum()]
        body = r"[^\S\n]?[-./()]?[^\S\n]?".join(chars)
    else:
        body = r"[^\S\n]+".join(re.escape(word) for word in value.split())
    return re.compile(rf"(?<![\w@+]){body}(?![\w@])", re.IGNORECASE)


def _name_patterns(names: Iterable[str]) -> list[re.Pattern[str]]:
    """Each deny-listed name in any case, and each capitalised part of a longer one on its own
    ("Thanks, Ana" for "Ana Lima")."""
    patterns = []
    for name in names:
        if len(name.strip()) < 2:
            continue  # one letter would redact that letter everywhere
        patterns.append(_value_pattern("PERSON", name))
        words = name.split()
        if len(words) > 1:
            patterns += [
                re.compile(rf"(?<![\w@.]){re.escape(part)}(?![\w@])")
                for part in words
                if _capitalised_part(part)
            ]
    return patterns


def _capitalised_part(word: str) -> bool:
    return len(word) > 1 and word[0].isupper()


def _whole_words(text: str, needle: str) -> Iterator[int]:
    """Where ``needle`` occurs in ``text`` as a whole word (not inside an address)."""
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "@._" or after.isalnum() or after in "@_"):
            yield start
        start = text.find(needle, start + 1)
