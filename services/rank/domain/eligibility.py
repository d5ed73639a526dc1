"""The promotion-eligibility engine (docs/rules.md §4.2, §3.2 D): pure, explainable, with the earliest eligible date.

Reading of the rules, in the order they are checked:
1. only the comprehensive, professional and enforcement categories are on a ladder (§4.6);
2. promotion is one step at a time, into the rank just above the one held (并行规定 §20);
3. tenure: the minimum years of the target's promotion paths (the rank below, or an equivalent leadership
   post), counted in months from the month of appointment; each 优秀 year in the current rank shortens the
   requirement by 6 months; the time in a 基本称职 or 不定等次 year does not count; which years are "in the
   current rank" is the partial-year policy (TenurePolicy.partial_year_min_months);
4. a 不称职 year during the current holding means demotion is required (公务员法 §50, 并行规定 §22);
5. restrictions with the NO_RANK_PROMOTION effect block while they apply (ends_on is the last blocked day);
6. an open investigation (立案审查调查) blocks until it closes (并行规定 §21(三));
7. the agency-level ceiling (并行规定 §10) and the ladder's education minimum.
Notes that never block come first in every answer: a 信访 about the cadre awaiting selection supervision's review
(信访工作条例 §30: "no automatic bar", met unknown) and a clarification (澄清正名: recorded so that it is never used
against the cadre, met).
The earliest date assumes nothing else changes: later years are graded 称职 and no new restriction appears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kernel.calendar import add_months, months_between
from kernel.errors import RuleViolation
from services.rank.domain.facts import CadreFacts
from services.rank.domain.holdings import at, run_start
from services.rank.domain.ladder import Ladder, RankDef
from services.rank.domain.rules.ladders import (
    AGENCY_CEILINGS,
    CATEGORY_SERIES,
    CEILING_SOURCE,
    EDUCATION_ORDER,
    OUTSIDE_LADDER,
    TENURE_SOURCE,
)
from services.rank.domain.rules.policies import TenurePolicy

RANK_BLOCKING_EFFECTS = frozenset({"NO_RANK_PROMOTION"})
EXCELLENT_SOURCE = "公务员考核规定 (2020) §19; 公务员职务与职级并行规定 §19"
EXCLUDED_SOURCE = "公务员职务与职级并行规定 §19; 公务员考核规定 (2020) §20–21"
INCOMPETENT_SOURCE = "公务员法 §50; 公务员职务与职级并行规定 §22"
BAR_SOURCE = "公务员职务与职级并行规定 §21; 党政领导干部选拔任用工作条例 §24"
INVESTIGATION_SOURCE = "公务员职务与职级并行规定 §21(三)"
STEP_SOURCE = "公务员职务与职级并行规定 §20"
XINFANG_SOURCE = "信访工作条例 (2022) §30; 党政领导干部选拔任用工作条例 (选拔任用监督)"
CLARIFICATION_SOURCE = (
    "docs/rules.md §5.8 (澄清正名 after an unfounded report; 期满影响使用 decisions may not rely on it)"
)
CATEGORY_SOURCE = "公务员法 §100–105; docs/rules.md §4.6 (聘任制 placed by contract; 政府雇员 outside the ladder)"


@dataclass(frozen=True)
class Reason:
    """One rule applied to the cadre: whether it is met, why, and where the rule comes from."""

    rule: str
    met: bool | None  # None: could not be verified (missing data); never blocks
    detail: str
    source: str
    confidence: str = "S"
    blocking: bool = False  # an unmet reason that makes the cadre ineligible
    until: dt.date | None = None  # first day a time-bound blocker no longer applies
    ref: str | None = None


@dataclass(frozen=True)
class Tenure:
    """Served against required time along one promotion path."""

    path: str  # RANK:<code> or POST:<code>
    since: dt.date  # start of the uninterrupted run in the rank or post
    counted_from: dt.date  # the first day of the month of appointment
    required_months: int
    served_months: int
    excellent_years: tuple[int, ...]
    excluded_years: tuple[tuple[int, int], ...]  # (year, months not counted)
    incompetent_years: tuple[int, ...]
    met_on: dt.date


@dataclass(frozen=True)
class Eligibility:
    """The answer for one cadre, target rank and date."""

    cadre_id: str
    as_of: dt.date
    series: str | None
    current_rank: str | None
    target_rank: str | None
    eligible: bool
    earliest_date: dt.date | None
    tenure: Tenure | None
    reasons: tuple[Reason, ...]
    valid_until: dt.date | None = None  # next day the answer may change by the passing of time alone
    blocked: bool = False  # a restriction or investigation applies on as_of
    ladder_version: str | None = None
    windows: tuple[tuple[dt.date, dt.date | None], ...] = field(default=(), repr=False)


# A time-bound blocker: its first day, its last day (None: open-ended) and the reason it was reported under.
_Window = tuple[dt.date, dt.date | None, Reason]


def _fail(
    facts: CadreFacts,
    as_of: dt.date,
    notes: list[Reason],
    blocker: Reason,
    *,
    series: str | None = None,
    current: str | None = None,
    target: str | None = None,
    version: str | None = None,
) -> Eligibility:
    return Eligibility(
        facts.cadre_id, as_of, series, current, target, False, None, None, (*notes, blocker), ladder_version=version
    )


def months_held_in_year(counted_from: dt.date, year: int) -> int:
    """Returns the months of `year` on or after `counted_from` (12 for a whole year, 0 before it started)."""
    if counted_from.year < year:
        return 12
    if counted_from.year > year:
        return 0
    return 13 - counted_from.month


def compute_tenure(
    facts: CadreFacts, *, path: str, since: dt.date, min_years: int, as_of: dt.date, policy: TenurePolicy
) -> Tenure:
    """Counts served and required months along one path, with 优秀 reductions and excluded years."""
    counted_from = since.replace(day=1)
    excellent: list[int] = []
    excluded: list[tuple[int, int]] = []
    incompetent: list[int] = []
    for year, grade in sorted(facts.grades_known_on(as_of).items()):
        months = months_held_in_year(counted_from, year)
        if months == 0:
            continue
        if grade.grade == "INCOMPETENT":
            incompetent.append(year)
        if months < policy.partial_year_min_months:
            continue  # the year's grade belongs to the previous rank (partial-year policy)
        if grade.grade == "EXCELLENT":
            excellent.append(year)
        elif grade.grade in ("BASIC", "UNDETERMINED", "INCOMPETENT"):
            excluded.append((year, months))
    required = max(0, min_years * 12 - policy.excellent_reduction_months * len(excellent))
    not_counted = sum(m for _, m in excluded)
    served = max(0, months_between(counted_from, as_of) - not_counted)
    return Tenure(
        path=path,
        since=since,
        counted_from=counted_from,
        required_months=required,
        served_months=served,
        excellent_years=tuple(excellent),
        excluded_years=tuple(excluded),
        incompetent_years=tuple(incompetent),
        met_on=add_months(counted_from, required + not_counted),
    )


def _best_tenure(facts: CadreFacts, target: RankDef, as_of: dt.date, policy: TenurePolicy) -> Tenure | None:
    best: Tenure | None = None
    for path in target.promote_from:
        if path.kind == "RANK":
            since = run_start(facts.rank_holdings, "rank_code", path.code, as_of)
        else:
            since = run_start(facts.post_holdings, "post_code", path.code, as_of)
        if since is None:
            continue
        tenure = compute_tenure(
            facts, path=f"{path.kind}:{path.code}", since=since, min_years=path.min_years, as_of=as_of, policy=policy
        )
        if best is None or tenure.met_on < best.met_on:
            best = tenure
    return best


def review_notes(facts: CadreFacts, as_of: dt.date) -> list[Reason]:
    """Non-blocking notes: open 信访 review flags and clarifications known on `as_of`."""
    notes = [
        Reason(
            "review.xinfang",
            None,
            f"a petition about the cadre received {flag.received_on.isoformat()} "
            "awaits review by selection supervision (选拔任用监督); not a bar",
            XINFANG_SOURCE,
            "S",
            ref=f"report/{flag.report_id}",
        )
        for flag in sorted(facts.xinfang_flags, key=lambda f: (f.received_on, f.report_id))
        if flag.open_on(as_of)
    ]
    notes += [
        Reason(
            "clarification.recorded",
            True,
            f"clarified on {c.executed_on.isoformat()} (澄清正名): the reports it names are not used against the cadre",
            CLARIFICATION_SOURCE,
            "S",
            ref=f"clarification/{c.clarification_id}",
        )
        for c in sorted(facts.clarifications, key=lambda c: (c.executed_on, c.clarification_id))
        if c.executed_on <= as_of
    ]
    return notes


@dataclass(frozen=True)
class _Step:
    """The one step evaluated: the cadre's series and ladder, the rank held and the rank just above it."""

    series: str
    ladder: Ladder
    current: RankDef
    target: RankDef


