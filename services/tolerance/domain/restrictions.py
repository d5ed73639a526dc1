"""Restrictions: one effect over [starts_on, ends_on); the effective bar of a cadre is their union (pure).

A restriction is active on day D when starts_on <= D < until, where `until` is the day it stopped applying:
ends_on while it runs or after it expired, the lifting day if it was lifted early, and None for no end.
End dates are exclusive inside the service (month arithmetic from the effective date gives the first free day);
events and the API show the inclusive last day (`last_day`), as rank and appraisal read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kernel.contracts.vocabulary import RestrictionEffect, RestrictionSource, RestrictionStatus
from kernel.errors import InvalidTransition, RuleViolation
from services.tolerance.domain import events

EXTENSION_SOURCE = "期满影响使用 (docs/rules.md §0, §3.2 D); 中国共产党纪律处分条例 (留党察看 extension)"
# Effects that bar re-use in any post; the post-level bars are checked against the target post instead.
USE_BARS = frozenset(
    {
        RestrictionEffect.NO_POST_PROMOTION,
        RestrictionEffect.NO_RANK_PROMOTION,
        RestrictionEffect.NO_LEVEL_PROMOTION,
        RestrictionEffect.NO_LEADERSHIP_POST,
    }
)
MIN_REASON = 10


# The restriction state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
RESTRICTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "expire": (RestrictionStatus.ACTIVE,),
    "extend": (RestrictionStatus.ACTIVE, RestrictionStatus.EXPIRED),  # EXPIRED: a discretionary 期满影响使用 only
}


@dataclass
class Restriction:
    """One restriction on one cadre, derived from a sanction, handling, admonishment or investigation."""

    id: str
    cadre_id: str
    effect: RestrictionEffect
    source_type: RestrictionSource
    source_id: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: RestrictionStatus = RestrictionStatus.ACTIVE
    discretionary_extension: bool = False
    reason: str | None = None
    original_post_level: int | None = None
    original_rank_code: str | None = None
    lifted_on: dt.date | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def activate(
        cls,
        *,
        restriction_id: str,
        cadre_id: str,
        effect: RestrictionEffect,
        source_type: RestrictionSource,
        source_id: str,
        starts_on: dt.date,
        ends_on: dt.date | None,
        original_post_level: int | None = None,
        original_rank_code: str | None = None,
    ) -> Restriction:
        """Creates an active restriction (its end may be open)."""
        if ends_on is not None and ends_on <= starts_on:
            raise RuleViolation("a restriction must end after it starts", rule="restriction.dates")
        restriction = cls(
            id=restriction_id,
            cadre_id=cadre_id,
            effect=effect,
            source_type=source_type,
            source_id=source_id,
            starts_on=starts_on,
            ends_on=ends_on,
            original_post_level=original_post_level,
            original_rank_code=original_rank_code,
        )
        restriction.events.append(events.RestrictionActivated(restriction.snapshot()))
        return restriction

    @property
    def until(self) -> dt.date | None:
        """Returns the first day the restriction no longer applies (None: it has no end)."""
        if self.status is RestrictionStatus.VOID:
            return self.starts_on
        if self.status is RestrictionStatus.LIFTED:
            assert self.lifted_on is not None
            return self.lifted_on if self.ends_on is None else min(self.lifted_on, self.ends_on)
        return self.ends_on

    def active_on(self, day: dt.date) -> bool:
        """Tells whether the restriction applies on `day`."""
        until = self.until
        return self.starts_on <= day and (until is None or day < until)

    def expire(self, today: dt.date) -> None:
        """Ends the restriction on its end date (the sweep does the same in SQL)."""
        if self.status not in RESTRICTION_TRANSITIONS["expire"]:
            raise InvalidTransition(
                "restriction",
                self.status,
                "expire",
                allowed_actions=InvalidTransition.allowed(RESTRICTION_TRANSITIONS, self.status),
            )
        if self.ends_on is None or self.ends_on > today:
            raise RuleViolation("the restriction has not reached its end date", rule="restriction.not_due")
        self.status = RestrictionStatus.EXPIRED
        self.events.append(events.RestrictionExpired(self.snapshot()))

    def lift(self, on: dt.date, reason: str) -> bool:
        """Ends the restriction early (appeal, investigation closed, tolerated); False if it no longer runs."""
        if self.status is not RestrictionStatus.ACTIVE:
            return False
        if on <= self.starts_on:
            self.status = RestrictionStatus.VOID
        else:
            self.status = RestrictionStatus.LIFTED
        self.lifted_on = on
        self.reason = reason
        self.events.append(events.RestrictionLifted(self.snapshot()))
        return True

    def void(self, reason: str) -> bool:
        """Voids the restriction as if it never applied (a recorded past fact was corrected); False if void."""
        if self.status is RestrictionStatus.VOID:
            return False
        self.status = RestrictionStatus.VOID
        self.lifted_on = self.starts_on
        self.reason = reason
        self.events.append(events.RestrictionLifted(self.snapshot()))
        return True

    def extend(self, *, new_ends_on: dt.date, reason: str, today: dt.date, discretionary: bool) -> None:
        """Moves the end later, with a recorded reason (期满影响使用, or a 留党察看 extension)."""
        if not reason or len(reason.strip()) < MIN_REASON:
            raise RuleViolation(
                f"an extension needs a recorded reason of at least {MIN_REASON} characters",
                rule="restriction.extension_reason",
                source=EXTENSION_SOURCE,
            )
        if self.ends_on is None:
            raise RuleViolation("a restriction without an end cannot be extended", rule="restriction.open_ended")
        if self.status is RestrictionStatus.EXPIRED and discretionary:
            # 期满影响使用: decided when the period is over, so the restriction applies again from today.
            if new_ends_on <= today:
                raise RuleViolation("the new end date must be after today", rule="restriction.extension_dates")
        elif self.status is not RestrictionStatus.ACTIVE:
            raise InvalidTransition(
                "restriction",
                self.status,
                "extend",
                allowed_actions=InvalidTransition.allowed(RESTRICTION_TRANSITIONS, self.status),
            )
        if new_ends_on <= self.ends_on:
            raise RuleViolation(
                "the new end date must be after the current end date", rule="restriction.extension_dates"
            )
        self.ends_on = new_ends_on
        self.status = RestrictionStatus.ACTIVE
        self.reason = reason.strip()
        self.discretionary_extension = self.discretionary_extension or discretionary
        self.events.append(events.RestrictionExtended(self.snapshot()))

    def snapshot(self) -> events.RestrictionSnapshot:
        """Returns the full state carried by every restriction event."""
        return events.RestrictionSnapshot(
            restriction_id=self.id,
            cadre_id=self.cadre_id,
            effect=self.effect.value,
            source_type=self.source_type.value,
            source_id=self.source_id,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            until=self.until,
            status=self.status.value,
            discretionary_extension=self.discretionary_extension,
            reason=self.reason,
            original_post_level=self.original_post_level,
            original_rank_code=self.original_rank_code,
        )


def last_day(end: dt.date | None) -> dt.date | None:
    """Turns an exclusive end (the first free day) into the inclusive last day shown outside (None: no end)."""
    return None if end is None else end - dt.timedelta(days=1)


def first_free_day(last: dt.date) -> dt.date:
    """Turns an inclusive last day given from outside into the exclusive end used inside."""
    return last + dt.timedelta(days=1)


def effective_bar(restrictions: Iterable[Restriction], day: dt.date) -> frozenset[RestrictionEffect]:
    """Returns the union of the effects that apply on `day`, across every system."""
    return frozenset(r.effect for r in restrictions if r.active_on(day))


def merged_intervals(
    restrictions: Iterable[Restriction], effect: RestrictionEffect
) -> list[tuple[dt.date, dt.date | None]]:
    """Merges the intervals of one effect (overlapping or touching) into disjoint [start, end) intervals."""
    spans = sorted(
        (
            (r.starts_on, r.until)
            for r in restrictions
            if r.effect is effect and (r.until is None or r.until > r.starts_on)
        ),
        key=lambda s: s[0],
    )
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, end in spans:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                merged[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
                continue
        merged.append((start, end))
    return merged


def barred_until(restrictions: Iterable[Restriction], effect: RestrictionEffect, day: dt.date) -> dt.date | None | bool:
    """Returns the first day from `day` on without `effect` (False: not barred on `day`; None: no end)."""
    for start, end in merged_intervals(restrictions, effect):
        if start <= day and (end is None or day < end):
            return end
    return False


def use_barred(restrictions: Iterable[Restriction], day: dt.date) -> bool:
    """Tells whether any bar on re-use (promotion or leadership post) applies on `day`."""
    return bool(effective_bar(restrictions, day) & USE_BARS)


def post_bar(
    restrictions: Iterable[Restriction], day: dt.date, *, target_level: int | None, original_level: int | None
) -> RestrictionEffect | None:
    """Returns the post-level bar a target post would break on `day` (unknown levels count as breaking)."""
    bar = effective_bar(restrictions, day)
    unknown = target_level is None or original_level is None
    if RestrictionEffect.NO_POST_EQUAL_OR_ABOVE in bar and (unknown or target_level >= original_level):
        return RestrictionEffect.NO_POST_EQUAL_OR_ABOVE
    if RestrictionEffect.NO_POST_ABOVE_ORIGINAL in bar and (unknown or target_level > original_level):
        return RestrictionEffect.NO_POST_ABOVE_ORIGINAL
    return None
