"""Tables of the rank service (its own MetaData; kernel tables through the kernel factories)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from kernel.audit import audit_table
from kernel.db import UtcDateTime, new_metadata
from kernel.inbox import dead_letter_table, inbox_table, watermark_table
from kernel.outbox import outbox_table
from kernel.uow import KernelTables

metadata = new_metadata()

org_unit = Table(
    "org_unit",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("parent_id", String(64), ForeignKey("org_unit.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("agency_level", String(32), nullable=False),
    Column("path", String(1000), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_org_unit_path", "path"),
    Index("ix_org_unit_parent_id", "parent_id"),
)

cadre = Table(
    "cadre",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("gender", String(8), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("org_unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("party_member", Boolean, nullable=False),
    Column("education", String(32), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Denormalized from the holdings (the current ones) for scoped lists, quotas and snapshots.
    Column("rank_code", String(16), nullable=True),
    Column("level", Integer, nullable=True),
    Column("post_code", String(32), nullable=True),
    Column("reserve_cadre", Boolean, nullable=False, server_default=text("false")),
    Column("grassroots_experience", Boolean, nullable=False, server_default=text("false")),
    # Search keys derived from the name (services/rank/domain/names.py): full pinyin and initials; lists sort by them.
    Column("name_pinyin", String(400), nullable=False, server_default=""),
    Column("name_initials", String(100), nullable=False, server_default=""),
    # 公民身份号码 as a keyed hash (HMAC-SHA256 with RANK_ID_NUMBER_KEY), never the number itself.
    Column("id_number_hash", String(64), nullable=True),
    Index("ix_cadre_org_unit_id", "org_unit_id"),
    Index("ix_cadre_name_birth_date", "name", "birth_date"),
    Index("ix_cadre_rank_code", "rank_code"),
    Index("ix_cadre_name_pinyin", "name_pinyin", "id"),
    Index("ix_cadre_id_number_hash", "id_number_hash", unique=True),
)

cadre_relative = Table(
    "cadre_relative",
    metadata,
    Column("cadre_id", String(36), ForeignKey("cadre.id"), nullable=False),
    Column("relative_id", String(36), ForeignKey("cadre.id"), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("cadre_id", "relative_id"),
    Index("ix_cadre_relative_relative_id", "relative_id"),
)


def _holding(name: str, *columns: Column) -> Table:
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        Column("cadre_id", String(36), ForeignKey("cadre.id"), nullable=False),
        *columns,
        Column("since", Date, nullable=False),
        Column("until", Date, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        UniqueConstraint("cadre_id", "since"),
    )


rank_holding = _holding(
    "rank_holding",
    Column("rank_code", String(16), nullable=False),
    Column("series", String(16), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("source_ref", String(128), nullable=True),
)
post_holding = _holding(
    "post_holding",
    Column("post_code", String(32), nullable=True),
    Column("hardship", Boolean, nullable=False),
    Column("basis", String(16), nullable=False),
    Column("source_ref", String(128), nullable=True),
)
level_holding = _holding(
    "level_holding",
    Column("level", Integer, nullable=False),
    Column("step", Integer, nullable=True),
    Column("basis", String(16), nullable=False),
    Column("source_ref", String(128), nullable=True),
)
org_assignment = _holding(
    "org_assignment",
    Column("org_unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
)

# Versioned configuration: ladders, points schemes, quotas (each version is kept; the newest in force wins).
ladder_version = Table(
    "ladder_version",
    metadata,
    Column("series", String(16), nullable=False),
    Column("version", String(32), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("source", Text, nullable=False),
    Column("definition", Text, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("series", "version"),
)

points_scheme = Table(
    "points_scheme",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("version", String(32), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("definition", Text, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("org_unit_id", "version"),
)

quota = Table(
    "quota",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("bucket", String(64), nullable=False),
    Column("rank_codes", Text, nullable=False),
    Column("max_count", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("source", Text, nullable=True),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("org_unit_id", "bucket", "effective_from"),
)

# Projections of other services' events (no foreign keys: an event may name a cadre rank never registered).
appraisal_grade = Table(
    "appraisal_grade",
    metadata,
    Column("assessment_id", String(64), primary_key=True),
    Column("cadre_id", String(36), nullable=False),
    Column("year", Integer, nullable=False),
    Column("grade", String(16), nullable=False),
    Column("finalized_on", Date, nullable=False),
    Column("supplemented", Boolean, nullable=False),
    Column("amended", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_appraisal_grade_cadre_id", "cadre_id", "year"),
)

appraisal_award = Table(
    "appraisal_award",
    metadata,
    Column("award_id", String(64), primary_key=True),
    Column("cadre_id", String(36), nullable=False),
    Column("type", String(32), nullable=False),
    Column("basis", String(64), nullable=True),
    Column("year", Integer, nullable=True),
    Column("granted_on", Date, nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_appraisal_award_cadre_id", "cadre_id"),
)

appraisal_index = Table(
    "appraisal_index",
    metadata,
    Column("cadre_id", String(36), nullable=False),
    Column("period_key", String(16), nullable=False),
    Column("total", Float, nullable=False),
    Column("percentile", Float, nullable=True),
    Column("formula_version", String(32), nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("cadre_id", "period_key"),
)

tolerance_restriction = Table(
    "tolerance_restriction",
    metadata,
    Column("restriction_id", String(64), primary_key=True),
    Column("cadre_id", String(36), nullable=False),
    Column("effect", String(32), nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("discretionary_extension", Boolean, nullable=False),
    Column("reason", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tolerance_restriction_cadre_id", "cadre_id"),
)

tolerance_sanction = Table(
    "tolerance_sanction",
    metadata,
    Column("sanction_id", String(64), primary_key=True),
    Column("cadre_id", String(36), nullable=False),
    Column("system", String(16), nullable=False),
    Column("type", String(32), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("demotes_rank", Boolean, nullable=False),
    Column("demotes_level", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tolerance_sanction_cadre_id", "cadre_id"),
)

tolerance_investigation = Table(
    "tolerance_investigation",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("cadre_id", String(36), nullable=False),
    Column("investigation_id", String(64), nullable=True),
    Column("opened_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("result", String(32), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_tolerance_investigation_cadre_id", "cadre_id"),
)

# 信访 about a cadre (信访工作条例 §30, docs/rules.md §5.11): a flag for selection supervision, never a bar; closed when
# the report closes or the cadre is clarified.
petitions_report = Table(
    "petitions_report",
    metadata,
    Column("report_id", String(64), nullable=False),
    Column("cadre_id", String(36), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("closed_by", String(96), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("report_id", "cadre_id"),
    Index("ix_petitions_report_cadre_id", "cadre_id"),
)

# 澄清正名 (docs/rules.md §5.8): recorded so that the clarified reports are never used against the cadre.
petitions_clarification = Table(
    "petitions_clarification",
    metadata,
    Column("clarification_id", String(64), primary_key=True),
    Column("cadre_id", String(36), nullable=False),
    Column("report_ids", Text, nullable=False),
    Column("executed_on", Date, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_petitions_clarification_cadre_id", "cadre_id"),
)

demotion = Table(
    "demotion",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("cadre_id", String(36), ForeignKey("cadre.id"), nullable=False),
    Column("source", String(128), nullable=False, unique=True),
    Column("reason", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("from_rank", String(16), nullable=True),
    Column("to_rank", String(16), nullable=True),
    Column("from_level", Integer, nullable=True),
    Column("to_level", Integer, nullable=True),
    Column("effective_date", Date, nullable=True),
    Column("dismissal_review", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_demotion_cadre_id", "cadre_id"),
)

promotion_batch = Table(
    "promotion_batch",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_unit_id", String(64), ForeignKey("org_unit.id"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("target_ranks", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("publicity_from", Date, nullable=True),
    Column("publicity_to", Date, nullable=True),
    Column("approved_by", String(128), nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("effective_date", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_promotion_batch_org_unit_id", "org_unit_id", "created_at"),
    Index("ix_promotion_batch_status", "status"),
)

promotion_candidate = Table(
    "promotion_candidate",
    metadata,
    Column("batch_id", String(36), ForeignKey("promotion_batch.id"), nullable=False),
    Column("cadre_id", String(36), ForeignKey("cadre.id"), nullable=False),
    Column("target_rank", String(16), nullable=False),
    Column("bucket", String(128), nullable=False),
    Column("status", String(16), nullable=False),
    Column("points", Float, nullable=False),
    Column("points_breakdown", Text, nullable=False),
    Column("eligibility", Text, nullable=False),
    Column("rank_in_bucket", Integer, nullable=True),
    Column("votes_for", Integer, nullable=True),
    Column("votes_against", Integer, nullable=True),
    Column("votes_abstain", Integer, nullable=True),
    Column("investigation_passed", Boolean, nullable=True),
    Column("investigation_note", Text, nullable=True),
    Column("objection_open", Boolean, nullable=False),
    Column("decision_reason", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("batch_id", "cadre_id"),
    Index("ix_promotion_candidate_cadre_id", "cadre_id", "status"),
)

contract = Table(
    "contract",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("cadre_id", String(36), ForeignKey("cadre.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("tier", String(32), nullable=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("probation_months", Integer, nullable=False),
    Column("probation_ends_on", Date, nullable=True),
    Column("status", String(24), nullable=False),
    Column("filed_on", Date, nullable=True),
    Column("review_due_on", Date, nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("termination_ground", String(32), nullable=True),
    Column("terminated_on", Date, nullable=True),
    Column("renewed_from", String(36), nullable=True),
    Column("status_before_hold", String(24), nullable=True),
    # A past term recorded as a past fact (docs/rank.md, "Recording past contracts and role terms"); None: live.
    Column("source", String(16), nullable=True),
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=True),
    Column("history_key", String(64), nullable=True, unique=True),  # digest of (cadre, kind, starts_on)
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_contract_cadre_id", "cadre_id"),
    Index("ix_contract_status_ends_on", "status", "ends_on"),
)

# Every recording of a past contract or role term, append-only: a correction is a new row naming the one it
# supersedes; the current values are on the contract (its `source` not null).
contract_record = Table(
    "contract_record",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("contract_id", String(36), nullable=False),
    Column("cadre_id", String(36), nullable=False),
    Column("history_key", String(64), nullable=False),
    Column("fact", JSON, nullable=False),
    Column("source", String(16), nullable=False),
    Column("document_no", String(100), nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("supersedes", String(36), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_contract_record_contract_id", "contract_id"),
    Index("ix_contract_record_cadre_id", "cadre_id"),
)

# The precomputed standing of each cadre (eligibility summary, points, development step), recomputed
# incrementally: a change marks the cadre dirty (dirty_gen + 1); the recompute job writes back only if
# dirty_gen is unchanged, so a change during the computation leaves the row dirty for the next round.
cadre_standing = Table(
    "cadre_standing",
    metadata,
    Column("cadre_id", String(36), ForeignKey("cadre.id"), primary_key=True),
    Column("dirty", Boolean, nullable=False),
    Column("dirty_gen", Integer, nullable=False),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("as_of", Date, nullable=True),
    Column("current_rank", String(16), nullable=True),
    Column("target_rank", String(16), nullable=True),
    Column("eligible_on", Date, nullable=True),
    Column("blocked", Boolean, nullable=False),
    Column("reasons", Text, nullable=True),
    Column("points", Float, nullable=True),
    Column("points_breakdown", Text, nullable=True),
    Column("track_stage", String(16), nullable=True),
    Column("track_step", String(24), nullable=True),
    Column("track_reasons", Text, nullable=True),
    Column("valid_until", Date, nullable=True),
    Column("computed_at", UtcDateTime, nullable=True),
    Index("ix_cadre_standing_dirty", "cadre_id", postgresql_where=text("dirty"), sqlite_where=text("dirty")),
    Index("ix_cadre_standing_valid_until", "valid_until"),
    Index("ix_cadre_standing_track_step", "track_step"),
    Index("ix_cadre_standing_eligible_on", "eligible_on"),
)

audit_log = audit_table(metadata)

kernel_tables = KernelTables(
    outbox=outbox_table(metadata),
    inbox=inbox_table(metadata),
    dead_letter=dead_letter_table(metadata),
    watermark=watermark_table(metadata),
    audit=audit_log,
)


# Local copies of other producers' contracts, named <producer>_<noun> (docs/DEVELOPING.md, "Consuming events").
PROJECTIONS: tuple[Table, ...] = (
    appraisal_grade,
    appraisal_award,
    appraisal_index,
    tolerance_restriction,
    tolerance_sanction,
    tolerance_investigation,
    petitions_report,
    petitions_clarification,
)
