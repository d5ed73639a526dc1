"""The process heap after start-up: frozen out of the garbage collector's way (issue 15).

A service process holds a few hundred thousand long-lived objects once it has started (SQLAlchemy's tables and
compiled statements, FastAPI's routes, pydantic's validators). Python's full collections walk all of them, and a
request that allocates many objects (a list of 30,000 rows) triggers several: measured on the tolerance as-of query,
0.11 s of CPU with collections against 0.03 s without. Freezing the start-up heap (`gc.freeze`) moves those objects
to a generation the collector never walks; what requests allocate is collected as before.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path


def serving_process() -> bool:
    """Whether this process is a server run by uvicorn's command line (`uvicorn …` in compose and the Helm chart,
    `python -m uvicorn …` from `youwei up` and the benchmarks): one app for the process's whole life."""
    if not sys.argv or not sys.argv[0]:
        return False
    program = Path(sys.argv[0])  # `uvicorn …` (compose, Helm) or `python -m uvicorn …` (…/uvicorn/__main__.py)
    return program.name == "uvicorn" or program.parent.name == "uvicorn"


def freeze_startup_heap(*, only_when_serving: bool = True) -> bool:
    """Collects once and freezes what survives; only the first time in a process, and only in a serving process.
    A test process starts and stops many apps in one interpreter: frozen there, an app's objects and tasks left
    behind by a test are never collected, and the event loop's teardown waited for them forever. Returns whether
    it froze."""
    if gc.get_freeze_count() or (only_when_serving and not serving_process()):
        return False
    gc.collect()
    gc.freeze()
    return True
