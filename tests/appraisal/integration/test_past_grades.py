"""POST /assessments/history: past annual grades recorded as past facts (SQLite and PostgreSQL, real NATS)."""

from __future__ import annotations

from sqlalchemy import select, text

from services.appraisal.adapters import orm

URL = "/api/v1/assessments/history"


def body(**over) -> dict:
    values = {
        "cadre_id": "c-fin-4",
        "year": 2019,
        "grade": "COMPETENT",
        "decided_on": "2020-01-20",
        "notified_on": "2020-01-22",
        "source": "PAPER_RECORD",
        "document_no": "财考字〔2020〕3号",
    }
    values.update(over)
    return values


EXCELLENT = {
    "grade": "EXCELLENT",
    "publicity_from": "2020-01-06",
    "publicity_to": "2020-01-13",
    "decided_on": "2020-01-14",
}


async def test_a_past_grade_is_final_with_its_real_dates_provenance_and_the_live_event(app):
    response = await app.client.post(
        URL,
        json=body(**EXCELLENT),
        headers={**app.auth.headers("org_admin", unit="city", subject="admin-9"), "Idempotency-Key": "k-history-1"},
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["outcome"] == "RECORDED"
    assessment_id = answer["assessment_id"]
    listed = (
        await app.client.get(
            "/api/v1/assessments", params={"cadre_id": "c-fin-4", "year": 2019}, headers=app.h("assessor")
        )
    ).json()["items"]
    assert len(listed) == 1
    row = listed[0]
    assert (row["id"], row["status"], row["final_grade"], row["decided_on"], row["notified_on"]) == (
        assessment_id,
        "FINAL",
        "EXCELLENT",
        "2020-01-14",
        "2020-01-22",
    )
    assert (row["source"], row["document_no"], row["recorded_by"]) == ("PAPER_RECORD", "财考字〔2020〕3号", "admin-9")
    assert row["recorded_at"] is not None and row["publicity_to"] == "2020-01-13"
    assert await app.outbox("grade_finalized") == [
        {
            "assessmentId": assessment_id,
            "cadreId": "c-fin-4",
            "orgUnitId": "finance",
            "year": 2019,
            "grade": "EXCELLENT",
            "supplemented": False,
            "amended": False,
            "undeterminedReason": None,
            "finalizedOn": "2020-01-14",
        }
    ]
    # the dossier as of a date sees it from its real decision date, not from the day it was recorded
    before = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-4", params={"as_of": "2020-01-13"}, headers=app.h("org_admin")
        )
    ).json()
    after = (
        await app.client.get(
            "/api/v1/dossier-parts/appraisal/c-fin-4", params={"as_of": "2020-01-14"}, headers=app.h("org_admin")
        )
    ).json()
    assert before["grades"] == []
    assert [(g["year"], g["final_grade"], g["source"], g["notified_on"]) for g in after["grades"]] == [
        (2019, "EXCELLENT", "PAPER_RECORD", "2020-01-22")
    ]
    # no award is proposed for a past 优秀 (its 嘉奖, if any, was given at the time)
    assert await app.rows(select(orm.award.c.id).where(orm.award.c.cadre_id == "c-fin-4")) == []


