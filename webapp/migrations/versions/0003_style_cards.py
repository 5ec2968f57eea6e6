"""Style card versions and the one-row head naming the current version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 00:24:05.143753
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "style_card_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("current_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_style_card_head")),
    )
    # The head row exists from the start, so two first publishes cannot both create it.
    head = sa.table(
        "style_card_head",
        sa.column("id", sa.Integer()),
        sa.column("last_number", sa.Integer()),
        sa.column("current_number", sa.Integer()),
    )
    op.bulk_insert(head, [{"id": 1, "last_number": 0, "current_number": 0}])
    op.create_table(
        "style_card_versions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("effective_week", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("rollback_of", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_style_card_versions")),
    )
    with op.batch_alter_table("style_card_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_style_card_versions_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_style_card_versions_one_published",
            ["status"],
            unique=True,
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("style_card_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_style_card_versions_one_published",
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )
        batch_op.drop_index(batch_op.f("ix_style_card_versions_status"))

    op.drop_table("style_card_versions")
    op.drop_table("style_card_head")
