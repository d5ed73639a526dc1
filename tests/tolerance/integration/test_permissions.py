"""Every cell of the tolerance part of docs/permissions.md, plus org-unit scope (404) and relatives (S2)."""

from __future__ import annotations

import datetime as dt

from kernel import deps
from services.tolerance.service_layer.restrictions import sweep

ROLES = ("org_admin", "discipline_officer", "petitions_staff", "assessor", "cadre", "auditor", "subscriber")
# How each role calls: unit "city" sees the whole tree; the assessor leads finance; the cadre is c-a.
CALLER = {
    "org_admin": ("city", None),
    "discipline_officer": ("city", None),
    "petitions_staff": ("city", None),
    "assessor": ("finance", None),
    "cadre": (None, "c-a"),
    "auditor": ("city", None),
    "subscriber": (None, None),
}


def who(role):
    unit, cadre_id = CALLER[role]
    return {"unit": unit, "cadre_id": cadre_id}


async def check(world, cells, request):
    """Runs `request(role)` for every role and compares the status with the cell (W/R/S → success, · → 403)."""
    observed = {}
    for role in ROLES:
        response = await request(role)
        observed[role] = response.status_code
    expected = {role: (403 if cells[role] == "·" else observed[role]) for role in ROLES}
    assert observed == expected, observed
    for role in ROLES:
        if cells[role] != "·":
            assert observed[role] in (200, 201), (role, observed[role])


async def test_tolerance_case_apply(world):
    async def apply(role):
        incident = await world.incident(["c-a"])
        return await world.post(
            "/tolerance-cases",
            {"incident_id": incident, "cadre_id": "c-a", "applied_on": "2026-06-10", "statement": "s"},
            role,
            create=True,
            **who(role),
        )

    await check(
        world,
        dict(
            org_admin="W",
            discipline_officer="W",
            petitions_staff="·",
            assessor="W",
            cadre="S",
            auditor="·",
            subscriber="·",
        ),
        apply,
    )
    incident = await world.incident(["c-b"])
    r = await world.post(
        "/tolerance-cases",
        {"incident_id": incident, "cadre_id": "c-b", "applied_on": "2026-06-10", "statement": "s"},
        "cadre",
        unit=None,
        cadre_id="c-a",
        create=True,
    )
    assert r.status_code == 404  # S: for themself only


async def _case(world):
    incident = await world.incident(["c-a"])
    r = await world.post(
        "/tolerance-cases",
        {"incident_id": incident, "cadre_id": "c-a", "applied_on": "2026-06-10", "statement": "s"},
        "org_admin",
        create=True,
    )
    return r.json()["id"]


async def test_tolerance_case_verify_and_decide(world):
    async def accept(role):
        case_id = await _case(world)
        return await world.post(
            f"/tolerance-cases/{case_id}/acceptance", {"accepted": True, "on": "2026-06-11"}, role, **who(role)
        )

    await check(
        world,
        dict(
            org_admin="W",
            discipline_officer="W",
            petitions_staff="·",
            assessor="·",
            cadre="·",
            auditor="·",
            subscriber="·",
        ),
        accept,
    )


async def test_tolerance_case_read(world):
    case_id = await _case(world)
    await check(
        world,
        dict(
            org_admin="R",
            discipline_officer="R",
            petitions_staff="·",
            assessor="R",
            cadre="S",
            auditor="R",
            subscriber="·",
        ),
        lambda role: world.get(f"/tolerance-cases/{case_id}", role, **who(role)),
    )
    # S: another cadre's case is not found; an org admin of another unit does not see it either.
    assert (await world.get(f"/tolerance-cases/{case_id}", "cadre", unit=None, cadre_id="c-b")).status_code == 404
    assert (await world.get(f"/tolerance-cases/{case_id}", "org_admin", unit="health")).status_code == 404
    assert (await world.get("/tolerance-cases", "org_admin", unit="health")).json()["items"] == []


async def test_government_party_and_accountability_sanctions_are_notified_and_decided_by_discipline_only(world):
    for system, type_ in (("GOV", "WARNING"), ("PARTY", "PARTY_WARNING"), ("ACCOUNTABILITY", "ADMONISHMENT")):

        async def notify(role, system=system, type_=type_):
            sanction_id, _ = await world.proposal("c-a", type_, system)
            return await world.post(
                f"/sanctions/{sanction_id}/facts-notice", {"notified_on": "2026-05-25"}, role, **who(role)
            )

        await check(
            world,
            dict(
                org_admin="·",
                discipline_officer="W",
                petitions_staff="·",
                assessor="·",
                cadre="·",
                auditor="·",
                subscriber="·",
            ),
            notify,
        )
    r = await world.post(
        "/sanctions",
        {
            "cadre_id": "c-a",
            "incident_id": await world.incident(),
            "system": "PARTY",
            "type": "PARTY_WARNING",
            "proposed_on": "2026-06-01",
        },
        "org_admin",
        create=True,
    )
    assert r.status_code == 403


