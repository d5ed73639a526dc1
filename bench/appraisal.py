"""Accountability-index recomputation after a burst of events: 50,000 cadres × 4 quarters, 10,000 events.

The burst is applied through the real event handlers (one transaction per event, as the consumer runner does,
without the broker); then the index job drains the dirty queue. Incremental means: only the (cadre, quarter)
pairs the events touched are recomputed, not the 200,000 of the whole population (the full run is the baseline).

`--cadres 10000,50000` runs each population in turn (events: one per five cadres) and compares the full
recompute's time per (cadre, quarter) pair: wall, this process's CPU and, on a local PostgreSQL, the server
backends' CPU. A recompute linear in the population keeps them level (issue 15: within 20 %).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from typing import Any

from sqlalchemy import func, select, text

from bench.common import Databases, backends, directory_cadre, directory_units, insert_chunks, peak_rss_mib
from kernel.contracts import petitions_v1 as pet
from kernel.contracts import tolerance_v1 as tol
from kernel.contracts.vocabulary import ReportOutcome, SanctionSystem, SanctionType, ToleranceDecision
from kernel.db import make_database, utcnow
from kernel.outbox import OutboxWriter
from kernel.sql import analyze
from services.appraisal.adapters import orm
from services.appraisal.adapters.projections import mark_dirty
from services.appraisal.messaging import handlers
from services.appraisal.service_layer.context import AppraisalContext
from services.appraisal.service_layer.index import recompute_dirty
from services.appraisal.service_layer.publishing import to_contracts
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork
from services.appraisal.settings import AppraisalSettings

YEAR = 2026
QUARTERS = [f"{YEAR}-Q{q}" for q in range(1, 5)]
CATEGORIES = ["KEY_TASK", "URGENT_HARD", "REFORM_INNOVATION", "DAILY_DUTY", "PUBLIC_EVALUATION"]
RESULTS = ["GOOD", "FAIRLY_GOOD", "AVERAGE", "POOR"]


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
    """Resets the kernel's peak-RSS mark of this process (Linux clear_refs 5); returns the current RSS in MiB."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
    return _status_mib("VmRSS")


def phase_peak_rss() -> float | None:
    """Returns the peak RSS (MiB) since the last reset: the memory high-water mark of the measured phase."""
    return _status_mib("VmHWM") or round(peak_rss_mib(), 1)


def _day(rng: random.Random, quarter: int) -> dt.date:
    return dt.date(YEAR, 3 * quarter - 2 + rng.randrange(3), 1 + rng.randrange(28))


