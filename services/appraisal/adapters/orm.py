"""Tables of the appraisal service (its own MetaData; kernel, audit and directory tables through kernel factories).

Projections of other services' events are prefixed by what they mirror: tol_ (tolerance), pet_ (petitions),
rank_ (rank, beyond the directory).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kernel.audit import audit_table
from kernel.db import UtcDateTime, new_metadata
from kernel.directory import directory_tables
from kernel.inbox import dead_letter_table, inbox_table, watermark_table
from kernel.outbox import outbox_table
from kernel.uow import KernelTables

metadata = new_metadata()

audit_log = audit_table(metadata)

kernel_tables = KernelTables(
    outbox=outbox_table(metadata),
    inbox=inbox_table(metadata),
    dead_letter=dead_letter_table(metadata),
    watermark=watermark_table(metadata),
    audit=audit_log,
)
directory = directory_tables(metadata)

ID = 36

assessment_year = Table(
    "assessment_year",
    metadata,
    Column("org_unit_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("excellent_quota_pct", Float, nullable=False),
    Column("quota_raise_approved", Boolean, nullable=False),
    Column("approval_ref", String(200), nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

annual_assessment = Table(
    "annual_assessment",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("self_summary", Text, nullable=True),
    Column("leader_comment", Text, nullable=True),
    Column("indicators", JSON, nullable=True),
    Column("form_score", Float, nullable=True),
    Column("proposed_grade", String(16), nullable=True),
    Column("final_grade", String(16), nullable=True),
    Column("undetermined_reason", String(32), nullable=True),
    Column("constraints_applied", JSON, nullable=False),
    Column("held_grade", String(16), nullable=True),
    Column("publicity_from", Date, nullable=True),
    Column("publicity_to", Date, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("notified_on", Date, nullable=True),
    Column("acknowledged_on", Date, nullable=True),
    Column("signed_opinion", Text, nullable=True),
    Column("review_requested_on", Date, nullable=True),
    Column("appeal_ceiling", String(16), nullable=True),
    Column("supplemented", Boolean, nullable=False),
    Column("supplement_no_excellent", Boolean, nullable=False),
    Column("amended", Boolean, nullable=False),
    Column("source", String(16), nullable=True),
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("cadre_id", "year"),
    Index("ix_annual_assessment_org_unit_id_year", "org_unit_id", "year"),
    Index("ix_annual_assessment_org_path", "org_path"),
)

# Every recording of a past annual grade, append-only: a correction is a new row naming the one it supersedes;
# the current values are copied onto the assessment (source not null there).
assessment_grade_record = Table(
    "assessment_grade_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("assessment_id", String(ID), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("year", Integer, nullable=False),
    Column("grade", String(16), nullable=False),
    Column("undetermined_reason", String(32), nullable=True),
    Column("decided_on", Date, nullable=False),
    Column("notified_on", Date, nullable=False),
    Column("publicity_from", Date, nullable=True),
    Column("publicity_to", Date, nullable=True),
    Column("document_no", String(100), nullable=True),
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("supersedes", String(ID), nullable=True),
    Column("quota_exceeded", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_assessment_grade_record_cadre_id_year", "cadre_id", "year"),
    Index("ix_assessment_grade_record_org_path", "org_path"),
)

regular_assessment = Table(
    "regular_assessment",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("period_key", String(7), nullable=False),
    Column("period_end", Date, nullable=False),
    Column("result", String(16), nullable=False),
    Column("evaluator", String(128), nullable=False),
    Column("evidence_refs", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("cadre_id", "period_key"),
    Index("ix_regular_assessment_org_path", "org_path"),
)

performance_record = Table(
    "performance_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("category", String(24), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("quantity", Float, nullable=True),
    Column("unit", String(32), nullable=True),
    Column("evidence_refs", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("submitted_by", String(128), nullable=False),
    Column("verified_by", String(128), nullable=True),
    Column("verified_on", Date, nullable=True),
    Column("return_reason", String(500), nullable=True),
    Column("supersedes", String(ID), nullable=True),
    Column("superseded_by", String(ID), nullable=True),
    Column("source", String(16), nullable=True),  # a past fact (docs/appraisal.md "Recording past ..."); None: live
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=True),
    Column("history_key", String(64), nullable=True, unique=True),  # natural key digest of a recorded past fact
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_performance_record_cadre_id_occurred_on", "cadre_id", "occurred_on"),
    Index("ix_performance_record_org_path", "org_path"),
    Index("ix_performance_record_supersedes", "supersedes"),
)

inaction_item = Table(
    "inaction_item",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("group", String(32), nullable=False),
    Column("sector", String(64), nullable=True),
    Column("domain", String(64), nullable=True),
    Column("region", String(64), nullable=True),
    Column("post_level", String(32), nullable=True),
    Column("description", String(500), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("default_points", Float, nullable=False),
    Column("triggers_accountability", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

self_check = Table(
    "self_check",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("period_key", String(7), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("flagged", Integer, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    UniqueConstraint("cadre_id", "period_key"),
)

inaction_finding = Table(
    "inaction_finding",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("item_code", String(32), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("points", Float, nullable=False),
    Column("triggers_accountability", Boolean, nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("source_ref", String(128), nullable=True),
    Column("incident_ref", String(128), nullable=True),
    Column("occurred_on", Date, nullable=False),
    Column("status", String(24), nullable=False),
    Column("confirmed_on", Date, nullable=True),
    Column("closed_reason", String(200), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_inaction_finding_cadre_id_occurred_on", "cadre_id", "occurred_on"),
    Index("ix_inaction_finding_org_path", "org_path"),
    Index("ix_inaction_finding_incident_ref", "incident_ref"),
    Index("ix_inaction_finding_source_ref", "source_ref"),
)

talk = Table(
    "talk",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("type", String(24), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("scheduled_on", Date, nullable=False),
    Column("reason_ref", String(200), nullable=True),
    Column("created_by", String(128), nullable=False),
    Column("schedule_id", String(ID), nullable=True),
    Column("status", String(16), nullable=False),
    Column("held_on", Date, nullable=True),
    Column("minutes_ref", String(200), nullable=True),
    Column("outcome", String(500), nullable=True),
    Column("reply_due_on", Date, nullable=True),
    Column("replied_on", Date, nullable=True),
    Column("reply_ref", String(200), nullable=True),
    Column("source", String(16), nullable=True),  # a past fact (docs/appraisal.md "Recording past ..."); None: live
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=True),
    Column("history_key", String(64), nullable=True, unique=True),  # natural key digest of a recorded past fact
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("schedule_id", "scheduled_on"),
    Index("ix_talk_cadre_id", "cadre_id"),
    Index("ix_talk_org_path", "org_path"),
    Index("ix_talk_status_reply_due_on", "status", "reply_due_on"),
)

talk_schedule = Table(
    "talk_schedule",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("type", String(24), nullable=False),
    Column("reason", String(24), nullable=False),
    Column("every_months", Integer, nullable=False),
    Column("next_on", Date, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_talk_schedule_active_next_on", "active", "next_on"),
)

award = Table(
    "award",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("type", String(24), nullable=False),
    Column("basis", String(32), nullable=False),
    Column("basis_ref", String(128), nullable=True),
    Column("year", Integer, nullable=True),
    # Natural key of automatic proposals ("<basis>:<cadre>:<year>"), so a replayed grade never proposes twice.
    Column("auto_key", String(200), nullable=True, unique=True),
    Column("proposed_on", Date, nullable=False),
    Column("status", String(24), nullable=False),
    Column("publicity_from", Date, nullable=True),
    Column("publicity_to", Date, nullable=True),
    Column("approved_by", String(128), nullable=True),
    Column("granted_on", Date, nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("revoke_reason", String(200), nullable=True),
    Column("review_reason", String(200), nullable=True),
    Column("source", String(16), nullable=True),  # a past fact (docs/appraisal.md "Recording past ..."); None: live
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=True),
    Column("history_key", String(64), nullable=True, unique=True),  # natural key digest of a recorded past fact
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_award_cadre_id", "cadre_id"),
    Index("ix_award_org_path", "org_path"),
    Index("ix_award_granted_on", "granted_on"),
)

# Every recording of a past award, talk or performance record, append-only (docs/appraisal.md, "Recording past
# awards", "... talks", "... performance records"): a correction is a new row naming the one it supersedes; the
# current values are on the object itself (its `source` not null).
past_fact_record = Table(
    "past_fact_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("kind", String(24), nullable=False),  # AWARD | TALK | PERFORMANCE_RECORD
    Column("object_id", String(ID), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("history_key", String(64), nullable=False),
    Column("fact", JSON, nullable=False),
    Column("source", String(16), nullable=False),
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("supersedes", String(ID), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_past_fact_record_object_id", "object_id"),
    Index("ix_past_fact_record_cadre_id", "cadre_id"),
    Index("ix_past_fact_record_org_path", "org_path"),
)

index_snapshot = Table(
    "index_snapshot",
    metadata,
    Column("cadre_id", String(64), primary_key=True),
    Column("period_key", String(7), primary_key=True),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("formula_version", String(16), nullable=False),
    Column("total", Float, nullable=False),
    Column("components", JSON, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
    Index("ix_index_snapshot_org_path_period_key", "org_path", "period_key"),
)

# (cadre, period) pairs whose index must be recomputed: the incremental work queue.
index_dirty = Table(
    "index_dirty",
    metadata,
    Column("cadre_id", String(64), primary_key=True),
    Column("period_key", String(7), primary_key=True),
    Column("marked_at", UtcDateTime, nullable=False),
)

tolerance_restriction = Table(
    "tolerance_restriction",
    metadata,
    Column("restriction_id", String(64), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("effect", String(32), nullable=False),
    Column("source_type", String(24), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tolerance_restriction_cadre_id", "cadre_id"),
)

tolerance_sanction = Table(
    "tolerance_sanction",
    metadata,
    Column("sanction_id", String(64), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("system", String(24), nullable=False),
    Column("type", String(32), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("period_months", Integer, nullable=True),
    Column("incident_id", String(64), nullable=True),
    Column("status", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tolerance_sanction_cadre_id_effective_on", "cadre_id", "effective_on"),
    Index("ix_tolerance_sanction_incident_id", "incident_id"),
)

tolerance_investigation = Table(
    "tolerance_investigation",
    metadata,
    Column("investigation_id", String(64), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("result", String(24), nullable=True),
    Index("ix_tolerance_investigation_cadre_id", "cadre_id"),
)

tolerance_granted = Table(
    "tolerance_granted",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("incident_id", String(64), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("source_refs", JSON, nullable=False),
    Index("ix_tolerance_granted_incident_id", "incident_id"),
    Index("ix_tolerance_granted_cadre_id", "cadre_id"),
)

petitions_report_outcome = Table(
    "petitions_report_outcome",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("cadre_id", String(64), primary_key=True),
    Column("outcome", String(24), nullable=False),
    Column("closed_on", Date, nullable=False),
    Index("ix_petitions_report_outcome_cadre_id_closed_on", "cadre_id", "closed_on"),
)

petitions_false_accusation = Table(
    "petitions_false_accusation",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("accuser_cadre_id", String(64), nullable=False),
    Column("confirmed_on", Date, nullable=False),
    Index("ix_petitions_false_accusation_accuser_cadre_id", "accuser_cadre_id"),
)

# Notes on a cadre's record from other services' events (docs/rules.md §5.8, 5.11, 5.16, 5.19): append-only, one per
# (kind, source, cadre). Ids, dates and a short non-sensitive detail only: never reporter data nor petition content.
cadre_note = Table(
    "cadre_note",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("kind", String(24), nullable=False),  # CLARIFICATION | XINFANG_REVIEW | REINSTATEMENT | TERM_EVALUATION
    Column("source_ref", String(128), nullable=False),
    Column("noted_on", Date, nullable=False),
    Column("due_on", Date, nullable=True),
    Column("detail", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "source_ref", "cadre_id"),
    Index("ix_cadre_note_cadre_id_noted_on", "cadre_id", "noted_on"),
    Index("ix_cadre_note_kind_due_on", "kind", "due_on"),
)

# Promotions and rotations from rank's holdings, for incentive coverage.
rank_move = Table(
    "rank_move",
    metadata,
    Column("holding_id", String(64), primary_key=True),
    Column("kind", String(8), primary_key=True),  # RANK | POST
    Column("cadre_id", String(64), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("effective_date", Date, nullable=False),
    Index("ix_rank_move_cadre_id_effective_date", "cadre_id", "effective_date"),
)

incentive_record = Table(
    "incentive_record",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("ref", String(200), nullable=True),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_incentive_record_cadre_id_on_date", "cadre_id", "on_date"),
)

bonus_allocation = Table(
    "bonus_allocation",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("org_unit_id", String(64), nullable=False),
    Column("org_path", String(1000), nullable=False),
    Column("year", Integer, nullable=False),
    Column("pool_cents", BigInteger, nullable=False),
    Column("coefficients", JSON, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_bonus_allocation_org_path", "org_path"),
)

bonus_line = Table(
    "bonus_line",
    metadata,
    Column("allocation_id", String(ID), primary_key=True),
    Column("cadre_id", String(64), primary_key=True),
    Column("grade", String(16), nullable=True),
    Column("coefficient", Float, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("explanation", String(500), nullable=False),
)


# Local copies of other producers' contracts, named <producer>_<noun> (docs/DEVELOPING.md, "Consuming events").
PROJECTIONS: tuple[Table, ...] = (
    tolerance_restriction,
    tolerance_sanction,
    tolerance_investigation,
    tolerance_granted,
    petitions_report_outcome,
    petitions_false_accusation,
    rank_move,
)
