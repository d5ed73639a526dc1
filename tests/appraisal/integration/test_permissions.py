"""Every cell of the appraisal part of docs/permissions.md: 403 for a role without the capability, 404 outside
scope (another unit's subtree, another cadre for self-service), allowed roles pass the gate."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from kernel.contracts import rank_v1
from kernel.contracts.vocabulary import ContractKind
from services.appraisal.adapters import orm

ALL = ("org_admin", "discipline_officer", "petitions_staff", "assessor", "cadre", "auditor", "subscriber")
STAFF_R = ("org_admin", "discipline_officer", "assessor", "auditor")
SCORES = {"DE": 90, "NENG": 85, "QIN": 88, "JI": 92, "LIAN": 95, "DANDANG": 96}


def matrix(o: dict) -> list[tuple[str, tuple[str, ...], bool, str, str, dict | None]]:
    """(capability, allowed roles, cadre is self-only, method, path, body) for every endpoint of every cell."""
    rec, aid, fid, tid, wid, bid = o["record"], o["assessment"], o["finding"], o["talk"], o["award"], o["bonus"]
    record = {"cadre_id": "c-fin-1", "occurred_on": "2026-01-05", "category": "KEY_TASK", "title": "t"}
    return [
        ("records: submit", ("org_admin", "assessor", "cadre"), True, "POST", "/api/v1/performance-records", record),
        (
            "records: submit",
            ("org_admin", "assessor", "cadre"),
            True,
            "POST",
            f"/api/v1/performance-records/{rec}/corrections",
            {k: v for k, v in record.items() if k != "cadre_id"},
        ),
        (
            "records: verify, return",
            ("org_admin", "assessor"),
            False,
            "POST",
            f"/api/v1/performance-records/{rec}/return",
            {"reason": "r"},
        ),
        (
            "records: verify, return",
            ("org_admin", "assessor"),
            False,
            "POST",
            f"/api/v1/performance-records/{rec}/verification",
            None,
        ),
        ("records: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/performance-records", None),
        ("records: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/performance-records/{rec}", None),
        ("records: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/performance-records/{rec}/history", None),
        (
            "assessments: cadre steps",
            ("cadre",),
            True,
            "POST",
            f"/api/v1/assessments/{aid}/self-summary",
            {"summary": "s"},
        ),
        ("assessments: cadre steps", ("cadre",), True, "POST", f"/api/v1/assessments/{aid}/acknowledgement", {}),
        ("assessments: cadre steps", ("cadre",), True, "POST", f"/api/v1/assessments/{aid}/review-request", None),
        (
            "assessments: propose, decide, notify",
            ("org_admin", "assessor"),
            False,
            "POST",
            "/api/v1/assessments",
            {"cadre_id": "c-fin-2", "year": 2025},
        ),
        (
            "assessments: propose, decide, notify",
            ("org_admin", "assessor"),
            False,
            "POST",
            f"/api/v1/assessments/{aid}/proposal",
            {"grade": "COMPETENT", "comment": "c", "indicators": SCORES},
        ),
        *[
            (
                "assessments: propose, decide, notify",
                ("org_admin", "assessor"),
                False,
                "POST",
                f"/api/v1/assessments/{aid}/{step}",
                None,
            )
            for step in ("publicity", "decision", "notification")
        ],
        (
            "assessments: propose, decide, notify",
            ("org_admin", "assessor"),
            False,
            "POST",
            f"/api/v1/assessments/{aid}/review-decision",
            {},
        ),
        (
            "assessments: propose, decide, notify",
            ("org_admin", "assessor"),
            False,
            "POST",
            f"/api/v1/assessments/{aid}/supplement",
            {"grade": "COMPETENT"},
        ),
        (
            "assessments: propose, decide, notify",
            ("org_admin", "assessor"),
            False,
            "POST",
            "/api/v1/regular-assessments",
            {"cadre_id": "c-fin-1", "period_key": "2025-Q4", "result": "GOOD"},
        ),
        ("assessments: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/assessments", None),
        ("assessments: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/assessments/{aid}", None),
        ("assessments: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/regular-assessments", None),
        (
            "quota: configure",
            ("org_admin",),
            False,
            "PUT",
            "/api/v1/assessment-years/finance/2025",
            {"excellent_quota_pct": 20},
        ),
        ("quota: read", ("org_admin", "auditor"), False, "GET", "/api/v1/assessment-years", None),
        (
            "quota: figures",
            ("org_admin", "assessor", "auditor"),
            False,
            "GET",
            "/api/v1/assessment-years/finance/2025/quota",
            None,
        ),
        ("index: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/accountability-index/c-fin-1", None),
        ("index: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/accountability-index", None),
        (
            "catalogue: change",
            ("org_admin",),
            False,
            "POST",
            "/api/v1/inaction-items",
            {
                "code": f"NA-{uuid.uuid4().hex[:6].upper()}",
                "group": "NOT_ACTING",
                "description": "d",
                "severity": 1,
                "default_points": 2,
            },
        ),
        ("catalogue: change", ("org_admin",), False, "PATCH", "/api/v1/inaction-items/NA-1", {"severity": 2}),
        ("catalogue: read, own self-check", (*STAFF_R, "cadre"), True, "GET", "/api/v1/inaction-items", None),
        ("catalogue: read, own self-check", (*STAFF_R, "cadre"), True, "GET", "/api/v1/self-checks", None),
        (
            "catalogue: own self-check",
            ("cadre",),
            True,
            "POST",
            "/api/v1/self-checks",
            {"period_key": "2026-Q1", "answers": [{"item_code": "NA-1", "status": "CLEAR"}]},
        ),
        (
            "findings: report",
            ("org_admin", "discipline_officer", "assessor"),
            False,
            "POST",
            "/api/v1/inaction-findings",
            {"cadre_id": "c-fin-1", "item_code": "NA-1", "source_type": "MEDIA", "occurred_on": "2026-01-02"},
        ),
        *[
            (
                "findings: verify, confirm, dismiss",
                ("org_admin", "discipline_officer"),
                False,
                "POST",
                f"/api/v1/inaction-findings/{fid}/{a}",
                None,
            )
            for a in ("verification", "confirmation", "dismissal", "tolerance-referral")
        ],
        ("findings: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/inaction-findings", None),
        ("findings: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/inaction-findings/{fid}", None),
        (
            "talks: schedule, record",
            ("org_admin", "discipline_officer", "assessor"),
            False,
            "POST",
            "/api/v1/talks",
            {"type": "REMINDER", "cadre_id": "c-fin-1", "scheduled_on": "2026-01-20"},
        ),
        (
            "talks: schedule, record",
            ("org_admin", "discipline_officer", "assessor"),
            False,
            "POST",
            f"/api/v1/talks/{tid}/record",
            {"held_on": "2026-01-12"},
        ),
        (
            "talks: schedule, record",
            ("org_admin", "discipline_officer", "assessor"),
            False,
            "POST",
            "/api/v1/talks/schedules",
            {
                "cadre_id": "c-fin-1",
                "type": "HEART_TO_HEART",
                "reason": "FRONTLINE_TASK",
                "every_months": 3,
                "first_on": "2026-02-01",
            },
        ),
        ("talks: reply", ("cadre",), True, "POST", f"/api/v1/talks/{tid}/reply", {"reply_ref": "r"}),
        ("talks: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/talks", None),
        ("talks: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/talks/{tid}", None),
        ("talks: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/talks/overdue", None),
        (
            "awards: approve, revoke",
            ("org_admin",),
            False,
            "POST",
            "/api/v1/awards",
            {"cadre_id": "c-fin-1", "type": "TITLE"},
        ),
        *[
            ("awards: approve, revoke", ("org_admin",), False, "POST", f"/api/v1/awards/{wid}/{a}", None)
            for a in ("publicity", "approval", "grant", "revocation-review", "keep")
        ],
        ("awards: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/awards", None),
        ("awards: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/awards/{wid}", None),
        (
            "bonus: allocate",
            ("org_admin",),
            False,
            "POST",
            "/api/v1/bonus-allocations",
            {"org_unit_id": "finance", "year": 2025, "pool_cents": 1000},
        ),
        ("bonus: read", ("org_admin", "assessor", "auditor"), False, "GET", f"/api/v1/bonus-allocations/{bid}", None),
        (
            "coverage",
            ("org_admin", "assessor", "auditor"),
            False,
            "GET",
            "/api/v1/incentive-coverage?org_unit_id=finance",
            None,
        ),
        (
            "coverage: records",
            ("org_admin",),
            False,
            "POST",
            "/api/v1/incentive-coverage/records",
            {"cadre_id": "c-fin-1", "kind": "TRAINING", "on_date": "2026-01-05"},
        ),
        ("dossier part", (*STAFF_R, "cadre"), True, "GET", "/api/v1/dossier-parts/appraisal/c-fin-1", None),
        ("record notes: read", (*STAFF_R, "cadre"), True, "GET", "/api/v1/assessments/notes", None),
        ("record notes: read", (*STAFF_R, "cadre"), True, "GET", f"/api/v1/assessments/notes/{o['note']}", None),
        ("dashboard part", STAFF_R, False, "GET", "/api/v1/dashboard-parts/appraisal?org_unit_id=finance", None),
    ]


async def objects(app) -> dict:
    """Creates one object of each kind for cadre c-fin-1 (in finance)."""

    async def post(path: str, body: dict, role: str = "org_admin") -> str:
        r = await app.client.post(path, headers=app.hk(role, "city"), json=body)
        assert r.status_code == 201, (path, r.text)
        return r.json()["id"]

    await post(
        "/api/v1/inaction-items",
        {"code": "NA-1", "group": "NOT_ACTING", "description": "d", "severity": 1, "default_points": 2},
    )
    return {
        "assessment": await post("/api/v1/assessments", {"cadre_id": "c-fin-1", "year": 2025}),
        "record": await post(
            "/api/v1/performance-records",
            {"cadre_id": "c-fin-1", "occurred_on": "2026-01-05", "category": "KEY_TASK", "title": "t"},
        ),
        "finding": await post(
            "/api/v1/inaction-findings",
            {"cadre_id": "c-fin-1", "item_code": "NA-1", "source_type": "MEDIA", "occurred_on": "2026-01-02"},
        ),
        "talk": await post(
            "/api/v1/talks", {"type": "INQUIRY_LETTER", "cadre_id": "c-fin-1", "scheduled_on": "2026-01-12"}
        ),
        "award": await post("/api/v1/awards", {"cadre_id": "c-fin-1", "type": "MERIT_3"}),
        "bonus": None,
        "note": await note(app),
    }


async def note(app) -> str:
    """A term evaluation task on c-fin-1's record, as rank's contract_term_ending leaves it."""
    await app.publish(
        rank_v1.ContractTermEnding(
            contract_id="ct-1",
            cadre_id="c-fin-1",
            kind=ContractKind.ROLE_TERM,
            ends_on=dt.date(2026, 6, 30),
            review_due_on=dt.date(2026, 5, 31),
        )
    )
    await app.applied(1, "rank")
    t = orm.cadre_note
    return await app.scalar(select(t.c.id).where(t.c.source_ref == "contract/ct-1"))


async def call(app, method: str, path: str, body: dict | None, headers: dict) -> int:
    headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    r = await app.client.request(method, path, headers=headers, json=body)
    return r.status_code


async def test_every_cell_of_the_matrix(app):
    o = await objects(app)
    o["bonus"] = "none-yet"
    failures = []
    for cap, allowed, _self_only, method, path, body in matrix(o):
        for role in ALL:
            headers = app.h(role, "city", "c-fin-1" if role == "cadre" else None)
            if role == "cadre":
                headers = app.h("cadre", None, "c-fin-1")
            status = await call(app, method, path, body, headers)
            if role not in allowed and status != 403:
                failures.append(f"{cap}: {role} {method} {path} → {status}, want 403")
            if role in allowed and status in (401, 403) and not (path.endswith("/bonus-allocations/none-yet")):
                failures.append(f"{cap}: {role} {method} {path} → {status}, want the gate open")
            if role in allowed and status == 404 and "none-yet" not in path:
                failures.append(f"{cap}: {role} {method} {path} → 404 inside scope")
    assert not failures, "\n".join(failures)


async def test_objects_outside_scope_are_not_found_and_lists_exclude_them(app):
    o = await objects(app)
    failures = []
    for cap, allowed, _self_only, method, path, body in matrix(o):
        object_path = any(str(v) in path for v in o.values() if v) or "/c-fin-1" in path
        if not object_path or method == "POST" and body and "cadre_id" in body:
            continue
        for role in allowed:
            if role == "cadre":
                headers = app.h("cadre", None, "c-fin-2")  # another cadre: self-service only
            else:
                headers = app.h(role, "health")  # another unit's subtree
            status = await call(app, method, path, body, headers)
            if status != 404:
                failures.append(f"{cap}: {role} outside scope {method} {path} → {status}, want 404")
    for cap, allowed, _self_only, method, path, body in matrix(o):
        if method == "POST" and body and body.get("cadre_id") == "c-fin-1":
            for role in (r for r in allowed if r != "cadre"):
                status = await call(app, method, path, body, app.h(role, "health"))
                if status != 404:
                    failures.append(f"{cap}: {role} of health creates for finance → {status}, want 404")
    assert not failures, "\n".join(failures)
    for path in (
        "/api/v1/assessments",
        "/api/v1/performance-records",
        "/api/v1/inaction-findings",
        "/api/v1/talks",
        "/api/v1/awards",
        "/api/v1/assessments/notes",
    ):
        response = await app.client.get(path, headers=app.h("auditor", "health"))
        assert response.json().get("items") == [], (path, response.status_code, response.text)
        assert (await app.client.get(path, headers=app.h("cadre", None, "c-fin-2"))).json()["items"] == []
        assert len((await app.client.get(path, headers=app.h("auditor", "finance"))).json()["items"]) >= 1
    app.at(dt.date(2026, 1, 12))
