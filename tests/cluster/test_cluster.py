"""The suite as a cluster on this machine (issue 16, items 1 and 2): 3 clustered nats-server nodes, 2 replicas of
every service and of the gateway, PostgreSQL. Each event is applied once, each outbox row published once, an
Idempotency-Key holds across replicas, the feed resumes on the other gateway, and a replica and a nats node killed
with SIGKILL under load lose nothing.

The tests share one cluster (module fixture) and run in file order; the counts accumulate across them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import time
import uuid
from collections import Counter
from typing import Any

import asyncpg
import httpx
import nats
import nats.errors
import orjson
import pytest
from sqlalchemy.engine import make_url

from kernel.testing.helpers import eventually
from services.rank.adapters.standing_repo import LEASE

pytestmark = pytest.mark.postgres

CONSUMERS = ("appraisal", "petitions", "tolerance")
# Each registration's X-Consistency-Token: a later write about the cadre presents it, so that a service whose
# directory does not have the cadre yet waits for it (or answers 503) instead of answering 404 (docs/gateway.md).
TOKENS: dict[str, str] = {}


def _token(cadre: str) -> dict[str, str]:
    return {"X-Consistency-Token": TOKENS[cadre]} if cadre in TOKENS else {}


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def fetch(cluster, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(_dsn(cluster.database_urls[service]), timeout=10)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def cadre_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "gender": random.choice(["FEMALE", "MALE"]),
        "birth_date": "1990-05-06",
        "entry_date": "2013-07-01",
        "org_unit_id": "city",
    }


async def register(
    http: httpx.AsyncClient, gateway: str, headers: dict, name: str, *, key: str | None = None, tries: int = 40
) -> str:
    """Registers a cadre through a gateway; an unavailable answer or a dropped connection is retried with the same
    Idempotency-Key (as a client should), for at most `tries` attempts 0.25 s apart."""
    key = key or uuid.uuid4().hex
    body = cadre_body(name)
    for _ in range(tries):
        try:
            response = await http.post(
                f"{gateway}/api/v1/cadres", headers={**headers, "Idempotency-Key": key}, json=body
            )
        except httpx.TransportError:
            await asyncio.sleep(0.25)
            continue
        if response.status_code == 201:
            cadre_id = response.json()["id"]
            if token := response.headers.get("X-Consistency-Token"):  # not on a replayed answer
                TOKENS[cadre_id] = token
            return cadre_id
        assert response.status_code in (502, 503, 504), response.text
        await asyncio.sleep(0.25)
    raise AssertionError(f"{name} not registered after {tries} tries")


async def js_connect(cluster) -> Any:
    return await nats.connect(
        cluster.nats_urls,
        user="rank",
        password=cluster.nats_password("rank"),
        connect_timeout=5,
        max_reconnect_attempts=20,
    )


async def assert_each_event_once(cluster, registered: set[str]) -> None:
    """Every registration's event: one outbox row, published, in the stream once, applied once by each consumer."""
    rows = await fetch(cluster, "rank", "SELECT event_id, aggregate, type, published_at, attempts FROM outbox_message")
    mine = [r for r in rows if "cadre_registered" in r["type"] and _cadre(r["aggregate"], registered)]
    assert len({_cadre(r["aggregate"], registered) for r in mine}) == len(registered) == len(mine), rows[-1]
    assert all(r["published_at"] is not None for r in rows), "an outbox row was never published"
    try:
        nc = await js_connect(cluster)
        try:
            info = await nc.jetstream().stream_info("CADRE_RANK")
        finally:
            await nc.close()
    except (nats.errors.Error, OSError) as exc:
        # A node just killed, or the stream's leader being elected again: ask again (eventually retries this).
        raise AssertionError(f"stream info unavailable: {exc!r}") from exc
    # Each row was published once: the stream holds exactly as many messages as the outbox has rows.
    assert info.state.messages == len(rows)
    assert info.config.num_replicas == 3
    event_ids = {r["event_id"] for r in mine}
    for service in CONSUMERS:
        inbox = await fetch(
            cluster, service, "SELECT message_id FROM inbox_message WHERE consumer = $1", f"{service}__rank"
        )
        applied = [r["message_id"] for r in inbox if r["message_id"] in event_ids]
        assert len(applied) == len(event_ids), f"{service}: {len(applied)} of {len(event_ids)} applied"
        directory = await fetch(cluster, service, "SELECT cadre_id FROM dir_cadre")
        assert registered <= {r["cadre_id"] for r in directory}
        dead = await fetch(cluster, service, "SELECT consumer, error FROM dead_letter")
        assert not dead, dead


