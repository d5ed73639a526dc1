"""The roster (名册) of an org unit: the register's cadres with post, rank, level and their dates (rank), the last
three annual grades (appraisal) and the restrictions in force (tolerance), each read from the services' list APIs
with the caller's token, so every row and every cell is what the caller may see."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from gateway.clients import ServiceClient, UpstreamError, UpstreamResponse
from gateway.exports.document import REASONS, UNAVAILABLE, WITHHELD, Document, Section, Table, pairs
from kernel.labels import label

PAGE = 100  # the services' largest page (kernel.pagination)
GRADE_YEARS = 3


class TooLarge(Exception):
    """A listing went past its bound (the roster's cadre limit, or the page limit of a listing)."""


class Refused(Exception):
    """A listing answered something other than 200 (the answer is kept to relay or to classify)."""

    def __init__(self, response: UpstreamResponse) -> None:
        super().__init__(response.status)
        self.response = response


async def pages(
    client: ServiceClient,
    path: str,
    params: dict[str, Any],
    headers: list[tuple[str, str]],
    *,
    max_items: int | None,
    max_pages: int,
) -> list[dict[str, Any]]:
    """Reads every page of a list (keyset cursor), bounded by items and pages."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(max_pages):
        query = {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
        response = await client.call("GET", f"{path}?{urlencode(query)}", headers=headers)
        if response.status != 200:
            raise Refused(response)
        body = response.json()
        items.extend(body["items"])
        if max_items is not None and len(items) > max_items:
            raise TooLarge
        cursor = body.get("next_cursor")
        if not cursor:
            return items
    raise TooLarge


def why(exc: BaseException) -> str:
    """The cell text of a column whose service could not provide it."""
    if isinstance(exc, Refused) and exc.response.status == 403:
        return WITHHELD
    if isinstance(exc, UpstreamError):
        return f"{UNAVAILABLE}（{REASONS.get(exc.failure.value, exc.failure.value)}）"
    if isinstance(exc, TooLarge):
        return f"{UNAVAILABLE}（记录过多）"
    return f"{UNAVAILABLE}（{REASONS['error']}）"


@dataclass
class Roster:
    unit: dict[str, Any]
    as_of: dt.date
    cadres: list[dict[str, Any]]
    units: dict[str, dict[str, Any]]
    histories: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    history_gap: str | None = None
    grades: dict[int, dict[str, str]] = field(default_factory=dict)
    grades_gap: str | None = None
    restrictions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    restrictions_gap: str | None = None

    @property
    def years(self) -> list[int]:
        return [self.as_of.year - n for n in range(1, GRADE_YEARS + 1)]


async def gather_roster(
    clients: dict[str, ServiceClient],
    roster: Roster,
    headers: list[tuple[str, str]],
    *,
    concurrency: int,
    max_pages: int,
) -> None:
    """Fills the roster's holdings, grades and restrictions concurrently (per-cadre calls bounded)."""
    unit_id, day = roster.unit["id"], roster.as_of.isoformat()
    gate = asyncio.Semaphore(concurrency)

    async def history(cadre_id: str) -> None:
        async with gate:
            response = await clients["rank"].call(
                "GET", f"/api/v1/cadres/{quote(cadre_id, safe='')}/history?{urlencode({'as_of': day})}", headers=headers
            )
        if response.status == 200:
            roster.histories[cadre_id] = response.json()
        elif response.status == 404:
            roster.histories[cadre_id] = None  # left the caller's scope since the listing
        else:
            raise Refused(response)

    async def histories() -> None:
        try:
            async with asyncio.TaskGroup() as group:
                for cadre in roster.cadres:
                    group.create_task(history(cadre["id"]))
        except* (UpstreamError, Refused) as failures:
            roster.history_gap = why(failures.exceptions[0])

    async def grades() -> None:
        wanted = {c["id"] for c in roster.cadres}
        try:
            for year in roster.years:
                items = await pages(
                    clients["appraisal"],
                    "/api/v1/assessments",
                    {"org_unit_id": unit_id, "year": year},
                    headers,
                    max_items=None,
                    max_pages=max_pages,
                )
                roster.grades[year] = {
                    a["cadre_id"]: a["final_grade"]
                    for a in items
                    if a["cadre_id"] in wanted
                    and a.get("final_grade")
                    and (a.get("decided_on") is None or a["decided_on"] <= day)
                }
        except (UpstreamError, Refused, TooLarge) as exc:
            roster.grades_gap = why(exc)

    async def restrictions() -> None:
        wanted = {c["id"] for c in roster.cadres}
        try:
            items = await pages(
                clients["tolerance"],
                "/api/v1/restrictions",
                {"active_on": day},
                headers,
                max_items=None,
                max_pages=max_pages,
            )
        except (UpstreamError, Refused, TooLarge) as exc:
            roster.restrictions_gap = why(exc)
            return
        for item in items:
            if item["cadre_id"] in wanted:
                roster.restrictions.setdefault(item["cadre_id"], []).append(item)

    await asyncio.gather(histories(), grades(), restrictions())


def _since(holdings: list[dict[str, Any]], key: str, code: Any, day: str) -> str:
    """The start of the uninterrupted holding of `code` that covers `day` (任现职 / 任现职级时间)."""
    current = [
        h
        for h in holdings
        if h.get(key) == code and h["since"] <= day and (h.get("until") is None or h["until"] >= day)
    ]
    return max((h["since"] for h in current), default="") if code is not None else ""


def _restriction_text(items: list[dict[str, Any]]) -> str:
    parts = []
    for r in sorted(items, key=lambda r: (r.get("applies_until") or "9999", r["effect"])):
        until = r.get("applies_until") or r.get("ends_on")
        parts.append(
            f"{label('restriction_effect', r['effect'])}（{label('restriction_source', r['source_type'])}，至{until}）"
            if until
            else f"{label('restriction_effect', r['effect'])}（无固定期限）"
        )
    return "；".join(parts)


def _birth(value: str | None) -> str:
    return value[:7].replace("-", ".") if value else ""


def roster_document(roster: Roster, *, subject: str) -> Document:
    """The roster as a Document: a data sheet 名册 (headers in row 1) and a sheet 说明 with the header lines."""
    day = roster.as_of.isoformat()
    years = roster.years
    headers = [
        "姓名",
        "性别",
        "出生年月",
        "单位",
        "职务",
        "职级",
        "级别",
        "任现职时间",
        "任现职级时间",
        *(f"{y}年度考核" for y in years),
        "影响期内的限制",
    ]
    rows = []

    def order(cadre: dict[str, Any]) -> tuple:
        unit = roster.units.get(cadre["org_unit_id"]) or {}
        return (tuple(unit.get("path") or [cadre["org_unit_id"]]), cadre["name"], cadre["id"])

    for cadre in sorted(roster.cadres, key=order):
        cid = cadre["id"]
        history = roster.histories.get(cid)
        unit = roster.units.get(cadre["org_unit_id"]) or {}
        if roster.history_gap:
            post = rank = level = post_since = rank_since = roster.history_gap
        elif history is None:
            post, rank, level, post_since, rank_since = (
                label("post", cadre.get("post_code")),
                label("rank", cadre.get("rank_code")),
                cadre.get("level") or "",
                "",
                "",
            )
        else:
            post = label("post", history.get("post_code"))
            rank = label("rank", history.get("rank_code"))
            level = history.get("level") or ""
            post_since = _since(history.get("post_holdings") or [], "post_code", history.get("post_code"), day)
            rank_since = _since(history.get("rank_holdings") or [], "rank_code", history.get("rank_code"), day)
        grades = [roster.grades_gap or label("grade", roster.grades.get(y, {}).get(cid)) for y in years]
        restricted = roster.restrictions_gap or _restriction_text(roster.restrictions.get(cid, []))
        rows.append(
            [
                cadre["name"],
                label("gender", cadre.get("gender")),
                _birth(cadre.get("birth_date")),
                unit.get("name") or cadre["org_unit_id"],
                post,
                rank,
                level,
                post_since,
                rank_since,
                *grades,
                restricted,
            ]
        )
    gaps = [
        (title, gap)
        for title, gap in (
            ("任职信息", roster.history_gap),
            ("年度考核", roster.grades_gap),
            ("影响期内的限制", roster.restrictions_gap),
        )
        if gap
    ]
    about = [
        ("单位", roster.unit.get("name") or roster.unit["id"]),
        ("单位代码", roster.unit["id"]),
        ("截至日期", day),
        ("生成对象", subject),
        ("人数", len(rows)),
    ] + [(f"{t}", g) for t, g in gaps]
    unit_name = roster.unit.get("name") or roster.unit["id"]
    return Document(
        f"干部名册：{unit_name}",
        [f"截至日期：{day}", f"生成对象：{subject}"],
        [Section("名册", [Table(headers, rows)], header=False), Section("说明", [pairs(about)])],
    )
