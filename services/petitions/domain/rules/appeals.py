"""The appeals matrix of docs/rules.md §2.8 as data: per (target type, stage) the filing and decision periods.

A filing period of None means no limit was found in the rules; a decision period of None means no decision
deadline is tracked (the rules name none). Rows tagged [R] or [D] can be overridden in the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from kernel.contracts.vocabulary import AppealStage, AppealTarget
from services.petitions.domain.rules.periods import Period

CONFIGURABLE = frozenset({"R", "D"})
T, S = AppealTarget, AppealStage


@dataclass(frozen=True)
class StageRule:
    """Filing and decision periods of one stage of appeal against one type of decision."""

    target: AppealTarget
    stage: AppealStage
    body: str  # who hears it
    filing_first: Period | None  # when this is the first stage: from the day the appellant learned of the decision
    filing_after: Period | None  # after the previous stage: from that stage's decision
    requires_previous: bool
    decision: Period | None
    max_extension: Period | None
    source: str
    confidence: str
    decision_pausable: bool = False  # time excluded from the decision period (e.g. a hearing)
    final: bool = False  # no further stage; the same claim is not accepted again

    @property
    def key(self) -> str:
        return f"{self.target.value}/{self.stage.value}"


def _p(text: str | None) -> Period | None:
    return Period.parse(text) if text else None


def _cs_family(target: AppealTarget) -> list[StageRule]:
    # 公务员法 §95–97: personnel decisions (处分, 降职, 免职, annual 不称职, dismissal, pay).
    return [
        StageRule(
            target, S.REVIEW, "original body (复核)", _p("30D"), None, False, _p("30D"), None, "公务员法 §95", "V"
        ),
        StageRule(
            target,
            S.APPEAL,
            "civil-service authority or the body one level up (申诉)",
            _p("30D"),
            _p("15D"),
            False,
            _p("60D"),
            _p("30D"),
            "公务员法 §95–96",
            "V",
        ),
        StageRule(
            target,
            S.REAPPEAL,
            "one level above the appeal body (再申诉)",
            None,
            _p("30D"),
            True,
            _p("60D"),
            _p("30D"),
            "公务员法 §95 (再申诉 periods not in the retrieved text)",
            "R",
            final=True,
        ),
    ]


RULES: dict[str, StageRule] = {
    r.key: r
    for r in (
        *_cs_family(T.CS_SANCTION),
        *_cs_family(T.ANNUAL_GRADE),
        *_cs_family(T.ORG_HANDLING),
        StageRule(
            T.GOV_SANCTION,
            S.REVIEW,
            "deciding commission (复审)",
            _p("1M"),
            None,
            False,
            _p("1M"),
            None,
            "监察法 §56; 政务处分法 §55",
            "V",
        ),
        StageRule(
            T.GOV_SANCTION,
            S.APPEAL,
            "commission one level up (复核)",
            None,
            _p("1M"),
            True,
            _p("2M"),
            None,
            "监察法 §56; 政务处分法 §55",
            "V",
            final=True,
        ),
        StageRule(
            T.SUPERVISION_CONDUCT,
            S.APPEAL,
            "the commission concerned (申诉)",
            None,
            None,
            False,
            _p("1M"),
            None,
            "监察法 (2024) §69",
            "V",
        ),
        StageRule(
            T.SUPERVISION_CONDUCT,
            S.REAPPEAL,
            "commission one level up (复查)",
            None,
            _p("1M"),
            True,
            _p("2M"),
            None,
            "监察法 (2024) §69",
            "V",
            final=True,
        ),
        StageRule(
            T.PARTY_DISCIPLINE,
            S.APPEAL,
            "deciding party committee or commission (申诉; 复议/复查)",
            None,
            None,
            False,
            _p("3M"),
            None,
            "监督执纪工作规则 §59 (no national filing limit found)",
            "S",
        ),
        StageRule(
            T.PARTY_DISCIPLINE,
            S.REAPPEAL,
            "higher party organisations",
            None,
            None,
            True,
            _p("3M"),
            None,
            "监督执纪工作规则 §59 (further appeals: figure not found)",
            "R",
            final=True,
        ),
        StageRule(
            T.ACCOUNTABILITY,
            S.APPEAL,
            "the deciding body (问责申诉)",
            _p("1M"),
            None,
            False,
            _p("1M"),
            None,
            "中国共产党问责条例 (2019); 2009 暂行规定 §: 15 d / 30 d",
            "R",
            final=True,
        ),
        StageRule(
            T.CONTRACT,
            S.APPEAL,
            "personnel dispute arbitration (人事争议仲裁)",
            _p("60D"),
            None,
            False,
            None,
            None,
            "公务员法 §105",
            "V",
            final=True,
        ),
        StageRule(
            T.XINFANG,
            S.REVIEW,
            "the body one level up (复查)",
            _p("30D"),
            None,
            False,
            _p("30D"),
            None,
            "信访工作条例 §35",
            "V",
        ),
        StageRule(
            T.XINFANG,
            S.APPEAL,
            "the body one level above (复核; hearing time excluded)",
            None,
            _p("30D"),
            True,
            _p("30D"),
            None,
            "信访工作条例 §36",
            "V",
            decision_pausable=True,
            final=True,
        ),
    )
}

STAGE_ORDER = (S.REVIEW, S.APPEAL, S.REAPPEAL)

# Who accepts and decides an appeal, by the type of decision appealed (docs/permissions.md, "by target type").
DECIDERS: dict[AppealTarget, frozenset[str]] = {
    T.ANNUAL_GRADE: frozenset({"org_admin"}),
    T.CS_SANCTION: frozenset({"org_admin"}),
    T.ORG_HANDLING: frozenset({"org_admin"}),
    T.CONTRACT: frozenset({"org_admin"}),
    T.ACCOUNTABILITY: frozenset({"org_admin", "discipline_officer"}),
    T.GOV_SANCTION: frozenset({"discipline_officer"}),
    T.PARTY_DISCIPLINE: frozenset({"discipline_officer"}),
    T.SUPERVISION_CONDUCT: frozenset({"discipline_officer"}),
    T.XINFANG: frozenset({"discipline_officer"}),
}

# The object each target type names in target_ref, so that the owner of the decision can apply the result.
TARGET_PREFIX: dict[AppealTarget, str] = {
    T.ANNUAL_GRADE: "annual-assessment",
    T.CS_SANCTION: "sanction",
    T.GOV_SANCTION: "sanction",
    T.PARTY_DISCIPLINE: "sanction",
    T.ACCOUNTABILITY: "sanction",
    T.ORG_HANDLING: "sanction",
    T.CONTRACT: "contract",
    T.XINFANG: "report",
    T.SUPERVISION_CONDUCT: "measure",
}
# Targets whose decision another service owns and tells us about (the decision must be known before filing).
PROJECTED = frozenset(
    {T.ANNUAL_GRADE, T.CS_SANCTION, T.GOV_SANCTION, T.PARTY_DISCIPLINE, T.ACCOUNTABILITY, T.ORG_HANDLING, T.CONTRACT}
)


def rule_for(rules: Mapping[str, StageRule], target: AppealTarget, stage: AppealStage) -> StageRule | None:
    """Returns the rule of a (target, stage), or None when that stage does not exist for the target."""
    return rules.get(f"{target.value}/{stage.value}")


def first_stages(rules: Mapping[str, StageRule], target: AppealTarget) -> list[AppealStage]:
    """Lists the stages an appellant may start with for a target type."""
    return [r.stage for r in rules.values() if r.target is target and not r.requires_previous]


def next_stage(rules: Mapping[str, StageRule], target: AppealTarget, stage: AppealStage) -> AppealStage | None:
    """Returns the stage that follows `stage` for the target, or None after the last one."""
    rule = rule_for(rules, target, stage)
    if rule is None or rule.final:
        return None
    for later in STAGE_ORDER[STAGE_ORDER.index(stage) + 1 :]:
        if rule_for(rules, target, later) is not None:
            return later
    return None


def resolve(overrides: Mapping[str, Mapping[str, str | None]] | None = None) -> dict[str, StageRule]:
    """Returns the matrix with configured periods for [R]/[D] rows ({"ACCOUNTABILITY/APPEAL": {"filing": "15D"}})."""
    table = dict(RULES)
    for key, values in (overrides or {}).items():
        rule = table.get(key)
        if rule is None:
            raise ValueError(f"unknown appeal stage {key}")
        if rule.confidence not in CONFIGURABLE:
            raise ValueError(f"appeal stage {key} is statutory ({rule.source}) and not configurable")
        changes: dict[str, Period | None] = {}
        for name, text in values.items():
            field = {
                "filing": "filing_first",
                "filing_after": "filing_after",
                "decision": "decision",
                "extension": "max_extension",
            }.get(name)
            if field is None:
                raise ValueError(f"unknown appeal period {name} (use filing, filing_after, decision, extension)")
            changes[field] = _p(text)
        table[key] = replace(rule, **changes)
    return table