@dataclass(frozen=True)
class _Findings:
    """What one rule family adds to the answer, its reasons in the order they are reported."""

    reasons: tuple[Reason, ...] = ()
    permanent: bool = False  # a blocker that the passing of time alone does not lift: no earliest date
    windows: tuple[_Window, ...] = ()  # time-bound blockers the earliest date must be moved past


def _place(
    facts: CadreFacts, ladder: Ladder | None, as_of: dt.date, target_rank: str | None, notes: list[Reason]
) -> _Step | Eligibility:
    """Rules 1–2: the category is on a ladder (docs/rules.md §4.6) and the target is the rank just above the one held
    (并行规定 §20); returns the step, or the failed answer after `notes`; a missing ladder is a RuleViolation."""
    if facts.category in OUTSIDE_LADDER or facts.category not in CATEGORY_SERIES:
        return _fail(
            facts,
            as_of,
            notes,
            Reason(
                "category.outside_ladder",
                False,
                f"category {facts.category} is not promoted on a rank ladder",
                CATEGORY_SOURCE,
                "S",
                blocking=True,
            ),
        )
    series = CATEGORY_SERIES[facts.category]
    if ladder is None or ladder.series != series:
        raise RuleViolation(f"no {series} ladder in force", rule="ladder.missing")
    holding = at(facts.rank_holdings, as_of)
    if holding is None:
        return _fail(
            facts,
            as_of,
            notes,
            Reason("rank.no_holding", False, f"no rank held on {as_of.isoformat()}", TENURE_SOURCE, blocking=True),
            series=series,
            version=ladder.version,
        )
    current = ladder.get(holding.rank_code)
    if current is None:
        return _fail(
            facts,
            as_of,
            notes,
            Reason(
                "rank.unknown_code",
                False,
                f"rank {holding.rank_code} is not in the {series} ladder version {ladder.version}",
                TENURE_SOURCE,
                blocking=True,
            ),
            series=series,
            current=holding.rank_code,
            version=ladder.version,
        )
    above = ladder.above(current.code)
    if target_rank is not None:
        target = ladder.require(target_rank)
        if above is None or target.code != above.code:
            return _fail(
                facts,
                as_of,
                notes,
                Reason(
                    "ladder.step_by_step",
                    False,
                    f"{target.code} is not the rank just above {current.code}",
                    STEP_SOURCE,
                    blocking=True,
                ),
                series=series,
                current=current.code,
                target=target.code,
                version=ladder.version,
            )
    if above is None:
        return _fail(
            facts,
            as_of,
            notes,
            Reason(
                "ladder.top", False, f"{current.code} is the top of the {series} ladder", STEP_SOURCE, blocking=True
            ),
            series=series,
            current=current.code,
            version=ladder.version,
        )
    return _Step(series, ladder, current, above)


