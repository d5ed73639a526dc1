"""Tolerance use cases over a fake unit of work: the rules, the events committed and what a refusal leaves
(nothing), proven in milliseconds (kernel.testing.fakes; the same use cases run against SQLite and PostgreSQL in
tests/tolerance/integration)."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.auth import Principal, Role
from kernel.contracts import tolerance_v1
from kernel.contracts.vocabulary import (
    RestrictionEffect,
    RestrictionSource,
    RestrictionStatus,
    SanctionSystem,
    SanctionType,
    ToleranceDecision,
)
from kernel.errors import ConcurrencyError, Conflict, NotFound, RuleViolation
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.rules.tolerance import Initiator
from services.tolerance.domain.sanction import SanctionStatus
from services.tolerance.domain.tolerance_case import CaseStatus, ToleranceCase
from services.tolerance.service_layer import (
    commands,
    history,
    incidents,
    restrictions,
    sanctions,
    tolerance_cases,
)
from tests.tolerance.unit.fakes import FakeToleranceUnitOfWork

DAY = dt.date(2026, 3, 2)  # a Monday: the defence window (5 working days) ends on Monday 9 March
AFTER_WINDOWS = dt.date(2026, 3, 20)  # past the defence window and the 15-day tolerance window


def officer(unit: str = "city", *roles: Role, cadre_id: str | None = None) -> Principal:
    return Principal(
        subject=f"officer-{unit}", roles=frozenset(roles or {Role.DISCIPLINE_OFFICER}), unit_id=unit, cadre_id=cadre_id
    )


def cadre_self(cadre_id: str) -> Principal:
    return Principal(subject=cadre_id, roles=frozenset({Role.CADRE}), unit_id=None, cadre_id=cadre_id)


def world() -> FakeToleranceUnitOfWork:
    """city → {finance (Zhao), health (Qian)}; Sun works in the city office and is Zhao's relative."""
    uow = FakeToleranceUnitOfWork()
    uow.directory.unit("city")
    uow.directory.unit("city", "finance")
    uow.directory.unit("city", "health")
    uow.directory.cadre("zhao", "finance")
    uow.directory.cadre("qian", "health")
    uow.directory.cadre("sun", "city", relatives=["zhao"])
    return uow


async def incident(uow: FakeToleranceUnitOfWork, cadre_id: str = "zhao") -> str:
    cmd = commands.RecordIncident(
        cadre_ids=(cadre_id,), occurred_on=DAY - dt.timedelta(days=10), summary="procurement shortened during the flood"
    )
    return await incidents.record_incident(cmd, uow, principal=officer(), today=DAY)


async def proposed(uow: FakeToleranceUnitOfWork, type_: SanctionType = SanctionType.WARNING) -> str:
    incident_id = await incident(uow)
    return await sanctions.propose_sanction(
        commands.ProposeSanction(
            cadre_id="zhao", incident_id=incident_id, system=SanctionSystem.GOV, type=type_, proposed_on=DAY
        ),
        uow,
        principal=officer(),
        today=DAY,
    )


async def test_an_incident_opens_a_window_in_which_the_cadre_applies_for_tolerance():
    uow = world()
    incident_id = await incident(uow)
    assert uow.incidents.rows[incident_id].tolerance_window_ends_on == DAY + dt.timedelta(days=15)
    case_id = await tolerance_cases.apply_for_tolerance(
        commands.ApplyForTolerance(
            incident_id=incident_id, cadre_id="zhao", applied_on=DAY, statement="acted to save the harvest"
        ),
        uow,
        principal=cadre_self("zhao"),
        today=DAY,
    )
    case = uow.cases.rows[case_id]
    assert (case.status, case.initiator, case.version) == (CaseStatus.APPLIED, Initiator.SELF, 1)
    assert uow.audited[-1] == ("zhao", "APPLY", "tolerance-case", case_id, "ROUTINE")


async def test_a_second_application_for_the_same_incident_is_refused_and_writes_nothing():
    uow = world()
    incident_id = await incident(uow)
    cmd = commands.ApplyForTolerance(incident_id=incident_id, cadre_id="zhao", applied_on=DAY, statement="first")
    await tolerance_cases.apply_for_tolerance(cmd, uow, principal=cadre_self("zhao"), today=DAY)
    commits, audited = uow.commits, len(uow.audited)
    with pytest.raises(Conflict) as err:
        await tolerance_cases.apply_for_tolerance(cmd, uow, principal=officer(), today=DAY)
    assert err.value.rule == "tolerance.duplicate"
    assert len(uow.cases.rows) == 1 and uow.commits == commits and len(uow.audited) == audited


