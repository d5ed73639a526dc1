"""The restriction-expiry sweep over 200,000 sanctions, and "restrictions active on date D for these 10,000 cadres".

Seeds decided sanctions with the restrictions the catalogue gives them (100,000 cadres, two sanctions each on
average, effective dates spread over 2025-01 .. 2026-06), then measures on SQLite and PostgreSQL:
- the catch-up sweep that expires the backlog due on 2026-06-15 (events written to the outbox, as in production);
- the next day's sweep (what a replica does every day) and an idle sweep (nothing due: the cost of looking);
- the as-of query for 10,000 random cadres, grouped per cadre and effect in SQL (eleven runs: the median), with the CPU
  seconds this process spent on it (time.process_time: the driver, SQLAlchemy and, on SQLite, the engine
  itself; not PostgreSQL's server). Before those runs the bench collects and freezes its heap (gc.collect,
  gc.freeze), as a service process has done once started (kernel.heap.freeze_startup_heap): the seeding's
  long-lived objects are then out of the collector's way, as a service's start-up heap is; unfrozen afterwards.
  It records `calibration_ms` (bench.cpu.calibrate, taken just before) beside them: this machine's speed drifts by
  a quarter over a day, so figures taken at different times compare through it.
Each phase reports its wall time and the peak RSS of this process during it, and its anonymous RSS at the end (the
heap). On SQLite the peak includes the database pages read through the memory map (kernel.db.SQLITE_MMAP_BYTES):
the OS page cache, shared with every process reading the file and reclaimable, not this process's own memory. No
broker is involved.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import statistics
import time
from typing import Any

from sqlalchemy import func, select

from bench.common import Databases, backends, insert_chunks, peak_rss_mib
from bench.cpu import calibrate
from kernel.calendar import WorkdayCalendar
from kernel.contracts.vocabulary import SanctionSystem
from kernel.contracts.vocabulary import SanctionType as T
from kernel.db import make_database, utcnow
from kernel.outbox import OutboxWriter
from services.tolerance.adapters import orm
from services.tolerance.domain.periods import plan_restrictions, resolve_period
from services.tolerance.domain.policy import Policy
from services.tolerance.domain.sanction import restriction_source
from services.tolerance.service_layer.context import ToleranceContext
from services.tolerance.service_layer.publishing import to_contracts
from services.tolerance.service_layer.restrictions import sweep
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork
from services.tolerance.settings import ToleranceSettings
from services.tolerance.views.reads import bars_on

SWEEP_DAY = dt.date(2026, 6, 15)
FIRST_EFFECTIVE = dt.date(2025, 1, 1)
MIX = [
    (T.WARNING, "GOV", 30),
    (T.DEMERIT, "GOV", 20),
    (T.MAJOR_DEMERIT, "GOV", 10),
    (T.PARTY_WARNING, "PARTY", 15),
    (T.PARTY_SERIOUS_WARNING, "PARTY", 5),
    (T.ADMONISHMENT, "ADMONISHMENT", 15),
    (T.REMOVAL_FROM_POST, "ORG_HANDLING", 5),
]


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def reset_peak() -> float | None:
    """Resets this process's peak-RSS mark (Linux clear_refs 5); returns the current RSS in MiB."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
    return _status_mib("VmRSS")


def anon_rss() -> float | None:
    """Returns this process's anonymous RSS in MiB (its heap, without mapped file pages)."""
    return _status_mib("RssAnon")


def phase_peak() -> float | None:
    """Returns the peak RSS (MiB) since the last reset."""
    return _status_mib("VmHWM") or round(peak_rss_mib(), 1)