def _tenure_rules(
    tenure: Tenure | None, current: RankDef, as_of: dt.date, confidence: str, policy: TenurePolicy
) -> _Findings:
    """Rule 3, minimum tenure (docs/rules.md §4.1–4.2; 并行规定 §18–19, 考核规定 §19–21): served against required months
    on the best path, then each 优秀 reduction and each year not counted; holding no path is a permanent blocker."""
    if tenure is None:
        return _Findings(
            (
                Reason(
                    "tenure.no_path",
                    False,
                    f"neither {current.code} nor an equivalent post is held on {as_of.isoformat()}",
                    TENURE_SOURCE,
                    blocking=True,
                ),
            ),
            permanent=True,
        )
    met = tenure.served_months >= tenure.required_months
    reasons = [
        Reason(
            "tenure.minimum",
            met,
            f"{tenure.served_months} of {tenure.required_months} months served ({tenure.path} since "
            f"{tenure.since.isoformat()}); met on {tenure.met_on.isoformat()}",
            TENURE_SOURCE,
            confidence,
            blocking=not met,
            until=None if met else tenure.met_on,
        )
    ]
    reasons += [
        Reason(
            "tenure.excellent_reduction",
            True,
            f"{year} 优秀: requirement {policy.excellent_reduction_months} months shorter",
            EXCELLENT_SOURCE,
            ref=str(year),
        )
        for year in tenure.excellent_years
    ]
    reasons += [
        Reason(
            "tenure.excluded_year",
            True,
            f"{year}: {months} months not counted (grade below 称职 or not determined)",
            EXCLUDED_SOURCE,
            ref=str(year),
        )
        for year, months in tenure.excluded_years
    ]
    return _Findings(tuple(reasons))


