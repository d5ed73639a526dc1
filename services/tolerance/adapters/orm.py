"""Tables of the tolerance service (its own MetaData; kernel and directory tables through kernel factories)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from kernel.audit import audit_table
from kernel.db import UtcDateTime, new_metadata
from kernel.directory import directory_tables
from kernel.inbox import dead_letter_table, inbox_table, watermark_table
from kernel.outbox import SeqType, outbox_table
from kernel.uow import KernelTables

metadata = new_metadata()

ID = 64

incident = Table(
    "incident",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("occurred_on", Date, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("summary", String(500), nullable=False),
    Column("loss_amount", BigInteger, nullable=True),
    Column("effect_level", String(16), nullable=True),
    Column("tolerance_window_ends_on", Date, nullable=True),
    Column("created_by", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

incident_cadre = Table(
    "incident_cadre",
    metadata,
    Column("incident_id", String(ID), ForeignKey("incident.id"), primary_key=True),
    Column("cadre_id", String(ID), primary_key=True),
    Index("ix_incident_cadre_cadre_id", "cadre_id"),
)

# A source (report, inaction finding, false accusation, ...) belongs to one incident: its natural key.
incident_source = Table(
    "incident_source",
    metadata,
    Column("ref_type", String(32), primary_key=True),
    Column("ref_id", String(128), primary_key=True),
    Column("incident_id", String(ID), ForeignKey("incident.id"), nullable=False),
    Index("ix_incident_source_incident_id", "incident_id"),
)

sanction = Table(
    "sanction",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), nullable=False),
    Column("system", String(16), nullable=False),
    Column("type", String(32), nullable=False),
    Column("proposed_type", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("incident_id", String(ID), ForeignKey("incident.id"), nullable=True),
    Column("origin", String(24), nullable=False),
    Column("external_ref", String(160), nullable=True, unique=True),
    Column("proposed_on", Date, nullable=False),
    Column("proposed_months", Integer, nullable=True),
    Column("combined_count", Integer, nullable=False),
    Column("facts_notified_on", Date, nullable=True),
    Column("defence_due_on", Date, nullable=True),
    Column("defence_on", Date, nullable=True),
    Column("defence_statement", Text, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("effective_on", Date, nullable=True),
    Column("period_months", Integer, nullable=True),
    Column("ends_on", Date, nullable=True),
    Column("extension_reason", Text, nullable=True),
    Column("publication_scope", String(64), nullable=True),
    Column("original_post_level", Integer, nullable=True),
    Column("original_rank_code", String(32), nullable=True),
    Column("mitigated_by_case_id", String(ID), nullable=True),
    Column("previous_type", String(32), nullable=True),
    Column("varied_on", Date, nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("withdrawn_on", Date, nullable=True),
    Column("withdrawal_reason", String(200), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_sanction_cadre_id_proposed_on", "cadre_id", "proposed_on"),
    Index("ix_sanction_incident_id", "incident_id"),
    Index("ix_sanction_status_ends_on", "status", "ends_on"),
)

# Past sanctions and handling recorded as facts (POST /sanctions/history): append-only, one row per version of a
# fact; the highest revision of a sanction is the current one, the lower ones are superseded.
sanction_record = Table(
    "sanction_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("sanction_id", String(ID), ForeignKey("sanction.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("cadre_id", String(ID), nullable=False),
    Column("system", String(16), nullable=False),
    Column("type", String(32), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("document_number", String(100), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("period_months", Integer, nullable=True),
    Column("combined_count", Integer, nullable=False),
    Column("publication_scope", String(64), nullable=True),
    Column("probation_extended_on", Date, nullable=True),
    Column("probation_extension_reason", Text, nullable=True),
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("sanction_id", "revision", name="uq_sanction_record_sanction_id_revision"),
    Index("ix_sanction_record_cadre_id", "cadre_id"),
)

# Appeal outcomes applied (natural key: one decision per appeal and stage).
sanction_appeal = Table(
    "sanction_appeal",
    metadata,
    Column("appeal_id", String(ID), primary_key=True),
    Column("stage", String(16), primary_key=True),
    Column("sanction_id", String(ID), nullable=False),
    Column("result", String(16), nullable=False),
    Column("varied_to", String(32), nullable=True),
    Column("decided_on", Date, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_sanction_appeal_sanction_id", "sanction_id"),
)

restriction = Table(
    "restriction",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), nullable=False),
    Column("effect", String(32), nullable=False),
    Column("source_type", String(16), nullable=False),
    Column("source_id", String(ID), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    # The first day it no longer applies (ends_on, or the lifting day); NULL: no end. Kept for as-of queries.
    Column("until_on", Date, nullable=True),
    Column("status", String(8), nullable=False),
    Column("discretionary_extension", Boolean, nullable=False),
    Column("reason", String(500), nullable=True),
    Column("original_post_level", Integer, nullable=True),
    Column("original_rank_code", String(32), nullable=True),
    Column("lifted_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_restriction_cadre_id_starts_on", "cadre_id", "starts_on"),
    # Covers the bulk as-of question (views.reads.bars_on): read from the index alone on both backends (an
    # index-only scan on PostgreSQL), in (cadre, effect) order, so the GROUP BY needs no sort.
    Index("ix_restriction_cadre_id_effect_as_of", "cadre_id", "effect", "starts_on", "until_on", "status"),
    Index("ix_restriction_source", "source_type", "source_id"),
    Index(
        "ix_restriction_due",
        "ends_on",
        postgresql_where=text("status = 'ACTIVE'"),
        sqlite_where=text("status = 'ACTIVE'"),
    ),
)

restriction_extension = Table(
    "restriction_extension",
    metadata,
    Column("id", SeqType, primary_key=True, autoincrement=True),
    Column("restriction_id", String(ID), ForeignKey("restriction.id"), nullable=False),
    Column("previous_ends_on", Date, nullable=False),
    Column("new_ends_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("discretionary", Boolean, nullable=False),
    Column("decided_by", String(128), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_restriction_extension_restriction_id", "restriction_id"),
)

investigation = Table(
    "investigation",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), nullable=False, unique=True),
    Column("report_id", String(ID), nullable=False),
    Column("cadre_id", String(ID), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("incident_id", String(ID), nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("result", String(16), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_investigation_report_id", "report_id"),
    Index("ix_investigation_cadre_id", "cadre_id"),
)

# Past investigations recorded as facts (append-only): one row per revision; the highest is current. The
# investigation itself is an ordinary investigation row whose case_id is the record's reference (history/<digest>).
investigation_record = Table(
    "investigation_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("investigation_id", String(ID), ForeignKey("investigation.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("case_ref", String(64), nullable=False),
    Column("cadre_id", String(ID), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("conclusion", String(16), nullable=True),
    Column("document_number", String(100), nullable=False),
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("investigation_id", "revision", name="uq_investigation_record_investigation_id_revision"),
    Index("ix_investigation_record_case_ref", "case_ref"),
)

OPEN_CASE_STATES = "('APPLIED', 'ACCEPTED', 'VERIFYING', 'PENDING_DECISION')"

tolerance_case = Table(
    "tolerance_case",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("incident_id", String(ID), ForeignKey("incident.id"), nullable=False),
    Column("cadre_id", String(ID), nullable=False),
    Column("initiator", String(24), nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("statement", Text, nullable=False),
    Column("grounds", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("acceptance_note", String(1000), nullable=True),
    Column("conditions", JSON, nullable=False),
    Column("exclusions", JSON, nullable=False),
    Column("verification_report_ref", String(128), nullable=True),
    Column("verified_on", Date, nullable=True),
    Column("decision", String(16), nullable=True),
    Column("decision_reasons", Text, nullable=True),
    Column("mitigated_to", String(32), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decided_by_body", String(200), nullable=True),
    Column("body_size", Integer, nullable=True),
    Column("members", JSON, nullable=False),
    Column("notified_on", Date, nullable=True),
    Column("filed_upward_on", Date, nullable=True),
    Column("publication_scope", String(64), nullable=True),
    Column("correction_plan", Text, nullable=True),
    Column("correction_due_on", Date, nullable=True),
    Column("correction_done_on", Date, nullable=True),
    Column("correction_follow_up", Text, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("created_by", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tolerance_case_cadre_id_applied_on", "cadre_id", "applied_on"),
    Index("ix_tolerance_case_incident_id", "incident_id"),
    # At most one undecided application per incident and cadre.
    Index(
        "uq_tolerance_case_open",
        "incident_id",
        "cadre_id",
        unique=True,
        postgresql_where=text(f"status IN {OPEN_CASE_STATES}"),
        sqlite_where=text(f"status IN {OPEN_CASE_STATES}"),
    ),
)

# Past tolerance decisions recorded as facts (append-only): one row per revision; the highest is current, the lower
# ones are superseded and kept. The case itself is an ordinary tolerance_case row (docs/tolerance.md).
tolerance_case_record = Table(
    "tolerance_case_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("tolerance_case.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("case_key", String(64), nullable=False),
    Column("cadre_id", String(ID), nullable=False),
    Column("incident_id", String(ID), nullable=False),
    Column("incident_recorded", Boolean, nullable=False),  # the incident was described by this record
    Column("occurred_on", Date, nullable=True),
    Column("summary", Text, nullable=True),
    Column("applied_on", Date, nullable=False),
    Column("initiator", String(24), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("mitigated_to", String(32), nullable=True),
    Column("decided_on", Date, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("decided_by_body", String(200), nullable=False),
    Column("publication_scope", String(64), nullable=True),
    Column("document_number", String(100), nullable=False),
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("case_id", "revision", name="uq_tolerance_case_record_case_id_revision"),
    Index("ix_tolerance_case_record_case_key", "case_key"),
)

reinstatement = Table(
    "reinstatement",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), nullable=False),
    Column("eligible_from", Date, nullable=False),
    Column("original_post_level", Integer, nullable=True),
    Column("status", String(20), nullable=False),
    Column("cadre_report_on", Date, nullable=True),
    Column("cadre_report", Text, nullable=True),
    Column("org_opinion_on", Date, nullable=True),
    Column("org_opinion", Text, nullable=True),
    Column("target_post", String(64), nullable=True),
    Column("target_post_level", Integer, nullable=True),
    Column("discipline_opinion_on", Date, nullable=True),
    Column("discipline_opinion", Text, nullable=True),
    Column("discipline_favourable", Boolean, nullable=True),
    Column("fact_finding_on", Date, nullable=True),
    Column("survey_done", Boolean, nullable=False),
    Column("objection_level", String(8), nullable=True),
    Column("fact_finding_note", Text, nullable=True),
    Column("postponed_on", Date, nullable=True),
    Column("upper_consult_required", Boolean, nullable=False),
    Column("upper_consulted_on", Date, nullable=True),
    Column("upper_consult_ref", String(128), nullable=True),
    Column("upper_agreed", Boolean, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decided_by_body", String(200), nullable=True),
    Column("approved", Boolean, nullable=True),
    Column("decision_note", Text, nullable=True),
    Column("announced_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_reinstatement_cadre_id", "cadre_id"),
)

reinstatement_basis = Table(
    "reinstatement_basis",
    metadata,
    Column("sanction_id", String(ID), ForeignKey("sanction.id"), primary_key=True),
    Column("reinstatement_id", String(ID), ForeignKey("reinstatement.id"), nullable=False),
    Index("ix_reinstatement_basis_reinstatement_id", "reinstatement_id"),
)

# 诫勉 tasks opened by an annual grade of 基本称职 (docs/rules.md §5.1), closed when appraisal holds the talk.
admonishment_task = Table(
    "admonishment_task",
    metadata,
    Column("assessment_id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("done_on", Date, nullable=True),
    Column("sanction_id", String(ID), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_admonishment_task_cadre_id_status", "cadre_id", "status"),
)

# Mirrors of rank's holdings: the original post level and rank before a removal or demotion.
rank_post_holding = Table(
    "rank_post_holding",
    metadata,
    Column("holding_id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), nullable=False),
    Column("to_post", String(64), nullable=True),
    Column("post_level", Integer, nullable=True),
    Column("effective_date", Date, nullable=False),
    Column("basis", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_rank_post_holding_cadre_id_effective_date", "cadre_id", "effective_date"),
)

rank_rank_holding = Table(
    "rank_rank_holding",
    metadata,
    Column("holding_id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), nullable=False),
    Column("to_rank", String(32), nullable=False),
    Column("level", Integer, nullable=True),
    Column("effective_date", Date, nullable=False),
    Column("basis", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_rank_rank_holding_cadre_id_effective_date", "cadre_id", "effective_date"),
)

# Mirror of petitions' closed reports per cadre, so that a case_opened redelivered after its report_closed
# does not open a bar that nothing would lift.
petitions_report_outcome = Table(
    "petitions_report_outcome",
    metadata,
    Column("report_id", String(ID), primary_key=True),
    Column("cadre_id", String(ID), primary_key=True),
    Column("outcome", String(24), nullable=False),
    Column("closed_on", Date, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

audit_log = audit_table(metadata)

kernel_tables = KernelTables(
    outbox=outbox_table(metadata),
    inbox=inbox_table(metadata),
    dead_letter=dead_letter_table(metadata),
    watermark=watermark_table(metadata),
    audit=audit_log,
)
directory = directory_tables(metadata)


# Local copies of other producers' contracts, named <producer>_<noun> (docs/DEVELOPING.md, "Consuming events").
PROJECTIONS: tuple[Table, ...] = (
    rank_post_holding,
    rank_rank_holding,
    petitions_report_outcome,
)