async def test_organizational_handling_and_admonishment_are_decided_by_both_departments(world):
    for system, type_ in (("ORG_HANDLING", "POST_ADJUSTMENT"), ("ADMONISHMENT", "ADMONISHMENT")):

        async def notify(role, system=system, type_=type_):
            sanction_id, _ = await world.proposal("c-b", type_, system)
            return await world.post(
                f"/sanctions/{sanction_id}/facts-notice", {"notified_on": "2026-05-25"}, role, **who(role)
            )

        await check(
            world,
            dict(
                org_admin="W",
                discipline_officer="W",
                petitions_staff="·",
                assessor="·",
                cadre="·",
                auditor="·",
                subscriber="·",
            ),
            notify,
        )
    sanction_id = await world.effective("c-b", "POST_ADJUSTMENT", "ORG_HANDLING", role="org_admin")
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "EFFECTIVE"


async def test_statement_and_defence_on_my_sanction(world):
    async def defend(role):
        sanction_id, _ = await world.proposal("c-a", "WARNING")
        await world.notified(sanction_id)
        return await world.post(
            f"/sanctions/{sanction_id}/defence", {"defence_on": "2026-05-26", "statement": "s"}, role, **who(role)
        )

    await check(
        world,
        dict(
            org_admin="·",
            discipline_officer="·",
            petitions_staff="·",
            assessor="·",
            cadre="S",
            auditor="·",
            subscriber="·",
        ),
        defend,
    )
    other, _ = await world.proposal("c-b", "WARNING")
    await world.notified(other)
    r = await world.post(
        f"/sanctions/{other}/defence",
        {"defence_on": "2026-05-26", "statement": "s"},
        "cadre",
        unit=None,
        cadre_id="c-a",
    )
    assert r.status_code == 404


async def test_sanctions_and_restrictions_read(world):
    sanction_id = await world.effective("c-a", "WARNING")
    restriction = (await world.get("/restrictions", cadre_id="c-a")).json()["items"][0]["id"]
    cells = dict(
        org_admin="R", discipline_officer="R", petitions_staff="·", assessor="R", cadre="S", auditor="R", subscriber="·"
    )
    await check(world, cells, lambda role: world.get(f"/sanctions/{sanction_id}", role, **who(role)))
    await check(world, cells, lambda role: world.get(f"/restrictions/{restriction}", role, **who(role)))
    await check(world, cells, lambda role: world.get("/sanctions", role, **who(role)))
    for path in (f"/sanctions/{sanction_id}", f"/restrictions/{restriction}"):
        assert (await world.get(path, "cadre", unit=None, cadre_id="c-b")).status_code == 404
        assert (await world.get(path, "org_admin", unit="health")).status_code == 404
        assert (await world.get(path, "assessor", unit="health")).status_code == 404
    assert (await world.get("/restrictions", "org_admin", unit="health")).json()["items"] == []
    assert (await world.get("/sanctions", "cadre", unit=None, cadre_id="c-b")).json()["items"] == []


async def test_restriction_discretionary_extension(world):
    await world.effective("c-a", "WARNING")
    ids = [
        r["id"]
        for r in (await world.get("/restrictions", cadre_id="c-a")).json()["items"]
        if r["ends_on"] == "2026-12-09"
    ]

    async def extend(role):
        return await world.post(
            f"/restrictions/{ids[0]}/extension",
            {"new_ends_on": "2027-03-01", "reason": "the unit still objects to use"},
            role,
            **who(role),
        )

    await check(
        world,
        dict(
            org_admin="W",
            discipline_officer="·",
            petitions_staff="·",
            assessor="·",
            cadre="·",
            auditor="·",
            subscriber="·",
        ),
        extend,
    )


async def _eligible(world):
    await world.effective("c-a", "REMOVAL_FROM_POST", "ORG_HANDLING", role="org_admin")
    await sweep(world.runtime.uow, today=dt.date(2027, 6, 10))
    world.app.dependency_overrides[deps.today] = lambda: dt.date(2027, 8, 1)
    [item] = (await world.get("/reinstatements", cadre_id="c-a")).json()["items"]
    return item["id"]


