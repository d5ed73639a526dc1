"""Object scope (docs/permissions.md, kernel.access): outside the caller's subtree a report does not exist (404, lists filtered);
nobody reads petitions about themselves or their relatives; an accusation alone is seen only by those who handle
it; the accused never reaches the report."""

from __future__ import annotations

from tests.petitions.support import TODAY, decision


def _problem(response) -> dict:
    """A problem document without its per-request instance."""
    return {k: v for k, v in response.json().items() if k != "instance"}


async def _ids(api, path: str, **who) -> set[str]:
    return {i["id"] for i in (await api.ok("GET", path, **who))["items"]}


async def test_a_report_outside_the_callers_subtree_answers_404_everywhere(api):
    report_id = await api.intake(unit="county-a", accused=["c-cty-a"])
    await api.register(report_id, accused=["c-cty-a"], unit="county-a")
    for role in ("discipline_officer", "petitions_staff"):
        assert (await api.get(f"/reports/{report_id}", role=role, unit="county-b")).status_code == 404
        assert report_id not in await _ids(api, "/reports", role=role, unit="county-b")
        assert (await api.get(f"/reports/{report_id}", role=role, unit="city")).status_code == 200
    for path, body in (
        ("accept", None),
        ("not-accept", {"reason": "NO_SUBSTANCE"}),
        ("questions", {"text": "q"}),
        ("reveal", {"purpose": "CHECK"}),
    ):
        response = await api.post(
            f"/reports/{report_id}/{path}",
            role="petitions_staff",
            unit="county-b",
            json=body,
            create=path == "questions",
        )
        assert response.status_code == 404, path
    response = await api.post(
        "/statements",
        unit="county-b",
        create=True,
        json={"report_id": report_id, "cadre_id": "c-cty-a", "kind": "STATEMENT_DEFENCE", "facts": "f"},
    )
    assert response.status_code == 404
    unknown = await api.get("/reports/does-not-exist", role="petitions_staff", unit="county-b")
    assert (
        unknown.json()["detail"].replace("does-not-exist", report_id)
        == (await api.get(f"/reports/{report_id}", role="petitions_staff", unit="county-b")).json()["detail"]
    )


async def test_an_open_accusation_is_invisible_to_org_admin_assessor_and_auditor_until_closed(api):
    open_id = await api.intake()
    await api.register(open_id)
    closed_id = await api.closed_report("UNFOUNDED")
    for role in ("org_admin", "assessor", "auditor"):
        assert (await api.get(f"/reports/{open_id}", role=role)).status_code == 404
        assert await _ids(api, "/reports", role=role) == {closed_id}
        report = await api.ok("GET", f"/reports/{closed_id}", role=role)
        assert report["outcome"] == "UNFOUNDED"
        assert "content" not in report and "identity" not in report and "deadlines" not in report


async def test_closed_outcomes_are_seen_where_the_accused_works_even_if_handled_above(api):
    closed_id = await api.closed_report("UNFOUNDED", accused=["c-cty-a"])
    assert closed_id in await _ids(api, "/reports", role="org_admin", unit="county-a")
    assert closed_id not in await _ids(api, "/reports", role="org_admin", unit="county-b")
    assert (await api.get(f"/reports/{closed_id}", role="assessor", unit="county-b")).status_code == 404
    # Discipline officers below the handling unit do not handle it, open or closed.
    assert (await api.get(f"/reports/{closed_id}", role="discipline_officer", unit="county-a")).status_code == 404


async def test_nobody_reads_reports_about_themselves_or_their_relatives(api):
    about_fin1 = await api.intake(accused=["c-fin-1"])
    about_kin = await api.intake(accused=["c-officer-kin"])
    await api.register(about_fin1)
    await api.register(about_kin, accused=["c-officer-kin"])
    # c-fin-1 and c-fin-2 are relatives, as are c-officer and c-officer-kin (kernel.access): either side is hidden.
    for cadre, hidden in (("c-fin-1", about_fin1), ("c-fin-2", about_fin1), ("c-officer", about_kin)):
        for role in ("discipline_officer", "petitions_staff"):
            who = {"role": role, "cadre_id": cadre}
            assert (await api.get(f"/reports/{hidden}", **who)).status_code == 404, (cadre, role)
            assert hidden not in await _ids(api, "/reports", **who)
            response = await api.post(f"/reports/{hidden}/accept", **who)
            assert response.status_code == 404
    assert (await api.get(f"/reports/{about_kin}", role="discipline_officer", cadre_id="c-fin-2")).status_code == 200