async def test_the_same_values_change_nothing_and_different_values_are_a_correction(app):
    first = (await app.client.post(URL, json=body(), headers=app.hk("org_admin"))).json()
    again = await app.client.post(URL, json=body(), headers=app.hk("org_admin"))
    assert again.status_code == 201 and again.json()["outcome"] == "UNCHANGED"
    assert again.json()["id"] == first["id"]
    assert len(await app.outbox("grade_finalized")) == 1
    corrected = await app.client.post(
        URL, json=body(grade="BASIC", decided_on="2020-02-03", notified_on="2020-02-04"), headers=app.hk("org_admin")
    )
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["outcome"] == "CORRECTED" and corrected.json()["assessment_id"] == first["assessment_id"]
    events = await app.outbox("grade_finalized")
    assert [(e["grade"], e["finalizedOn"], e["amended"]) for e in events] == [
        ("COMPETENT", "2020-01-20", False),
        ("BASIC", "2020-02-03", True),
    ]
    r = orm.assessment_grade_record
    records = await app.rows(
        select(r.c.id, r.c.grade, r.c.supersedes).where(r.c.cadre_id == "c-fin-4").order_by(r.c.recorded_at)
    )
    assert [(x.grade, x.supersedes) for x in records] == [("COMPETENT", None), ("BASIC", first["id"])]
    row = (await app.client.get(f"/api/v1/assessments/{first['assessment_id']}", headers=app.h("org_admin"))).json()
    assert (row["final_grade"], row["decided_on"], row["amended"]) == ("BASIC", "2020-02-03", True)


