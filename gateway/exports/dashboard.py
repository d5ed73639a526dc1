"""An org unit's dashboard (the gateway's merged JSON view) as a Document: one sheet per dashboard table."""

from __future__ import annotations

from typing import Any

from gateway.exports.document import Document, Section, Table, counts, missing, pairs, records, text
from kernel.labels import label

# (section title, service): each table of the dashboard and the service whose part holds it.
TABLES = (
    ("晋升资格", "rank"),
    ("考核等次分布", "appraisal"),
    ("担当作为指数", "appraisal"),
    ("激励覆盖", "appraisal"),
    ("逾期信访", "petitions"),
    ("限制即将到期", "tolerance"),
)


def _eligibility(part: dict[str, Any]) -> list[Table]:
    return [
        pairs(
            [
                ("干部人数", part.get("cadres")),
                ("符合晋升条件", part.get("eligible_now")),
                ("一年内符合晋升条件", part.get("eligible_within_year")),
                ("受限制", part.get("blocked")),
                ("应降职降级", part.get("demotions_required")),
                ("待辞退审查", part.get("dismissal_reviews")),
            ]
        ),
        counts(part.get("by_rank"), "rank", "职级", title="按职级"),
        records(
            part.get("top_eligible") or [],
            [
                ("name", None),
                ("org_unit_id", None),
                ("current_rank", "rank"),
                ("target_rank", "rank"),
                ("eligible_on", None),
                ("points", None),
            ],
            title="符合条件人员",
        ),
    ]


def _grades(part: dict[str, Any]) -> list[Table]:
    return [counts(part.get("grade_distribution"), "grade", "考核等次", title=f"{part.get('year')}年度考核等次分布")]


def _index(part: dict[str, Any]) -> list[Table]:
    index = part.get("index") or {}
    return [
        pairs([("期间", index.get("period_key")), ("平均值", text(index.get("mean")))]),
        counts(index.get("bands"), None, "分数段", title="分数段分布"),
    ]


def _coverage(part: dict[str, Any]) -> list[Table]:
    coverage = part.get("incentive_coverage") or {}
    tables = [
        pairs(
            [
                ("年度", coverage.get("year")),
                ("干部人数", coverage.get("total")),
                ("已获激励", coverage.get("covered")),
                ("覆盖率（%）", text(coverage.get("share"))),
                ("未覆盖", coverage.get("left_out")),
            ]
        ),
        counts(coverage.get("by_kind"), None, "激励类别", title="按激励类别"),
    ]
    names = {
        "age_band": ("年龄段", None),
        "gender": ("性别", "gender"),
        "rank": ("职级", "rank"),
        "post_type": ("职务类型", None),
    }
    for key, rows in (coverage.get("breakdown") or {}).items():
        header, vocab = names.get(key, (key, None))
        tables.append(
            Table(
                [header, "人数", "已获激励", "覆盖率（%）"],
                [
                    [
                        label(vocab, r.get("key")) if vocab else r.get("key"),
                        r.get("total"),
                        r.get("covered"),
                        text(r.get("share")),
                    ]
                    for r in rows
                ],
                f"按{header}",
            )
        )
    return tables


def _petitions(part: dict[str, Any]) -> list[Table]:
    return [
        pairs(
            [
                ("逾期件数", part.get("overdue_total")),
                ("最早逾期日期", text(part.get("oldest_overdue_on"))),
                ("即将到期", part.get("due_soon")),
            ]
        ),
        counts(part.get("overdue_by_kind"), None, "期限类别", title="按期限类别", value_header="件数"),
    ]


def _restrictions(part: dict[str, Any]) -> list[Table]:
    ending = part.get("restrictions_ending") or {}
    return [
        pairs(
            [
                ("期限（天）", part.get("horizon_days")),
                ("即将到期", ending.get("count")),
                ("受限制干部人数", part.get("cadres_under_restriction")),
            ]
        ),
        records(
            ending.get("items") or [],
            [
                ("cadre_id", None),
                ("effect", "restriction_effect"),
                ("source_type", "restriction_source"),
                ("ends_on", None),
                ("discretionary_extension", None),
            ],
            title="即将到期的限制",
        ),
        counts(part.get("active_restrictions_by_effect"), "restriction_effect", "限制内容", title="影响期内的限制"),
        counts(
            part.get("sanctions_in_force_by_system"),
            "sanction_system",
            "类别",
            title="影响期内的处分",
            value_header="件数",
        ),
    ]


BUILDERS = {
    "晋升资格": _eligibility,
    "考核等次分布": _grades,
    "担当作为指数": _index,
    "激励覆盖": _coverage,
    "逾期信访": _petitions,
    "限制即将到期": _restrictions,
}


def dashboard_document(body: dict[str, Any], *, as_of: str, subject: str) -> Document:
    """Builds the dashboard document; a degraded or withheld part keeps its sheets, marked as such."""
    unit = body.get("org_unit") or {}
    parts = body.get("parts") or {}
    degraded = {d["service"]: d["reason"] for d in body.get("degraded") or [] if d.get("part") == "dashboard-part"}
    withheld = set(body.get("withheld") or [])
    overview = Section(
        "概览",
        [
            pairs(
                [
                    ("单位", unit.get("name") or body.get("org_unit_id")),
                    ("单位代码", body.get("org_unit_id")),
                    ("单位层级", label("agency_level", unit.get("agency_level"))),
                ]
            )
        ],
    )
    sections = [overview]
    for title, service in TABLES:
        part = parts.get(service)
        if service in withheld:
            sections.append(Section(title, note=missing(None, withheld=True)))
        elif part is None:
            sections.append(Section(title, note=missing(degraded.get(service, "unavailable"))))
        else:
            sections.append(Section(title, BUILDERS[title](part)))
    name = unit.get("name") or body.get("org_unit_id")
    return Document(f"组织工作看板：{name}", [f"截至日期：{as_of}", f"生成对象：{subject}"], sections)
