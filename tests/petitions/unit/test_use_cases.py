"""Petitions use cases over a fake unit of work: intake and the sealed reporter, screening, the accused's statement,
what a refusal leaves (nothing), stale versions, the events committed and what they never carry (the reporter),
proven in milliseconds (tests/petitions/unit/fakes.py; the same use cases run against SQLite and PostgreSQL in
tests/petitions/integration)."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from kernel.auth import Principal, Role
from kernel.contracts import petitions_v1
from kernel.errors import ConcurrencyError, NotFound, RuleViolation
from services.petitions.service_layer import commands, reports, reveal, statements
from services.petitions.service_layer.access import PUBLIC
from tests.petitions.unit.fakes import FakePetitionsUnitOfWork

TODAY = dt.date(2026, 11, 27)  # a Friday with working days on both sides
REPORTER = commands.Reporter(name="Wang Wu", phone="139 0000 1234", id_number="51010019800101123x")
DECISION = commands.Decision(meeting_on=TODAY, participants=3, minutes_ref="minutes-7")


def staff(unit: str, cadre_id: str | None = None) -> Principal:
    return Principal(subject=f"staff-{unit}", roles=frozenset({Role.PETITIONS_STAFF}), unit_id=unit, cadre_id=cadre_id)


def cadre(cadre_id: str, unit: str) -> Principal:
    return Principal(subject=cadre_id, roles=frozenset({Role.CADRE}), unit_id=unit, cadre_id=cadre_id)


def petitions() -> FakePetitionsUnitOfWork:
    """city → {finance → finance-div1, county-b}; c-fin-1 and c-fin-2 are related."""
    uow = FakePetitionsUnitOfWork()
    for unit, path in (
        ("city", ["city"]),
        ("finance", ["city", "finance"]),
        ("finance-div1", ["city", "finance", "finance-div1"]),
        ("county-b", ["city", "county-b"]),
    ):
        uow.directory.add_unit(unit, path)
    uow.directory.add_cadre("c-fin-1", "finance", ("c-fin-2",))
    uow.directory.add_cadre("c-fin-2", "finance-div1", ("c-fin-1",))
    uow.directory.add_cadre("c-cty-b", "county-b")
    return uow


def intake(
    accused: list[str],
    *,
    reporter: commands.Reporter | None = REPORTER,
    unit: str | None = "finance",
    issue_receipt: bool = False,
) -> commands.IntakeReport:
    return commands.IntakeReport(
        petition_type="ACCUSATION",
        channel="LETTER",
        received_on=TODAY,
        content="The director took a bribe of 50,000 yuan.",
        reporter=reporter,
        accused_cadre_ids=accused,
        handling_org_unit_id=unit,
        issue_receipt=issue_receipt,
    )


async def in_talk(uow: FakePetitionsUnitOfWork) -> tuple[str, str]:
    """A real-name report about c-fin-1, registered, accepted and in a talk (谈话); returns (report, allegation)."""
    who = staff("finance")
    report_id = (await reports.intake(intake(["c-fin-1"]), uow, principal=who, today=TODAY))["id"]
    register = commands.RegisterReport(
        report_id=report_id,
        category="integrity",
        substantive=True,
        jurisdiction="OWN",
        accused_cadre_ids=["c-fin-1"],
        accused_org_unit_ids=[],
        allegations=[commands.AllegationInput("took a bribe", "c-fin-1")],
    )
    await reports.register(register, uow, principal=who, today=TODAY)
    await reports.accept(commands.AcceptReport(report_id), uow, principal=who, today=TODAY)
    await reports.hand_over(commands.HandOverReport(report_id), uow, principal=who, today=TODAY)
    await reports.dispose(commands.DisposeReport(report_id, "TALK", DECISION), uow, principal=who, today=TODAY)
    return report_id, uow.reports.rows[report_id].allegations[0].id


def snapshot(uow: FakePetitionsUnitOfWork) -> tuple[int, int, int, int, int]:
    """What a refused request must leave unchanged."""
    return (uow.commits, len(uow.published), len(uow.audited), len(uow.reports.rows), len(uow.vault.rows))


async def test_a_real_name_report_is_received_with_its_reporter_only_in_the_vault():
    uow = petitions()
    answer = await reports.intake(intake(["c-fin-1"]), uow, principal=staff("finance"), today=TODAY)
    report_id, sealer = answer["id"], uow.context.sealer
    assert answer["receipt_code"] is None and uow.reports.rows[report_id].status == "RECEIVED"
    sealed, fingerprint = uow.vault.rows[report_id]
    assert b"Wang" not in sealed and b"1390000" not in sealed and "Wang" not in fingerprint
    assert orjson.loads(sealer.open(sealed, context="reporter", record_id=report_id))["name"] == "Wang Wu"
    content = uow.reports.sealed_texts[report_id]["content_sealed"]
    assert b"bribe" not in content and sealer.open_text(content, context="content", record_id=report_id).endswith(
        "50,000 yuan."
    )
    # A real-name accusation must be answered with an acceptance notice (the deadline opens with the intake).
    assert [d.kind for d in uow.deadlines.rows.values()] == ["ACCEPT_NOTICE"]
    assert uow.audited == [("staff-finance", "INTAKE", "report", report_id, "ROUTINE")] and uow.commits == 1


async def test_a_public_report_gets_a_receipt_code_kept_only_as_a_hash_and_an_unknown_unit_nothing():
    uow = petitions()
    before = snapshot(uow)
    with pytest.raises(RuleViolation) as err:
        await reports.intake(
            intake([], reporter=None, unit="atlantis", issue_receipt=True), uow, principal=PUBLIC, today=TODAY
        )
    assert err.value.rule == "report.org_unit" and snapshot(uow) == before
    answer = await reports.intake(
        intake([], reporter=None, unit="county-b", issue_receipt=True), uow, principal=PUBLIC, today=TODAY
    )
    code, report_id = answer["receipt_code"], answer["id"]
    assert code and report_id not in uow.vault.rows  # anonymous: no identity at all
    prefix, _salt, digest, _n = uow.receipts[report_id]
    assert code.replace("-", "") not in repr(uow.receipts) and len(digest) >= 16
    assert uow.audited == [("public", "INTAKE", "report", report_id, "ROUTINE")]


async def test_an_accused_out_of_scope_or_related_to_the_caller_is_refused_and_nothing_is_written():
    uow = petitions()
    before = snapshot(uow)
    with pytest.raises(RuleViolation) as err:  # county-b is outside finance's subtree: the answer of an unknown id
        await reports.intake(intake(["c-fin-2", "c-cty-b", "nobody"]), uow, principal=staff("finance"), today=TODAY)
    assert err.value.rule == "report.accused_unknown" and err.value.extra["positions"] == [1, 2]
    with pytest.raises(RuleViolation) as err:  # staff who are related to the accused hand the report over (回避)
        await reports.intake(intake(["c-fin-1"]), uow, principal=staff("finance", cadre_id="c-fin-2"), today=TODAY)
    assert err.value.rule == "report.recusal"
    assert snapshot(uow) == before and uow.deadlines.rows == {} and uow.reports.sealed_texts == {}


async def test_screening_accepts_the_report_and_announces_its_accused_once():
    uow = petitions()
    report_id, _ = await in_talk(uow)
    [accepted] = uow.events_of(petitions_v1.ReportAccepted)
    assert (accepted.report_id, accepted.accused_cadre_ids, accepted.category) == (report_id, ["c-fin-1"], "integrity")
    stored = uow.reports.rows[report_id]
    assert (stored.status, stored.version, stored.accepted_on) == ("TALKING", 5, TODAY)
    assert [a[1] for a in uow.audited] == ["INTAKE", "REGISTER", "ACCEPT", "HAND_OVER", "DISPOSE"]


async def test_a_stale_version_changes_nothing():
    uow = petitions()
    report_id = (await reports.intake(intake(["c-fin-1"]), uow, principal=staff("finance"), today=TODAY))["id"]
    register = commands.RegisterReport(
        report_id=report_id,
        category="integrity",
        substantive=True,
        jurisdiction="OWN",
        accused_cadre_ids=["c-fin-1"],
        accused_org_unit_ids=[],
        allegations=[],
    )
    await reports.register(register, uow, principal=staff("finance"), today=TODAY)
    load = uow.reports.get

    async def read_then_someone_else_writes(object_id: str):
        report = await load(object_id)
        uow.reports.rows[object_id].version += 1  # another transaction committed in between
        return report

    uow.reports.get = read_then_someone_else_writes  # type: ignore[method-assign]
    before = snapshot(uow)
    with pytest.raises(ConcurrencyError) as err:
        await reports.accept(commands.AcceptReport(report_id), uow, principal=staff("finance"), today=TODAY)
    assert err.value.rule == "report.version" and snapshot(uow) == before
    assert uow.reports.rows[report_id].status == "REGISTERED" and not uow.events_of(petitions_v1.ReportAccepted)


async def test_only_the_accused_states_their_case_and_an_adverse_finding_waits_for_it():
    uow = petitions()
    report_id, allegation = await in_talk(uow)
    close = commands.CloseReport(
        report_id=report_id,
        findings={allegation: "SUBSTANTIATED"},
        conclusion="bribe proven",
        adverse_effect=False,
        accusation_spread=None,
        fabrication_suspected=False,
    )
    before = snapshot(uow)
    with pytest.raises(RuleViolation) as err:
        await reports.close(close, uow, principal=staff("finance"), today=TODAY)
    assert err.value.rule == "report.statement_required" and snapshot(uow) == before
    assert uow.reports.rows[report_id].status == "TALKING" and not uow.events_of(petitions_v1.ReportClosed)
    asked = await statements.issue(
        commands.IssueStatement(report_id, "c-fin-1", "STATEMENT_DEFENCE", "You are said to have taken a bribe.", None),
        uow,
        principal=staff("finance"),
        today=TODAY,
    )
    with pytest.raises(NotFound) as err:  # another cadre cannot answer, nor learn that the request exists
        await statements.answer(
            commands.AnswerStatement(asked["id"], "not me"),
            uow,
            principal=cadre("c-fin-2", "finance-div1"),
            today=TODAY,
        )
    assert err.value.rule == "statement.scope"
    answered = await statements.answer(
        commands.AnswerStatement(asked["id"], "I returned it."), uow, principal=cadre("c-fin-1", "finance"), today=TODAY
    )
    assert (answered["status"], uow.statements.rows[asked["id"]].answer) == ("SUBMITTED", "I returned it.")
    await statements.assess(
        commands.AssessStatement(asked["id"], adopted=False, assessment="contradicted by the bank records"),
        uow,
        principal=staff("finance"),
        today=TODAY,
    )
    await reports.close(close, uow, principal=staff("finance"), today=TODAY)
    [closed] = uow.events_of(petitions_v1.ReportClosed)
    assert [(c.cadre_id, c.outcome) for c in closed.cadre_outcomes] == [("c-fin-1", "SUBSTANTIATED")]


async def test_no_event_ever_carries_the_reporter():
    uow = petitions()
    report_id, allegation = await in_talk(uow)
    close = commands.CloseReport(
        report_id=report_id,
        findings={allegation: "UNFOUNDED"},
        conclusion="no evidence",
        adverse_effect=True,
        accusation_spread="UNIT",
        fabrication_suspected=False,
    )
    await reports.close(close, uow, principal=staff("finance"), today=TODAY)
    assert {type(e).__name__ for e in uow.published} == {"ReportAccepted", "ReportClosed"}
    _sealed, fingerprint = uow.vault.rows[report_id]
    wire = orjson.dumps([e.to_data() for e in uow.published]).decode() + repr(uow.audited)
    for secret in ("Wang", "1390000", "1234", "51010019800101123", fingerprint):
        assert secret.lower() not in wire.lower()
    # An unfounded accusation with adverse effects proposes clearing the cadre's name (澄清正名).
    [clarification] = uow.clarifications.rows.values()
    assert (clarification.cadre_id, clarification.report_ids) == ("c-fin-1", [report_id])


async def test_the_reporter_is_revealed_only_to_staff_in_scope_and_the_reveal_is_audited_with_its_purpose():
    uow = petitions()
    report_id, _ = await in_talk(uow)
    admin = Principal(subject="admin-city", roles=frozenset({Role.ORG_ADMIN}), unit_id="city")
    before = snapshot(uow)
    for outsider in (admin, staff("county-b")):  # an open report is out of an org admin's sight, like another unit's
        with pytest.raises(NotFound) as err:
            await reveal.reveal(commands.RevealReporter(report_id, "CASE_HANDLING"), uow, principal=outsider)
        assert err.value.rule == "report.scope"
    assert snapshot(uow) == before
    answer = await reveal.reveal(commands.RevealReporter(report_id, "CASE_HANDLING"), uow, principal=staff("city"))
    assert answer["reporter"]["name"] == "Wang Wu" and answer["reporter"]["phone"] == "139 0000 1234"
    assert uow.audited[-1] == ("staff-city", "REVEAL", "reporter", report_id, "CASE_HANDLING")
    assert len(uow.published) == before[1]  # a reveal announces nothing
