"""Register use cases: org units, cadres, relations, holdings, demotions. Each commits its own unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.access import cadre_not_found, within
from kernel.auth import Principal
from kernel.errors import (
    ConcurrencyError,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PermanentEventError,
    RuleViolation,
    item_problem,
)
from kernel.ids import new_id
from kernel.schemas import state_of
from services.rank.adapters import identity
from services.rank.adapters.access import access_of
from services.rank.adapters.sql import path_str
from services.rank.domain import events
from services.rank.domain.ladder import Ladder
from services.rank.domain.model import RELATIONS, Cadre, OrgUnit, PostHolding, RankHolding
from services.rank.domain.rules.ladders import CATEGORY_SERIES
from services.rank.service_layer import commands
from services.rank.service_layer.publishing import to_contracts
from services.rank.service_layer.unit_of_work import RankUnitOfWork
from services.rank.service_layer.withdrawals import withdraw_candidacies


def _within(principal: Principal, unit: OrgUnit) -> bool:
    return within(principal, unit.path)


in_scope = within  # the suite's subtree rule on an id path (kernel.access)


async def load_cadre(uow: RankUnitOfWork, principal: Principal, cadre_id: str) -> Cadre:
    """Loads a cadre the caller may act on (kernel.access, sensitive: their subtree, never themself or a
    relative), or answers the uniform 404."""
    cadre = await uow.cadres.get(cadre_id)
    if cadre is None:
        raise cadre_not_found()
    access = await access_of(uow.conn, principal)
    if not access.sees(cadre.id, path_str(cadre.org_path), sensitive=True):
        raise cadre_not_found()
    return cadre


async def known_cadre(uow: RankUnitOfWork, cadre_id: str, what: str) -> Cadre:
    """Loads a cadre another service's event names; one unknown to the register can never apply (dead-lettered)."""
    cadre = await uow.cadres.get(cadre_id)
    if cadre is None:
        raise PermanentEventError(f"{what} names cadre {cadre_id}, unknown to the register")
    return cadre


async def ladder_of(uow: RankUnitOfWork, cadre: Cadre, day: dt.date) -> Ladder | None:
    """Returns the ladder of the cadre's series in force on `day` (None for a category without ranks)."""
    series = CATEGORY_SERIES.get(cadre.category)
    return (await uow.ladders(day))[series] if series else None


async def create_org_unit(cmd: commands.CreateOrgUnit, uow: RankUnitOfWork, *, principal: Principal) -> str:
    """Creates an org unit under a parent in the caller's subtree (the root only once, by its own admin)."""
    async with uow:
        if await uow.org_units.get(cmd.code) is not None:
            raise Conflict("an org unit with this code already exists", rule="org_unit.unique", field="code")
        parent = None
        if cmd.parent_id is None:
            if await uow.org_units.has_root():
                raise Conflict("the org tree already has a root; give a parent_id", rule="org_unit.single_root")
            if principal.unit_id != cmd.code:
                raise Forbidden("only the root unit's own admin can create the root", rule="org_unit.root_admin")
        else:
            parent = await uow.org_units.get(cmd.parent_id)
            if parent is None or not _within(principal, parent):
                raise NotFound("org unit not found", field="parent_id", rule="org_unit.parent")
        unit = OrgUnit.create(code=cmd.code, name=cmd.name, agency_level=cmd.agency_level, parent=parent)
        await uow.org_units.add(unit)
        return await uow.commit(unit.id)


async def change_org_unit(cmd: commands.ChangeOrgUnit, uow: RankUnitOfWork, *, principal: Principal) -> dict:
    """Renames, re-levels, moves or closes a unit; every descendant is re-announced (consumers keep paths)."""
    async with uow:
        unit = await uow.org_units.get(cmd.unit_id)
        if unit is None or not _within(principal, unit):
            raise NotFound("org unit not found", field="unit_id", rule="org_unit.exists")
        if unit.version != cmd.version:
            raise ConcurrencyError(
                "the org unit was changed by someone else; reload and retry", rule="org_unit.version"
            )
        old_path = list(unit.path)
        old_level = unit.agency_level
        unit.change(name=cmd.name, agency_level=cmd.agency_level)
        moved = False
        if cmd.parent_id is not None and cmd.parent_id != unit.parent_id:
            if unit.id == principal.unit_id:
                raise Forbidden("an admin cannot move their own unit; ask the level above", rule="org_unit.move_own")
            parent = await uow.org_units.get(cmd.parent_id)
            if parent is None or not _within(principal, parent):
                raise NotFound("org unit not found", field="parent_id", rule="org_unit.parent")
            unit.move_under(parent, subtree_depth=await uow.org_units.subtree_depth(unit))
            moved = True
        if cmd.active is False and unit.active:
            unit.close(
                active_children=await uow.org_units.count_open_children(unit.id),
                active_cadres=await uow.org_units.count_active_cadres(unit.id),
            )
        elif cmd.active is True and not unit.active:
            raise Conflict("a closed unit is not reopened; create a new one", rule="org_unit.closed")
        if not unit.events:
            return await uow.commit({"id": unit.id, "version": unit.version})
        descendants = await uow.org_units.descendants(old_path) if unit.active or moved else []
        await uow.org_units.save(unit)
        for child in descendants:
            child.rebase(old_path, unit.path) if moved else child.touch()
            await uow.org_units.save(child, check_version=False)
        if moved:
            ids = await uow.cadres.ids_in_subtree(unit.path)
            for start in range(0, len(ids), 500):
                for state in await uow.cadres.states(ids[start : start + 500]):
                    uow.emit(*to_contracts(events.CadreUpdated(state)))
        if moved or old_level != unit.agency_level:
            await uow.mark_dirty_subtree(unit.path)
        return await uow.commit({"id": unit.id, "version": unit.version})


