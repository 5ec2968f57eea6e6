"""A labelled, seeded corpus of support text for the redaction benchmark.

Customer tickets (greeting, problem, contact details, sign-off), knowledge-base excerpts from the
demo company's articles, and agent replies. Every PII value is inserted by the generator, so its
span and type are known; the text around it carries the usual hard negatives (product names,
menu paths, invoice numbers, amounts, dates, the support address). KB paragraphs that contain an
``@`` or a long run of digits are left out: they may hold unlabelled PII.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from faker import Faker

ENTITIES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE")
LOCALES = {"en_US": 0.4, "en_GB": 0.3, "de_DE": 0.15, "fr_FR": 0.15}


@dataclass
class LabelledText:
    """A text and the (entity type, start, end) of every PII value in it."""

    text: str = ""
    spans: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, text: str) -> LabelledText:
        self.text += text
        return self

    def pii(self, entity_type: str, value: str) -> LabelledText:
        self.spans.append((entity_type, len(self.text), len(self.text) + len(value)))
        self.text += value
        return self


def kb_paragraphs() -> list[str]:
    folder = resources.files("kb.demo_data").joinpath("articles")
    paragraphs = []
    for article in sorted(folder.iterdir(), key=lambda p: p.name):
        if not article.name.endswith(".md"):
            continue
        body = re.sub(r"\A---\n.*?\n---\n", "", article.read_text("utf-8"), flags=re.S)
        for paragraph in body.split("\n\n"):
            paragraph = paragraph.strip()
            if len(paragraph) > 80 and "@" not in paragraph and not re.search(r"\d{7}", paragraph):
                paragraphs.append(paragraph)
    return paragraphs


PROBLEMS = [
    "Invoice INV-{n4} to {company} shows as sent but they never got it. I checked Settings → "
    "Invoices → Email delivery and it says delivered on {date}.",
    "Our payout of {amount} from {date} still hasn't arrived. The Payouts page says In transit.",
    'The Xero sync stopped working yesterday and the sync log says "Token expired".',
    "We were charged {amount} twice for the Growth plan this month (order #{n5}).",
    "Payroll for {date} was approved at 5:30 p.m. and now the pay date moved. Can you help?",
    "I can't connect QuickBooks Online, it keeps bouncing me back to the Integrations page.",
    "A customer disputed a {amount} payment through Stripe and I don't know what evidence to send.",
    "The recurring invoice for {company} didn't go out on the 1st. Autopay is switched on.",
    "How do I add our logo to the invoice template? The preview in Settings → Branding is blank.",
    "Two of our employees can't log in to the Employee self-service portal since the update.",
    "I want to cancel our subscription but keep access to old invoices for tax purposes.",
    "Ticket {n5}: the CSV export from Reports → Payments is missing the fee column.",
    "Our Direct Debit mandate failed with error code MD-{n3} and the customer is upset.",
    "Can we switch from the Scale plan to Starter before the renewal on {date}?",
    "The 3D Secure check keeps failing for cards from {country}, is that on your side?",
]
# Names mid-sentence, most with no greeting, sign-off or introduction around them.
MENTIONS = [
    "Our accountant {name} says the totals in the export don't match.",
    "The invoice was addressed to {name} at {company} by mistake.",
    "{name} approved the payroll but it still shows Pending.",
    "Please add {name} as an admin on our account.",
    "I spoke with {name} on the phone last week about this.",
    "Last month {name} changed the bank details and now payouts fail.",
    "Can {name} get read-only access to Reports?",
]
COUNTRIES = ["Germany", "France", "Canada", "Ireland", "Spain", "the Netherlands"]
GREETINGS = ["Hi support team,", "Hello,", "Dear Fernhill Support,", "Hi there,", "Hey,"]
INTROS = [
    "My name is {name} and I run {company}.",
    "This is {name} from {company}.",
    "I'm {name}, the office manager at {company}.",
    "{name} here, I look after billing for {company}.",
]


class CorpusBuilder:
    """Builds the labelled texts; every random choice comes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker(list(LOCALES))
        self.fake.seed_instance(seed)
        self.paragraphs = kb_paragraphs()

    def build(self, target_bytes: int) -> list[LabelledText]:
        texts: list[LabelledText] = []
        size = 0
        while size < target_bytes:
            roll = self.rng.random()
            doc = self.ticket() if roll < 0.6 else self.article() if roll < 0.85 else self.reply()
            texts.append(doc)
            size += len(doc.text.encode())
        return texts

    # --- documents ---------------------------------------------------------------------------

    def ticket(self) -> LabelledText:
        first, last = self.name()
        full = f"{first} {last}"
        doc = LabelledText().add(self.rng.choice(GREETINGS) + "\n\n")
        if self.rng.random() < 0.7:
            before, after = self.rng.choice(INTROS).split("{name}")
            doc.add(before).pii("PERSON", full).add(self.fill(after) + " ")
        doc.add(self.fill(self.rng.choice(PROBLEMS)) + " ")
        if self.rng.random() < 0.4:
            before, after = self.rng.choice(MENTIONS).split("{name}")
            doc.add(before).pii("PERSON", " ".join(self.name())).add(self.fill(after) + " ")
        for kind in self.rng.sample(["email", "phone", "card", "iban", "colleague"], 2):
            getattr(self, f"say_{kind}")(doc, first, last)
        if self.rng.random() < 0.4:
            doc.add("\n\nI followed your article: " + self.rng.choice(self.paragraphs))
        doc.add("\n\n" + self.rng.choice(["Thanks,", "Regards,", "Cheers,", "Best,", "Thank you"]))
        doc.add("\n").pii("PERSON", self.rng.choice([first, full]))
        return doc

    def article(self) -> LabelledText:
        doc = LabelledText().add("\n\n".join(self.rng.sample(self.paragraphs, 3)))
        if self.rng.random() < 0.3:
            doc.add("\n\nExample: if ")
            doc.pii("PERSON", " ".join(self.name())).add(" writes from ")
            doc.pii("EMAIL_ADDRESS", self.email(*self.name()))
            doc.add(", reply from support@fernhill.example and never share card details.")
        return doc

    def reply(self) -> LabelledText:
        first, _last = self.name()
        agent = self.rng.choice(["Jess", "Omar", "Priya", "Lukas", "Aoife"])
        doc = LabelledText().add("Hi ").pii("PERSON", first).add(",\n\n")
        doc.add("Thanks for getting in touch. " + self.rng.choice(self.paragraphs))
        doc.add("\n\nIf that doesn't fix it, reply here or write to support@fernhill.example.")
        return doc.add("\n\n— ").pii("PERSON", agent).add(", Fernhill Support")

    # --- sentences ---------------------------------------------------------------------------

    def say_email(self, doc: LabelledText, first: str, last: str) -> None:
        doc.add(self.rng.choice(["You can reach me at ", "Please reply to ", "My email is "]))
        doc.pii("EMAIL_ADDRESS", self.email(first, last)).add(". ")

    def say_phone(self, doc: LabelledText, first: str, last: str) -> None:
        doc.add(self.rng.choice(["Call me on ", "My mobile is ", "Best number: ", "Ring me at "]))
        doc.pii("PHONE_NUMBER", self.phone()).add(self.rng.choice([". ", " any time. "]))

    def say_card(self, doc: LabelledText, first: str, last: str) -> None:
        doc.add(self.rng.choice(["I paid with card ", "The card on file is ", "Card number "]))
        doc.pii("CREDIT_CARD", self.card()).add(f", expiry {self.rng.randint(1, 12):02d}/27. ")

    def say_iban(self, doc: LabelledText, first: str, last: str) -> None:
        doc.add(self.rng.choice(["Please refund to ", "Our IBAN is ", "Send the payout to "]))
        doc.pii("IBAN_CODE", self.iban()).add(". ")

    def say_colleague(self, doc: LabelledText, first: str, last: str) -> None:
        other = self.name()
        doc.add("My colleague ").pii("PERSON", " ".join(other)).add(" (")
        doc.pii("EMAIL_ADDRESS", self.email(*other)).add(") also needs access. ")

    # --- values ------------------------------------------------------------------------------

    def locale(self) -> Any:
        return self.fake[self.rng.choices(list(LOCALES), weights=list(LOCALES.values()))[0]]

    def name(self) -> tuple[str, str]:
        locale = self.locale()
        return str(locale.first_name()), str(locale.last_name()).split()[-1]

    def email(self, first: str, last: str) -> str:
        first, last = _ascii(first).lower(), _ascii(last).lower()
        local = self.rng.choice(
            [f"{first}.{last}", f"{first[0]}{last}", f"{first}{self.rng.randint(1, 99)}"]
        )
        domain = (
            self.fake.free_email_domain() if self.rng.random() < 0.6 else self.fake.domain_name()
        )
        return f"{local}@{domain}"

    def phone(self) -> str:
        r = self.rng.randint
        return self.rng.choice(
            [
                f"({r(201, 989)}) {r(200, 999)}-{r(0, 9999):04d}",
                f"{r(201, 989)}-{r(200, 999)}-{r(0, 9999):04d}",
                f"+1 {r(201, 989)} {r(200, 999)} {r(0, 9999):04d}",
                f"+44 20 {r(7000, 8999)} {r(0, 9999):04d}",
                f"+44 7{r(100, 999)} {r(100000, 999999)}",
                f"020 {r(7000, 8999)} {r(0, 9999):04d}",
                f"07{r(100, 999)} {r(100000, 999999)}",
                f"+49 30 {r(1000000, 9999999)}",
                f"+49 1{r(50, 79)} {r(1000000, 9999999)}",
                f"+33 {r(1, 7)} {r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}",
                f"0{r(1, 7)} {r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}",
            ]
        )

    def card(self) -> str:
        kind = self.rng.choice(["visa16", "mastercard", "mc2", "amex"])
        number = (
            _mastercard_2_series(self.rng) if kind == "mc2" else self.fake.credit_card_number(kind)
        )
        if self.rng.random() < 0.5 and len(number) == 16:
            sep = self.rng.choice([" ", "-"])
            return sep.join(number[i : i + 4] for i in range(0, 16, 4))
        return str(number)

    def iban(self) -> str:
        iban = str(self.fake[self.rng.choice(["en_GB", "de_DE", "fr_FR"])].iban())
        if self.rng.random() < 0.5:
            return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
        return iban

    def fill(self, template: str) -> str:
        r = self.rng.randint
        return template.format(
            n3=r(100, 999),
            n4=r(1000, 9999),
            n5=r(10000, 99999),
            amount=self.rng.choice(
                [f"${r(10, 2000)}.{r(0, 99):02d}", f"£{r(10, 900)}", f"€{r(10, 900)},00"]
            ),
            date=self.fake.date_between("-90d", "today").strftime("%d %B %Y"),
            company=self.fake["en_US"].company(),
            country=self.rng.choice(COUNTRIES),
        )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or "x"


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    odd = sum(digits[0::2])
    even = sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return (odd + even) % 10 == 0


def _mastercard_2_series(rng: random.Random) -> str:
    while True:
        number = str(rng.randint(2221, 2720)) + "".join(str(rng.randint(0, 9)) for _ in range(12))
        if _luhn_ok(number):
            return number
