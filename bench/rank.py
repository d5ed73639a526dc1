"""Rank: eligibility and points for 50,000 cadres with 10 years of history, then a burst of 10,000 grade events.

Phases per backend (SQLite, PostgreSQL):
  seed        50,000 cadres, each with 10 annual grades, 1–3 rank holdings, levels, assignments, some posts,
              awards, restrictions and index rows (bulk inserts, outside the measurement);
  full        the standing (eligibility with reasons, points, development step) of every cadre, in chunks of 500:
              the baseline, and proof that the whole register is never held in memory at once;
  burst       10,000 appraisal.grade_finalized events published to a real nats-server and applied by rank's own
              consumer runner (one transaction per event: inbox, projection, dirty mark);
  incremental the dirty standings only (the 10,000 touched cadres), then a 1,000-event burst for the slope.
Wall time and the phase's peak RSS are reported; `--quick` runs 5,000 cadres and 1,000 events.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from typing import Any

import nats
from sqlalchemy import func, select

from bench.common import Databases, backends, insert_chunks, nats_server, peak_rss_mib
from kernel.contracts import appraisal_v1
from kernel.contracts.vocabulary import Grade
from kernel.envelope import encode
from kernel.outbox import OutboxWriter, with_sequence
from kernel.runtime import ServiceRuntime
from services.rank.adapters import orm
from services.rank.adapters.sql import path_str
from services.rank.messaging.subscriptions import SUBSCRIPTIONS
from services.rank.service_layer.publishing import to_contracts
from services.rank.service_layer.standing import recompute_dirty
from services.rank.service_layer.unit_of_work import RankUnitOfWork
from services.rank.settings import RankSettings

AS_OF = dt.date(2026, 11, 30)
YEARS = list(range(2016, 2026))
GRADES = ["EXCELLENT"] * 15 + ["COMPETENT"] * 78 + ["BASIC"] * 5 + ["UNDETERMINED"] * 2
LEVELS = {"C12": 26, "C11": 24, "C10": 22, "C09": 21, "C08": 20, "C07": 19, "C06": 18, "C05": 17, "C04": 16}
LADDER = ["C12", "C11", "C10", "C09", "C08", "C07", "C06", "C05", "C04", "C03"]
TIME_LIMIT_S = 3600


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def reset_peak_rss() -> float | None:
    """Resets this process's peak-RSS mark (Linux clear_refs 5); returns the current RSS in MiB."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
    return _status_mib("VmRSS")


def phase_peak_rss() -> float | None:
    """Returns the peak RSS (MiB) since the last reset."""
    return _status_mib("VmHWM") or round(peak_rss_mib(), 1)


