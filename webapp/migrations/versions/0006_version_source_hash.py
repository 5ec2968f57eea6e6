"""Document versions remember the source hash that re-ingests compare against.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(
            sa.Column("source_hash", sa.String(length=64), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("source_hash")
