"""The importer's pure parts: the date forms of Chinese spreadsheets, header and label mapping, the row report."""

from __future__ import annotations

import datetime as dt

import pytest

from suite.importing.dates import DateError, parse_date
from suite.importing.plan import build
from suite.importing.sheets import CADRES, ORG_UNITS, RawSheet, label, read, write_template

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1985.03", dt.date(1985, 3, 1)),
        ("1985.3", dt.date(1985, 3, 1)),
        ("1985.10", dt.date(1985, 10, 1)),
        ("1985年3月", dt.date(1985, 3, 1)),
        ("1985年3月5日", dt.date(1985, 3, 5)),
        ("1985-03-01", dt.date(1985, 3, 1)),
        ("1985/3/1", dt.date(1985, 3, 1)),
        ("19850301", dt.date(1985, 3, 1)),
        ("1985-03", dt.date(1985, 3, 1)),
        (" 1985 年 3 月 ", dt.date(1985, 3, 1)),
        (31107, dt.date(1985, 3, 1)),
        (31107.75, dt.date(1985, 3, 1)),
        (1985.03, dt.date(1985, 3, 1)),
        (1985.12, dt.date(1985, 12, 1)),
        (19850301, dt.date(1985, 3, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        (dt.datetime(1985, 3, 1, 0, 0), dt.date(1985, 3, 1)),
        (dt.date(1985, 3, 1), dt.date(1985, 3, 1)),
    ],
)
def test_the_date_forms_chinese_spreadsheets_use(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [1985.1, 1985, 60, 0, "1985.13", "1985-02-30", "三月", "", True, None])
def test_what_is_not_a_date_is_refused_with_a_reason(value):
    with pytest.raises(DateError) as error:
        parse_date(value)
    assert str(error.value) and (not isinstance(value, str) or not value or value not in str(error.value))


def test_labels_map_to_codes_and_codes_pass():
    assert label("gender", "女") == "FEMALE" and label("gender", "MALE") == "MALE"
    assert label("rank", "一级主任科员") == "C07" and label("rank", "c07") == "C07"
    assert label("education", "大学本科") == "BACHELOR" and label("post", "县处级正职") == "DIVISION_CHIEF"
    assert label("agency_level", "内设处室") == "DIVISION" and label("category", "政府雇员") == "GOV_EMPLOYEE"
    assert label("rank", "科长") is None


def _sheets():
    units = RawSheet(
        ORG_UNITS,
        "单位",
        ["单位代码", "单位名称", "上级单位代码", "单位层级"],
        [
            (2, ["city", "示例市", None, "市级领导班子"]),
            (3, ["finance", "财政局", "city", "市直机关"]),
            (4, ["loop", "自指", "loop", "市直机关"]),
            (5, ["bad", "坏层级", "city", "省级"]),
        ],
    )
    cadres = RawSheet(
        CADRES,
        "干部",
        ["姓名", "性别", "出生年月", "参加工作时间", "学历", "单位代码", "职级", "职级任职时间", "备注"],
        [
            (2, ["李四", "女", "1988.04", "2010.07", "大学本科", "finance", "一级主任科员", "2019.01", ""]),
            (3, ["王五", "男", "1985年3月", "2008-07-01", "硕士", "finance", None, None, ""]),
            (4, ["王五", "男", "1985.03", 39630, None, "city", None, None, ""]),  # same person as row 3
            (5, ["赵六", "未知", "1990.01", "2012.08", None, "finance", None, None, ""]),
            (6, ["钱七", "女", "1990.01", "1989.08", None, "finance", None, None, ""]),
            (7, ["孙八", "男", "1990.01", "2012.08", None, "finance", "一级主任科员", None, ""]),
            (8, [None, "男", "2030.01", "2012.08", None, "finance", None, None, ""]),
        ],
    )
    return [cadres, units]


def test_the_plan_reads_good_rows_and_names_every_bad_one():
    plan = build(_sheets(), today=TODAY)
    assert [r.values["code"] for r in plan.of("org-units")] == ["city", "finance"]
    [li] = plan.of("cadres")
    assert li.values == {
        "name": "李四",
        "gender": "FEMALE",
        "birth_date": "1988-04-01",
        "entry_date": "2010-07-01",
        "education": "BACHELOR",
        "org_unit_id": "finance",
        "rank_code": "C07",
        "rank_since": "2019-01-01",
    }
    where = {(i.sheet, i.row, i.column): i.reason for i in plan.issues}
    assert where[("单位", 4, "上级单位代码")] == "a unit cannot be its own parent"
    assert where[("单位", 5, "单位层级")] == "unknown agency level"
    assert where[("干部", 1, "备注")] == "unknown column (ignored)"
    assert "duplicate of row 4" in where[("干部", 3, "姓名")] and "duplicate of row 3" in where[("干部", 4, "姓名")]
    assert where[("干部", 5, "性别")] == "unknown gender"
    assert where[("干部", 6, "参加工作时间")] == "before the birth date"
    assert where[("干部", 7, "职级任职时间")] == "the rank needs the date it was taken up"
    assert where[("干部", 8, "姓名")] == "required"
    assert where[("干部", 8, "出生年月")].startswith("not a plausible date")
    assert plan.report()["rows_with_issues"] == 8


