"""The chaos run (issue 16, item 3): a bounded mixed load through both gateways of `youwei up --replicas 2
--nats-cluster 3` while nats-server nodes, service replicas and a stream's JetStream leader are killed with
SIGKILL, then the proofs: every acknowledged write present, every event applied once by every consumer, outbox
lag 0 within 60 s, no dead letters, and the restrictions, eligibility, grades, sanctions and directories of every
cadre equal to a quiet single-node replay of the same acknowledged operations.

    python -m bench.chaos              (make chaos; CHAOS_OPS=2000 make chaos for a short run)

Environment: CHAOS_OPS (default 20000), CHAOS_SEED (default 1), CHAOS_CONCURRENCY (default 8),
TEST_POSTGRES_URL (default the local server). The last line reads
`chaos: ops N acked A kills K lost L doubled D max_lag_s S`; the exit status is 0 only when every proof holds.

The plan of operations is drawn from the seed before anything runs: registrations (a cadre's later operations
wait for its registration), past grades (one per cadre and year), reports accusing a cadre, past government
sanctions (one per cadre). Every write carries its own Idempotency-Key and is retried with it (on the other
gateway) after a dropped connection or a 502/503/504/409/429, for at most OP_DEADLINE_S; an operation is
acknowledged when an answer 201/200 came back. The kills follow the operations' progress: one nats-server node
at a time (the next once the last is ready again), one replica of each service at a time, and once the leader of
the stream CADRE_RANK.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.cluster import Cluster, dsn, start

SERVICES = ("rank", "appraisal", "petitions", "tolerance")
OP_DEADLINE_S = 120.0
LAG_LIMIT_S = 60.0
SETTLE_LIMIT_S = 180.0
NATS_KILLS, SERVICE_KILLS = 10, 5
ENV = {
    # 20,000 writes from one client: the per-client limits of the gateways would answer 429 to the load itself.
    "GATEWAY_RATE_LIMIT_ENABLED": "false",
    # The standings (eligibility) are recomputed often, so both suites settle quickly.
    "RANK_STANDING_INTERVAL_S": "2",
}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RETRY = {409, 429, 502, 503, 504}


@dataclass
class Op:
    """One write of the plan; `cadre` is the business key (the cadre's unique name)."""

    number: int
    kind: str
    cadre: str
    params: dict[str, Any] = field(default_factory=dict)
    acked: bool = False
    status: int | None = None
    id: str | None = None
    attempts: int = 0


def plan(count: int, seed: int) -> list[Op]:
    """Draws `count` operations: ~25 % registrations, 35 % grades, 20 % reports, 20 % sanctions."""
    rng = random.Random(seed)
    today = dt.date.today()
    ops: list[Op] = []
    cadres: list[str] = []
    years: dict[str, list[int]] = {}
    unsanctioned: list[str] = []
    while len(ops) < count:
        n = len(ops)
        roll = rng.random()
        if not cadres or roll < 0.25:
            name = f"Chaos {seed}-{len(cadres):05d}"
            cadres.append(name)
            # Years well before any sanction of the plan (a restriction makes a later year UNDETERMINED).
            years[name] = list(range(2011, today.year - 3))
            rng.shuffle(years[name])
            unsanctioned.append(name)
            ops.append(Op(n, "register", name, {"gender": rng.choice(["FEMALE", "MALE"])}))
        elif roll < 0.60:
            with_years = [c for c in cadres[-200:] if years[c]]
            if not with_years:
                continue
            name = rng.choice(with_years)
            year = years[name].pop()
            grade = rng.choice(["EXCELLENT", "COMPETENT", "COMPETENT", "COMPETENT", "BASIC", "INCOMPETENT"])
            ops.append(Op(n, "grade", name, {"year": year, "grade": grade}))
        elif roll < 0.80:
            ops.append(Op(n, "report", rng.choice(cadres), {"channel": rng.choice(["LETTER", "VISIT", "ONLINE"])}))
        else:
            if not unsanctioned:
                continue
            name = unsanctioned.pop(rng.randrange(len(unsanctioned)))
            decided = today - dt.timedelta(days=rng.randrange(1, 600))
            ops.append(Op(n, "sanction", name, {"decided_on": decided.isoformat(), "number": n}))
    return ops


def request(op: Op, ids: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The path and body of an operation, with the cadre's id in the suite it runs against."""
    today = dt.date.today()
    if op.kind == "register":
        return "/api/v1/cadres", {
            "name": op.cadre,
            "gender": op.params["gender"],
            "birth_date": "1985-05-06",
            "entry_date": "2010-07-01",
            "org_unit_id": "city",
        }
    cadre = ids[op.cadre]
    if op.kind == "grade":
        year = op.params["year"]
        body = {
            "cadre_id": cadre,
            "year": year,
            "grade": op.params["grade"],
            "decided_on": f"{year + 1}-01-20",
            "notified_on": f"{year + 1}-01-22",
            "source": "PAPER_RECORD",
        }
        if op.params["grade"] == "EXCELLENT":  # 优秀 is publicised before it is decided
            body.update(publicity_from=f"{year + 1}-01-11", publicity_to=f"{year + 1}-01-18")
        return "/api/v1/assessments/history", body
    if op.kind == "report":
        return "/api/v1/reports", {
            "petition_type": "ACCUSATION",
            "channel": op.params["channel"],
            "received_on": today.isoformat(),
            "content": f"Chaos report {op.number}: gifts taken at the spring festival.",
            "accused_cadre_ids": [cadre],
        }
    return "/api/v1/sanctions/history", {
        "cadre_id": cadre,
        "system": "GOV",
        "type": "DEMERIT",
        "decided_on": op.params["decided_on"],
        "effective_from": op.params["decided_on"],
        "document_number": f"纪发〔2025〕{op.params['number']}号",
        "source": "PAPER_RECORD",
    }


class Load:
    """Runs operations through the gateways with bounded concurrency; records which were acknowledged."""

    def __init__(self, suite: Cluster, ops: list[Op], concurrency: int, tag: str) -> None:
        self.suite, self.ops, self.concurrency, self.tag = suite, ops, concurrency, tag
        self.ids: dict[str, str] = {}
        self.tokens: dict[str, str] = {}  # a registration's X-Consistency-Token, presented by the cadre's later writes
        self.not_found = 0  # 404 scope.cadre answered for a cadre whose registration was acknowledged
        self.registered: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.done = 0
        self.token = suite.token("org_admin", "discipline_officer", subject="chaos")

    async def run(self) -> None:
        queue: asyncio.Queue[Op] = asyncio.Queue()
        for op in self.ops:
            queue.put_nowait(op)
        limits = httpx.Limits(max_connections=self.concurrency * 2, max_keepalive_connections=self.concurrency * 2)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            await asyncio.gather(*(self._worker(http, queue) for _ in range(self.concurrency)))

    async def _worker(self, http: httpx.AsyncClient, queue: asyncio.Queue[Op]) -> None:
        while not queue.empty():
            op = queue.get_nowait()
            try:
                await self._one(http, op)
            finally:
                self.done += 1

    async def _one(self, http: httpx.AsyncClient, op: Op) -> None:
        if op.kind != "register":
            try:
                await asyncio.wait_for(self.registered[op.cadre].wait(), OP_DEADLINE_S)
            except TimeoutError:
                return
            if op.cadre not in self.ids:
                return  # its registration was never acknowledged: not sent
        path, body = request(op, self.ids)
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": f"{self.tag}-{op.number}",
            "Prefer": "consistency=eventual",
        }
        if op.cadre in self.tokens and op.kind != "register":
            headers["X-Consistency-Token"] = self.tokens[op.cadre]
        gateways = self.suite.gateways
        deadline = time.monotonic() + OP_DEADLINE_S
        try:
            while time.monotonic() < deadline:
                gateway = gateways[(op.number + op.attempts) % len(gateways)]
                op.attempts += 1
                try:
                    response = await http.post(gateway + path, headers=headers, json=body)
                except httpx.TransportError:
                    await asyncio.sleep(0.25)
                    continue
                op.status = response.status_code
                if response.status_code in (200, 201):
                    op.acked, op.id = True, response.json().get("id")
                    if op.kind == "register":
                        self.ids[op.cadre] = op.id
                        if token := response.headers.get("X-Consistency-Token"):
                            self.tokens[op.cadre] = token
                    return
                if response.status_code == 404 and response.json().get("rule") == "scope.cadre":
                    # The cadre is registered (acknowledged, its token presented): the directory of this replica
                    # does not have it yet. Counted, and retried like a 503 directory.propagating.
                    self.not_found += 1
                    await asyncio.sleep(0.25)
                    continue
                if response.status_code not in RETRY:
                    print(f"chaos: op {op.number} {op.kind} refused {response.status_code} {response.text[:300]}")
                    return
                await asyncio.sleep(0.25)
        finally:
            if op.kind == "register":
                self.registered[op.cadre].set()


class Killer:
    """Kills at the moments the plan drew (as fractions of the operations done); one nats node down at a time and
    one replica of a service at a time (the next kill of the kind waits until the last one is ready again)."""

    def __init__(self, suite: Cluster, load: Load, rng: random.Random) -> None:
        self.suite, self.load, self.rng = suite, load, rng
        kinds = ["nats"] * NATS_KILLS + ["leader"] + [s for s in SERVICES for _ in range(SERVICE_KILLS)]
        rng.shuffle(kinds)
        moments = sorted(rng.uniform(0.03, 0.85) for _ in kinds)
        self.schedule = list(zip(moments, kinds, strict=True))
        self.kills: list[tuple[float, str, str]] = []
        self.down: dict[str, tuple[str, int]] = {}  # kind → (name, ready count before the kill)

    async def run(self) -> None:
        total = len(self.load.ops)
        for moment, kind in self.schedule:
            while self.load.done < moment * total and self.load.done < total:
                await asyncio.sleep(0.1)
            group = "nats" if kind in ("nats", "leader") else kind
            await self._wait_ready(group)
            name = await self._target(kind)
            if name is None:
                continue
            self.down[group] = (name, self.suite.ready_count(name))
            try:
                self.suite.kill(name)
            except ProcessLookupError:  # exited on its own a moment ago: the launcher restarts it anyway
                pass
            self.kills.append((time.monotonic(), kind, name))
            print(f"chaos: killed {name} ({kind}) at op {self.load.done}", flush=True)
        for group in list(self.down):
            await self._wait_ready(group)

    async def _wait_ready(self, group: str, limit: float = 90.0) -> None:
        if group not in self.down:
            return
        name, before = self.down[group]
        deadline = time.monotonic() + limit
        while self.suite.ready_count(name) <= before and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        if group == "nats":
            await asyncio.sleep(2.0)  # the node catches up on its streams before the next node goes down
        del self.down[group]

    async def _target(self, kind: str) -> str | None:
        if kind == "nats":
            return self.rng.choice(self.suite.nats_nodes)
        if kind == "leader":
            return await stream_leader(self.suite, "CADRE_RANK")
        return self.rng.choice([kind, f"{kind}-2"])


async def stream_leader(suite: Cluster, stream: str) -> str | None:
    import nats

    for _ in range(20):
        try:
            nc = await nats.connect(
                suite.nats_urls, user="rank", password=suite.nats_password("rank"), connect_timeout=5
            )
            try:
                info = await nc.jetstream().stream_info(stream)
                return info.cluster.leader if info.cluster else None
            finally:
                await nc.close()
        except Exception:  # noqa: BLE001 - an election under way: ask again
            await asyncio.sleep(0.5)
    return None


class Lag:
    """Samples the age of the oldest unpublished outbox row of every service, once a second."""

    def __init__(self, suite: Cluster) -> None:
        self.suite = suite
        self.max_s = 0.0
        self.stop = asyncio.Event()

    async def pending(self) -> tuple[int, float]:
        count, oldest = 0, 0.0
        for service in SERVICES:
            row = await fetchrow(
                self.suite,
                service,
                "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age "
                "FROM outbox_message WHERE published_at IS NULL",
            )
            count, oldest = count + row["n"], max(oldest, float(row["age"]))
        return count, oldest

    async def run(self) -> None:
        while not self.stop.is_set():
            try:
                _, oldest = await self.pending()
                self.max_s = max(self.max_s, oldest)
            except (OSError, asyncpg.PostgresError):
                pass
            try:
                await asyncio.wait_for(self.stop.wait(), 1.0)
            except TimeoutError:
                pass


async def fetch(suite: Cluster, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn(suite.database_urls[service]), timeout=10)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def fetchrow(suite: Cluster, service: str, sql: str, *args: Any) -> asyncpg.Record:
    return (await fetch(suite, service, sql, *args))[0]


async def org_unit(suite: Cluster) -> None:
    headers = {**suite.headers(), "Idempotency-Key": "chaos-org-unit-city"}
    body = {"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"}
    async with httpx.AsyncClient(timeout=15) as http:
        for _ in range(80):
            response = await http.post(f"{suite.gateways[0]}/api/v1/org-units", headers=headers, json=body)
            if response.status_code == 201:
                return
            await asyncio.sleep(0.25)
    raise RuntimeError(f"org unit not created: {response.text}")


async def drain(suite: Cluster, limit: float) -> float | None:
    """Seconds until no outbox row of any service is unpublished, or None past `limit`."""
    lag, started = Lag(suite), time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if (await lag.pending())[0] == 0:
                return time.monotonic() - started
        except (OSError, asyncpg.PostgresError):
            pass
        await asyncio.sleep(0.5)
    return None


def _matches(subject: str, pattern: str) -> bool:
    parts, wanted = subject.split("."), pattern.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(parts) > i
        if i >= len(parts) or (token != "*" and token != parts[i]):
            return False
    return len(parts) == len(wanted)


async def delivery(suite: Cluster) -> dict[str, Any]:
    """Per stream: messages vs outbox rows (published once); per durable: events it should hold vs its inbox."""
    import nats

    nc = await nats.connect(suite.nats_urls, user="rank", password=suite.nats_password("rank"), connect_timeout=5)
    out: dict[str, Any] = {"streams": {}, "consumers": {}, "missing": 0, "extra": 0, "doubled": 0}
    try:
        js = nc.jetstream()
        for producer in SERVICES:
            stream = f"CADRE_{producer.upper()}"
            info = await js.stream_info(stream)
            rows = await fetch(suite, producer, "SELECT event_id, type FROM outbox_message")
            out["streams"][stream] = (info.state.messages, len(rows))
            out["doubled"] += max(0, info.state.messages - len(rows))
            for consumer in await js.consumers_info(stream):
                durable = consumer.name
                service = durable.split("__")[0]
                if service not in SERVICES:
                    continue
                config = consumer.config
                filters = list(config.filter_subjects or []) or (
                    [config.filter_subject] if config.filter_subject else [">"]
                )
                wanted = {r["event_id"] for r in rows if any(_matches(r["type"], f) for f in filters)}
                inbox = await fetch(suite, service, "SELECT message_id FROM inbox_message WHERE consumer = $1", durable)
                held = [r["message_id"] for r in inbox]
                missing, extra = len(wanted - set(held)), len(set(held) - {r["event_id"] for r in rows})
                out["consumers"][durable] = (len(wanted), len(held), missing, consumer.num_pending)
                out["missing"] += missing
                out["extra"] += extra
                out["doubled"] += len(held) - len(set(held))
    finally:
        await nc.close()
    return out


async def settle(suite: Cluster, limit: float) -> dict[str, Any]:
    """Waits (bounded) until every durable holds every event it should and the standings are computed."""
    started, last = time.monotonic(), {}
    while time.monotonic() - started < limit:
        try:
            last = await delivery(suite)
            dirty = (await fetchrow(suite, "rank", "SELECT count(*) AS n FROM cadre_standing WHERE dirty"))["n"]
            if last["missing"] == 0 and dirty == 0:
                return last
        except Exception as exc:  # noqa: BLE001 - a broker answer missing during an election: ask again
            last = {"error": repr(exc), **last}
        await asyncio.sleep(1.0)
    return last


async def present(suite: Cluster, ops: list[Op]) -> tuple[int, int]:
    """(lost, doubled): acknowledged writes missing from the databases, business keys held more than once."""
    names = Counter(r["name"] for r in await fetch(suite, "rank", "SELECT name FROM cadre"))
    grades = Counter(
        (r["cadre_id"], r["year"])
        for r in await fetch(suite, "appraisal", "SELECT cadre_id, year FROM annual_assessment")
    )
    reports = {r["id"] for r in await fetch(suite, "petitions", "SELECT id FROM report")}
    sanctions = Counter(r["cadre_id"] for r in await fetch(suite, "tolerance", "SELECT cadre_id FROM sanction"))
    ids = {r["name"]: r["id"] for r in await fetch(suite, "rank", "SELECT id, name FROM cadre")}
    lost = doubled = 0
    for op in ops:
        if not op.acked:
            continue
        if op.kind == "register":
            found = names[op.cadre]
        elif op.kind == "grade":
            found = grades[(ids.get(op.cadre), op.params["year"])]
        elif op.kind == "report":
            found = int(op.id in reports)
        else:
            found = sanctions[ids.get(op.cadre)]
        lost += found == 0
        doubled += max(0, found - 1)
    acked_reports = sum(1 for op in ops if op.acked and op.kind == "report")
    doubled += max(0, len(reports) - acked_reports)  # a report applied twice under two ids
    return lost, doubled


# -- the state compared with the quiet replay -----------------------------------------------------------------
VOLATILE = {
    "id", "restriction_id", "source_id", "version", "updated_at", "created_at", "computed_at", "dirty",
    "dirty_gen", "lease_until", "valid_until", "as_of", "report_id", "incident_id", "external_ref", "decided_by",
}  # fmt: skip
TABLES = {
    "tolerance.restriction": ("tolerance", "SELECT * FROM restriction"),
    "tolerance.sanction": (
        "tolerance",
        "SELECT cadre_id, system, type, status, decided_on, effective_on, ends_on, period_months FROM sanction",
    ),
    "rank.tolerance_restriction": ("rank", "SELECT * FROM tolerance_restriction"),
    "appraisal.tolerance_restriction": ("appraisal", "SELECT * FROM tolerance_restriction"),
    "rank.cadre_standing": ("rank", "SELECT * FROM cadre_standing"),
    "appraisal.grades": (
        "appraisal",
        "SELECT cadre_id, year, status, final_grade, decided_on, notified_on FROM annual_assessment",
    ),
    "petitions.accused": ("petitions", "SELECT cadre_id, position, outcome, tolerated FROM report_accused"),
    "appraisal.dir_cadre": ("appraisal", "SELECT * FROM dir_cadre"),
    "petitions.dir_cadre": ("petitions", "SELECT * FROM dir_cadre"),
    "tolerance.dir_cadre": ("tolerance", "SELECT * FROM dir_cadre"),
}


def _normal(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        if value.startswith(("[", "{")):
            try:
                return _normal(json.loads(value), names)
            except ValueError:
                pass
        return UUID_RE.sub(lambda m: names.get(m.group(0), "<id>"), value)
    if isinstance(value, list):
        return [_normal(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v, names) for k, v in sorted(value.items())}
    return value


async def snapshot(suite: Cluster, eligibility: bool) -> dict[str, list[str]]:
    """The business state of every cadre, by name: each table as sorted rows without ids and timestamps, and each
    cadre's live eligibility answer."""
    names = {r["id"]: r["name"] for r in await fetch(suite, "rank", "SELECT id, name FROM cadre")}
    state: dict[str, list[str]] = {}
    for label, (service, sql) in TABLES.items():
        rows = []
        for record in await fetch(suite, service, sql):
            row = {k: _normal(v, names) for k, v in record.items() if k not in VOLATILE}
            rows.append(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False))
        state[label] = sorted(rows)
    if eligibility:
        state["eligibility"] = await _eligibility(suite, names)
    return state


async def _eligibility(suite: Cluster, names: dict[str, str]) -> list[str]:
    headers = suite.headers()
    semaphore = asyncio.Semaphore(6)

    async def one(http: httpx.AsyncClient, cadre_id: str) -> str:
        async with semaphore:
            for _ in range(40):
                try:
                    response = await http.get(f"{suite.gateways[0]}/api/v1/eligibility/{cadre_id}", headers=headers)
                except httpx.TransportError:
                    await asyncio.sleep(0.25)
                    continue
                if response.status_code == 200:
                    return json.dumps(_normal(response.json(), names), sort_keys=True, ensure_ascii=False)
                await asyncio.sleep(0.25)
            return f"{names[cadre_id]}: no answer"

    async with httpx.AsyncClient(timeout=30) as http:
        return sorted(await asyncio.gather(*(one(http, c) for c in names)))


def diff(chaos: dict[str, list[str]], quiet: dict[str, list[str]]) -> dict[str, tuple[int, int, list[str]]]:
    """Per table: (rows only after the chaos run, rows only in the replay, a few examples)."""
    out = {}
    for label in chaos:
        a, b = Counter(chaos[label]), Counter(quiet.get(label, []))
        only_a, only_b = a - b, b - a
        if only_a or only_b:
            examples = [f"chaos: {r}" for r in list(only_a)[:2]] + [f"quiet: {r}" for r in list(only_b)[:2]]
            out[label] = (sum(only_a.values()), sum(only_b.values()), examples)
    return out


# -- the run ------------------------------------------------------------------------------------------------------
async def chaos_phase(suite: Cluster, ops: list[Op], concurrency: int, seed: int) -> dict[str, Any]:
    await org_unit(suite)
    load = Load(suite, ops, concurrency, f"chaos{seed}")
    killer, lag = Killer(suite, load, random.Random(seed + 1)), Lag(suite)
    lag_task = asyncio.create_task(lag.run())
    started = time.monotonic()
    killer_task = asyncio.create_task(killer.run())
    progress = asyncio.create_task(_progress(load))
    await load.run()
    load_s = time.monotonic() - started
    progress.cancel()
    await asyncio.wait_for(killer_task, 600)
    drained = await drain(suite, LAG_LIMIT_S)
    lag.stop.set()
    await lag_task
    settled = await settle(suite, SETTLE_LIMIT_S)
    return {
        "load_s": load_s,
        "not_found": load.not_found,
        "kills": killer.kills,
        "drain_s": drained,
        "max_lag_s": lag.max_s,
        "delivery": settled,
    }


async def _progress(load: Load) -> None:
    while True:
        await asyncio.sleep(15)
        acked = sum(op.acked for op in load.ops)
        print(f"chaos: {load.done}/{len(load.ops)} done, {acked} acked", flush=True)


async def quiet_phase(suite: Cluster, ops: list[Op], concurrency: int, seed: int) -> dict[str, Any]:
    """The acknowledged operations again, in plan order, on one node with one replica, without kills."""
    await org_unit(suite)
    replay = [Op(op.number, op.kind, op.cadre, op.params) for op in ops if op.acked]
    load = Load(suite, replay, concurrency, f"quiet{seed}")
    await load.run()
    drained = await drain(suite, LAG_LIMIT_S * 2)
    settled = await settle(suite, SETTLE_LIMIT_S)
    return {"acked": sum(op.acked for op in replay), "sent": len(replay), "drain_s": drained, "delivery": settled}


def main() -> int:
    count = int(os.environ.get("CHAOS_OPS", "20000"))
    seed = int(os.environ.get("CHAOS_SEED", "1"))
    concurrency = int(os.environ.get("CHAOS_CONCURRENCY", "8"))
    admin = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    eligibility = os.environ.get("CHAOS_ELIGIBILITY", "1") != "0"
    ops = plan(count, seed)
    tmp = Path(tempfile.mkdtemp(prefix="youwei-chaos-"))
    print(f"chaos: {count} operations (seed {seed}, concurrency {concurrency}), work directory {tmp}", flush=True)
    started = time.monotonic()
    suite = start(admin, tmp / "cluster", env=ENV, prefix="ych")
    try:
        print(f"chaos: cluster up in {time.monotonic() - started:.0f}s", flush=True)
        result = asyncio.run(chaos_phase(suite, ops, concurrency, seed))
        lost, doubled = asyncio.run(present(suite, ops))
        dead = sum(asyncio.run(_dead(suite)).values())
        chaos_state = asyncio.run(snapshot(suite, eligibility))
    finally:
        suite.stop()
    deadlocks = {"chaos": suite.output().count("deadlock detected")}
    quiet = start(admin, tmp / "quiet", replicas=1, nats_cluster=1, env=ENV, prefix="yqt")
    try:
        replayed = asyncio.run(quiet_phase(quiet, ops, concurrency, seed))
        quiet_state = asyncio.run(snapshot(quiet, eligibility))
    finally:
        quiet.stop()
    deadlocks["replay"] = quiet.output().count("deadlock detected")
    differences = diff(chaos_state, quiet_state)
    acked = sum(op.acked for op in ops)
    delivery_ = result["delivery"]
    kills = Counter(kind if kind in ("nats", "leader") else "service" for _, kind, _ in result["kills"])
    by_service = Counter(kind for _, kind, _ in result["kills"] if kind in SERVICES)
    doubled += delivery_.get("doubled", 0) + delivery_.get("extra", 0)
    lost += delivery_.get("missing", 0)
    print(f"chaos: load {result['load_s']:.0f}s, {sum(op.attempts for op in ops)} requests for {len(ops)} operations")
    print(f"chaos: kills nats {kills['nats']}, leader {kills['leader']}, services {dict(by_service)}")
    print(f"chaos: refused {sum(1 for op in ops if op.status and not op.acked)}, not sent (cadre unregistered) "
          f"{sum(1 for op in ops if op.status is None)}")  # fmt: skip
    print(f"chaos: outbox drained {result['drain_s']}s after the load; max outbox lag {result['max_lag_s']:.1f}s")
    print(f"chaos: streams (messages, outbox rows) {delivery_.get('streams')}")
    print(f"chaos: consumers (events, inbox, missing, pending) {delivery_.get('consumers')}")
    print(f"chaos: 404 scope.cadre for acknowledged cadres (retried): {result['not_found']}")
    # A deadlock costs a retry, not data, but a steady stream of them starves a consumer (R14).
    print(
        f"chaos: PostgreSQL deadlocks in the services' logs: chaos {deadlocks['chaos']}, replay {deadlocks['replay']}"
    )
    print(f"chaos: dead letters {dead}; replay acked {replayed['acked']} of {replayed['sent']}")
    for label, rows in sorted(chaos_state.items()):
        state = "equal" if label not in differences else f"DIFFERENT {differences[label][:2]}"
        print(f"chaos: {label}: {len(rows)} rows, {state}")
        for example in differences.get(label, (0, 0, []))[2]:
            print(f"chaos:   {example[:400]}")
    ok = (
        lost == 0
        and doubled == 0
        and dead == 0
        and result["drain_s"] is not None
        and not differences
        and replayed["acked"] == replayed["sent"]
        and kills["nats"] >= NATS_KILLS
        and kills["leader"] >= 1
        and all(by_service[s] >= SERVICE_KILLS for s in SERVICES)
    )
    print(f"chaos: {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.0f}s")
    print(
        f"chaos: ops {len(ops)} acked {acked} kills {len(result['kills'])} lost {lost} doubled {doubled} "
        f"max_lag_s {result['max_lag_s']:.1f}",
        flush=True,
    )
    if ok:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


async def _dead(suite: Cluster) -> dict[str, int]:
    return {s: (await fetchrow(suite, s, "SELECT count(*) AS n FROM dead_letter"))["n"] for s in SERVICES}


if __name__ == "__main__":
    sys.exit(main())
