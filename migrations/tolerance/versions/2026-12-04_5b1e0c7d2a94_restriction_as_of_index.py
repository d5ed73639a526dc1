"""restriction as-of index: covers the bulk as-of question per cadre and effect (views.reads.bars_on, issue 15)

Revision ID: 5b1e0c7d2a94
Revises: da898e68cb71
Create Date: 2026-12-04 20:40:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '5b1e0c7d2a94'
down_revision: str | None = 'da898e68cb71'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('restriction', schema=None) as batch_op:
        batch_op.create_index(
            'ix_restriction_cadre_id_effect_as_of',
            ['cadre_id', 'effect', 'starts_on', 'until_on', 'status'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('restriction', schema=None) as batch_op:
        batch_op.drop_index('ix_restriction_cadre_id_effect_as_of')
