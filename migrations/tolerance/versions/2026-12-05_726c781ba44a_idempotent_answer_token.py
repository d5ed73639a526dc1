"""idempotent answer token: the X-Consistency-Token of an Idempotency-Key's first answer, given again with replays

Revision ID: 726c781ba44a
Revises: b40e7f97da22
Create Date: 2026-12-05 00:30:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

from kernel.inbox import migrate_consistency_token

revision: str = '726c781ba44a'
down_revision: str | None = 'b40e7f97da22'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migrate_consistency_token(op, up=True)


def downgrade() -> None:
    migrate_consistency_token(op, up=False)
