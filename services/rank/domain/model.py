"""Rank aggregates: the org tree and the cadre register (pure: no I/O, no framework)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from kernel.calendar import add_months
from kernel.errors import Conflict, RuleViolation
from services.rank.domain import events

ORG_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
AGENCY_LEVELS = ("CITY_LEADERSHIP", "MUNICIPAL_AGENCY", "COUNTY_LEADERSHIP", "COUNTY_AGENCY", "TOWNSHIP", "DIVISION")
GENDERS = ("MALE", "FEMALE")
CATEGORIES = ("COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT", "APPOINTED", "GOV_EMPLOYEE")
MIN_ENTRY_AGE = 16  # 劳动法 §15: no employment under 16


@dataclass
class OrgUnit:
    """A unit of the org tree (city → bureau → division); its path lists the ids from the root down."""

    id: str
    name: str
    parent_id: str | None
    agency_level: str
    path: list[str]
    active: bool = True
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def create(cls, *, code: str, name: str, agency_level: str, parent: OrgUnit | None) -> OrgUnit:
        """Creates a unit under `parent` (or the root when parent is None)."""
        if not ORG_CODE.match(code):
            raise RuleViolation("org unit code must be 1-64 of a-z, 0-9 and '-'", rule="org_unit.code")
        if agency_level not in AGENCY_LEVELS:
            raise RuleViolation(f"unknown agency level {agency_level}", rule="org_unit.agency_level")
        if parent is not None and not parent.active:
            raise Conflict("the parent unit is closed", rule="org_unit.parent_active")
        if parent is not None and len(parent.path) >= 8:
            raise RuleViolation("the org tree is at most 8 levels deep", rule="org_unit.depth")
        unit = cls(id=code, name=name.strip(), parent_id=parent.id if parent else None, agency_level=agency_level,
                   path=[*(parent.path if parent else []), code])
        unit._saved()
        return unit

    def _saved(self) -> None:
        self.events.append(events.OrgUnitSaved(self.id, self.parent_id, self.name, self.agency_level, tuple(self.path),
                                               self.active))


@dataclass
class Cadre:
    """A cadre's register entry (rank owns the master record)."""

    id: str
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    category: str
    party_member: bool
    education: str | None = None
    active: bool = True
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(cls, *, cadre_id: str, name: str, gender: str, birth_date: dt.date, entry_date: dt.date,
                 org_unit: OrgUnit, category: str, party_member: bool, education: str | None,
                 today: dt.date) -> Cadre:
        """Registers a cadre in an org unit, checking the dates against each other and today."""
        if gender not in GENDERS:
            raise RuleViolation(f"gender must be one of {', '.join(GENDERS)}", rule="cadre.gender")
        if category not in CATEGORIES:
            raise RuleViolation(f"unknown category {category}", rule="cadre.category")
        if birth_date >= today:
            raise RuleViolation("birth_date must be in the past", rule="cadre.birth_date")
        if entry_date > today:
            raise RuleViolation("entry_date cannot be in the future", rule="cadre.entry_date")
        if entry_date < add_months(birth_date, 12 * MIN_ENTRY_AGE):
            raise RuleViolation(f"entry_date must be at least {MIN_ENTRY_AGE} years after birth_date",
                                rule="cadre.entry_age", source="劳动法 §15")
        if not org_unit.active:
            raise Conflict("the org unit is closed", rule="cadre.org_unit_active")
        cadre = cls(id=cadre_id, name=name.strip(), gender=gender, birth_date=birth_date, entry_date=entry_date,
                    org_unit_id=org_unit.id, category=category, party_member=party_member, education=education)
        cadre.events.append(events.CadreRegistered(cadre.state(org_unit.path)))
        return cadre

    def state(self, org_path: list[str]) -> events.CadreState:
        """Returns the register state as other services see it."""
        return events.CadreState(self.id, self.name, self.gender, self.birth_date, self.entry_date, self.org_unit_id,
                                 tuple(org_path), self.category, self.party_member, self.education, self.active)