def _cadre_rows(index: int, rng: random.Random, unit: str, now: dt.datetime) -> dict[str, list[dict]]:
    cadre_id = f"c{index:06d}"
    born = dt.date(1966 + rng.randrange(27), 1 + rng.randrange(12), 1 + rng.randrange(28))
    entry = dt.date(min(2015, born.year + 22 + rng.randrange(5)), 7, 1)
    category = "GOV_EMPLOYEE" if rng.random() < 0.05 else "COMPREHENSIVE"
    out: dict[str, list[dict]] = {
        k: [] for k in ("rank", "level", "post", "assign", "grade", "award", "restr", "index")
    }
    start = rng.randrange(0, 7)
    ranks = [LADDER[start]]
    for _ in range(rng.randrange(3)):
        ranks.append(LADDER[min(len(LADDER) - 1, LADDER.index(ranks[-1]) + 1)])
    ranks = list(dict.fromkeys(ranks))
    dates = [dt.date(2016, 1, 1)] + sorted(
        dt.date(2018 + rng.randrange(8), 1 + rng.randrange(12), 1) for _ in ranks[1:]
    )
    dates = sorted(set(dates))[: len(ranks)]
    ranks = ranks[: len(dates)]
    current = ranks[-1] if category == "COMPREHENSIVE" else None
    level = LEVELS.get(ranks[-1], 16) if current else None
    if current:
        for i, (code, since) in enumerate(zip(ranks, dates, strict=True)):
            until = dates[i + 1] if i + 1 < len(dates) else None
            out["rank"].append(
                dict(
                    id=str(uuid.uuid4()),
                    cadre_id=cadre_id,
                    rank_code=code,
                    series="COMPREHENSIVE",
                    basis="INITIAL" if i == 0 else "PROMOTION",
                    source_ref=None,
                    since=since,
                    until=until,
                    created_at=now,
                )
            )
            out["level"].append(
                dict(
                    id=str(uuid.uuid4()),
                    cadre_id=cadre_id,
                    level=LEVELS.get(code, 16),
                    step=None,
                    basis="INITIAL" if i == 0 else "PROMOTION",
                    source_ref=None,
                    since=since,
                    until=until,
                    created_at=now,
                )
            )
        if rng.random() < 0.1:
            out["post"].append(
                dict(
                    id=str(uuid.uuid4()),
                    cadre_id=cadre_id,
                    post_code="TOWNSHIP_DEPUTY",
                    hardship=rng.random() < 0.5,
                    basis="INITIAL",
                    source_ref=None,
                    since=dt.date(2019, 3, 1),
                    until=None,
                    created_at=now,
                )
            )
    out["assign"].append(
        dict(id=str(uuid.uuid4()), cadre_id=cadre_id, org_unit_id=unit, since=entry, until=None, created_at=now)
    )
    for year in YEARS:
        out["grade"].append(
            dict(
                assessment_id=f"aa-{year}-{cadre_id}",
                cadre_id=cadre_id,
                year=year,
                grade=rng.choice(GRADES),
                finalized_on=dt.date(year + 1, 1, 20),
                supplemented=False,
                amended=False,
                updated_at=now,
            )
        )
    if rng.random() < 0.1:
        out["award"].append(
            dict(
                award_id=f"aw-{cadre_id}",
                cadre_id=cadre_id,
                type="COMMENDATION",
                basis="DEED",
                year=2024,
                granted_on=dt.date(2024, 5, 1),
                revoked_on=None,
                updated_at=now,
            )
        )
    if rng.random() < 0.02:
        starts = dt.date(2026, 1 + rng.randrange(10), 1)
        out["restr"].append(
            dict(
                restriction_id=f"rs-{cadre_id}",
                cadre_id=cadre_id,
                effect="NO_RANK_PROMOTION",
                source_type="SANCTION",
                source_id=f"s-{cadre_id}",
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=182),
                status="ACTIVE",
                discretionary_extension=False,
                reason=None,
                updated_at=now,
            )
        )
    if rng.random() < 0.5:
        out["index"].append(
            dict(
                cadre_id=cadre_id,
                period_key="2025",
                total=60 + rng.random() * 40,
                percentile=rng.random() * 100,
                formula_version="2026.1",
                computed_at=now,
            )
        )
    out["cadre"] = [
        dict(
            id=cadre_id,
            name=f"Cadre {index}",
            gender="MALE" if index % 2 else "FEMALE",
            birth_date=born,
            entry_date=entry,
            org_unit_id=unit,
            category=category,
            party_member=True,
            education="BACHELOR",
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
            rank_code=current,
            level=level,
            post_code=out["post"][0]["post_code"] if out["post"] else None,
            reserve_cadre=rng.random() < 0.02,
            grassroots_experience=rng.random() < 0.3,
        )
    ]
    out["standing"] = [dict(cadre_id=cadre_id, dirty=True, dirty_gen=1, blocked=False)]
    return out


TABLES = {
    "cadre": orm.cadre,
    "standing": orm.cadre_standing,
    "rank": orm.rank_holding,
    "level": orm.level_holding,
    "post": orm.post_holding,
    "assign": orm.org_assignment,
    "grade": orm.appraisal_grade,
    "award": orm.appraisal_award,
    "restr": orm.tolerance_restriction,
    "index": orm.appraisal_index,
}


