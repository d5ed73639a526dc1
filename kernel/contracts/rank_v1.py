"""Public events of the rank service, major version 1 (the cadre register is the master record)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from kernel.contracts.base import Contract
from kernel.contracts.vocabulary import (
    AgencyLevel,
    CadreCategory,
    ChangeBasis,
    ContractKind,
    ContractOutcome,
    Gender,
    RankSeries,
)
from kernel.subjects import EventName

P = "rank"


class OrgUnitChanged(Contract):
    """An org unit was created, renamed, moved or closed; carries its full ancestry for scoping."""

    event_name: ClassVar = EventName(P, "org_unit_changed")
    subject_template: ClassVar = "org-unit/{org_unit_id}"
    summary: ClassVar = "Org unit created or changed (full state, ancestors from the root included)"

    org_unit_id: str
    parent_id: str | None
    name: str
    agency_level: AgencyLevel
    path: list[str]  # ids from the root down to this unit, inclusive
    active: bool = True


class CadreSnapshot(Contract):
    """The register entry of a cadre as other services may keep it (no ID-card number, no contact data)."""

    subject_template: ClassVar = "cadre/{cadre_id}"

    cadre_id: str
    name: str
    gender: Gender
    birth_date: dt.date
    org_unit_id: str
    org_path: list[str]
    category: CadreCategory
    party_member: bool
    entry_date: dt.date
    education: str | None = None
    rank_code: str | None = None
    level: int | None = None
    post_code: str | None = None
    leadership: bool = False
    relative_ids: list[str] = []
    active: bool = True


class CadreRegistered(CadreSnapshot):
    event_name: ClassVar = EventName(P, "cadre_registered")
    summary: ClassVar = (
        "A cadre entered the register (full snapshot; registered by `POST /cadres/batch` with a rank or post, "
        "the snapshot already holds them and no `cadre_updated` follows)"
    )


class CadreUpdated(CadreSnapshot):
    event_name: ClassVar = EventName(P, "cadre_updated")
    summary: ClassVar = "A cadre's register entry changed (full snapshot, supersedes earlier ones)"


class RankChanged(Contract):
    event_name: ClassVar = EventName(P, "rank_changed")
    subject_template: ClassVar = "rank-holding/{holding_id}"
    summary: ClassVar = "A cadre's rank (职级) holding changed: promotion, demotion, restoration"

    holding_id: str
    cadre_id: str
    series: RankSeries
    from_rank: str | None
    to_rank: str
    basis: ChangeBasis
    effective_date: dt.date
    level: int | None = None
    source_ref: str | None = None


class PostChanged(Contract):
    event_name: ClassVar = EventName(P, "post_changed")
    subject_template: ClassVar = "post-holding/{holding_id}"
    summary: ClassVar = "A cadre's leadership post changed"

    holding_id: str
    cadre_id: str
    from_post: str | None
    to_post: str | None
    post_level: int | None  # comparable order of the post (higher is more senior)
    basis: ChangeBasis
    effective_date: dt.date
    source_ref: str | None = None


class LevelChanged(Contract):
    event_name: ClassVar = EventName(P, "level_changed")
    subject_template: ClassVar = "level-holding/{holding_id}"
    summary: ClassVar = "A cadre's level (级别) or salary step changed"

    holding_id: str
    cadre_id: str
    from_level: int | None
    to_level: int
    step: int | None = None
    basis: ChangeBasis
    effective_date: dt.date


class ContractSigned(Contract):
    event_name: ClassVar = EventName(P, "contract_signed")
    subject_template: ClassVar = "contract/{contract_id}"
    summary: ClassVar = "An appointment contract, role term or government-employee contract was signed"

    contract_id: str
    cadre_id: str
    kind: ContractKind
    tier: str | None = None
    starts_on: dt.date
    ends_on: dt.date
    probation_months: int = 0


class ContractTermEnding(Contract):
    event_name: ClassVar = EventName(P, "contract_term_ending")
    subject_template: ClassVar = "contract/{contract_id}"
    summary: ClassVar = "A contract term ends soon; its renewal review is open"

    contract_id: str
    cadre_id: str
    kind: ContractKind
    ends_on: dt.date
    review_due_on: dt.date


class ContractRenewalDecided(Contract):
    event_name: ClassVar = EventName(P, "contract_renewal_decided")
    subject_template: ClassVar = "contract/{contract_id}"
    summary: ClassVar = "The renewal review of a contract decided: renew, up, keep, down or not renewed"

    contract_id: str
    cadre_id: str
    kind: ContractKind
    outcome: ContractOutcome
    decided_on: dt.date
    new_contract_id: str | None = None
    new_ends_on: dt.date | None = None


class ContractTerminated(Contract):
    event_name: ClassVar = EventName(P, "contract_terminated")
    subject_template: ClassVar = "contract/{contract_id}"
    summary: ClassVar = "A contract was terminated (e.g. annual 不称职 of an appointed civil servant)"

    contract_id: str
    cadre_id: str
    kind: ContractKind
    ground: str
    terminated_on: dt.date


EXAMPLES: list[Contract] = [
    OrgUnitChanged(
        org_unit_id="u-city",
        parent_id=None,
        name="Example City",
        agency_level=AgencyLevel.CITY_LEADERSHIP,
        path=["u-city"],
    ),
    CadreRegistered(
        cadre_id="c-4711",
        name="Zhang San",
        gender=Gender.MALE,
        birth_date=dt.date(1985, 3, 2),
        org_unit_id="u-finance",
        org_path=["u-city", "u-finance"],
        category=CadreCategory.COMPREHENSIVE,
        party_member=True,
        entry_date=dt.date(2008, 7, 1),
        education="BACHELOR",
        rank_code="C09",
        level=20,
    ),
    CadreUpdated(
        cadre_id="c-4711",
        name="Zhang San",
        gender=Gender.MALE,
        birth_date=dt.date(1985, 3, 2),
        org_unit_id="u-finance-div1",
        org_path=["u-city", "u-finance", "u-finance-div1"],
        category=CadreCategory.COMPREHENSIVE,
        party_member=True,
        entry_date=dt.date(2008, 7, 1),
        education="MASTER",
        rank_code="C08",
        level=19,
    ),
    RankChanged(
        holding_id="rh-1",
        cadre_id="c-4711",
        series=RankSeries.COMPREHENSIVE,
        from_rank="C09",
        to_rank="C08",
        basis=ChangeBasis.PROMOTION,
        effective_date=dt.date(2026, 11, 1),
        level=19,
        source_ref="batch/pb-7",
    ),
    PostChanged(
        holding_id="ph-1",
        cadre_id="c-4711",
        from_post=None,
        to_post="TOWNSHIP_DEPUTY",
        post_level=1,
        basis=ChangeBasis.PROMOTION,
        effective_date=dt.date(2026, 11, 1),
    ),
    LevelChanged(
        holding_id="lh-1",
        cadre_id="c-4711",
        from_level=20,
        to_level=19,
        step=3,
        basis=ChangeBasis.PROMOTION,
        effective_date=dt.date(2026, 11, 1),
    ),
    ContractSigned(
        contract_id="k-1",
        cadre_id="c-5000",
        kind=ContractKind.APPOINTED_CS,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2028, 12, 31),
        probation_months=6,
    ),
    ContractTermEnding(
        contract_id="k-1",
        cadre_id="c-5000",
        kind=ContractKind.APPOINTED_CS,
        ends_on=dt.date(2028, 12, 31),
        review_due_on=dt.date(2028, 11, 1),
    ),
    ContractRenewalDecided(
        contract_id="k-1",
        cadre_id="c-5000",
        kind=ContractKind.APPOINTED_CS,
        outcome=ContractOutcome.RENEW,
        decided_on=dt.date(2028, 11, 20),
        new_contract_id="k-2",
        new_ends_on=dt.date(2031, 12, 31),
    ),
    ContractTerminated(
        contract_id="k-1",
        cadre_id="c-5000",
        kind=ContractKind.APPOINTED_CS,
        ground="ANNUAL_INCOMPETENT",
        terminated_on=dt.date(2027, 2, 1),
    ),
]
