"""Mass assignment (docs/reliability.md S4): ids, status, org unit, approver, timestamps and reporter fields are never
writable: every write body with one of them added is refused with 422 naming the field, and nothing changes."""

from __future__ import annotations

from sqlalchemy import func, select

from services.petitions.adapters import orm
from tests.petitions.support import TODAY, decision

DAY = TODAY.isoformat()
FORBIDDEN = {
    "id": "x",
    "status": "CLOSED",
    "version": 9,
    "created_at": "2026-01-01T00:00:00Z",
    "approved_by": "me",
    "decided_by": "me",
    "outcome": "UNFOUNDED",
    "reporter_name": "Someone",
    "handling_org_unit": "city",
    "org_path": "/city/",
    "breached_on": DAY,
    "purged_at": DAY,
}
BODIES = [
    ("/reports", {"channel": "LETTER", "received_on": DAY, "content": "x"}, True),
    ("/public/reports", {"org_unit_id": "city", "content": "x"}, False),
    ("/reports/r/register", {"category": "integrity", "substantive": True, "jurisdiction": "OWN"}, False),
    ("/reports/r/route", {"jurisdiction": "OTHER_BODY"}, False),
    ("/reports/r/disposal", {"mode": "TALK", "decision": decision()}, False),
    ("/reports/r/close", {"findings": [{"allegation_id": "a", "result": "UNFOUNDED"}], "conclusion": "c"}, False),
    ("/reports/r/objection", {"on": DAY, "new_evidence": True}, False),
    ("/reports/r/reveal", {"purpose": "CHECK"}, False),
    ("/statements", {"report_id": "r", "cadre_id": "c", "kind": "STATEMENT_DEFENCE", "facts": "f"}, True),
    ("/false-accusations", {"origin_report_id": "r", "grounds": "g"}, True),
    ("/clarifications", {"cadre_id": "c", "report_ids": ["r"], "spread": "UNIT"}, True),
    ("/clarifications/c/approve", {"method": "LETTER", "scope": "UNIT"}, False),
    ("/appeals", {"target_type": "GOV_SANCTION", "target_ref": "sanction/s", "stage": "REVIEW", "grounds": "g"}, True),
    ("/appeals/a/decide", {"result": "UPHELD", "reasons": "r"}, False),
    ("/deadlines/d/extend", {"days": 1, "reason": "r"}, False),
]


async def test_non_writable_fields_are_refused_on_every_write(petitions_api):
    async with petitions_api(public_intake_per_hour=1000) as api:  # refused attempts count against the limit too
        refused = 0
        for path, body, create in BODIES:
            for field, value in FORBIDDEN.items():
                role = "petitions_staff" if path.endswith("reveal") or path == "/appeals" else "discipline_officer"
                response = await api.post(path, role=role, json={**body, field: value}, create=create)
                assert response.status_code == 422, (path, field, response.status_code)
                assert field in {e["field"] for e in response.json()["errors"]}, (path, field)
                refused += 1
        assert refused == len(BODIES) * len(FORBIDDEN)
        assert await api.scalar(select(func.count()).select_from(orm.report)) == 0


async def test_nested_models_forbid_unknown_fields_too(api):
    nested = [
        (
            "/reports",
            {
                "channel": "LETTER",
                "received_on": DAY,
                "content": "x",
                "reporter": {"name": "n", "phone": "13900000000", "verified": True},
            },
            "reporter.verified",
        ),
        (
            "/reports/r/disposal",
            {"mode": "TALK", "decision": {**decision(), "decided_by": "me"}},
            "decision.decided_by",
        ),
        (
            "/reports/r/close",
            {"findings": [{"allegation_id": "a", "result": "UNFOUNDED", "cadre_id": "c"}], "conclusion": "c"},
            "findings.0.cadre_id",
        ),
    ]
    for path, body, field in nested:
        response = await api.post(path, role="discipline_officer", json=body, create=path == "/reports")
        assert response.status_code == 422 and field in {e["field"] for e in response.json()["errors"]}, path
