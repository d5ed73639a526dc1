"""Request and response models of the routes recording past awards, talks and performance records as past facts
(docs/appraisal.md, "Recording past ..."); requests forbid unknown fields."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from kernel.requests import RequestModel

Source = Literal["IMPORT", "PAPER_RECORD", "PERSONNEL_FILE"]
Outcome = Literal["RECORDED", "CORRECTED", "UNCHANGED"]
Id = Field(min_length=1, max_length=64)


class PastAwardCreate(RequestModel):
    """A past award (and its revocation, if it was revoked) with its real dates and provenance."""

    cadre_id: str = Id
    type: Literal["COMMENDATION", "MERIT_3", "MERIT_2", "MERIT_1", "TITLE", "POLITICAL_HONOUR", "NOTICE_OF_PRAISE"]
    basis: Literal["ANNUAL_EXCELLENT", "THREE_YEARS_EXCELLENT", "DEED"] = "DEED"
    year: int | None = Field(default=None, ge=1900, le=2100, description="the year it is for (a grade's year)")
    granted_on: dt.date
    document_no: str = Field(min_length=1, max_length=100, description="文号 of the decision")
    source: Source
    revoked_on: dt.date | None = Field(default=None, description="the real date of its revocation, if revoked")
    revoke_reason: str | None = Field(default=None, min_length=1, max_length=200)


class PastAwardRecorded(BaseModel):
    id: str
    award_id: str
    outcome: Outcome


class PastTalkCreate(RequestModel):
    """A talk held in the past (never a scheduled one), with its real date and provenance."""

    cadre_id: str = Id
    type: Literal["HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW", "INQUIRY_LETTER", "ADMONISHMENT"]
    held_on: dt.date
    reason: str | None = Field(default=None, min_length=1, max_length=200, description="why it was held")
    notes: str | None = Field(default=None, min_length=1, max_length=500, description="what was said or decided")
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号 or minutes' ref")
    source: Source


class PastTalkRecorded(BaseModel):
    id: str
    talk_id: str
    outcome: Outcome


class PastRecordCreate(RequestModel):
    """A performance record verified in the past, with its real dates and provenance."""

    cadre_id: str = Id
    occurred_on: dt.date
    category: Literal["KEY_TASK", "URGENT_HARD", "REFORM_INNOVATION", "DAILY_DUTY", "PUBLIC_EVALUATION"]
    title: str = Field(min_length=1, max_length=200)
    verified_on: dt.date
    description: str | None = Field(default=None, max_length=5000)
    quantity: float | None = Field(default=None, ge=0, le=1_000_000)
    unit: str | None = Field(default=None, max_length=32)
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号")
    source: Source


class PastRecordRecorded(BaseModel):
    id: str
    performance_record_id: str
    outcome: Outcome
