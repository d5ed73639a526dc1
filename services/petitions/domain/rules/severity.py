"""How heavy a decision is, so that an appeal never produces a heavier one (公务员法 §96; 政务处分法 §56)."""

from __future__ import annotations

from kernel.contracts.vocabulary import AppealTarget, ContractOutcome, Grade, SanctionType

# 政务处分 and 公务员法 处分: the six sanctions in statutory order [V] (政务处分法 §7; 公务员法 §62).
_GOV = {
    SanctionType.WARNING: 1,
    SanctionType.DEMERIT: 2,
    SanctionType.MAJOR_DEMERIT: 3,
    SanctionType.LEVEL_DEMOTION: 4,
    SanctionType.DISMISSAL_FROM_POST: 5,
    SanctionType.EXPULSION: 6,
}
# 党纪处分 in statutory order [S] (纪律处分条例 §8).
_PARTY = {
    SanctionType.PARTY_WARNING: 1,
    SanctionType.PARTY_SERIOUS_WARNING: 2,
    SanctionType.PARTY_POST_REMOVAL: 3,
    SanctionType.PARTY_PROBATION: 4,
    SanctionType.PARTY_EXPULSION: 5,
}
# 组织处理 and 问责 measures: no statutory order; this ranking is a design proposal [D].
_ORG = {
    SanctionType.ACCOUNTABILITY_CRITICISM: 1,
    SanctionType.ADMONISHMENT: 2,
    SanctionType.SUSPENSION_FOR_REVIEW: 3,
    SanctionType.POST_ADJUSTMENT: 4,
    SanctionType.TRANSFER_UNSUITABLE: 4,
    SanctionType.RESIGNATION_FOR_FAULT: 5,
    SanctionType.ORDERED_RESIGNATION: 6,
    SanctionType.REMOVAL_FROM_POST: 6,
    SanctionType.DEMOTION: 7,
}
# Annual grades: a better grade is lighter; 不定等次 weighs like 基本称职 (neither counts toward tenure) [D].
_GRADE = {Grade.EXCELLENT: 0, Grade.COMPETENT: 1, Grade.BASIC: 2, Grade.UNDETERMINED: 2, Grade.INCOMPETENT: 3}
_CONTRACT = {
    ContractOutcome.PROMOTE: 0,
    ContractOutcome.RENEW: 0,
    ContractOutcome.KEEP: 1,
    ContractOutcome.DEMOTE: 2,
    ContractOutcome.NOT_RENEW: 3,
    ContractOutcome.TERMINATE: 4,
}

_SANCTION_TARGETS = frozenset(
    {
        AppealTarget.CS_SANCTION,
        AppealTarget.GOV_SANCTION,
        AppealTarget.PARTY_DISCIPLINE,
        AppealTarget.ACCOUNTABILITY,
        AppealTarget.ORG_HANDLING,
    }
)


def scale_for(target: AppealTarget, original: str | None) -> dict[str, int] | None:
    """Returns the severity scale that holds `original` for a target type (None: no comparison possible)."""
    if original is None:
        return None
    if target is AppealTarget.ANNUAL_GRADE:
        scales = [_GRADE]
    elif target is AppealTarget.CONTRACT:
        scales = [_CONTRACT]
    elif target in _SANCTION_TARGETS:
        scales = [_GOV, _PARTY, _ORG]
    else:
        return None
    for scale in scales:
        if original in scale:
            return {str(k): v for k, v in scale.items()}
    return None


def is_not_heavier(target: AppealTarget, original: str | None, varied_to: str) -> bool | None:
    """Tells whether `varied_to` is no heavier than `original` (None when the two cannot be compared)."""
    scale = scale_for(target, original)
    if scale is None:
        return None
    if varied_to not in scale:
        return False
    return scale[varied_to] <= scale[str(original)]
