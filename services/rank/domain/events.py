"""Internal domain events of the rank service (past tense, no version; mapped to contracts in publishing.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class OrgUnitSaved:
    org_unit_id: str
    parent_id: str | None
    name: str
    agency_level: str
    path: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class CadreState:
    """What the register says about a cadre at one moment (what other services may know)."""

    cadre_id: str
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    org_path: tuple[str, ...]
    category: str
    party_member: bool
    education: str | None
    active: bool


@dataclass(frozen=True)
class CadreRegistered:
    state: CadreState


@dataclass(frozen=True)
class CadreUpdated:
    state: CadreState