def _demotion_rule(facts: CadreFacts, tenure: Tenure | None) -> _Findings:
    """Rule 4 (公务员法 §50, 并行规定 §22; docs/rules.md §4.2 item 4): a 不称职 year in the current rank, or else a
    demotion required and not yet executed, is a permanent blocker (the cadre is demoted, not promoted)."""
    if tenure is not None and tenure.incompetent_years:
        years = ", ".join(str(y) for y in tenure.incompetent_years)
        detail = f"不称职 in {years}: demotion by one rank is required"
    elif facts.demotion_required:
        detail = "a demotion is required and not yet executed"
    else:
        return _Findings()
    return _Findings(
        (Reason("grade.incompetent", False, detail, INCOMPETENT_SOURCE, "V", blocking=True),), permanent=True
    )


def _restriction_rules(facts: CadreFacts, as_of: dt.date) -> _Findings:
    """Rule 5 (docs/rules.md §3.2 D; 并行规定 §21): each NO_RANK_PROMOTION restriction not void and not over blocks
    while it applies (ends_on is the last blocked day); one not yet started is reported as scheduled."""
    reasons: list[Reason] = []
    windows: list[_Window] = []
    for restriction in facts.restrictions:
        if restriction.effect not in RANK_BLOCKING_EFFECTS or restriction.status == "VOID":
            continue
        end = restriction.ends_on
        if end is None and restriction.status != "ACTIVE":
            continue  # ended, with no recorded end date: nothing left to block
        if end is not None and end < as_of:
            continue
        until = None if end is None else end + dt.timedelta(days=1)
        applies = restriction.applies_on(as_of)
        kind = "restriction.active" if applies else "restriction.scheduled"
        detail = (
            f"restriction {restriction.effect} from {restriction.starts_on.isoformat()} "
            + ("with no end date" if end is None else f"to {end.isoformat()}")
            + (" (期满影响使用)" if restriction.discretionary_extension else "")
        )
        reason = Reason(
            kind, not applies, detail, BAR_SOURCE, "S", blocking=applies, until=until, ref=restriction.restriction_id
        )
        reasons.append(reason)
        windows.append((restriction.starts_on, end, reason))
    return _Findings(tuple(reasons), windows=tuple(windows))


def _basic_grade_bar(facts: CadreFacts, as_of: dt.date, policy: TenurePolicy) -> _Findings:
    """The optional bar after a 基本称职 grade (docs/rules.md §6; 考核规定 (2007) "一年内不得晋升职务" [R]): off unless
    policy.basic_grade_bar_months > 0, then it blocks for that many months from the grade's finalization."""
    if policy.basic_grade_bar_months <= 0:
        return _Findings()
    reasons: list[Reason] = []
    windows: list[_Window] = []
    for grade in facts.grades_known_on(as_of).values():
        if grade.grade != "BASIC":
            continue
        end = add_months(grade.finalized_on, policy.basic_grade_bar_months) - dt.timedelta(days=1)
        if end < as_of:
            continue
        applies = grade.finalized_on <= as_of
        reason = Reason(
            "grade.basic_bar",
            not applies,
            f"{grade.year} 基本称职: no promotion until {end.isoformat()}",
            '公务员考核规定 (2007) §… ("一年内不得晋升职务")',
            "R",
            blocking=applies,
            until=end + dt.timedelta(days=1),
            ref=str(grade.year),
        )
        reasons.append(reason)
        windows.append((grade.finalized_on, end, reason))
    return _Findings(tuple(reasons), windows=tuple(windows))


def _investigation_rule(facts: CadreFacts, as_of: dt.date) -> _Findings:
    """Rule 6 (并行规定 §21(三); docs/rules.md §3.2 D): an open investigation (立案审查调查) blocks until it closes,
    a day nobody knows in advance, so it is a permanent blocker."""
    reasons = tuple(
        Reason(
            "investigation.open",
            False,
            f"under investigation since {investigation.opened_on.isoformat()}",
            INVESTIGATION_SOURCE,
            "S",
            blocking=True,
            ref=investigation.case_id,
        )
        for investigation in facts.investigations
        if investigation.open_on(as_of)
    )
    return _Findings(reasons, permanent=bool(reasons))


def _ceiling_rule(facts: CadreFacts, target: RankDef) -> _Findings:
    """Rule 7, the agency-level ceiling (并行规定 §10; docs/rules.md §4.1): a target above the highest rank the
    cadre's agency level places is a permanent blocker; an unknown level is reported, unverified."""
    level = facts.org_unit.agency_level
    ceiling = AGENCY_CEILINGS.get(level)
    if ceiling is None:
        return _Findings(
            (Reason("ceiling.agency_level", None, f"no ceiling known for agency level {level}", CEILING_SOURCE),)
        )
    if target.scale < ceiling:
        return _Findings(
            (
                Reason(
                    "ceiling.agency_level",
                    False,
                    f"{level} agencies place ranks up to scale {ceiling}; {target.code} is scale {target.scale}",
                    CEILING_SOURCE,
                    "S",
                    blocking=True,
                ),
            ),
            permanent=True,
        )
    return _Findings(
        (Reason("ceiling.agency_level", True, f"{target.code} is within the {level} ceiling", CEILING_SOURCE, "S"),)
    )


