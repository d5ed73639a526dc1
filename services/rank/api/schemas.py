"""Request and response models of the rank API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AgencyLevelLit = Literal["CITY_LEADERSHIP", "MUNICIPAL_AGENCY", "COUNTY_LEADERSHIP", "COUNTY_AGENCY", "TOWNSHIP", "DIVISION"]
CategoryLit = Literal["COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT", "APPOINTED", "GOV_EMPLOYEE"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrgUnitCreate(Request):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="the unit's code, also its id")
    name: str = Field(min_length=1, max_length=200)
    agency_level: AgencyLevelLit
    parent_id: str | None = Field(default=None, max_length=64)


class OrgUnitRead(BaseModel):
    id: str
    name: str
    parent_id: str | None
    agency_level: str
    path: list[str]
    active: bool


class OrgUnitPage(BaseModel):
    items: list[OrgUnitRead]
    next_cursor: str | None


class CadreCreate(Request):
    name: str = Field(min_length=1, max_length=100)
    gender: Literal["MALE", "FEMALE"]
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str = Field(min_length=1, max_length=64)
    category: CategoryLit = "COMPREHENSIVE"
    party_member: bool = False
    education: Literal["HIGH_SCHOOL", "JUNIOR_COLLEGE", "BACHELOR", "MASTER", "DOCTORATE"] | None = None


class Created(BaseModel):
    id: str


class CadreRead(BaseModel):
    id: str
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    category: str
    party_member: bool
    education: str | None
    active: bool
    version: int


class CadrePage(BaseModel):
    items: list[CadreRead]
    next_cursor: str | None
