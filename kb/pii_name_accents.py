"""Names the English model misses: runs of unusual words written with letters English lacks.

spaCy's small English model learnt names from English text. It finds "Zbigniew
Brzęczyszczykiewicz" after "Our client", but in 'Example: "Łukasz Wróblewski" becomes …' it
finds nothing, and it calls "Léon Costa" and "Rémy Blanc" organisations. Support tickets are
full of customers' clients and colleagues from everywhere, and the deny-list only knows the
ticket's own customer.

So, in a sentence the NER gate already sent to the model, a run of two or three name-shaped
words is a name when none of its words is a common word, one of them is written with a letter
outside ASCII (ł, ó, é, ü, ø, ñ, …) and the model did not call the run a place ("São Paulo",
"Zürich Altstetten" as GPE, LOC or FAC). A company written that way ("Société Générale") is
replaced as a name too: a few over-redacted words cost less than a leaked client.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Sequence

from kb.pii_name_shape import Token, strip_edges, token_kind

ACCENT_SCORE = 0.8  # as a name found in a slot (kb.pii_name_slots)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_TOKEN = re.compile(r"\S+")
_RUN_END = tuple(',;:!?)"”')


def accented_runs(
    sentence: str,
    places: Sequence[tuple[int, int]],
    common: Container[str],
) -> Iterator[tuple[int, int]]:
    """Spans (in ``sentence``) of the runs of name words described in the module docstring;
    ``places`` are the spans the model labelled as places, ``common`` holds casefolded common
    words."""
    if sentence.isascii():
        return  # the usual case, and cheap to rule out
    run: list[tuple[int, int, str]] = []  # (start, end, word) of the current run of names
    for match in _TOKEN.finditer(sentence):
        raw = match[0]
        word = strip_edges(raw)
        kind = token_kind(word) if word else None
        opens = raw[: len(raw) - len(raw.lstrip("\"“‘'(["))]
        if kind is Token.NAME and not (run and opens):
            start = match.start() + raw.index(word)
            run.append((start, start + len(word), word))
        elif kind is Token.PARTICLE and run:
            pass  # "Anke de Vries": the particle continues the run
        else:
            yield from _kept(run, places, common)
            run = []
            if kind is Token.NAME:  # it opens a quote: the start of a new run
                start = match.start() + raw.index(word)
                run = [(start, start + len(word), word)]
            continue
        if raw.endswith(_RUN_END):
            yield from _kept(run, places, common)
            run = []
    yield from _kept(run, places, common)


def _kept(
    run: list[tuple[int, int, str]],
    places: Sequence[tuple[int, int]],
    common: Container[str],
) -> Iterator[tuple[int, int]]:
    # A common word at either end is no part of the name: "Can Océane Fontaine get …".
    while run and run[0][2].casefold() in common:
        run = run[1:]
    while run and run[-1][2].casefold() in common:
        run = run[:-1]
    if not 2 <= len(run) <= 3:
        return
    words = [word for _, _, word in run]
    if any(word.casefold() in common for word in words):
        return
    if all(word.isascii() for word in words):
        return
    start, end = run[0][0], run[-1][1]
    if any(s < end and start < e for s, e in places):
        return
    yield start, end