def test_a_sheet_without_a_required_column_reads_no_row():
    sheet = RawSheet(CADRES, "干部", ["姓名", "性别"], [(2, ["李四", "女"])])
    plan = build([sheet], today=TODAY)
    assert plan.records == []
    assert {i.column for i in plan.issues} >= {"出生年月", "参加工作时间", "单位代码"}


def test_the_template_reads_back_as_empty_sheets_of_the_right_kinds(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path, ["org-units", "cadres"])
    sheets, ignored = read(path)
    assert [(s.kind.name, s.rows) for s in sheets] == [("org-units", []), ("cadres", [])] and ignored == []
    assert build(sheets, today=TODAY).issues == []


def test_csv_with_english_headers(tmp_path):
    path = tmp_path / "cadres.csv"
    path.write_text(
        "name,gender,birth_date,entry_date,org_unit_id\n李四,女,1988.04,2010.07,finance\n", encoding="utf-8-sig"
    )
    sheets, _ = read(path, "cadres")
    assert build(sheets, today=TODAY).of("cadres")[0].values["birth_date"] == "1988-04-01"


def test_history_rows_name_their_cadre_and_take_defaults_and_labels():
    from suite.importing.sheets import GRADES_SHEET, SANCTIONS_SHEET

    grades = RawSheet(
        GRADES_SHEET,
        "考核",
        ["姓名", "性别", "出生年月", "年度", "考核等次", "决定时间", "文号"],
        [
            (2, ["李四", "女", "1980.04", 2020, "优秀", "2021.01.20", "财考〔2021〕1号"]),
            (3, ["李四", "女", "1980.04", 2022, "称职", "2021.01.20", None]),  # decided before the graded year
            (4, ["李四", "女", "1980.04", 2031, "称职", "2021.01.20", None]),  # a year to come
        ],
    )
    sanctions = RawSheet(
        SANCTIONS_SHEET,
        "处分",
        ["姓名", "性别", "出生年月", "处分类别", "处分种类", "处分时间", "文号"],
        [
            (2, ["王五", "男", "1982.05", "党纪处分", "警告", "2024.03.01", "纪发〔2024〕7号"]),
            (3, ["王五", "男", "1982.05", "政务处分", "记过", "2024.03.01", None]),  # 文号 required
        ],
    )
    plan = build([sanctions, grades], today=TODAY)
    [grade] = plan.of("grades")
    assert grade.values == {
        "name": "李四",
        "gender": "FEMALE",
        "birth_date": "1980-04-01",
        "year": 2020,
        "grade": "EXCELLENT",
        "decided_on": "2021-01-20",
        "notified_on": "2021-01-20",
        "document_no": "财考〔2021〕1号",
    }
    [sanction] = plan.of("sanctions")
    assert (sanction.values["system"], sanction.values["type"], sanction.values["effective_from"]) == (
        "PARTY",
        "PARTY_WARNING",
        "2024-03-01",
    )
    where = {(i.sheet, i.row, i.column): i.reason for i in plan.issues}
    assert where[("考核", 3, "决定时间")] == "before the graded year"
    assert where[("考核", 4, "年度")] == "not a year between 1900 and this year"
    assert where[("处分", 3, "文号")] == "required"


# Awards (奖励), appeals (申诉) and ID numbers (身份证号).
from suite.importing.plan import mask_id_number  # noqa: E402
from suite.importing.sheets import APPEALS_SHEET, AWARDS_SHEET, SANCTIONS_SHEET  # noqa: E402

LI = ["李四", "女", "1980.04"]
ID_OK = "11010519491231002X"  # GB 11643 check digit X
ID_BAD = "110105194912310021"  # the same number with a mistyped check digit


def test_award_and_appeal_labels_map_to_the_api_codes():
    assert label("award_type", "嘉奖") == "COMMENDATION" and label("award_type", "记三等功") == "MERIT_3"
    assert label("award_type", "记二等功") == "MERIT_2" and label("award_type", "记一等功") == "MERIT_1"
    assert label("award_type", "授予称号") == "TITLE" and label("award_type", "通报表扬") == "NOTICE_OF_PRAISE"
    assert label("award_basis", "连续三年年度考核优秀") == "THREE_YEARS_EXCELLENT"
    assert label("appeal_result", "维持") == "UPHELD" and label("appeal_result", "变更") == "VARIED"
    assert label("appeal_result", "撤销") == "REVOKED" and label("appeal_result", "不予受理") == "REJECTED"
    assert label("appeal_stage", "复核") == "REVIEW" and label("appeal_stage", "再申诉") == "REAPPEAL"
    assert label("award_type", "大红花") is None and label("appeal_result", "再议") is None


