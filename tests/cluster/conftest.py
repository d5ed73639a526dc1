"""The cluster harness (issue 16): `youwei up --replicas 2 --nats-cluster 3 --postgres` as a child process.

Three clustered nats-server nodes, two uvicorn processes of each service and of the gateway, one fresh PostgreSQL
database per service: every process from the real packages. The launcher supervises them as it does for users
(a child killed with SIGKILL comes back after its back-off). PostgreSQL only: without TEST_POSTGRES_URL the tests
skip, and with YOUWEI_REQUIRE_POSTGRES=1 (CI's PostgreSQL run) a missing server fails them.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from suite.composition import SERVICES

START_TIMEOUT_S = 150.0
PROCESS_RE = re.compile(r"^\s+([a-z]+(?:-\d)?)\s+(http|nats)://127\.0\.0\.1:(\d+).*\(pid (\d+)\)", re.MULTILINE)


def _free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Cluster:
    """A running `youwei up --replicas 2 --nats-cluster 3`: where each process listens and its pid."""

    var: Path
    log: Path
    proc: subprocess.Popen
    database_urls: dict[str, str]
    urls: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def gateways(self) -> list[str]:
        return [self.urls["gateway"], self.urls["gateway-2"]]

    @property
    def nats_urls(self) -> list[str]:
        return [self.urls[f"nats-{n}"] for n in (1, 2, 3)]

    def headers(self, role: str = "org_admin", unit: str | None = "city", subject: str = "cluster-test") -> dict:
        from kernel import keys
        from suite.launcher import AUDIENCE, ISSUER

        token = keys.load_or_generate(self.var / "keys").mint(
            subject=subject, roles=[role], unit=unit, issuer=ISSUER, audience=AUDIENCE
        )
        return {"Authorization": f"Bearer {token}"}

    def nats_password(self, user: str) -> str:
        return (self.var / "keys" / f"nats-{user}.password").read_text(encoding="utf-8").strip()

    def kill(self, name: str) -> int:
        """SIGKILLs one child (a replica or a nats node) by the pid the banner gave; returns that pid."""
        pid = self.pids[name]
        os.kill(pid, signal.SIGKILL)
        return pid


async def _drop(admin_url: str, names: list[str]) -> None:
    import asyncpg

    dsn = make_url(admin_url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def cluster(postgres_admin_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Starts the cluster once per module and stops it (SIGTERM, then SIGKILL) and drops its databases after."""
    if postgres_admin_url is None:
        pytest.skip("the cluster runs on PostgreSQL: set TEST_POSTGRES_URL")
    tmp = tmp_path_factory.mktemp("cluster")
    prefix = "ycl" + uuid.uuid4().hex[:8]
    server = make_url(postgres_admin_url).set(database=prefix).render_as_string(hide_password=False)
    names = ("rank", "appraisal", "petitions", "tolerance", "gateway")
    env = {k: v for k, v in os.environ.items() if k != "PETITIONS_VAULT_KEY" and not k.endswith("_DATABASE_URL")}
    env.update({f"{name.upper()}_PORT": str(port) for name, port in zip(names, _free_ports(len(names)), strict=True)})
    env.update(PYTHONUNBUFFERED="1", GATEWAY_UPSTREAM_PROBE_INTERVAL_S="0.5", LOG_LEVEL="WARNING")
    log = tmp / "up.log"
    command = [sys.executable, "-m", "suite", "--var", str(tmp / "var"), "up", "--replicas", "2"]
    command += ["--nats-cluster", "3", "--postgres", server]
    proc = subprocess.Popen(command, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    databases = {
        s: make_url(server).set(database=f"{prefix}_{s}").render_as_string(hide_password=False) for s in SERVICES
    }
    running = Cluster(var=tmp / "var", log=log, proc=proc, database_urls=databases)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Data " not in running.output():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("youwei up did not start:\n" + running.output()[-4000:])
            time.sleep(0.3)
        for name, scheme, port, pid in PROCESS_RE.findall(running.output().split("Youwei is running", 1)[1]):
            running.urls[name] = f"{scheme}://127.0.0.1:{port}"
            running.pids[name] = int(pid)
        assert len(running.urls) == 13, running.output()[-3000:]
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        asyncio.run(_drop(postgres_admin_url, [f"{prefix}_{s}" for s in SERVICES]))