async def test_a_decided_sanction_bars_promotion_for_its_influence_period():
    uow = world()
    sanction_id = await proposed(uow)
    await sanctions.notify_facts(
        commands.NotifyFacts(sanction_id=sanction_id, notified_on=DAY), uow, principal=officer(), today=DAY
    )
    with pytest.raises(Conflict) as err:  # the 15-day tolerance window is still open on 10 March
        await sanctions.decide_sanction(
            commands.DecideSanction(sanction_id=sanction_id, decided_on=DAY.replace(day=10), publication_scope="UNIT"),
            uow,
            principal=officer(),
            today=DAY.replace(day=10),
        )
    assert err.value.rule == "sanction.tolerance_window_open" and not uow.restrictions.rows
    answer = await sanctions.decide_sanction(
        commands.DecideSanction(sanction_id=sanction_id, decided_on=AFTER_WINDOWS, publication_scope="UNIT"),
        uow,
        principal=officer(),
        today=AFTER_WINDOWS,
    )
    assert answer["status"] == SanctionStatus.EFFECTIVE.value
    sanction = uow.sanctions.rows[sanction_id]
    assert (sanction.period_months, sanction.ends_on) == (6, dt.date(2026, 9, 20))  # 警告: six months
    bars = list(uow.restrictions.rows.values())
    assert {(r.source_id, r.starts_on) for r in bars} == {(sanction_id, AFTER_WINDOWS)}
    assert {r.effect for r in bars if r.ends_on == sanction.ends_on} == {  # the promotion bars run with it
        RestrictionEffect.NO_POST_PROMOTION,
        RestrictionEffect.NO_RANK_PROMOTION,
        RestrictionEffect.NO_LEVEL_PROMOTION,
    }
    [effective] = uow.events_of(tolerance_v1.SanctionEffective)
    assert (effective.sanction_id, effective.ends_on) == (sanction_id, dt.date(2026, 9, 19))  # its last day
    assert {e.restriction_id for e in uow.events_of(tolerance_v1.RestrictionActivated)} == {r.id for r in bars}
    assert [a[1] for a in uow.audited] == ["PROPOSE", "NOTIFY_FACTS", "DECIDE"]


async def test_no_sanction_is_proposed_on_an_incident_tolerated_for_the_cadre():
    uow = world()
    incident_id = await incident(uow)
    uow.seed(
        ToleranceCase(
            id="case-1",
            incident_id=incident_id,
            cadre_id="zhao",
            initiator=Initiator.SELF,
            applied_on=DAY,
            statement="acted in good faith",
            status=CaseStatus.EXEMPTED,
            decision=ToleranceDecision.EXEMPT,
            decided_on=DAY,
        )
    )
    commits = uow.commits
    with pytest.raises(Conflict) as err:
        await sanctions.propose_sanction(
            commands.ProposeSanction(
                cadre_id="zhao",
                incident_id=incident_id,
                system=SanctionSystem.GOV,
                type=SanctionType.DEMERIT,
                proposed_on=DAY,
            ),
            uow,
            principal=officer(),
            today=DAY,
        )
    assert err.value.rule == "sanction.incident_tolerated"
    assert not uow.sanctions.rows and uow.commits == commits and uow.published == []


def bar(source: RestrictionSource, restriction_id: str = "r-1") -> Restriction:
    return Restriction(
        id=restriction_id,
        cadre_id="qian",
        effect=RestrictionEffect.NO_POST_PROMOTION,
        source_type=source,
        source_id="s-1",
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 3, 1),
        status=RestrictionStatus.ACTIVE,
    )


async def test_a_restriction_is_extended_once_use_is_still_affected_with_its_reason_kept():
    uow = world()
    uow.seed(bar(RestrictionSource.SANCTION))
    reason = "the audit findings are still being rectified"
    answer = await restrictions.extend_restriction(
        commands.ExtendRestriction(restriction_id="r-1", new_ends_on=dt.date(2026, 8, 31), reason=reason),
        uow,
        principal=officer("city", Role.ORG_ADMIN),
        today=dt.date(2026, 2, 20),
    )
    assert (answer["id"], answer["version"]) == ("r-1", 2)
    assert uow.restrictions.rows["r-1"].ends_on == dt.date(2026, 9, 1)  # the last day given, kept as exclusive end
    [extension] = uow.restrictions.extensions
    assert (
        extension["previous_ends_on"],
        extension["new_ends_on"],
        extension["reason"],
        extension["discretionary"],
    ) == (dt.date(2026, 3, 1), dt.date(2026, 9, 1), reason, True)
    [extended] = uow.events_of(tolerance_v1.RestrictionExtended)
    assert (extended.restriction_id, extended.ends_on) == ("r-1", dt.date(2026, 8, 31))  # the last day, on the wire


