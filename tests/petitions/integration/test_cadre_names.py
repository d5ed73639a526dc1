"""Names in every petitions read that shows cadres (issue 13 item 5): the accused of reports, allegations and cases,
statement requests, clarifications, appeals and the victims of false accusations carry the cadre's name from the
directory, resolved in one query per page; null for a cadre the directory does not know yet and for one outside the
caller's bounds; never the reporter's (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete, event

from kernel.contracts.vocabulary import SanctionSystem, SanctionType
from services.petitions.adapters import orm
from tests.petitions.integration.test_appeals import known, sanction
from tests.petitions.support import TODAY, decision, reporter

ACCUSED = ["c-fin-1", "c-cty-a"]
NAMES = {c: f"Cadre {c}" for c in ("c-fin-1", "c-fin-2", "c-cty-a", "c-cty-b")}


def named(items: list[dict]) -> list[tuple[str, str | None]]:
    return [(x["cadre_id"], x["cadre_name"]) for x in items]


async def forget(api, cadre_id: str) -> None:
    """Drops a cadre from the directory, as if the register's snapshot had not arrived yet."""
    async with api.app.state.runtime.uow() as uow:
        await uow.conn.execute(delete(orm.directory.cadre).where(orm.directory.cadre.c.cadre_id == cadre_id))
        await uow.commit()


