"""`youwei up` (what `make run` runs): everything starts, a cadre flows through the gateway to every service,
Ctrl-C stops every process, and a second run keeps the data."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
SERVICES = {"rank": None, "appraisal": None, "petitions": None, "tolerance": None, "gateway": None}


def _free_ports(n: int) -> list[int]:
    sockets, ports = [], []
    for _ in range(n):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
        ports.append(sock.getsockname()[1])
    for sock in sockets:
        sock.close()
    return ports


def _up(var: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "suite", "--var", str(var), "up"],
        env={**os.environ, **env},
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while "Youwei is running" not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("youwei up did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise


def _children_gone(ports: dict[str, int]) -> None:
    for name, port in ports.items():
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{name} still listening after Ctrl-C"


def test_youwei_up_runs_the_suite_stops_cleanly_and_keeps_data(tmp_path):
    var = tmp_path / "var"
    ports = dict(zip(SERVICES, _free_ports(len(SERVICES)), strict=True))
    env = {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
    gateway = f"http://127.0.0.1:{ports['gateway']}"

    proc = _up(var, env, tmp_path / "up1.log")
    try:
        output = (tmp_path / "up1.log").read_text()
        for name, port in ports.items():
            assert f"http://127.0.0.1:{port}" in output, f"{name} URL not printed"
        assert "/docs" in output and "nats://127.0.0.1:" in output
        token = subprocess.run(
            [sys.executable, "-m", "suite", "--var", str(var), "token", "--role", "org_admin", "--unit", "city"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        r = httpx.post(
            f"{gateway}/api/v1/org-units",
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        r = httpx.post(
            f"{gateway}/api/v1/cadres",
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            json={
                "name": "Sun Qi",
                "gender": "FEMALE",
                "birth_date": "1991-03-04",
                "entry_date": "2014-07-01",
                "org_unit_id": "city",
            },
            timeout=10,
        )
        assert r.status_code == 201, r.text
        cadre_id = r.json()["id"]
        deadline = time.monotonic() + 30
        for service in ("appraisal", "petitions", "tolerance"):
            while True:
                with sqlite3.connect(var / f"{service}.db") as conn:
                    row = conn.execute("SELECT name FROM dir_cadre WHERE cadre_id = ?", (cadre_id,)).fetchone()
                if row:
                    assert row[0] == "Sun Qi"
                    break
                assert time.monotonic() < deadline, f"{service} never recorded the cadre"
                time.sleep(0.2)
    finally:
        _stop(proc)
    _children_gone(ports)

    proc = _up(var, env, tmp_path / "up2.log")
    try:
        token = subprocess.run(
            [sys.executable, "-m", "suite", "--var", str(var), "token", "--role", "auditor", "--unit", "city"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        r = httpx.get(f"{gateway}/api/v1/cadres/{cadre_id}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200 and r.json()["name"] == "Sun Qi"
    finally:
        _stop(proc)
    _children_gone(ports)