def _cadre(aggregate: str, registered: set[str]) -> str | None:
    """The registered cadre an outbox row's aggregate (its subject) names."""
    return next((cadre for cadre in registered if cadre in aggregate), None)


@pytest.fixture(scope="module")
def registered() -> set[str]:
    """The cadres registered so far by the module's tests."""
    return set()


async def test_the_cluster_runs_three_nats_nodes_and_two_replicas_of_everything(cluster):
    async with httpx.AsyncClient(timeout=10) as http:
        for name, url in cluster.urls.items():
            if url.startswith("http"):
                response = await http.get(f"{url}/health/ready")
                assert response.status_code == 200, (name, response.text)
        headers = cluster.headers()
        response = await http.post(
            f"{cluster.gateways[0]}/api/v1/org-units",
            headers={**headers, "Idempotency-Key": "org-unit-city"},
            json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
        )
        assert response.status_code == 201, response.text
    nc = await js_connect(cluster)
    try:
        js = nc.jetstream()
        for producer in ("RANK", "APPRAISAL", "PETITIONS", "TOLERANCE"):
            info = await eventually(lambda p=producer: js.stream_info(f"CADRE_{p}"), timeout=30)
            assert info.config.num_replicas == 3 and info.cluster is not None
        consumer = await js.consumer_info("CADRE_RANK", "appraisal__rank")
        assert consumer.cluster is not None and len(consumer.cluster.replicas or []) == 2  # 3 copies: leader + 2
    finally:
        await nc.close()


async def test_registrations_through_both_gateways_are_applied_once_by_every_consumer(cluster, registered):
    headers = cluster.headers()
    semaphore = asyncio.Semaphore(6)

    async def one(number: int) -> str:
        async with semaphore:
            return await register(http, cluster.gateways[number % 2], headers, f"Replica Test {number}")

    async with httpx.AsyncClient(timeout=15) as http:
        ids = await asyncio.gather(*(one(n) for n in range(30)))
    registered.update(ids)
    assert len(registered) == 30
    await eventually(lambda: assert_each_event_once(cluster, registered), timeout=60, interval=0.5)
    # Exactly one relay leased each row: one attempt each (no broker failure so far).
    rows = await fetch(cluster, "rank", "SELECT attempts FROM outbox_message")
    assert {r["attempts"] for r in rows} == {1}


async def test_one_idempotency_key_sent_to_both_gateways_has_one_effect(cluster, registered):
    headers = cluster.headers()
    key = uuid.uuid4().hex
    body = cadre_body("Twice Sent")
    async with httpx.AsyncClient(timeout=15) as http:
        answers = await asyncio.gather(
            *(
                http.post(f"{gateway}/api/v1/cadres", headers={**headers, "Idempotency-Key": key}, json=body)
                for gateway in cluster.gateways * 2
            )
        )
    ok = [a for a in answers if a.status_code == 201]
    # Racing twins: the loser of the key's row answers as the winner did, or 409 while the first is in flight.
    assert ok and all(a.status_code in (201, 409) for a in answers), [a.text for a in answers]
    assert len({a.json()["id"] for a in ok}) == 1
    rows = await fetch(cluster, "rank", "SELECT id FROM cadre WHERE name = $1", "Twice Sent")
    assert len(rows) == 1
    registered.add(ok[0].json()["id"])