@contextmanager
def statements(api) -> Iterator[list[str]]:
    """Collects the SQL statements the app runs (reader and writer)."""
    seen: list[str] = []
    db = api.app.state.runtime.db
    engines = {id(e.sync_engine): e.sync_engine for e in (db.reader, db.writer)}.values()

    def collect(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", collect)


async def test_report_lists_and_reads_name_the_accused_allegations_and_cases(api):
    report_id = await api.intake(accused=ACCUSED, reporter=reporter(3))
    await api.register(
        report_id, accused=ACCUSED, allegations=[{"summary": "gifts", "cadre_id": "c-fin-1"}, {"summary": "trips"}]
    )
    await api.to_disposal(report_id)
    await api.ok(
        "POST",
        f"/reports/{report_id}/case",
        json={"cadre_ids": ["c-cty-a"], "opened_on": TODAY.isoformat(), "decision": decision()},
    )
    for role in ("discipline_officer", "petitions_staff"):
        [item] = (await api.ok("GET", "/reports", role=role))["items"]
        assert [(a["cadre_id"], a["cadre_name"], a["outcome"]) for a in item["accused"]] == [
            ("c-fin-1", "Cadre c-fin-1", None),
            ("c-cty-a", "Cadre c-cty-a", None),
        ]
        report = await api.ok("GET", f"/reports/{report_id}", role=role)
        assert named(report["accused"]) == [(c, NAMES[c]) for c in ACCUSED]
        assert named(report["allegations"]) == [("c-fin-1", "Cadre c-fin-1"), (None, None)]
        assert named(report["cases"]) == [("c-cty-a", "Cadre c-cty-a")]
        # The real-name reporter is never named anywhere in a read.
        assert "Reporter" not in str(item) and "Reporter" not in str(report)


async def test_names_are_resolved_in_one_query_per_page(api):
    for _ in range(3):
        report_id = await api.intake(accused=ACCUSED)
        await api.register(report_id, accused=ACCUSED)
    with statements(api) as seen:
        page = await api.ok("GET", "/reports?limit=3")
    assert len(page["items"]) == 3
    assert all(named(i["accused"]) == [(c, NAMES[c]) for c in ACCUSED] for i in page["items"])
    assert len([s for s in seen if "named_cadre" in s]) == 1, seen


async def test_a_cadre_outside_the_callers_bounds_is_not_named(api):
    # Closed reports are read by an org admin whose subtree holds one of the accused (kernel.access): the other
    # accused stays an id, as the register would not show that cadre to this caller either.
    report_id = await api.closed_report("UNFOUNDED", accused=ACCUSED)
    [item] = (await api.ok("GET", "/reports", role="org_admin", unit="finance"))["items"]
    assert named(item["accused"]) == [("c-fin-1", "Cadre c-fin-1"), ("c-cty-a", None)]
    report = await api.ok("GET", f"/reports/{report_id}", role="org_admin", unit="finance")
    assert named(report["accused"]) == [("c-fin-1", "Cadre c-fin-1"), ("c-cty-a", None)]
    # The city sees both.
    [item] = (await api.ok("GET", "/reports", role="org_admin"))["items"]
    assert named(item["accused"]) == [(c, NAMES[c]) for c in ACCUSED]


async def test_a_cadre_the_directory_does_not_know_yet_has_a_null_name(api):
    report_id = await api.intake(accused=ACCUSED)
    await api.register(report_id, accused=ACCUSED, allegations=[{"summary": "trips", "cadre_id": "c-cty-a"}])
    await api.to_disposal(report_id, mode="INQUIRY_LETTER", letter_text="Please explain the gifts.")
    await forget(api, "c-cty-a")
    [item] = (await api.ok("GET", "/reports"))["items"]
    assert named(item["accused"]) == [("c-fin-1", "Cadre c-fin-1"), ("c-cty-a", None)]
    report = await api.ok("GET", f"/reports/{report_id}")
    assert named(report["accused"]) == [("c-fin-1", "Cadre c-fin-1"), ("c-cty-a", None)]
    assert named(report["allegations"]) == [("c-cty-a", None)]
    letters = (await api.ok("GET", f"/statements?report_id={report_id}"))["items"]
    assert sorted(named(letters)) == [("c-cty-a", None), ("c-fin-1", "Cadre c-fin-1")]
    unknown = next(x for x in letters if x["cadre_id"] == "c-cty-a")
    assert (await api.ok("GET", f"/statements/{unknown['id']}"))["cadre_name"] is None


async def test_statement_requests_name_their_addressee(api):
    report_id = await api.intake(accused=ACCUSED)
    await api.register(report_id, accused=ACCUSED)
    await api.to_disposal(report_id, mode="INQUIRY_LETTER", letter_text="Please explain the gifts.")
    letters = (await api.ok("GET", "/statements"))["items"]
    assert sorted(named(letters)) == [(c, NAMES[c]) for c in sorted(ACCUSED)]
    own = (await api.ok("GET", "/statements", role="cadre", unit=None, cadre_id="c-cty-a"))["items"]
    assert named(own) == [("c-cty-a", "Cadre c-cty-a")]
    one = await api.ok("GET", f"/statements/{own[0]['id']}", role="cadre", unit=None, cadre_id="c-cty-a")
    assert (one["cadre_id"], one["cadre_name"]) == ("c-cty-a", "Cadre c-cty-a")


async def test_clarifications_and_false_accusations_name_the_cadre_never_the_accuser(api):
    report_id = await api.closed_report(
        "UNFOUNDED", reporter=reporter(1), adverse_effect=True, accusation_spread="UNIT"
    )
    [clarification] = (await api.ok("GET", "/clarifications", role="org_admin"))["items"]
    assert (clarification["cadre_id"], clarification["cadre_name"]) == ("c-fin-1", "Cadre c-fin-1")
    one = await api.ok("GET", f"/clarifications/{clarification['id']}", role="cadre", unit=None, cadre_id="c-fin-1")
    assert one["cadre_name"] == "Cadre c-fin-1"
    [own] = (await api.ok("GET", "/clarifications", role="cadre", unit=None, cadre_id="c-fin-1"))["items"]
    assert own["cadre_name"] == "Cadre c-fin-1"

    case_id = (
        await api.ok(
            "POST",
            "/false-accusations",
            201,
            create=True,
            json={
                "origin_report_id": report_id,
                "grounds": "forged minutes",
                "accuser_is_cadre": True,
                "accuser_cadre_id": "c-cty-b",
            },
        )
    )["id"]
    [case] = (await api.ok("GET", "/false-accusations"))["items"]
    assert (case["victim_cadre_ids"], case["victim_cadres"]) == (
        ["c-fin-1"],
        [{"id": "c-fin-1", "name": "Cadre c-fin-1"}],
    )
    one = await api.ok("GET", f"/false-accusations/{case_id}")
    assert one["victim_cadres"] == [{"id": "c-fin-1", "name": "Cadre c-fin-1"}]
    # The suspected accuser is a reporter: at most the id, to those who may have it, never a name.
    assert one["accuser_cadre_id"] == "c-cty-b" and "Cadre c-cty-b" not in str(one) + str(case)
    await forget(api, "c-fin-1")
    assert (await api.ok("GET", f"/false-accusations/{case_id}"))["victim_cadres"] == [{"id": "c-fin-1", "name": None}]


async def test_appeals_name_the_appellant(api):
    # The decision appealed arrives through NATS, as tolerance publishes it.
    await api.publish(sanction("s-n1", SanctionSystem.CIVIL_SERVICE, SanctionType.DEMERIT, dt.date(2019, 3, 1)))
    await known(api, "sanction/s-n1")
    recorded = await api.ok(
        "POST",
        "/appeals/history",
        201,
        create=True,
        role="org_admin",
        json={
            "appellant_cadre_id": "c-fin-1",
            "target_type": "CS_SANCTION",
            "target_ref": "sanction/s-n1",
            "stage": "REVIEW",
            "notified_on": "2019-03-05",
            "filed_on": "2019-03-20",
            "outcome": "UPHELD",
            "decided_on": "2019-04-15",
            "document_number": "市人社复〔2019〕9号",
            "source": "PAPER_RECORD",
            "grounds": "facts wrong",
            "reasons": "the facts stand",
        },
    )
    [item] = (await api.ok("GET", "/appeals", role="org_admin"))["items"]
    assert (item["appellant_cadre_id"], item["cadre_name"]) == ("c-fin-1", "Cadre c-fin-1")
    own = await api.ok("GET", f"/appeals/{recorded['id']}", role="cadre", unit=None, cadre_id="c-fin-1")
    assert own["cadre_name"] == "Cadre c-fin-1"
    await forget(api, "c-fin-1")
    assert (await api.ok("GET", f"/appeals/{recorded['id']}", role="org_admin"))["cadre_name"] is None
