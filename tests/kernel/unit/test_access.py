"""The suite's one access rule (kernel.access): self-service, subtree, own and relatives, as decisions and as SQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from kernel.access import Access, cadre_not_found, resolve, self_service, within
from kernel.auth import Principal, Role

A = "/city/a/"


def who(*roles: Role, unit: str | None = "a", cadre_id: str | None = "me") -> Principal:
    return Principal(subject="s", roles=frozenset(roles), unit_id=unit, cadre_id=cadre_id)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ({Role.CADRE}, True),
        ({Role.CADRE, Role.SUBSCRIBER}, True),  # the subscriber role reads no object: still self-service
        ({Role.CADRE, Role.ASSESSOR}, False),
        ({Role.CADRE, Role.PETITIONS_STAFF}, False),
        ({Role.ORG_ADMIN}, False),
        ({Role.SUBSCRIBER}, False),
        (set(), False),
    ],
)
def test_self_service_is_the_cadre_role_without_an_object_reading_role(roles, expected):
    assert self_service(who(*roles)) is expected


# target: (cadre id, its unit path)
TARGETS = {
    "same unit": ("c1", A),
    "child unit": ("c2", A + "a1/"),
    "parent unit": ("c3", "/city/"),
    "sibling unit": ("c4", "/city/b/"),
    "self": ("me", A),
    "relative": ("kin", A),
}
SUBTREE = {
    "same unit": True,
    "child unit": True,
    "parent unit": False,
    "sibling unit": False,
    "self": True,
    "relative": False,
}


@pytest.mark.parametrize("relation", sorted(TARGETS))
@pytest.mark.parametrize("roles", [{Role.ORG_ADMIN}, {Role.AUDITOR}, {Role.CADRE, Role.ASSESSOR}])
def test_a_subtree_role_sees_its_subtree_and_itself_never_a_relative(relation, roles):
    access = resolve(who(*roles), unit_path=A, relatives=["kin"])
    cadre_id, path = TARGETS[relation]
    assert access.sees(cadre_id, path) is SUBTREE[relation]
    # In sensitive matters (petitions about the cadre, acting on their case) the caller's own records go too.
    assert access.sees(cadre_id, path, sensitive=True) is (SUBTREE[relation] and relation != "self")


@pytest.mark.parametrize("roles", [{Role.CADRE}, {Role.CADRE, Role.SUBSCRIBER}])
@pytest.mark.parametrize("relation", sorted(TARGETS))
def test_self_service_sees_only_itself_and_nothing_sensitive(relation, roles):
    access = resolve(who(*roles), unit_path=A, relatives=["kin"])
    cadre_id, path = TARGETS[relation]
    assert access.sees(cadre_id, path) is (relation == "self")
    assert access.sees(cadre_id, path, sensitive=True) is False
    assert access.sees_unit(A) is False


def test_no_unit_or_an_unknown_unit_sees_no_one_by_org_scope():
    for access in (
        resolve(who(Role.ORG_ADMIN, unit=None), unit_path=None),
        resolve(who(Role.ORG_ADMIN, unit="ghost"), unit_path=None),
    ):
        assert not access.sees("c1", A)
        assert access.sees("me", A) is False  # no cadre role: own records only through the subtree


def test_a_prefix_is_a_whole_path_segment():
    access = resolve(who(Role.ORG_ADMIN), unit_path=A)
    assert not access.sees("c5", "/city/ab/")
    assert access.sees_unit(A + "x/") and not access.sees_unit("/city/")


def test_within_is_the_same_subtree_rule_on_an_id_path():
    assert within(who(Role.ORG_ADMIN), ["city", "a", "a1"])
    assert not within(who(Role.ORG_ADMIN), ["city", "b"])
    assert not within(who(Role.CADRE), ["city", "a"])
    assert not within(who(Role.ORG_ADMIN, unit=None), ["city"])


def test_the_uniform_not_found_never_echoes_the_id():
    error = cadre_not_found()
    assert error.message == "cadre not found" and error.extra == {"field": "cadre_id"}


# -- the same rule as SQL ---------------------------------------------------------------------------------------
META = MetaData()
ROWS = Table("rows", META, Column("cadre_id", String), Column("path", String))


def _visible(access: Access, *, sensitive: bool = False) -> set[str]:
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(":memory:"))
    META.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(ROWS), [{"cadre_id": c, "path": p} for c, p in TARGETS.values()])
        clause = access.cadre_clause(
            ROWS.c.cadre_id, lambda prefix: ROWS.c.path.startswith(prefix, autoescape=True), sensitive=sensitive
        )
        return {r[0] for r in conn.execute(select(ROWS.c.cadre_id).where(clause))}


@pytest.mark.parametrize(
    "roles", [{Role.ORG_ADMIN}, {Role.CADRE}, {Role.CADRE, Role.SUBSCRIBER}, {Role.CADRE, Role.ASSESSOR}]
)
@pytest.mark.parametrize("sensitive", [False, True])
def test_the_sql_clause_keeps_exactly_what_sees_allows(roles, sensitive):
    access = resolve(who(*roles), unit_path=A, relatives=["kin"])
    expected = {c for c, p in TARGETS.values() if access.sees(c, p, sensitive=sensitive)}
    assert _visible(access, sensitive=sensitive) == expected


def test_a_unit_id_with_like_wildcards_matches_literally():
    access = resolve(who(Role.ORG_ADMIN, unit="a_"), unit_path="/city/a_/")
    assert _visible(access) == set()  # "/city/a_/" must not match "/city/a1/" or "/city/ab/"