async def seed(db: Any, policy: Policy, sanctions: int, cadres: int, rng: random.Random) -> dict[str, int]:
    """Inserts decided sanctions and their restrictions in bulk (rows as the use cases write them)."""
    catalogue = policy.catalogue
    now = utcnow()
    weights = [w for _, _, w in MIX]
    span = (dt.date(2026, 6, 30) - FIRST_EFFECTIVE).days
    s_rows: list[dict] = []
    r_rows: list[dict] = []
    restrictions = 0
    async with db.writer.begin() as conn:
        for n in range(sanctions):
            type_, system_name, _ = rng.choices(MIX, weights)[0]
            system = SanctionSystem(system_name)
            rule = catalogue.rule(type_)
            effective = FIRST_EFFECTIVE + dt.timedelta(days=rng.randrange(span))
            period = resolve_period(catalogue, rule, system=system, effective_on=effective)
            sid = f"san-{n:07d}"
            cadre = f"c{rng.randrange(cadres):06d}"
            s_rows.append(
                {
                    "id": sid,
                    "cadre_id": cadre,
                    "system": system.value,
                    "type": type_.value,
                    "proposed_type": type_.value,
                    "status": "EFFECTIVE",
                    "incident_id": None,
                    "origin": "API",
                    "external_ref": None,
                    "proposed_on": effective,
                    "proposed_months": None,
                    "combined_count": 1,
                    "facts_notified_on": effective,
                    "defence_due_on": effective,
                    "defence_on": None,
                    "defence_statement": None,
                    "decided_on": effective,
                    "decided_by": "bench",
                    "effective_on": effective,
                    "period_months": period.months,
                    "ends_on": period.ends_on,
                    "extension_reason": None,
                    "publication_scope": "UNIT",
                    "original_post_level": 3,
                    "original_rank_code": "C08",
                    "mitigated_by_case_id": None,
                    "previous_type": None,
                    "varied_on": None,
                    "revoked_on": None,
                    "withdrawn_on": None,
                    "withdrawal_reason": None,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for k, spec in enumerate(plan_restrictions(rule, effective_on=effective, period=period)):
                r_rows.append(
                    {
                        "id": f"rst-{n:07d}-{k}",
                        "cadre_id": cadre,
                        "effect": spec.effect.value,
                        "source_type": restriction_source(system).value,
                        "source_id": sid,
                        "starts_on": spec.starts_on,
                        "ends_on": spec.ends_on,
                        "until_on": spec.ends_on,
                        "status": "ACTIVE",
                        "discretionary_extension": False,
                        "reason": None,
                        "original_post_level": 3,
                        "original_rank_code": "C08",
                        "lifted_on": None,
                        "version": 1,
                        "updated_at": now,
                    }
                )
            if len(r_rows) >= 20_000:
                await insert_chunks(conn, orm.sanction, s_rows)
                await insert_chunks(conn, orm.restriction, r_rows)
                restrictions += len(r_rows)
                s_rows, r_rows = [], []
        if s_rows:
            await insert_chunks(conn, orm.sanction, s_rows)
            await insert_chunks(conn, orm.restriction, r_rows)
            restrictions += len(r_rows)
    if db.dialect == "postgresql":
        async with db.writer.connect() as conn:
            await conn.exec_driver_sql("ANALYZE")
    return {"sanctions": sanctions, "restrictions": restrictions, "cadres": cadres}


async def _timed_sweep(uow: Any, day: dt.date, batch: int) -> dict[str, Any]:
    before = reset_peak()
    t0 = time.perf_counter()
    result = await sweep(uow, today=day, batch=batch)
    wall = time.perf_counter() - t0
    return {
        "day": day,
        "restrictions_expired": result.restrictions_expired,
        "sanctions_expired": result.sanctions_expired,
        "reinstatements_opened": result.reinstatements_opened,
        "transactions": result.batches,
        "wall_s": round(wall, 3),
        "restrictions_per_s": round(result.restrictions_expired / wall) if result.restrictions_expired else None,
        "rss_before_mib": before,
        "peak_rss_mib": phase_peak(),
        "anon_rss_mib": anon_rss(),
    }


async def run_backend(backend: str, url: str, sanctions: int, cadres: int, queried: int, batch: int) -> dict[str, Any]:
    """Seeds one database, then measures the sweeps and the as-of query."""
    rng = random.Random(11)
    policy = Policy()
    db = make_database(url, pool_size=4)
    outbox = OutboxWriter(orm.kernel_tables.outbox, "tolerance", "cadre")

    context = ToleranceContext(
        settings=ToleranceSettings(_env_file=None, database_url=url), calendar=WorkdayCalendar(), policy=policy
    )

    def uow() -> ToleranceUnitOfWork:
        return ToleranceUnitOfWork(
            db=db, tables=orm.kernel_tables, outbox=outbox, to_contracts=to_contracts, context=context
        )

    try:
        t0 = time.perf_counter()
        seeded = await seed(db, policy, sanctions, cadres, rng)
        seed_s = time.perf_counter() - t0
        catch_up = await _timed_sweep(uow, SWEEP_DAY, batch)
        daily = await _timed_sweep(uow, SWEEP_DAY + dt.timedelta(days=1), batch)
        idle = await _timed_sweep(uow, SWEEP_DAY + dt.timedelta(days=1), batch)
        async with db.reader.connect() as conn:
            outbox_rows = (await conn.execute(select(func.count()).select_from(orm.kernel_tables.outbox))).scalar_one()
        ids = [f"c{i:06d}" for i in rng.sample(range(cadres), queried)]
        times, cpu, found, barred, peaks = [], [], 0, 0, []
        calibration = calibrate()  # this machine's speed just before (bench.cpu: it drifts over the day)
        # What a service process has done at start-up (kernel.heap.freeze_startup_heap, which freezes only once
        # per process: called here directly so that each backend's run is measured the same way).
        gc.collect()
        gc.freeze()
        for _ in range(11):
            reset_peak()
            t0, c0 = time.perf_counter(), time.process_time()
            async with db.reader.connect() as conn:
                active = await bars_on(conn, ids, SWEEP_DAY)
            cpu.append(time.process_time() - c0)
            times.append(time.perf_counter() - t0)
            peaks.append(phase_peak())
            found = sum(bar.restrictions for bars in active.values() for bar in bars.values())
            barred = sum(len(bars) for bars in active.values())
        gc.unfreeze()
        query = {
            "cadres": queried,
            "on": SWEEP_DAY,
            "runs": len(times),
            "p50_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
            "cpu_p50_s": round(statistics.median(cpu), 3),
            "cpu_max_s": round(max(cpu), 3),
            "calibration_ms": calibration,
            "restrictions_found": found,
            "bars_found": barred,
            "cadres_with_restrictions": len(active),
            "peak_rss_mib": max(p or 0 for p in peaks),
            "anon_rss_mib": anon_rss(),
        }
        return {
            "backend": backend,
            **seeded,
            "seed_s": round(seed_s, 1),
            "catch_up_sweep": catch_up,
            "daily_sweep": daily,
            "idle_sweep": idle,
            "outbox_rows_written": outbox_rows,
            "as_of_query": query,
            "process_peak_rss_mib": round(peak_rss_mib(), 1),
        }
    finally:
        await db.dispose()


async def run(args) -> dict[str, Any]:
    """Runs the benchmark on each backend (200,000 sanctions, 10,000 cadres queried; --quick: 20,000 and 1,000)."""
    sanctions, cadres, queried = (20_000, 10_000, 1_000) if args.quick else (200_000, 100_000, 10_000)
    databases = Databases(args.postgres_url)
    results = {}
    try:
        for backend in await backends(args):
            url = await databases.fresh("tolerance", backend)
            results[backend] = await run_backend(backend, url, sanctions, cadres, queried, batch=1000)
    finally:
        await databases.close()
    return {"sanctions": sanctions, "cadres": cadres, "queried": queried, "sweep_day": SWEEP_DAY, "results": results}


def format(result: dict[str, Any]) -> str:
    """Formats the result as a short table."""
    lines = [
        f"tolerance: {result['sanctions']} sanctions over {result['cadres']} cadres; sweep on "
        f"{result['sweep_day']}; as-of query for {result['queried']} cadres"
    ]
    for backend, r in result["results"].items():
        c, d, i, q = r["catch_up_sweep"], r["daily_sweep"], r["idle_sweep"], r["as_of_query"]
        lines.append(
            f"{backend:9} {r['restrictions']} restrictions seeded in {r['seed_s']} s | catch-up sweep "
            f"{c['restrictions_expired']} restrictions + {c['sanctions_expired']} sanctions in {c['wall_s']} s "
            f"({c['restrictions_per_s']}/s, peak {c['peak_rss_mib']} MiB, heap {c['anon_rss_mib']} MiB) | daily {d['restrictions_expired']} in "
            f"{d['wall_s']} s | idle {i['wall_s']} s | as-of query p50 {q['p50_s']} s (CPU {q['cpu_p50_s']} s), "
            f"max {q['max_s']} s (CPU {q['cpu_max_s']} s; calibration {q['calibration_ms']} ms), "
            f"{q['restrictions_found']} restrictions in {q['bars_found']} bars, peak {q['peak_rss_mib']} MiB, "
            f"heap {q['anon_rss_mib']} MiB"
        )
    return "\n".join(lines)
