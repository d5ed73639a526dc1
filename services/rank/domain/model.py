"""Rank aggregates: the org tree and the cadre register with effective-dated holdings (pure: no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kernel.calendar import add_months
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from kernel.ids import new_id
from services.rank.domain import events
from services.rank.domain.holdings import Assignment, LevelHolding, PostHolding, RankHolding, current
from services.rank.domain.ladder import Ladder
from services.rank.domain.levels import level_on_demotion, level_on_promotion
from services.rank.domain.rules.ladders import CATEGORY_SERIES, LEVEL_SOURCE, OUTSIDE_LADDER, POSTS

ORG_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
AGENCY_LEVELS = ("CITY_LEADERSHIP", "MUNICIPAL_AGENCY", "COUNTY_LEADERSHIP", "COUNTY_AGENCY", "TOWNSHIP", "DIVISION")
GENDERS = ("MALE", "FEMALE")
CATEGORIES = ("COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT", "APPOINTED", "GOV_EMPLOYEE")
EDUCATIONS = ("HIGH_SCHOOL", "JUNIOR_COLLEGE", "BACHELOR", "MASTER", "DOCTORATE")
MIN_ENTRY_AGE = 16  # 劳动法 §15: no employment under 16
MAX_DEPTH = 8
# Relations that make two cadres "relatives" for the own-and-relatives rule (公务员法 §74 回避: 夫妻关系、
# 直系血亲关系、三代以内旁系血亲关系以及近姻亲关系).
RELATIONS = {
    "SPOUSE": "SPOUSE",
    "PARENT": "CHILD",
    "CHILD": "PARENT",
    "SIBLING": "SIBLING",
    "COLLATERAL": "COLLATERAL",
    "IN_LAW": "IN_LAW",
}
MANUAL_BASES = ("INITIAL", "PROMOTION", "DEMOTION", "TRANSFER", "CORRECTION")
HOLDING_SOURCE = "公务员法 §19, §50; 公务员职务与职级并行规定 §20, §22"


@dataclass
class OrgUnit:
    """A unit of the org tree (city → bureau → division); its path lists the ids from the root down."""

    id: str
    name: str
    parent_id: str | None
    agency_level: str
    path: list[str]
    active: bool = True
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def create(cls, *, code: str, name: str, agency_level: str, parent: OrgUnit | None) -> OrgUnit:
        """Creates a unit under `parent` (or the root when parent is None)."""
        if not ORG_CODE.match(code):
            raise RuleViolation("org unit code must be 1-64 of a-z, 0-9 and '-'", rule="org_unit.code")
        if agency_level not in AGENCY_LEVELS:
            raise RuleViolation(f"unknown agency level {agency_level}", rule="org_unit.agency_level")
        if parent is not None and not parent.active:
            raise Conflict("the parent unit is closed", rule="org_unit.parent_active")
        if parent is not None and len(parent.path) >= MAX_DEPTH:
            raise RuleViolation(f"the org tree is at most {MAX_DEPTH} levels deep", rule="org_unit.depth")
        unit = cls(
            id=code,
            name=name.strip(),
            parent_id=parent.id if parent else None,
            agency_level=agency_level,
            path=[*(parent.path if parent else []), code],
        )
        unit._saved()
        return unit

    def change(self, *, name: str | None = None, agency_level: str | None = None) -> None:
        """Renames the unit or changes its agency level."""
        if agency_level is not None and agency_level not in AGENCY_LEVELS:
            raise RuleViolation(f"unknown agency level {agency_level}", rule="org_unit.agency_level")
        if not self.active:
            raise Conflict("the unit is closed", rule="org_unit.closed")
        changed = False
        if name is not None and name.strip() != self.name:
            self.name, changed = name.strip(), True
        if agency_level is not None and agency_level != self.agency_level:
            self.agency_level, changed = agency_level, True
        if changed:
            self._saved()

    def move_under(self, parent: OrgUnit, *, subtree_depth: int) -> None:
        """Moves the unit (and, by path, its subtree) under another parent."""
        if self.parent_id is None:
            raise RuleViolation("the root unit cannot move", rule="org_unit.root_fixed")
        if self.id in parent.path:
            raise RuleViolation("a unit cannot move into its own subtree", rule="org_unit.cycle")
        if not parent.active:
            raise Conflict("the new parent unit is closed", rule="org_unit.parent_active")
        if len(parent.path) + subtree_depth > MAX_DEPTH:
            raise RuleViolation(f"the org tree is at most {MAX_DEPTH} levels deep", rule="org_unit.depth")
        if parent.id == self.parent_id:
            return
        self.parent_id = parent.id
        self.path = [*parent.path, self.id]
        self._saved()

    def rebase(self, old_prefix: list[str], new_prefix: list[str]) -> None:
        """Rewrites the path of a descendant after an ancestor moved."""
        self.path = [*new_prefix, *self.path[len(old_prefix) :]]
        self._saved()

    def touch(self) -> None:
        """Re-announces the unit unchanged (descendants of a renamed unit)."""
        self._saved()

    def close(self, *, active_children: int, active_cadres: int) -> None:
        """Closes the unit; it must be empty."""
        if self.parent_id is None:
            raise RuleViolation("the root unit cannot be closed", rule="org_unit.root_fixed")
        if active_children or active_cadres:
            raise Conflict(
                "only an empty unit can be closed (no open sub-units, no active cadres)", rule="org_unit.not_empty"
            )
        if self.active:
            self.active = False
            self._saved()

    def _saved(self) -> None:
        self.events.append(
            events.OrgUnitSaved(self.id, self.parent_id, self.name, self.agency_level, tuple(self.path), self.active)
        )


def _check_dates(*, birth_date: dt.date, entry_date: dt.date, today: dt.date) -> None:
    if birth_date >= today:
        raise RuleViolation("birth_date must be in the past", rule="cadre.birth_date")
    if entry_date > today:
        raise RuleViolation("entry_date cannot be in the future", rule="cadre.entry_date")
    if entry_date < add_months(birth_date, 12 * MIN_ENTRY_AGE):
        raise RuleViolation(
            f"entry_date must be at least {MIN_ENTRY_AGE} years after birth_date",
            rule="cadre.entry_age",
            source="劳动法 §15",
        )


@dataclass
class Cadre:
    """A cadre's register entry (rank owns the master record) with its holding histories."""

    id: str
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    category: str
    party_member: bool
    education: str | None = None
    active: bool = True
    version: int = 0
    reserve_cadre: bool = False
    grassroots_experience: bool = False
    id_number_hash: str | None = field(default=None, repr=False)  # keyed hash of 公民身份号码, never the number
    org_path: list[str] = field(default_factory=list)
    relatives: dict[str, str] = field(default_factory=dict)  # relative id → relation from this cadre's view
    rank_holdings: list[RankHolding] = field(default_factory=list)
    post_holdings: list[PostHolding] = field(default_factory=list)
    level_holdings: list[LevelHolding] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    events: list[Any] = field(default_factory=list, repr=False, compare=False)
    # Rows the repository must write: new holdings to insert, earlier ones whose `until` was set.
    added: list[Any] = field(default_factory=list, repr=False, compare=False)
    closed: list[Any] = field(default_factory=list, repr=False, compare=False)
    relatives_changed: bool = field(default=False, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        cadre_id: str,
        name: str,
        gender: str,
        birth_date: dt.date,
        entry_date: dt.date,
        org_unit: OrgUnit,
        category: str,
        party_member: bool,
        education: str | None,
        today: dt.date,
        id_number_hash: str | None = None,
    ) -> Cadre:
        """Registers a cadre in an org unit, checking the dates against each other and today."""
        if gender not in GENDERS:
            raise RuleViolation(f"gender must be one of {', '.join(GENDERS)}", rule="cadre.gender")
        if category not in CATEGORIES:
            raise RuleViolation(f"unknown category {category}", rule="cadre.category")
        if education is not None and education not in EDUCATIONS:
            raise RuleViolation(f"unknown education {education}", rule="cadre.education")
        _check_dates(birth_date=birth_date, entry_date=entry_date, today=today)
        if not org_unit.active:
            raise Conflict("the org unit is closed", rule="cadre.org_unit_active")
        cadre = cls(
            id=cadre_id,
            name=name.strip(),
            gender=gender,
            birth_date=birth_date,
            entry_date=entry_date,
            org_unit_id=org_unit.id,
            category=category,
            party_member=party_member,
            education=education,
            id_number_hash=id_number_hash,
            org_path=list(org_unit.path),
        )
        assignment = Assignment(new_id(), org_unit.id, entry_date)
        cadre.assignments.append(assignment)
        cadre.added.append(assignment)
        cadre.events.append(events.CadreRegistered(cadre.state(org_unit.path)))
        return cadre

    # -- the snapshot other services keep ------------------------------------------------------------
    @property
    def rank_code(self) -> str | None:
        holding = current(self.rank_holdings)
        return holding.rank_code if holding else None

    @property
    def level(self) -> int | None:
        holding = current(self.level_holdings)
        return holding.level if holding else None

    @property
    def post_code(self) -> str | None:
        holding = current(self.post_holdings)
        return holding.post_code if holding else None

    def state(self, org_path: list[str] | None = None) -> events.CadreState:
        """Returns the register state as other services see it."""
        return events.CadreState(
            self.id,
            self.name,
            self.gender,
            self.birth_date,
            self.entry_date,
            self.org_unit_id,
            tuple(org_path if org_path is not None else self.org_path),
            self.category,
            self.party_member,
            self.education,
            self.active,
            self.rank_code,
            self.level,
            self.post_code,
            self.post_code is not None,
            tuple(sorted(self.relatives)),
        )

    def announce_once(self) -> None:
        """For a cadre registered and given its first holdings in one transaction: announces the registration
        once, with the state after the holdings, and drops the intermediate CadreUpdated snapshots (nobody
        outside the transaction could see those states). The holdings' own events (RankChanged, PostChanged)
        stay, in order, after the registration."""
        kept: list[Any] = []
        for event in self.events:
            if isinstance(event, events.CadreRegistered):
                kept.append(events.CadreRegistered(self.state(list(event.state.org_path))))
            elif not isinstance(event, events.CadreUpdated):
                kept.append(event)
        self.events[:] = kept

    def _tracked(self, change: Callable[[], None]) -> None:
        before = self.state()
        change()
        after = self.state()
        if after != before:
            self.events.append(events.CadreUpdated(after))

    # -- register fields ----------------------------------------------------------------------------
    def update(
        self, *, today: dt.date, new_unit: OrgUnit | None = None, moved_on: dt.date | None = None, **changes: Any
    ) -> None:
        """Changes register fields and, with `new_unit`, moves the cadre to another unit from `moved_on`."""
        allowed = {
            "name",
            "gender",
            "birth_date",
            "entry_date",
            "category",
            "party_member",
            "education",
            "active",
            "reserve_cadre",
            "grassroots_experience",
            "id_number_hash",
        }
        unknown = set(changes) - allowed
        if unknown:
            raise RuleViolation(f"fields not changeable: {', '.join(sorted(unknown))}", rule="cadre.fields")
        if changes.get("gender", self.gender) not in GENDERS:
            raise RuleViolation(f"gender must be one of {', '.join(GENDERS)}", rule="cadre.gender")
        category = changes.get("category", self.category)
        if category not in CATEGORIES:
            raise RuleViolation(f"unknown category {category}", rule="cadre.category")
        if (
            category != self.category
            and self.rank_holdings
            and CATEGORY_SERIES.get(category) != CATEGORY_SERIES.get(self.category)
        ):
            raise Conflict(
                "the category cannot change while a rank of another series is held; record a TRANSFER "
                "rank holding of the new series first",
                rule="cadre.category_series",
            )
        education = changes.get("education", self.education)
        if education is not None and education not in EDUCATIONS:
            raise RuleViolation(f"unknown education {education}", rule="cadre.education")
        birth = changes.get("birth_date", self.birth_date)
        entry = changes.get("entry_date", self.entry_date)
        _check_dates(birth_date=birth, entry_date=entry, today=today)
        starts = [h.since for h in (*self.rank_holdings, *self.post_holdings, *self.level_holdings)]
        if starts and entry > min(starts):
            raise RuleViolation("entry_date cannot be after the first recorded holding", rule="holding.before_entry")
        if new_unit is not None and new_unit.id != self.org_unit_id:
            if not new_unit.active:
                raise Conflict("the org unit is closed", rule="cadre.org_unit_active")
            day = moved_on or today
            self._check_since(day, self.assignments, today=today, what="move")

        def apply() -> None:
            for key, value in changes.items():
                setattr(self, key, value.strip() if key == "name" else value)
            if new_unit is not None and new_unit.id != self.org_unit_id:
                self._open(self.assignments, Assignment(new_id(), new_unit.id, moved_on or today))
                self.org_unit_id = new_unit.id
                self.org_path = list(new_unit.path)

        self._tracked(apply)

    def set_relatives(self, relatives: dict[str, str]) -> None:
        """Replaces the cadre's relations (the caller mirrors them on the other side)."""
        if self.id in relatives:
            raise RuleViolation("a cadre cannot be their own relative", rule="cadre.relative_self")
        bad = [r for r in relatives.values() if r not in RELATIONS]
        if bad:
            raise RuleViolation(f"relation must be one of {', '.join(RELATIONS)}", rule="cadre.relation")
        if relatives == self.relatives:
            return

        def apply() -> None:
            self.relatives = dict(relatives)
            self.relatives_changed = True

        self._tracked(apply)

    # -- holdings ----------------------------------------------------------------------------------
    def _check_since(self, since: dt.date, holdings: list[Any], *, today: dt.date, what: str) -> None:
        if since < self.entry_date:
            raise RuleViolation(f"a {what} cannot take effect before the entry date", rule="holding.before_entry")
        if since > today:
            raise RuleViolation(f"a {what} cannot take effect in the future", rule="holding.future")
        latest = current(holdings)
        if latest is not None and since <= latest.since:
            raise RuleViolation(
                f"a {what} must take effect after the current one (since "
                f"{latest.since.isoformat()}); holdings cannot overlap",
                rule="holding.overlap",
            )

    def _open(self, holdings: list[Any], holding: Any) -> Any:
        previous = current(holdings)
        if previous is not None:
            previous.until = holding.since
            self.closed.append(previous)
        holdings.append(holding)
        self.added.append(holding)
        return previous

    def _series(self) -> str:
        if self.category in OUTSIDE_LADDER:
            raise RuleViolation(
                f"category {self.category} is not on a rank ladder", rule="rank.category_outside_ladder"
            )
        return CATEGORY_SERIES[self.category]

    def add_rank(
        self,
        *,
        rank_code: str,
        since: dt.date,
        basis: str,
        ladder: Ladder,
        today: dt.date,
        level: int | None = None,
        source_ref: str | None = None,
        system: bool = False,
    ) -> RankHolding:
        """Records a rank holding from `since`; a PROMOTION or DEMOTION moves exactly one step."""
        series = self._series()
        if ladder.series != series:
            raise RuleViolation(f"rank {rank_code} is not in the {series} series", rule="rank.series_mismatch")
        target = ladder.require(rank_code)
        if not system and basis not in MANUAL_BASES:
            raise RuleViolation(f"basis must be one of {', '.join(MANUAL_BASES)}", rule="holding.basis")
        self._check_since(since, self.rank_holdings, today=today, what="rank holding")
        previous = current(self.rank_holdings)
        if previous is None and basis not in ("INITIAL", "TRANSFER", "CORRECTION", "REINSTATEMENT"):
            raise RuleViolation("the first rank holding must be INITIAL or TRANSFER", rule="holding.first_basis")
        if previous is not None and basis == "INITIAL":
            raise Conflict(
                "the cadre already holds a rank; INITIAL is for the first holding", rule="holding.initial_exists"
            )
        if previous is not None and previous.rank_code == rank_code:
            raise Conflict(f"the cadre already holds {rank_code}", rule="holding.no_change")
        if previous is not None and basis in ("PROMOTION", "DEMOTION") and ladder.get(previous.rank_code) is not None:
            step = ladder.above(previous.rank_code) if basis == "PROMOTION" else ladder.below(previous.rank_code)
            if step is None or step.code != rank_code:
                raise RuleViolation(
                    f"a {basis.lower()} moves one rank from {previous.rank_code}",
                    rule="rank.step_by_step",
                    source="公务员职务与职级并行规定 §20, §22",
                )
        if level is not None and not target.level_in_range(level):
            raise RuleViolation(
                f"level {level} is outside {rank_code}'s range {target.level_low}–{target.level_high}",
                rule="level.out_of_range",
                source=LEVEL_SOURCE,
            )
        new_level = level
        if new_level is None and basis == "PROMOTION":
            new_level = level_on_promotion(self.level, target)
        elif new_level is None and self.level is not None and not target.level_in_range(self.level):
            new_level = min(max(self.level, target.level_high), target.level_low)
        holding = RankHolding(new_id(), rank_code, series, since, None, basis, source_ref)

        def apply() -> None:
            self._open(self.rank_holdings, holding)
            self.events.append(
                events.RankChanged(
                    holding.id,
                    self.id,
                    series,
                    previous.rank_code if previous else None,
                    rank_code,
                    basis,
                    since,
                    new_level if new_level is not None else self.level,
                    source_ref,
                )
            )
            if new_level is not None and new_level != self.level:
                self._set_level(new_level, None, since, basis, source_ref)

        self._tracked(apply)
        return holding

    def _set_level(self, level: int, step: int | None, since: dt.date, basis: str, source_ref: str | None) -> None:
        previous = current(self.level_holdings)
        if previous is not None and since <= previous.since:
            raise RuleViolation("a level holding must take effect after the current one", rule="holding.overlap")
        holding = LevelHolding(new_id(), level, since, None, step, basis, source_ref)
        self._open(self.level_holdings, holding)
        self.events.append(
            events.LevelChanged(holding.id, self.id, previous.level if previous else None, level, step, basis, since)
        )

    def add_level(
        self,
        *,
        level: int,
        step: int | None,
        since: dt.date,
        basis: str,
        ladder: Ladder | None,
        today: dt.date,
        source_ref: str | None = None,
        system: bool = False,
    ) -> LevelHolding:
        """Records a level (级别) holding; it must lie within the held rank's range."""
        if not 1 <= level <= 27:
            raise RuleViolation("level must be within 1..27", rule="level.range", source=LEVEL_SOURCE)
        if step is not None and not 1 <= step <= 14:
            raise RuleViolation("step (档次) must be within 1..14", rule="level.step")
        if not system and basis not in MANUAL_BASES:
            raise RuleViolation(f"basis must be one of {', '.join(MANUAL_BASES)}", rule="holding.basis")
        self._check_since(since, self.level_holdings, today=today, what="level holding")
        rank = ladder.get(self.rank_code) if ladder is not None and self.rank_code else None
        if rank is not None and not rank.level_in_range(level):
            raise RuleViolation(
                f"level {level} is outside {rank.code}'s range {rank.level_low}–{rank.level_high}",
                rule="level.out_of_range",
                source=LEVEL_SOURCE,
            )
        previous = current(self.level_holdings)
        if previous is not None and previous.level == level and previous.step == step:
            raise Conflict(f"the cadre already holds level {level}", rule="holding.no_change")
        self._tracked(lambda: self._set_level(level, step, since, basis, source_ref))
        return current(self.level_holdings)  # type: ignore[return-value]

    def add_post(
        self,
        *,
        post_code: str | None,
        since: dt.date,
        basis: str,
        today: dt.date,
        hardship: bool = False,
        source_ref: str | None = None,
        system: bool = False,
    ) -> PostHolding:
        """Records a leadership-post holding (None: no leadership post from `since`)."""
        if post_code is not None and post_code not in POSTS:
            raise RuleViolation(f"unknown post code {post_code}", rule="post.unknown_code")
        if not system and basis not in MANUAL_BASES:
            raise RuleViolation(f"basis must be one of {', '.join(MANUAL_BASES)}", rule="holding.basis")
        self._check_since(since, self.post_holdings, today=today, what="post holding")
        previous = current(self.post_holdings)
        if previous is None and post_code is None:
            raise RuleViolation("the first post holding names a post", rule="holding.first_basis")
        if previous is not None and previous.post_code == post_code and previous.hardship == hardship:
            raise Conflict("the cadre already holds this post", rule="holding.no_change")
        holding = PostHolding(new_id(), post_code, since, None, basis, hardship, source_ref)

        def apply() -> None:
            self._open(self.post_holdings, holding)
            self.events.append(
                events.PostChanged(
                    holding.id,
                    self.id,
                    previous.post_code if previous else None,
                    post_code,
                    POSTS[post_code]["post_level"] if post_code else None,
                    basis,
                    since,
                    source_ref,
                )
            )

        self._tracked(apply)
        return holding

    # -- system changes: promotion by batch, demotion, restoration ---------------------------------
    def effective_after_current(self, day: dt.date, *, posts: bool = False) -> dt.date:
        """Returns `day`, or the day after the latest holding when an event dates a change before it."""
        held = self.post_holdings if posts else (*self.rank_holdings, *self.level_holdings)
        latest = max([h.since for h in held] or [day - dt.timedelta(days=1)])
        return max(day, latest + dt.timedelta(days=1), self.entry_date)

    def promote(self, *, target_rank: str, effective_date: dt.date, ladder: Ladder, source_ref: str) -> RankHolding:
        """Appoints the cadre to the next rank, adjusting the level by §4.3."""
        return self.add_rank(
            rank_code=target_rank,
            since=effective_date,
            basis="PROMOTION",
            ladder=ladder,
            today=effective_date,
            source_ref=source_ref,
            system=True,
        )

    def demote(
        self, *, effective_date: dt.date, ladder: Ladder, source_ref: str, lower_level: bool, demote_rank: bool = True
    ) -> tuple[str | None, str | None, int | None, int | None]:
        """Lowers the rank by one step (and the level when the sanction lowers it); returns from/to rank and level."""
        day = self.effective_after_current(effective_date)
        from_rank, from_level = self.rank_code, self.level
        if not demote_rank:
            if from_level is None:
                raise RuleViolation("no level is recorded to lower", rule="level.none")
            rank = ladder.get(from_rank) if from_rank else None
            new = from_level + 1 if rank is None else min(from_level + 1, rank.level_low)
            if new != from_level:
                self._tracked(lambda: self._set_level(new, None, day, "DEMOTION", source_ref))
            return from_rank, from_rank, from_level, new
        if from_rank is None:
            raise RuleViolation("no rank is held; nothing to demote", rule="rank.no_holding")
        target = ladder.below(from_rank)
        if target is None:
            raise RuleViolation(
                f"{from_rank} is the entry rank; it cannot be lowered", rule="rank.bottom", source=HOLDING_SOURCE
            )
        new_level = level_on_demotion(from_level, target, lower_one=lower_level)
        self.add_rank(
            rank_code=target.code,
            since=day,
            basis="DEMOTION",
            ladder=ladder,
            today=day,
            level=new_level,
            source_ref=source_ref,
            system=True,
        )
        return from_rank, target.code, from_level, new_level

    def restore(
        self,
        *,
        rank_code: str | None,
        level: int | None,
        effective_date: dt.date,
        ladder: Ladder | None,
        source_ref: str,
    ) -> None:
        """Restores the rank and level held before a decision that was revoked (政务处分法 §60)."""
        day = self.effective_after_current(effective_date)
        if rank_code is not None and rank_code != self.rank_code and ladder is not None:
            self.add_rank(
                rank_code=rank_code,
                since=day,
                basis="RESTORATION",
                ladder=ladder,
                today=day,
                level=level,
                source_ref=source_ref,
                system=True,
            )
        elif level is not None and level != self.level:
            self._tracked(lambda: self._set_level(level, None, day, "RESTORATION", source_ref))


