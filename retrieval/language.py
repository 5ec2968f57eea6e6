"""Language: which of a few languages a ticket is written in, from its most common words.

Every language writes its articles, pronouns and prepositions constantly, and they differ
between languages: counting a text's words found in each profile below is enough to tell
English, Spanish, German, French, Dutch, Italian and Portuguese apart in a ticket of a sentence
or two, offline and in microseconds. Letters that belong to one language (ß, ñ, ç, …) add a
little weight. Too few profile words (a one-word chat) means the text cannot say, and the
customer's profile language, then English, is used instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"
MIN_HITS = 2

PROFILES: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": """the and to of a in is it you that for on my with have this be are not was at
            but can we i me your our from they do if will just get there what how when why
            been has had would could please thanks hi hello any would don't can't i'm it's""",
        "es": """el la los las de del que y en un una es por con para no se su al lo como más
            pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta
            hay donde quien desde todo nos durante todos uno les ni contra otros ese eso
            hola gracias mi tengo puede cliente factura pago""",
        "de": """der die das und ist nicht ein eine zu den von mit sich des auf für im dem
            auch es an als wie bei oder nach aus wenn nur noch mein meine ich sie wir ihr
            bitte danke hallo über kann können haben hat wurde sehr schon wieder bis""",
        "fr": """le la les de des du et est un une en que qui pour dans pas ne sur au aux
            avec ce cette se sont ou mais par plus je vous nous il elle mon ma mes bonjour
            merci comment depuis j'ai c'est être avoir fait""",
        "nl": """de het een en van ik te dat die in is niet zijn op aan met als voor er maar
            om hem dan zou of wat mijn u hebben bij nog naar geen hallo bedankt graag""",
        "it": """il lo la gli le di del della che e è un una per non con sono mi si ho ma
            come anche più questo questa ciao grazie buongiorno vorrei fattura pagamento""",
        "pt": """o a os as de do da dos das que e é um uma para não com por em no na mais
            mas meu minha você obrigado olá bom dia fatura pagamento conta""",
    }.items()
}
# Letters that point at one language.
LETTERS = {"es": "ñ¿¡", "de": "ßäöü", "fr": "çèêëàùœ", "pt": "ãõ"}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float  # the share of profile words that belong to ``code``
    source: str  # "text" or "profile" or "default"


def detect_language(text: str, *, fallback: str | None = None) -> LanguageGuess:
    """The language of ``text``; ``fallback`` (the profile's language) when the text is unclear."""
    words = [w.casefold() for w in _WORD.findall(text)]
    hits = {
        lang: float(sum(word in profile for word in words)) for lang, profile in PROFILES.items()
    }
    for lang, letters in LETTERS.items():
        hits[lang] += sum(text.count(letter) for letter in letters) * 0.5
    best = max(hits, key=lambda lang: hits[lang])
    count, total = hits[best], sum(hits.values())
    if count < MIN_HITS:
        if fallback:
            return LanguageGuess(fallback, 0.0, "profile")
        return LanguageGuess(DEFAULT_LANGUAGE, 0.0, "default")
    return LanguageGuess(best, round(count / total, 3), "text")
