"""projections named for their producer: <producer>_<noun> (docs/DEVELOPING.md, "Consuming events")

Revision ID: 4e8b2d6f0a13
Revises: ca4b04f996a5
Create Date: 2026-12-04 18:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '4e8b2d6f0a13'
down_revision: str | None = 'ca4b04f996a5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# old table, new table, [(old index, new index, columns)]
RENAMES = [
    ("tol_restriction", "tolerance_restriction", [("ix_tol_restriction_cadre_id", "ix_tolerance_restriction_cadre_id",
                                                   ["cadre_id"])]),
    ("tol_sanction", "tolerance_sanction", [
        ("ix_tol_sanction_cadre_id_effective_on", "ix_tolerance_sanction_cadre_id_effective_on",
         ["cadre_id", "effective_on"]),
        ("ix_tol_sanction_incident_id", "ix_tolerance_sanction_incident_id", ["incident_id"])]),
    ("tol_investigation", "tolerance_investigation", [("ix_tol_investigation_cadre_id",
                                                       "ix_tolerance_investigation_cadre_id", ["cadre_id"])]),
    ("tol_tolerated", "tolerance_granted", [
        ("ix_tol_tolerated_incident_id", "ix_tolerance_granted_incident_id", ["incident_id"]),
        ("ix_tol_tolerated_cadre_id", "ix_tolerance_granted_cadre_id", ["cadre_id"])]),
    ("pet_report_outcome", "petitions_report_outcome", [
        ("ix_pet_report_outcome_cadre_id_closed_on", "ix_petitions_report_outcome_cadre_id_closed_on",
         ["cadre_id", "closed_on"])]),
    ("pet_false_accusation", "petitions_false_accusation", [
        ("ix_pet_false_accusation_accuser_cadre_id", "ix_petitions_false_accusation_accuser_cadre_id",
         ["accuser_cadre_id"])]),
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