async def read_feed(url: str, headers: dict, count: int, ready: asyncio.Event | None = None) -> list[dict]:
    """Reads `count` events of the feed (types: registrations) on one gateway."""
    events: list[dict] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        params = {"types": "rank.cadre_registered.v1"}
        async with client.stream("GET", "/api/v1/events/feed", headers=headers, params=params) as response:
            assert response.status_code == 200, await response.aread()
            event: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line == ": connected" and ready is not None:
                    ready.set()
                if line.startswith(":"):
                    continue
                if line == "":
                    if "data" in event:
                        events.append(event)
                        if len(events) == count:
                            return events
                    event = {}
                    continue
                name, _, value = line.partition(": ")
                event[name] = value
    raise AssertionError("the feed ended")


async def test_the_feed_resumes_on_the_other_gateway_with_last_event_id(cluster, registered):
    admin, subscriber = cluster.headers(), cluster.headers("subscriber", unit=None, subject="dept-hr")
    async with httpx.AsyncClient(timeout=15) as http:
        ready = asyncio.Event()
        reader = asyncio.create_task(read_feed(cluster.gateways[0], subscriber, 1, ready))
        await asyncio.wait_for(ready.wait(), 15)
        first = await register(http, cluster.gateways[0], admin, "Feed One")
        (seen,) = await asyncio.wait_for(reader, 20)
        later = [await register(http, cluster.gateways[n % 2], admin, f"Feed {n}") for n in range(2, 4)]
        resumed = await asyncio.wait_for(
            read_feed(cluster.gateways[1], {**subscriber, "Last-Event-ID": seen["id"]}, 2), 20
        )
    registered.update([first, *later])
    assert orjson.loads(seen["data"])["data"]["cadreId"] == first
    assert [orjson.loads(e["data"])["data"]["cadreId"] for e in resumed] == later


async def test_a_replica_and_a_nats_node_killed_under_load_lose_and_double_nothing(cluster, registered):
    headers = cluster.headers()
    semaphore = asyncio.Semaphore(4)
    total = 40

    async def one(number: int) -> str:
        async with semaphore:
            return await register(http, cluster.gateways[number % 2], headers, f"Chaos {number}")

    async with httpx.AsyncClient(timeout=15) as http:
        load = asyncio.gather(*(one(n) for n in range(total)))
        await asyncio.sleep(1.0)
        cluster.kill("rank-2")
        await asyncio.sleep(0.5)
        cluster.kill("nats-2")
        ids = await asyncio.wait_for(load, 120)
    assert len(set(ids)) == total
    registered.update(ids)
    await eventually(lambda: assert_each_event_once(cluster, registered), timeout=90, interval=1.0)
    await eventually(lambda: _restarted(cluster, "rank-2", "nats-2"), timeout=60, interval=0.5)


def _restarted(cluster, *names: str) -> None:
    output = cluster.output()
    for name in names:
        assert f"youwei: {name} is ready again" in output or f"youwei: {name} restarted" in output, name


def sanction_body(cadre_id: str, number: int, decided_on: dt.date) -> dict[str, Any]:
    """A past government demerit (记过): a sanction in force for 12 months and its restrictions."""
    return {
        "cadre_id": cadre_id,
        "system": "GOV",
        "type": "DEMERIT",
        "decided_on": decided_on.isoformat(),
        "effective_from": decided_on.isoformat(),
        "document_number": f"纪发〔2024〕{number}号",
        "source": "PAPER_RECORD",
    }


