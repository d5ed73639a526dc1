"""Past sanctions and organizational handling recorded as facts, with their real dates and provenance (pure).

An organization department moving onto the suite brings years of decisions taken on paper or in another system.
Such a decision is not re-run through the live workflow (incident → facts notice → defence → decision, all dated
"today"): it is recorded as what it was — the type, the decision and effective dates, the document number (文号)
and where the record comes from — and then goes through the same rules as a live decision: the same catalogue
row, the same influence period (resolve_period) and the same restrictions (plan_restrictions), all computed from
the real dates. What is over by today is recorded as over, with the events the expiry sweep would have sent.

The natural key of a past fact is (cadre, system, type, decision date, document number): recording it again with
other values is a correction (the restrictions of the previous version are voided and recomputed), recording it
again with the same values changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kernel.contracts.vocabulary import RestrictionStatus, SanctionSystem, SanctionType
from kernel.errors import Conflict, RuleViolation
from services.tolerance.domain import events
from services.tolerance.domain.periods import resolve_period
from services.tolerance.domain.restrictions import MIN_REASON, Restriction
from services.tolerance.domain.rules.catalogue import Catalogue, SanctionRule
from services.tolerance.domain.sanction import EFFECTIVE_SOURCE, Origin, Sanction, SanctionStatus

# Nothing recorded here is older than this (a typing error rather than a record).
HISTORY_FLOOR = dt.date(1900, 1, 1)
# Sanctions and organizational handling (issue 12 item 1); admonishments and accountability measures come from
# appraisal's talks and findings, or through the live workflow.
HISTORY_SYSTEMS = frozenset(
    {SanctionSystem.GOV, SanctionSystem.CIVIL_SERVICE, SanctionSystem.PARTY, SanctionSystem.ORG_HANDLING}
)
HISTORY_REF = "history/"
CORRECTED = "CORRECTED"


class HistorySource(StrEnum):
    """Where a past fact comes from (provenance)."""

    IMPORT = "IMPORT"  # a bulk import from the department's previous system
    PAPER_RECORD = "PAPER_RECORD"  # typed in from the paper decision
    DOSSIER = "DOSSIER"  # read from the cadre's personnel dossier (干部人事档案)


class Outcome(StrEnum):
    RECORDED = "RECORDED"
    CORRECTED = "CORRECTED"
    UNCHANGED = "UNCHANGED"


def normalize_document_number(value: str) -> str:
    """Normalizes a 文号 for the natural key: NFKC (full-width digits and letters), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", value).split())


@dataclass(frozen=True)
class PastFact:
    """A sanction or organizational handling decided before the suite knew about it."""

    cadre_id: str
    system: SanctionSystem
    type: SanctionType
    decided_on: dt.date
    effective_from: dt.date
    document_number: str
    source: HistorySource
    period_months: int | None = None
    combined_count: int = 1
    publication_scope: str | None = None
    probation_extended_on: dt.date | None = None
    probation_extension_reason: str | None = None

    def natural_key(self) -> str:
        """Returns the sanction's external reference: a digest of (cadre, system, type, decided_on, 文号)."""
        raw = "\x1f".join(
            (
                self.cadre_id,
                self.system.value,
                self.type.value,
                self.decided_on.isoformat(),
                normalize_document_number(self.document_number),
            )
        )
        return HISTORY_REF + hashlib.sha256(raw.encode()).hexdigest()[:40]

    def values(self) -> tuple[Any, ...]:
        """Returns what a correction may change (the provenance `source` is not a value of the fact)."""
        reason = self.probation_extension_reason.strip() if self.probation_extension_reason else None
        return (
            self.effective_from,
            self.period_months,
            self.combined_count,
            self.publication_scope,
            self.probation_extended_on,
            reason,
        )


def check_past_fact(catalogue: Catalogue, fact: PastFact, *, today: dt.date) -> SanctionRule:
    """Checks what a live decision's workflow would have checked on the day, for a fact already decided.

    The tolerance window and the defence window belong to the live case and are not checked; instead the dates
    must be plausible (not in the future, not before 1900; the entry-into-service floor is the directory's, checked
    by the use case), the effective date follows the decision (政务处分 and 处分: the same day), and the catalogue row,
    the period and the probation rules are those of a live decision.
    """
    if fact.system not in HISTORY_SYSTEMS:
        raise RuleViolation(
            "only sanctions and organizational handling can be recorded as past facts",
            rule="sanction_history.system",
            field="system",
            allowed=sorted(s.value for s in HISTORY_SYSTEMS),
        )
    rule = catalogue.check_system(fact.type, fact.system)
    days = {
        "decided_on": fact.decided_on,
        "effective_from": fact.effective_from,
        "probation_extended_on": fact.probation_extended_on,
    }
    for name, day in days.items():
        if day is None:
            continue
        if day > today:
            raise RuleViolation(f"{name} cannot be in the future", rule="sanction_history.future", field=name)
        if day < HISTORY_FLOOR:
            raise RuleViolation(f"{name} cannot be before 1900", rule="sanction_history.too_old", field=name)
    if fact.effective_from < fact.decided_on:
        raise RuleViolation(
            "effective_from cannot be before decided_on", rule="sanction_history.effective_from", field="effective_from"
        )
    if fact.system in (SanctionSystem.GOV, SanctionSystem.CIVIL_SERVICE) and fact.effective_from != fact.decided_on:
        raise RuleViolation(
            "a 政务处分 or 处分 takes effect on the decision date",
            rule="sanction.effective_on",
            field="effective_from",
            source=EFFECTIVE_SOURCE,
        )
    if not normalize_document_number(fact.document_number):
        raise RuleViolation(
            "document_number is empty", rule="sanction_history.document_number", field="document_number"
        )
    extended, reason = fact.probation_extended_on, fact.probation_extension_reason
    if (extended is None) != (reason is None):
        raise RuleViolation(
            "probation_extended_on and probation_extension_reason go together",
            rule="sanction_history.probation_extension",
            field="probation_extended_on",
        )
    if extended is not None:
        if fact.type is not SanctionType.PARTY_PROBATION:
            raise RuleViolation(
                "only 留党察看 can be extended", rule="sanction.extension_type", field="probation_extended_on"
            )
        if extended < fact.effective_from:
            raise RuleViolation(
                "probation_extended_on cannot be before effective_from",
                rule="sanction_history.probation_extension",
                field="probation_extended_on",
            )
        if reason is not None and len(reason.strip()) < MIN_REASON:
            raise RuleViolation(
                f"an extension needs a recorded reason of at least {MIN_REASON} characters",
                rule="sanction.extension_reason",
                field="probation_extension_reason",
            )
    return rule


