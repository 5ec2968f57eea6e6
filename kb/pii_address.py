"""Postal addresses (ADDRESS): street lines, UK postcodes and US "City, ST 12345" lines.

An address is found from an anchor and grown over the parts written next to it:

* anchors: a street line, a house number and a street name ending in a street word
  (``14 Marlborough Road``, ``2147 Larkspur Lane``, ``410 Terry Avenue North``; German
  ``Walterstraße 9``, French ``12, rue de la Paix``); a UK postcode in the official format
  (``BS6 5NJ``, upper case); a US locality line (``Boise, ID 83702``);
* parts: a flat or unit (``Flat 2``, ``Apt 3B``, ``Suite 950``), a locality (``Bristol``), a
  postcode or ZIP code, a state, joined by commas or blanks on the line (before a postcode or a
  US locality line, also the street and the flat: "Flat 55, Hodgson Lane, Bristol, BS6 5NJ");
  and, in an address written out one part a line, the lines above and below an anchor that
  hold only such parts (a line of capitalised words alone only between such lines, so the name
  and the sign-off above an address stay names).

Street words come from the USPS list (Publication 28) and the usual British ones. The common
ones (Street, Road, Avenue, Lane, Drive, Close, Way, Grove, …) make a street line on their own;
the rest (Point, Gateway, Station, Park, Route, …) also name things in technical text ("3 Access
Point"), so a street line ending in one counts only when an address part follows it or an
address cue ("address", "moved to", "ship to") precedes it in its sentence, or a postcode line
follows below it. A French street with no house number ("chemin des Vignes") counts only before
a postcode and its town. A bare five-digit number is never an address, nor is a postcode-shaped
storage size (``EC2 5GB``).

Each line of an address is one finding (nothing here spans a line break). Scores are above the
name model's, so a street the model calls a person ("Larkspur Lane") is part of the address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

ADDRESS = "ADDRESS"
SCORE = 0.9

_SP = r"[^\S\n]"
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zà-öø-ÿß"
# A capitalised word: Marlborough, O'Connell, McKenzie.
_CAP = rf"(?:Mc|Mac)?[{_UP}][{_LOW}'’]*(?:-[{_UP}{_LOW}][{_LOW}'’]*)*"
_NAME = rf"(?:{_CAP}\.?|\d{{1,3}}(?:st|nd|rd|th))"  # a word of a street name: St., 5th
_HOUSE = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
# A house number that starts a street line. (The boundary is checked after the first digit, so
# that the regex engine only tries positions holding a digit: ten times faster on long texts.)
_HOUSE_FIRST = r"\d(?<![\w.,:/#-]\d)\d{0,4}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
# Make a street line alone.
_STRONG = (
    "Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Drive|Dr|Close|Crescent|Cres|Grove|Terrace|Tce|"
    "Mews|Gardens|Gdns|Court|Ct|Place|Pl|Boulevard|Blvd|Parkway|Pkwy|Highway|Hwy|Square|Sq|"
    "Circle|Cir|Row|Way|Hill|Rise|Parade|Esplanade|Embankment|Wharf|Quay|Crossing|Xing|"
    "Broadway|Trail|Trl|Heights|Hts|Cul-de-sac|Wynd|Chase|Croft|Brae"
)
# USPS street words that also name things in technical text: need an address part or a cue.
_WEAK = (
    "Alley|Annex|Arcade|Bayou|Beach|Bend|Bluffs?|Bottom|Branch|Bridge|Brooks?|Burgs?|Bypass|"
    "Camp|Canyon|Cape|Causeway|Centers?|Circles|Cliffs?|Club|Commons?|Corners?|Course|Courts|"
    "Coves?|Creek|Crest|Crossroad|Curve|Dale|Dam|Divide|Drives|Estates?|Expressway|"
    "Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway|Garden|"
    "Gateway|Glens?|Green|Greens|Groves|Harbors?|Haven|Highlands?|Hills|Hollow|Inlet|Islands?|"
    "Isle|Junctions?|Keys?|Knolls?|Lakes?|Land|Landing|Lights?|Loaf|Locks?|Lodge|Loop|Mall|"
    "Manors?|Meadows?|Mills?|Mission|Motorway|Mount|Mountains?|Neck|Orchard|Oval|Overpass|"
    "Parks?|Parkways|Pass|Passage|Path|Pike|Pines?|Plains?|Plaza|Points?|Ports?|Prairie|"
    "Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|River|Roads|Route|Run|Shoals?|Shores?|Skyway|"
    "Springs?|Spurs?|Squares|Station|Stravenue|Stream|Streets|Summit|Throughway|Trace|Track|"
    "Trafficway|Tunnel|Turnpike|Underpass|Unions?|Valleys?|Via|Viaduct|Views?|Villages?|Ville|"
    "Vista|Walks?|Wall|Ways|Wells?"
)
_DIRECTION = rf"(?:{_SP}+(?:North|South|East|West|N|S|E|W|NE|NW|SE|SW)\b)?"
_UNIT = (
    rf"(?:(?:Flat|Apartment|Apt\.?|Unit|Suite|Ste\.?|Studio|Room|Rm\.?|Floor|Fl\.?|Block|"
    rf"Building|Bldg\.?|P\.?{_SP}?O\.?{_SP}?Box|Box)(?:{_SP}*\#?{_SP}*\d{{1,5}}[A-Z]?"
    rf"|{_SP}+[A-Z]\d{{0,3}}\b)|\#\d{{1,5}}[A-Z]?)"
)
_STREET_EN = (
    rf"(?:{_NAME}{_SP}+){{1,4}}?(?:(?P<strong>{_STRONG})|(?P<weak>{_WEAK}))\b\.?{_DIRECTION}"
)
# German: Walterstraße 9, Berliner Straße 12a, Paulo-Schleich-Straße 19, Sauerplatz 30/64.
_DE_STRONG = r"[Ss]tra(?:ß|ss)e|[Gg]asse|[Pp]latz|[Aa]llee|[Ww]eg|[Dd]amm|[Uu]fer|[Cc]haussee"
_DE_WEAK = r"[Rr]ing|[Mm]arkt|[Pp]ark|[Bb]erg|[Hh]of|[Gg]raben"
# Found from the number: a digit after a blank after a letter or a dot ("Sauerplatz 30"), then
# the street word before it, then the name before that ("Berliner ", "Walter", "Paulo-…-").
_DE_NUMBER = re.compile(rf"\d(?<=[{_LOW}.]{_SP}\d)")
_DE_HOUSE = re.compile(rf"{_HOUSE}(?![\w-]|[.,/]\d)")
_DE_WORD = re.compile(
    rf"(?:(?P<de_strong>{_DE_STRONG})|(?P<de_weak>{_DE_WEAK})|(?<=[{_LOW}]{{3}})str\.){_SP}\Z"
)
_DE_HEAD = re.compile(rf"(?:{_CAP}{_SP}+)?(?:[{_UP}][{_LOW}'’]*-)*(?:[{_UP}][{_LOW}'’]*)?\Z")
# French: 12 rue de la Paix, 682, avenue de Toussaint, 3 bis boulevard Saint-Michel; without
# a house number ("chemin des Vignes") only before a postcode.
_FR_WORD = rf"(?:d[eu]s?|la|le|les|aux?|et|(?:[ld]['’])?[{_UP}][\w'’-]*)"
_FR_STREET = (
    r"(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Aa]llée|[Cc]hemin|[Ii]mpasse|[Qq]uai|"
    rf"[Rr]oute|[Cc]ours|[Pp]assage|[Ss]quare|[Vv]oie|[Rr]ésidence)(?:{_SP}+{_FR_WORD}){{0,4}}"
    rf"{_SP}+(?:[ld]['’])?[{_UP}][\w'’-]*"
)
# Street lines, each scanned for on its own (see find): a house number first (English and
# French), a flat with no house number ("Flat 55, Hodgson Lane"), German (the street word and
# the number after it, then the name before), French with no house number.
_HOUSED = re.compile(
    rf"{_HOUSE_FIRST}(?:,?{_SP}+{_STREET_EN}|(?:{_SP}?(?:bis|ter))?,?{_SP}+{_FR_STREET})(?![\w-])"
)
# A French street with no number counts only before a postcode and its town, so it is looked
# for from those: on the same line after a comma, or on the line above.
_EU_CODE = re.compile(rf"\d(?<![\w.,/-]\d)\d{{4}}{_SP}+[{_UP}]")
_FR_BARE_BEFORE = re.compile(rf"(?<![\w-]){_FR_STREET}(?:,{_SP}*|{_SP}*\n{_SP}*)\Z")
# Any street line, for the lines of a written-out address.
_ANY_STREET = (
    rf"(?:(?:{_UNIT}(?:,{_SP}*|{_SP}+))?(?:{_HOUSE},?{_SP}+)?{_STREET_EN}"
    rf"|{_HOUSE}(?:{_SP}?(?:bis|ter))?,?{_SP}+{_FR_STREET}|{_FR_STREET}"
    rf"|(?:{_CAP}{_SP}+)?(?:[{_UP}][{_LOW}'’]*-)*(?:[{_UP}][{_LOW}'’]*)?(?:{_DE_STRONG}|{_DE_WEAK})"
    rf"{_SP}+{_HOUSE})"
)
# UK postcodes, the official format (Presidio's UkPostcodeRecognizer), upper case only.
_POSTCODE = (
    r"(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]?|[A-PR-UWYZ][0-9]{2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]?|[A-PR-UWYZ][A-HK-Y][0-9]{2})"
    rf"{_SP}?[0-9][ABD-HJLNP-UW-Z]{{2}})"
)
# Found from the inward code (a digit and two letters: "5NJ"), then the outward code before it.
_INWARD = re.compile(r"\d(?=[ABD-HJLNP-UW-Z]{2}(?![\w-]))")
_OUTWARD_BEFORE = re.compile(
    r"(?<![\w./:-])(?:GIR|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]?|[A-PR-UWYZ][0-9]{2}"
    rf"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]?|[A-PR-UWYZ][A-HK-Y][0-9]{{2}}){_SP}?\Z"
)
_STORAGE_SIZE = re.compile(r"\d[GTP]B\Z")  # "EC2 5GB" is a disk, not Manchester
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    "NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP|AA|AE|AP"
)
_ZIP = r"\d{5}(?:-\d{4})?"
# A town: Bristol, Port Taylorside, Newcastle upon Tyne, St. Albans (a dot only inside).
_TOWN_WORD = rf"[{_UP}][\w'’-]*(?:\.(?={_SP}+[{_UP}]))?"
_LOCALITY = (
    rf"{_TOWN_WORD}(?:{_SP}+(?:upon|on|under|in|le|la|les|lès|de|sur|sous|am|an|im|der|ob|"
    rf"vorm|bei|"
    rf"{_TOWN_WORD})){{0,3}}"
)
_STATE_ZIP = rf"(?:{_STATES}){_SP}+{_ZIP}(?![\w-])"
# "Boise, ID 83702": found from its comma, then the town before it.
_US_TAIL = re.compile(rf",{_SP}*{_STATE_ZIP}")
_TOWN_BEFORE = re.compile(rf"(?<![\w-]){_LOCALITY}\Z")
# What may follow an anchor on its line, after a comma or blanks.
_PART = (
    rf"(?:{_UNIT}|(?:{_LOCALITY}{_SP}+)?{_POSTCODE}(?![\w-])|(?:{_LOCALITY},?{_SP}+)?{_STATE_ZIP}"
    rf"|\d{{5}}{_SP}+{_LOCALITY}|{_ZIP}(?![\w-]))"
)
_AFTER_COMMA = re.compile(rf",{_SP}*(?:{_PART}|(?P<locality>{_LOCALITY}))(?![\w-])")
_AFTER_BLANK = re.compile(rf"{_SP}+{_PART}(?![\w-])")
_STREET_NO_HOUSE = rf"(?:{_NAME}{_SP}+){{1,4}}?(?:{_STRONG})\b\.?{_DIRECTION}"
# The lines of a written-out address: any street line (weak street words too), the parts.
_LINE_ITEM = (
    rf"(?:{re.sub(r'[?]P<[a-z_]+>', '?:', _ANY_STREET)}|{_STREET_NO_HOUSE}|{_PART}|{_LOCALITY})"
)
_ADDRESS_LINE = re.compile(rf"{_SP}*{_LINE_ITEM}(?:,?{_SP}*{_LINE_ITEM})*{_SP}*,?{_SP}*")
_LOCALITY_LINE = re.compile(rf"{_SP}*{_LOCALITY}(?:,{_SP}*{_LOCALITY})*{_SP}*,?{_SP}*")
_UNIT_BEFORE = re.compile(rf"{_UNIT},?{_SP}+\Z")
_LOCALITY_BEFORE = re.compile(rf"{_LOCALITY},?{_SP}+\Z")
# Further left, after commas: "Flat 55, Hodgson Lane, Port Richardshire, ST2M 4JP".
_PART_BEFORE = re.compile(
    rf"(?:{_UNIT}|(?P<street>{re.sub(r'[?]P<[a-z_]+>', '?:', _ANY_STREET)}|{_STREET_NO_HOUSE})"
    rf"|{_LOCALITY}),{_SP}*\Z"
)
# Earlier in the same sentence: "the new address is …", "we moved to …", "ship it to …".
_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:address|addressed|live|lives|living|located|based|moved|moving|relocated|"
    r"ship|shipped|deliver|delivered|delivery|send|sent|post|posted|mail|mailed|"
    r"visit|office|home|house|flat)\b[^\n.!?]{0,40}\Z"
)
_CODE_LINE = re.compile(rf"[^\n]*(?:\d|{_POSTCODE})")  # a line with a postcode or a number
_BLOCK_LINES = 4  # lines above or below an anchor that may continue its address


class AddressRecognizer(EntityRecognizer):
    """Postal addresses (see the module docstring); regular expressions only."""

    def __init__(self) -> None:
        super().__init__(
            supported_entities=[ADDRESS], name="TandemAddress", supported_language="en"
        )

    def load(self) -> None:
        """Nothing to load."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if ADDRESS not in entities:
            return []
        return [RecognizerResult(ADDRESS, start, end, SCORE) for start, end in self.find(text)]

    def find(self, text: str) -> list[tuple[int, int]]:
        """Address spans, one per line of an address, possibly overlapping."""
        spans = [*self._streets(text), *self._postcodes(text), *self._us_lines(text)]
        return spans + list(_block_lines(text, spans))

    def _streets(self, text: str) -> Iterator[tuple[int, int]]:
        found: list[tuple[int, int, bool]] = [
            (m.start(), m.end(), bool(m["weak"])) for m in _HOUSED.finditer(text)
        ]
        for digit in _DE_NUMBER.finditer(text):
            number = _DE_HOUSE.match(text, digit.start())
            word = _DE_WORD.search(text, max(0, digit.start() - 12), digit.start())
            if not (number and word):
                continue
            head = _DE_HEAD.search(text, max(0, word.start() - 60), word.start())
            start = head.start() if head else word.start()
            if start == word.start() and text[start].islower():
                continue  # "weg 5": no street name
            if start and (text[start - 1].isalnum() or text[start - 1] == "-"):
                continue
            found.append((start, number.end(), bool(word["de_weak"])))
        for code in _EU_CODE.finditer(text):
            above = text.rfind("\n", 0, text.rfind("\n", 0, code.start()))
            street = _FR_BARE_BEFORE.search(text, max(above + 1, code.start() - 80), code.start())
            if street:
                end = street.start() + len(street[0].rstrip(", \t\n"))
                found.append((street.start(), end, True))
        for start, end, weak in found:
            grown = _grow_right(text, end)
            if (
                weak
                and grown == end
                and not _ADDRESS_CUE.search(text, max(0, start - 60), start)
                and not _code_below(text, end)
            ):
                continue  # "3 Access Point": a street word that needs more evidence
            yield _grow_left(text, start, _UNIT_BEFORE), grown

    def _postcodes(self, text: str) -> Iterator[tuple[int, int]]:
        for inward in _INWARD.finditer(text):
            end = inward.start() + 3
            outward = _OUTWARD_BEFORE.search(text, max(0, inward.start() - 5), inward.start())
            if outward is None or _STORAGE_SIZE.search(text, end - 3, end):
                continue
            start = _grow_left(text, outward.start(), _LOCALITY_BEFORE)
            yield _grow_left_parts(text, start), _grow_right(text, end)

    def _us_lines(self, text: str) -> Iterator[tuple[int, int]]:
        for match in _US_TAIL.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            town = _TOWN_BEFORE.search(text, max(line_start, match.start() - 60), match.start())
            if town:
                yield _grow_left_parts(text, town.start()), _grow_right(text, match.end())


