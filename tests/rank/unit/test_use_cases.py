"""Rank's register use cases over a fake unit of work: the rules, the events committed and what a refusal leaves
(nothing), proven in milliseconds (kernel.testing.fakes; the same use cases run against SQLite and PostgreSQL in
tests/rank/integration)."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.auth import Principal, Role
from kernel.contracts import rank_v1
from kernel.errors import ConcurrencyError, Conflict, Forbidden, NotFound, RuleViolation
from services.rank.service_layer import commands, handlers
from tests.rank.unit.fakes import FakeRankUnitOfWork

TODAY = dt.date(2026, 6, 1)


def admin(unit: str) -> Principal:
    return Principal(subject=f"admin-{unit}", roles=frozenset({Role.ORG_ADMIN}), unit_id=unit)


def unit(code: str, parent: str | None, level: str = "MUNICIPAL_AGENCY") -> commands.CreateOrgUnit:
    return commands.CreateOrgUnit(code=code, name=code, agency_level=level, parent_id=parent)


def cadre(org_unit_id: str, name: str = "Zhao Yi") -> commands.RegisterCadre:
    return commands.RegisterCadre(
        name=name,
        gender="MALE",
        birth_date=dt.date(1980, 1, 1),
        entry_date=dt.date(2003, 7, 1),
        org_unit_id=org_unit_id,
        category="COMPREHENSIVE",
        party_member=True,
        education="BACHELOR",
    )


async def tree(uow: FakeRankUnitOfWork) -> None:
    """city → {finance → finance-div1, health}"""
    await handlers.create_org_unit(unit("city", None, "CITY_LEADERSHIP"), uow, principal=admin("city"))
    for code, parent in (("finance", "city"), ("finance-div1", "finance"), ("health", "city")):
        await handlers.create_org_unit(unit(code, parent), uow, principal=admin("city"))


async def test_the_root_is_created_once_and_only_by_its_own_admin():
    uow = FakeRankUnitOfWork()
    with pytest.raises(Forbidden) as err:
        await handlers.create_org_unit(unit("city", None, "CITY_LEADERSHIP"), uow, principal=admin("elsewhere"))
    assert err.value.rule == "org_unit.root_admin" and uow.commits == 0
    await handlers.create_org_unit(unit("city", None, "CITY_LEADERSHIP"), uow, principal=admin("city"))
    with pytest.raises(Conflict) as err:
        await handlers.create_org_unit(unit("town", None, "TOWNSHIP"), uow, principal=admin("town"))
    assert err.value.rule == "org_unit.single_root"
    with pytest.raises(Conflict) as err:
        await handlers.create_org_unit(unit("city", "city"), uow, principal=admin("city"))
    assert err.value.rule == "org_unit.unique"
    assert [(e.org_unit_id, e.path) for e in uow.events_of(rank_v1.OrgUnitChanged)] == [("city", ["city"])]


async def test_a_unit_goes_only_under_a_parent_in_the_callers_subtree():
    uow = FakeRankUnitOfWork()
    await tree(uow)
    with pytest.raises(NotFound) as err:
        await handlers.create_org_unit(unit("audit", "health"), uow, principal=admin("finance"))
    assert err.value.rule == "org_unit.parent"
    await handlers.create_org_unit(unit("finance-div2", "finance"), uow, principal=admin("finance"))
    assert uow.org_units.rows["finance-div2"].path == ["city", "finance", "finance-div2"]


async def test_a_cadre_is_registered_in_the_subtree_and_announced_with_the_units_path():
    uow = FakeRankUnitOfWork()
    await tree(uow)
    cadre_id = await handlers.register_cadre(cadre("finance-div1"), uow, principal=admin("finance"), today=TODAY)
    [registered] = uow.events_of(rank_v1.CadreRegistered)
    assert (registered.cadre_id, registered.org_path) == (cadre_id, ["city", "finance", "finance-div1"])
    assert uow.cadres.rows[cadre_id].version == 1


async def test_a_refused_registration_writes_and_announces_nothing():
    uow = FakeRankUnitOfWork()
    await tree(uow)
    published, commits = len(uow.published), uow.commits
    with pytest.raises(NotFound) as err:
        await handlers.register_cadre(cadre("health"), uow, principal=admin("finance"), today=TODAY)
    assert err.value.rule == "cadre.org_unit"
    await handlers.register_cadre(cadre("finance"), uow, principal=admin("finance"), today=TODAY)
    with pytest.raises(Conflict) as err:
        await handlers.register_cadre(cadre("finance-div1"), uow, principal=admin("city"), today=TODAY)
    assert err.value.rule == "cadre.duplicate"
    assert len(uow.cadres.rows) == 1 and uow.commits == commits + 1 and len(uow.published) == published + 1


async def test_a_stale_version_changes_nothing():
    uow = FakeRankUnitOfWork()
    await tree(uow)
    with pytest.raises(ConcurrencyError):
        await handlers.change_org_unit(
            commands.ChangeOrgUnit(unit_id="health", version=7, name="卫健委"), uow, principal=admin("city")
        )
    assert uow.org_units.rows["health"].name == "health"


async def test_moving_a_unit_rebases_its_subtree_and_announces_every_cadre_in_it():
    uow = FakeRankUnitOfWork()
    await tree(uow)
    cadre_id = await handlers.register_cadre(cadre("finance-div1"), uow, principal=admin("city"), today=TODAY)
    with pytest.raises(Forbidden) as err:
        await handlers.change_org_unit(
            commands.ChangeOrgUnit(unit_id="finance", version=1, parent_id="health"), uow, principal=admin("finance")
        )
    assert err.value.rule == "org_unit.move_own"
    answer = await handlers.change_org_unit(
        commands.ChangeOrgUnit(unit_id="finance", version=1, parent_id="health"), uow, principal=admin("city")
    )
    assert answer == {"id": "finance", "version": 2}
    assert uow.org_units.rows["finance-div1"].path == ["city", "health", "finance", "finance-div1"]
    [moved] = uow.events_of(rank_v1.CadreUpdated)
    assert (moved.cadre_id, moved.org_path) == (cadre_id, ["city", "health", "finance", "finance-div1"])
    assert uow.dirty_subtrees == [["city", "health", "finance"]]


async def test_a_unit_with_open_children_or_cadres_is_not_closed_and_the_root_never():
    uow = FakeRankUnitOfWork()
    await tree(uow)
    with pytest.raises(Conflict) as err:
        await handlers.change_org_unit(
            commands.ChangeOrgUnit(unit_id="finance", version=1, active=False), uow, principal=admin("city")
        )
    assert err.value.rule == "org_unit.not_empty"
    with pytest.raises(RuleViolation) as err:
        await handlers.change_org_unit(
            commands.ChangeOrgUnit(unit_id="city", version=1, active=False), uow, principal=admin("city")
        )
    assert err.value.rule == "org_unit.root_fixed"
    await handlers.change_org_unit(
        commands.ChangeOrgUnit(unit_id="health", version=1, active=False), uow, principal=admin("city")
    )
    assert uow.org_units.rows["health"].active is False
    with pytest.raises(Conflict) as err:
        await handlers.create_org_unit(unit("health-div1", "health"), uow, principal=admin("city"))
    assert err.value.rule == "org_unit.parent_active"
