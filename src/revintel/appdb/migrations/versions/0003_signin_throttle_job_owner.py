"""Failed sign-ins counted in the app database (throttling across workers); export jobs record the
process running them and a heartbeat (a restart marks the jobs it interrupted as failed).

Revision ID: 0003
Revises: 0002
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
        "signin_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_signin_failures_account"), "signin_failures", ["account"], unique=False)
    op.create_index(op.f("ix_signin_failures_address"), "signin_failures", ["address"], unique=False)
    op.create_index(op.f("ix_signin_failures_at"), "signin_failures", ["at"], unique=False)
    op.add_column("export_jobs", sa.Column("owner", sa.String(length=200), nullable=True))
    op.add_column("export_jobs", sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("export_jobs", "heartbeat_at")
    op.drop_column("export_jobs", "owner")
    op.drop_index(op.f("ix_signin_failures_at"), table_name="signin_failures")
    op.drop_index(op.f("ix_signin_failures_address"), table_name="signin_failures")
    op.drop_index(op.f("ix_signin_failures_account"), table_name="signin_failures")
    op.drop_table("signin_failures")
