"""Helpers of the petitions tests: an org tree and cadres, a client that speaks as any role, report builders."""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from kernel.contracts import rank_v1
from kernel.contracts.vocabulary import AgencyLevel, CadreCategory, Gender
from kernel.testing.harness import ServiceHarness, apply_directory
from services.petitions.adapters import orm

# A Friday with working days on both sides (no holiday within three weeks).
TODAY = dt.date(2026, 11, 27)

UNITS = [  # id, parent, agency level
    ("city", None, AgencyLevel.CITY_LEADERSHIP),
    ("city-dc", "city", AgencyLevel.MUNICIPAL_AGENCY),
    ("finance", "city", AgencyLevel.MUNICIPAL_AGENCY),
    ("finance-div1", "finance", AgencyLevel.DIVISION),
    ("county-a", "city", AgencyLevel.COUNTY_LEADERSHIP),
    ("county-a-dept", "county-a", AgencyLevel.COUNTY_AGENCY),
    ("county-b", "city", AgencyLevel.COUNTY_LEADERSHIP),
]
CADRES = [  # id, unit, relatives
    ("c-fin-1", "finance", ["c-fin-2"]),
    ("c-fin-2", "finance-div1", ["c-fin-1"]),  # rank mirrors every relation on both cadres' snapshots
    ("c-cty-a", "county-a-dept", []),
    ("c-cty-b", "county-b", []),
    ("c-officer", "city-dc", ["c-officer-kin"]),  # a discipline officer who is also a cadre
    ("c-officer-kin", "finance", ["c-officer"]),
]


def _path(unit: str) -> list[str]:
    parents = {u: p for u, p, _ in UNITS}
    out = [unit]
    while parents[out[-1]] is not None:
        out.append(parents[out[-1]])  # type: ignore[arg-type]
    return list(reversed(out))


def unit_events() -> list[rank_v1.OrgUnitChanged]:
    """The test org tree as rank publishes it."""
    return [
        rank_v1.OrgUnitChanged(org_unit_id=u, parent_id=p, name=u.title(), agency_level=level, path=_path(u))
        for u, p, level in UNITS
    ]


def cadre_events() -> list[rank_v1.CadreRegistered]:
    """The test cadres as rank publishes them."""
    return [
        rank_v1.CadreRegistered(
            cadre_id=c,
            name=f"Cadre {c}",
            gender=Gender.FEMALE,
            birth_date=dt.date(1980, 1, 1),
            org_unit_id=u,
            org_path=_path(u),
            category=CadreCategory.COMPREHENSIVE,
            party_member=True,
            entry_date=dt.date(2004, 7, 1),
            relative_ids=rel,
        )
        for c, u, rel in CADRES
    ]


async def seed_directory(app: Any) -> None:
    """Writes the org tree and cadres through the directory handlers petitions runs on rank's events."""
    await apply_directory(app.state.runtime, orm.directory, [*unit_events(), *cadre_events()])


