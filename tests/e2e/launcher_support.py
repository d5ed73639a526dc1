"""Helpers of the `youwei up` tests: free ports, start and stop the launcher, read its banner, watch processes."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

NAMES = ("rank", "appraisal", "petitions", "tolerance", "gateway")


def free_ports(n: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(n):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


class Suite:
    """One `youwei up` on a var directory, with service ports chosen free (NATS too, unless `nats_port` is False)."""

    def __init__(
        self, tmp: Path, *, var: Path | None = None, ports: dict[str, int] | None = None, pin_nats: bool = True
    ) -> None:
        self.tmp = tmp
        self.var = var or tmp / "var"
        self.ports = ports or dict(zip(NAMES, free_ports(len(NAMES)), strict=True))
        self.env = {f"{name.upper()}_PORT": str(port) for name, port in self.ports.items()}
        if pin_nats and not (self.var / "nats.port").exists():
            # Loopback port chosen by the test (the launcher keeps whatever var/nats.port says): no race on 4222
            # with other suites on this machine.
            self.var.mkdir(parents=True, exist_ok=True)
            (self.var / "nats.port").write_text(f"{free_ports(1)[0]}\n", encoding="utf-8")
        self.proc: subprocess.Popen | None = None
        self.log: Path | None = None
        self.runs = 0

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "suite", "--var", str(self.var), *args]

    def child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PETITIONS_VAULT_KEY"}
        return {**env, **self.env}

    def up(self, timeout: float = 120) -> subprocess.Popen:
        self.runs += 1
        self.log = self.tmp / f"up{self.runs}.log"
        self.proc = subprocess.Popen(
            self.command("up"),
            env=self.child_env(),
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while "Youwei is running" not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError("youwei up did not start:\n" + self.output()[-3000:])
            time.sleep(0.2)
        time.sleep(0.3)  # the rest of the banner
        return self.proc

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log else ""

    def pids(self) -> dict[str, int]:
        """The pid listening on each port of the suite (name -> pid; nats-server as 'nats'), from /proc."""
        ports = dict(self.ports)
        match = re.search(r"nats-server: nats://127\.0\.0\.1:(\d+)", self.output())
        if match:
            ports["nats"] = int(match.group(1))
        listeners = _listeners()
        return {name: listeners[port] for name, port in ports.items() if port in listeners}

    def stop(self, timeout: float = 60) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def wait_for_line(self, needle: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if needle in line:
                    return line
            time.sleep(0.1)
        raise AssertionError(f"no line with {needle!r} in:\n" + self.output()[-3000:])

    def token(self, role: str, unit: str = "city") -> dict[str, str]:
        out = subprocess.run(
            self.command("token", "--role", role, "--unit", unit),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return {"Authorization": f"Bearer {out.stdout.strip()}"}

    def create_city(self, headers: dict[str, str]) -> None:
        r = httpx.post(
            f"{self.gateway}/api/v1/org-units",
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
            timeout=10,
        )
        assert r.status_code == 201, r.text


def _listeners() -> dict[int, int]:
    """Loopback TCP ports in LISTEN state -> the pid holding the socket (Linux /proc)."""
    inodes: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":
                    inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    out: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    out.setdefault(inodes[target[8:-1]], int(proc.name))
    return out


def alive(pid: int) -> bool:
    """A process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def listeners(port: int) -> set[int]:
    """The pids of the processes holding a socket that listens on `port` (read from /proc, Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                pids.add(int(fd_dir.parent.name))
    return pids


def listening_from(port: int, marker: str) -> set[int]:
    """The pids listening on `port` whose command line or environment names `marker` (a suite's var directory):
    a port the killed suite freed may be taken at once by a process of another test running alongside."""
    ours = set()
    for pid in listeners(port):
        with contextlib.suppress(OSError):
            if any(marker.encode() in Path(f"/proc/{pid}/{part}").read_bytes() for part in ("cmdline", "environ")):
                ours.add(pid)
    return ours


def cadre_body(name: str) -> dict[str, str]:
    return {
        "name": name,
        "gender": "FEMALE",
        "birth_date": "1991-03-04",
        "entry_date": "2014-07-01",
        "org_unit_id": "city",
    }
