"""FastAPI's own OpenTelemetry instrumentation is off in every app of the suite, where FastAPI has it (kernel.web)."""

from __future__ import annotations

import inspect

from fastapi import FastAPI

from kernel.web import no_telemetry


def test_the_option_is_given_only_to_a_fastapi_that_takes_it_and_turns_every_signal_off():
    options = no_telemetry()
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        assert options == {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
        app = FastAPI(**options)
        assert not app._native_telemetry.enabled()
    else:
        assert options == {}
        FastAPI(**options)
