"""`youwei up` is a supervisor (issue 11, item 11): a service killed with SIGKILL under a steady write load is
restarted with back-off and logged, and no acknowledged write is lost or applied twice; a second suite on the same
data is refused; the children die with the launcher, even when it is killed with SIGKILL. And the data directory is
private, with a vault key of its own (item 6)."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import threading
import time
import uuid

import httpx
import pytest

from suite.launcher import VarLock
from tests.e2e.launcher_support import Suite, alive, cadre_body, listening_from

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
WRITES = 60
WORKERS = 4


class Load:
    """Registers WRITES cadres through the gateway from WORKERS threads, each write retried with its own
    Idempotency-Key (and the same body) until the gateway acknowledges it with 201."""

    def __init__(self, suite: Suite, headers: dict[str, str], deadline_s: float = 120) -> None:
        self.suite, self.headers = suite, headers
        self.keys = [uuid.uuid4().hex for _ in range(WRITES)]
        self.acked: dict[str, tuple[str, str]] = {}  # key -> (cadre id, name)
        self.retries = 0
        self.errors: list[str] = []
        self.deadline = time.monotonic() + deadline_s
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._work, args=(self.keys[i::WORKERS],), daemon=True) for i in range(WORKERS)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(max(1.0, self.deadline - time.monotonic() + 5))

    def _work(self, keys: list[str]) -> None:
        with httpx.Client(base_url=self.suite.gateway, timeout=10) as client:
            for key in keys:
                name = f"Load {key[:8]}"
                while time.monotonic() < self.deadline:
                    try:
                        r = client.post(
                            "/api/v1/cadres", headers={**self.headers, "Idempotency-Key": key}, json=cadre_body(name)
                        )
                    except httpx.TransportError:
                        r = None
                    if r is not None and r.status_code == 201:
                        with self.lock:
                            self.acked[key] = (r.json()["id"], name)
                        break
                    if r is not None and r.status_code < 500 and r.status_code != 409:
                        self.errors.append(f"{r.status_code} {r.text[:300]}")
                        return
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.1)
                time.sleep(0.02)  # steady, not flat out


def _count(db, query: str, *args) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(query, args).fetchone()[0])


def test_a_killed_service_is_restarted_and_no_acknowledged_write_is_lost_or_doubled(tmp_path):
    suite = Suite(tmp_path)
    suite.up()
    try:
        headers = suite.token("org_admin")
        suite.create_city(headers)
        rank_pid = suite.pids()["rank"]
        load = Load(suite, headers)
        load.start()
        deadline = time.monotonic() + 60
        while len(load.acked) < WRITES // 3:
            assert time.monotonic() < deadline and not load.errors, (load.errors, suite.output()[-2000:])
            time.sleep(0.05)
        killed_at = time.monotonic()
        os.kill(rank_pid, signal.SIGKILL)
        exited = suite.wait_for_line("rank (pid")
        assert f"rank (pid {rank_pid}) exited with signal SIGKILL; restart 1 in 0.5s" in exited
        ready = suite.wait_for_line("rank is ready again after restart 1", timeout=60)
        print(f"\n{exited}\n{ready}\nready again {time.monotonic() - killed_at:.1f}s after the kill (seen by the test)")
        load.join()
        assert not load.errors, load.errors
        assert len(load.acked) == WRITES, f"{len(load.acked)} of {WRITES} acknowledged before the deadline"
        assert load.retries > 0, "the kill happened after the load: nothing was tested"
        new_pid = int(suite.wait_for_line("rank restarted").split("pid ")[1].rstrip(")"))
        assert new_pid != rank_pid and alive(new_pid)

        # 0 lost: every acknowledged write reads back through the gateway.
        ids = {cadre_id for cadre_id, _name in load.acked.values()}
        assert len(ids) == WRITES
        with httpx.Client(base_url=suite.gateway, timeout=10) as client:
            for cadre_id, name in load.acked.values():
                r = client.get(f"/api/v1/cadres/{cadre_id}", headers=headers)
                assert r.status_code == 200 and r.json()["name"] == name, r.text
        # 0 doubled: rank registered each key once and published one event per cadre ...
        rank_db = suite.var / "rank.db"
        assert _count(rank_db, "SELECT count(*) FROM cadre WHERE name LIKE 'Load %'") == WRITES
        with sqlite3.connect(rank_db) as conn:
            events = {
                row[0]: row[1].split("/", 1)[1]
                for row in conn.execute(
                    "SELECT event_id, aggregate FROM outbox_message WHERE type LIKE '%.cadre_registered.%'"
                )
                if row[1].split("/", 1)[1] in ids
            }
        assert sorted(events.values()) == sorted(ids), "one cadre_registered event per acknowledged write"
        # ... and every consumer applied each of those events exactly once (inbox) with one directory row each.
        marks = ",".join("?" * len(events))
        deadline = time.monotonic() + 60
        for service in ("appraisal", "petitions", "tolerance"):
            db = suite.var / f"{service}.db"
            while True:
                applied = _count(db, f"SELECT count(*) FROM inbox_message WHERE message_id IN ({marks})", *events)
                directory = _count(db, "SELECT count(*) FROM dir_cadre WHERE name LIKE 'Load %'")
                if applied == len(events) and directory == WRITES:
                    break
                assert applied <= len(events) and directory <= WRITES
                assert time.monotonic() < deadline, f"{service}: {applied} applied, {directory} in its directory"
                time.sleep(0.2)
        assert suite.proc is not None and suite.proc.poll() is None, "the launcher kept running"
    finally:
        code = suite.stop()
    assert code == 0


def test_one_suite_per_var_and_the_children_die_with_a_killed_launcher(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "petitions.db").touch(mode=0o644)  # as an earlier version left it: world-readable
    os.chmod(var / "petitions.db", 0o644)
    suite = Suite(tmp_path, var=var)
    suite.up()
    pids: dict[str, int] = {}
    try:
        pids = suite.pids()
        assert set(pids) == {"rank", "appraisal", "petitions", "tolerance", "gateway", "nats"}, suite.output()

        # Item 6: var/ is the owner's only, and the vault key is a random one of this directory.
        assert stat.S_IMODE(var.stat().st_mode) == 0o700
        for name in (
            "rank.db",
            "appraisal.db",
            "petitions.db",
            "tolerance.db",
            "keys/vault.key",
            "keys/jwt-private.pem",
            ".lock",
        ):
            assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name
        for path in var.rglob("*"):
            assert not stat.S_IMODE(path.lstat().st_mode) & 0o077, f"{path} is readable by others"
        key = (var / "keys/vault.key").read_text().strip()
        environ = dict(
            item.split("=", 1)
            for item in (open(f"/proc/{pids['petitions']}/environ", "rb").read().decode().split("\0"))
            if "=" in item
        )
        assert environ["PETITIONS_VAULT_KEY"] == key and key not in ("dev-only-key", "")
        rank_environ = open(f"/proc/{pids['rank']}/environ", "rb").read().decode()
        assert "PETITIONS_VAULT_KEY" not in rank_environ, "only the petitions process gets the vault key"

        # Item 11 (b): a second suite on the same data is refused, whatever ports it would use.
        second = subprocess.run(suite.command("up"), env=suite.child_env(), capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"another youwei suite (pid {suite.proc.pid}) is running on {var.resolve()}" in second.stderr
        rotate = subprocess.run(
            suite.command("vault-rotate"), env=suite.child_env(), capture_output=True, text=True, timeout=60
        )
        assert rotate.returncode != 0 and "another youwei suite" in rotate.stderr

        # (c): SIGKILL of the launcher takes every child with it, nats-server included.
        suite.proc.kill()
        suite.proc.wait(10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in pids.values()):
            assert time.monotonic() < deadline, {n: p for n, p in pids.items() if alive(p)}
            time.sleep(0.1)
        gone_after = 10 - (deadline - time.monotonic())
        print(f"\nall six children gone {gone_after:.1f}s after SIGKILL of the launcher")
        for name, port in suite.ports.items():
            assert not listening_from(port, str(var.resolve())), f"{name} still listening"
    finally:
        suite.kill()
        for pid in pids.values():  # whatever outlived the launcher (the failure above) goes now
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    # The lock died with the launcher: the same data may start again.
    lock = VarLock(var)
    lock.acquire()
    lock.release()
