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
