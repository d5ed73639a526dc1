"""Appraisal use cases over a fake unit of work: the rules, the events and audit rows committed, the index quarters
queued, and what a refusal leaves (nothing), in milliseconds (kernel.testing.fakes; the same use cases run against
SQLite and PostgreSQL in tests/appraisal/integration)."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.auth import Principal, Role
from kernel.contracts import appraisal_v1
from kernel.errors import ConcurrencyError, Forbidden, FourEyesViolation, NotFound, RuleViolation
from services.appraisal.domain.rules.grade_rules import Facts, SanctionFact
from services.appraisal.service_layer import assessments, awards, commands, records, talks
from tests.appraisal.unit.fakes import FakeAppraisalUnitOfWork

TODAY = dt.date(2026, 6, 1)
LATER = dt.date(2026, 6, 15)  # after five working days of publicity
YEAR = 2025
SCORES = {"DE": 80.0, "NENG": 80.0, "QIN": 80.0, "JI": 80.0, "LIAN": 80.0, "DANDANG": 80.0}


def staff(subject: str, role: Role, unit: str = "city") -> Principal:
    return Principal(subject=subject, roles=frozenset({role}), unit_id=unit)


ASSESSOR, OTHER_ASSESSOR = staff("assessor-1", Role.ASSESSOR), staff("assessor-2", Role.ASSESSOR)
ADMIN, DISCIPLINE = staff("admin-1", Role.ORG_ADMIN), staff("discipline-1", Role.DISCIPLINE_OFFICER)


def world(*cadres: tuple[str, str]) -> FakeAppraisalUnitOfWork:
    """city → {finance, health}; cadres given as (id, unit)."""
    uow = FakeAppraisalUnitOfWork()
    for unit_id, path in (("city", "/city/"), ("finance", "/city/finance/"), ("health", "/city/health/")):
        uow.directory.add_unit(unit_id, path)
    for cadre_id, unit_id in cadres or (("c-1", "finance"),):
        uow.directory.add_cadre(cadre_id, unit_id, entry_date=dt.date(2005, 7, 1))
    return uow


def submission(cadre_id: str = "c-1") -> commands.SubmitRecord:
    return commands.SubmitRecord(
        cadre_id=cadre_id,
        occurred_on=dt.date(2026, 5, 20),
        category="KEY_TASK",
        title="flood relief",
        description=None,
        quantity=1,
        unit="task",
        evidence_refs=[],
    )


async def opened(uow: FakeAppraisalUnitOfWork, cadre_id: str = "c-1") -> str:
    """Opens a cadre's assessment of YEAR and has the cadre submit their self-summary; returns its id."""
    assessment_id = await assessments.open_assessment(
        commands.OpenAssessment(cadre_id, YEAR), uow, principal=ASSESSOR, today=TODAY
    )
    me = Principal(subject=f"user-{cadre_id}", roles=frozenset({Role.CADRE}), unit_id="finance", cadre_id=cadre_id)
    await assessments.submit_self_summary(commands.SubmitSelfSummary(assessment_id, "summary"), uow, principal=me)
    return assessment_id


async def proposed(uow: FakeAppraisalUnitOfWork, grade: str, cadre_id: str = "c-1") -> str:
    """Opens a cadre's assessment of YEAR and proposes a grade; returns its id."""
    assessment_id = await opened(uow, cadre_id)
    await assessments.propose_grade(
        commands.ProposeGrade(assessment_id, grade, "comment", SCORES), uow, principal=ASSESSOR, today=TODAY
    )
    return assessment_id


async def test_a_verified_record_queues_its_quarter_and_its_submitter_cannot_verify_it():
    uow = world()
    record_id = await records.submit_record(submission(), uow, principal=ASSESSOR, today=TODAY)
    with pytest.raises(FourEyesViolation):
        await records.verify_record(record_id, uow, principal=ASSESSOR, today=TODAY)
    assert uow.records.rows[record_id].status == "SUBMITTED" and uow.dirty == set()
    answer = await records.verify_record(record_id, uow, principal=OTHER_ASSESSOR, today=TODAY)
    assert answer == {"id": record_id, "status": "VERIFIED", "version": 2}
    assert uow.dirty == {("c-1", "2026-Q2")}


async def test_a_record_about_a_cadre_outside_the_callers_subtree_writes_nothing():
    uow = world(("c-1", "finance"), ("c-2", "health"))
    with pytest.raises(NotFound) as err:
        await records.submit_record(
            submission("c-2"), uow, principal=staff("assessor-f", Role.ASSESSOR, "finance"), today=TODAY
        )
    assert err.value.rule == "scope.cadre"
    assert uow.records.rows == {} and uow.commits == 0


async def test_deciding_a_grade_commits_grade_finalized_and_an_audit_row_per_step():
    uow = world()
    assessment_id = await proposed(uow, "COMPETENT")
    assert uow.events_of(appraisal_v1.GradeFinalized) == []
    answer = await assessments.decide_grade(assessment_id, uow, principal=ASSESSOR, today=TODAY)
    assert answer["status"] == "DECIDED"
    [finalized] = uow.events_of(appraisal_v1.GradeFinalized)
    assert (finalized.assessment_id, finalized.grade, finalized.year) == (assessment_id, "COMPETENT", YEAR)
    assert [(a[1], a[3]) for a in uow.audited] == [
        (action, assessment_id) for action in ("CREATE", "SELF_SUMMARY", "PROPOSE", "DECIDE")
    ]
    assert uow.awards.rows == {}  # only an 优秀 earns a proposal