def _grow_left_parts(text: str, start: int) -> int:
    """The start of the comma-separated address parts written before ``start``: towns, then
    the street, then a flat ("Flat 55, Hodgson Lane, Port Richardshire, ST2M 4JP"); not the
    name or company before the street ("Amazon, 410 Terry Avenue North, Seattle, …")."""
    line_start = text.rfind("\n", 0, start) + 1
    while True:
        part = _PART_BEFORE.search(text, max(line_start, start - 60), start)
        if part is None:
            return start
        start = part.start()
        if part["street"]:
            return _grow_left(text, start, _UNIT_BEFORE)


def _code_below(text: str, end: int) -> bool:
    """Whether the street line ending at ``end`` ends its line, and the lines below it reach
    a postcode or a ZIP code through address lines ("243 Coates Glen\\nTurnerville\\nN57 0XQ")."""
    line = _line_below(text, text.rfind("\n", 0, end) + 1)
    if line is None or text[end : line[0]].strip(" \t,\n"):
        return False
    for _ in range(_BLOCK_LINES):
        if line is None or not _ADDRESS_LINE.fullmatch(text, *line):
            return False
        if _CODE_LINE.match(text, *line):
            return True
        line = _line_below(text, line[0])
    return False


def _grow_right(text: str, end: int) -> int:
    """The end of the address parts that follow ``end`` on its line."""
    while True:
        part = _AFTER_COMMA.match(text, end) or _AFTER_BLANK.match(text, end)
        if not part:
            return end
        end = part.end()