def vault_key() -> str:
    """A fresh random vault key."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@dataclass
class Api(ServiceHarness):
    """The petitions service under test, called as any role of the permission matrix."""

    log: list[httpx.Response] = field(default_factory=list)

    def headers(
        self, role: str | None, unit: str | None = "city", cadre_id: str | None = None, subject: str | None = None
    ) -> dict[str, str]:
        if role is None:
            return {}
        return self.h(role, unit, cadre_id, subject=subject or f"{role}@{unit}")

    async def call(
        self,
        method: str,
        path: str,
        *,
        role: str | None = "discipline_officer",
        unit: str | None = "city",
        cadre_id: str | None = None,
        subject: str | None = None,
        json: Any = None,
        create: bool = False,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        hdrs = {**self.headers(role, unit, cadre_id, subject), **(idem() if create else {}), **(headers or {})}
        response = await self.client.request(method, "/api/v1" + path, json=json, headers=hdrs, **kwargs)
        self.log.append(response)
        return response

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.call("POST", path, json=json, **kw)

    async def ok(self, method: str, path: str, expected: int = 200, **kw: Any) -> Any:
        response = await self.call(method, path, **kw)
        assert response.status_code == expected, (method, path, response.status_code, response.text)
        return response.json()

    # -- scenario builders ---------------------------------------------------------------------------------
    async def intake(
        self,
        *,
        accused: list[str] | None = None,
        reporter: dict | None = None,
        role: str = "petitions_staff",
        unit: str = "city",
        received_on: dt.date = TODAY,
        petition_type: str = "ACCUSATION",
        content: str = "The accused took gifts at the spring festival and approved a contract.",
        **extra: Any,
    ) -> str:
        body = {
            "petition_type": petition_type,
            "channel": "LETTER",
            "received_on": received_on.isoformat(),
            "content": content,
            "accused_cadre_ids": accused if accused is not None else ["c-fin-1"],
            **extra,
        }
        if reporter is not None:
            body["reporter"] = reporter
        created = await self.ok("POST", "/reports", 201, role=role, unit=unit, json=body, create=True)
        return created["id"]

    async def register(
        self,
        report_id: str,
        *,
        accused: list[str] | None = None,
        jurisdiction: str = "OWN",
        allegations: list[dict] | None = None,
        role: str = "petitions_staff",
        unit: str = "city",
        substantive: bool = True,
    ) -> Any:
        accused = accused if accused is not None else ["c-fin-1"]
        body = {
            "category": "integrity",
            "substantive": substantive,
            "jurisdiction": jurisdiction,
            "accused_cadre_ids": accused,
            "allegations": allegations if allegations is not None else [{"summary": "accepted gifts"}],
        }
        return await self.ok("POST", f"/reports/{report_id}/register", role=role, unit=unit, json=body)

    async def to_disposal(
        self, report_id: str, *, mode: str = "PRELIM_VERIFY", unit: str = "city", letter_text: str | None = None
    ) -> None:
        await self.ok("POST", f"/reports/{report_id}/accept", role="discipline_officer", unit=unit)
        await self.ok("POST", f"/reports/{report_id}/hand-over", role="discipline_officer", unit=unit)
        body: dict[str, Any] = {"mode": mode, "decision": decision()}
        if letter_text is not None:
            body["letter_text"] = letter_text
        await self.ok("POST", f"/reports/{report_id}/disposal", role="discipline_officer", unit=unit, json=body)

    async def allegations(self, report_id: str, unit: str = "city") -> list[dict]:
        report = await self.ok("GET", f"/reports/{report_id}", role="discipline_officer", unit=unit)
        return report["allegations"]

    async def hear(self, report_id: str, cadre_id: str = "c-fin-1", unit: str = "city") -> None:
        """Asks the accused for a statement and records a waiver, so that an adverse finding may follow."""
        sid = (
            await self.ok(
                "POST",
                "/statements",
                201,
                role="discipline_officer",
                unit=unit,
                create=True,
                json={
                    "report_id": report_id,
                    "cadre_id": cadre_id,
                    "kind": "STATEMENT_DEFENCE",
                    "facts": "You are said to have accepted gifts.",
                },
            )
        )["id"]
        await self.ok(
            "POST",
            f"/statements/{sid}/waive",
            role="discipline_officer",
            unit=unit,
            json={"reason": "declined in writing"},
        )

    async def close(self, report_id: str, result: str = "UNFOUNDED", *, unit: str = "city", **extra: Any) -> Any:
        allegations = await self.allegations(report_id, unit)
        body = {
            "findings": [{"allegation_id": a["id"], "result": result} for a in allegations],
            "conclusion": "examined",
            **extra,
        }
        return await self.ok("POST", f"/reports/{report_id}/close", role="discipline_officer", unit=unit, json=body)

    async def closed_report(
        self, result: str = "UNFOUNDED", *, accused: list[str] | None = None, reporter: dict | None = None, **extra: Any
    ) -> str:
        accused = accused if accused is not None else ["c-fin-1"]
        report_id = await self.intake(accused=accused, reporter=reporter)
        await self.register(report_id, accused=accused)
        await self.to_disposal(report_id)
        if result in ("SUBSTANTIATED", "PARTLY_SUBSTANTIATED"):
            for cadre in accused:
                await self.hear(report_id, cadre)
        await self.close(report_id, result, **extra)
        return report_id


def decision(meeting_on: dt.date = TODAY) -> dict[str, Any]:
    return {"meeting_on": meeting_on.isoformat(), "participants": 5, "minutes_ref": "2026-CM-17"}


def reporter(i: int = 0) -> dict[str, str]:
    return {"name": f"Reporter Number{i:04d}", "phone": f"139{i:08d}", "address": f"{i} Reporter Lane"}


async def scalar(app: Any, query: Any) -> Any:
    """A scalar read from an app that runs without a harness (restarts on one database)."""
    async with app.state.runtime.db.reader.connect() as conn:
        return (await conn.execute(query)).scalar()


async def rows(app: Any, query: Any) -> list[Any]:
    """Rows read from an app that runs without a harness (restarts on one database)."""
    async with app.state.runtime.db.reader.connect() as conn:
        return list((await conn.execute(query)).all())


__all__ = ["Api", "TODAY", "decision", "reporter", "rows", "scalar", "seed_directory", "select", "vault_key"]


async def stream_messages(nats_url: str, namespace: str, producer: str = "petitions") -> list[tuple[str, bytes]]:
    """Returns (subject, raw data) of every message in a producer's stream (nothing if it does not exist)."""
    import nats
    from nats.js.errors import NotFoundError

    from kernel.subjects import stream_name

    nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    try:
        js = nc.jetstream()
        try:
            info = await js.stream_info(stream_name(namespace, producer))
        except NotFoundError:
            return []
        out: list[tuple[str, bytes]] = []
        if not info.state.messages:
            return out
        for seq in range(max(1, info.state.first_seq), info.state.last_seq + 1):
            try:
                msg = await js.get_msg(stream_name(namespace, producer), seq)
            except NotFoundError:
                continue
            out.append((msg.subject, msg.data or b""))
        return out
    finally:
        await nc.close()


async def only(api: Api, event: str) -> dict[str, Any]:
    """Returns the one event of a kind in the stream (an AssertionError, retried by eventually(), until then)."""
    found = await api.published(event)
    assert len(found) == 1, f"{len(found)} {event} events"
    return found[0]