async def test_a_grade_a_sanction_forbids_is_refused_and_leaves_the_assessment_as_it_was():
    uow = world()
    assessment_id = await opened(uow)
    uow.facts["c-1"] = Facts((SanctionFact("s-1", "WARNING", dt.date(2025, 3, 1)),), (), (), frozenset())
    commits = uow.commits
    with pytest.raises(RuleViolation) as err:
        await assessments.propose_grade(
            commands.ProposeGrade(assessment_id, "EXCELLENT", "c", SCORES), uow, principal=ASSESSOR, today=TODAY
        )
    assert err.value.rule.startswith("grade.")
    stored = uow.assessments.rows[assessment_id]
    assert (stored.status, stored.proposed_grade, stored.version, uow.commits) == ("SELF_SUBMITTED", None, 2, commits)


async def test_an_excellent_beyond_the_agencys_quota_is_refused():
    uow = world()  # one assessed cadre: below the size that earns one 优秀 place, so the limit is 0
    assessment_id = await opened(uow)
    with pytest.raises(RuleViolation) as err:
        await assessments.propose_grade(
            commands.ProposeGrade(assessment_id, "EXCELLENT", "c", SCORES), uow, principal=ASSESSOR, today=TODAY
        )
    assert err.value.rule == "assessment.excellent_quota"
    assert uow.assessments.rows[assessment_id].proposed_grade is None


async def test_an_excellent_decided_after_its_publicity_proposes_a_commendation_once():
    uow = world(("c-1", "finance"), ("c-2", "finance"), ("c-3", "finance"))
    for other in ("c-2", "c-3"):
        await assessments.open_assessment(commands.OpenAssessment(other, YEAR), uow, principal=ASSESSOR, today=TODAY)
    assessment_id = await proposed(uow, "EXCELLENT")
    await assessments.start_publicity(assessment_id, uow, principal=ASSESSOR, today=TODAY)
    await assessments.decide_grade(assessment_id, uow, principal=ASSESSOR, today=LATER)
    [award] = uow.awards.rows.values()
    assert (award.cadre_id, award.type, award.basis, award.status) == (
        "c-1",
        "COMMENDATION",
        "ANNUAL_EXCELLENT",
        "PROPOSED",
    )
    assert uow.awards.extras[award.id] == {"org_path": "/city/finance/", "auto_key": f"ANNUAL_EXCELLENT:c-1:{YEAR}"}
    assert [e.grade for e in uow.events_of(appraisal_v1.GradeFinalized)] == ["EXCELLENT"]


async def test_a_change_committed_by_someone_else_meanwhile_raises_and_commits_nothing():
    uow = world()
    assessment_id = await proposed(uow, "COMPETENT")
    published, audited = len(uow.published), len(uow.audited)
    uow.assessments.rival = lambda row: setattr(row, "leader_comment", "changed elsewhere")
    with pytest.raises(ConcurrencyError) as err:
        await assessments.decide_grade(assessment_id, uow, principal=ASSESSOR, today=TODAY)
    assert err.value.rule == "annual_assessment.version"
    stored = uow.assessments.rows[assessment_id]
    assert (stored.status, stored.leader_comment) == ("RULE_CHECKED", "changed elsewhere")
    assert (len(uow.published), len(uow.audited)) == (published, audited)


async def test_an_admonishment_is_held_only_by_those_who_may_and_announces_itself_with_a_reply_deadline():
    uow = world()
    talk_id = await talks.schedule_talk(commands.ScheduleTalk("ADMONISHMENT", "c-1", TODAY, None), uow, principal=ADMIN)
    held = commands.RecordTalk(talk_id=talk_id, held_on=TODAY, minutes_ref="minutes/1", outcome=None)
    with pytest.raises(Forbidden) as err:
        await talks.record_talk(held, uow, principal=ASSESSOR, today=TODAY)
    assert err.value.rule == "talk.admonishment_roles" and uow.talks.rows[talk_id].status == "SCHEDULED"
    answer = await talks.record_talk(held, uow, principal=DISCIPLINE, today=TODAY)
    assert answer["status"] == "HELD" and answer["reply_due_on"] > TODAY
    [issued] = uow.events_of(appraisal_v1.AdmonishmentIssued)
    assert (issued.talk_id, issued.cadre_id, issued.issued_on) == (talk_id, "c-1", TODAY)


async def test_granting_and_revoking_an_award_announce_both_and_requeue_the_quarter_of_the_grant():
    uow = world()
    award_id = await awards.propose_award(
        commands.ProposeAward("c-1", "MERIT_3", "doc-1", YEAR), uow, principal=ADMIN, today=TODAY
    )
    await awards.advance_award(commands.AdvanceAward(award_id, "publicity"), uow, principal=ADMIN, today=TODAY)
    with pytest.raises(RuleViolation):
        await awards.advance_award(commands.AdvanceAward(award_id, "approve"), uow, principal=ADMIN, today=TODAY)
    await awards.advance_award(commands.AdvanceAward(award_id, "approve"), uow, principal=ADMIN, today=LATER)
    assert uow.dirty == set() and uow.events_of(appraisal_v1.AwardGranted) == []
    await awards.advance_award(commands.AdvanceAward(award_id, "grant"), uow, principal=ADMIN, today=LATER)
    await awards.advance_award(
        commands.AdvanceAward(award_id, "revoke", "deed not verified"), uow, principal=ADMIN, today=LATER
    )
    assert [e.award_id for e in uow.events_of(appraisal_v1.AwardGranted)] == [award_id]
    assert [e.reason for e in uow.events_of(appraisal_v1.AwardRevoked)] == ["deed not verified"]
    assert uow.dirty == {("c-1", "2026-Q2")} and uow.awards.rows[award_id].status == "REVOKED"