def _grow_left(text: str, start: int, part: re.Pattern[str]) -> int:
    """The start of a ``part`` (a flat, a locality) written right before ``start``."""
    line_start = text.rfind("\n", 0, start) + 1
    before = part.search(text, max(line_start, start - 40), start)
    return before.start() if before else start


def _block_lines(text: str, anchors: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The other lines of a written-out address, above and below its anchors' lines:
    "Flat 55\nHodgson Lane\nBristol\nBS6 5NJ". A line of capitalised words alone (a locality,
    or a name and a sign-off) counts only when a line with a number, a unit or a street lies
    beyond it in the block."""
    done: set[int] = set()
    for anchor, _end in anchors:
        first = text.rfind("\n", 0, anchor) + 1
        if first in done:
            continue
        done.add(first)
        for step in (_line_above, _line_below):
            pending: list[tuple[int, int]] = []
            line = step(text, first)
            for _ in range(_BLOCK_LINES):
                if line is None or not _ADDRESS_LINE.fullmatch(text, *line):
                    break
                content = _trimmed(text, *line)
                pending.append(content)
                if not _LOCALITY_LINE.fullmatch(text, *line):
                    yield from pending
                    pending = []
                line = step(text, line[0])


def _line_above(text: str, start: int) -> tuple[int, int] | None:
    """The line before the one starting at ``start``."""
    if start == 0:
        return None
    return text.rfind("\n", 0, start - 1) + 1, start - 1


def _line_below(text: str, start: int) -> tuple[int, int] | None:
    """The line after the one starting at ``start``."""
    end = text.find("\n", start)
    if end < 0:
        return None
    after = text.find("\n", end + 1)
    return end + 1, len(text) if after < 0 else after


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t,":
        start += 1
    while end > start and text[end - 1] in " \t,":
        end -= 1
    return start, end