def test_award_rows_read_types_levels_dates_and_revocations():
    awards = RawSheet(
        AWARDS_SHEET,
        "奖励",
        ["姓名", "性别", "出生年月", "奖励种类", "奖励等级", "年度", "批准时间", "文号", "撤销时间", "撤销原因"],
        [
            (2, [*LI, "记功", "三等", 2020, "2021年2月3日", "市奖〔2021〕3号", None, None]),
            (3, [*LI, "嘉奖", None, None, "2019.02.01", "市奖〔2019〕1号", "2020.05.01", "受处分"]),
            (4, [*LI, "记功", None, None, "2019.02.01", "市奖〔2019〕2号", None, None]),  # 记功 without its 等级
            (5, [*LI, "嘉奖", None, None, "2019.02.01", "市奖〔2019〕5号", "2020.05.01", None]),  # no reason
            (6, [*LI, "嘉奖", None, 2022, "2021.02.01", "市奖〔2021〕6号", None, None]),  # year after the grant
            (7, [*LI, "嘉奖", None, None, "2019.02.01", None, None, None]),  # 文号 required
            (8, [*LI, "大红花", None, None, "2019.02.01", "市奖〔2019〕8号", None, None]),
        ],
    )
    plan = build([awards], today=TODAY)
    assert [(r.row, r.values["type"], r.values["granted_on"], r.values.get("revoked_on")) for r in plan.records] == [
        (2, "MERIT_3", "2021-02-03", None),
        (3, "COMMENDATION", "2019-02-01", "2020-05-01"),
    ]
    assert "merit_level" not in plan.records[0].values
    assert [(i.row, i.column) for i in plan.issues] == [
        (4, "奖励等级"),
        (5, "撤销原因"),
        (6, "年度"),
        (7, "文号"),
        (8, "奖励种类"),
    ]


def test_an_appeal_names_a_grade_year_or_a_sanction_of_the_file_by_its_document_number():
    sanctions = RawSheet(
        SANCTIONS_SHEET,
        "处分",
        ["姓名", "性别", "出生年月", "处分类别", "处分种类", "处分时间", "文号"],
        [(2, [*LI, "处分", "警告", "2024.03.01", "纪〔2024〕7号"])],
    )
    appeals = RawSheet(
        APPEALS_SHEET,
        "申诉",
        [
            "申诉人",
            "性别",
            "出生年月",
            "原处理决定",
            "申诉阶段",
            "原决定送达时间",
            "申诉时间",
            "受理时间",
            "决定时间",
            "申诉结果",
            "变更为",
            "文号",
        ],
        [
            (
                2,
                [
                    *LI,
                    "纪〔2024〕 7号",
                    None,
                    "2024.03.02",
                    "2024.03.10",
                    None,
                    "2024.04.01",
                    "维持",
                    None,
                    "申〔2024〕1号",
                ],
            ),
            (
                3,
                [
                    *LI,
                    "2021年度",
                    "复核",
                    "2022.01.02",
                    "2022.01.10",
                    "2022.01.11",
                    "2022.02.01",
                    "变更",
                    "称职",
                    "申2",
                ],
            ),
            (4, [*LI, "纪〔2020〕1号", None, "2024.03.02", "2024.03.10", None, "2024.04.01", "维持", None, "申3"]),
            (
                5,
                [*LI, "2020", None, "2022.01.02", "2021.12.10", None, "2022.02.01", "维持", None, "申4"],
            ),  # filed early
            (
                6,
                [*LI, "2019", None, "2022.01.02", "2022.01.10", None, "2022.02.01", "变更", None, "申5"],
            ),  # 变更 to what
            (7, [*LI, "2018", None, "2022.01.02", "2022.01.10", None, "2022.02.01", "变更", "警告", "申6"]),
        ],
    )
    plan = build([appeals, sanctions], today=TODAY)
    first, second = plan.of("appeals")
    assert first.values["target"] == {
        "sanction": {
            "system": "CIVIL_SERVICE",
            "type": "WARNING",
            "decided_on": "2024-03-01",
            "effective_from": "2024-03-01",
            "document_number": "纪〔2024〕7号",
        }
    }
    assert (first.values["stage"], first.values["outcome"], first.values["grounds"]) == (
        "APPEAL",
        "UPHELD",
        "见申诉材料",
    )
    assert second.values["target"] == {"year": 2021}
    assert (second.values["stage"], second.values["outcome"], second.values["varied_to"]) == (
        "REVIEW",
        "VARIED",
        "COMPETENT",
    )
    assert [(i.row, i.column) for i in plan.issues] == [
        (4, "原处理决定"),
        (5, "申诉时间"),
        (6, "变更为"),
        (7, "变更为"),
    ]


