"""Accountability-index recomputation after a burst of events: 50,000 cadres × 4 quarters, 10,000 events.

The burst is applied through the real event handlers (one transaction per event, as the consumer runner does,
without the broker); then the index job drains the dirty queue. Incremental means: only the (cadre, quarter)
pairs the events touched are recomputed, not the 200,000 of the whole population (the full run is the baseline).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from sqlalchemy import func, select

from bench.common import Databases, backends, directory_cadre, directory_units, insert_chunks, peak_rss_mib
from kernel.contracts import petitions_v1 as pet
from kernel.contracts import tolerance_v1 as tol
from kernel.contracts.vocabulary import ReportOutcome, SanctionSystem, SanctionType, ToleranceDecision
from kernel.db import make_database, utcnow
from kernel.outbox import OutboxWriter
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


async def run_backend(backend: str, url: str, cadres: int, events: int, batch: int) -> dict[str, Any]:
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
            await u.commit()
        t0 = time.perf_counter()
        full = await recompute_dirty(uow, limit=batch)
        full_s = time.perf_counter() - t0
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
            "full_recompute": {"pairs": full, "wall_s": round(full_s, 2), "pairs_per_s": round(full / full_s)},
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
    """Runs the benchmark on each backend (bounded: 50,000 cadres, 10,000 events; --quick: 5,000 and 1,000)."""
    cadres, events = (5_000, 1_000) if args.quick else (50_000, 10_000)
    databases = Databases(args.postgres_url)
    results = {}
    try:
        for backend in await backends(args):
            url = await databases.fresh("appraisal", backend)
            results[backend] = await run_backend(backend, url, cadres, events, batch=2000)
    finally:
        await databases.close()
    return {"cadres": cadres, "quarters": len(QUARTERS), "events": events, "results": results}


def format(result: dict[str, Any]) -> str:
    """Formats the result as a short table."""
    lines = [
        f"index recomputation: {result['cadres']} cadres × {result['quarters']} quarters, burst of "
        f"{result['events']} events"
    ]
    for backend, r in result["results"].items():
        inc, full, b = r["incremental_recompute"], r["full_recompute"], r["burst"]
        lines.append(
            f"{backend:9} full {full['pairs']} pairs in {full['wall_s']} s | burst {b['events']} events in "
            f"{b['wall_s']} s ({b['events_per_s']}/s) → {b['dirty_pairs']} dirty | incremental "
            f"{inc['pairs']} pairs in {inc['wall_s']} s, peak rss {inc['peak_rss_mib']} MiB "
            f"(from {inc['rss_before_mib']}; process peak {r['process_peak_rss_mib']} MiB)"
        )
    return "\n".join(lines)