def record_past(
    catalogue: Catalogue,
    fact: PastFact,
    *,
    sanction_id: str,
    today: dt.date,
    recorded_by: str,
    new_id: Callable[[], str],
    running_until: dt.date | None = None,
    original_post_level: int | None = None,
    original_rank_code: str | None = None,
) -> tuple[Sanction, list[Restriction]]:
    """Builds the sanction of a past fact and its restrictions, as a live decision on `decided_on` would have.

    The events are those of the live decision (sanction_effective, restriction_activated), then those of a
    留党察看 extension on its real day (restriction_extended), then those the expiry sweep would have sent by
    today (restriction_expired, sanction_expired).
    """
    rule = check_past_fact(catalogue, fact, today=today)
    sanction = Sanction(
        id=sanction_id,
        cadre_id=fact.cadre_id,
        system=fact.system,
        type=fact.type,
        proposed_type=fact.type,
        status=SanctionStatus.EFFECTIVE,
        proposed_on=fact.decided_on,
        origin=Origin.HISTORY,
        external_ref=fact.natural_key(),
        proposed_months=fact.period_months,
        combined_count=fact.combined_count,
        decided_on=fact.decided_on,
        decided_by=recorded_by,
        effective_on=fact.effective_from,
        publication_scope=fact.publication_scope,
        original_post_level=original_post_level,
        original_rank_code=original_rank_code,
    )
    period = resolve_period(
        catalogue,
        rule,
        system=fact.system,
        effective_on=fact.effective_from,
        months=fact.period_months,
        combined_count=fact.combined_count,
        running_until=running_until,
    )
    sanction.period_months, sanction.ends_on = period.months, period.ends_on
    restrictions = sanction._restrictions(rule, period, new_id)  # the live decision's own planning
    sanction.events.append(events.SanctionBecameEffective(sanction.snapshot(catalogue)))
    if fact.probation_extended_on is not None:
        assert fact.probation_extension_reason is not None
        try:
            restrictions += sanction.extend_probation(
                catalogue,
                reason=fact.probation_extension_reason,
                today=fact.probation_extended_on,
                restrictions=restrictions,
                new_id=new_id,
            )
        except RuleViolation as exc:
            raise RuleViolation(exc.message, rule=exc.rule, source=exc.source, field="probation_extended_on") from None
        except Conflict as exc:  # extended after the term had ended
            raise RuleViolation(
                "probation_extended_on must fall within the probation term",
                rule=exc.rule or "sanction.extension_too_late",
                field="probation_extended_on",
            ) from None
    settle_by(catalogue, sanction, restrictions, today=today)
    return sanction, restrictions


def settle_by(catalogue: Catalogue, sanction: Sanction, restrictions: list[Restriction], *, today: dt.date) -> None:
    """Ends what is over by `today`, exactly as the expiry sweep would have (restrictions first, then the
    sanction)."""
    for restriction in restrictions:
        if (
            restriction.status is RestrictionStatus.ACTIVE
            and restriction.ends_on is not None
            and restriction.ends_on <= today
        ):
            restriction.expire(today)
    if sanction.ends_on is not None and sanction.ends_on <= today:
        sanction.expire(catalogue, today)


def same_fact(current: Sanction, fact: PastFact, recorded: tuple[Any, ...]) -> bool:
    """Tells whether `fact` repeats the current version of a recorded past fact (nothing to do)."""
    return current.external_ref == fact.natural_key() and recorded == fact.values()


def correct_past(
    catalogue: Catalogue,
    current: Sanction,
    fact: PastFact,
    *,
    previous: list[Restriction],
    today: dt.date,
    recorded_by: str,
    new_id: Callable[[], str],
    running_until: dt.date | None = None,
    original_post_level: int | None = None,
    original_rank_code: str | None = None,
) -> tuple[Sanction, list[Restriction]]:
    """Corrects a recorded past fact: the previous version's restrictions are voided (they never applied) and
    the sanction and its restrictions are recomputed from the corrected values, with their events sent again."""
    if current.origin is not Origin.HISTORY or current.external_ref != fact.natural_key():
        raise Conflict("only a recorded past fact can be corrected this way", rule="sanction_history.not_history")
    if current.status is SanctionStatus.REVOKED:
        raise Conflict("the sanction was revoked on appeal", rule="sanction_history.revoked")
    if current.varied_on is not None:
        raise Conflict("the sanction was varied on appeal", rule="sanction_history.varied")
    corrected, restrictions = record_past(
        catalogue,
        fact,
        sanction_id=current.id,
        today=today,
        recorded_by=recorded_by,
        new_id=new_id,
        running_until=running_until,
        original_post_level=original_post_level,
        original_rank_code=original_rank_code,
    )
    for restriction in previous:
        restriction.void(CORRECTED)
    corrected.version = current.version
    return corrected, restrictions
