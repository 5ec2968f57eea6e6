"""The base of every compiled rule: its id, severity and message, and how it reports a finding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from styleguide.document import Doc
from styleguide.findings import CheckContext, Fix, Severity, StyleFinding


@dataclass(frozen=True)
class Rule:
    """A rule compiled from its card entry; ``findings`` is the check, a pure function."""

    family: ClassVar[str] = ""  # Vale's name for this kind of rule, for the docs and the diff

    id: str
    severity: Severity
    message: str

    @classmethod
    def common(cls, spec: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": spec["id"], "severity": spec["severity"], "message": spec["message"]}

    @classmethod
    def build(cls, spec: Mapping[str, Any]) -> Self:
        """Compile the rule from its validated card entry."""
        raise NotImplementedError

    def findings(self, doc: Doc, ctx: CheckContext) -> Iterator[StyleFinding]:
        raise NotImplementedError

    def finding(
        self,
        start: int,
        end: int,
        *,
        detail: str = "",
        suggestion: str | None = None,
        fix: Fix | None = None,
    ) -> StyleFinding:
        message = f"{self.message} ({detail})" if detail else self.message
        return StyleFinding(self.id, self.severity, start, end, message, suggestion, fix)
