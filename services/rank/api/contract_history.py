"""Request and response models of POST /contracts/history: a past contract or role term recorded as a past fact
(docs/rank.md, "Recording past contracts and role terms"); requests forbid unknown fields."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.requests import RequestModel
from services.rank.api.schemas import GroundLit, KindLit


class PastContractCreate(RequestModel):
    """A past contract or role term with its real dates, how it ended (if it has), and its provenance."""
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "cadre_id": "c-4711", "kind": "APPOINTED_CS", "starts_on": "2020-01-01", "ends_on": "2022-12-31",
        "probation_months": 6, "filed_on": "2020-01-10", "outcome": "RENEW", "decided_on": "2022-11-20",
        "document_no": "人社〔2020〕4号", "source": "PERSONNEL_FILE"}]})

    cadre_id: str = Field(min_length=1, max_length=64)
    kind: KindLit
    starts_on: dt.date
    ends_on: dt.date = Field(description="the last day of the term")
    probation_months: int = Field(default=0, ge=0, le=12)
    tier: str | None = Field(default=None, max_length=32)
    filed_on: dt.date | None = Field(default=None, description="备案; default: starts_on")
    outcome: Literal["PROMOTE", "RENEW", "KEEP", "DEMOTE", "NOT_RENEW", "TERMINATED"] | None = Field(
        default=None, description="how the term ended; required once ends_on has passed")
    decided_on: dt.date | None = Field(default=None, description="the day of the renewal decision or termination")
    termination_ground: GroundLit | None = None
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号")
    source: Literal["IMPORT", "PAPER_RECORD", "PERSONNEL_FILE"]


class PastContractRecorded(BaseModel):
    id: str
    contract_id: str
    status: str
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"]
