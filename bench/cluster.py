"""The real `youwei up --replicas N --nats-cluster M --postgres URL` as a child process, for the cluster tests
(tests/cluster) and the chaos run (bench/chaos.py).

Every process comes from the real packages; the launcher supervises them as it does for users (a child killed
with SIGKILL comes back after its back-off, and the launcher's log names its new pid). Each start gets fresh
PostgreSQL databases (a random prefix), dropped by `stop()`.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from suite.composition import SERVICES

START_TIMEOUT_S = 150.0
PROCESS_RE = re.compile(r"^\s+([a-z]+(?:-\d)?)\s+(http|nats)://127\.0\.0\.1:(\d+).*\(pid (\d+)\)", re.MULTILINE)
# The launcher's lines about a child it restarted: "rank-2 restarted (restart 1, pid 123)" and
# "nats-2 is ready again (restart 1, pid 456, nats://…)".
RESTART_RE = re.compile(r"youwei: ([a-z]+(?:-\d)?) (?:restarted|is ready again) \(restart \d+, pid (\d+)")
READY_RE = re.compile(r"youwei: ([a-z]+(?:-\d)?) is ready again")
APPS = ("rank", "appraisal", "petitions", "tolerance", "gateway")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def dsn(url: str) -> str:
    """An SQLAlchemy URL as asyncpg's DSN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Cluster:
    """A running `youwei up`: where each process listens and its pid (kept current across restarts)."""

    var: Path
    log: Path
    proc: subprocess.Popen
    admin_url: str
    prefix: str
    database_urls: dict[str, str]
    urls: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def gateways(self) -> list[str]:
        return [url for name, url in sorted(self.urls.items()) if name.split("-")[0] == "gateway"]

    @property
    def nats_urls(self) -> list[str]:
        return [url for name, url in sorted(self.urls.items()) if url.startswith("nats://")]

    @property
    def nats_nodes(self) -> list[str]:
        return [name for name, url in sorted(self.urls.items()) if url.startswith("nats://")]

    def token(self, *roles: str, unit: str | None = "city", subject: str = "cluster-test") -> str:
        from kernel import keys
        from suite.launcher import AUDIENCE, ISSUER

        return keys.load_or_generate(self.var / "keys").mint(
            subject=subject, roles=list(roles or ("org_admin",)), unit=unit, issuer=ISSUER, audience=AUDIENCE
        )

    def headers(self, role: str = "org_admin", unit: str | None = "city", subject: str = "cluster-test") -> dict:
        return {"Authorization": f"Bearer {self.token(role, unit=unit, subject=subject)}"}

    def nats_password(self, user: str) -> str:
        return (self.var / "keys" / f"nats-{user}.password").read_text(encoding="utf-8").strip()

    def refresh_pids(self) -> None:
        """Takes the pids of restarted children from the launcher's log (the last line about each wins)."""
        for name, pid in RESTART_RE.findall(self.output()):
            self.pids[name] = int(pid)

    def ready_count(self, name: str) -> int:
        """How many times the launcher reported `name` ready again after a restart."""
        return sum(1 for found in READY_RE.findall(self.output()) if found == name)

    def kill(self, name: str) -> int:
        """SIGKILLs one child (a replica or a nats node) by its current pid; returns that pid."""
        self.refresh_pids()
        pid = self.pids[name]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        """Stops the suite (SIGTERM, then SIGKILL to its process group) and drops its databases."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        asyncio.run(drop_databases(self.admin_url, [f"{self.prefix}_{s}" for s in SERVICES]))


async def drop_databases(admin_url: str, names: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn(make_url(admin_url).set(database="postgres").render_as_string(False)), timeout=10)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def start(
    admin_url: str,
    tmp: Path,
    *,
    replicas: int = 2,
    nats_cluster: int = 3,
    env: dict[str, str] | None = None,
    prefix: str = "ycl",
) -> Cluster:
    """Starts `youwei up` on fresh databases under `tmp`; returns once its banner is out (every child ready)."""
    prefix = prefix + uuid.uuid4().hex[:8]
    server = make_url(admin_url).set(database=prefix).render_as_string(hide_password=False)
    child_env = {k: v for k, v in os.environ.items() if k != "PETITIONS_VAULT_KEY" and not k.endswith("_DATABASE_URL")}
    child_env.update({f"{n.upper()}_PORT": str(p) for n, p in zip(APPS, free_ports(len(APPS)), strict=True)})
    child_env.update(PYTHONUNBUFFERED="1", GATEWAY_UPSTREAM_PROBE_INTERVAL_S="0.5", LOG_LEVEL="WARNING")
    child_env.update(env or {})
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / "up.log"
    command = [sys.executable, "-m", "suite", "--var", str(tmp / "var"), "up", "--replicas", str(replicas)]
    command += ["--nats-cluster", str(nats_cluster), "--postgres", server]
    proc = subprocess.Popen(
        command, env=child_env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    databases = {
        s: make_url(server).set(database=f"{prefix}_{s}").render_as_string(hide_password=False) for s in SERVICES
    }
    running = Cluster(var=tmp / "var", log=log, proc=proc, admin_url=admin_url, prefix=prefix, database_urls=databases)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Data " not in running.output():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("youwei up did not start:\n" + running.output()[-4000:])
            time.sleep(0.3)
        for name, scheme, port, pid in PROCESS_RE.findall(running.output().split("Youwei is running", 1)[1]):
            running.urls[name] = f"{scheme}://127.0.0.1:{port}"
            running.pids[name] = int(pid)
        expected = len(APPS) * replicas + nats_cluster
        if len(running.urls) != expected:
            raise RuntimeError(f"{len(running.urls)} of {expected} processes in the banner:\n" + running.output())
    except BaseException:
        running.stop()
        raise
    return running