def _education_rule(facts: CadreFacts, target: RankDef, source: str, policy: TenurePolicy) -> _Findings:
    """Rule 7, the ladder's education minimum (docs/rules.md §4.1 [R], cited from the ladder's `source`): checked when
    policy.enforce_education; below it is a permanent blocker, an unknown education is reported, unverified."""
    if not (policy.enforce_education and target.education_min):
        return _Findings()
    if facts.education is None:
        return _Findings(
            (
                Reason(
                    "education.minimum",
                    None,
                    f"education unknown; {target.code} needs {target.education_min}",
                    source,
                    "R",
                ),
            )
        )
    if EDUCATION_ORDER.index(facts.education) < EDUCATION_ORDER.index(target.education_min):
        return _Findings(
            (
                Reason(
                    "education.minimum",
                    False,
                    f"{target.code} needs {target.education_min}",
                    source,
                    "R",
                    blocking=True,
                ),
            ),
            permanent=True,
        )
    return _Findings((Reason("education.minimum", True, f"meets {target.education_min}", source, "R"),))


def _valid_until(as_of: dt.date, tenure: Tenure | None, windows: list[_Window]) -> dt.date | None:
    """The next day after `as_of` the answer may change by the passing of time alone: the day tenure is met, or the
    first or the day after the last day of a blocking window; None when there is none."""
    boundaries = [d for d in ([tenure.met_on] if tenure else []) if d > as_of]
    for start, end, _ in windows:
        if start > as_of:
            boundaries.append(start)
        if end is not None and end + dt.timedelta(days=1) > as_of:
            boundaries.append(end + dt.timedelta(days=1))
    return min(boundaries) if boundaries else None


def evaluate(
    facts: CadreFacts, ladder: Ladder | None, *, as_of: dt.date, policy: TenurePolicy, target_rank: str | None = None
) -> Eligibility:
    """Tells whether a cadre may be promoted into the next rank on `as_of`, why, and from when.

    The non-blocking notes come first, then each rule family in the order of the module docstring; the answer is
    eligible when no reason blocks, and the earliest date is past every window unless a blocker is permanent.
    """
    notes = review_notes(facts, as_of)
    step = _place(facts, ladder, as_of, target_rank, notes)
    if isinstance(step, Eligibility):
        return step
    tenure = _best_tenure(facts, step.target, as_of, policy)
    findings = (
        _tenure_rules(tenure, step.current, as_of, step.ladder.confidence, policy),
        _demotion_rule(facts, tenure),
        _restriction_rules(facts, as_of),
        _basic_grade_bar(facts, as_of, policy),
        _investigation_rule(facts, as_of),
        _ceiling_rule(facts, step.target),
        _education_rule(facts, step.target, step.ladder.source, policy),
    )
    reasons = (*notes, *(reason for found in findings for reason in found.reasons))
    windows = [window for found in findings for window in found.windows]
    permanent = any(found.permanent for found in findings)
    eligible = not any(r.blocking for r in reasons)
    blocked = any(r.blocking and r.rule in ("restriction.active", "investigation.open") for r in reasons)
    earliest = None if permanent or tenure is None else _earliest(max(as_of, tenure.met_on), windows)
    return Eligibility(
        cadre_id=facts.cadre_id,
        as_of=as_of,
        series=step.series,
        current_rank=step.current.code,
        target_rank=step.target.code,
        eligible=eligible,
        earliest_date=as_of if eligible else earliest,
        tenure=tenure,
        reasons=reasons,
        valid_until=_valid_until(as_of, tenure, windows),
        blocked=blocked,
        ladder_version=step.ladder.version,
        windows=tuple((s, e) for s, e, _ in windows),
    )


def _earliest(candidate: dt.date, windows: list[_Window]) -> dt.date | None:
    """Moves `candidate` past every blocking window it falls in; None if an open-ended one holds it."""
    moved = True
    while moved:
        moved = False
        for start, end, _ in windows:
            if start <= candidate and (end is None or candidate <= end):
                if end is None:
                    return None
                candidate = end + dt.timedelta(days=1)
                moved = True
    return candidate
