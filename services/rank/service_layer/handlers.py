"""Rank use cases: `async def verb_noun(cmd, uow, ...)`; each commits its own unit of work."""

from __future__ import annotations

import datetime as dt
import uuid

from kernel.auth import Principal
from kernel.errors import Conflict, Forbidden, NotFound
from services.rank.domain.model import Cadre, OrgUnit
from services.rank.service_layer import commands
from services.rank.service_layer.unit_of_work import RankUnitOfWork


def _within(principal: Principal, unit: OrgUnit) -> bool:
    return principal.unit_id is not None and principal.unit_id in unit.path


async def create_org_unit(cmd: commands.CreateOrgUnit, uow: RankUnitOfWork, *, principal: Principal) -> str:
    """Creates an org unit under a parent in the caller's subtree (the root only once, by its own admin)."""
    async with uow:
        if await uow.org_units.get(cmd.code) is not None:
            raise Conflict(f"org unit {cmd.code} already exists", rule="org_unit.unique")
        parent = None
        if cmd.parent_id is None:
            if await uow.org_units.has_root():
                raise Conflict("the org tree already has a root; give a parent_id", rule="org_unit.single_root")
            if principal.unit_id != cmd.code:
                raise Forbidden("only the root unit's own admin can create the root", rule="org_unit.root_admin")
        else:
            parent = await uow.org_units.get(cmd.parent_id)
            if parent is None or not _within(principal, parent):
                raise NotFound(f"org unit {cmd.parent_id} not found", rule="org_unit.parent")
        unit = OrgUnit.create(code=cmd.code, name=cmd.name, agency_level=cmd.agency_level, parent=parent)
        await uow.org_units.add(unit)
        return await uow.commit(unit.id)


async def register_cadre(cmd: commands.RegisterCadre, uow: RankUnitOfWork, *, principal: Principal,
                         today: dt.date) -> str:
    """Registers a cadre in an org unit of the caller's subtree; refuses an apparent duplicate."""
    async with uow:
        unit = await uow.org_units.get(cmd.org_unit_id)
        if unit is None or not _within(principal, unit):
            raise NotFound(f"org unit {cmd.org_unit_id} not found", rule="cadre.org_unit")
        duplicate = await uow.cadres.find_duplicate(name=cmd.name.strip(), birth_date=cmd.birth_date, gender=cmd.gender)
        if duplicate is not None:
            raise Conflict("a cadre with the same name, gender and birth date is already registered",
                           rule="cadre.duplicate")
        cadre = Cadre.register(cadre_id=str(uuid.uuid4()), name=cmd.name, gender=cmd.gender, birth_date=cmd.birth_date,
                               entry_date=cmd.entry_date, org_unit=unit, category=cmd.category,
                               party_member=cmd.party_member, education=cmd.education, today=today)
        await uow.cadres.add(cadre)
        return await uow.commit(cadre.id)
