"""Every cell of the petitions part of docs/permissions.md: a role without the capability gets 403 before any
lookup (OWASP API5); a role with it passes the role check (and then meets the object, here an unknown one: 404)."""

from __future__ import annotations

from tests.petitions.support import TODAY, decision

ROLES = ("org_admin", "discipline_officer", "petitions_staff", "assessor", "cadre", "auditor", "subscriber")
OA, DO, PS, AS, CA, AU = "org_admin", "discipline_officer", "petitions_staff", "assessor", "cadre", "auditor"
DAY = TODAY.isoformat()
INTAKE = {
    "channel": "LETTER",
    "received_on": DAY,
    "content": "x",
    "accused_cadre_ids": ["c-fin-1"],
    "handling_org_unit_id": "no-such-unit",
}

# capability (as named in docs/permissions.md) → the calls that exercise it, and the roles that hold it
MATRIX: list[tuple[str, list[tuple[str, str, dict | None]], set[str]]] = [
    ("Intake (all channels)", [("POST", "/reports", INTAKE)], {DO, PS}),
    (
        "Screening: register, route, accept, link duplicates",
        [
            ("POST", "/reports/x/register", {"category": "integrity", "substantive": True, "jurisdiction": "OWN"}),
            ("POST", "/reports/x/route", {"jurisdiction": "OTHER_BODY"}),
            ("POST", "/reports/x/link-duplicate", {"duplicate_of": "y"}),
            ("POST", "/reports/x/not-accept", {"reason": "NO_SUBSTANCE"}),
            ("POST", "/reports/x/accept", None),
            ("POST", "/reports/x/acceptance-notice", {"on": DAY}),
            ("POST", "/reports/x/feedback", {"on": DAY}),
            ("POST", "/reports/x/objection", {"on": DAY, "new_evidence": False}),
            ("POST", "/reports/x/questions", {"text": "when?"}),
        ],
        {DO, PS},
    ),
    (
        "Disposal, verification, outcomes, case opening",
        [
            ("POST", "/reports/x/hand-over", None),
            ("POST", "/reports/x/disposal", {"mode": "TALK", "decision": decision()}),
            ("POST", "/reports/x/resume", None),
            ("POST", "/reports/x/verify", {"decision": decision()}),
            ("POST", "/reports/x/case", {"cadre_ids": ["c-fin-1"], "opened_on": DAY, "decision": decision()}),
            (
                "POST",
                "/reports/x/close",
                {"findings": [{"allegation_id": "a", "result": "UNFOUNDED"}], "conclusion": "c"},
            ),
            ("POST", "/reports/x/reopen", {"decision": decision()}),
            ("POST", "/reports/x/finalize", None),
        ],
        {DO},
    ),
    (
        "Open reports: read / Closed reports and outcomes: read",
        [("GET", "/reports", None), ("GET", "/reports/x", None)],
        {OA, DO, PS, AS, AU},
    ),
    (
        "Reporter identity: reveal (audited, with purpose)",
        [
            ("POST", "/reports/x/reveal", {"purpose": "VERIFY"}),
            ("POST", "/reports/x/receipt", None),
            ("GET", "/reports/reporter-flags", None),
        ],
        {PS},
    ),
    (
        "Statement requests: issue, mark adopted",
        [
            (
                "POST",
                "/statements",
                {"report_id": "x", "cadre_id": "c-fin-1", "kind": "STATEMENT_DEFENCE", "facts": "f"},
            ),
            ("POST", "/statements/x/assess", {"adopted": True, "assessment": "a"}),
            ("POST", "/statements/x/waive", {"reason": "r"}),
        ],
        {DO},
    ),
    (
        "Statement requests addressed to me: read",
        [("GET", "/statements", None), ("GET", "/statements/x", None)],
        {DO, CA},
    ),
    ("Statement requests addressed to me: answer", [("POST", "/statements/x/answer", {"answer": "a"})], {CA}),
    (
        "False-accusation cases (write)",
        [
            ("POST", "/false-accusations", {"origin_report_id": "x", "grounds": "g"}),
            ("POST", "/false-accusations/x/investigate", {}),
            ("POST", "/false-accusations/x/submit", {"findings": "f", "proposed": "DROPPED"}),
            ("POST", "/false-accusations/x/decide", {"classification": "DROPPED"}),
            ("POST", "/false-accusations/x/refer", {"referral": "EDUCATION", "note": "n"}),
            ("POST", "/false-accusations/x/close", None),
        ],
        {DO},
    ),
    (
        "False-accusation cases (read)",
        [("GET", "/false-accusations", None), ("GET", "/false-accusations/x", None)],
        {DO, AU},
    ),
    (
        "Clarification: propose, approve, execute",
        [
            ("POST", "/clarifications", {"cadre_id": "c-nobody", "report_ids": ["x"], "spread": "UNIT"}),
            ("POST", "/clarifications/x/request-consent", None),
            ("POST", "/clarifications/x/approve", {"method": "LETTER", "scope": "UNIT"}),
            ("POST", "/clarifications/x/execute", {"executed_on": DAY, "record_ref": "r"}),
            ("POST", "/clarifications/x/close", None),
            ("POST", "/clarifications/x/reject", {"reason": "r"}),
        ],
        {OA, DO},
    ),
    ("Clarification: read", [("GET", "/clarifications", None), ("GET", "/clarifications/x", None)], {OA, DO, AU, CA}),
    ("Clarification: consent", [("POST", "/clarifications/x/consent", {"consent": True})], {CA}),
    (
        "Appeals: file",
        [
            (
                "POST",
                "/appeals",
                {
                    "target_type": "GOV_SANCTION",
                    "target_ref": "sanction/nope",
                    "stage": "REVIEW",
                    "grounds": "g",
                    "appellant_cadre_id": "c-nobody",
                },
            )
        ],
        {PS, CA},
    ),
    (
        "Appeals: accept, decide (by target type)",
        [
            ("POST", "/appeals/x/accept", None),
            ("POST", "/appeals/x/reject", {"reasons": "r"}),
            ("POST", "/appeals/x/start-review", None),
            ("POST", "/appeals/x/decide", {"result": "UPHELD", "reasons": "r"}),
        ],
        {OA, DO},
    ),
    ("Appeals: read", [("GET", "/appeals", None), ("GET", "/appeals/x", None)], {OA, DO, PS, CA, AU}),
    ("Overdue list, deadlines", [("GET", "/deadlines", None), ("GET", "/deadlines/rules", None)], {DO, PS, AU}),
    (
        "Deadlines: pause, resume, extend (design decision: the handling roles)",
        [
            ("POST", "/deadlines/x/pause", {"reason": "hearing"}),
            ("POST", "/deadlines/x/resume", None),
            ("POST", "/deadlines/x/extend", {"days": 5, "reason": "approved"}),
        ],
        {DO, PS},
    ),
    (
        "Cadre dossier (petitions part; none for the cadre role)",
        [("GET", "/dossier-parts/petitions/c-nobody", None)],
        {OA, DO, AS, AU},
    ),
    (
        "Organization dashboards (petitions part)",
        [("GET", "/dashboard-parts/petitions?org_unit_id=no-unit", None)],
        {OA, DO, AS, AU},
    ),
]
ALLOWED_OUTCOMES = {200, 201, 404, 409, 422}


