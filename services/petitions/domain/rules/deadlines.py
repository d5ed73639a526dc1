"""The statutory deadlines of a report (docs/rules.md §2.2) as data: limit, unit, anchor, source and confidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from services.petitions.domain.rules.periods import Period, Unit

CONFIGURABLE = frozenset({"R", "D"})


@dataclass(frozen=True)
class DeadlineRule:
    """One row of the deadline table."""

    kind: str
    period: Period
    anchor: str  # the date the period runs from
    step: str  # what must be done by the due date
    source: str
    confidence: str  # V, S, S-, R or D (docs/rules.md §0)
    pausable: bool = False  # the rules exclude some time from the count (e.g. a hearing)
    max_extension: Period | None = None  # extension allowed with approval


def _p(text: str) -> Period:
    return Period.parse(text)


RULES: dict[str, DeadlineRule] = {
    r.kind: r
    for r in (
        DeadlineRule(
            "ROUTE_UP",
            _p("5WD"),
            "receipt",
            "send a report of a higher commission's remit up",
            "纪检监察机关处理检举控告工作规则 §15",
            "S",
        ),
        DeadlineRule(
            "LOWER_REGISTER",
            _p("5WD"),
            "transfer down",
            "the lower level registers and accepts or re-transfers",
            "纪检监察机关处理检举控告工作规则 §16",
            "S",
        ),
        DeadlineRule(
            "ACCEPT_NOTICE",
            _p("15WD"),
            "receipt",
            "tell a real-name reporter that the report was accepted",
            "纪检监察机关处理检举控告工作规则 (实名检举 chapter)",
            "S",
        ),
        DeadlineRule(
            "FEEDBACK",
            _p("15WD"),
            "closure",
            "give a real-name reporter the result, and record it",
            "纪检监察机关处理检举控告工作规则 (实名检举 chapter)",
            "S",
        ),
        DeadlineRule(
            "INQUIRY_REPLY",
            _p("15WD"),
            "inquiry letter",
            "the accused replies to the inquiry letter (函询)",
            "中国共产党纪律检查机关监督执纪工作规则",
            "R",
        ),
        DeadlineRule(
            "STATEMENT",
            _p("5WD"),
            "statement request",
            "the accused states and defends (陈述申辩)",
            "政务处分法 §43 (no national figure; local practice)",
            "D",
        ),
        DeadlineRule(
            "GENERAL_REGISTER", _p("15D"), "receipt", "register and route a general petition", "信访工作条例 §22", "V"
        ),
        DeadlineRule(
            "GENERAL_NOTICE",
            _p("15D"),
            "receipt",
            "tell the petitioner in writing whether it is accepted",
            "信访工作条例 §23",
            "V",
        ),
        DeadlineRule(
            "GENERAL_CLOSE",
            _p("60D"),
            "acceptance",
            "close a general petition (+≤30 days with approval)",
            "信访工作条例 §34",
            "V",
            max_extension=_p("30D"),
        ),
    )
}

APPEAL_DECISION = "APPEAL_DECISION"  # its period comes from the appeal matrix (rules/appeals.py)
STATEMENT_KINDS = frozenset({"INQUIRY_REPLY", "STATEMENT"})


def resolve(overrides: Mapping[str, str] | None = None) -> dict[str, DeadlineRule]:
    """Returns the table with configured periods for [R]/[D] rows; statutory rows cannot be overridden."""
    table = dict(RULES)
    for kind, text in (overrides or {}).items():
        rule = table.get(kind)
        if rule is None:
            raise ValueError(f"unknown deadline kind {kind}")
        if rule.confidence not in CONFIGURABLE:
            raise ValueError(f"deadline {kind} is statutory ({rule.source}, [{rule.confidence}]) and not configurable")
        table[kind] = replace(rule, period=Period.parse(text))
    return table


def is_working_day_rule(rule: DeadlineRule) -> bool:
    """Tells whether a rule counts working days."""
    return rule.period.unit is Unit.WORKING_DAYS
