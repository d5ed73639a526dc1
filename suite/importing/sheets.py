"""What each kind of sheet holds: its columns (Chinese headers as departments write them, or the API's field names),
which are required, and how labels map to the API's codes. Reading .xlsx (openpyxl) and .csv into plain rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.rank.domain.rules.ladders import DEFAULT_LADDERS


@dataclass(frozen=True)
class Column:
    """One column: the API field it fills, the headers that name it, whether it is required, how to read it."""

    field: str
    headers: tuple[str, ...]
    required: bool = False
    kind: str = "text"  # text, date, or a label map's name
    help: str = ""


@dataclass(frozen=True)
class SheetKind:
    name: str
    sheet_names: tuple[str, ...]
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())

    def header_map(self, headers: list[Any]) -> tuple[dict[int, Column], list[str]]:
        """Maps a header row to columns by position; returns it and the headers nobody reads."""
        by_name = {h.strip().lower(): c for c in self.columns for h in (*c.headers, c.field)}
        found: dict[int, Column] = {}
        unknown: list[str] = []
        for index, header in enumerate(headers):
            text = str(header).strip() if header is not None else ""
            if not text:
                continue
            column = by_name.get(text.lower())
            if column is None:
                unknown.append(text)
            else:
                found[index] = column
        return found, unknown


GENDERS = {"男": "MALE", "女": "FEMALE", "male": "MALE", "female": "FEMALE", "m": "MALE", "f": "FEMALE"}
EDUCATION = {
    "高中": "HIGH_SCHOOL",
    "中专": "HIGH_SCHOOL",
    "大专": "JUNIOR_COLLEGE",
    "专科": "JUNIOR_COLLEGE",
    "大学专科": "JUNIOR_COLLEGE",
    "本科": "BACHELOR",
    "大学本科": "BACHELOR",
    "大学": "BACHELOR",
    "学士": "BACHELOR",
    "研究生": "MASTER",
    "硕士": "MASTER",
    "硕士研究生": "MASTER",
    "博士": "DOCTORATE",
    "博士研究生": "DOCTORATE",
}
CATEGORIES = {
    "综合管理类": "COMPREHENSIVE",
    "专业技术类": "PROFESSIONAL",
    "行政执法类": "ENFORCEMENT",
    "聘任制": "APPOINTED",
    "聘任制公务员": "APPOINTED",
    "政府雇员": "GOV_EMPLOYEE",
}
AGENCY_LEVELS = {
    "市级领导班子": "CITY_LEADERSHIP",
    "市直机关": "MUNICIPAL_AGENCY",
    "县级领导班子": "COUNTY_LEADERSHIP",
    "县直机关": "COUNTY_AGENCY",
    "乡镇": "TOWNSHIP",
    "乡镇机关": "TOWNSHIP",
    "内设处室": "DIVISION",
    "内设机构": "DIVISION",
}
POSTS = {
    "乡科级副职": "TOWNSHIP_DEPUTY",
    "乡科级正职": "TOWNSHIP_CHIEF",
    "县处级副职": "DIVISION_DEPUTY",
    "县处级正职": "DIVISION_CHIEF",
    "厅局级副职": "BUREAU_DEPUTY",
    "厅局级正职": "BUREAU_CHIEF",
}
# Rank names (一级主任科员 …) from the bundled ladders; the codes (C07 …) are accepted as they are.
RANKS = {rank["name"]: rank["code"] for ladder in DEFAULT_LADDERS.values() for rank in ladder["ranks"]}

GRADES = {
    "优秀": "EXCELLENT",
    "称职": "COMPETENT",
    "基本称职": "BASIC",
    "不称职": "INCOMPETENT",
    "不定等次": "UNDETERMINED",
}
SYSTEMS = {
    "政务处分": "GOV",
    "处分": "CIVIL_SERVICE",
    "公务员处分": "CIVIL_SERVICE",
    "党纪处分": "PARTY",
    "组织处理": "ORG_HANDLING",
}
# 处分种类 by name; the party's own names (严重警告 …) are unique, 警告 is the party's only under 党纪处分.
SANCTION_TYPES = {
    "警告": "WARNING",
    "记过": "DEMERIT",
    "记大过": "MAJOR_DEMERIT",
    "降级": "LEVEL_DEMOTION",
    "撤职": "DISMISSAL_FROM_POST",
    "开除": "EXPULSION",
    "严重警告": "PARTY_SERIOUS_WARNING",
    "撤销党内职务": "PARTY_POST_REMOVAL",
    "留党察看": "PARTY_PROBATION",
    "开除党籍": "PARTY_EXPULSION",
    "调整职务": "POST_ADJUSTMENT",
    "引咎辞职": "RESIGNATION_FOR_FAULT",
    "责令辞职": "ORDERED_RESIGNATION",
    "免职": "REMOVAL_FROM_POST",
    "降职": "DEMOTION",
    "停职检查": "SUSPENSION_FOR_REVIEW",
    "PARTY_WARNING": "PARTY_WARNING",
}

UNDETERMINED_REASONS = {
    "试用期": "PROBATION",
    "处分": "SANCTION",
    "受处分": "SANCTION",
    "立案审查": "PENDING_INVESTIGATION",
    "审查调查": "PENDING_INVESTIGATION",
    "病事假": "LEAVE",
    "其他": "OTHER",
}

# 奖励种类 as appraisal's award types name them (kernel/data/labels_zh.py); 记功 alone takes its 等级 from 奖励等级.
AWARD_TYPES = {
    "嘉奖": "COMMENDATION",
    "记三等功": "MERIT_3",
    "三等功": "MERIT_3",
    "记二等功": "MERIT_2",
    "二等功": "MERIT_2",
    "记一等功": "MERIT_1",
    "一等功": "MERIT_1",
    "授予称号": "TITLE",
    "荣誉称号": "TITLE",
    "政治荣誉": "POLITICAL_HONOUR",
    "通报表扬": "NOTICE_OF_PRAISE",
    "记功": "MERIT",
}
MERIT_LEVELS = {
    "三等": "MERIT_3",
    "三等功": "MERIT_3",
    "二等": "MERIT_2",
    "二等功": "MERIT_2",
    "一等": "MERIT_1",
    "一等功": "MERIT_1",
}
AWARD_BASES = {
    "年度考核优秀": "ANNUAL_EXCELLENT",
    "考核优秀": "ANNUAL_EXCELLENT",
    "连续三年年度考核优秀": "THREE_YEARS_EXCELLENT",
    "连续三年优秀": "THREE_YEARS_EXCELLENT",
    "突出事迹": "DEED",
    "事迹": "DEED",
}
# 申诉 stages and outcomes as petitions' appeal workflow names them.
APPEAL_STAGES = {"复核": "REVIEW", "复审": "REVIEW", "申诉": "APPEAL", "再申诉": "REAPPEAL"}
APPEAL_RESULTS = {
    "维持": "UPHELD",
    "维持原决定": "UPHELD",
    "变更": "VARIED",
    "变更原决定": "VARIED",
    "撤销": "REVOKED",
    "撤销原决定": "REVOKED",
    "不予受理": "REJECTED",
    "驳回": "REJECTED",
    "超过时限": "TIME_BARRED",
    "超过时限不予受理": "TIME_BARRED",
    "逾期": "TIME_BARRED",
}
# 变更为: the grade (称职 …) or the sanction type (警告 …) the decision was varied to.
VARIED_TO = {**SANCTION_TYPES, **GRADES}

LABELS: dict[str, dict[str, str]] = {
    "gender": GENDERS,
    "education": EDUCATION,
    "category": CATEGORIES,
    "agency_level": AGENCY_LEVELS,
    "post": POSTS,
    "rank": RANKS,
    "grade": GRADES,
    "system": SYSTEMS,
    "sanction_type": SANCTION_TYPES,
    "undetermined_reason": UNDETERMINED_REASONS,
    "award_type": AWARD_TYPES,
    "merit_level": MERIT_LEVELS,
    "award_basis": AWARD_BASES,
    "appeal_stage": APPEAL_STAGES,
    "appeal_result": APPEAL_RESULTS,
    "varied_to": VARIED_TO,
}


def label(kind: str, value: str) -> str | None:
    """The code for a label (or a code given as such), or None when the label is unknown."""
    table = LABELS[kind]
    text = value.strip()
    if text in table:
        return table[text]
    if text.lower() in table:
        return table[text.lower()]
    codes = set(table.values())
    return text.upper() if text.upper() in codes else None


ORG_UNITS = SheetKind(
    "org-units",
    ("单位", "org-units", "org_units"),
    (
        Column(
            "code", ("单位代码", "代码"), True, help="the unit's code (lowercase letters, digits, '-'), also its id"
        ),
        Column("name", ("单位名称", "名称"), True),
        Column("parent_id", ("上级单位代码", "上级单位"), help="empty for the root"),
        Column(
            "agency_level",
            ("单位层级", "层级"),
            True,
            "agency_level",
            "市级领导班子, 市直机关, 县级领导班子, 县直机关, 乡镇, 内设处室",
        ),
    ),
    key=("code",),
)

CADRES = SheetKind(
    "cadres",
    ("干部", "cadres"),
    (
        Column("name", ("姓名",), True),
        Column("gender", ("性别",), True, "gender", "男 or 女"),
        Column("birth_date", ("出生年月", "出生日期"), True, "date"),
        Column("entry_date", ("参加工作时间",), True, "date"),
        Column("party_joined_on", ("入党时间",), False, "date", "a date makes the cadre a party member"),
        Column("education", ("学历",), False, "education", "高中, 大专, 大学本科, 研究生, 博士"),
        Column(
            "category",
            ("人员类别", "类别"),
            False,
            "category",
            "综合管理类 (default), 专业技术类, 行政执法类, 聘任制, 政府雇员",
        ),
        Column("org_unit_id", ("单位代码", "所在单位代码"), True, help="a unit of the 单位 sheet or of the register"),
        Column("rank_code", ("职级",), False, "rank", "一级主任科员 … or a code such as C07"),
        Column("rank_since", ("职级任职时间", "任职级时间", "任职时间"), False, "date"),
        Column("post_code", ("职务", "职务层次"), False, "post", "乡科级副职 … 厅局级正职"),
        Column("post_since", ("职务任职时间", "任现职时间"), False, "date"),
        Column(
            "id_number",
            ("身份证号", "公民身份号码", "身份证号码"),
            False,
            "id_number",
            "18 位（末位校验码或 X）；作为文本输入。只存其密钥散列，报告中只显示遮盖后的号码",
        ),
    ),
    key=("name", "gender", "birth_date"),
)

# A cadre in a history sheet is named as in the register: name, gender and birth date (never an internal id).
_WHO = (
    Column("name", ("姓名",), True),
    Column("gender", ("性别",), True, "gender", "男 or 女"),
    Column("birth_date", ("出生年月", "出生日期"), True, "date"),
)

GRADES_SHEET = SheetKind(
    "grades",
    ("考核", "grades"),
    (
        *_WHO,
        Column("year", ("年度", "考核年度"), True, "year"),
        Column("grade", ("考核等次", "等次"), True, "grade", "优秀, 称职, 基本称职, 不称职, 不定等次"),
        Column("decided_on", ("决定时间", "确定等次时间"), True, "date"),
        Column("notified_on", ("通知时间", "书面通知时间"), False, "date", "default: the decision date"),
        Column("publicity_from", ("公示开始",), False, "date", "优秀: the first day of its publicity"),
        Column("publicity_to", ("公示结束",), False, "date", "优秀: the last day of its publicity"),
        Column("document_no", ("文号",), False),
        Column(
            "undetermined_reason",
            ("不定等次原因",),
            False,
            "undetermined_reason",
            "不定等次 only (required then): 试用期, 处分, 立案审查, 病事假, 其他",
        ),
    ),
    key=("name", "gender", "birth_date", "year"),
)

SANCTIONS_SHEET = SheetKind(
    "sanctions",
    ("处分", "sanctions"),
    (
        *_WHO,
        Column("system", ("处分类别", "类别"), True, "system", "政务处分, 处分, 党纪处分, 组织处理"),
        Column("type", ("处分种类", "种类"), True, "sanction_type", "警告, 记过, 记大过, 降级, 撤职, 严重警告, 免职 …"),
        Column("decided_on", ("处分时间", "决定时间"), True, "date"),
        Column("effective_from", ("生效时间",), False, "date", "default: the decision date"),
        Column("document_number", ("文号",), True),
    ),
    key=("name", "gender", "birth_date", "system", "type", "decided_on", "document_number"),
)

AWARDS_SHEET = SheetKind(
    "awards",
    ("奖励", "awards"),
    (
        *_WHO,
        Column(
            "type",
            ("奖励种类", "奖励名称", "奖励类型"),
            True,
            "award_type",
            "嘉奖, 记三等功, 记二等功, 记一等功, 授予称号, 政治荣誉, 通报表扬 (记功 with 奖励等级)",
        ),
        Column("merit_level", ("奖励等级", "等级"), False, "merit_level", "记功 only: 三等, 二等, 一等"),
        Column(
            "basis",
            ("奖励依据", "依据"),
            False,
            "award_basis",
            "突出事迹 (default), 年度考核优秀, 连续三年年度考核优秀",
        ),
        Column("year", ("年度", "考核年度"), False, "year", "the year it is for (a grade's year), not after the grant"),
        Column("granted_on", ("批准时间", "授予时间", "奖励时间"), True, "date"),
        Column("document_no", ("文号", "批准文号"), True),
        Column("revoked_on", ("撤销时间",), False, "date", "if revoked: with 撤销原因"),
        Column("revoke_reason", ("撤销原因",), False, help="if revoked: with 撤销时间"),
    ),
    key=("name", "gender", "birth_date", "type", "document_no"),
)

APPEALS_SHEET = SheetKind(
    "appeals",
    ("申诉", "appeals"),
    (
        Column("name", ("姓名", "申诉人", "申诉人姓名"), True),
        Column("gender", ("性别",), True, "gender", "男 or 女"),
        Column("birth_date", ("出生年月", "出生日期"), True, "date"),
        Column(
            "target",
            ("原处理决定", "原处理决定文号", "申诉对象"),
            True,
            "appeal_target",
            "处分的文号（同一文件 处分 表中的一行）, or 考核年度 such as 2023 (that year's grade)",
        ),
        Column("stage", ("申诉阶段", "阶段"), False, "appeal_stage", "申诉 (default), 复核/复审, 再申诉"),
        Column("notified_on", ("原决定送达时间", "送达时间"), True, "date"),
        Column("filed_on", ("申诉时间", "提出申诉时间"), True, "date"),
        Column("accepted_on", ("受理时间",), False, "date", "default: 申诉时间"),
        Column("decided_on", ("决定时间", "申诉决定时间"), True, "date"),
        Column(
            "outcome", ("申诉结果", "处理结果", "结果"), True, "appeal_result", "维持, 变更, 撤销, 不予受理, 超过时限"
        ),
        Column("varied_to", ("变更为", "变更后"), False, "varied_to", "变更 only (required then): 称职 … or 警告 …"),
        Column("reasons", ("决定理由", "理由"), False, help="不予受理 only (required then)"),
        Column("grounds", ("申诉理由", "申诉请求"), False, help="default: 见申诉材料"),
        Column("document_number", ("文号", "决定文号"), True, help="the appeal decision's 文号"),
    ),
    key=("name", "gender", "birth_date", "target", "stage"),
)

KINDS = {k.name: k for k in (ORG_UNITS, CADRES, GRADES_SHEET, SANCTIONS_SHEET, AWARDS_SHEET, APPEALS_SHEET)}
# Units, the people in them, then their history; appeals last (they name a sanction or a grade).
ORDER = ("org-units", "cadres", "grades", "sanctions", "awards", "appeals")


@dataclass(frozen=True)
class RawSheet:
    kind: SheetKind
    sheet: str
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]  # (1-based row number as the spreadsheet shows it, cells)


def _kind_of(sheet_name: str) -> SheetKind | None:
    name = sheet_name.strip().lower()
    return next((k for k in KINDS.values() if name in (s.lower() for s in k.sheet_names)), None)


def read(path: Path, kind: str | None = None) -> tuple[list[RawSheet], list[str]]:
    """Reads the sheets of a workbook (kinds by sheet name) or one .csv (kind given); returns them and the names of
    sheets no kind reads."""
    if path.suffix.lower() == ".csv":
        if kind is None or kind not in KINDS:
            raise ValueError(f"a .csv file needs --kind ({', '.join(KINDS)})")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
        if not lines:
            return [], []
        rows = [(i + 2, line) for i, line in enumerate(lines[1:]) if any(c.strip() for c in line)]
        return [RawSheet(KINDS[kind], path.name, lines[0], rows)], []
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheets, ignored = [], []
    try:
        for worksheet in workbook.worksheets:
            found = KINDS.get(kind) if kind else _kind_of(worksheet.title)
            if found is None:
                ignored.append(worksheet.title)
                continue
            values = worksheet.iter_rows(values_only=True)
            headers = list(next(values, []) or [])
            rows = [
                (number, list(cells))
                for number, cells in enumerate(values, start=2)
                if any(c not in (None, "") for c in cells)
            ]
            sheets.append(RawSheet(found, worksheet.title, headers, rows))
    finally:
        workbook.close()
    return sheets, ignored


def write_template(path: Path, kinds: list[str]) -> None:
    """Writes an empty workbook with one sheet per kind: Chinese headers (required ones bold), each explained in a
    cell comment, so that the first data row is row 2."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in kinds:
        kind = KINDS[name]
        sheet = workbook.create_sheet(kind.sheet_names[0])
        sheet.append([c.headers[0] for c in kind.columns])
        for cell, column in zip(sheet[1], kind.columns):
            cell.font = Font(bold=column.required)
            note = ("必填。" if column.required else "选填。") + (
                column.help or ("日期，如 1985.03、1985年3月、1985-03-01" if column.kind == "date" else "")
            )
            cell.comment = Comment(note, "youwei")
            sheet.column_dimensions[cell.column_letter].width = 16
    workbook.save(path)
