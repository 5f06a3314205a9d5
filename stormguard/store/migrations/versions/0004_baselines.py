"""Approved baselines and configuration drift (SG601).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:20:00

``baseline_approvals`` is a history that is only ever appended to: the newest approval of a
device is its baseline. The approved text is kept by its blob (``blob_sha256``), so an approval
still names its configuration when the run that collected it is gone (``snapshot_id`` then
becomes NULL). ``baseline_drifts`` holds one row per unapproved configuration of a device
(open until it is approved, reverted or superseded) and remembers what was paged for it, so a
drift pages once and resolves once, however many nights it lasts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "baseline_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=255), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["blob_sha256"], ["blobs.sha256"],
                                name=op.f("fk_baseline_approvals_blob_sha256_blobs")),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshots.id"],
                                name=op.f("fk_baseline_approvals_snapshot_id_snapshots"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_approvals")),
    )
    with op.batch_alter_table("baseline_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_baseline_approvals_device"), ["device"],
                              unique=False)
    op.create_table(
        "baseline_drifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=255), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("collected_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("in_window", sa.Boolean(), nullable=False),
        sa.Column("window", sa.String(length=255), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("paged_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_paged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["approval_id"], ["baseline_approvals.id"],
                                name=op.f("fk_baseline_drifts_approval_id_baseline_approvals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_drifts")),
    )
    with op.batch_alter_table("baseline_drifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_baseline_drifts_device"), ["device"], unique=False)


def downgrade() -> None:
    op.drop_table("baseline_drifts")
    op.drop_table("baseline_approvals")
