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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "kind": "APPOINTED_CS",
                    "starts_on": "2020-01-01",
                    "ends_on": "2022-12-31",
                    "probation_months": 6,
                    "filed_on": "2020-01-10",
                    "outcome": "RENEW",
                    "decided_on": "2022-11-20",
                    "document_no": "人社〔2020〕4号",
                    "source": "PERSONNEL_FILE",
                }
            ]
        }
    )

    cadre_id: str = Field(min_length=1, max_length=64, description="id of the cadre (干部) who held the term")
    kind: KindLit = Field(
        description="kind of the term: APPOINTED_CS (聘任制公务员), ROLE_TERM (任期制) or GOV_EMPLOYEE"
    )
    starts_on: dt.date = Field(description="the first day of the term (开始日期); not in the future")
    ends_on: dt.date = Field(description="the last day of the term")
    probation_months: int = Field(default=0, ge=0, le=12, description="probation period in months (试用期); 0: none")
    tier: str | None = Field(
        default=None, max_length=32, description="contract tier (government employees); null: none"
    )
    filed_on: dt.date | None = Field(default=None, description="备案; default: starts_on")
    outcome: Literal["PROMOTE", "RENEW", "KEEP", "DEMOTE", "NOT_RENEW", "TERMINATED"] | None = Field(
        default=None, description="how the term ended; required once ends_on has passed"
    )
    decided_on: dt.date | None = Field(default=None, description="the day of the renewal decision or termination")
    termination_ground: GroundLit | None = Field(
        default=None, description="the ground of termination (解除事由); required when outcome is TERMINATED, else null"
    )
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号")
    source: Literal["IMPORT", "PAPER_RECORD", "PERSONNEL_FILE"] = Field(
        description="where the fact comes from: IMPORT, PAPER_RECORD or PERSONNEL_FILE (人事档案)"
    )


class PastContractRecorded(BaseModel):
    id: str = Field(description="id of this version of the recorded fact (the same one when UNCHANGED)")
    contract_id: str = Field(description="id of the contract the term is (GET /contracts)")
    status: str = Field(description="status of the contract today, by its real dates (e.g. ACTIVE, RENEWED)")
    outcome: Literal["RECORDED", "CORRECTED", "UNCHANGED"] = Field(
        description="what the recording did: RECORDED (new), CORRECTED (other values) or UNCHANGED (same values)"
    )
