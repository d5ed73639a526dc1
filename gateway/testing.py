"""Test helpers for the gateway: serve an ASGI app on a free loopback port inside the running event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from kernel.serving import UVICORN_OPTIONS


@asynccontextmanager
async def serving(app: Any, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Runs `app` under uvicorn (with its lifespan) on a free port of `host`; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=2, **UVICORN_OPTIONS
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, timeout=10)
        except TimeoutError:
            task.cancel()
        sock.close()


def closed_port_url() -> str:
    """Returns the URL of a loopback port nobody listens on (a stopped service)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def gateway_test_settings(auth: Any, **overrides: Any) -> Any:
    """Builds gateway settings for a test: test keys, short timeouts, every upstream stopped unless given."""
    from gateway.settings import GatewaySettings

    values: dict[str, Any] = dict(
        environment="test",
        log_level="WARNING",
        auth_jwks_file=auth.jwks_file,
        auth_issuer=auth.issuer,
        auth_audience=auth.audience,
        upstream_timeout=3.0,
        part_timeout=1.0,
        feed_enabled=False,
        rate_limit_shared=False,  # no NATS unless a test gives one (and asks for sharing)
    )
    for name in ("rank", "appraisal", "petitions", "tolerance"):
        values[f"{name}_url"] = closed_port_url()
    values.update(overrides)
    return GatewaySettings(_env_file=None, **values)
