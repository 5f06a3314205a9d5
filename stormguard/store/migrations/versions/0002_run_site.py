"""Runs carry the site whose daemon ran them (many sites, one store).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 18:45:00

``runs.site`` is NULL for a daemon without ``site:`` (one collector for everything, and every
run before this revision); ``stormguard daemon --site dc1`` writes ``dc1``. The index serves
"the latest runs of job J at site S" (catch-up, previous run, trend, the cross-site report).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_runs_kind_site", ["kind", "site"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_kind_site")
        batch_op.drop_column("site")
