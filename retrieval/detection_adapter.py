"""The ticket detector drafting uses (intent, priority, sentiment, language, tier, escalation)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kb.index.encoders import DenseEncoder


class _TierOnly:
    """Until the learned detector is wired in: the customer's tier, and VIP escalation."""

    def detect_ticket(self, ticket: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        tier = str((ticket.get("customer") or {}).get("tier") or "standard")
        reasons = (
            [{"trigger": "vip", "reason": "VIP customer: a person answers VIP tickets."}]
            if tier == "vip"
            else []
        )
        return {"tier": tier, "escalation": {"required": bool(reasons), "reasons": reasons}}


def detector_for(encoder: DenseEncoder) -> _TierOnly:
    return _TierOnly()
