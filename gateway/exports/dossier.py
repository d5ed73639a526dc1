"""The cadre dossier (the gateway's merged JSON view) as a Document: one section per part, in Chinese."""

from __future__ import annotations

from typing import Any

from gateway.exports.document import Document, Section, Table, coded, missing, pairs, records, text
from kernel.labels import label

SECTIONS = ("基本信息", "任职经历", "年度考核", "业绩纪实", "奖励", "信访", "容错与处分", "限制")
# Which service provides each section (the register entry comes from rank's register call).
PROVIDER = {
    "任职经历": "rank",
    "年度考核": "appraisal",
    "业绩纪实": "appraisal",
    "奖励": "appraisal",
    "信访": "petitions",
    "容错与处分": "tolerance",
    "限制": "tolerance",
}


def header_lines(as_of: str, subject: str) -> list[str]:
    return [f"截至日期：{as_of}", f"生成对象：{subject}"]


def _basic(cadre: dict[str, Any] | None, rank: dict[str, Any] | None, units: dict[str, str]) -> Section:
    if cadre is None:
        return Section("基本信息", note=missing("unavailable"))
    unit = cadre.get("org_unit_id")
    rows: list[tuple[str, Any]] = [
        ("姓名", cadre.get("name")),
        ("性别", label("gender", cadre.get("gender"))),
        ("出生年月", text(cadre.get("birth_date"))),
        ("参加工作时间", text(cadre.get("entry_date"))),
        ("单位", units.get(unit, unit) if unit else ""),
        ("人员类别", label("cadre_category", cadre.get("category"))),
        ("中共党员", text(cadre.get("party_member"))),
        ("学历", label("education", cadre.get("education"))),
        ("职务", label("post", cadre.get("post_code"))),
        ("职级", label("rank", cadre.get("rank_code"))),
        ("级别", text(cadre.get("level"))),
        ("领导职务", text(cadre.get("leadership"))),
        ("后备干部", text(cadre.get("reserve_cadre"))),
        ("在职", text(cadre.get("active"))),
    ]
    tables = [pairs(rows)]
    if rank is not None:
        eligibility = rank.get("eligibility") or {}
        tables.append(
            pairs(
                [
                    ("当前职级", label("rank", eligibility.get("current_rank"))),
                    ("拟晋升职级", label("rank", eligibility.get("target_rank"))),
                    ("符合晋升条件", text(eligibility.get("eligible"))),
                    ("最早可晋升时间", text(eligibility.get("earliest_date"))),
                    ("受限制", text(eligibility.get("blocked"))),
                ],
                title="职级晋升资格",
            )
        )
        reasons = eligibility.get("reasons") or []
        if reasons:
            rows = [[r.get("rule"), text(r.get("met")), r.get("detail"), r.get("source")] for r in reasons]
            tables.append(Table(["规则", "是否满足", "说明", "依据"], rows, "资格审查明细"))
    return Section("基本信息", tables)


def _career(rank: dict[str, Any]) -> Section:
    history = rank.get("history") or {}
    rows = []
    for kind, key, vocab in (
        ("POST", "post_holdings", "post"),
        ("RANK", "rank_holdings", "rank"),
        ("LEVEL", "level_holdings", None),
        ("ASSIGNMENT", "assignments", None),
    ):
        for h in history.get(key) or []:
            value = {
                "POST": h.get("post_code") or "（非领导职务）",
                "RANK": h.get("rank_code"),
                "LEVEL": h.get("level"),
                "ASSIGNMENT": h.get("org_unit_id"),
            }[kind]
            rows.append(
                [
                    label("holding_kind", kind),
                    coded(vocab, value),
                    text(h.get("since")),
                    text(h.get("until")),
                    label("change_basis", h.get("basis")),
                ]
            )
    rows.sort(key=lambda r: (str(r[2]), str(r[0])))
    tables = [Table(["类别", "内容", "起始时间", "截止时间", "依据"], rows)]
    if rank.get("demotions"):
        tables.append(
            records(
                rank["demotions"],
                [("source", None), ("reason", None), ("status", None), ("effective_date", None)],
                title="降职降级",
            )
        )
    if rank.get("contracts"):
        tables.append(
            records(
                rank["contracts"],
                [("kind", "contract_kind"), ("starts_on", None), ("ends_on", None), ("status", None)],
                title="聘任合同",
            )
        )
    return Section("任职经历", tables)


def _grades(appraisal: dict[str, Any]) -> Section:
    return Section(
        "年度考核",
        [
            records(
                appraisal.get("grades") or [],
                [
                    ("year", None),
                    ("final_grade", "grade"),
                    ("undetermined_reason", "undetermined_reason"),
                    ("decided_on", None),
                    ("notified_on", None),
                    ("status", "assessment_status"),
                    ("source", "grade_source"),
                    ("document_no", None),
                ],
            )
        ],
    )