async def seed(runtime: ServiceRuntime, cadres: int) -> dict[str, int]:
    """Bulk-inserts the org tree and the register with ten years of history per cadre, in chunks."""
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    bureaus = max(1, cadres // 2500)
    units = [
        dict(
            id="city",
            parent_id=None,
            name="City",
            agency_level="CITY_LEADERSHIP",
            path="/city/",
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
    ]
    leaves = []
    for b in range(bureaus):
        bureau = f"b{b:02d}"
        units.append(
            dict(
                id=bureau,
                parent_id="city",
                name=bureau,
                agency_level="MUNICIPAL_AGENCY",
                path=path_str(["city", bureau]),
                active=True,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        for d in range(5):
            division = f"{bureau}-d{d}"
            units.append(
                dict(
                    id=division,
                    parent_id=bureau,
                    name=division,
                    agency_level="DIVISION",
                    path=path_str(["city", bureau, division]),
                    active=True,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            leaves.append(division)
    counts = {k: 0 for k in TABLES}
    assert runtime.db is not None
    async with runtime.db.writer.begin() as conn:
        await insert_chunks(conn, orm.org_unit, units)
    for start in range(0, cadres, 5000):
        batch: dict[str, list[dict]] = {k: [] for k in TABLES}
        for index in range(start, min(cadres, start + 5000)):
            for kind, rows in _cadre_rows(index, rng, leaves[index % len(leaves)], now).items():
                batch[kind].extend(rows)
        async with runtime.db.writer.begin() as conn:
            for kind in ("cadre", "standing", "rank", "level", "post", "assign", "grade", "award", "restr", "index"):
                await insert_chunks(conn, TABLES[kind], batch[kind])
                counts[kind] += len(batch[kind])
    return counts


async def recompute(runtime: ServiceRuntime, settings: RankSettings) -> dict[str, Any]:
    """Runs the standing job until nothing is dirty; returns time, count and the phase's peak RSS."""
    assert runtime.db is not None
    before = reset_peak_rss()
    started = time.perf_counter()
    done = await recompute_dirty(
        runtime.uow, runtime.db.reader, today=AS_OF, policies=settings.policies(), chunk=settings.standing_batch_size
    )
    seconds = time.perf_counter() - started
    return {
        "cadres": done,
        "seconds": round(seconds, 2),
        "per_cadre_ms": round(1000 * seconds / max(done, 1), 3),
        "rss_before_mib": before,
        "peak_rss_mib": phase_peak_rss(),
    }


async def burst(runtime: ServiceRuntime, nats_url: str, namespace: str, cadre_ids: list[str], seq0: int) -> dict:
    """Publishes one amended 2025 grade per cadre through NATS and waits until rank's consumer applied them all."""
    runner = next(r for r in runtime.runners if r.subscription.producer == "appraisal")
    base = runner.stats.applied + runner.stats.stale + runner.stats.duplicates + runner.stats.dead_lettered
    writer = OutboxWriter(orm.kernel_tables.outbox, "appraisal", "cadre")
    nc = await nats.connect(nats_url)
    started = time.perf_counter()
    try:
        js = nc.jetstream()
        pending = []
        for i, cadre_id in enumerate(cadre_ids):
            payload = appraisal_v1.GradeFinalized(
                assessment_id=f"aa-2025-{cadre_id}",
                cadre_id=cadre_id,
                org_unit_id="b00",
                year=2025,
                grade=Grade.EXCELLENT if i % 2 else Grade.COMPETENT,
                amended=True,
                finalized_on=dt.date(2026, 11, 2),
            )
            env = writer.envelope(payload, now=dt.datetime.now(dt.UTC))
            pending.append(
                js.publish(
                    f"{namespace}.{payload.event_name.key}",
                    with_sequence(encode(env).decode(), seq0 + i),
                    headers={"Nats-Msg-Id": env.id},
                )
            )
            if len(pending) == 64:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
        published = time.perf_counter() - started
        while True:
            s = runner.stats
            handled = s.applied + s.stale + s.duplicates + s.dead_lettered - base
            if handled >= len(cadre_ids):
                break
            await asyncio.sleep(0.05)
    finally:
        await nc.close()
    seconds = time.perf_counter() - started
    return {
        "events": len(cadre_ids),
        "publish_seconds": round(published, 2),
        "applied_seconds": round(seconds, 2),
        "events_per_s": round(len(cadre_ids) / seconds, 1),
        "dead_lettered": runner.stats.dead_lettered,
    }


async def dirty_count(runtime: ServiceRuntime) -> int:
    assert runtime.db is not None
    async with runtime.db.reader.connect() as conn:
        return int((await conn.execute(select(func.count()).where(orm.cadre_standing.c.dirty.is_(True)))).scalar_one())


async def one_backend(backend: str, dbs: Databases, nats_url: str, cadres: int, events: int) -> dict[str, Any]:
    url = await dbs.fresh("rank", backend)
    namespace = "bench" + uuid.uuid4().hex[:6]
    settings = RankSettings(
        _env_file=None,
        environment="test",
        database_url=url,
        nats_url=nats_url,
        events_namespace=namespace,
        jobs_enabled=False,
        log_level="WARNING",
        consumer_fetch_batch=50,
        consumer_max_ack_pending=256,
    )
    runtime = ServiceRuntime(
        settings,
        tables=orm.kernel_tables,
        uow_class=RankUnitOfWork,
        to_contracts=to_contracts,
        subscriptions=SUBSCRIPTIONS,
    )
    await runtime.start()
    try:
        await runtime.wait_ready(timeout=30)
        started = time.perf_counter()
        rows = await seed(runtime, cadres)
        seeded = round(time.perf_counter() - started, 1)
        full = await recompute(runtime, settings)
        rng = random.Random(11)
        eligible = [f"c{i:06d}" for i in range(cadres)]
        touched = rng.sample(eligible, events)
        applied = await burst(runtime, nats_url, namespace, touched, seq0=1)
        dirty_after_burst = await dirty_count(runtime)
        incremental = await recompute(runtime, settings)
        small = rng.sample(eligible, max(1, events // 10))
        small_burst = await burst(runtime, nats_url, namespace, small, seq0=events + 1)
        small_incremental = await recompute(runtime, settings)
        assert runtime.db is not None
        async with runtime.db.reader.connect() as conn:
            eligible_now = int(
                (await conn.execute(select(func.count()).where(orm.cadre_standing.c.eligible_on <= AS_OF))).scalar_one()
            )
        return {
            "backend": backend,
            "cadres": cadres,
            "rows": rows,
            "seed_seconds": seeded,
            "full_recompute": full,
            "burst": applied,
            "dirty_after_burst": dirty_after_burst,
            "incremental_recompute": incremental,
            "small_burst": small_burst,
            "small_incremental_recompute": small_incremental,
            "eligible_now": eligible_now,
            "incremental_vs_full_time": round(incremental["seconds"] / max(full["seconds"], 1e-9), 3),
        }
    finally:
        await runtime.stop()


async def run(args: Any) -> dict[str, Any]:
    """Runs the benchmark on each backend (bounded: 50,000 cadres, 10,000 events, one hour at most)."""
    cadres, events = (5_000, 1_000) if args.quick else (50_000, 10_000)
    dbs = Databases(args.postgres_url)
    results: dict[str, Any] = {"cadres": cadres, "events": events, "as_of": AS_OF, "chunk": 500}
    try:
        with nats_server() as server:
            for backend in await backends(args):
                results[backend] = await asyncio.wait_for(
                    one_backend(backend, dbs, server.url, cadres, events), timeout=TIME_LIMIT_S
                )
    finally:
        await dbs.close()
    return results


def format(result: dict[str, Any]) -> str:  # noqa: A001 - the bench runner's hook name
    """Summarizes the result in a few lines."""
    lines = [f"rank: {result['cadres']:,} cadres × 10 years, burst of {result['events']:,} grade events"]
    for backend in ("sqlite", "postgres"):
        r = result.get(backend)
        if not r:
            continue
        f, b, i, s = r["full_recompute"], r["burst"], r["incremental_recompute"], r["small_incremental_recompute"]
        lines.append(
            f"  {backend:8} full {f['cadres']:,} in {f['seconds']}s ({f['per_cadre_ms']} ms/cadre, peak RSS "
            f"{f['peak_rss_mib']} MiB) | burst applied in {b['applied_seconds']}s ({b['events_per_s']}/s) | "
            f"incremental {i['cadres']:,} in {i['seconds']}s (peak RSS {i['peak_rss_mib']} MiB) | "
            f"{s['cadres']:,} in {s['seconds']}s"
        )
    return "\n".join(lines)