async def test_a_periodic_job_on_both_replicas_handles_each_item_once(cluster, registered):
    """The expiry sweep runs every 0.3 s on both tolerance replicas (conftest.JOB_ENV); a batch of sanctions and
    restrictions made due at once in the database is expired by exactly one of them: one expiry event each."""
    admin = cluster.headers()
    both = {"Authorization": f"Bearer {cluster.token('org_admin', 'discipline_officer', subject='sweep-test')}"}
    decided = dt.date.today() - dt.timedelta(days=30)
    async with httpx.AsyncClient(timeout=15) as http:
        cadres = [await register(http, cluster.gateways[n % 2], admin, f"Sweep {n}") for n in range(12)]
        registered.update(cadres)
        for number, cadre in enumerate(cadres, start=1):
            for _ in range(80):  # 503 while tolerance's directory does not have the cadre yet
                response = await http.post(
                    f"{cluster.gateways[number % 2]}/api/v1/sanctions/history",
                    headers={**both, "Idempotency-Key": f"sweep-{cadre}", **_token(cadre)},
                    json=sanction_body(cadre, number, decided),
                )
                if response.status_code != 503:
                    break
                await asyncio.sleep(0.25)
            assert response.status_code == 201, response.text
    restrictions = await fetch(
        cluster, "tolerance", "SELECT id FROM restriction WHERE cadre_id = ANY($1) AND status = 'ACTIVE'", cadres
    )
    sanctions = await fetch(cluster, "tolerance", "SELECT id FROM sanction WHERE cadre_id = ANY($1)", cadres)
    assert restrictions and len(sanctions) == len(cadres)
    # Due now, all at once: both replicas' next sweeps race for the same rows.
    conn = await asyncpg.connect(_dsn(cluster.database_urls["tolerance"]), timeout=10)
    try:
        async with conn.transaction():
            yesterday = dt.date.today() - dt.timedelta(days=1)
            await conn.execute("UPDATE restriction SET ends_on = $2 WHERE cadre_id = ANY($1)", cadres, yesterday)
            await conn.execute("UPDATE sanction SET ends_on = $2 WHERE cadre_id = ANY($1)", cadres, yesterday)
    finally:
        await conn.close()

    async def expired_once() -> None:
        rows = await fetch(cluster, "tolerance", "SELECT status FROM restriction WHERE cadre_id = ANY($1)", cadres)
        assert {r["status"] for r in rows} == {"EXPIRED"}, rows
        events = await fetch(
            cluster,
            "tolerance",
            "SELECT type, aggregate, count(*) AS n FROM outbox_message WHERE type LIKE '%_expired%' GROUP BY 1, 2",
        )
        for kind, items in (("restriction_expired", restrictions), ("sanction_expired", sanctions)):
            counts = {r["aggregate"]: r["n"] for r in events if kind in r["type"]}
            for item in items:
                found = [n for aggregate, n in counts.items() if item["id"] in aggregate]
                assert found == [1], (kind, item["id"], found)

    await eventually(expired_once, timeout=30, interval=0.5)
    # Each expiry event published and applied once by rank (its inbox): nothing doubled by the race.
    await eventually(lambda: assert_each_event_once(cluster, registered), timeout=60, interval=1.0)
    await eventually(lambda: _applied_by_rank(cluster), timeout=60, interval=1.0)


async def _applied_by_rank(cluster) -> None:
    expired = await fetch(
        cluster, "tolerance", "SELECT event_id FROM outbox_message WHERE type LIKE '%restriction_expired%'"
    )
    inbox = await fetch(cluster, "rank", "SELECT message_id FROM inbox_message WHERE consumer = 'rank__tolerance'")
    assert expired and {r["event_id"] for r in expired} <= {r["message_id"] for r in inbox}


# -- the other periodic jobs, each on both replicas at once (conftest.JOB_ENV runs them every 0.3 s) ----------------
async def _posted(
    http: httpx.AsyncClient, url: str, headers: dict, body: dict, *, cadre: str, status: int = 201
) -> dict:
    """POSTs about a registered cadre (presenting its registration's consistency token) with one Idempotency-Key,
    retried while the service's directory does not have the cadre yet (503)."""
    headers = {**headers, "Idempotency-Key": uuid.uuid4().hex, **_token(cadre)}
    for _ in range(80):
        response = await http.post(url, headers=headers, json=body)
        if response.status_code not in (502, 503, 504):
            break
        await asyncio.sleep(0.25)
    assert response.status_code == status, response.text
    return response.json()


