"""The start-up heap is frozen once per process (kernel.heap)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc
from kernel.heap import freeze_startup_heap
assert gc.get_freeze_count() == 0
assert freeze_startup_heap() is False  # not a server started by uvicorn's command line (a test process)
assert gc.get_freeze_count() == 0
assert freeze_startup_heap(only_when_serving=False) is True
frozen = gc.get_freeze_count()
assert frozen > 1000, frozen
assert freeze_startup_heap(only_when_serving=False) is False  # a second app in the same process freezes nothing
assert gc.get_freeze_count() == frozen
"""


def test_the_first_app_freezes_the_heap_and_later_ones_do_not():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_server_is_recognised_by_uvicorns_command_line():
    from kernel import heap  # noqa: PLC0415

    for argv0, serving in (
        ("/usr/local/bin/uvicorn", True),  # compose, Helm
        ("/app/.venv/lib/python3.11/site-packages/uvicorn/__main__.py", True),  # python -m uvicorn
        ("/app/.venv/bin/pytest", False),
        ("-c", False),  # a pytest-xdist worker
    ):
        saved = heap.sys.argv
        heap.sys.argv = [argv0]
        try:
            assert heap.serving_process() is serving, argv0
        finally:
            heap.sys.argv = saved
