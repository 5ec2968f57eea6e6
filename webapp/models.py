"""Every package's tables, imported so ``Base.metadata`` knows them all (for migrations)."""

from __future__ import annotations

import kb.audit
import kb.documents
import kb.idempotency
import kb.index.state
import kb.throttle
import kb.tickets
import kb.tokens
import kb.users  # noqa: F401  (imported for their tables)
import retrieval.drafts  # noqa: F401  (imported for its tables)
import review.proposals
import review.scans  # noqa: F401  (imported for their tables)
import styleguide.versions  # noqa: F401  (imported for its tables)
from kb.database import Base

metadata = Base.metadata
