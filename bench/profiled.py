"""Runs a command-line module under cProfile and writes the profile when it exits (a development tool).

    python -m bench.profiled OUT.prof [-m] uvicorn --factory ... services.rank.main:create_app

`BENCH_PROFILE=DIR python -m bench cpu --quick` starts every process of the suite this way and leaves one
`DIR/<process>.prof` each, to read with `python -m pstats` (sort by tottime or cumulative).
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time


def main() -> None:
    out, *command = sys.argv[1:]
    module, *argv = command[1:] if command[0] == "-m" else command
    sys.argv = [module, *argv]
    # uvicorn raises the signal it stopped on again once it has shut down: exit then, so the profile is written.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    profile = cProfile.Profile(time.thread_time)  # CPU of the event loop thread, not wall time
    profile.enable()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
    finally:
        profile.disable()
        profile.dump_stats(out)


if __name__ == "__main__":
    main()
