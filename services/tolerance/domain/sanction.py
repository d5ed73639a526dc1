"""The Sanction aggregate: proposal, facts notice and defence, decision, extension, expiry and appeal outcomes.

States (docs/rules.md §3.5, condensed): PROPOSED → DEFENCE_WINDOW (the facts notice opens it) → EFFECTIVE (decided;
政务处分 take effect on the decision date) → EXTENDED (留党察看) → EXPIRED; EFFECTIVE/EXTENDED/EXPIRED → REVOKED on
appeal; PROPOSED/DEFENCE_WINDOW → WITHDRAWN (tolerated, or dropped). A variation on appeal keeps the state and
replaces the restrictions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import RestrictionSource, SanctionSystem, SanctionType
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.periods import Period, extend_probation, plan_restrictions, resolve_period
from services.tolerance.domain.restrictions import MIN_REASON, Restriction
from services.tolerance.domain.rules.catalogue import Catalogue, PeriodKind, SanctionRule

DEFENCE_SOURCE = "公职人员政务处分法 §43; 行政机关公务员处分条例 §39(四)"
EFFECTIVE_SOURCE = "公职人员政务处分法 §8; 行政机关公务员处分条例 §46"
APPEAL_SOURCE = "公职人员政务处分法 §56–60; 行政机关公务员处分条例 §48–51"
TOLERANCE_GUARD_SOURCE = "docs/rules.md §3.5 (the tolerance decision comes before the sanction decision)"


class SanctionStatus(StrEnum):
    PROPOSED = "PROPOSED"
    DEFENCE_WINDOW = "DEFENCE_WINDOW"
    EFFECTIVE = "EFFECTIVE"
    EXTENDED = "EXTENDED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    WITHDRAWN = "WITHDRAWN"


PENDING = frozenset({SanctionStatus.PROPOSED, SanctionStatus.DEFENCE_WINDOW})
DECIDED = frozenset({SanctionStatus.EFFECTIVE, SanctionStatus.EXTENDED, SanctionStatus.EXPIRED, SanctionStatus.REVOKED})
IN_FORCE = frozenset({SanctionStatus.EFFECTIVE, SanctionStatus.EXTENDED})
# Who decides (docs/permissions.md): sanctions by discipline inspection; handling and admonishment also by the
# organization department.
ORG_DECIDABLE = frozenset({SanctionSystem.ORG_HANDLING, SanctionSystem.ADMONISHMENT})


class Origin(StrEnum):
    API = "API"
    FALSE_ACCUSATION = "FALSE_ACCUSATION"  # petitions.false_accusation_confirmed
    INACTION = "INACTION"  # appraisal.inaction_confirmed (accountability)
    ADMONISHMENT_TALK = "ADMONISHMENT_TALK"  # appraisal.admonishment_issued
    HISTORY = "HISTORY"  # a past sanction or handling recorded as a fact (POST /sanctions/history)


@dataclass(frozen=True)
class ToleranceGuard:
    """What the tolerance side says about the sanction's incident and cadre at decision time."""

    pending_case: bool = False  # a tolerance case is applied for and not yet decided
    exempted: bool = False  # the incident was tolerated (EXEMPT) for this cadre
    window_open_until: dt.date | None = None  # the application window runs until this day (inclusive)
    case_decided: bool = False  # a tolerance case for incident and cadre was decided (the window no longer matters)


# The sanction state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
SANCTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "decide": (SanctionStatus.DEFENCE_WINDOW,),
    "notify facts": PENDING,
    "record a defence": (SanctionStatus.DEFENCE_WINDOW,),
    "extend": (SanctionStatus.EFFECTIVE,),
    "expire": IN_FORCE,
    "vary": (*IN_FORCE, SanctionStatus.EXPIRED),
    "revoke": (*IN_FORCE, SanctionStatus.EXPIRED),
    "withdraw": PENDING,
    "mitigate": PENDING,
}