async def test_the_accused_cadre_never_reaches_the_report(api):
    report_id = await api.intake(accused=["c-cty-b"])
    await api.register(report_id, accused=["c-cty-b"])
    await api.to_disposal(report_id)
    accused = {"role": "cadre", "unit": None, "cadre_id": "c-cty-b"}
    assert (await api.get(f"/reports/{report_id}", **accused)).status_code == 403
    assert (await api.get("/reports", **accused)).status_code == 403
    statement = (
        await api.ok(
            "POST",
            "/statements",
            201,
            create=True,
            json={
                "report_id": report_id,
                "cadre_id": "c-cty-b",
                "kind": "STATEMENT_DEFENCE",
                "facts": "You are said to have approved a contract for a relative's company.",
            },
        )
    )["id"]
    mine = await api.ok("GET", f"/statements/{statement}", **accused)
    assert set(mine) == {
        "id",
        "cadre_id",
        "cadre_name",
        "kind",
        "facts",
        "requested_on",
        "due_on",
        "status",
        "answer",
        "submitted_on",
        "late",
        "adopted",
        "assessment",
        "assessed_on",
        "waiver_reason",
        "version",
    }
    assert mine["cadre_name"] == "Cadre c-cty-b"  # their own name, nothing about the report or the reporter
    assert report_id not in str(mine)
    assert (await api.get(f"/statements/{statement}", role="cadre", unit=None, cadre_id="c-cty-a")).status_code == 404
    await api.ok("POST", f"/statements/{statement}/waive", json={"reason": "declined"})
    await api.close(report_id, "UNFOUNDED", adverse_effect=True, accusation_spread="UNIT")
    [clarification] = (await api.ok("GET", "/clarifications", **accused))["items"]
    assert "report_ids" not in clarification and report_id not in str(clarification)
    # The cadre role reads no petitions part at all, its own included.
    assert (await api.get("/dossier-parts/petitions/c-cty-b", **accused)).status_code == 403


async def test_clarifications_and_appeals_follow_the_cadres_unit(api):
    report_id = await api.closed_report("UNFOUNDED", accused=["c-cty-a"], adverse_effect=True, accusation_spread="UNIT")
    [item] = (await api.ok("GET", "/clarifications", role="org_admin", unit="county-a"))["items"]
    assert (await api.ok("GET", "/clarifications", role="org_admin", unit="county-b"))["items"] == []
    assert (await api.get(f"/clarifications/{item['id']}", role="org_admin", unit="county-b")).status_code == 404
    response = await api.post(f"/clarifications/{item['id']}/request-consent", role="org_admin", unit="county-b")
    assert response.status_code == 404
    assert item["report_ids"] == [report_id]
    refused = await api.post(
        "/clarifications",
        role="org_admin",
        unit="county-b",
        create=True,
        json={"cadre_id": "c-cty-a", "report_ids": [report_id], "spread": "UNIT"},
    )
    assert refused.status_code == 404


async def test_an_accused_outside_the_callers_subtree_gets_exactly_the_unknown_id_answer(api):
    body = {
        "petition_type": "ACCUSATION",
        "channel": "LETTER",
        "received_on": TODAY.isoformat(),
        "content": "The accused took gifts at the spring festival.",
    }
    answers = {}
    for accused in ("c-cty-b", "c-nobody"):  # a sibling county's cadre, and an id nobody has
        answers[accused] = await api.post(
            "/reports",
            role="petitions_staff",
            unit="county-a",
            create=True,
            json={**body, "accused_cadre_ids": [accused]},
        )
    assert answers["c-cty-b"].status_code == answers["c-nobody"].status_code == 422
    assert _problem(answers["c-cty-b"]) == _problem(answers["c-nobody"])
    assert "c-cty-b" not in answers["c-cty-b"].text
    # Inside the subtree the same staff file it.
    inside = await api.post(
        "/reports",
        role="petitions_staff",
        unit="county-a",
        create=True,
        json={**body, "accused_cadre_ids": ["c-cty-a"]},
    )
    assert inside.status_code == 201, inside.text


async def test_a_case_is_opened_only_against_a_cadre_of_the_officers_subtree(api):
    # Handled in county-a, but naming a county-b cadre (filed by the city's staff, who see both).
    report_id = await api.intake(accused=["c-cty-b"], unit="city", handling_org_unit_id="county-a")
    await api.register(report_id, accused=["c-cty-b"], unit="city")
    await api.to_disposal(report_id, unit="county-a")
    case = {"opened_on": TODAY.isoformat(), "decision": decision()}
    foreign = await api.post(
        f"/reports/{report_id}/case",
        role="discipline_officer",
        unit="county-a",
        json={**case, "cadre_ids": ["c-cty-b"]},
    )
    unknown = await api.post(
        f"/reports/{report_id}/case",
        role="discipline_officer",
        unit="county-a",
        json={**case, "cadre_ids": ["c-nobody"]},
    )
    assert foreign.status_code == unknown.status_code == 404
    assert _problem(foreign) == _problem(unknown)
    # The city's officer, whose subtree holds county-b, may open it.
    await api.ok(
        "POST",
        f"/reports/{report_id}/case",
        role="discipline_officer",
        unit="city",
        json={**case, "cadre_ids": ["c-cty-b"]},
    )
