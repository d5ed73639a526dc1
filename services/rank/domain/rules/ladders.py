"""The rank ladders (职级序列), leadership posts and agency-level ceilings as versioned data.

Confidence tags follow docs/rules.md §0: [S] supported by secondary reprints, [S-] a single secondary source,
[R] recalled and configurable. A deployment corrects a figure by publishing a new ladder version
(`POST /api/v1/ladders/{series}/versions`), never by changing code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

LADDER_VERSION = "2019.1"
LADDER_EFFECTIVE_FROM = dt.date(2019, 6, 1)  # 公务员职务与职级并行规定 took effect on 2019-06-01

# Level (级别) range per comprehensive-equivalent scale position: (lowest level, highest level).
# 并行规定 §8 as quoted [S]; 四级主任科员 24–18 by majority reading (one source says 24–17).
LEVEL_RANGES: dict[int, tuple[int, int]] = {
    1: (13, 8),
    2: (15, 10),
    3: (17, 11),
    4: (18, 12),
    5: (19, 13),
    6: (20, 14),
    7: (21, 15),
    8: (22, 16),
    9: (23, 17),
    10: (24, 18),
    11: (26, 18),
    12: (27, 19),
}

# Minimum years in the rank below (or the listed post) to be promoted INTO the rank at this scale position.
# 并行规定 §18 [S] (identical across five reprints); 一级科员 → 四级主任科员 reads 2 years everywhere.
MIN_YEARS_INTO: dict[int, int] = {1: 4, 2: 4, 3: 3, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 2, 11: 2}

# Promotion into 一级/三级调研员 and 一级/三级主任科员 does not raise the level (职务职级与级别管理办法 §13 [S]).
NO_LEVEL_RAISE_SCALES = frozenset({3, 5, 7, 9})

# Leadership posts (领导职务): code → (name, post level, comprehensive scale positions it is equivalent to).
# Post levels are comparable integers (higher is more senior); equivalences [S-] (docs/rules.md §4.1 notes).
POSTS: dict[str, dict[str, Any]] = {
    "TOWNSHIP_DEPUTY": {"name": "乡科级副职", "post_level": 1, "equivalent_scales": [9, 10]},
    "TOWNSHIP_CHIEF": {"name": "乡科级正职", "post_level": 2, "equivalent_scales": [7, 8]},
    "DIVISION_DEPUTY": {"name": "县处级副职", "post_level": 3, "equivalent_scales": [5, 6]},
    "DIVISION_CHIEF": {"name": "县处级正职", "post_level": 4, "equivalent_scales": [3, 4]},
    "BUREAU_DEPUTY": {"name": "厅局级副职", "post_level": 5, "equivalent_scales": [2]},
    "BUREAU_CHIEF": {"name": "厅局级正职", "post_level": 6, "equivalent_scales": [1]},
}

# Post alternatives to the rank path (并行规定 §18 [S]): promotion into the rank at this scale position may
# also count the time in this leadership post.
POST_PATHS_INTO: dict[int, str] = {
    1: "BUREAU_DEPUTY",
    3: "DIVISION_CHIEF",
    5: "DIVISION_DEPUTY",
    7: "TOWNSHIP_CHIEF",
    9: "TOWNSHIP_DEPUTY",
}

# Highest rank (as a comprehensive scale position) an agency level may hold (并行规定 §10 [S]).
AGENCY_CEILINGS: dict[str, int] = {
    "CITY_LEADERSHIP": 1,  # 市级领导班子: up to 一级巡视员
    "MUNICIPAL_AGENCY": 2,  # 市直机关: 二级巡视员 and below
    "COUNTY_LEADERSHIP": 2,  # 县级领导班子: 二级巡视员, 一级~三级调研员
    "COUNTY_AGENCY": 4,  # 县直机关: 二级调研员 and below
    "TOWNSHIP": 4,  # 乡镇机关: 二级调研员 and below
}
CEILING_SOURCE = "公务员职务与职级并行规定 §10"

EDUCATION_ORDER = ("HIGH_SCHOOL", "JUNIOR_COLLEGE", "BACHELOR", "MASTER", "DOCTORATE")

TENURE_SOURCE = "公务员职务与职级并行规定 §18"
LEVEL_SOURCE = "公务员职务与职级并行规定 §8"

_COMPREHENSIVE_NAMES = [
    "一级巡视员",
    "二级巡视员",
    "一级调研员",
    "二级调研员",
    "三级调研员",
    "四级调研员",
    "一级主任科员",
    "二级主任科员",
    "三级主任科员",
    "四级主任科员",
    "一级科员",
    "二级科员",
]
_PROFESSIONAL_NAMES = [
    "一级总监",
    "二级总监",
    "一级高级主管",
    "二级高级主管",
    "三级高级主管",
    "四级高级主管",
    "一级主管",
    "二级主管",
    "三级主管",
    "四级主管",
    "专业技术员",
]
_ENFORCEMENT_NAMES = [
    "督办",
    "一级高级主办",
    "二级高级主办",
    "三级高级主办",
    "四级高级主办",
    "一级主办",
    "二级主办",
    "三级主办",
    "四级主办",
    "一级行政执法员",
    "二级行政执法员",
]


def _education_min(scale: int) -> str:
    # [R] 巡视员 (and equivalents) commonly require a bachelor's degree, lower ranks a junior-college degree.
    return "BACHELOR" if scale <= 2 else "JUNIOR_COLLEGE"


def _series(
    series: str, prefix: str, names: list[str], first_scale: int, *, with_posts: bool, source: str, confidence: str
) -> dict[str, Any]:
    ranks = []
    for index, name in enumerate(names):
        scale = first_scale + index
        code = f"{prefix}{index + 1:02d}"
        low, high = LEVEL_RANGES[scale]
        promote_from = []
        if index + 1 < len(names):
            below = f"{prefix}{index + 2:02d}"
            promote_from.append({"kind": "RANK", "code": below, "min_years": MIN_YEARS_INTO[scale]})
            if with_posts and scale in POST_PATHS_INTO:
                promote_from.append(
                    {"kind": "POST", "code": POST_PATHS_INTO[scale], "min_years": MIN_YEARS_INTO[scale]}
                )
        equivalent_post = next((p for p, d in POSTS.items() if scale in d["equivalent_scales"]), None)
        ranks.append(
            {
                "code": code,
                "name": name,
                "order": index + 1,
                "scale": scale,
                "level_low": low,
                "level_high": high,
                "equivalent_post": equivalent_post,
                "promote_from": promote_from,
                "education_min": _education_min(scale),
                "raises_level_on_promotion": scale not in NO_LEVEL_RAISE_SCALES,
            }
        )
    return {
        "series": series,
        "version": LADDER_VERSION,
        "effective_from": LADDER_EFFECTIVE_FROM.isoformat(),
        "source": source,
        "confidence": confidence,
        "ranks": ranks,
    }


DEFAULT_LADDERS: dict[str, dict[str, Any]] = {
    "COMPREHENSIVE": _series(
        "COMPREHENSIVE",
        "C",
        _COMPREHENSIVE_NAMES,
        1,
        with_posts=True,
        source="公务员法 §19; 公务员职务与职级并行规定 §8, §18 (levels and tenure [S]; post equivalence [S-]); "
        "职务职级与级别管理办法 §13 (level on promotion [S]); education minimums [R]",
        confidence="S",
    ),
    # The parallel series: same level ranges [S]; tenure mirrors the comprehensive ladder at the same scale
    # position [R] until the 专业技术类 / 行政执法类 规定 texts are checked.
    "PROFESSIONAL": _series(
        "PROFESSIONAL",
        "P",
        _PROFESSIONAL_NAMES,
        1,
        with_posts=False,
        source="专业技术类公务员管理规定 (2016): 11 ranks, level ranges as 并行规定 §8 [S]; tenure mirrored [R]",
        confidence="R",
    ),
    "ENFORCEMENT": _series(
        "ENFORCEMENT",
        "E",
        _ENFORCEMENT_NAMES,
        2,
        with_posts=False,
        source="行政执法类公务员管理规定 (2016): 11 ranks 督办 … 二级行政执法员, level ranges as 并行规定 §8 [S]; "
        "tenure mirrored [R]",
        confidence="R",
    ),
}

CATEGORY_SERIES: dict[str, str] = {
    "COMPREHENSIVE": "COMPREHENSIVE",
    "PROFESSIONAL": "PROFESSIONAL",
    "ENFORCEMENT": "ENFORCEMENT",
}
# 聘任制公务员 are placed by contract and 政府雇员 are outside the civil-service ladder (docs/rules.md §4.6).
OUTSIDE_LADDER = frozenset({"APPOINTED", "GOV_EMPLOYEE"})
