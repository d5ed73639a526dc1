"""idempotent answer token: the X-Consistency-Token of an Idempotency-Key's first answer, given again with replays

Revision ID: 0226ac271b96
Revises: 16c479ce5d57
Create Date: 2026-12-05 00:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0226ac271b96'
down_revision: str | None = '16c479ce5d57'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("inbox_message", sa.Column("consistency_token", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("inbox_message", "consistency_token")
