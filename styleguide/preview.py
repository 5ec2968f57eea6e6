"""Preview: an edited card against sample replies, next to the current card, before publishing.

A reply *fails* a card when it has at least one ``error`` finding; the preview counts the replies
that would newly fail (fail the edited card, pass the current one) and the ones with new
findings of any severity, so a brand owner sees what a change does before anyone is bothered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.demo import demo_tickets
from styleguide.author_patterns import DEFAULT_TIMEOUT_MS
from styleguide.card import CompiledCard
from styleguide.checker import check
from styleguide.findings import CheckContext, StyleFinding


@dataclass(frozen=True)
class SampleReply:
    ref: str
    text: str
    context: CheckContext


@dataclass(frozen=True)
class ReplyPreview:
    sample: SampleReply
    findings: tuple[StyleFinding, ...]
    new_findings: tuple[StyleFinding, ...]
    fails: bool
    newly_fails: bool


@dataclass(frozen=True)
class Preview:
    replies: tuple[ReplyPreview, ...]

    @property
    def checked(self) -> int:
        return len(self.replies)

    @property
    def failing(self) -> int:
        return sum(reply.fails for reply in self.replies)

    @property
    def newly_failing(self) -> int:
        return sum(reply.newly_fails for reply in self.replies)

    @property
    def with_new_findings(self) -> int:
        return sum(bool(reply.new_findings) for reply in self.replies)

    @property
    def flagged(self) -> tuple[ReplyPreview, ...]:
        """Replies with findings: newly failing first, then those with new findings."""
        with_findings = [reply for reply in self.replies if reply.findings]
        return tuple(sorted(with_findings, key=lambda r: (not r.newly_fails, not r.new_findings)))


def demo_samples() -> list[SampleReply]:
    """The final replies of the demo company's resolved tickets."""
    samples = []
    for ticket in demo_tickets():
        reply = ticket.get("final_reply")
        if not reply:
            continue
        customer = ticket.get("customer") or {}
        context = CheckContext(
            channel=ticket["channel"],
            tier=customer.get("tier", "standard"),
            intent=(ticket.get("labels") or {}).get("intent"),
            customer_name=customer.get("name"),
        )
        samples.append(SampleReply(ticket["id"], reply, context))
    return samples


def preview(
    card: CompiledCard,
    current: CompiledCard | None,
    samples: Iterable[SampleReply],
    *,
    regex_timeout_ms: float = DEFAULT_TIMEOUT_MS,
) -> Preview:
    """Check every sample against ``card`` and against ``current`` (None: no card yet)."""
    replies = []
    for sample in samples:
        findings = check(card, sample.text, sample.context, regex_timeout_ms=regex_timeout_ms)
        before = (
            check(current, sample.text, sample.context, regex_timeout_ms=regex_timeout_ms)
            if current is not None
            else []
        )
        new = _new(findings, before)
        fails = _fails(findings)
        replies.append(
            ReplyPreview(sample, tuple(findings), new, fails, fails and not _fails(before))
        )
    return Preview(tuple(replies))


def _fails(findings: Sequence[StyleFinding]) -> bool:
    return any(finding.severity == "error" for finding in findings)


def _new(
    findings: Sequence[StyleFinding], before: Sequence[StyleFinding]
) -> tuple[StyleFinding, ...]:
    seen = {(f.rule, f.start, f.end, f.severity) for f in before}
    return tuple(f for f in findings if (f.rule, f.start, f.end, f.severity) not in seen)