async def seed(db: Any, cadres: int, rng: random.Random) -> dict[str, int]:
    """Seeds the directory and one verified record and one regular assessment per cadre and quarter."""
    now = utcnow()
    units = [f"u{i:03d}" for i in range(max(1, cadres // 1000))]
    async with db.writer.begin() as conn:
        await insert_chunks(conn, orm.directory.org_unit, directory_units(units, now))
        dir_rows, records, regular = [], [], []
        for i in range(cadres):
            cid, unit = f"c{i:06d}", units[i % len(units)]
            dir_rows.append(
                directory_cadre(
                    cid,
                    unit,
                    now,
                    gender="MALE" if i % 2 else "FEMALE",
                    birth_date=dt.date(1965 + i % 35, 1 + i % 12, 1),
                    rank_code=f"C{8 + i % 4:02d}",
                    leadership=i % 17 == 0,
                )
            )
            for q in range(1, 5):
                category = CATEGORIES[rng.randrange(len(CATEGORIES))]
                records.append(
                    {
                        "id": f"r{i:06d}{q}",
                        "cadre_id": cid,
                        "org_unit_id": unit,
                        "org_path": f"/city/{unit}/",
                        "occurred_on": _day(rng, q),
                        "category": category,
                        "title": "work",
                        "description": None,
                        "quantity": float(
                            rng.randrange(60, 100) if category == "PUBLIC_EVALUATION" else rng.randrange(1, 4)
                        ),
                        "unit": None,
                        "evidence_refs": [],
                        "status": "VERIFIED",
                        "submitted_by": "bench",
                        "verified_by": "bench",
                        "verified_on": dt.date(YEAR, 12, 31),
                        "return_reason": None,
                        "supersedes": None,
                        "superseded_by": None,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                regular.append(
                    {
                        "id": f"g{i:06d}{q}",
                        "cadre_id": cid,
                        "org_unit_id": unit,
                        "org_path": f"/city/{unit}/",
                        "period_key": f"{YEAR}-Q{q}",
                        "period_end": dt.date(YEAR, 3 * q, 28),
                        "result": RESULTS[rng.randrange(4)],
                        "evaluator": "bench",
                        "evidence_refs": [],
                        "created_at": now,
                    }
                )
        await insert_chunks(conn, orm.directory.cadre, dir_rows)
        await insert_chunks(conn, orm.performance_record, records)
        await insert_chunks(conn, orm.regular_assessment, regular)
        # As after any bulk load: PostgreSQL would otherwise plan against empty tables (autovacuum may be off).
        await analyze(conn, [orm.directory.cadre, orm.performance_record, orm.regular_assessment])
    return {"cadres": cadres, "records": len(records), "regular_assessments": len(regular)}


def burst(events: int, cadres: int, rng: random.Random) -> list[tuple[Any, Any]]:
    """Builds the burst: substantiated reports, sanctions and organizational handling, EXEMPT tolerance decisions."""
    out = []
    incidents: list[tuple[str, str]] = []
    for n in range(events):
        cid = f"c{rng.randrange(cadres):06d}"
        kind = n % 10
        day = _day(rng, 1 + rng.randrange(4))
        if kind < 4:
            out.append(
                (
                    handlers.on_report_closed,
                    pet.ReportClosed(
                        report_id=f"rep-{n}",
                        outcome=ReportOutcome.SUBSTANTIATED,
                        closed_on=day,
                        cadre_outcomes=[pet.CadreOutcome(cadre_id=cid, outcome=ReportOutcome.SUBSTANTIATED)],
                    ),
                )
            )
        elif kind < 8:
            incident = f"inc-{n}"
            incidents.append((incident, cid))
            system, type_ = (
                (SanctionSystem.GOV, SanctionType.WARNING)
                if kind < 6
                else (SanctionSystem.ORG_HANDLING, SanctionType.POST_ADJUSTMENT)
            )
            out.append(
                (
                    handlers.on_sanction,
                    tol.SanctionEffective(
                        sanction_id=f"s-{n}",
                        cadre_id=cid,
                        system=system,
                        type=type_,
                        effective_on=day,
                        ends_on=None,
                        period_months=6,
                        incident_id=incident,
                    ),
                )
            )
        else:
            incident, who = incidents[rng.randrange(len(incidents))] if incidents else (f"inc-x{n}", cid)
            out.append(
                (
                    handlers.on_tolerance_granted,
                    tol.ToleranceGranted(
                        case_id=f"tc-{n}",
                        incident_id=incident,
                        cadre_id=who,
                        decision=ToleranceDecision.EXEMPT,
                        decided_on=day,
                    ),
                )
            )
    return out


async def server_cpu_s(db: Any) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends of this database (read from /proc: a local server
    only), None elsewhere. The recompute runs its statements one after the other, so this is its server work."""
    async with db.reader.connect() as conn:
        if conn.dialect.name != "postgresql":
            return None
        pids = (
            await conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        ).scalars()
        ticks, found = 0, False
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks, found = ticks + int(fields[11]) + int(fields[12]), True  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def per_pair_ms(seconds: float | None, pairs: int) -> float | None:
    return None if seconds is None or not pairs else round(seconds / pairs * 1000, 4)


async def run_backend(
    backend: str, url: str, cadres: int, events: int, batch: int, *, full_only: bool = False
) -> dict[str, Any]:
    """Seeds, computes the full baseline, applies the burst and measures the incremental recomputation."""
    rng = random.Random(7)
    settings = AppraisalSettings(_env_file=None, database_url=url, index_batch_size=batch)
    db = make_database(url, pool_size=4)
    context = AppraisalContext.build(settings)

    def uow() -> Any:
        return AppraisalUnitOfWork(
            db=db,
            tables=orm.kernel_tables,
            to_contracts=to_contracts,
            context=context,
            outbox=OutboxWriter(orm.kernel_tables.outbox, "appraisal", "cadre"),
        )

    try:
        t0 = time.perf_counter()
        seeded = await seed(db, cadres, rng)
        seed_s = time.perf_counter() - t0
        async with uow() as u:
            await mark_dirty(u.conn, {(f"c{i:06d}", q) for i in range(cadres) for q in QUARTERS})
            await analyze(u.conn, [orm.index_dirty])
            await u.commit()
        server0 = await server_cpu_s(db)
        cpu0, t0 = time.process_time(), time.perf_counter()
        full = await recompute_dirty(uow, limit=batch)
        full_s, full_cpu = time.perf_counter() - t0, time.process_time() - cpu0
        server1 = await server_cpu_s(db)
        full_server = None if server0 is None or server1 is None else server1 - server0
        full_result = {
            "pairs": full,
            "wall_s": round(full_s, 2),
            "pairs_per_s": round(full / full_s),
            "cpu_s": round(full_cpu, 2),
            "server_cpu_s": None if full_server is None else round(full_server, 2),
            "wall_ms_per_pair": per_pair_ms(full_s, full),
            "cpu_ms_per_pair": per_pair_ms(full_cpu, full),
            "server_cpu_ms_per_pair": per_pair_ms(full_server, full),
        }
        if full_only:
            return {
                "backend": backend,
                **seeded,
                "pairs_total": cadres * len(QUARTERS),
                "seed_s": round(seed_s, 1),
                "full_recompute": full_result,
            }
        outbox = orm.kernel_tables.outbox
        async with db.reader.connect() as conn:
            emitted_before = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()

        work = burst(events, cadres, rng)
        t0 = time.perf_counter()
        for fn, payload in work:
            async with uow() as u:
                await fn(payload, None, u)
                await u.commit()
        burst_s = time.perf_counter() - t0
        async with db.reader.connect() as conn:
            dirty = (await conn.execute(select(func.count()).select_from(orm.index_dirty))).scalar_one()

        baseline_rss = reset_peak_rss()
        t0 = time.perf_counter()
        recomputed = await recompute_dirty(uow, limit=batch)
        incremental_s = time.perf_counter() - t0
        peak = phase_peak_rss()
        async with db.reader.connect() as conn:
            emitted = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one() - emitted_before
            snapshots = (await conn.execute(select(func.count()).select_from(orm.index_snapshot))).scalar_one()
        return {
            "backend": backend,
            **seeded,
            "pairs_total": cadres * len(QUARTERS),
            "snapshots": snapshots,
            "seed_s": round(seed_s, 1),
            "full_recompute": full_result,
            "burst": {
                "events": events,
                "wall_s": round(burst_s, 2),
                "events_per_s": round(events / burst_s),
                "dirty_pairs": dirty,
            },
            "incremental_recompute": {
                "pairs": recomputed,
                "wall_s": round(incremental_s, 2),
                "pairs_per_s": round(recomputed / incremental_s) if incremental_s else None,
                "index_computed_emitted": emitted,
                "rss_before_mib": baseline_rss,
                "peak_rss_mib": peak,
                "share_of_population": round(recomputed / (cadres * len(QUARTERS)), 4),
            },
            "process_peak_rss_mib": round(peak_rss_mib(), 1),
        }
    finally:
        await db.dispose()


async def run(args) -> dict[str, Any]:
    """Runs the benchmark on each backend and population (default 50,000 cadres and 10,000 events; --quick:
    5,000 and 1,000; --cadres N,M: each population with one event per five cadres)."""
    sizes = args.cadres or ([5_000] if args.quick else [50_000])
    full_only = getattr(args, "full_only", False)
    databases = Databases(args.postgres_url)
    results: dict[str, dict[str, Any]] = {}
    try:
        for backend in await backends(args):
            for cadres in sizes:
                url = await databases.fresh("appraisal", backend)
                results.setdefault(backend, {})[str(cadres)] = await run_backend(
                    backend, url, cadres, cadres // 5, batch=2000, full_only=full_only
                )
    finally:
        await databases.close()
    return {
        "cadres": sizes,
        "quarters": len(QUARTERS),
        "events_per_cadre": 0.2,
        "full_only": full_only,
        "results": results,
        "growth": {backend: growth(runs) for backend, runs in results.items()},
    }


def growth(runs: dict[str, dict[str, Any]]) -> dict[str, float] | None:
    """The full recompute's time per pair at the largest population over the smallest (1.0: linear)."""
    if len(runs) < 2:
        return None
    sizes = sorted(runs, key=int)
    small, large = runs[sizes[0]]["full_recompute"], runs[sizes[-1]]["full_recompute"]
    out = {}
    for key in ("wall_ms_per_pair", "cpu_ms_per_pair", "server_cpu_ms_per_pair"):
        if small.get(key) and large.get(key):
            out[key] = round(large[key] / small[key], 3)
    return out


def format(result: dict[str, Any]) -> str:
    """Formats the result as a short table."""
    lines = [f"index recomputation: {result['quarters']} quarters, one event per five cadres"]
    for backend, runs in result["results"].items():
        for cadres, r in runs.items():
            full = r["full_recompute"]
            line = (
                f"{backend:9} {cadres:>6} cadres: full {full['pairs']} pairs in {full['wall_s']} s = "
                f"{full['wall_ms_per_pair']} ms/pair wall, {full['cpu_ms_per_pair']} ms CPU, "
                f"{full['server_cpu_ms_per_pair']} ms server CPU"
            )
            if "burst" in r:
                inc, b = r["incremental_recompute"], r["burst"]
                line += (
                    f" | burst {b['events']} events in {b['wall_s']} s ({b['events_per_s']}/s) → "
                    f"{b['dirty_pairs']} dirty | incremental {inc['pairs']} pairs in {inc['wall_s']} s, peak rss "
                    f"{inc['peak_rss_mib']} MiB (from {inc['rss_before_mib']}; process peak "
                    f"{r['process_peak_rss_mib']} MiB)"
                )
            lines.append(line)
        if result["growth"].get(backend):
            lines.append(f"{backend:9} per pair, largest over smallest population: {result['growth'][backend]}")
    return "\n".join(lines)
