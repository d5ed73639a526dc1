"""Recording past appeals (申诉) and their outcomes: the decisions appealed arrive through NATS as live, the appeal is
recorded with its real dates, the time limits run from the real notification, `appeal_decided` carries the real
decision date, and the dossier part sees the appeal from its real filing date (SQLite and PostgreSQL, real NATS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from kernel.contracts.vocabulary import SanctionSystem, SanctionType
from kernel.testing.helpers import eventually
from services.petitions.adapters import orm
from tests.petitions.integration.test_appeals import known, sanction

D = dt.date


def past(**extra: Any) -> dict[str, Any]:
    return {
        "appellant_cadre_id": "c-fin-1",
        "target_type": "CS_SANCTION",
        "target_ref": "sanction/s-h1",
        "stage": "REVIEW",
        "notified_on": "2019-03-05",
        "filed_on": "2019-03-20",
        "accepted_on": "2019-03-22",
        "outcome": "VARIED",
        "varied_to": "WARNING",
        "decided_on": "2019-04-15",
        "document_number": "市人社复〔2019〕3号",
        "source": "PAPER_RECORD",
        "grounds": "facts partly wrong",
        "reasons": "the facts support a warning only",
        **extra,
    }


async def record(api, body: dict[str, Any], role: str = "org_admin", **kw: Any):
    return await api.post("/appeals/history", create=True, role=role, json=body, **kw)


async def test_a_past_appeal_is_recorded_with_its_real_dates_and_corrected_append_only(api):
    await api.publish(sanction("s-h1", SanctionSystem.CIVIL_SERVICE, SanctionType.DEMERIT, D(2019, 3, 1)))
    await known(api, "sanction/s-h1")
    r = await record(api, past())
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["outcome"] == "RECORDED" and first["revision"] == 1 and first["status"] == "DECIDED"
    appeal = await api.ok("GET", f"/appeals/{first['id']}", role="org_admin")
    # The time limits run from the real dates: 30 days from the notification, 30 days from the acceptance.
    assert (
        appeal["filed_on"],
        appeal["filing_deadline"],
        appeal["accepted_on"],
        appeal["decision_due_on"],
        appeal["decided_on"],
    ) == ("2019-03-20", "2019-04-04", "2019-03-22", "2019-04-21", "2019-04-15")
    assert appeal["original_value"] == "DEMERIT" and appeal["result"] == "VARIED"

    # The same values again (another key, another source, spacing in the 文号): nothing changes.
    r = await record(api, past(source="IMPORT", document_number="市人社复〔2019〕 3号"))
    assert r.status_code == 200, r.text
    assert r.json() == {**first, "outcome": "UNCHANGED"}

    # A correction (the acceptance was in fact on the 25th, another 文号): a new revision, the first one kept.
    r = await record(api, past(accepted_on="2019-03-25", document_number="市人社复〔2019〕4号"))
    assert r.status_code == 201, r.text
    corrected = r.json()
    assert (corrected["id"], corrected["revision"], corrected["outcome"]) == (first["id"], 2, "CORRECTED")
    records = await api.rows(
        select(
            orm.appeal_record.c.revision,
            orm.appeal_record.c.accepted_on,
            orm.appeal_record.c.document_number,
            orm.appeal_record.c.source,
        )
        .where(orm.appeal_record.c.appeal_id == first["id"])
        .order_by(orm.appeal_record.c.revision)
    )
    assert [tuple(x) for x in records] == [
        (1, D(2019, 3, 22), "市人社复〔2019〕3号", "PAPER_RECORD"),
        (2, D(2019, 3, 25), "市人社复〔2019〕4号", "PAPER_RECORD"),
    ]
    appeal = await api.ok("GET", f"/appeals/{first['id']}", role="org_admin")
    assert (appeal["accepted_on"], appeal["decision_due_on"]) == ("2019-03-25", "2019-04-24")
    deadline = await api.rows(
        select(orm.deadline.c.start_on, orm.deadline.c.due_on, orm.deadline.c.status, orm.deadline.c.met_on).where(
            orm.deadline.c.object_id == first["id"]
        )
    )
    assert [tuple(x) for x in deadline] == [(D(2019, 3, 25), D(2019, 4, 24), "MET", D(2019, 4, 15))]
    # The outcome already sent to the sanction's owner is not corrected this way.
    r = await record(
        api, past(accepted_on="2019-03-25", document_number="市人社复〔2019〕4号", outcome="REVOKED", varied_to=None)
    )
    assert r.status_code == 409 and r.json()["rule"] == "appeal_history.decided", r.text

    # The live event, once, with the real decision date (tolerance lifts or varies on that day).
    async def told():
        events = await api.published("appeal_decided")
        assert events == [
            {
                "appealId": first["id"],
                "appellantCadreId": "c-fin-1",
                "targetType": "CS_SANCTION",
                "targetRef": "sanction/s-h1",
                "stage": "REVIEW",
                "result": "VARIED",
                "variedTo": "WARNING",
                "decidedOn": "2019-04-15",
            }
        ]

    await eventually(told, timeout=20)

    # As-of: the dossier part sees the appeal from its real filing date, not from the day it was typed in.
    before = await api.ok("GET", "/dossier-parts/petitions/c-fin-1", role="org_admin", params={"as_of": "2019-03-19"})
    on = await api.ok("GET", "/dossier-parts/petitions/c-fin-1", role="org_admin", params={"as_of": "2019-03-20"})
    assert before["appeals"] == []
    assert [(a["id"], a["filed_on"], a["status"], a["result"]) for a in on["appeals"]] == [
        (first["id"], "2019-03-20", "FILED", None)
    ]
    # ... and its outcome from the real decision date (accepted on the corrected 25 March meanwhile).
    for day, status, result in (
        ("2019-03-25", "ACCEPTED", None),
        ("2019-04-14", "ACCEPTED", None),
        ("2019-04-15", "DECIDED", "VARIED"),
    ):
        part = await api.ok("GET", "/dossier-parts/petitions/c-fin-1", role="org_admin", params={"as_of": day})
        assert [(a["status"], a["result"]) for a in part["appeals"]] == [(status, result)], day


async def test_a_late_past_appeal_is_time_barred_as_live(api):
    await api.publish(
        sanction("s-h2", SanctionSystem.GOV, SanctionType.WARNING, D(2020, 5, 1)),
        sanction("s-h2b", SanctionSystem.GOV, SanctionType.WARNING, D(2020, 5, 1)),
    )
    await known(api, "sanction/s-h2", "sanction/s-h2b")
    late = past(
        target_type="GOV_SANCTION",
        target_ref="sanction/s-h2",
        notified_on="2020-05-01",
        filed_on="2020-07-01",
        accepted_on="2020-07-02",
        decided_on="2020-07-20",
        outcome="UPHELD",
        varied_to=None,
    )
    # 复审 within one month of the notification (监察法 §56): a decision on the merits is impossible.
    r = await record(api, late, "discipline_officer")
    assert r.status_code == 422, r.text
    assert (r.json()["rule"], r.json()["field"]) == ("appeal.time_barred", "filed_on") and r.json()["source"]
    r = await record(
        api, {**late, "accepted_on": None, "outcome": "TIME_BARRED", "decided_on": "2020-07-01"}, "discipline_officer"
    )
    assert r.status_code == 201 and r.json()["status"] == "REJECTED_TIME_BARRED", r.text
    barred = r.json()["id"]
    # Filed in time, it was not time-barred.
    r = await record(
        api,
        {
            **late,
            "filed_on": "2020-05-20",
            "accepted_on": None,
            "outcome": "TIME_BARRED",
            "decided_on": "2020-05-20",
            "target_ref": "sanction/s-h2b",
        },
        "discipline_officer",
    )
    assert r.status_code == 422 and r.json()["rule"] == "appeal_history.not_time_barred", r.text

    async def told():
        events = [e for e in await api.published("appeal_decided") if e["appealId"] == barred]
        assert [(e["result"], e["decidedOn"]) for e in events] == [("TIME_BARRED", "2020-07-01")]

    await eventually(told, timeout=20)


async def test_dates_roles_and_scope_of_a_past_appeal(api):
    await api.publish(sanction("s-h3", SanctionSystem.CIVIL_SERVICE, SanctionType.DEMERIT, D(2021, 6, 1)))
    await known(api, "sanction/s-h3")
    body = past(
        target_ref="sanction/s-h3",
        notified_on="2021-06-02",
        filed_on="2021-06-10",
        accepted_on=None,
        decided_on="2021-07-01",
    )
    # The future (today is 2026-11-27), and the order of the steps.
    r = await record(api, {**body, "decided_on": "2026-12-01"})
    assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("appeal_history.future", "decided_on")
    r = await record(api, {**body, "filed_on": "2021-05-31"})
    assert r.status_code == 422 and r.json()["field"] == "filed_on", r.text
    # Before the cadre's entry into service (2004-07-01), for a decision no service here owns.
    old = {
        **body,
        "target_type": "SUPERVISION_CONDUCT",
        "target_ref": "measure/m-1",
        "stage": "APPEAL",
        "decision_on": "2003-01-10",
        "notified_on": "2003-01-10",
        "filed_on": "2003-01-20",
        "outcome": "UPHELD",
        "varied_to": None,
        "decided_on": "2003-02-20",
    }
    r = await record(api, old, "discipline_officer")
    assert r.status_code == 422, r.text
    assert (r.json()["rule"], r.json()["field"]) == ("appeal_history.before_entry", "decision_on")
    assert "2003-01-10" not in r.text
    # Out of scope (a county's organization department), the caller's relative, an unknown cadre: 404.
    r = await record(api, body, unit="county-b")
    assert r.status_code == 404, r.text
    r = await record(api, body, cadre_id="c-fin-2", unit="city")
    assert r.status_code == 404, r.text
    r = await record(api, {**body, "appellant_cadre_id": "c-nobody"})
    assert r.status_code == 404, r.text
    # The role that decides the target type live: org_admin for 处分 (公务员法); not discipline officers, staff or
    # the cadre.
    r = await record(api, body, "discipline_officer")
    assert r.status_code == 403 and r.json()["rule"] == "appeal.decider", r.text
    for role, extra in (("petitions_staff", {}), ("cadre", {"unit": None, "cadre_id": "c-fin-1"})):
        r = await record(api, body, role, **extra)
        assert r.status_code == 403, (role, r.text)
    # Idempotency-Key required; unknown fields refused.
    r = await api.post("/appeals/history", role="org_admin", json=body)
    assert r.status_code in (400, 422, 428), r.text
    r = await record(api, {**body, "status": "DECIDED"})
    assert r.status_code == 422, r.text
    # Nothing about a reporter: a general petition's review (its petitioner is a reporter) is not recorded here.
    r = await record(
        api,
        {**body, "target_type": "XINFANG", "target_ref": "report/r-1", "decision_on": "2021-06-01"},
        "discipline_officer",
    )
    assert r.status_code == 422 and r.json()["rule"] == "appeal_history.target_type", r.text
    assert await api.rows(select(orm.appeal_record.c.id)) == []
    # Then recorded, by the right role, in scope.
    r = await record(api, body)
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"id", "record_id", "revision", "outcome", "status"}


async def test_the_owner_reacts_to_a_past_revocation_on_its_real_date(
    petitions_api, fresh_db, nats_url, events_ns, test_auth
):
    """Real tolerance service on the same nats-server: a past sanction recorded there, a past appeal revoking it
    recorded here; tolerance revokes it and ends its restrictions on the real decision date."""
    import uuid

    from kernel import deps
    from kernel.testing.helpers import running, settings_for
    from services.tolerance.main import create_app as tolerance_app
    from services.tolerance.settings import ToleranceSettings
    from tests.petitions.support import TODAY, cadre_events, unit_events

    tol = tolerance_app(
        settings_for(
            ToleranceSettings,
            database_url=await fresh_db("tolerance"),
            nats_url=nats_url,
            namespace=events_ns,
            auth=test_auth,
            expiry_sweep_enabled=False,
            tolerance_window_days=0,
        )
    )
    tol.dependency_overrides[deps.today] = lambda: TODAY
    officer = test_auth.headers("discipline_officer", unit="city")
    async with petitions_api() as api, running(tol) as tol_client:
        await tol.state.runtime.wait_ready()
        await api.publish(*unit_events(), *cadre_events())  # rank's register, for tolerance's directory

        async def sanctioned() -> str:
            r = await tol_client.post(
                "/api/v1/sanctions/history",
                headers={**officer, "Idempotency-Key": uuid.uuid4().hex},
                json={
                    "cadre_id": "c-fin-1",
                    "system": "CIVIL_SERVICE",
                    "type": "DEMERIT",
                    "decided_on": "2026-03-02",
                    "effective_from": "2026-03-02",
                    "document_number": "市人社〔2026〕8号",
                    "source": "PAPER_RECORD",
                },
            )
            assert r.status_code == 201, r.text  # 404 until the register reaches tolerance
            return r.json()["id"]

        sanction_id = await eventually(sanctioned, timeout=20)
        await known(api, f"sanction/{sanction_id}")  # petitions learned it from sanction_effective

        async def restrictions(day: str) -> list[dict[str, Any]]:
            r = await tol_client.get(
                "/api/v1/restrictions", headers=officer, params={"cadre_id": "c-fin-1", "active_on": day, "limit": 100}
            )
            assert r.status_code == 200, r.text
            return r.json()["items"]

        assert await restrictions("2026-04-20")
        r = await record(
            api,
            past(
                target_ref=f"sanction/{sanction_id}",
                notified_on="2026-03-05",
                filed_on="2026-03-20",
                accepted_on="2026-03-23",
                outcome="REVOKED",
                varied_to=None,
                decided_on="2026-04-20",
                document_number="市人社复〔2026〕2号",
            ),
        )
        assert r.status_code == 201, r.text

        async def revoked() -> None:
            r = await tol_client.get(f"/api/v1/sanctions/{sanction_id}", headers=officer)
            assert r.json()["status"] == "REVOKED", r.text

        await eventually(revoked, timeout=20)
        assert await restrictions("2026-04-19")  # in force until the day before the real revocation
        assert await restrictions("2026-04-20") == []
        items = (
            await tol_client.get("/api/v1/restrictions", headers=officer, params={"cadre_id": "c-fin-1", "limit": 100})
        ).json()["items"]
        assert {
            (i["status"], i["reason"], i["lifted_on"], i["applies_until"]) for i in items if i["status"] != "VOID"
        } == {("LIFTED", "APPEAL_REVOKED", "2026-04-20", "2026-04-19")}