def _once_each(rows: list[asyncpg.Record], key: str, expected: set[str]) -> None:
    """Each expected id named by exactly one of the outbox rows' events (under `key` of the envelope's data)."""
    named = Counter(orjson.loads(r["payload"])["data"].get(key) for r in rows)
    assert {i: named[i] for i in expected} == dict.fromkeys(expected, 1), named


async def _job_items(cluster, service: str, job: str) -> float:
    """youwei_job_items_total of one job summed over the service's replicas (each process counts its own runs)."""
    pattern = re.compile(r'^youwei_job_items_total\{[^}]*job="' + re.escape(job) + r'"[^}]*\} (\S+)$', re.M)
    total = 0.0
    async with httpx.AsyncClient(timeout=10) as http:
        for name, url in sorted(cluster.urls.items()):
            if name.split("-")[0] == service and url.startswith("http"):
                total += sum(float(v) for v in pattern.findall((await http.get(f"{url}/metrics")).text))
    return total


async def test_the_deadline_sweep_on_both_replicas_breaches_each_deadline_once(cluster, registered):
    """Reports' deadlines made overdue at once in the database: both petitions replicas sweep every 0.3 s, and each
    deadline is breached once, with one deadline_breached event."""
    headers = {"Authorization": f"Bearer {cluster.token('org_admin', 'discipline_officer', subject='deadlines')}"}
    async with httpx.AsyncClient(timeout=15) as http:
        accused = await register(http, cluster.gateways[0], cluster.headers(), "Accused of deadlines")
        registered.add(accused)
        reports = [
            (
                await _posted(
                    http,
                    f"{cluster.gateways[n % 2]}/api/v1/reports",
                    headers,
                    {
                        "petition_type": "ACCUSATION",
                        "channel": "LETTER",
                        "received_on": dt.date.today().isoformat(),
                        "content": f"Deadline test report {n}: gifts taken at the spring festival.",
                        "accused_cadre_ids": [accused],
                        # A real-name accusation opens a deadline: the notice of acceptance (受理告知).
                        "reporter": {"name": f"Reporter {n}", "phone": f"1380000{n:04d}"},
                    },
                    cadre=accused,
                )
            )["id"]
            for n in range(10)
        ]
    due = await fetch(
        cluster,
        "petitions",
        "UPDATE deadline SET due_on = $2 WHERE report_id = ANY($1) AND status = 'OPEN' RETURNING id",
        reports,
        dt.date.today() - dt.timedelta(days=1),
    )
    deadlines = {r["id"] for r in due}
    assert len(deadlines) >= len(reports)

    async def breached_once() -> None:
        rows = await fetch(cluster, "petitions", "SELECT breached_on FROM deadline WHERE id = ANY($1)", list(deadlines))
        assert all(r["breached_on"] is not None for r in rows), rows
        events = await fetch(
            cluster, "petitions", "SELECT payload FROM outbox_message WHERE type LIKE '%deadline_breached%'"
        )
        _once_each(events, "deadlineId", deadlines)

    await eventually(breached_once, timeout=30, interval=0.5)


async def test_the_contract_sweep_on_both_replicas_opens_each_renewal_review_once(cluster, registered):
    """Role terms made due for their renewal review at once: both rank replicas sweep every 0.3 s; each review opens
    once, with one contract_term_ending event."""
    admin = cluster.headers()
    today = dt.date.today()
    async with httpx.AsyncClient(timeout=15) as http:
        contracts = []
        for n in range(8):
            cadre = await register(http, cluster.gateways[n % 2], admin, f"Term {n}")
            registered.add(cadre)
            body = {"cadre_id": cadre, "kind": "ROLE_TERM", "starts_on": (today - dt.timedelta(days=400)).isoformat()}
            url = f"{cluster.gateways[n % 2]}/api/v1/contracts"
            contract = (await _posted(http, url, admin, body, cadre=cadre))["id"]
            await _posted(
                http,
                f"{cluster.gateways[n % 2]}/api/v1/contracts/{contract}/file",
                admin,
                {"filed_on": today.isoformat()},
                cadre=cadre,
                status=200,
            )
            contracts.append(contract)
    await fetch(
        cluster, "rank", "UPDATE contract SET ends_on = $2 WHERE id = ANY($1)", contracts, today + dt.timedelta(30)
    )

    async def reviewed_once() -> None:
        rows = await fetch(cluster, "rank", "SELECT status FROM contract WHERE id = ANY($1)", contracts)
        assert {r["status"] for r in rows} == {"RENEWAL_REVIEW"}, rows
        events = await fetch(
            cluster, "rank", "SELECT payload FROM outbox_message WHERE type LIKE '%contract_term_ending%'"
        )
        _once_each(events, "contractId", set(contracts))

    await eventually(reviewed_once, timeout=30, interval=0.5)