async def test_a_live_assessment_of_the_year_is_not_overwritten_and_a_recorded_year_is_not_opened_live(app):
    opened = await app.client.post(
        "/api/v1/assessments", json={"cadre_id": "c-fin-4", "year": 2025}, headers=app.hk("assessor")
    )
    assert opened.status_code == 201
    refused = await app.client.post(
        URL, json=body(year=2025, decided_on="2026-01-05", notified_on="2026-01-06"), headers=app.hk("org_admin")
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "assessment_history.live_assessment"
    assert (await app.client.post(URL, json=body(), headers=app.hk("org_admin"))).status_code == 201
    live = await app.client.post(
        "/api/v1/assessments", json={"cadre_id": "c-fin-4", "year": 2019}, headers=app.hk("assessor")
    )
    assert live.status_code == 409 and live.json()["rule"] == "assessment.one_per_year"


async def test_past_facts_are_refused_before_entry_in_the_future_or_without_publicity_naming_the_field(app):
    cases = [
        (body(year=2009, decided_on="2009-12-30", notified_on="2010-01-04"), "decided_on"),  # entry 2010-01-01
        (body(year=2025, decided_on="2026-01-13", notified_on="2026-01-13"), "decided_on"),  # today 2026-01-12
        (body(notified_on="2020-01-19"), "notified_on"),
        (body(year=2021), "year"),
        (body(grade="EXCELLENT"), "publicity_from"),
        (body(**{**EXCELLENT, "publicity_to": "2020-01-10"}), "publicity_to"),
        (body(year=1899), "year"),
        (body(source="RUMOUR"), "source"),
        (body(extra="x"), "extra"),
    ]
    for payload, field in cases:
        response = await app.client.post(URL, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, (field, response.text)
        problem = response.json()
        fields = [e.get("field") for e in problem.get("errors", [])] + [problem.get("field")]
        assert any(f is not None and field in f for f in fields), (field, problem)
        assert payload["cadre_id"] not in response.text
    assert await app.outbox("grade_finalized") == []


async def test_only_an_org_admin_records_past_grades_and_the_key_is_required(app):
    for role in ("assessor", "discipline_officer", "auditor"):
        assert (await app.client.post(URL, json=body(), headers=app.hk(role))).status_code == 403
    assert (await app.client.post(URL, json=body(), headers=app.h("org_admin"))).status_code == 422
    # outside the caller's subtree: the uniform 404
    outside = await app.client.post(URL, json=body(), headers=app.hk("org_admin", unit="health"))
    assert outside.status_code == 404


async def test_a_past_years_quota_is_reported_not_enforced(app):
    answers = []
    for cadre in ("c-fin-4", "c-fin-5"):
        response = await app.client.post(URL, json=body(cadre_id=cadre, **EXCELLENT), headers=app.hk("org_admin"))
        assert response.status_code == 201, response.text
        answers.append(response.json()["quota"])
    # two assessed staff of the finance bureau in 2019: FLOOR(20 %) = 0 places, no minimum under 3 staff
    assert [(q["limit"], q["used"], q["exceeded"]) for q in answers] == [(0, 1, True), (0, 2, True)]
    r = orm.assessment_grade_record
    assert await app.rows(select(r.c.quota_exceeded)) == [(True,), (True,)]


BATCH = "/api/v1/assessments/history/batch"


async def test_a_batch_records_each_fact_as_the_single_route_and_a_refused_fact_sinks_only_itself(app):
    single = (await app.client.post(URL, json=body(cadre_id="c-fin-5"), headers=app.hk("org_admin"))).json()
    items = [
        body(),
        body(cadre_id="c-fin-5"),  # new; the same values as the single route recorded: UNCHANGED
        body(year=2018, decided_on="2019-01-20", notified_on="2019-01-19"),  # notified before decided
        body(cadre_id="c-health-1"),  # another subtree (the caller's is finance): the uniform 404
        body(
            year=2020,
            grade="EXCELLENT",
            publicity_from="2021-01-06",
            publicity_to="2021-01-13",
            decided_on="2021-01-14",
            notified_on="2021-01-15",
        ),
    ]
    response = await app.client.post(BATCH, json={"items": items}, headers=app.hk("org_admin", unit="finance"))
    assert response.status_code == 207, response.text  # some items refused
    answer = response.json()["items"]
    assert [a["index"] for a in answer] == [0, 1, 2, 3, 4]
    assert [a["outcome"] for a in answer] == ["RECORDED", "UNCHANGED", None, None, "RECORDED"]
    assert answer[1]["id"] == single["id"] and answer[0]["quota"]["counting_unit_id"] == "finance"
    assert (answer[2]["problem"]["status"], answer[2]["problem"]["field"]) == (422, "notified_on")
    assert answer[2]["problem"]["rule"].startswith("assessment_history")
    assert (answer[3]["problem"]["status"], answer[3]["problem"]["field"]) == (404, "cadre_id")
    assert "c-health-1" not in response.text
    # exactly the events the single route emits: one grade_finalized per recorded fact, none for the refused ones
    events = await app.outbox("grade_finalized")
    assert sorted((e["cadreId"], e["year"], e["grade"]) for e in events) == [
        ("c-fin-4", 2019, "COMPETENT"),
        ("c-fin-4", 2020, "EXCELLENT"),
        ("c-fin-5", 2019, "COMPETENT"),
    ]
    listed = (
        await app.client.get("/api/v1/assessments", params={"cadre_id": "c-fin-4"}, headers=app.h("org_admin"))
    ).json()["items"]
    assert sorted((a["year"], a["final_grade"], a["source"]) for a in listed) == [
        (2019, "COMPETENT", "PAPER_RECORD"),
        (2020, "EXCELLENT", "PAPER_RECORD"),
    ]

    # the same batch again with a new key: every fact UNCHANGED (or refused again), nothing emitted
    again = await app.client.post(BATCH, json={"items": items}, headers=app.hk("org_admin", unit="finance"))
    assert [a["outcome"] for a in again.json()["items"]] == ["UNCHANGED", "UNCHANGED", None, None, "UNCHANGED"]
    assert len(await app.outbox("grade_finalized")) == 3
    # a changed value in a batch is a correction, as through the single route
    corrected = await app.client.post(BATCH, json={"items": [body(grade="BASIC")]}, headers=app.hk("org_admin"))
    assert corrected.status_code == 200 and corrected.json()["items"][0]["outcome"] == "CORRECTED"


async def test_a_batch_is_an_org_admins_keyed_and_bounded_request(app):
    for role in ("assessor", "discipline_officer", "auditor"):
        response = await app.client.post(BATCH, json={"items": [body()]}, headers=app.hk(role))
        assert response.status_code == 403, role
    assert (await app.client.post(BATCH, json={"items": [body()]}, headers=app.h("org_admin"))).status_code == 422
    for payload, field in (
        ({"items": []}, "items"),
        ({"items": [body()] * 501}, "items"),
        ({"items": [body(source="RUMOUR")]}, "source"),
        ({"items": [body()], "x": 1}, "x"),
    ):
        response = await app.client.post(BATCH, json=payload, headers=app.hk("org_admin"))
        assert response.status_code == 422, field
        assert any(field in (e.get("field") or "") for e in response.json()["errors"]), (field, response.text)
    key = app.hk("org_admin")
    first = await app.client.post(BATCH, json={"items": [body()]}, headers=key)
    replay = await app.client.post(BATCH, json={"items": [body()]}, headers=key)
    assert replay.json() == first.json() and first.json()["items"][0]["outcome"] == "RECORDED"
    assert first.status_code == replay.status_code == 200
    assert len(await app.outbox("grade_finalized")) == 1


async def test_a_plain_batch_answers_counts_and_audits_exactly_as_fact_by_fact(app):
    """A first import (every fact new) is recorded set-based; its quota answers, records, audit rows and events
    equal what the single route gives for the same facts one by one (another year of the same agency)."""
    from kernel.audit import verify_chain

    cadres = ["c-fin-1", "c-fin-2", "c-fin-3", "c-fin-4", "c-fin-5"]  # c-fin-3's division is an agency of its own

    def fact(cadre_id: str, year: int) -> dict:
        return body(
            cadre_id=cadre_id,
            year=year,
            grade="EXCELLENT",
            publicity_from=f"{year + 1}-01-06",
            publicity_to=f"{year + 1}-01-13",
            decided_on=f"{year + 1}-01-14",
            notified_on=f"{year + 1}-01-15",
        )

    singles = [(await app.client.post(URL, json=fact(c, 2017), headers=app.hk("org_admin"))).json() for c in cadres]
    batch = (
        await app.client.post(BATCH, json={"items": [fact(c, 2018) for c in cadres]}, headers=app.hk("org_admin"))
    ).json()["items"]
    assert [i["outcome"] for i in batch] == ["RECORDED"] * 5
    assert [i["quota"] for i in batch] == [s["quota"] for s in singles]
    assert any(q["quota"]["exceeded"] for q in batch) and not batch[-1]["quota"]["limit"] == 0
    r = orm.assessment_grade_record
    rows = await app.rows(select(r.c.year, r.c.cadre_id, r.c.quota_exceeded, r.c.supersedes, r.c.source))
    by_year = {y: sorted((c, e, s, src) for yy, c, e, s, src in rows if yy == y) for y in (2017, 2018)}
    assert by_year[2017] == by_year[2018] and any(e for _, e, _, _ in by_year[2018])
    audit = orm.audit_log
    actions = await app.rows(select(audit.c.object_id).where(audit.c.action == "HISTORY_RECORDED"))
    assert sorted(a for (a,) in actions) == sorted(
        [s["assessment_id"] for s in singles] + [i["assessment_id"] for i in batch]
    )
    async with app.runtime.db.reader.connect() as conn:
        assert await verify_chain(conn, audit) is None  # the batch's rows extend the hash chain in order
    events = await app.outbox("grade_finalized")
    assert sorted((e["cadreId"], e["grade"], e["finalizedOn"][5:]) for e in events if e["year"] == 2018) == sorted(
        (e["cadreId"], e["grade"], e["finalizedOn"][5:]) for e in events if e["year"] == 2017
    )
    # the same batch again: every fact UNCHANGED, naming the record the batch made, with the same figures
    again = (
        await app.client.post(BATCH, json={"items": [fact(c, 2018) for c in cadres]}, headers=app.hk("org_admin"))
    ).json()["items"]
    assert [(i["outcome"], i["id"]) for i in again] == [("UNCHANGED", i["id"]) for i in batch]
    assert [i["quota"]["used"] for i in again] == [4, 4, 1, 4, 4]
    if app.runtime.db.writer.dialect.name == "postgresql":  # the import's tables were analyzed after its batch
        tuples = text("SELECT reltuples FROM pg_class WHERE relname = 'annual_assessment'")
        assert await app.scalar(tuples) >= 5