@dataclass
class Sanction:
    """A sanction, organizational handling, admonishment or accountability measure against one cadre."""

    id: str
    cadre_id: str
    system: SanctionSystem
    type: SanctionType
    proposed_type: SanctionType
    status: SanctionStatus
    proposed_on: dt.date
    incident_id: str | None = None
    origin: Origin = Origin.API
    external_ref: str | None = None
    proposed_months: int | None = None
    combined_count: int = 1
    facts_notified_on: dt.date | None = None
    defence_due_on: dt.date | None = None
    defence_on: dt.date | None = None
    defence_statement: str | None = None
    decided_on: dt.date | None = None
    decided_by: str | None = None
    effective_on: dt.date | None = None
    period_months: int | None = None
    ends_on: dt.date | None = None
    extension_reason: str | None = None
    publication_scope: str | None = None
    original_post_level: int | None = None
    original_rank_code: str | None = None
    mitigated_by_case_id: str | None = None
    previous_type: SanctionType | None = None
    varied_on: dt.date | None = None
    revoked_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    withdrawal_reason: str | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    # -- proposal ---------------------------------------------------------------------------------------------
    @classmethod
    def propose(
        cls,
        catalogue: Catalogue,
        *,
        sanction_id: str,
        cadre_id: str,
        system: SanctionSystem,
        type_: SanctionType,
        proposed_on: dt.date,
        today: dt.date,
        incident_id: str | None,
        months: int | None = None,
        combined_count: int = 1,
        origin: Origin = Origin.API,
        external_ref: str | None = None,
    ) -> Sanction:
        """Proposes a sanction (nothing applies until it is decided)."""
        rule = catalogue.check_system(type_, system)
        if proposed_on > today:
            raise RuleViolation("proposed_on cannot be in the future", rule="sanction.proposed_on")
        # Validates the proposed period now so that an impossible proposal is refused at once.
        resolve_period(
            catalogue, rule, system=system, effective_on=proposed_on, months=months, combined_count=combined_count
        )
        return cls(
            id=sanction_id,
            cadre_id=cadre_id,
            system=system,
            type=type_,
            proposed_type=type_,
            status=SanctionStatus.PROPOSED,
            proposed_on=proposed_on,
            incident_id=incident_id,
            origin=origin,
            external_ref=external_ref,
            proposed_months=months,
            combined_count=combined_count,
        )

    def notify_facts(
        self,
        catalogue: Catalogue,
        calendar: WorkdayCalendar,
        *,
        notified_on: dt.date,
        today: dt.date,
        defence_working_days: int,
        type_: SanctionType | None = None,
        months: int | None = None,
        combined_count: int | None = None,
    ) -> None:
        """Serves the facts notice with the proposed sanction; this opens (or reopens) the defence window."""
        if self.status not in SANCTION_TRANSITIONS["notify facts"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "notify facts",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        if not self.proposed_on <= notified_on <= today:
            raise RuleViolation("notified_on must be between the proposal and today", rule="sanction.notified_on")
        new_type = type_ or self.proposed_type
        new_count = combined_count or self.combined_count
        new_months = months if type_ is not None or months is not None else self.proposed_months
        rule = catalogue.check_system(new_type, self.system)
        if self.mitigated_by_case_id and heavier(catalogue, new_type, self.proposed_type):
            raise RuleViolation(
                "a mitigated proposal cannot be made heavier",
                rule="sanction.mitigated",
                source="docs/rules.md §3.1 (mitigation)",
            )
        resolve_period(
            catalogue, rule, system=self.system, effective_on=notified_on, months=new_months, combined_count=new_count
        )
        self.proposed_type = self.type = new_type
        self.proposed_months = new_months
        self.combined_count = new_count
        self.facts_notified_on = notified_on
        self.defence_due_on = calendar.add_working_days(notified_on, defence_working_days)
        self.defence_on = None
        self.defence_statement = None
        self.status = SanctionStatus.DEFENCE_WINDOW

    def record_defence(self, *, on: dt.date, statement: str, today: dt.date) -> None:
        """Records the cadre's statement and defence (陈述和申辩); it closes the window."""
        if self.status not in SANCTION_TRANSITIONS["record a defence"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "record a defence",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        if self.defence_on is not None:
            raise Conflict("the defence was already recorded", rule="sanction.defence_recorded")
        assert self.facts_notified_on is not None and self.defence_due_on is not None
        if not self.facts_notified_on <= on <= min(today, self.defence_due_on):
            raise RuleViolation(
                "the defence must be made between the facts notice and the window's end",
                rule="sanction.defence_on",
                source=DEFENCE_SOURCE,
            )
        self.defence_on = on
        self.defence_statement = statement.strip()

    # -- decision ---------------------------------------------------------------------------------------------
    def decide(
        self,
        catalogue: Catalogue,
        *,
        decided_on: dt.date,
        today: dt.date,
        decided_by: str,
        type_: SanctionType | None,
        months: int | None,
        effective_on: dt.date | None,
        publication_scope: str,
        guard: ToleranceGuard,
        new_id: Callable[[], str],
        running_until: dt.date | None = None,
        original_post_level: int | None = None,
        original_rank_code: str | None = None,
    ) -> list[Restriction]:
        """Decides the sanction: never heavier than the proposal, never inside the defence window or before the
        tolerance decision; returns the restrictions it causes."""
        if self.status is not SanctionStatus.DEFENCE_WINDOW:
            if self.status is SanctionStatus.PROPOSED:
                raise Conflict(
                    "serve the facts notice and hear the defence before deciding",
                    rule="sanction.facts_notice_required",
                    source=DEFENCE_SOURCE,
                )
            raise InvalidTransition(
                "sanction",
                self.status,
                "decide",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        assert self.facts_notified_on is not None and self.defence_due_on is not None
        if decided_on > today or decided_on < self.facts_notified_on:
            raise RuleViolation("decided_on must be between the facts notice and today", rule="sanction.decided_on")
        if self.defence_on is None and decided_on <= self.defence_due_on:
            raise Conflict(
                f"the defence window is open until {self.defence_due_on.isoformat()}",
                rule="sanction.defence_window_open",
                source=DEFENCE_SOURCE,
                defence_due_on=self.defence_due_on.isoformat(),
            )
        _check_guard(guard, decided_on)
        new_type = type_ or self.proposed_type
        rule = catalogue.check_system(new_type, self.system)
        if heavier(catalogue, new_type, self.proposed_type):
            raise RuleViolation(
                "the decision cannot be heavier than the proposal served with the facts notice",
                rule="sanction.heavier_than_proposal",
                source=DEFENCE_SOURCE,
            )
        effective = self._effective_on(decided_on, effective_on, today)
        chosen = months if months is not None else (self.proposed_months if new_type == self.proposed_type else None)
        count = self.combined_count if rule.combinable else 1
        period = resolve_period(
            catalogue,
            rule,
            system=self.system,
            effective_on=effective,
            months=chosen,
            combined_count=count,
            running_until=running_until,
        )
        if (
            new_type == self.proposed_type
            and self.proposed_months
            and period.months
            and period.months > self.proposed_months
        ):
            raise RuleViolation(
                "the decided period cannot be longer than the proposed one",
                rule="sanction.heavier_than_proposal",
                source=DEFENCE_SOURCE,
            )
        self.type = new_type
        self.decided_on = decided_on
        self.decided_by = decided_by
        self.effective_on = effective
        self.period_months = period.months
        self.ends_on = period.ends_on
        self.combined_count = count
        self.publication_scope = publication_scope
        self.original_post_level = original_post_level
        self.original_rank_code = original_rank_code
        self.status = SanctionStatus.EFFECTIVE
        restrictions = self._restrictions(rule, period, new_id)
        self.events.append(events.SanctionBecameEffective(self.snapshot(catalogue)))
        return restrictions

    @classmethod
    def admonish(
        cls,
        catalogue: Catalogue,
        *,
        sanction_id: str,
        cadre_id: str,
        issued_on: dt.date,
        external_ref: str,
        new_id: Callable[[], str],
        original_post_level: int | None = None,
        original_rank_code: str | None = None,
    ) -> tuple[Sanction, list[Restriction]]:
        """Records an admonishment (诫勉) already held by appraisal; it is in force from the talk."""
        rule = catalogue.check_system(SanctionType.ADMONISHMENT, SanctionSystem.ADMONISHMENT)
        sanction = cls(
            id=sanction_id,
            cadre_id=cadre_id,
            system=SanctionSystem.ADMONISHMENT,
            type=SanctionType.ADMONISHMENT,
            proposed_type=SanctionType.ADMONISHMENT,
            status=SanctionStatus.EFFECTIVE,
            proposed_on=issued_on,
            origin=Origin.ADMONISHMENT_TALK,
            external_ref=external_ref,
            decided_on=issued_on,
            decided_by="appraisal",
            effective_on=issued_on,
            original_post_level=original_post_level,
            original_rank_code=original_rank_code,
        )
        period = resolve_period(catalogue, rule, system=sanction.system, effective_on=issued_on)
        sanction.period_months, sanction.ends_on = period.months, period.ends_on
        restrictions = sanction._restrictions(rule, period, new_id)
        sanction.events.append(events.SanctionBecameEffective(sanction.snapshot(catalogue)))
        return sanction, restrictions

    def _effective_on(self, decided_on: dt.date, effective_on: dt.date | None, today: dt.date) -> dt.date:
        if effective_on is None:
            return decided_on
        if self.system in (SanctionSystem.GOV, SanctionSystem.CIVIL_SERVICE) and effective_on != decided_on:
            raise RuleViolation(
                "a 政务处分 or 处分 takes effect on the decision date",
                rule="sanction.effective_on",
                source=EFFECTIVE_SOURCE,
            )
        if not decided_on <= effective_on <= today:
            raise RuleViolation("effective_on must be between the decision and today", rule="sanction.effective_on")
        return effective_on

    def _restrictions(self, rule: SanctionRule, period: Period, new_id: Callable[[], str]) -> list[Restriction]:
        assert self.effective_on is not None
        return [
            Restriction.activate(
                restriction_id=new_id(),
                cadre_id=self.cadre_id,
                effect=spec.effect,
                source_type=restriction_source(self.system),
                source_id=self.id,
                starts_on=spec.starts_on,
                ends_on=spec.ends_on,
                original_post_level=self.original_post_level,
                original_rank_code=self.original_rank_code,
            )
            for spec in plan_restrictions(rule, effective_on=self.effective_on, period=period)
        ]

    # -- after the decision -----------------------------------------------------------------------------------
    def extend_probation(
        self,
        catalogue: Catalogue,
        *,
        reason: str,
        today: dt.date,
        restrictions: list[Restriction],
        new_id: Callable[[], str],
    ) -> list[Restriction]:
        """Extends a 1-year 留党察看 by one year; returns the restrictions created for the added year."""
        if self.type is not SanctionType.PARTY_PROBATION:
            raise RuleViolation("only 留党察看 can be extended", rule="sanction.extension_type")
        if self.status not in SANCTION_TRANSITIONS["extend"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "extend",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        if not reason or len(reason.strip()) < MIN_REASON:
            raise RuleViolation(
                f"an extension needs a recorded reason of at least {MIN_REASON} characters",
                rule="sanction.extension_reason",
            )
        assert self.effective_on is not None and self.ends_on is not None and self.period_months is not None
        if today >= self.ends_on:
            raise Conflict("the probation has already ended", rule="sanction.extension_too_late")
        old_end = self.ends_on
        period = extend_probation(effective_on=self.effective_on, months=self.period_months)
        rule = catalogue.rule(self.type)
        planned = plan_restrictions(rule, effective_on=self.effective_on, period=period)
        by_effect_end = {}
        for spec in planned:
            by_effect_end.setdefault(spec.effect, []).append(spec)
        added: list[Restriction] = []
        for restriction in restrictions:
            if restriction.status.value != "ACTIVE" or restriction.ends_on is None:
                continue
            later = [
                s
                for s in by_effect_end.get(restriction.effect, [])
                if s.starts_on == restriction.starts_on
                and s.ends_on is not None
                and s.ends_on > restriction.ends_on
                and restriction.ends_on >= old_end
            ]
            if later:
                restriction.extend(new_ends_on=later[0].ends_on, reason=reason, today=today, discretionary=False)
        existing = {(r.effect, r.starts_on) for r in restrictions}
        for spec in planned:
            if (spec.effect, spec.starts_on) not in existing:
                added.append(
                    Restriction.activate(
                        restriction_id=new_id(),
                        cadre_id=self.cadre_id,
                        effect=spec.effect,
                        source_type=restriction_source(self.system),
                        source_id=self.id,
                        starts_on=spec.starts_on,
                        ends_on=spec.ends_on,
                        original_post_level=self.original_post_level,
                        original_rank_code=self.original_rank_code,
                    )
                )
        self.period_months, self.ends_on = period.months, period.ends_on
        self.extension_reason = reason.strip()
        self.status = SanctionStatus.EXTENDED
        return added

    def expire(self, catalogue: Catalogue, today: dt.date) -> None:
        """Ends the sanction at the end of its period (the sweep does the same in SQL)."""
        if self.status not in SANCTION_TRANSITIONS["expire"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "expire",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        if self.ends_on is None or self.ends_on > today:
            raise RuleViolation("the sanction has not reached its end date", rule="sanction.not_due")
        self.status = SanctionStatus.EXPIRED
        self.events.append(events.SanctionExpired(self.snapshot(catalogue)))

    def vary(
        self,
        catalogue: Catalogue,
        *,
        new_type: SanctionType,
        appeal_id: str | None,
        on: dt.date,
        restrictions: list[Restriction],
        new_id: Callable[[], str],
    ) -> list[Restriction]:
        """Applies an appeal that varied the sanction (never heavier): recomputes period and restrictions."""
        if self.status not in SANCTION_TRANSITIONS["vary"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "vary",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        rule = catalogue.check_system(new_type, self.system)
        if heavier(catalogue, new_type, self.type):
            raise RuleViolation(
                "an appeal never makes a sanction heavier", rule="sanction.appeal_heavier", source=APPEAL_SOURCE
            )
        assert self.effective_on is not None
        months = _varied_months(catalogue, rule, self.period_months)
        count = self.combined_count if rule.combinable else 1
        period = resolve_period(
            catalogue, rule, system=self.system, effective_on=self.effective_on, months=months, combined_count=count
        )
        for restriction in restrictions:
            restriction.lift(on, "APPEAL_VARIED")
        fresh = [r for r in self._restrictions(rule, period, new_id) if r.ends_on is None or r.ends_on > on]
        self.previous_type = self.type
        self.type = new_type
        self.period_months, self.ends_on = period.months, period.ends_on
        self.combined_count = count
        self.varied_on = on
        if self.status is SanctionStatus.EXTENDED:
            self.status = SanctionStatus.EFFECTIVE
        self.events.append(events.SanctionVaried(self.snapshot(catalogue), self.previous_type.value, appeal_id))
        return fresh

    def revoke(
        self, catalogue: Catalogue, *, appeal_id: str | None, on: dt.date, restrictions: list[Restriction]
    ) -> None:
        """Applies an appeal that revoked the sanction: lifts every restriction; rank restores, petitions clarify."""
        if self.status not in SANCTION_TRANSITIONS["revoke"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "revoke",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        for restriction in restrictions:
            restriction.lift(on, "APPEAL_REVOKED")
        self.status = SanctionStatus.REVOKED
        self.revoked_on = on
        self.events.append(events.SanctionRevoked(self.snapshot(catalogue), appeal_id, on, self.publication_scope))

    def withdraw(self, *, on: dt.date, reason: str) -> None:
        """Withdraws a proposal that was never decided (tolerated incident, or dropped)."""
        if self.status not in SANCTION_TRANSITIONS["withdraw"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "withdraw",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        self.status = SanctionStatus.WITHDRAWN
        self.withdrawn_on = on
        self.withdrawal_reason = reason

    def mitigate(self, catalogue: Catalogue, *, case_id: str, to_type: SanctionType | None) -> None:
        """Lowers a pending proposal after a MITIGATE tolerance decision; the lighter type's own period applies."""
        if self.status not in SANCTION_TRANSITIONS["mitigate"]:
            raise InvalidTransition(
                "sanction",
                self.status,
                "mitigate",
                allowed_actions=InvalidTransition.allowed(SANCTION_TRANSITIONS, self.status),
            )
        if to_type is not None:
            catalogue.check_system(to_type, self.system)
            if not lighter_or_equal(catalogue, to_type, self.proposed_type):
                raise RuleViolation(
                    f"{to_type} is not lighter than the proposed {self.proposed_type}",
                    rule="tolerance.mitigation_not_lighter",
                    source="问责条例 §18",
                )
            if to_type != self.proposed_type:
                self.proposed_type = self.type = to_type
                self.proposed_months = None
                self.combined_count = 1
        self.mitigated_by_case_id = case_id

    # -- views ------------------------------------------------------------------------------------------------
    def effects(self, catalogue: Catalogue) -> tuple[str, ...]:
        """Lists the restriction effects of the sanction's type."""
        rule = catalogue.rule(self.type)
        seen = dict.fromkeys(
            [
                *(e.value for e in rule.bars),
                *(s.effect.value for s in rule.spans),
                *(e.value for _, e in rule.grade_effects),
            ]
        )
        if rule.period_kind is PeriodKind.PROBATION:
            seen.setdefault("GRADE_UNDETERMINED")
        return tuple(seen)

    def snapshot(self, catalogue: Catalogue) -> events.SanctionSnapshot:
        """Returns the state carried by sanction events."""
        rule = catalogue.rule(self.type)
        assert self.effective_on is not None
        return events.SanctionSnapshot(
            sanction_id=self.id,
            cadre_id=self.cadre_id,
            system=self.system.value,
            type=self.type.value,
            effective_on=self.effective_on,
            ends_on=self.ends_on,
            period_months=self.period_months,
            effects=self.effects(catalogue),
            incident_id=self.incident_id,
            demotes_rank=rule.demotes_rank,
            demotes_level=rule.demotes_level,
        )


def restriction_source(system: SanctionSystem) -> RestrictionSource:
    """Maps a sanction system to the restriction source other services see."""
    return {
        SanctionSystem.ORG_HANDLING: RestrictionSource.ORG_HANDLING,
        SanctionSystem.ADMONISHMENT: RestrictionSource.ADMONISHMENT,
        SanctionSystem.ACCOUNTABILITY: RestrictionSource.ACCOUNTABILITY,
    }.get(system, RestrictionSource.SANCTION)


def _check_guard(guard: ToleranceGuard, decided_on: dt.date) -> None:
    if guard.exempted:
        raise Conflict(
            "the incident was tolerated (exempt) for this cadre",
            rule="sanction.incident_tolerated",
            source=TOLERANCE_GUARD_SOURCE,
        )
    if guard.pending_case:
        raise Conflict(
            "a tolerance case on this incident is awaiting its decision",
            rule="sanction.tolerance_pending",
            source=TOLERANCE_GUARD_SOURCE,
        )
    if guard.window_open_until is not None and not guard.case_decided and decided_on <= guard.window_open_until:
        raise Conflict(
            f"the tolerance application window is open until {guard.window_open_until.isoformat()}",
            rule="sanction.tolerance_window_open",
            source=TOLERANCE_GUARD_SOURCE,
            window_ends_on=guard.window_open_until.isoformat(),
        )


def heavier(catalogue: Catalogue, candidate: SanctionType, reference: SanctionType) -> bool:
    """Tells whether `candidate` is heavier than `reference` (another family always counts as heavier)."""
    a, b = catalogue.rule(candidate), catalogue.rule(reference)
    if a.family != b.family:
        return True  # another family is never "lighter" in a comparable sense
    return a.severity > b.severity


def lighter_or_equal(catalogue: Catalogue, candidate: SanctionType, reference: SanctionType) -> bool:
    """Tells whether `candidate` is no heavier than `reference` within the same family."""
    return not heavier(catalogue, candidate, reference)


def _varied_months(catalogue: Catalogue, rule: SanctionRule, previous: int | None) -> int | None:
    if rule.period_kind is PeriodKind.PER_CASE:
        low, high = catalogue.suspension_months
        return max(low, min(previous or low, high))
    if rule.period_kind is PeriodKind.PROBATION:
        return 12  # the shorter term: a variation is never heavier
    return None