# The demotion state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
DEMOTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "execute": ("REQUIRED",),
}


@dataclass
class Demotion:
    """A one-rank demotion: REQUIRED (不称职) → EXECUTED, or EXECUTED at once (撤职, 降职, 降级); REVERSED on revocation."""

    id: str
    cadre_id: str
    source: str  # annual-assessment/<id> or sanction/<id>
    reason: str  # ANNUAL_INCOMPETENT | DISMISSAL_FROM_POST | DEMOTION | LEVEL_DEMOTION
    status: str = "REQUIRED"
    from_rank: str | None = None
    to_rank: str | None = None
    from_level: int | None = None
    to_level: int | None = None
    effective_date: dt.date | None = None
    dismissal_review: bool = False  # 2nd consecutive 不称职 → 辞退 review (公务员法 §88(一))
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    def execute(self, cadre: Cadre, *, effective_date: dt.date, ladder: Ladder, lower_level: bool = False) -> None:
        """Carries the demotion out on the cadre's holdings."""
        if self.status not in DEMOTION_TRANSITIONS["execute"]:
            raise InvalidTransition(
                "demotion",
                self.status,
                "execute",
                allowed_actions=InvalidTransition.allowed(DEMOTION_TRANSITIONS, self.status),
            )
        day = cadre.effective_after_current(effective_date)
        self.from_rank, self.to_rank, self.from_level, self.to_level = cadre.demote(
            effective_date=day,
            ladder=ladder,
            source_ref=f"demotion/{self.id}",
            lower_level=lower_level,
            demote_rank=self.reason != "LEVEL_DEMOTION",
        )
        self.effective_date = day
        self.status = "EXECUTED"

    def cancel(self) -> bool:
        """Cancels a demotion not yet executed (its ground was withdrawn); True if it changed."""
        if self.status == "REQUIRED":
            self.status = "CANCELLED"
            return True
        return False

    def reverse(self, cadre: Cadre, *, effective_date: dt.date, ladder: Ladder | None) -> bool:
        """Restores what an executed demotion took, if the cadre still holds the demoted rank; True if it changed."""
        if self.status != "EXECUTED":
            return self.cancel()
        if self.to_rank is not None and cadre.rank_code != self.to_rank:
            self.status = "REVERSED"  # the cadre moved on since; the restoration is a matter for HR
            return True
        cadre.restore(
            rank_code=self.from_rank if self.from_rank != self.to_rank else None,
            level=self.from_level,
            effective_date=effective_date,
            ladder=ladder,
            source_ref=f"demotion/{self.id}",
        )
        self.status = "REVERSED"
        return True