def test_id_numbers_are_checked_masked_and_never_merged():
    cadres = RawSheet(
        CADRES,
        "干部",
        ["姓名", "性别", "出生年月", "参加工作时间", "单位代码", "公民身份号码"],
        [
            (2, [*LI, "2002.07", "finance", ID_OK.lower()]),
            (3, ["王五", "男", "1982.05", "2004.07", "finance", ID_OK]),  # another person, the same number
            (4, ["赵六", "男", "1982.05", "2004.07", "finance", ID_BAD]),  # a mistyped check digit
            (5, ["钱七", "男", "1983.05", "2004.07", "finance", 110105194912310020.0]),  # a number cell lost digits
            (
                6,
                ["孙八", "男", "1984.05", "2004.07", "finance", " 110105 19491231 002x "],
            ),  # spaces, lower x: another row
            (7, ["周九", "男", "1985.05", "2004.07", "finance", None]),
        ],
    )
    plan = build([cadres], today=TODAY)
    assert [(r.row, r.values.get("id_number")) for r in plan.records] == [(7, None)]
    assert [(i.row, i.column) for i in plan.issues] == [
        (2, "公民身份号码"),
        (3, "公民身份号码"),
        (4, "公民身份号码"),
        (5, "公民身份号码"),
        (6, "公民身份号码"),
    ]
    assert "row 3, 6" in plan.issues[0].reason and "1101**********002X" in plan.issues[0].reason
    assert "check digit" in plan.issues[2].reason
    text = repr(plan.report())
    assert ID_OK not in text and ID_OK.lower() not in text and ID_BAD not in text and "19491231" not in text
    assert mask_id_number(ID_OK) == "1101**********002X"


def test_an_id_number_of_one_person_twice_is_a_duplicate_row():
    cadres = RawSheet(
        CADRES,
        "干部",
        ["姓名", "性别", "出生年月", "参加工作时间", "单位代码", "身份证号"],
        [(2, [*LI, "2002.07", "finance", ID_OK]), (9, ["王五", "男", "1982.05", "2004.07", "finance", None])],
    )
    plan = build([cadres], today=TODAY)
    assert [r.values.get("id_number") for r in plan.records] == [ID_OK, None] and not plan.issues


def test_templates_of_awards_and_appeals(tmp_path):
    write_template(tmp_path / "t.xlsx", ["awards", "appeals"])
    sheets, ignored = read(tmp_path / "t.xlsx")
    assert [(s.kind.name, s.sheet, s.rows) for s in sheets] == [("awards", "奖励", []), ("appeals", "申诉", [])]
    assert "文号" in sheets[0].headers and "原处理决定" in sheets[1].headers and not ignored


def test_youwei_var_before_import_is_kept(tmp_path):
    from suite.cli import build_parser

    args = build_parser().parse_args(["--var", str(tmp_path), "import", "x.xlsx"])
    assert args.var == str(tmp_path)
    args = build_parser().parse_args(["import", "x.xlsx", "--var", "elsewhere"])
    assert args.var == "elsewhere"


def test_the_readme_lists_every_template_column_of_every_sheet():
    from pathlib import Path

    from suite.importing.sheets import KINDS

    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text(encoding="utf-8")
    for kind in KINDS.values():
        [row] = [line for line in readme.splitlines() if line.strip().startswith(f"| {kind.sheet_names[0]} |")]
        listed = [c.strip().strip("*").split(" (")[0].strip("*") for c in row.split("|")[2].split(",")]
        assert listed == [c.headers[0] for c in kind.columns], kind.name
        bold = {c.strip().split(" (")[0].strip("*") for c in row.split("|")[2].split(",") if c.strip().startswith("**")}
        assert bold == {c.headers[0] for c in kind.columns if c.required}, kind.name


def test_a_rows_fingerprint_does_not_carry_its_id_number():
    """Idempotency keys are derived from the fingerprint and stored by the services: no ID number may be recoverable."""
    from suite.importing.plan import Record

    row = {"name": "周八", "gender": "MALE", "birth_date": "1949-12-31"}
    one = Record("cadres", "干部", 2, {**row, "id_number": "11010519491231002X"})
    other = Record("cadres", "干部", 2, {**row, "id_number": "440300198001011233"})
    without = Record("cadres", "干部", 2, row)
    assert one.digest == other.digest != without.digest
