"""objection: filed on the public notice page (no receiving officer: received_by_id nullable)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 23:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("objection") as batch:
        batch.alter_column("received_by_id", existing_type=ID, nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("objection") as batch:
        batch.alter_column("received_by_id", existing_type=ID, nullable=False)
