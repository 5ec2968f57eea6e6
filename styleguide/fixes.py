"""Applying findings' fixes, and suppressing a finding on one reply (with a reason, audited)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kb.audit import AuditEntry, AuditLog
from kb.errors import InvalidInput
from styleguide.findings import Fix, StyleFinding

MIN_REASON = 5


def apply_fixes(
    text: str, findings: Iterable[StyleFinding], *, include_review: bool = False
) -> str:
    """``text`` with the findings' fixes applied: safe ones only, unless ``include_review``.

    Fixes are applied from the end backwards so earlier offsets stay valid; a fix overlapping
    one already applied is skipped (run the check again to see what is left).
    """
    fixes = [f.fix for f in findings if f.fix is not None and (f.fix.safe or include_review)]
    applied: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end), reverse=True):
        if any(fix.start < done.end and done.start < fix.end for done in applied):
            continue
        if any(fix.start == fix.end == done.start == done.end for done in applied):
            continue
        text = text[: fix.start] + fix.replacement + text[fix.end :]
        applied.append(fix)
    return text


@dataclass(frozen=True)
class Suppression:
    """An agent's decision that one finding does not apply to one reply."""

    reply: str
    rule: str
    start: int
    end: int
    reason: str


def suppress(
    session: Session,
    suppression: Suppression,
    *,
    actor: str,
    card_version: int | None,
    redact: Callable[[str], str],
) -> AuditEntry:
    """Record the suppression in the audit log (action ``style.suppress``); a reason is required.

    The reason is the agent's free text ("Dana asked for this wording"), so it is stored as
    ``redact`` returns it (Tandem's PII redactor), like every other text the audit log keeps.
    """
    reason = suppression.reason.strip()
    if len(reason) < MIN_REASON:
        raise InvalidInput(
            "Say why the finding does not apply.",
            {"reason": [f"Give a reason of at least {MIN_REASON} characters."]},
        )
    reason = redact(reason)
    return AuditLog(session).append(
        actor=actor,
        action="style.suppress",
        subject=f"reply:{suppression.reply}",
        data={
            "rule": suppression.rule,
            "start": suppression.start,
            "end": suppression.end,
            "reason": reason,
            "card_version": card_version,
        },
    )


def without_suppressed(
    findings: Sequence[StyleFinding], suppressions: Iterable[Suppression]
) -> list[StyleFinding]:
    """The findings no suppression covers (same rule and span, on this reply)."""
    covered = {(s.rule, s.start, s.end) for s in suppressions}
    return [f for f in findings if (f.rule, f.start, f.end) not in covered]
