"""The style card: its schema, versions, the checker and its fixes.

Entry points for other packages::

    number, card = StyleCardService(session).current()
    findings = check(card, text, CheckContext(channel="email", tier="vip", intent="refund_request"))
"""

from styleguide.card import CompiledCard
from styleguide.checker import check, validate
from styleguide.findings import CheckContext, Fix, StyleFinding
from styleguide.fixes import Suppression, apply_fixes, suppress, without_suppressed
from styleguide.versions import StaleCard, StyleCardService, StyleCardVersion

__all__ = [
    "CheckContext",
    "CompiledCard",
    "Fix",
    "StaleCard",
    "StyleCardService",
    "StyleCardVersion",
    "StyleFinding",
    "Suppression",
    "apply_fixes",
    "check",
    "suppress",
    "validate",
    "without_suppressed",
]
