"""Inputs of the rank use cases (imperative names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CreateOrgUnit:
    code: str
    name: str
    agency_level: str
    parent_id: str | None


@dataclass(frozen=True)
class RegisterCadre:
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    category: str
    party_member: bool
    education: str | None
