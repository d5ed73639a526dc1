"""Reporter confidentiality sweep (docs/reliability.md S10, issue "Security is part of done").

1,000 synthetic real-name reporters (name, phone, ID number; some e-mails) plus anonymous reporters with receipt
codes go through intake (staff and public), screening, disposal, conclusion, objections, questions and answers,
reveals, bad requests full of their data and a dead-lettered event. Then every column of every table, every
captured log record, every message of every stream of the test's namespace, every error response, the OpenAPI
document and the metrics are scanned: no reporter value may appear anywhere (the vault holds only ciphertext).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from dataclasses import dataclass, field

import nats
from sqlalchemy import select

from kernel.contracts import tolerance_v1
from kernel.contracts.vocabulary import ToleranceDecision
from kernel.logs import JsonFormatter
from kernel.testing.helpers import eventually
from services.petitions.adapters import orm
from tests.petitions.support import TODAY, stream_messages

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红文辉建国云飞鹏宇浩然子轩梓涵欣怡"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
N_REPORTERS = 1000


def id_number(rnd: random.Random) -> str:
    """A well-formed PRC resident ID number (region, birth date, sequence, GB 11643 check digit)."""
    body = (
        f"{rnd.choice([110101, 310104, 440305, 510107, 330106])}{rnd.randint(1960, 2000)}"
        f"{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}"
    )
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


@dataclass
class Needles:
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def find(self, text: str) -> set[str]:
        """Returns every reporter value found in a text (sliding windows over candidate runs: linear time)."""
        hits: set[str] = set()
        for run in re.findall(r"[\u4e00-\u9fff]{3,}", text):
            hits |= {run[i : i + 3] for i in range(len(run) - 2)} & self.names
        for run in re.findall(r"\d{11,}[\dXx]?", text):
            hits |= {run[i : i + 11] for i in range(len(run) - 10)} & self.phones
            hits |= {run[i : i + 18].upper() for i in range(len(run) - 17)} & self.ids
        for run in re.findall(r"[0-9A-Z][0-9A-Z-]{19,}", text):
            flat = run.replace("-", "")
            hits |= {flat[i : i + 20] for i in range(len(flat) - 19)} & self.codes
        hits |= set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)) & self.emails
        return hits


def _text(value: object) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return raw.decode("utf-8", "ignore") + " " + raw.decode("latin-1")
    return str(value)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter("petitions"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_no_reporter_value_appears_outside_the_encrypted_vault(petitions_api):
    rnd = random.Random(20261127)
    needles = Needles()
    capture = Capture()
    logging.getLogger().addHandler(capture)
    errors: list[str] = []
    revealed: list[dict] = []
    try:
        async with petitions_api(
            public_intake_per_hour=100_000, public_followup_per_hour=100_000, receipt_scrypt_n=2**10, log_level="DEBUG"
        ) as api:
            logging.getLogger().setLevel(logging.DEBUG)
            reporters = []
            while len(reporters) < N_REPORTERS:
                name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
                if name in needles.names:
                    continue
                person = {
                    "name": name,
                    "phone": f"1{rnd.randint(3, 9)}{rnd.randint(0, 10**9 - 1):09d}",
                    "id_number": id_number(rnd),
                    "address": f"{rnd.randint(1, 999)} Reporter Road",
                }
                if len(reporters) % 4 == 0:
                    person["email"] = f"r{len(reporters)}x{rnd.randint(1000, 9999)}@mail.example"
                    needles.emails.add(person["email"])
                needles.names.add(name)
                needles.phones.add(person["phone"])
                needles.ids.add(person["id_number"])
                reporters.append(person)

            async def file(i: int, person: dict) -> str | None:
                content = f"我是{person['name']}，电话{person['phone']}。举报：收受红包，违规审批合同。第{i}号"
                accused = ["c-fin-1"] if i % 2 else ["c-cty-a"]
                if i % 10 < 7:  # staff intake of letters, visits and calls
                    return await api.intake(
                        accused=accused,
                        reporter=person,
                        content=content,
                        role="discipline_officer" if i % 3 else "petitions_staff",
                    )
                response = await api.post(
                    "/public/reports",
                    role=None,
                    json={  # real-name online reports
                        "org_unit_id": "city",
                        "content": content,
                        "reporter": person,
                        "accused_description": f"{person['name']} reports the finance director",
                    },
                )
                assert response.status_code == 201, response.text
                needles.codes.add(response.json()["receipt_code"].replace("-", ""))
                return None

            filed: list[str | None] = []
            for start in range(0, N_REPORTERS, 10):
                filed += await asyncio.gather(*(file(i, reporters[i]) for i in range(start, start + 10)))
            report_ids = [r for r in filed if r is not None]
            accused_of = {r: (["c-fin-1"] if i % 2 else ["c-cty-a"]) for i, r in enumerate(filed) if r is not None}
            person_of = {r: reporters[i] for i, r in enumerate(filed) if r is not None}
            anonymous_codes = []
            for i in range(50):
                response = await api.post(
                    "/public/reports",
                    role=None,
                    json={"org_unit_id": "city", "content": f"anonymous report {i}: gifts at the spring festival"},
                )
                code = response.json()["receipt_code"]
                needles.codes.add(code.replace("-", ""))
                anonymous_codes.append(code)

            # Screening, disposal and conclusions: the events that other departments receive.
            for n, report_id in enumerate(report_ids[:60]):
                accused = accused_of[report_id]
                await api.register(report_id, accused=accused)
                await api.to_disposal(report_id)
                result = "SUBSTANTIATED" if n % 6 == 0 else "UNFOUNDED"
                if result == "SUBSTANTIATED":
                    await api.hear(report_id, accused[0])
                await api.close(
                    report_id,
                    result,
                    adverse_effect=result == "UNFOUNDED",
                    accusation_spread="UNIT",
                    fabrication_suspected=n % 12 == 1,
                )
                await api.ok(
                    "POST", f"/reports/{report_id}/feedback", role="petitions_staff", json={"on": TODAY.isoformat()}
                )
                if n % 10 == 0:
                    person = person_of[report_id]
                    await api.ok(
                        "POST",
                        f"/reports/{report_id}/objection",
                        role="petitions_staff",
                        json={
                            "on": TODAY.isoformat(),
                            "new_evidence": False,
                            "summary": f"{person['name']} ({person['phone']}) disagrees",
                        },
                    )
            for report_id in report_ids[60:66]:
                revealed.append(
                    await api.ok(
                        "POST",
                        f"/reports/{report_id}/reveal",
                        role="petitions_staff",
                        json={"purpose": "VERIFY_REAL_NAME"},
                    )
                )
            # Questions to anonymous reporters, answered with their codes (answers may identify them).
            anonymous_ids = [r[0] for r in await _rows(api, select(orm.receipt.c.report_id)) if r[0] not in report_ids]
            for code, _person in zip(anonymous_codes[:10], reporters, strict=False):
                status = await api.ok(
                    "POST", "/public/receipts/status", role=None, headers={"X-Receipt-Code": code}, json={}
                )
                assert status["status"] == "RECEIVED"
            for report_id in anonymous_ids[:5]:
                await api.ok(
                    "POST",
                    f"/reports/{report_id}/questions",
                    201,
                    role="petitions_staff",
                    create=True,
                    json={"text": "Which year?"},
                )

            # A tolerance exemption that names no known report is dead-lettered (the DLQ holds ids only).
            await api.publish(
                tolerance_v1.ToleranceGranted(
                    case_id="tc-x",
                    incident_id="inc-x",
                    cadre_id="c-fin-1",
                    decision=ToleranceDecision.EXEMPT,
                    decided_on=TODAY,
                    source_refs=[tolerance_v1.SourceRef(type="REPORT", id="no-such-report")],
                )
            )

            async def dead_lettered():
                assert await _rows(api, select(orm.kernel_tables.dead_letter.c.id))

            await eventually(dead_lettered, timeout=20)

            # Bad requests full of reporter data: no error may echo it.
            base = {"channel": "LETTER", "received_on": TODAY.isoformat(), "content": "x"}
            for person in reporters[:40]:
                bad_id = person["id_number"][:17] + ("0" if person["id_number"][17] != "0" else "1")
                needles.ids.add(bad_id)
                attempts = [
                    {**base, "reporter": {**person, "id_number": bad_id}},
                    {**base, "reporter": {"name": person["name"]}},
                    {**base, "reporter_name": person["name"], "reporter_phone": person["phone"]},
                    {**base, "reporter": person, "accused_cadre_ids": [person["phone"]]},
                    {**base, "reporter": {**person, "phone": person["name"]}},
                    {**base, "reporter": person, "received_on": person["id_number"]},
                ]
                for body in attempts:
                    response = await api.post("/reports", role="petitions_staff", json=body, create=True)
                    assert response.status_code >= 400
                    errors.append(response.text + str(dict(response.headers)))
                raw = f'{{"channel": "LETTER", "reporter": {{"name": "{person["name"]}", "phone": "{person["phone"]}"'.encode()
                response = await api.client.post(
                    "/api/v1/reports",
                    content=raw,
                    headers={
                        **api.headers("petitions_staff"),
                        "Content-Type": "application/json",
                        "Idempotency-Key": "bad-json-1",
                    },
                )
                errors.append(response.text)
                wrong = await api.post(
                    "/public/receipts/status", role=None, json={"receipt_code": person["phone"] + person["name"]}
                )
                assert wrong.status_code in (404, 422)
                errors.append(wrong.text)
            await api.post("/public/reports", role=None, json={"org_unit_id": reporters[0]["name"], "content": "x"})
            errors.extend(r.text for r in api.log if r.status_code >= 400)

            async def relayed():
                assert len(await api.published("report_closed")) == 60

            await eventually(relayed, timeout=30)
            openapi = (await api.client.get("/openapi.json")).text
            metrics = (await api.client.get("/metrics")).text

            database = []
            async with api.app.state.runtime.db.reader.connect() as conn:
                for table in orm.metadata.sorted_tables:
                    for row in await conn.execute(select(table)):
                        database.append((table.name, " ".join(_text(v) for v in row)))
            settings = api.app.state.settings
            streams = await _all_streams(settings.nats_url, settings.events_namespace)
    finally:
        logging.getLogger().removeHandler(capture)

    # The scanner finds what it looks for (positive controls), so a clean result means something.
    assert len(needles.names) == N_REPORTERS and len(needles.ids) >= N_REPORTERS
    assert needles.find(str(revealed)) >= {revealed[0]["reporter"]["name"], revealed[0]["reporter"]["phone"]}
    assert needles.find(" x ".join(sorted(needles.codes)[:3]))

    leaks: list[str] = []

    def scan(where: str, text: str) -> None:
        for hit in sorted(needles.find(text))[:3]:
            at = text.find(hit) if hit in text else text.find(hit[:4])
            leaks.append(f"{where}: ...{text[max(0, at - 150) : at + 60]}...")

    for table, text in database:
        scan(f"table {table}", text)
    for i, line in enumerate(capture.lines):
        scan(f"log line {i}", line)
    for subject, data in streams:
        scan(f"stream message {subject}", data.decode("utf-8", "ignore"))
    for i, body in enumerate(errors):
        scan(f"error response {i}", body)
    scan("openapi", openapi)
    scan("metrics", metrics)
    assert not leaks, leaks[:10]
    assert len(capture.lines) > 100 and len(streams) > 100 and len(errors) > 200
    assert any(t == "reporter_vault" for t, _ in database)


async def _rows(api, query) -> list:
    async with api.app.state.runtime.db.reader.connect() as conn:
        return list((await conn.execute(query)).all())


async def _all_streams(nats_url: str, namespace: str) -> list[tuple[str, bytes]]:
    nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
    try:
        producers = [
            info.config.name.split("_", 1)[1].lower()
            for info in await nc.jetstream().streams_info()
            if info.config.name.startswith(namespace.upper() + "_")
        ]
    finally:
        await nc.close()
    out = []
    for producer in producers:
        out.extend(await stream_messages(nats_url, namespace, producer))
    return out