async def test_an_investigations_bar_is_not_extended_and_nothing_is_written():
    uow = world()
    uow.seed(bar(RestrictionSource.INVESTIGATION))
    with pytest.raises(RuleViolation) as err:
        await restrictions.extend_restriction(
            commands.ExtendRestriction(
                restriction_id="r-1",
                new_ends_on=dt.date(2026, 8, 31),
                reason="the audit findings are still being rectified",
            ),
            uow,
            principal=officer("city", Role.ORG_ADMIN),
            today=dt.date(2026, 2, 20),
        )
    assert err.value.rule == "restriction.extension_source"
    assert uow.restrictions.rows["r-1"].ends_on == dt.date(2026, 3, 1) and uow.restrictions.extensions == []
    assert uow.commits == 0 and uow.published == [] and uow.audited == []


async def test_a_sanction_changed_by_someone_else_meanwhile_is_not_overwritten():
    uow = world()
    sanction_id = await proposed(uow)
    commits = uow.commits

    def someone_else_writes() -> None:
        uow.sanctions.rows[sanction_id].version += 1

    uow.sanctions.after_read = someone_else_writes
    with pytest.raises(ConcurrencyError) as err:
        await sanctions.withdraw_sanction(
            commands.WithdrawSanction(sanction_id=sanction_id, withdrawn_on=DAY, reason="facts not established"),
            uow,
            principal=officer(),
            today=DAY,
        )
    assert err.value.rule == "sanction.version"
    assert uow.sanctions.rows[sanction_id].status is SanctionStatus.PROPOSED and uow.commits == commits


async def test_nobody_acts_on_their_own_a_relatives_or_another_subtrees_record():
    uow = world()
    incident_id = await incident(uow)
    commits = uow.commits
    for principal, cadre_id in (
        (officer("city", cadre_id="sun"), "zhao"),  # a relative
        (officer("city", cadre_id="sun"), "sun"),  # oneself
        (officer("health"), "zhao"),
    ):  # outside the subtree
        with pytest.raises(NotFound) as err:
            await sanctions.propose_sanction(
                commands.ProposeSanction(
                    cadre_id=cadre_id,
                    incident_id=incident_id,
                    system=SanctionSystem.GOV,
                    type=SanctionType.WARNING,
                    proposed_on=DAY,
                ),
                uow,
                principal=principal,
                today=DAY,
            )
        assert (err.value.rule, err.value.extra) == ("scope.cadre", {"field": "cadre_id"})
    assert not uow.sanctions.rows and uow.commits == commits


def past(**changes) -> commands.RecordPastSanction:
    values = dict(
        cadre_id="qian",
        system=SanctionSystem.GOV,
        type=SanctionType.DEMERIT,
        decided_on=dt.date(2024, 5, 6),
        effective_from=dt.date(2024, 5, 6),
        document_number="卫纪〔2024〕7号",
        source="PAPER_RECORD",
        publication_scope="UNIT",
    )
    return commands.RecordPastSanction(**{**values, **changes})


async def test_a_past_sanction_is_recorded_once_and_other_values_correct_it():
    uow = world()
    today = dt.date(2026, 3, 2)
    first = await history.record_past_sanction(past(), uow, principal=officer(), today=today)
    assert (first["outcome"], first["revision"]) == ("RECORDED", 1)
    sanction = uow.sanctions.rows[first["id"]]
    assert (sanction.status, sanction.ends_on) == (SanctionStatus.EXPIRED, dt.date(2025, 5, 6))  # 记过: 12 months
    published = len(uow.published)
    again = await history.record_past_sanction(past(source="DOSSIER"), uow, principal=officer(), today=today)
    assert (again["outcome"], again["record_id"]) == ("UNCHANGED", first["record_id"])
    assert len(uow.published) == published
    corrected = await history.record_past_sanction(
        past(publication_scope="SYSTEM"), uow, principal=officer(), today=today
    )
    assert (corrected["outcome"], corrected["id"], corrected["revision"]) == ("CORRECTED", first["id"], 2)
    assert await uow.records.count_sanction(first["id"]) == 2
    assert uow.sanctions.rows[first["id"]].publication_scope == "SYSTEM"
    assert [a[1] for a in uow.audited] == ["RECORD_PAST", "CORRECT_PAST"]
