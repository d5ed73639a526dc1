"""Request and response models of the routes recording past awards, talks and performance records as past facts
(docs/appraisal.md, "Recording past ..."); requests forbid unknown fields."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.requests import RequestModel

Source = Literal["IMPORT", "PAPER_RECORD", "PERSONNEL_FILE"]
Outcome = Literal["RECORDED", "CORRECTED", "UNCHANGED"]
CadreId = Field(min_length=1, max_length=64, description="id of the cadre (干部) concerned")


class PastAwardCreate(RequestModel):
    """A past award (and its revocation, if it was revoked) with its real dates and provenance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "type": "MERIT_3",
                    "basis": "THREE_YEARS_EXCELLENT",
                    "year": 2025,
                    "granted_on": "2026-12-28",
                    "document_no": "财党〔2027〕3号",
                    "source": "PAPER_RECORD",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    type: Literal["COMMENDATION", "MERIT_3", "MERIT_2", "MERIT_1", "TITLE", "POLITICAL_HONOUR", "NOTICE_OF_PRAISE"] = (
        Field(description="type of the past award")
    )
    basis: Literal["ANNUAL_EXCELLENT", "THREE_YEARS_EXCELLENT", "DEED"] = Field(
        default="DEED", description="the legal basis of the past award (依据), e.g. PROMOTION or INITIAL"
    )
    year: int | None = Field(default=None, ge=1900, le=2100, description="the year it is for (a grade's year)")
    granted_on: dt.date = Field(description="date the award was granted (授予日期)")
    document_no: str = Field(min_length=1, max_length=100, description="文号 of the decision")
    source: Source = Field(description="source of the past award")
    revoked_on: dt.date | None = Field(default=None, description="the real date of its revocation, if revoked")
    revoke_reason: str | None = Field(
        default=None, min_length=1, max_length=200, description="why the award was revoked"
    )


class PastAwardRecorded(BaseModel):
    id: str = Field(description="id of the past award")
    award_id: str = Field(description="id of the recorded award (奖励)")
    outcome: Outcome = Field(description="outcome of the past award (结果)")


class PastTalkCreate(RequestModel):
    """A talk held in the past (never a scheduled one), with its real date and provenance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "type": "REMINDER",
                    "held_on": "2026-04-08",
                    "reason": "年度提醒谈话",
                    "notes": "谈话对象表示接受",
                    "document_no": "财党〔2026〕7号",
                    "source": "PAPER_RECORD",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    type: Literal["HEART_TO_HEART", "REMINDER", "ORG_INTERVIEW", "INQUIRY_LETTER", "ADMONISHMENT"] = Field(
        description="type of the past talk"
    )
    held_on: dt.date = Field(description="date the talk was held (谈话日期)")
    reason: str | None = Field(default=None, min_length=1, max_length=200, description="why it was held")
    notes: str | None = Field(default=None, min_length=1, max_length=500, description="what was said or decided")
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号 or minutes' ref")
    source: Source = Field(description="source of the past talk")


class PastTalkRecorded(BaseModel):
    id: str = Field(description="id of the past talk")
    talk_id: str = Field(description="id of the talk")
    outcome: Outcome = Field(description="outcome of the past talk (结果)")


class PastRecordCreate(RequestModel):
    """A performance record verified in the past, with its real dates and provenance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "occurred_on": "2026-06-18",
                    "category": "KEY_TASK",
                    "title": "全市预算一体化系统上线",
                    "verified_on": "2026-07-10",
                    "description": "牵头完成系统建设与数据迁移，按期上线",
                    "quantity": 1,
                    "unit": "项",
                    "document_no": "财党〔2026〕15号",
                    "source": "PAPER_RECORD",
                }
            ]
        }
    )

    cadre_id: str = CadreId
    occurred_on: dt.date = Field(description="date the record occurred (发生日期)")
    category: Literal["KEY_TASK", "URGENT_HARD", "REFORM_INNOVATION", "DAILY_DUTY", "PUBLIC_EVALUATION"] = Field(
        description="category of the record (类别)"
    )
    title: str = Field(min_length=1, max_length=200, description="title of the record")
    verified_on: dt.date = Field(description="date the record was verified (核实日期)")
    description: str | None = Field(default=None, max_length=5000, description="description of the record (说明)")
    quantity: float | None = Field(default=None, ge=0, le=1_000_000, description="quantity recorded (数量)")
    unit: str | None = Field(default=None, max_length=32, description="unit of the quantity (单位)")
    document_no: str | None = Field(default=None, min_length=1, max_length=100, description="文号")
    source: Source = Field(description="source of the record")


class PastRecordRecorded(BaseModel):
    id: str = Field(description="id of the past record")
    performance_record_id: str = Field(description="id of the performance record")
    outcome: Outcome = Field(description="outcome of the past record (结果)")
