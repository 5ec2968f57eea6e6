"""A labelled, seeded corpus of support text for the redaction benchmark.

Customer tickets (greeting, problem, contact details, sign-off), knowledge-base excerpts from the
demo company's articles, and agent replies. Every PII value is inserted by the generator, so its
span and type are known; the text around it carries the usual hard negatives (product names,
menu paths, invoice numbers, amounts, dates, the support address). KB paragraphs that contain an
``@`` or a long run of digits are left out: they may hold unlabelled PII.

Bank details, postal addresses, National Insurance numbers and dates of birth
(``DETAIL_ENTITIES``) come in a second set of tickets built by ``DetailsBuilder`` from its own
seeded generator, so the first set, and the figures measured on it before those types were
redacted, stay the same. Those tickets carry their own look-alikes: order and invoice numbers,
British dates, error codes, versions, an AWS account id, a part number. Their phrasings were
written together with the recognizers (kb.pii_bank, kb.pii_address, kb.pii_identity) and
checked on seed 7, except the last few of each list, written afterwards and left as they
came out: the figures are an upper bound for real tickets.
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
DETAIL_ENTITIES = ("UK_SORT_CODE", "BANK_ACCOUNT", "ADDRESS", "UK_NINO", "DATE_OF_BIRTH")
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


# --- bank details and addresses -------------------------------------------------------------

# {sc} a sort code, {acc} an account number, as customers write them.
BANK_DETAILS = [
    "Could you refund it by bank transfer instead? Sort code {sc}, account {acc}.",
    "Our new bank details are sort code {sc}, account number {acc}.",
    "Please pay the refund to account number {acc}, sort code {sc}.",
    "Bank is Starling, a/c {acc}, s/c {sc}.",
    "The payout should go to {sc} {acc}, that's the business account.",
    "Acc no. {acc} / sort {sc}",
    "Our account number is {acc} if you need it for the refund.",
    # Phrasings written after the recognizers, not tuned against (see the module docstring).
    "Bank details: {sc} / {acc}.",
    "Payee is the bakery, {acc} ({sc}).",
    "Please use account {acc} sort {sc}.",
]
US_BANK_DETAILS = [
    "Refund to my checking account {acc} please.",
    "Our bank account number is {acc} at Chase.",
]
ADDRESS_SENTENCES = [
    "We have moved, the new address is {address}.",
    "Please send the paper invoices to {address}.",
    "Her home address is {address}, can you update it before the year-end forms go out?",
    "The billing address on the invoice should be {address}.",
    "Our registered office moved to {address} last month.",
    "Deliver to: {address}",
    "It's c/o our accountant, {address}.",
]
DETAIL_REASONS = [
    "The card the refund was going to has been cancelled.",
    "We switched banks last month and the payout failed.",
    "One of our employees moved house.",
    "Our office has moved and the invoices still show the old address.",
]
# Look-alikes: numbers that are no bank details, places that are no address.
DETAIL_NEGATIVES = [
    "Order #{n8} was charged twice.",
    "Invoice INV-{n8} shows the wrong VAT rate.",
    "The export dated {dmy} is missing rows.",
    "The sync fails with error code {n6} since version {version}.",
    "Our AWS account {aws} hosts the webhook receiver.",
    "Reference {n8} appears on the bank statement.",
    "The app build {version} crashed at {time} on {dmy}.",
    "We have 3 Access Points and 2 Load Balancers in the London region.",
    "The invoice dated {dmy} was paid on {long_date}.",
    "The card reader model {part} keeps restarting.",
]
# {nino} a National Insurance number, {dob} a date of birth.
IDENTITY_DETAILS = [
    "Her details for the pension: NI number {nino}, date of birth {dob}.",
    "His National Insurance number is {nino} and he was born on {dob}.",
    "New starter, DOB {dob}, NINO {nino}.",
    "Employee: NI {nino}, D.O.B. {dob}.",
]


class DetailsBuilder(CorpusBuilder):
    """Tickets with bank details and postal addresses (and the names around them)."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed * 7919 + 1)  # its own stream: the main corpus stays the same

    def build(self, target_bytes: int) -> list[LabelledText]:
        texts: list[LabelledText] = []
        size = 0
        while size < target_bytes:
            doc = self.details_ticket()
            texts.append(doc)
            size += len(doc.text.encode())
        return texts

    def details_ticket(self) -> LabelledText:
        first, last = self.name()
        doc = LabelledText().add(self.rng.choice(GREETINGS) + "\n\n")
        if self.rng.random() < 0.6:
            before, after = self.rng.choice(INTROS).split("{name}")
            doc.add(before).pii("PERSON", f"{first} {last}").add(self.fill(after) + " ")
        doc.add(self.rng.choice(DETAIL_REASONS) + " ")
        kinds = self.rng.sample(["bank", "address", "identity", "negative", "negative"], 3)
        block = self.rng.random() < 0.25
        for kind in kinds:
            if kind == "bank":
                self.say_bank(doc)
            elif kind == "address" and not block:
                self.say_address(doc)
            elif kind == "identity":
                self.say_identity(doc)
            elif kind == "negative":
                doc.add(self.fill_details(self.rng.choice(DETAIL_NEGATIVES)) + " ")
        doc.add("\n\n" + self.rng.choice(["Thanks,", "Regards,", "Cheers,", "Best,"]))
        doc.add("\n").pii("PERSON", self.rng.choice([first, f"{first} {last}"]))
        if block:  # a signature with the address written out, one part a line
            doc.add("\n").pii("ADDRESS", "\n".join(self.address_lines()))
        return doc

    def say_bank(self, doc: LabelledText) -> None:
        if self.rng.random() < 0.2:
            account = str(self.rng.randint(10**9, 10**12 - 1))
            before, after = self.rng.choice(US_BANK_DETAILS).split("{acc}")
            doc.add(before).pii("BANK_ACCOUNT", account).add(after + " ")
            return
        template = self.rng.choice(BANK_DETAILS)
        values = {"sc": ("UK_SORT_CODE", self.sort_code()), "acc": ("BANK_ACCOUNT", self.account())}
        for piece in re.split(r"(\{sc\}|\{acc\})", template):
            if piece in ("{sc}", "{acc}"):
                doc.pii(*values[piece[1:-1]])
            else:
                doc.add(piece)
        doc.add(" ")

    def say_address(self, doc: LabelledText) -> None:
        before, after = self.rng.choice(ADDRESS_SENTENCES).split("{address}")
        doc.add(before).pii("ADDRESS", ", ".join(self.address_lines())).add(after + " ")

    def say_identity(self, doc: LabelledText) -> None:
        template = self.rng.choice(IDENTITY_DETAILS)
        values = {"nino": ("UK_NINO", self.nino()), "dob": ("DATE_OF_BIRTH", self.birth_date())}
        for piece in re.split(r"(\{nino\}|\{dob\})", template):
            if piece in ("{nino}", "{dob}"):
                doc.pii(*values[piece[1:-1]])
            else:
                doc.add(piece)
        doc.add(" ")

    def nino(self) -> str:
        # Valid prefixes only (HMRC's rules), and QQ, HMRC's own example prefix.
        first, second = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
        prefix = "QQ" if self.rng.random() < 0.1 else ""
        while not prefix or prefix in ("BG", "GB", "NK", "KN", "NT", "TN", "ZZ"):
            prefix = self.rng.choice(first) + self.rng.choice(second)
        pairs = [f"{self.rng.randint(0, 99):02d}" for _ in range(3)]
        suffix = self.rng.choice("ABCD")
        if self.rng.random() < 0.6:
            return " ".join([prefix, *pairs, suffix])
        return prefix + "".join(pairs) + suffix

    def birth_date(self) -> str:
        born = self.fake.date_of_birth(minimum_age=18, maximum_age=80)
        return born.strftime(self.rng.choice(["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y"]))

    def sort_code(self) -> str:
        digits = [
            f"{self.rng.randint(1, 99):02d}",
            *(f"{self.rng.randint(0, 99):02d}" for _ in "ab"),
        ]
        return self.rng.choices(["-", " ", ""], weights=[6, 2.5, 1.5])[0].join(digits)

    def account(self) -> str:
        number = f"{self.rng.randint(10**7, 10**8 - 1)}"
        return number if self.rng.random() < 0.85 else f"{number[:4]} {number[4:]}"

    def address_lines(self) -> list[str]:
        """One address as its lines, in the way of a random locale."""
        locale_name = self.rng.choices(list(LOCALES), weights=list(LOCALES.values()))[0]
        fake = self.fake[locale_name]
        if locale_name == "en_GB":
            lines = [f"{fake.building_number()} {fake.street_name()}", fake.city(), fake.postcode()]
            if self.rng.random() < 0.3:
                lines.insert(0, f"Flat {self.rng.randint(1, 40)}")
            return lines
        street = " ".join(str(fake.street_address()).split())
        if locale_name == "en_US":
            return [street, f"{fake.city()}, {fake.state_abbr()} {fake.zipcode()}"]
        return [street, f"{fake.postcode()} {fake.city()}"]

    def fill_details(self, template: str) -> str:
        r = self.rng.randint
        return template.format(
            n6=r(100000, 999999),
            n8=r(10**7, 10**8 - 1),
            dmy=f"{r(1, 28):02d}-{r(1, 12):02d}-{r(20, 26)}",
            version=f"{r(1, 9)}.{r(0, 30)}.{r(0, 9)}",
            aws=r(10**11, 10**12 - 1),
            time=f"{r(0, 23):02d}:{r(0, 59):02d}:{r(0, 59):02d}",
            long_date=self.fake.date_between("-90d", "today").strftime("%d %B %Y"),
            part=f"{self.rng.choice('ABCEHJKLMPRSTWXYZ')}{self.rng.choice('ABCEHJKLMPRSTW')}"
            f"{r(100000, 999999)}{self.rng.choice('ABCD')}",
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
