"""The launcher's building blocks, fast: the var/ lock, the NATS port kept in var/, the restart back-off, private
files, and children that die with their parent (issue 11, items 6 and 11)."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from kernel import keys
from suite.launcher import DEFAULT_NATS_PORT, Launcher, SuiteLocked, VarLock, backoff, describe_exit
from tests.e2e.launcher_support import alive


def test_only_one_holder_of_the_var_lock_and_it_names_the_holder(tmp_path):
    first, second = VarLock(tmp_path), VarLock(tmp_path)
    first.acquire()
    with pytest.raises(SuiteLocked, match=f"another youwei suite \\(pid {os.getpid()}\\) is running on"):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


def test_the_lock_of_a_killed_holder_is_free_again(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from suite.launcher import VarLock
        lock = VarLock(Path({str(tmp_path)!r}))
        lock.acquire()
        print("locked", flush=True)
        time.sleep(60)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(SuiteLocked, match=f"pid {holder.pid}"):
            VarLock(tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait(10)
    lock = VarLock(tmp_path)
    lock.acquire()
    lock.release()


def test_backoff_doubles_from_half_a_second_up_to_thirty():
    assert [backoff(n) for n in (1, 2, 3, 4, 7, 50)] == [0.5, 1.0, 2.0, 4.0, 30.0, 30.0]
    assert describe_exit(-9) == "signal SIGKILL" and describe_exit(1) == "code 1"


def test_the_nats_port_is_chosen_once_and_kept(tmp_path):
    taken = socket.socket()
    try:
        taken.bind(("127.0.0.1", DEFAULT_NATS_PORT))
        taken.listen(1)
    except OSError:
        pass  # taken by someone else: as good
    try:
        launcher = Launcher(var=tmp_path)
        port = launcher.nats_port()
        assert port != DEFAULT_NATS_PORT and (tmp_path / "nats.port").read_text().strip() == str(port)
        assert Launcher(var=tmp_path).nats_port() == port
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", port))
            squatter.listen(1)
            with pytest.raises(RuntimeError, match=f"the NATS port {port} kept in .* is taken"):
                Launcher(var=tmp_path).nats_port()
    finally:
        taken.close()


def test_var_becomes_private_and_keys_are_0600(tmp_path):
    var = tmp_path / "var"
    (var / "nats").mkdir(parents=True)
    (var / "petitions.db").write_text("")
    (var / "nats" / "store").write_text("")
    for path in (var, var / "nats"):
        path.chmod(0o755)
    for path in (var / "petitions.db", var / "nats" / "store"):
        path.chmod(0o644)
    env = Launcher(var=var).prepare()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for path in var.rglob("*"):
        assert not stat.S_IMODE(path.stat().st_mode) & 0o077, path
    assert "PETITIONS_VAULT_KEY" not in env, "the vault key goes to the petitions process only"
    key = keys.load_or_generate_vault_key(var / "keys")
    assert len(key) == 44 and key == keys.load_or_generate_vault_key(var / "keys")
    assert stat.S_IMODE((var / "keys" / keys.VAULT_KEY).stat().st_mode) == 0o600


def test_a_child_dies_with_its_parent_even_when_the_parent_is_killed(tmp_path):
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
        import subprocess, sys, time
        from kernel.embedded import child_popen_kwargs
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], **child_popen_kwargs())
        print(child.pid, flush=True)
        time.sleep(120)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 10
    while alive(child):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.05)


def test_several_replicas_on_sqlite_are_refused_before_anything_starts(tmp_path, monkeypatch):
    from suite.launcher import ReplicasNeedPostgres

    for service in ("rank", "appraisal", "petitions", "tolerance"):
        monkeypatch.delenv(f"{service.upper()}_DATABASE_URL", raising=False)
    with pytest.raises(ReplicasNeedPostgres, match="needs PostgreSQL"):
        Launcher(var=tmp_path, replicas=2).prepare()
    assert not list(tmp_path.glob("*.db"))
    result = subprocess.run(
        [sys.executable, "-m", "suite", "--var", str(tmp_path / "v"), "up", "--replicas", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL") and k != "YOUWEI_POSTGRES_URL"},
    )
    assert result.returncode == 1 and "--replicas 2 needs PostgreSQL" in result.stderr


def test_a_cluster_node_routes_to_the_other_nodes_on_loopback(tmp_path):
    from kernel.embedded import NatsCluster, render_config

    text = render_config(
        port=4222, store_dir=tmp_path, cluster=NatsCluster("youwei", "nats-2", 6223, (6222, 6223, 6224))
    )
    assert 'server_name: "nats-2"' in text and 'listen: "127.0.0.1:6223"' in text
    assert 'routes: ["nats-route://127.0.0.1:6222", "nats-route://127.0.0.1:6224"]' in text
    assert "sync_interval: always" in text
