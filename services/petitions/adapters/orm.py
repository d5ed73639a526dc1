"""Tables of the petitions service (its own MetaData; kernel and directory tables through kernel factories).

Reporter identity lives only in reporter_vault (sealed); report texts written by reporters are sealed too.
Receipt codes are stored only as scrypt hashes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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


def _stamps() -> list[Column]:
    return [
        Column("version", Integer, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
    ]


report = Table(
    "report",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("petition_type", String(16), nullable=False),
    Column("channel", String(24), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("identity", String(16), nullable=False),
    Column("handling_org_unit_id", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("category", String(24), nullable=True),
    Column("substantive", Boolean, nullable=True),
    Column("jurisdiction", String(16), nullable=True),
    Column("real_name_verified_on", Date, nullable=True),
    Column("transfer_ref", String(100), nullable=True),
    Column("duplicate_of", String(36), nullable=True),
    Column("not_accepted_reason", String(24), nullable=True),
    Column("routed_to", String(64), nullable=True),
    Column("accepted_on", Date, nullable=True),
    Column("acceptance_notice_on", Date, nullable=True),
    Column("disposal_mode", String(24), nullable=True),
    Column("outcome", String(24), nullable=True),
    Column("conclusion", Text, nullable=True),
    Column("adverse_effect", Boolean, nullable=False),
    Column("accusation_spread", String(16), nullable=True),
    Column("fabrication_suspected", Boolean, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("feedback_on", Date, nullable=True),
    Column("objection_on", Date, nullable=True),
    Column("objection_new_evidence", Boolean, nullable=True),
    # Texts written by the reporter, sealed (AES-GCM, the report id as associated data).
    Column("content_sealed", LargeBinary, nullable=True),
    Column("accused_text_sealed", LargeBinary, nullable=True),
    Column("objection_sealed", LargeBinary, nullable=True),
    *_stamps(),
    Index("ix_report_handling_org_unit_id", "handling_org_unit_id", "received_on"),
    Index("ix_report_status", "status"),
    Index("ix_report_received_on", "received_on", "id"),
    Index("ix_report_closed_on", "closed_on"),
)

report_accused = Table(
    "report_accused",
    metadata,
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    Column("cadre_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("outcome", String(24), nullable=True),
    Column("tolerated", Boolean, nullable=False),
    Index("ix_report_accused_cadre_id", "cadre_id"),
)

report_accused_unit = Table(
    "report_accused_unit",
    metadata,
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    Column("org_unit_id", String(64), primary_key=True),
)

report_allegation = Table(
    "report_allegation",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("summary", Text, nullable=False),
    Column("cadre_id", String(64), nullable=True),
    Column("result", String(24), nullable=True),
    Index("ix_report_allegation_report_id", "report_id"),
)

report_case = Table(
    "report_case",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("opened_on", Date, nullable=False),
    Index("ix_report_case_report_id", "report_id"),
    Index("ix_report_case_cadre_id", "cadre_id"),
)

report_disposal = Table(
    "report_disposal",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
    Column("mode", String(24), nullable=False),
    Column("meeting_on", Date, nullable=False),
    Column("participants", Integer, nullable=False),
    Column("minutes_ref", String(100), nullable=False),
    Column("decided_by", String(128), nullable=False),
    Column("decided_on", Date, nullable=False),
    Index("ix_report_disposal_report_id", "report_id"),
)

report_question = Table(
    "report_question",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("asked_by", String(128), nullable=False),
    Column("asked_on", Date, nullable=False),
    Column("answer_sealed", LargeBinary, nullable=True),
    Column("answered_on", Date, nullable=True),
    Index("ix_report_question_report_id", "report_id"),
)

report_link = Table(
    "report_link",
    metadata,
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    Column("other_id", String(36), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("score", Float, nullable=False),
    Column("found_on", Date, nullable=False),
)

# The vault: reporter identity and contact, sealed; the fingerprint is a keyed pseudonym (HMAC) that links
# the reports of one reporter for the malicious-report assessment without saying who they are.
reporter_vault = Table(
    "reporter_vault",
    metadata,
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    Column("sealed", LargeBinary, nullable=True),
    Column("fingerprint", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("purged_at", UtcDateTime, nullable=True),
    Index("ix_reporter_vault_fingerprint", "fingerprint"),
)

receipt = Table(
    "receipt",
    metadata,
    Column("report_id", String(36), ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    Column("lookup_prefix", String(8), nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("digest", LargeBinary, nullable=False),
    Column("scrypt_n", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_receipt_lookup_prefix", "lookup_prefix"),
)

reporter_flag = Table(
    "reporter_flag",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("unfounded_count", Integer, nullable=False),
    Column("flagged_on", Date, nullable=False),
    Column("updated_on", Date, nullable=False),
)

statement_request = Table(
    "statement_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), ForeignKey("report.id"), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("facts", Text, nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("answer", Text, nullable=True),
    Column("submitted_on", Date, nullable=True),
    Column("late", Boolean, nullable=False),
    Column("adopted", Boolean, nullable=True),
    Column("assessment", Text, nullable=True),
    Column("assessed_on", Date, nullable=True),
    Column("waiver_reason", Text, nullable=True),
    *_stamps(),
    Index("ix_statement_request_report_id", "report_id"),
    Index("ix_statement_request_cadre_id", "cadre_id", "requested_on"),
)

false_accusation_case = Table(
    "false_accusation_case",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("origin_report_id", String(36), ForeignKey("report.id"), nullable=False),
    Column("victim_cadre_ids", Text, nullable=False),
    Column("grounds", Text, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("opened_by", String(128), nullable=False),
    Column("accuser_is_cadre", Boolean, nullable=False),
    Column("accuser_cadre_id", String(64), nullable=True),
    Column("status", String(32), nullable=False),
    Column("findings", Text, nullable=True),
    Column("proposed", String(32), nullable=True),
    Column("submitted_by", String(128), nullable=True),
    Column("approved_by", String(128), nullable=True),
    Column("approval_tier", String(16), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("referral", String(16), nullable=True),
    Column("referral_note", Text, nullable=True),
    Column("referred_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    *_stamps(),
    Index("ix_false_accusation_case_origin_report_id", "origin_report_id"),
)

clarification = Table(
    "clarification",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("cadre_id", String(64), nullable=False),
    Column("report_ids", Text, nullable=False),
    Column("spread", String(16), nullable=False),
    Column("reason", String(24), nullable=False),
    Column("proposed_on", Date, nullable=False),
    Column("status", String(24), nullable=False),
    Column("consent_on", Date, nullable=True),
    Column("method", String(16), nullable=True),
    Column("scope", String(16), nullable=True),
    Column("approved_by", String(128), nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("executed_on", Date, nullable=True),
    Column("record_ref", String(100), nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("rejection_reason", Text, nullable=True),
    *_stamps(),
    Index("ix_clarification_cadre_id", "cadre_id", "proposed_on"),
)

appeal = Table(
    "appeal",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("appellant_cadre_id", String(64), nullable=True),
    Column("target_type", String(24), nullable=False),
    Column("target_ref", String(200), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("original_value", String(64), nullable=True),
    Column("decision_on", Date, nullable=False),
    Column("notified_on", Date, nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("filing_deadline", Date, nullable=True),
    Column("filed_by", String(128), nullable=False),
    Column("org_unit_id", String(64), nullable=False),
    Column("grounds", Text, nullable=False),
    Column("previous_appeal_id", String(36), nullable=True),
    Column("status", String(24), nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("decision_due_on", Date, nullable=True),
    Column("result", String(16), nullable=True),
    Column("varied_to", String(64), nullable=True),
    Column("reasons", Text, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decided_by", String(128), nullable=True),
    *_stamps(),
    Index("ix_appeal_appellant_cadre_id", "appellant_cadre_id", "filed_on"),
    Index("ix_appeal_target_ref", "target_ref", "stage"),
    Index("ix_appeal_org_unit_id", "org_unit_id", "filed_on"),
)

# Past appeals recorded as facts (append-only): one row per revision of the record; the highest is current, the
# lower ones are superseded and kept. The appeal itself is an ordinary `appeal` row.
appeal_record = Table(
    "appeal_record",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("appeal_id", String(36), ForeignKey("appeal.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("appellant_cadre_id", String(64), nullable=False),
    Column("target_type", String(24), nullable=False),
    Column("target_ref", String(200), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("previous_appeal_id", String(36), nullable=True),
    Column("decision_on", Date, nullable=False),
    Column("notified_on", Date, nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("accepted_on", Date, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("varied_to", String(64), nullable=True),
    Column("reasons", Text, nullable=True),
    Column("document_number", String(100), nullable=False),
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("appeal_id", "revision", name="uq_appeal_record_appeal_id_revision"),
    Index("ix_appeal_record_key", "appellant_cadre_id", "target_ref", "stage"),
)

deadline = Table(
    "deadline",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("object_type", String(16), nullable=False),
    Column("object_id", String(36), nullable=False),
    Column("report_id", String(36), nullable=True),
    Column("org_unit_id", String(64), nullable=True),
    Column("start_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("unit", String(4), nullable=False),
    Column("remind_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("pausable", Boolean, nullable=False),
    Column("max_extension_days", Integer, nullable=False),
    Column("extended_days", Integer, nullable=False),
    Column("paused_on", Date, nullable=True),
    Column("met_on", Date, nullable=True),
    Column("breached_on", Date, nullable=True),
    Column("reminded_on", Date, nullable=True),
    *_stamps(),
    # The overdue list (status, due date) overall and per unit, the breach sweep and the reminder sweep.
    Index("ix_deadline_status_due_on", "status", "due_on", "id"),
    Index("ix_deadline_org_unit_id", "org_unit_id", "status", "due_on"),
    Index("ix_deadline_breach_sweep", "status", "breached_on", "due_on"),
    Index("ix_deadline_remind_sweep", "status", "reminded_on", "remind_on"),
    Index("ix_deadline_report_id", "report_id"),
    Index("ix_deadline_object_id", "object_id"),
)

# Decisions other services own that may be appealed (a projection of their events): the appeal checks that
# the decision exists, belongs to the appellant, when it was made, and what it was (never heavier).
appealable_decision = Table(
    "appealable_decision",
    metadata,
    Column("ref", String(200), primary_key=True),
    Column("target_type", String(24), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("value", String(64), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_appealable_decision_cadre_id", "cadre_id"),
)


# Local copies of other producers' contracts, named <producer>_<noun> (docs/DEVELOPING.md, "Consuming events"). None
# here: `appealable_decision` merges tolerance's sanctions and appraisal's grades, so it is named for what it holds.
PROJECTIONS: tuple[Table, ...] = ()
