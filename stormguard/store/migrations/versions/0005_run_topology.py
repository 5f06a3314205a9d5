"""The fleet topology each audit computed, for the report's topology section.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 03:40:00

One row per audited run: the L2 graph's rendering data (nodes, links with their VLAN sets, the
loops spanning tree cannot break, risky first), zlib-compressed JSON. The report reads the
newest row at or before the run it shows, so a report never parses every snapshot again to
draw the graph. ``nodes`` / ``loops`` are the totals, readable without inflating the data.
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
        "run_topology",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("loops", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"],
                                name=op.f("fk_run_topology_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_topology")),
    )


def downgrade() -> None:
    op.drop_table("run_topology")