async def register_cadre(
    cmd: commands.RegisterCadre, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Registers a cadre in an org unit of the caller's subtree; refuses an apparent duplicate."""
    async with uow:
        cadre = await _register_cadre(cmd, uow, principal=principal, today=today, with_events=True)
        return await uow.commit(cadre.id)


async def register_cadres(
    items: list[commands.RegisterCadreWithHoldings], uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> list[dict]:
    """Registers many cadres in one transaction, each with the rank and post it holds from a date: each exactly as
    POST /cadres and POST /cadres/{id}/rank-holdings, /post-holdings do (same rules; the same events, except that
    the registration is announced once with the holdings, `Cadre.announce_once`), each in its own savepoint, so that
    a refused item (its problem at its index) leaves the others registered."""
    answers: list[dict] = []
    ladders: dict[dt.date, dict[str, Ladder]] = {}  # by date, read once per batch
    units: dict[str, OrgUnit | None] = {}  # by id, read once per batch (the transaction sees no other change)
    async with uow:
        for index, item in enumerate(items):
            try:
                async with uow.conn.begin_nested():
                    cadre = await _register_cadre(item.cadre, uow, principal=principal, today=today, units=units)
                    # The new cadre is in the caller's subtree (checked above) and is neither the caller nor a
                    # relative, so its holdings are added to the aggregate in hand (no reload, no second access
                    # check); its standing row is dirty from its insert.
                    if item.rank is not None:
                        if item.rank.since not in ladders:
                            ladders[item.rank.since] = await uow.ladders(item.rank.since)
                        _take_rank(cadre, item.rank, ladders[item.rank.since], today=today)
                    if item.post is not None:
                        _take_post(cadre, item.post, today=today)
                    if item.rank is not None or item.post is not None:
                        cadre.announce_once()
                        await uow.cadres.save(cadre)
                    await uow.flush_events()  # inside the savepoint: a refused item leaves no event behind
                answers.append({"index": index, "id": cadre.id, "outcome": "REGISTERED"})
            except DomainError as error:
                uow.discard_events()
                answers.append({"index": index, "problem": item_problem(error)})
        return await uow.commit(answers)


async def _register_cadre(
    cmd: commands.RegisterCadre,
    uow: RankUnitOfWork,
    *,
    principal: Principal,
    today: dt.date,
    units: dict[str, OrgUnit | None] | None = None,
    with_events: bool = False,
) -> Cadre:
    """Checks and adds a new cadre. `with_events`: the caller commits next, without reading the cadre's rows, so
    they go in with the commit's events (`CadreRepository.add`)."""
    unit, duplicate = await _unit_and_duplicate(uow, cmd, units)
    if unit is None or not _within(principal, unit):
        raise NotFound("org unit not found", field="org_unit_id", rule="cadre.org_unit")
    if duplicate is not None:
        raise Conflict(
            "a cadre with the same name, gender and birth date is already registered", rule="cadre.duplicate"
        )
    id_hash = await _free_id_number(uow, cmd.id_number, None) if cmd.id_number else None
    cadre = Cadre.register(
        cadre_id=new_id(),
        name=cmd.name,
        gender=cmd.gender,
        birth_date=cmd.birth_date,
        entry_date=cmd.entry_date,
        org_unit=unit,
        category=cmd.category,
        party_member=cmd.party_member,
        education=cmd.education,
        today=today,
        id_number_hash=id_hash,
    )
    await uow.cadres.add(cadre, with_events=with_events)
    return cadre


async def _unit_and_duplicate(
    uow: RankUnitOfWork, cmd: commands.RegisterCadre, units: dict[str, OrgUnit | None] | None
) -> tuple[OrgUnit | None, str | None]:
    """A registration's org unit and an active cadre with the same name, gender and birth date: in one query when
    the unit is read (once per batch when the batch keeps them in `units`)."""
    person = {"name": cmd.name.strip(), "birth_date": cmd.birth_date, "gender": cmd.gender}
    if units is None or cmd.org_unit_id not in units:
        unit, duplicate = await uow.org_units.get_with_duplicate(cmd.org_unit_id, **person)
        if units is not None:
            units[cmd.org_unit_id] = unit
        return unit, duplicate
    unit = units[cmd.org_unit_id]
    return unit, await uow.cadres.find_duplicate(**person) if unit is not None else None


async def _free_id_number(uow: RankUnitOfWork, id_number: str, cadre_id: str | None) -> str:
    """Checks an ID number and that no other cadre holds it; returns its keyed hash."""
    id_hash = identity.id_number_hash(id_number)
    holder = await uow.cadres.holder_of_id_number(id_hash)
    if holder is not None and holder != cadre_id:
        # Said without naming the holder, who may be outside the caller's subtree.
        raise Conflict(
            "this ID number is already registered for another cadre", rule="cadre.id_number_taken", field="id_number"
        )
    return id_hash


async def update_cadre(cmd: commands.UpdateCadre, uow: RankUnitOfWork, *, principal: Principal, today: dt.date) -> int:
    """Changes a cadre's register entry (optionally moving them to another unit); returns the new version."""
    async with uow:
        cadre = await load_cadre(uow, principal, cmd.cadre_id)
        if cadre.version != cmd.version:
            raise ConcurrencyError("the cadre was changed by someone else; reload and retry", rule="cadre.version")
        new_unit = None
        if cmd.org_unit_id is not None and cmd.org_unit_id != cadre.org_unit_id:
            new_unit = await uow.org_units.get(cmd.org_unit_id)
            if new_unit is None or not _within(principal, new_unit):
                raise NotFound("org unit not found", field="org_unit_id", rule="cadre.org_unit")
        elif cmd.moved_on is not None:
            raise RuleViolation("moved_on is given only with a new org_unit_id", rule="cadre.moved_on")
        if "name" in cmd.changes or "birth_date" in cmd.changes or "gender" in cmd.changes:
            duplicate = await uow.cadres.find_duplicate(
                name=cmd.changes.get("name", cadre.name).strip(),
                birth_date=cmd.changes.get("birth_date", cadre.birth_date),
                gender=cmd.changes.get("gender", cadre.gender),
            )
            if duplicate is not None and duplicate != cadre.id:
                raise Conflict(
                    "another cadre with the same name, gender and birth date is registered", rule="cadre.duplicate"
                )
        changes = dict(cmd.changes)
        if changes.get("id_number"):
            changes["id_number_hash"] = await _free_id_number(uow, changes.pop("id_number"), cadre.id)
        changes.pop("id_number", None)
        cadre.update(today=today, new_unit=new_unit, moved_on=cmd.moved_on, **changes)
        await uow.cadres.save(cadre)
        await uow.mark_dirty([cadre.id])
        return await uow.commit(cadre.version)


async def set_relatives(cmd: commands.SetRelatives, uow: RankUnitOfWork, *, principal: Principal) -> list[str]:
    """Replaces a cadre's relatives and mirrors each relation on the relative's entry."""
    async with uow:
        cadre = await load_cadre(uow, principal, cmd.cadre_id)
        involved = sorted(set(cmd.relatives) | set(cadre.relatives))
        others = await uow.cadres.get_many([i for i in involved if i != cadre.id])
        for relative_id in involved:
            if relative_id == cadre.id:
                continue
            other = others.get(relative_id)
            if other is None or not in_scope(principal, other.org_path):
                raise NotFound("cadre not found", field="relative_id", rule="cadre.relative")
        cadre.set_relatives(cmd.relatives)
        for relative_id, other in others.items():
            mirrored = dict(other.relatives)
            if relative_id in cmd.relatives:
                mirrored[cadre.id] = RELATIONS[cmd.relatives[relative_id]]
            else:
                mirrored.pop(cadre.id, None)
            other.set_relatives(mirrored)
        for item in [cadre, *others.values()]:
            if item.relatives_changed:
                await uow.cadres.save(item)
        return await uow.commit(sorted(cadre.relatives))


async def add_rank_holding(
    cmd: commands.AddRankHolding, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records a rank holding from a date (history or a change); returns the holding id."""
    async with uow:
        return await uow.commit(await _add_rank_holding(cmd, uow, principal=principal, today=today))


async def _add_rank_holding(
    cmd: commands.AddRankHolding, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    cadre = await load_cadre(uow, principal, cmd.cadre_id)
    holding = _take_rank(cadre, cmd, await uow.ladders(cmd.since), today=today)
    await uow.cadres.save(cadre)
    await uow.mark_dirty([cadre.id])
    return holding.id


def _take_rank(
    cadre: Cadre, cmd: commands.AddRankHolding, ladders: dict[str, Ladder], *, today: dt.date
) -> RankHolding:
    """Adds a rank holding to the aggregate on its series' ladder in force on the holding's date."""
    series = CATEGORY_SERIES.get(cadre.category)
    if series is None:
        raise RuleViolation(f"category {cadre.category} is not on a rank ladder", rule="rank.category_outside_ladder")
    return cadre.add_rank(
        rank_code=cmd.rank_code,
        since=cmd.since,
        basis=cmd.basis,
        ladder=ladders[series],
        today=today,
        level=cmd.level,
        source_ref=cmd.source_ref,
    )


def _take_post(cadre: Cadre, cmd: commands.AddPostHolding, *, today: dt.date) -> PostHolding:
    """Adds a leadership-post holding to the aggregate."""
    return cadre.add_post(
        post_code=cmd.post_code,
        since=cmd.since,
        basis=cmd.basis,
        today=today,
        hardship=cmd.hardship,
        source_ref=cmd.source_ref,
    )


async def add_post_holding(
    cmd: commands.AddPostHolding, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records a leadership-post holding; returns the holding id."""
    async with uow:
        return await uow.commit(await _add_post_holding(cmd, uow, principal=principal, today=today))


async def _add_post_holding(
    cmd: commands.AddPostHolding, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    cadre = await load_cadre(uow, principal, cmd.cadre_id)
    holding = _take_post(cadre, cmd, today=today)
    await uow.cadres.save(cadre)
    await uow.mark_dirty([cadre.id])
    return holding.id


async def add_level_holding(
    cmd: commands.AddLevelHolding, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> str:
    """Records a level (级别) holding; returns the holding id."""
    async with uow:
        cadre = await load_cadre(uow, principal, cmd.cadre_id)
        series = CATEGORY_SERIES.get(cadre.category)
        ladder = (await uow.ladders(cmd.since))[series] if series else None
        holding = cadre.add_level(
            level=cmd.level, step=cmd.step, since=cmd.since, basis=cmd.basis, ladder=ladder, today=today
        )
        await uow.cadres.save(cadre)
        await uow.mark_dirty([cadre.id])
        return await uow.commit(holding.id)


async def execute_demotion(
    cmd: commands.ExecuteDemotion, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Carries out a required demotion (不称职): one rank down, tenure restarting in the new rank."""
    async with uow:
        cadre = await load_cadre(uow, principal, cmd.cadre_id)
        demotion = await uow.demotions.get(cmd.demotion_id)
        if demotion is None or demotion.cadre_id != cadre.id:
            raise NotFound("demotion not found", field="demotion_id", rule="demotion.exists")
        if cmd.effective_date > today:
            raise RuleViolation("a demotion cannot take effect in the future", rule="holding.future")
        series = CATEGORY_SERIES.get(cadre.category)
        if series is None:
            raise RuleViolation(
                f"category {cadre.category} is not on a rank ladder", rule="rank.category_outside_ladder"
            )
        demotion.execute(
            cadre, effective_date=cmd.effective_date, ladder=(await uow.ladders(cmd.effective_date))[series]
        )
        await uow.cadres.save(cadre)
        await uow.demotions.save(demotion)
        await uow.mark_dirty([cadre.id])
        return await uow.commit(state_of(demotion))


async def exit_cadre(cmd: commands.ExitCadre, uow: RankUnitOfWork, *, principal: Principal, today: dt.date) -> int:
    """Records that a cadre left the register (retired, resigned, ...); open candidacies are withdrawn."""
    cadre_id, version, reason = cmd.cadre_id, cmd.version, cmd.reason
    async with uow:
        cadre = await load_cadre(uow, principal, cadre_id)
        if cadre.version != version:
            raise ConcurrencyError("the cadre was changed by someone else; reload and retry", rule="cadre.version")
        if not cadre.active:
            raise Conflict("the cadre has already left the register", rule="cadre.inactive")
        cadre.update(today=today, active=False)
        await uow.cadres.save(cadre)
        await withdraw_candidacies(uow, cadre_id=cadre.id, reason=f"left the register ({reason})", today=today)
        await uow.mark_dirty([cadre.id])
        return await uow.commit(cadre.version)