def _principal(role: str) -> dict:
    if role == CA:
        return {"role": CA, "unit": None, "cadre_id": "c-cty-b"}
    return {"role": role, "unit": "city"}


async def test_each_cell_of_the_matrix(api):
    cells = 0
    for capability, calls, allowed in MATRIX:
        for role in ROLES:
            for method, path, body in calls:
                response = await api.call(method, path, json=body, create=method == "POST", **_principal(role))
                cells += 1
                if role in allowed:
                    assert response.status_code in ALLOWED_OUTCOMES, (
                        capability,
                        role,
                        method,
                        path,
                        response.status_code,
                        response.text,
                    )
                else:
                    assert response.status_code == 403, (capability, role, method, path, response.status_code)
                    assert response.json()["type"].endswith("/forbidden")
    assert cells == 7 * sum(len(calls) for _, calls, _ in MATRIX)


async def test_without_a_token_everything_but_the_public_segment_answers_401(api):
    for _, calls, _ in MATRIX:
        for method, path, body in calls:
            response = await api.call(method, path, json=body, role=None)
            assert response.status_code == 401, (method, path)
    public = await api.call("POST", "/public/reports", role=None, json={"org_unit_id": "city", "content": "facts"})
    assert public.status_code == 201


async def test_the_allowed_roles_of_the_creating_cells_succeed(api):
    for role in (DO, PS):
        report_id = await api.intake(role=role)
        assert (await api.ok("GET", f"/reports/{report_id}", role=role))["status"] == "RECEIVED"
    for role in (OA, DO):
        report_id = await api.closed_report("UNFOUNDED", accused=["c-cty-a"])
        created = await api.ok(
            "POST",
            "/clarifications",
            201,
            role=role,
            create=True,
            json={"cadre_id": "c-cty-a", "report_ids": [report_id], "spread": "UNIT"},
        )
        assert created["id"]