async def test_the_standings_job_on_both_replicas_computes_each_dirty_standing_once(cluster, registered):
    """Every registered cadre's standing made dirty at once: both rank replicas run the job every 0.3 s (leases on
    cadre_standing); summed over them, the job computed exactly as many standings as were marked."""

    async def quiet() -> None:
        rows = await fetch(
            cluster,
            "rank",
            "SELECT c.name, s.dirty_gen, s.lease_until, s.valid_until, s.computed_at, s.as_of FROM cadre_standing s "
            "JOIN cadre c ON c.id = s.cadre_id WHERE s.dirty",
        )
        failures = [line for line in cluster.output().splitlines() if "periodic job failed" in line]
        assert not rows, (rows, failures[-3:])

    # A chunk claimed by a replica SIGKILLed earlier in the module stays leased until its lease runs out.
    await eventually(quiet, timeout=LEASE.total_seconds() + 60, interval=0.5)
    before = await _job_items(cluster, "rank", "rank-standings")
    marked = await fetch(
        cluster, "rank", "UPDATE cadre_standing SET dirty = true, dirty_gen = dirty_gen + 1 RETURNING cadre_id"
    )
    assert len(marked) >= len(registered) > 0
    await eventually(quiet, timeout=60, interval=0.5)

    async def counted() -> None:
        assert await _job_items(cluster, "rank", "rank-standings") - before == len(marked)

    await eventually(counted, timeout=10, interval=0.5)
    computed = await fetch(cluster, "rank", "SELECT count(*) AS n FROM cadre_standing WHERE computed_at IS NULL")
    assert computed[0]["n"] == 0


async def _local_fallbacks(cluster) -> float:
    """How often the gateways counted a hit on their own because NATS did not answer in time."""
    total = 0.0
    async with httpx.AsyncClient(timeout=10) as http:
        for url in cluster.gateways:
            text = (await http.get(f"{url}/metrics")).text
            total += sum(
                float(v) for v in re.findall(r"^youwei_gateway_rate_limit_local_total\{[^}]*\} (\S+)$", text, re.M)
            )
    return total


async def test_the_rate_limit_is_counted_for_both_gateways_together(cluster):
    """Anonymous public calls from one address, alternating between the gateways: the 30 a minute allowed are 30
    for both together (a NATS key-value bucket), not 30 each. The windows are the clock's minutes, so the calls are
    sent well before a minute ends; a window in which a gateway had to count on its own (NATS too slow) is tried again."""
    limit = 30  # GATEWAY_RATE_LIMIT_PUBLIC_PER_MINUTE's default
    async with httpx.AsyncClient(timeout=10) as http:
        for attempt in range(3):
            if attempt or time.time() % 60 > 50:  # too late in this window, or its count is spent: the next one
                await asyncio.sleep(60.5 - time.time() % 60)
            fallbacks = await _local_fallbacks(cluster)
            statuses = [
                (await http.get(f"{cluster.gateways[n % 2]}/api/v1/public/limits-probe")).status_code
                for n in range(limit + 2)
            ]
            if await _local_fallbacks(cluster) == fallbacks:
                break
        else:
            pytest.fail("the gateways counted on their own in every window: NATS was too slow for the limiter")
    assert 429 not in statuses[:limit], statuses
    assert statuses[limit:] == [429, 429], statuses
