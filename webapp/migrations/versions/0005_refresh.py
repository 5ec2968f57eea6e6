"""Knowledge refresh: proposals, their evidence, and the scanned resolved tickets.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 03:30:03.076519
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refresh_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("doc_id", sa.String(length=200), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=32), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("trigger_key", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("priority_label", sa.String(length=16), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("publish_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_proposals")),
    )
    with op.batch_alter_table("refresh_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_proposals_assignee"), ["assignee"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refresh_proposals_doc_id"), ["doc_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_proposals_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_proposals_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refresh_proposals_trigger_key"), ["trigger_key"], unique=False
        )

    op.create_table(
        "refresh_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("ticket_ref", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft_id", sa.String(length=40), nullable=True),
        sa.Column("cited_doc_ids", sa.Text(), nullable=False),
        sa.Column("edit_ratio", sa.Float(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["refresh_proposals.id"],
            name=op.f("fk_refresh_evidence_proposal_id_refresh_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_evidence")),
        sa.UniqueConstraint(
            "proposal_id", "ticket_ref", name=op.f("uq_refresh_evidence_proposal_id")
        ),
    )
    with op.batch_alter_table("refresh_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_evidence_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_evidence_ticket_ref"), ["ticket_ref"], unique=False
        )

    op.create_table(
        "refresh_scanned",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("ticket_ref", sa.String(length=100), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("is_gap", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft_id", sa.String(length=40), nullable=True),
        sa.Column("cited_doc_ids", sa.Text(), nullable=False),
        sa.Column("edit_ratio", sa.Float(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["refresh_proposals.id"],
            name=op.f("fk_refresh_scanned_proposal_id_refresh_proposals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["ticket_resolutions.id"],
            name=op.f("fk_refresh_scanned_resolution_id_ticket_resolutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_scanned")),
        sa.UniqueConstraint("resolution_id", name=op.f("uq_refresh_scanned_resolution_id")),
    )
    with op.batch_alter_table("refresh_scanned", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_scanned_is_gap"), ["is_gap"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refresh_scanned_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_refresh_scanned_ticket_ref"), ["ticket_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_scanned", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_scanned_ticket_ref"))
        batch_op.drop_index(batch_op.f("ix_refresh_scanned_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_scanned_is_gap"))

    op.drop_table("refresh_scanned")
    with op.batch_alter_table("refresh_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_evidence_ticket_ref"))
        batch_op.drop_index(batch_op.f("ix_refresh_evidence_proposal_id"))

    op.drop_table("refresh_evidence")
    with op.batch_alter_table("refresh_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_proposals_trigger_key"))
        batch_op.drop_index(batch_op.f("ix_refresh_proposals_state"))
        batch_op.drop_index(batch_op.f("ix_refresh_proposals_kind"))
        batch_op.drop_index(batch_op.f("ix_refresh_proposals_doc_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_proposals_assignee"))

    op.drop_table("refresh_proposals")