def _record(appraisal: dict[str, Any]) -> Section:
    index = Table(
        ["期间", "合计", "算法版本"],
        [[i.get("period_key"), text(i.get("total")), i.get("formula_version")] for i in appraisal.get("index") or []],
        "担当作为指数",
    )
    talks = records(
        appraisal.get("talks") or [],
        [
            ("type", "talk_type"),
            ("status", "talk_status"),
            ("scheduled_on", None),
            ("held_on", None),
            ("replied_on", None),
        ],
        title="谈心谈话",
    )
    findings = records(
        appraisal.get("inaction_findings") or [],
        [
            ("item_code", None),
            ("severity", None),
            ("status", "finding_status"),
            ("occurred_on", None),
            ("confirmed_on", None),
        ],
        title="不作为不担当认定",
    )
    notes = records(
        appraisal.get("notes") or [],
        [("kind", None), ("noted_on", None), ("due_on", None), ("detail", None)],
        title="记载事项",
    )
    return Section("业绩纪实", [index, talks, findings, notes])


def _awards(appraisal: dict[str, Any]) -> Section:
    return Section(
        "奖励",
        [
            records(
                appraisal.get("awards") or [],
                [
                    ("type", "award_type"),
                    ("year", None),
                    ("status", "award_status"),
                    ("granted_on", None),
                    ("revoked_on", None),
                    ("basis", None),
                ],
            )
        ],
    )


def _petitions(part: dict[str, Any]) -> Section:
    def generic(items: list[dict[str, Any]], title: str) -> Table:
        keys: list[str] = []
        for item in items:
            keys += [k for k in item if k not in keys and k not in ("cadre_id",)]
        vocab = {
            "outcome": "report_outcome",
            "target_type": "appeal_target",
            "stage": "appeal_stage",
            "result": "appeal_result",
        }
        return records(items, [(k, vocab.get(k)) for k in keys] or [("id", None)], title=title)

    if part.get("withheld"):
        return Section("信访", note=missing(None, withheld=True))
    return Section(
        "信访",
        [
            generic(part.get("outcomes") or [], "办结结果"),
            generic(part.get("clarifications") or [], "澄清正名"),
            generic(part.get("appeals") or [], "复核申诉"),
        ],
    )


def _sanctions(tolerance: dict[str, Any]) -> Section:
    sanctions = records(
        tolerance.get("sanctions") or [],
        [
            ("system", "sanction_system"),
            ("type", "sanction_type"),
            ("status", "sanction_status"),
            ("decided_on", None),
            ("effective_on", None),
            ("period_months", None),
            ("ends_on", None),
            ("origin", "sanction_origin"),
        ],
        title="处分与组织处理",
    )
    cases = records(
        tolerance.get("tolerance_cases") or [],
        [("status", "tolerance_case_status"), ("decision", "tolerance_decision"), ("decided_on", None)],
        title="容错纠错",
    )
    reinstatements = records(
        tolerance.get("reinstatements") or [],
        [("status", "reinstatement_status"), ("decided_on", None)],
        title="影响期满复出",
    )
    return Section("容错与处分", [sanctions, cases, reinstatements])


def _restrictions(tolerance: dict[str, Any]) -> Section:
    tables = [
        records(
            tolerance.get("restrictions") or [],
            [
                ("effect", "restriction_effect"),
                ("source_type", "restriction_source"),
                ("status", "restriction_status"),
                ("starts_on", None),
                ("ends_on", None),
                ("applies_until", None),
                ("lifted_on", None),
                ("discretionary_extension", None),
            ],
        )
    ]
    bar = tolerance.get("effective_bar")
    return Section("限制", tables, note=("当前生效的限制：" + coded("restriction_effect", bar)) if bar else None)


def dossier_document(body: dict[str, Any], *, as_of: str, subject: str, units: dict[str, str]) -> Document:
    """Builds the dossier document from the JSON dossier; a degraded or withheld part keeps its section."""
    parts = body.get("parts") or {}
    degraded = {d["service"]: d["reason"] for d in body.get("degraded") or [] if d.get("part") != "register"}
    withheld = set(body.get("withheld") or [])
    cadre = body.get("cadre")
    builders = {
        "任职经历": _career,
        "年度考核": _grades,
        "业绩纪实": _record,
        "奖励": _awards,
        "信访": _petitions,
        "容错与处分": _sanctions,
        "限制": _restrictions,
    }
    sections = [_basic(cadre, parts.get("rank"), units)]
    for title in SECTIONS[1:]:
        service = PROVIDER[title]
        part = parts.get(service)
        if service in withheld:
            sections.append(Section(title, note=missing(None, withheld=True)))
        elif part is None:
            sections.append(Section(title, note=missing(degraded.get(service, "unavailable"))))
        else:
            sections.append(builders[title](part))
    name = (cadre or {}).get("name") or body.get("cadre_id")
    return Document(f"干部档案：{name}", header_lines(as_of, subject), sections)