async def test_reinstatement_report_opinions_decision_and_read(world):
    rid = await _eligible(world)
    cells = dict(
        org_admin="R", discipline_officer="R", petitions_staff="·", assessor="·", cadre="S", auditor="R", subscriber="·"
    )
    await check(world, cells, lambda role: world.get(f"/reinstatements/{rid}", role, **who(role)))

    async def report(role):
        return await world.post(
            f"/reinstatements/{rid}/report", {"reported_on": "2027-06-20", "summary": "s"}, role, **who(role)
        )

    await check(
        world,
        dict(
            org_admin="·",
            discipline_officer="·",
            petitions_staff="·",
            assessor="·",
            cadre="S",
            auditor="·",
            subscriber="·",
        ),
        report,
    )

    async def opinion(role):
        if role == "discipline_officer":
            return await world.post(
                f"/reinstatements/{rid}/discipline-opinion",
                {"opinion_on": "2027-07-02", "opinion": "ok", "favourable": True},
                role,
            )
        return await world.post(
            f"/reinstatements/{rid}/org-opinion",
            {"opinion_on": "2027-07-01", "opinion": "ok", "target_post": "P", "target_post_level": 1},
            role,
            **who(role),
        )

    await check(
        world,
        dict(
            org_admin="W",
            discipline_officer="W",
            petitions_staff="·",
            assessor="·",
            cadre="·",
            auditor="·",
            subscriber="·",
        ),
        opinion,
    )
    # The org department's opinion is its own: the discipline officer cannot give it.
    r = await world.post(
        f"/reinstatements/{rid}/fact-finding", {"done_on": "2027-07-03", "note": "n"}, "discipline_officer"
    )
    assert r.status_code == 403 and r.json()["rule"] == "reinstatement.role"
    assert (await world.get(f"/reinstatements/{rid}", "cadre", unit=None, cadre_id="c-b")).status_code == 404


async def test_dossier_part_read(world):
    await world.effective("c-a", "WARNING")
    await check(
        world,
        dict(
            org_admin="R",
            discipline_officer="R",
            petitions_staff="·",
            assessor="R",
            cadre="S",
            auditor="R",
            subscriber="·",
        ),
        lambda role: world.get("/dossier-parts/tolerance/c-a", role, **who(role)),
    )
    assert (await world.get("/dossier-parts/tolerance/c-a", "cadre", unit=None, cadre_id="c-b")).status_code == 404
    assert (await world.get("/dossier-parts/tolerance/c-a", "org_admin", unit="health")).status_code == 404
    # S2: nobody reads a relative's dossier, whatever their role.
    r = await world.get("/dossier-parts/tolerance/c-a", "org_admin", unit="city", cadre_id="c-rel")
    assert r.status_code == 404


async def test_dashboard_part_read(world):
    await world.effective("c-a", "WARNING")
    cells = dict(
        org_admin="R", discipline_officer="R", petitions_staff="·", assessor="R", cadre="·", auditor="R", subscriber="·"
    )

    async def read(role):
        unit = "finance" if role == "assessor" else "city"
        return await world.get("/dashboard-parts/tolerance", role, **who(role), org_unit_id=unit)

    await check(world, cells, read)
    # The assessor sees their own unit only; others see units of their subtree only.
    assert (
        await world.get("/dashboard-parts/tolerance", "assessor", unit="finance", org_unit_id="city")
    ).status_code == 404
    assert (
        await world.get("/dashboard-parts/tolerance", "org_admin", unit="health", org_unit_id="finance")
    ).status_code == 404


async def test_incidents_investigations_and_catalogue(world):
    async def record(role):
        return await world.post(
            "/incidents",
            {"cadre_ids": ["c-a"], "occurred_on": "2026-05-01", "summary": "s"},
            role,
            create=True,
            **who(role),
        )

    await check(
        world,
        dict(
            org_admin="W",
            discipline_officer="W",
            petitions_staff="·",
            assessor="·",
            cadre="·",
            auditor="·",
            subscriber="·",
        ),
        record,
    )
    incident = await world.incident()
    await check(
        world,
        dict(
            org_admin="R",
            discipline_officer="R",
            petitions_staff="·",
            assessor="R",
            cadre="S",
            auditor="R",
            subscriber="·",
        ),
        lambda role: world.get(f"/incidents/{incident}", role, **who(role)),
    )
    await check(
        world,
        dict(
            org_admin="·",
            discipline_officer="R",
            petitions_staff="·",
            assessor="·",
            cadre="·",
            auditor="·",
            subscriber="·",
        ),
        lambda role: world.get("/investigations", role, **who(role)),
    )
    await check(
        world,
        dict(
            org_admin="R",
            discipline_officer="R",
            petitions_staff="R",
            assessor="R",
            cadre="R",
            auditor="R",
            subscriber="·",
        ),
        lambda role: world.get("/sanction-catalogue", role, **who(role)),
    )


async def test_acting_on_oneself_or_a_relative_is_refused_as_not_found(world):
    sanction_id, _ = await world.proposal("c-a", "WARNING")
    # A discipline officer who is c-a's relative cannot notify or decide c-a's sanction.
    r = await world.post(
        f"/sanctions/{sanction_id}/facts-notice", {"notified_on": "2026-05-25"}, "discipline_officer", cadre_id="c-rel"
    )
    assert r.status_code == 404
    r = await world.post(
        f"/sanctions/{sanction_id}/facts-notice", {"notified_on": "2026-05-25"}, "discipline_officer", cadre_id="c-a"
    )
    assert r.status_code == 404
