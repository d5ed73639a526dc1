"""projections named for their producer: <producer>_<noun> (docs/DEVELOPING.md, "Consuming events")

Revision ID: 7a1c3e5b9d20
Revises: 297ad292e39b
Create Date: 2026-12-04 18:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '7a1c3e5b9d20'
down_revision: str | None = '297ad292e39b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# old table, new table, [(old index, new index, columns)]
RENAMES = [
    ("grade_record", "appraisal_grade", [("ix_grade_record_cadre_id", "ix_appraisal_grade_cadre_id",
                                          ["cadre_id", "year"])]),
    ("award_record", "appraisal_award", [("ix_award_record_cadre_id", "ix_appraisal_award_cadre_id", ["cadre_id"])]),
    ("index_record", "appraisal_index", []),
    ("restriction_record", "tolerance_restriction", [("ix_restriction_record_cadre_id",
                                                      "ix_tolerance_restriction_cadre_id", ["cadre_id"])]),
    ("sanction_record", "tolerance_sanction", [("ix_sanction_record_cadre_id", "ix_tolerance_sanction_cadre_id",
                                                ["cadre_id"])]),
    ("investigation_record", "tolerance_investigation", [("ix_investigation_record_cadre_id",
                                                          "ix_tolerance_investigation_cadre_id", ["cadre_id"])]),
    ("xinfang_record", "petitions_report", [("ix_xinfang_record_cadre_id", "ix_petitions_report_cadre_id",
                                             ["cadre_id"])]),
    ("clarification_record", "petitions_clarification", [("ix_clarification_record_cadre_id",
                                                          "ix_petitions_clarification_cadre_id", ["cadre_id"])]),
]


def _rename(table: str, to: str, indexes: list[tuple[str, str, list[str]]]) -> None:
    op.rename_table(table, to)
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no constraint name apart from the table's text
        op.execute(f'ALTER TABLE "{to}" RENAME CONSTRAINT "pk_{table}" TO "pk_{to}"')
    for old, new, columns in indexes:
        op.drop_index(old, table_name=to)
        op.create_index(new, to, columns, unique=False)


def upgrade() -> None:
    for table, to, indexes in RENAMES:
        _rename(table, to, indexes)


def downgrade() -> None:
    for table, to, indexes in reversed(RENAMES):
        _rename(to, table, [(new, old, columns) for old, new, columns in indexes])
