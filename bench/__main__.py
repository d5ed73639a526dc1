"""Runs benchmarks and writes their results as JSON under bench/results/.

python -m bench                    the foundation write path and its raw baselines, then CPU per request (cpu)
python -m bench rank appraisal     other benchmarks, by module name (bench/<name>.py)
--backend sqlite|postgres|both     where the database-bound benchmarks run (default: both if PostgreSQL answers)
--quick                            smaller counts, for a smoke run
--cadres 10000,50000               the population(s) of the benchmarks that take one (appraisal)
--full-only                        appraisal: the full recompute only, without the burst and the incremental run
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT = ["skeleton", "cpu"]


def main() -> None:
    """Parses arguments, runs each benchmark module's `run(args)` and stores its result."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", default=DEFAULT)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default=None)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cadres", type=lambda v: [int(n) for n in v.split(",")], default=None)
    parser.add_argument("--full-only", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name in args.names:
        module = importlib.import_module(f"bench.{name}")
        started = time.time()
        result = asyncio.run(module.run(args))
        result["_meta"] = {
            "benchmark": name,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "seconds": round(time.time() - started, 1),
            "python": sys.version.split()[0],
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "quick": args.quick,
        }
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(module.format(result) if hasattr(module, "format") else json.dumps(result, indent=2, default=str))
        print(f"\n(written to bench/results/{name}.json)")


if __name__ == "__main__":
    main()
