"""Two runs of `youwei up` on one var/ (issue 11, items 11 and 6), one suite start each:

* the embedded nats-server's port is chosen once (4222, or a free port when 4222 is taken) and kept in
  var/nats.port, so the second run uses the same one; killed with SIGKILL, nats-server is restarted on the same port
  and store, and events flow again;
* the suite seals reporters with a random key of its own under var/keys (never the public development constant);
  between the runs `youwei vault-rotate` re-seals every value under a new key and retires the old one; the second
  run reads everything with the new key.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import stat
import subprocess
import time
import uuid

import httpx
import pytest

from services.petitions.adapters.crypto import Sealer, VaultError
from services.petitions.settings import PetitionsSettings, decode_key
from tests.e2e.launcher_support import Suite, alive, cadre_body

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
REPORTER = {"name": "Wang Wu", "phone": "13900000077", "address": "7 Reporter Lane"}
CONTENT = "Gifts at the spring festival."


def _hold_4222() -> socket.socket | None:
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 4222))
        sock.listen(1)
    except OSError:  # taken already: just as good
        sock.close()
        return None
    return sock


def _in_directories(suite: Suite, cadre_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    for service in ("appraisal", "petitions", "tolerance"):
        while True:
            with sqlite3.connect(suite.var / f"{service}.db") as conn:
                if conn.execute("SELECT 1 FROM dir_cadre WHERE cadre_id = ?", (cadre_id,)).fetchone():
                    break
            assert time.monotonic() < deadline, f"{service} never recorded {cadre_id}"
            time.sleep(0.2)


def _sealed(var) -> list[tuple[str, str, bytes]]:
    with sqlite3.connect(var / "petitions.db") as conn:
        rows = [("reporter", *r) for r in conn.execute("SELECT report_id, sealed FROM reporter_vault")]
        rows += [("content", *r) for r in conn.execute("SELECT id, content_sealed FROM report")]
    return [(context, record_id, bytes(sealed)) for context, record_id, sealed in rows]


def _opens(key: bytes, var) -> list[bool]:
    out = []
    for context, record_id, sealed in _sealed(var):
        try:
            Sealer([key]).open(sealed, context=context, record_id=record_id)
            out.append(True)
        except VaultError:
            out.append(False)
    return out


def _intake(suite: Suite, staff: dict[str, str]) -> str:
    body = {
        "petition_type": "ACCUSATION",
        "channel": "LETTER",
        "received_on": "2026-11-20",
        "content": CONTENT,
        "accused_cadre_ids": [],
        "reporter": REPORTER,
    }
    deadline = time.monotonic() + 60
    while True:  # until petitions knows the org unit (from rank's event)
        r = httpx.post(
            f"{suite.gateway}/api/v1/reports",
            headers={**staff, "Idempotency-Key": uuid.uuid4().hex},
            json=body,
            timeout=10,
        )
        if r.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_second_run_keeps_the_nats_port_and_reads_what_a_rotated_vault_key_sealed(tmp_path):
    held = _hold_4222()
    try:
        suite = Suite(tmp_path, pin_nats=False)
        suite.up()
        try:
            port = int((suite.var / "nats.port").read_text())
            assert port != 4222
            assert f"nats-server: nats://127.0.0.1:{port}" in suite.output()
            headers = suite.token("org_admin")
            suite.create_city(headers)

            nats_pid = suite.pids()["nats"]
            os.kill(nats_pid, signal.SIGKILL)
            exited = suite.wait_for_line("nats-server (pid")
            assert f"nats-server (pid {nats_pid}) exited with signal SIGKILL; restart 1" in exited
            assert f"on port {port}, same store" in exited
            again = suite.wait_for_line("nats-server is ready again", timeout=60)
            assert f"nats://127.0.0.1:{port}" in again
            new_pid = int(again.split("pid ")[1].split(",")[0])
            assert new_pid != nats_pid and alive(new_pid)
            print(f"\n{exited}\n{again}")
            r = httpx.post(
                f"{suite.gateway}/api/v1/cadres",
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                json=cadre_body("After Restart"),
                timeout=10,
            )
            assert r.status_code == 201, r.text
            _in_directories(suite, r.json()["id"])

            staff = suite.token("petitions_staff")
            report_id = _intake(suite, staff)
        finally:
            assert suite.stop() == 0
        assert not alive(new_pid), "nats-server stopped with the suite"

        keys_dir = suite.var / "keys"
        old = (keys_dir / "vault.key").read_text().strip()
        dev = PetitionsSettings(_env_file=None, allow_dev_vault_key=True).vault_keys()[0]
        assert _opens(decode_key(old), suite.var) == [True, True]
        assert _opens(dev, suite.var) == [False, False], "never the public development key"

        out = subprocess.run(
            suite.command("vault-rotate"), env=suite.child_env(), capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert "the old key is retired" in out.stdout and "re-sealed 2 values" in out.stdout, out.stdout
        new = (keys_dir / "vault.key").read_text().strip()
        assert new != old and not (keys_dir / "vault.key.next").exists()
        assert stat.S_IMODE((keys_dir / "vault.key").stat().st_mode) == 0o600
        assert _opens(decode_key(old), suite.var) == [False, False]
        assert _opens(decode_key(new), suite.var) == [True, True]

        suite.up()
        try:
            assert int((suite.var / "nats.port").read_text()) == port
            assert f"nats-server: nats://127.0.0.1:{port}" in suite.output()
            officer = suite.token("discipline_officer")
            r = httpx.get(f"{suite.gateway}/api/v1/reports/{report_id}", headers=officer, timeout=10)
            assert r.status_code == 200 and r.json()["content"] == CONTENT, r.text
            r = httpx.post(
                f"{suite.gateway}/api/v1/reports/{report_id}/reveal",
                headers=staff,
                json={"purpose": "VERIFY_REAL_NAME"},
                timeout=10,
            )
            assert r.status_code == 200 and r.json()["reporter"]["phone"] == REPORTER["phone"], r.text
        finally:
            assert suite.stop() == 0
    finally:
        if held is not None:
            held.close()
