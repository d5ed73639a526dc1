"""cadre search keys: name pinyin and initials (backfilled), keyed hash of the ID number

Revision ID: 5b1f0c2d9e41
Revises: e137f746a789
Create Date: 2026-12-03 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5b1f0c2d9e41'
down_revision: str | None = 'e137f746a789'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_pinyin', sa.String(length=400), server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_initials', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_cadre_name_pinyin', ['name_pinyin', 'id'], unique=False)
        batch_op.create_index('ix_cadre_id_number_hash', ['id_number_hash'], unique=True)
    # The keys of the cadres already registered (the same function the service uses for new ones).
    from services.rank.domain.names import pinyin_keys

    cadre = sa.table('cadre', sa.column('id', sa.String), sa.column('name', sa.String),
                     sa.column('name_pinyin', sa.String), sa.column('name_initials', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(cadre.c.id, cadre.c.name)).all()
    for start in range(0, len(rows), 1000):
        for cadre_id, name in rows[start:start + 1000]:
            full, initials = pinyin_keys(name)
            bind.execute(sa.update(cadre).where(cadre.c.id == cadre_id).values(name_pinyin=full, name_initials=initials))


def downgrade() -> None:
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.drop_index('ix_cadre_id_number_hash')
        batch_op.drop_index('ix_cadre_name_pinyin')
        batch_op.drop_column('id_number_hash')
        batch_op.drop_column('name_initials')
        batch_op.drop_column('name_pinyin')
