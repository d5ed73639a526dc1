"""The error-tolerance checklist (容错纠错) and the collective-decision rules, as data (docs/rules.md §3.1)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Condition(StrEnum):
    """The six conditions; all must hold (缺一不可). [S] Sichuan FTZ 2024, Henan and university measures."""

    LAWFUL = "LAWFUL"  # no breach of explicit prohibitions; consistent with higher-level decisions
    PUBLIC_PURPOSE = "PUBLIC_PURPOSE"  # for the public or unit interest, reform and innovation
    DILIGENT = "DILIGENT"  # no subjective intent; duties performed
    NO_PERSONAL_GAIN = "NO_PERSONAL_GAIN"  # no improper benefit for self, others or the unit
    PROPER_PROCEDURE = "PROPER_PROCEDURE"  # collective decision followed, or an emergency reported promptly
    REMEDIATED = "REMEDIATED"  # corrected, recovered the loss, removed the effects


class Exclusion(StrEnum):
    """Typical exclusions (local measures, [S-]/[D]); any one bars tolerance."""

    KNOWING_VIOLATION = "KNOWING_VIOLATION"
    AFTER_EXPLICIT_PROHIBITION = "AFTER_EXPLICIT_PROHIBITION"
    PRIVATE_GAIN = "PRIVATE_GAIN"
    REPEATED_AFTER_WARNING = "REPEATED_AFTER_WARNING"
    SERIOUS_LOSS_BY_DERELICTION = "SERIOUS_LOSS_BY_DERELICTION"
    REFUSED_CORRECTION = "REFUSED_CORRECTION"


class Ground(StrEnum):
    """The grounds an applicant may invoke: the three distinctions and 问责条例 (2019) §17 [S]."""

    REFORM_INEXPERIENCE = "REFORM_INEXPERIENCE"  # 三个区分开来 (1)
    EXPLORATORY_TRIAL = "EXPLORATORY_TRIAL"  # (2)
    UNINTENTIONAL_FOR_DEVELOPMENT = "UNINTENTIONAL_FOR_DEVELOPMENT"  # (3)
    OBJECTED_IN_COLLECTIVE_DECISION = "OBJECTED_IN_COLLECTIVE_DECISION"  # §17(二)
    DUTIES_FULFILLED_UNFORESEEABLE = "DUTIES_FULFILLED_UNFORESEEABLE"  # §17(三)


class Initiator(StrEnum):
    SELF = "SELF"
    UNIT = "UNIT"
    DISCIPLINE_COMMISSION = "DISCIPLINE_COMMISSION"
    ORG_DEPT = "ORG_DEPT"


CONDITIONS_SOURCE = "容错 conditions, 6 缺一不可 (docs/rules.md §3.1) [S]; 中国共产党问责条例 (2019) §17 [S]"
EXCLUSIONS_SOURCE = "typical local exclusions (docs/rules.md §3.1) [S-]/[D]"
RECUSAL_SOURCE = "公职人员政务处分法 §47 (recusal of close relatives and interested persons), applied by analogy [D]"
QUORUM_SOURCE = "collective decision (docs/rules.md §3.1 认定); quorum and majority are configurable [D]"


@dataclass(frozen=True)
class DecisionRules:
    """How a collective decision is valid: attendance quorum and majority of the non-recused members."""

    quorum_fraction: float = 2 / 3  # [D] configurable; mirrors the 2/3 attendance of appointment decisions
    min_members: int = 3  # [D] a "collective" body has at least three members
