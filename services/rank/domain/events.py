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
    rank_code: str | None = None
    level: int | None = None
    post_code: str | None = None
    leadership: bool = False
    relative_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CadreRegistered:
    state: CadreState


@dataclass(frozen=True)
class CadreUpdated:
    state: CadreState


@dataclass(frozen=True)
class RankChanged:
    holding_id: str
    cadre_id: str
    series: str
    from_rank: str | None
    to_rank: str
    basis: str
    effective_date: dt.date
    level: int | None
    source_ref: str | None


@dataclass(frozen=True)
class PostChanged:
    holding_id: str
    cadre_id: str
    from_post: str | None
    to_post: str | None
    post_level: int | None
    basis: str
    effective_date: dt.date
    source_ref: str | None


@dataclass(frozen=True)
class LevelChanged:
    holding_id: str
    cadre_id: str
    from_level: int | None
    to_level: int
    step: int | None
    basis: str
    effective_date: dt.date


@dataclass(frozen=True)
class ContractSigned:
    contract_id: str
    cadre_id: str
    kind: str
    tier: str | None
    starts_on: dt.date
    ends_on: dt.date
    probation_months: int


@dataclass(frozen=True)
class ContractTermEnding:
    contract_id: str
    cadre_id: str
    kind: str
    ends_on: dt.date
    review_due_on: dt.date


@dataclass(frozen=True)
class ContractRenewalDecided:
    contract_id: str
    cadre_id: str
    kind: str
    outcome: str
    decided_on: dt.date
    new_contract_id: str | None
    new_ends_on: dt.date | None


@dataclass(frozen=True)
class ContractTerminated:
    contract_id: str
    cadre_id: str
    kind: str
    ground: str
    terminated_on: dt.date
