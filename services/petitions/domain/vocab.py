"""Codes of the petitions domain (docs/rules.md §2.9): channels, states and kinds; stable values stored and served."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    LETTER = "LETTER"  # 来信
    VISIT = "VISIT"  # 来访
    PHONE_12388 = "PHONE_12388"  # 12388 reporting line
    ONLINE = "ONLINE"  # 12388 platform / public online intake
    TRANSFER_XINFANG = "TRANSFER_XINFANG"  # transferred by the petitions bureau (信访部门, 信访工作条例 §22)
    TRANSFER_UPPER = "TRANSFER_UPPER"  # transferred down by a higher level
    TRANSFER_LOWER = "TRANSFER_LOWER"  # sent up by a lower level
    INSPECTION = "INSPECTION"  # handed over by an inspection (巡视巡察) team


TRANSFER_CHANNELS = frozenset(
    {Channel.TRANSFER_XINFANG, Channel.TRANSFER_UPPER, Channel.TRANSFER_LOWER, Channel.INSPECTION}
)


class Identity(StrEnum):
    REAL_NAME = "REAL_NAME"  # 实名 (规则 §24)
    ANONYMOUS = "ANONYMOUS"  # 匿名 (规则 §29)


class PetitionType(StrEnum):
    ACCUSATION = "ACCUSATION"  # 检举控告 (纪检监察)
    GENERAL = "GENERAL"  # 一般信访 (信访工作条例)


CATEGORIES = ("political", "organisational", "integrity", "mass", "work", "life", "job_crime", "other")


class Jurisdiction(StrEnum):
    OWN = "OWN"
    UPPER = "UPPER"
    LOWER = "LOWER"
    OTHER_BODY = "OTHER_BODY"


class NotAcceptedReason(StrEnum):
    NO_SUBSTANCE = "NO_SUBSTANCE"  # names only a type of violation, without substance
    OUT_OF_SCOPE = "OUT_OF_SCOPE"  # not within 规则 §4
    LEGAL_PROCEDURE = "LEGAL_PROCEDURE"  # litigation, arbitration, administrative ruling or reconsideration


class DisposalMode(StrEnum):
    TALK = "TALK"  # 谈话
    INQUIRY_LETTER = "INQUIRY_LETTER"  # 函询
    PRELIM_VERIFY = "PRELIM_VERIFY"  # 初步核实
    HOLD = "HOLD"  # 暂存待查
    CLOSE = "CLOSE"  # 予以了结
    CASE_OPENED = "CASE_OPENED"  # 立案审查调查


class ReportStatus(StrEnum):
    RECEIVED = "RECEIVED"
    REGISTERED = "REGISTERED"
    ESCALATED = "ESCALATED"
    TRANSFERRED_DOWN = "TRANSFERRED_DOWN"
    RETURNED_OTHER_BODY = "RETURNED_OTHER_BODY"
    ARCHIVED_DUPLICATE = "ARCHIVED_DUPLICATE"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    ACCEPTED = "ACCEPTED"
    IN_DISPOSAL = "IN_DISPOSAL"
    TALKING = "TALKING"
    INQUIRING = "INQUIRING"
    VERIFYING = "VERIFYING"
    ON_HOLD = "ON_HOLD"
    CLOSED_NO_ACTION = "CLOSED_NO_ACTION"
    CASE_OPENED = "CASE_OPENED"
    CLOSED = "CLOSED"
    FEEDBACK_SENT = "FEEDBACK_SENT"
    OBJECTION_RECORDED = "OBJECTION_RECORDED"
    FINAL = "FINAL"


S = ReportStatus
# States in which the report carries an outcome: the only ones org_admin, assessor and auditor may see
# (docs/permissions.md rule 5: an accusation alone counts against nobody).
OUTCOME_STATES = frozenset({S.CLOSED_NO_ACTION, S.CLOSED, S.FEEDBACK_SENT, S.OBJECTION_RECORDED, S.FINAL})
# States that end the report at this body without an outcome.
ENDED_STATES = frozenset({S.RETURNED_OTHER_BODY, S.ARCHIVED_DUPLICATE, S.NOT_ACCEPTED})
HANDLING_STATES = frozenset({S.ACCEPTED, S.IN_DISPOSAL, S.TALKING, S.INQUIRING, S.VERIFYING, S.ON_HOLD, S.CASE_OPENED})
CONCLUDABLE_STATES = frozenset({S.TALKING, S.INQUIRING, S.VERIFYING, S.CASE_OPENED})


class StatementKind(StrEnum):
    INQUIRY_REPLY = "INQUIRY_REPLY"  # reply to a 函询
    STATEMENT_DEFENCE = "STATEMENT_DEFENCE"  # 陈述申辩


class StatementStatus(StrEnum):
    OPEN = "OPEN"
    SUBMITTED = "SUBMITTED"
    ASSESSED = "ASSESSED"
    WAIVED = "WAIVED"
    LAPSED = "LAPSED"  # the window passed unanswered and the report concluded


class DeadlineStatus(StrEnum):
    OPEN = "OPEN"
    PAUSED = "PAUSED"
    MET = "MET"
    CANCELLED = "CANCELLED"


class FalseAccusationStatus(StrEnum):
    OPENED = "OPENED"
    INVESTIGATING = "INVESTIGATING"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    CONFIRMED_FALSE_ACCUSATION = "CONFIRMED_FALSE_ACCUSATION"
    MISTAKEN_REPORT = "MISTAKEN_REPORT"
    DROPPED = "DROPPED"
    REFERRED = "REFERRED"
    CLOSED = "CLOSED"


class Referral(StrEnum):
    PARTY = "PARTY"  # party discipline
    GOV_SANCTION = "GOV_SANCTION"  # 政务处分 (政务处分法 §32(四))
    POLICE = "POLICE"  # public security
    COURT = "COURT"  # judicial organs (crime)
    EDUCATION = "EDUCATION"


class ClarificationStatus(StrEnum):
    PROPOSED = "PROPOSED"
    AWAITING_CONSENT = "AWAITING_CONSENT"
    APPROVED = "APPROVED"
    EXECUTED = "EXECUTED"
    CLOSED = "CLOSED"
    DECLINED = "DECLINED"
    REJECTED = "REJECTED"


class AppealStatus(StrEnum):
    FILED = "FILED"
    REJECTED_TIME_BARRED = "REJECTED_TIME_BARRED"
    REJECTED = "REJECTED"  # not accepted (不予受理) on other grounds
    ACCEPTED = "ACCEPTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    DECIDED = "DECIDED"
    FINAL = "FINAL"  # decided at the last stage
