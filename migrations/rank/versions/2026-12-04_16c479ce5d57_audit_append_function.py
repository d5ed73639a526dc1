"""audit append function: PostgreSQL appends a group of read audit rows in one statement (kernel.audit, issue 15)

Revision ID: 16c479ce5d57
Revises: 7a1c3e5b9d20
Create Date: 2026-12-04 21:10:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

from kernel.audit import migrate_append_function

revision: str = '16c479ce5d57'
down_revision: str | None = '7a1c3e5b9d20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migrate_append_function(op, up=True)


def downgrade() -> None:
    migrate_append_function(op, up=False)
