"""`youwei seed --demo`: a realistic demo city, built deterministically and brought in the way a department would.

The register (units, cadres with their rank and post on real past dates, 5–15 years of annual grades, a few past
sanctions and organizational handlings) is generated from a seeded random generator as a workbook in the importer's
format and imported with the importer's own code (`sheets.read` → `plan.build` → `apply.Importer`), through the
gateway. What the import path does not cover yet goes through the API directly: the inaction checklist catalogue,
performance records, talks, award proposals, reports, tolerance cases, contracts and one promotion batch in
publicity. Every direct write first looks for what an earlier run left (by cadre, code or title) and carries a
deterministic Idempotency-Key, so running the seed twice adds nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = "city"
SUBJECT = "demo-seed"
VERIFIER = "demo-verifier"  # a second person: performance records are verified four-eyes
BATCH_TITLE = "示范市2026年度职级晋升（演示）"

# code, name, parent, agency level (the importer's labels), weight of the cadres placed there
UNITS: tuple[tuple[str, str, str | None, str, int], ...] = (
    ("city", "示范市", None, "市级领导班子", 2),
    ("city-org", "中共示范市委组织部", "city", "市直机关", 5),
    ("city-org-cadre", "干部一科", "city-org", "内设处室", 3),
    ("city-fin", "示范市财政局", "city", "市直机关", 6),
    ("city-fin-budget", "预算科", "city-fin", "内设处室", 4),
    ("city-fin-treasury", "国库科", "city-fin", "内设处室", 3),
    ("city-edu", "示范市教育局", "city", "市直机关", 6),
    ("city-edu-basic", "基础教育科", "city-edu", "内设处室", 3),
    ("city-dev", "示范市发展和改革委员会", "city", "市直机关", 6),
    ("city-dev-plan", "发展规划科", "city-dev", "内设处室", 3),
    ("city-hrss", "示范市人力资源和社会保障局", "city", "市直机关", 6),
    ("east", "东城县", "city", "县级领导班子", 2),
    ("east-fin", "东城县财政局", "east", "县直机关", 5),
    ("east-edu", "东城县教育局", "east", "县直机关", 5),
    ("east-qingshan", "青山镇", "east", "乡镇", 6),
    ("east-liuhe", "柳河乡", "east", "乡镇", 5),
    ("west", "西林县", "city", "县级领导班子", 2),
    ("west-fin", "西林县财政局", "west", "县直机关", 5),
    ("west-agri", "西林县农业农村局", "west", "县直机关", 5),
    ("west-shiqiao", "石桥镇", "west", "乡镇", 6),
    ("west-baisha", "白沙乡", "west", "乡镇", 5),
)
LEVELS = {
    "市级领导班子": "CITY_LEADERSHIP",
    "市直机关": "MUNICIPAL_AGENCY",
    "县级领导班子": "COUNTY_LEADERSHIP",
    "县直机关": "COUNTY_AGENCY",
    "乡镇": "TOWNSHIP",
    "内设处室": "DIVISION",
}
SHORT = {
    "city": "示",
    "city-org": "组",
    "city-fin": "财",
    "city-edu": "教",
    "city-dev": "发",
    "city-hrss": "人",
    "east": "东",
    "east-fin": "东财",
    "east-edu": "东教",
    "east-qingshan": "青",
    "east-liuhe": "柳",
    "west": "西",
    "west-fin": "西财",
    "west-agri": "西农",
    "west-shiqiao": "石",
    "west-baisha": "白",
}

SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "高",
    "林",
    "罗",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
    "许",
    "韩",
    "冯",
    "邓",
    "曹",
    "彭",
    "曾",
    "萧",
    "田",
    "董",
    "潘",
)
GIVEN_M = (
    "伟",
    "强",
    "军",
    "磊",
    "洋",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "鑫",
    "波",
    "宁",
    "建国",
    "志强",
    "海涛",
    "建华",
    "俊杰",
    "文博",
    "子轩",
    "浩然",
    "国栋",
    "振宇",
    "德明",
    "永强",
)
GIVEN_F = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "秀英",
    "玲",
    "桂英",
    "丹",
    "萍",
    "红",
    "琳",
    "雪",
    "慧",
    "婷",
    "颖",
    "倩",
    "晓燕",
    "海燕",
    "文静",
    "雨欣",
    "思琪",
    "佳怡",
    "淑华",
    "美玲",
    "春梅",
    "丽华",
    "欣怡",
)
EDUCATION = (("大学本科", 60), ("研究生", 22), ("大专", 15), ("博士", 3))
# (rank name, minimum age) from the comprehensive ladder, and the ceiling per agency level (并行规定 §10, simplified).
RANK_BY_AGE = (
    ("二级科员", 0),
    ("一级科员", 26),
    ("四级主任科员", 30),
    ("三级主任科员", 33),
    ("二级主任科员", 36),
    ("一级主任科员", 40),
    ("四级调研员", 45),
    ("三级调研员", 50),
)
TOP_RANK = {"市级领导班子": 7, "市直机关": 7, "内设处室": 6, "县级领导班子": 6, "县直机关": 5, "乡镇": 5}
# 处分 rows: (类别, 种类, the grade its first year allows: None = anything but 优秀, else the forced grade)
SANCTIONS = (
    ("政务处分", "警告", None),
    ("政务处分", "记过", "不定等次"),
    ("党纪处分", "警告", None),
    ("组织处理", "调整职务", None),
)

INACTION_ITEMS = (
    ("WGBW-01", "NOT_ACTING", "对上级决策部署消极应付、推一推动一动", 2, 5.0, False),
    ("WGBW-02", "NOT_ACTING", "对群众反映的合理诉求不理不睬、推诿扯皮", 2, 5.0, False),
    ("WGBW-03", "NOT_ACTING", "重大项目、重点工作长期没有进展且无正当理由", 3, 8.0, True),
    ("WGBW-04", "SLOW_ACTING", "办事拖拉、超过承诺时限办结", 1, 3.0, False),
    ("WGBW-05", "SLOW_ACTING", "审批事项层层加码、久拖不决", 2, 5.0, False),
    ("WGBW-06", "SLOW_ACTING", "整改任务逾期未完成", 2, 4.0, False),
    ("WGBW-07", "NOT_TAKING_RESPONSIBILITY", "遇到矛盾问题绕着走、回避退缩", 2, 5.0, False),
    ("WGBW-08", "NOT_TAKING_RESPONSIBILITY", "对职责范围内的风险隐患不排查、不处置", 3, 8.0, True),
    ("WGBW-09", "NOT_TAKING_RESPONSIBILITY", "以会议落实会议、以文件落实文件", 1, 3.0, False),
    ("WGBW-10", "ACTING_WRONGLY", "违反程序决策、乱作为造成损失", 3, 10.0, True),
    ("WGBW-11", "WORK_STYLE", "形式主义、官僚主义，作风漂浮", 1, 3.0, False),
    ("WGBW-12", "WORK_STYLE", "工作时间脱岗离岗、纪律松弛", 1, 2.0, False),
)
RECORD_TITLES = (
    ("KEY_TASK", "完成年度重点项目建设任务"),
    ("URGENT_HARD", "牵头处置防汛抢险急难险重任务"),
    ("REFORM_INNOVATION", "推进\u201c一网通办\u201d改革创新"),
    ("DAILY_DUTY", "按期完成年度预算编制"),
    ("PUBLIC_EVALUATION", "群众满意度测评位列前茅"),
)


# ---------------------------------------------------------------------------------------------- the register
@dataclass
class Person:
    name: str
    gender: str  # 男 / 女
    birth: dt.date
    entry: dt.date
    party: dt.date | None
    education: str
    category: str
    unit: str
    rank: str | None = None
    rank_since: dt.date | None = None
    post: str | None = None
    post_since: dt.date | None = None
    first_year: int = 0  # the first year whose grade the department kept
    grades: dict[int, str] = field(default_factory=dict)


@dataclass
class City:
    today: dt.date
    people: list[Person]
    grade_rows: list[list[Any]]
    sanction_rows: list[list[Any]]
    sanctioned: set[int]


def agency_of(code: str) -> str:
    """The unit a division's grades count in (the 优秀 quota's counting unit)."""
    by_code = {u[0]: u for u in UNITS}
    while LEVELS[by_code[code][3]] == "DIVISION":
        code = by_code[code][2]  # type: ignore[assignment]
    return code


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _working(day: dt.date, calendar: Any) -> dt.date:
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _people(rng: random.Random, n: int, today: dt.date) -> list[Person]:
    units = [u for u in UNITS for _ in range(u[4])]
    seen: set[tuple[str, str, dt.date]] = set()
    people: list[Person] = []
    leaders: dict[str, int] = Counter()
    while len(people) < n:
        gender = "男" if rng.random() < 0.58 else "女"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_M if gender == "男" else GIVEN_F)
        age = rng.randint(24, 58)
        birth = _day(rng, dt.date(today.year - age, 1, 1), dt.date(today.year - age, 12, 28))
        if (name, gender, birth) in seen:
            continue
        seen.add((name, gender, birth))
        education = rng.choices([e for e, _ in EDUCATION], [w for _, w in EDUCATION])[0]
        start_age = {"大专": 21, "大学本科": 22, "研究生": 25, "博士": 28}[education]
        entry = dt.date(birth.year + start_age + rng.randint(0, 2), rng.choice((7, 8, 9)), 1)
        if entry > today - dt.timedelta(days=5 * 366):  # at least five years in service: five graded years
            entry = dt.date(today.year - 6, 7, 1)
        party = _day(rng, entry, entry + dt.timedelta(days=6 * 365)) if rng.random() < 0.82 else None
        if party is not None and party >= today:
            party = None
        unit = rng.choice(units)
        roll = rng.random()
        category = "综合管理类" if roll < 0.975 else ("聘任制" if roll < 0.985 else "政府雇员")
        person = Person(name, gender, birth, entry, party, education, category, unit[0])
        service_years = today.year - entry.year
        person.first_year = max(entry.year + 1, today.year - rng.randint(5, 15))
        if service_years - 1 < 5:
            person.first_year = today.year - 5
        if category == "综合管理类":
            top = TOP_RANK[unit[3]]
            fitting = [i for i, (_, min_age) in enumerate(RANK_BY_AGE) if age >= min_age and i <= top]
            index = max(0, fitting[-1] - rng.choice((0, 0, 1, 1, 2)))
            person.rank = RANK_BY_AGE[index][0]
            window_start = max(entry + dt.timedelta(days=365), dt.date(person.first_year, 1, 1))
            person.rank_since = dt.date(*_month(_day(rng, window_start, today - dt.timedelta(days=400))))
            # Leadership posts: a chief and deputies per agency or township, a chief per division.
            level = LEVELS[unit[3]]
            if level in ("MUNICIPAL_AGENCY", "COUNTY_AGENCY", "TOWNSHIP", "DIVISION") and age >= 35:
                chief = {
                    "MUNICIPAL_AGENCY": "县处级正职",
                    "COUNTY_AGENCY": "乡科级正职",
                    "TOWNSHIP": "乡科级正职",
                    "DIVISION": "乡科级正职",
                }[level]
                deputy = {
                    "MUNICIPAL_AGENCY": "县处级副职",
                    "COUNTY_AGENCY": "乡科级副职",
                    "TOWNSHIP": "乡科级副职",
                    "DIVISION": "乡科级副职",
                }[level]
                held = leaders[unit[0]]
                post = chief if held == 0 else (deputy if held < (1 if level == "DIVISION" else 3) else None)
                if post is not None:
                    leaders[unit[0]] += 1
                    person.post = post
                    person.post_since = person.rank_since
        people.append(person)
    return people


def _month(day: dt.date) -> tuple[int, int, int]:
    return day.year, day.month, 1


def build_city(n: int, seed: int, today: dt.date) -> City:
    """The whole demo register, a pure function of (n, seed, today's year and date)."""
    from kernel.calendar import WorkdayCalendar

    calendar = WorkdayCalendar.load()
    rng = random.Random(f"youwei-demo-{seed}")
    people = _people(rng, n, today)

    # Sanctions first: their first year constrains that year's grade.
    sanctioned: set[int] = set()
    sanction_rows: list[list[Any]] = []
    constraint: dict[tuple[int, int], str | None] = {}
    count = max(3, n // 100)
    candidates = [i for i, p in enumerate(people) if p.category == "综合管理类"]
    rng.shuffle(candidates)
    for k, i in enumerate(candidates[:count]):
        person = people[i]
        system, kind, forced = SANCTIONS[1] if k == 0 else SANCTIONS[k % len(SANCTIONS)]
        if system == "党纪处分" and person.party is None:
            system, kind, forced = SANCTIONS[0]
        if k == 0:  # one recent 记过: its restrictions still apply today
            decided = _working(today - dt.timedelta(days=rng.randint(40, 120)), calendar)
        else:
            decided = _working(
                _day(rng, dt.date(max(person.first_year, person.entry.year + 1), 3, 1), today - dt.timedelta(days=200)),
                calendar,
            )
        sanctioned.add(i)
        constraint[(i, decided.year)] = forced
        number = f"{SHORT.get(agency_of(person.unit), '示')}{'纪' if system != '组织处理' else '组'}〔{decided.year}〕{k + 1}号"
        sanction_rows.append(
            [
                person.name,
                person.gender,
                person.birth.isoformat(),
                system,
                kind,
                decided.isoformat(),
                decided.isoformat(),
                number,
            ]
        )

    # Annual grades, decided once per agency and year with its 优秀 publicity, within the 20 % quota.
    grade_rows: list[list[Any]] = []
    by_agency: dict[str, list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        by_agency[agency_of(person.unit)].append(i)
    for agency, members in sorted(by_agency.items()):
        serial = Counter()
        for year in range(today.year - 15, today.year):
            graded = [i for i in members if people[i].first_year <= year]
            if not graded:
                continue
            start = _working(dt.date(year + 1, 1, rng.randint(6, 16)), calendar)
            end = start + dt.timedelta(days=7)
            while calendar.working_days_between(start, end) < 5:
                end += dt.timedelta(days=1)
            end = _working(end, calendar)
            decided = _working(end + dt.timedelta(days=rng.randint(1, 3)), calendar)
            notified = _working(decided + dt.timedelta(days=rng.randint(0, 4)), calendar)
            if notified > today:
                continue
            grades = {i: "称职" for i in graded}
            reasons: dict[int, str] = {}
            for i in graded:
                roll = rng.random()
                if roll < 0.02:
                    grades[i] = "基本称职"
                elif roll < 0.03:
                    grades[i], reasons[i] = "不定等次", rng.choice(("病事假", "其他"))
            limit = len(graded) // 5 if len(graded) >= 5 else (1 if len(graded) >= 3 else 0)
            share = rng.uniform(0.15, 0.2)
            wanted = min(limit, max(1 if limit else 0, round(len(graded) * share)))
            allowed = [i for i in graded if grades[i] == "称职" and (i, year) not in constraint]
            for i in rng.sample(allowed, min(wanted, len(allowed))):
                grades[i] = "优秀"
            for (i, y), forced in constraint.items():
                if y == year and i in grades and forced is not None:
                    grades[i], reasons[i] = forced, "处分"
            serial[year] += 1
            number = f"{SHORT.get(agency, '示')}考〔{year + 1}〕{serial[year]}号"
            for i in graded:
                person, grade = people[i], grades[i]
                person.grades[year] = grade
                excellent = grade == "优秀"
                grade_rows.append(
                    [
                        person.name,
                        person.gender,
                        person.birth.isoformat(),
                        year,
                        grade,
                        decided.isoformat(),
                        notified.isoformat(),
                        start.isoformat() if excellent else None,
                        end.isoformat() if excellent else None,
                        number,
                        reasons.get(i) if grade == "不定等次" else None,
                    ]
                )
    return City(today, people, grade_rows, sanction_rows, sanctioned)


def write_workbook(city: City, path: Path) -> Path:
    """The register as a workbook in the importer's format (sheets 单位, 干部, 考核, 处分; Chinese headers)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "单位"
    sheet.append(["单位代码", "单位名称", "上级单位代码", "单位层级"])
    for code, name, parent, level, _ in UNITS:
        sheet.append([code, name, parent, level])
    sheet = workbook.create_sheet("干部")
    sheet.append(
        [
            "姓名",
            "性别",
            "出生年月",
            "参加工作时间",
            "入党时间",
            "学历",
            "人员类别",
            "单位代码",
            "职级",
            "职级任职时间",
            "职务",
            "职务任职时间",
        ]
    )

    def iso(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    for p in city.people:
        sheet.append(
            [
                p.name,
                p.gender,
                p.birth.isoformat(),
                p.entry.isoformat(),
                iso(p.party),
                p.education,
                p.category,
                p.unit,
                p.rank,
                iso(p.rank_since),
                p.post,
                iso(p.post_since),
            ]
        )
    sheet = workbook.create_sheet("考核")
    sheet.append(
        [
            "姓名",
            "性别",
            "出生年月",
            "年度",
            "考核等次",
            "决定时间",
            "通知时间",
            "公示开始",
            "公示结束",
            "文号",
            "不定等次原因",
        ]
    )
    for row in city.grade_rows:
        sheet.append(row)
    sheet = workbook.create_sheet("处分")
    sheet.append(["姓名", "性别", "出生年月", "处分类别", "处分种类", "处分时间", "生效时间", "文号"])
    for row in city.sanction_rows:
        sheet.append(row)
    workbook.save(path)
    return path


# ---------------------------------------------------------------------------------------------- the API parts
def _patient_transport() -> Any:
    """An HTTP transport that waits out the gateway's rate limit (429, `retry_after_s`) and sends again, for the
    importer's requests as for the seed's own."""
    import httpx

    class Patient(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            for _ in range(60):
                response = await super().handle_async_request(request)
                if response.status_code != 429:
                    return response
                await response.aread()
                try:
                    wait = float(httpx.Response(429, content=response.content).json().get("retry_after_s") or 1)
                except ValueError:
                    wait = 1.0
                await response.aclose()
                await asyncio.sleep(min(wait, 5.0))
            return response

    return Patient()


def _key(*parts: Any) -> str:
    return "demo-" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


class Api:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        self.counts: Counter = Counter()

    async def call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        key: str | None = None,
        params: dict | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> Any:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        for attempt in range(8):
            response = await self.client.request(method, url, json=json, params=params, headers=headers)
            # A cadre registered a moment ago reaches the other services through events: wait for it.
            if response.status_code == 404 and method == "POST" and attempt < 7 and "cadre" in response.text:
                await asyncio.sleep(0.25 * 2**attempt)
                continue
            break
        if response.status_code not in ok:
            raise RuntimeError(f"{method} {url}: HTTP {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    async def items(self, url: str, **params: Any) -> list[dict[str, Any]]:
        out, cursor = [], None
        while True:
            page = await self.call(
                "GET", url, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
            )
            out += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return out


async def _catalogue(api: Api) -> None:
    have = {i["code"] for i in await api.items("/api/v1/inaction-items")}
    for code, group, text, severity, points, accountable in INACTION_ITEMS:
        if code in have:
            continue
        await api.call(
            "POST",
            "/api/v1/inaction-items",
            key=_key("item", code),
            json={
                "code": code,
                "group": group,
                "description": text,
                "severity": severity,
                "default_points": points,
                "triggers_accountability": accountable,
            },
        )
        api.counts["inaction items created"] += 1


async def _direct(
    api: Api,
    city: City,
    ids: dict[tuple[str, str, str], str],
    rng: random.Random,
    calendar: Any,
    verifier: Api | None = None,
) -> None:
    today = city.today
    people = city.people
    cid = [ids.get((p.name, "MALE" if p.gender == "男" else "FEMALE", p.birth.isoformat())) for p in people]
    plain = [i for i, p in enumerate(people) if cid[i] and i not in city.sanctioned and p.category == "综合管理类"]
    rng.shuffle(plain)
    pick = iter(plain)
    await _catalogue(api)

    for i in [next(pick) for _ in range(min(8, len(plain) // 6))]:  # performance records
        if await api.items("/api/v1/performance-records", cadre_id=cid[i]):
            continue
        category, title = RECORD_TITLES[i % len(RECORD_TITLES)]
        body = {
            "cadre_id": cid[i],
            "occurred_on": _day(rng, today - dt.timedelta(days=300), today - dt.timedelta(days=20)).isoformat(),
            "category": category,
            "title": title,
            "description": "演示数据：业绩纪实",
            **({"quantity": 90 + i % 10, "unit": "分"} if category == "PUBLIC_EVALUATION" else {}),
        }
        record = await api.call("POST", "/api/v1/performance-records", json=body, key=_key("record", cid[i]))
        if verifier is not None:  # four-eyes: a record is verified by someone other than its submitter
            await verifier.call("POST", f"/api/v1/performance-records/{record['id']}/verification", ok=(200, 409))
        api.counts["performance records created"] += 1

    for i in [next(pick) for _ in range(min(5, len(plain) // 6))]:  # talks, held
        if await api.items("/api/v1/talks", cadre_id=cid[i]):
            continue
        on = _working(today - dt.timedelta(days=rng.randint(20, 200)), calendar)
        talk = await api.call(
            "POST",
            "/api/v1/talks",
            key=_key("talk", cid[i]),
            json={
                "type": rng.choice(("HEART_TO_HEART", "REMINDER")),
                "cadre_id": cid[i],
                "scheduled_on": on.isoformat(),
            },
        )
        await api.call(
            "POST",
            f"/api/v1/talks/{talk['id']}/record",
            ok=(200, 409),
            json={"held_on": on.isoformat(), "outcome": "谈心谈话，提醒其注意工作方法"},
        )
        api.counts["talks created"] += 1

    last = max((y for p in people for y in p.grades), default=None)
    excellent = [i for i, p in enumerate(people) if cid[i] and last is not None and p.grades.get(last) == "优秀"]
    for i in excellent[:10]:  # award proposals for last year's 优秀, in publicity
        if await api.items("/api/v1/awards", cadre_id=cid[i]):
            continue
        award = await api.call(
            "POST",
            "/api/v1/awards",
            key=_key("award", cid[i], last),
            json={"cadre_id": cid[i], "type": "COMMENDATION", "basis_ref": f"annual-grade/{last}", "year": last},
        )
        await api.call("POST", f"/api/v1/awards/{award['id']}/publicity", ok=(200, 409))
        api.counts["awards proposed"] += 1

    for k, i in enumerate([next(pick) for _ in range(min(4, len(plain) // 6))]):  # reports (petitions)
        if await api.items("/api/v1/reports", cadre_id=cid[i]):
            continue
        await api.call(
            "POST",
            "/api/v1/reports",
            key=_key("report", cid[i]),
            json={
                "channel": ("LETTER", "PHONE_12388", "ONLINE", "VISIT")[k % 4],
                "category": "work",
                "received_on": _working(today - dt.timedelta(days=rng.randint(3, 25)), calendar).isoformat(),
                "content": "反映该同志在项目审批中推诿拖延（演示数据）",
                "accused_cadre_ids": [cid[i]],
            },
        )
        api.counts["reports received"] += 1

    for i in [next(pick) for _ in range(min(3, len(plain) // 6))]:  # tolerance cases
        incidents = await api.items("/api/v1/incidents", cadre_id=cid[i])
        occurred = today - dt.timedelta(days=rng.randint(30, 150))
        if incidents:
            incident_id = incidents[0]["id"]
        else:
            incident_id = (
                await api.call(
                    "POST",
                    "/api/v1/incidents",
                    key=_key("incident", cid[i]),
                    json={
                        "cadre_ids": [cid[i]],
                        "occurred_on": occurred.isoformat(),
                        "effect_level": "MINOR",
                        "summary": "改革试点中先行先试，程序瑕疵造成轻微损失（演示数据）",
                    },
                )
            )["id"]
        if await api.items("/api/v1/tolerance-cases", incident_id=incident_id):
            continue
        await api.call(
            "POST",
            "/api/v1/tolerance-cases",
            key=_key("case", cid[i]),
            json={
                "incident_id": incident_id,
                "cadre_id": cid[i],
                "applied_on": today.isoformat(),
                "statement": "属于改革创新中的探索性失误，未谋取私利，已主动纠正",
                "grounds": ["EXPLORATORY_TRIAL"],
            },
        )
        api.counts["tolerance cases applied"] += 1

    for i, p in enumerate(people):  # contracts of 聘任制 and 政府雇员
        if not cid[i] or p.category not in ("聘任制", "政府雇员"):
            continue
        if await api.items("/api/v1/contracts", cadre_id=cid[i]):
            continue
        starts = max(p.entry, dt.date(today.year - 1, 1, 1) + dt.timedelta(days=i % 200))
        appointed = p.category == "聘任制"
        body = {
            "cadre_id": cid[i],
            "kind": "APPOINTED_CS" if appointed else "GOV_EMPLOYEE",
            "starts_on": starts.isoformat(),
            "ends_on": (dt.date(starts.year + 3, starts.month, 1) - dt.timedelta(days=1)).isoformat(),
            "probation_months": 6 if appointed else 0,
            **({} if appointed else {"tier": "GENERAL"}),
        }
        contract = await api.call("POST", "/api/v1/contracts", json=body, key=_key("contract", cid[i]))
        await api.call(
            "POST",
            f"/api/v1/contracts/{contract['id']}/file",
            ok=(200, 409, 422),
            json={"filed_on": min(today, starts + dt.timedelta(days=20)).isoformat()},
        )
        api.counts["contracts signed"] += 1

    await _batch(api, today, calendar)


async def _batch(api: Api, today: dt.date, calendar: Any) -> None:
    """One promotion batch of the whole city, taken through recommendation and investigation into publicity."""
    batches = [
        b
        for b in await api.items("/api/v1/promotion-batches")
        if b["title"] == BATCH_TITLE and b["status"] not in ("CANCELLED", "CLOSED")
    ]
    if batches:
        batch = batches[0]
    else:
        created = await api.call(
            "POST",
            "/api/v1/promotion-batches",
            key=_key("batch", BATCH_TITLE),
            json={"org_unit_id": ROOT, "title": BATCH_TITLE, "target_ranks": ["C08", "C07"]},
        )
        batch = {"id": created["id"], "status": "PLANNED"}
        api.counts["promotion batches planned"] += 1
    url = f"/api/v1/promotion-batches/{batch['id']}"

    async def status() -> str:
        return (await api.call("GET", url))["status"]

    state = batch["status"]
    if state == "PLANNED" or state == "DRAFT":
        for _ in range(20):  # the grades and bars of the import reach rank through events
            result = await api.call("POST", f"{url}/compute-candidates", json={})
            if result["candidates"]:
                break
            await asyncio.sleep(1)
        state = await status()
    candidates = await api.items(f"{url}/candidates")
    if state not in ("PUBLICITY", "SHORTLISTED") and not candidates:
        print("promotion batch: no eligible candidate yet; run the seed again later", file=sys.stderr)
        return
    eligible = sorted((c for c in candidates if c["status"] == "ELIGIBLE"), key=lambda c: -c["points"])
    if state == "CANDIDATES_COMPUTED" or (
        eligible and state not in ("RECOMMENDATION", "INVESTIGATION", "SHORTLISTED", "PUBLICITY")
    ):
        await api.call("POST", f"{url}/open-recommendation", json={}, ok=(200, 409))
        state = await status()
    if state == "RECOMMENDATION":
        chosen = [c["cadre_id"] for c in eligible[:5]]
        for j, cadre in enumerate(chosen):
            await api.call(
                "POST",
                f"{url}/candidates/{cadre}/votes",
                json={"votes_for": 40 - j, "votes_against": 2 + j, "abstain": 1},
            )
        await api.call("POST", f"{url}/recommend", json={"cadre_ids": chosen})
        state = await status()
    if state == "INVESTIGATION":
        for c in await api.items(f"{url}/candidates"):
            if c["status"] == "RECOMMENDED":
                await api.call(
                    "POST", f"{url}/candidates/{c['cadre_id']}/investigation", json={"passed": True, "note": "考察合格"}
                )
        await api.call("POST", f"{url}/shortlist", json={})
        state = await status()
    if state == "SHORTLISTED":
        await api.call(
            "POST", f"{url}/publicize", json={"starts_on": _working(today, calendar).isoformat(), "working_days": 5}
        )
        api.counts["promotion batches put in publicity"] += 1


async def seed(
    gateway: str,
    token: str,
    *,
    cadres: int = 2000,
    seed_value: int = 1,
    today: dt.date | None = None,
    workbook: Path | None = None,
    out: Any = print,
    verifier_token: str | None = None,
) -> dict[str, Any]:
    """Builds the demo city and writes it through the gateway; returns the summary. Performance records are verified
    with `verifier_token` (another person: four-eyes); without it they stay submitted."""
    import httpx

    from kernel.calendar import WorkdayCalendar
    from kernel.deps import china_today
    from suite.importing import plan as plans
    from suite.importing import sheets
    from suite.importing.apply import Importer

    today = today or china_today()
    started = time.monotonic()
    city = build_city(cadres, seed_value, today)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(city, workbook or Path(tmp) / "demo-city.xlsx")
        raw, ignored = sheets.read(path)
        plan = plans.build(raw, today=today, ignored=ignored)
    if plan.issues:
        raise RuntimeError(f"the generated workbook has issues: {[i.as_dict() for i in plan.issues[:5]]}")
    out(
        f"demo city: {len(UNITS)} units, {len(city.people)} cadres, {len(city.grade_rows)} annual grades, "
        f"{len(city.sanction_rows)} sanctions; importing through {gateway} …"
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway, timeout=120, transport=_patient_transport()) as client:
        outcome = await Importer(client, headers).run(plan)
        imported = time.monotonic()
        api = Api(client, headers)
        ids = {(c["name"], c["gender"], c["birth_date"]): c["id"] for c in await api.items("/api/v1/cadres")}
        verifier = Api(client, {"Authorization": f"Bearer {verifier_token}"}) if verifier_token else None
        await _direct(api, city, ids, random.Random(f"youwei-demo-api-{seed_value}"), WorkdayCalendar.load(), verifier)
    counts = {f"{k}.{what}": n for (k, what), n in sorted(outcome.counts.items())}
    summary = {
        "import": counts,
        "api": dict(api.counts),
        "issues": [i.as_dict() for i in outcome.issues],
        "seconds": {"import": round(imported - started, 1), "total": round(time.monotonic() - started, 1)},
    }
    return summary


# ---------------------------------------------------------------------------------------------- the command
def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "seed",
        help="load a demo city (units, cadres with history, cases) through the API",
        description="Generates a demo city deterministically and imports it through the gateway "
        "(the importer for the register and its history, the API for the rest). "
        "Running it again adds nothing.",
    )
    parser.add_argument("--demo", action="store_true", required=True, help="the demo city (the only seed so far)")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000", help="the gateway's base URL")
    parser.add_argument(
        "--verifier-token",
        help="a second person's token (assessor or org_admin of the root unit) "
        "who verifies the demo's performance records (four-eyes); default "
        "with the embedded key: minted; with --token and without this, the "
        "records stay submitted",
    )
    parser.add_argument(
        "--token",
        help="bearer token with org_admin, discipline_officer and petitions_staff of the "
        "root unit; default: minted with the embedded key under var/keys",
    )
    parser.add_argument("--cadres", type=int, default=2000, help="how many cadres (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--workbook", type=Path, help="also keep the generated workbook here (.xlsx)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.cadres < 10:
        print("--cadres must be at least 10", file=sys.stderr)
        return 2
    var = Path(getattr(args, "var", None) or "var")
    token = args.token or _embedded_token(var)
    verifier = args.verifier_token or (
        None if args.token else _embedded_token(var, subject=VERIFIER, roles=["assessor"])
    )
    try:
        summary = asyncio.run(
            seed(
                args.gateway,
                token,
                cadres=args.cadres,
                seed_value=args.seed,
                workbook=args.workbook,
                verifier_token=verifier,
            )
        )
    except Exception as error:  # noqa: BLE001 - the command reports and exits
        print(f"youwei seed: {error}", file=sys.stderr)
        return 1
    print("import: " + ", ".join(f"{k} {n}" for k, n in summary["import"].items()))
    print("api: " + (", ".join(f"{k} {n}" for k, n in summary["api"].items()) or "nothing new"))
    for issue in summary["issues"][:20]:
        print(f"  {issue['sheet']} row {issue['row']} [{issue['column']}]: {issue['reason']}")
    print(
        f"done in {summary['seconds']['total']} s; browse {args.gateway}/docs "
        f"(a token: .venv/bin/youwei token --role org_admin --unit {ROOT})"
    )
    return 0 if not summary["issues"] else 1


def _embedded_token(var: Path, *, subject: str | None = None, roles: list[str] | None = None) -> str:
    from kernel import keys
    from suite.launcher import AUDIENCE, ISSUER

    key = keys.load_or_generate(var / "keys")
    return key.mint(
        subject=subject or SUBJECT,
        roles=roles or ["org_admin", "discipline_officer", "petitions_staff"],
        unit=ROOT,
        issuer=ISSUER,
        audience=AUDIENCE,
        ttl_s=4 * 3600,
    )


def register_is_empty(var: Path) -> bool:
    """True when the embedded rank database holds no cadre yet (or does not exist): `youwei up` then says how to
    load the demo city."""
    import os

    if os.environ.get("RANK_DATABASE_URL"):  # not the embedded database: say nothing
        return False
    path = var / "rank.db"
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT 1 FROM cadre LIMIT 1").fetchone() is None
    except sqlite3.Error:
        return False
