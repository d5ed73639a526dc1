"""Chinese (zh-CN) labels of the suite's codes and field names: the one place exports and reports read them from.

`VOCABULARIES` maps a vocabulary name to `{code: 中文}`. Vocabularies of the wire enums of
`kernel.contracts.vocabulary` are built per enum (`ENUMS`, and `tests/kernel/test_labels.py` fails when a member
has no label); the others (rank and post names, statuses the services keep in their own domain) are plain tables.
Rank and post names are those of the bundled ladders (公务员职务与职级并行规定 §8; the test checks they agree).
`FIELDS` gives the Chinese header of a field name. Unknown codes are shown as they are, never dropped.

The tables themselves are data (`kernel/data/labels_zh.py`, loaded once at import): every vocabulary of the suite
(wire enums, ranks and posts, kinds and workflow states of the services, roles), the statutes of regulation terms
(`statute`), and the Chinese message of every rule code (`rule_label`). `kernel.i18n` serves them
(`GET /api/v1/vocabulary`) and applies them to answers and problems under zh-CN.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.contracts import vocabulary as v
from kernel.data import labels_zh as data

# -- wire enums (kernel.contracts.vocabulary): vocabulary name (snake_case of the class name) → enum ---------------
ENUMS: dict[str, type[StrEnum]] = {
    "gender": v.Gender,
    "cadre_category": v.CadreCategory,
    "agency_level": v.AgencyLevel,
    "grade": v.Grade,
    "restriction_effect": v.RestrictionEffect,
    "restriction_source": v.RestrictionSource,
    "restriction_status": v.RestrictionStatus,
    "sanction_system": v.SanctionSystem,
    "sanction_type": v.SanctionType,
    "report_outcome": v.ReportOutcome,
    "appeal_target": v.AppealTarget,
    "appeal_stage": v.AppealStage,
    "appeal_result": v.AppealResult,
    "tolerance_decision": v.ToleranceDecision,
    "award_type": v.AwardType,
    "rank_series": v.RankSeries,
    "change_basis": v.ChangeBasis,
    "contract_kind": v.ContractKind,
    "contract_outcome": v.ContractOutcome,
}

# -- rank and post names (the bundled ladders) ----------------------------------------------------------------
RANKS: dict[str, str] = {
    f"{prefix}{i + 1:02d}": name for prefix, names in data.RANK_NAMES.items() for i, name in enumerate(names)
}
POSTS: dict[str, str] = dict(data.POSTS)

# -- every vocabulary: wire enums, ranks and posts, the services' own kinds and workflow states, roles -----------
VOCABULARIES: dict[str, dict[str, str]] = {**data.WIRE, "rank": RANKS, "post": POSTS, **data.OTHER}
STATUTES: dict[str, dict[str, str]] = data.STATUTES
RULES: dict[str, str] = data.RULES
RULE_STATUTES: dict[str, str] = data.RULE_STATUTES

# -- field names (headers of exported tables) -----------------------------------------------------------------
FIELDS: dict[str, str] = data.FIELDS


def label(vocabulary: str, code: object) -> str:
    """The Chinese label of a code in a vocabulary; the code itself when unknown, '' for None."""
    if code is None:
        return ""
    if isinstance(code, bool):
        return VOCABULARIES["yes_no"]["true" if code else "false"]
    text = str(code)
    return VOCABULARIES.get(vocabulary, {}).get(text, text)


def field(name: str) -> str:
    """The Chinese header of a field name (the name itself when none is known)."""
    return FIELDS.get(name, name)


def statute(vocabulary: str, code: object) -> str | None:
    """The statute of a regulation term (the code's own, else its vocabulary's), None when it has none."""
    table = STATUTES.get(vocabulary)
    if not table:
        return None
    return table.get(str(code)) or table.get("*")


def rule_key(rule: str) -> str | None:
    """The entry of `RULES` that labels a rule code: the code itself, else a pattern with `*` for one segment
    (codes built at run time, such as `grade.<restriction>` or `<entity>.transition`); None when none does."""
    if rule in RULES:
        return rule
    head, _, tail = rule.rpartition(".")
    for candidate in (f"{head}.*", f"*.{tail}", "*.*" if head else None):
        if candidate and candidate in RULES:
            return candidate
    return None


def rule_label(rule: str | None) -> str | None:
    """The Chinese message of a rule code (see `rule_key`), None when it has none."""
    if not rule:
        return None
    key = rule_key(rule)
    return RULES[key] if key else None
