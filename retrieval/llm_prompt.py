"""What the LLM is shown: the prompt files, the redacted ticket and the numbered public sources.

The prompts are files in ``config/prompts/`` (reviewed like code); each draft records their hash,
so a changed prompt is visible in the audit log. The model sees only the redacted ticket and the
retrieved *public* chunks, as numbered sources made of their quotable sentences. Internal chunks
are never shown (they cannot leak into customer text), and sentences that read as instructions
to an AI are left out before the model can read them: knowledge is data, not instructions. Both
the ticket and the sources are delimited as untrusted data, and anything in them that looks like
one of the delimiters is removed, so neither can close its block and speak as the prompt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from retrieval.composer import LIMITS, TicketView
from retrieval.grounding import is_instruction
from retrieval.passages import Passage, passages, plain
from retrieval.search import SearchHit

PROMPT_FILES = ("draft_system.md", "draft_user.md")
_DELIMITER = re.compile(r"</?\s*(?:ticket|sources?)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class PromptSet:
    """The drafting prompts as templates (``${name}`` placeholders) and their combined hash."""

    system: str
    user: str
    sha256: str

    @classmethod
    def load(cls, folder: Path | None = None) -> PromptSet:
        """The packaged ``config/prompts`` files, or the same file names in ``folder``."""
        texts = []
        for name in PROMPT_FILES:
            if folder is not None:
                texts.append((folder / name).read_text("utf-8"))
            else:
                texts.append(resources.files("config").joinpath("prompts", name).read_text("utf-8"))
        digest = hashlib.sha256()
        for name, text in zip(PROMPT_FILES, texts, strict=True):
            digest.update(f"{name}\0{text}\0".encode())
        return cls(system=texts[0], user=texts[1], sha256=digest.hexdigest())

    def render(self, ticket: TicketView, sources: Sequence[Source]) -> tuple[str, str]:
        """(system, user) for one ticket; unknown placeholders fail loudly, in tests first."""
        limits = LIMITS.get(ticket.channel, LIMITS["email"])
        system = Template(self.system).substitute(
            max_answers=limits["answers"],
            max_steps=limits["steps"],
            register="friendly, casual" if ticket.casual else "warm, professional",
        )
        user = Template(self.user).substitute(
            channel=ticket.channel,
            subject=untrusted(ticket.subject) or "(none)",
            body=untrusted(ticket.body),
            sources="\n\n".join(source.block() for source in sources),
        )
        return system, user


@dataclass(frozen=True)
class Source:
    """A retrieved public chunk as the model sees it: ``[n]``, a title, its quotable sentences."""

    n: int
    hit: SearchHit
    title: str
    passages: tuple[Passage, ...]

    @property
    def text(self) -> str:
        """Exactly the sentences shown to the model: what its answer is verified against."""
        return "\n".join(p.text for p in self.passages)

    def block(self) -> str:
        title = self.title.replace('"', "'")
        lines = [untrusted(f"- {p.text}" if p.is_step else p.text) for p in self.passages]
        opening = f'<source n="{self.n}" title="{untrusted(title)}">'
        return "\n".join([opening, *lines, "</source>"])


def sources_for(hits: Sequence[SearchHit], skipped: list[str]) -> list[Source]:
    """The public hits, numbered from 1, without instruction-like sentences (added to
    ``skipped``); a chunk with nothing quotable left is not shown."""
    found: list[Source] = []
    for hit in hits:
        if hit.field("visibility") != "public":
            continue
        kept = []
        for passage in passages(hit.field("text")):
            if is_instruction(passage.text):
                skipped.append(passage.text)
            else:
                kept.append(passage)
        if not kept:
            continue
        title = plain(hit.title)
        found.append(
            Source(len(found) + 1, hit, "" if is_instruction(title) else title, tuple(kept))
        )
    return found


def untrusted(text: str) -> str:
    """Text from a customer or the knowledge base, unable to close the block it sits in."""
    return _DELIMITER.sub(" ", text).strip()
