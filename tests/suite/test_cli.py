"""The `youwei` command (issue 13 item 4): bad arguments give the usage and exit 2, operational failures one line and
exit 1, never a traceback; empty results say so; `status` with the suite down and with NATS; `events tail` live
against a real nats-server."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest

from suite import cli
from suite.cli_args import CHINA, since_time
from suite.composition import SERVICES

YOUWEI = str(Path(sys.executable).with_name("youwei"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No outside NATS or database, and each process's port a free one (nothing answers there)."""
    for variable in ("YOUWEI_NATS_URL", "YOUWEI_NATS_USER", "YOUWEI_NATS_PASSWORD", "YOUWEI_DEBUG", "YOUWEI_VAR"):
        monkeypatch.delenv(variable, raising=False)
    for name in (*SERVICES, "gateway"):
        monkeypatch.delenv(f"{name.upper()}_DATABASE_URL", raising=False)
        monkeypatch.setenv(f"{name.upper()}_PORT", str(_free_port()))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def var(tmp_path, sqlite_templates) -> Path:
    """An embedded data folder with the four migrated databases and a NATS port nothing listens on."""
    folder = tmp_path / "var"
    folder.mkdir()
    for service, template in sqlite_templates.items():
        shutil.copyfile(template, folder / f"{service}.db")
    (folder / "nats.port").write_text(f"{_free_port()}\n", encoding="utf-8")
    return folder


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


BAD = [
    [],
    ["bogus"],
    ["up", "--nats-url", "localhost:4222"],
    ["status", "--bogus"],
    ["status", "--password-file", "/nonexistent/password"],
    ["migrate", "--service", "payroll"],
    ["token"],
    ["token", "--role", "boss"],
    ["token", "--role", "org_admin", "--ttl", "-5"],
    ["token", "--role", "org_admin", "--ttl", "8h"],
    ["topology", "--nats-url", "http://127.0.0.1:4222"],
    ["outbox-replay", "--service", "rank", "--since", "yesterday"],
    ["outbox-replay", "--service", "rank"],
    ["outbox-replay", "--service", "payroll", "--since", "2026-11-28"],
    ["outbox-replay", "--service", "rank", "--since", "2026-13-01"],
    ["events", "bogus"],
    ["events", "tail", "--type", "rank.nope"],
    ["events", "tail", "--type", "payroll"],
    ["events", "tail", "--count", "0"],
    ["events", "tail", "--last", "x"],
    ["events", "tail", "--since-seq", "1", "--last", "2"],
    ["vault-rotate", "now"],
    ["dead-letters", "--limit", "0"],
    ["dead-letters", "--service", "payroll"],
    ["import", "--parallel", "many"],
    ["import", "--template", "payroll"],
    ["import", "/nonexistent/register.xlsx"],
    ["seed"],
    ["seed", "--demo", "--cadres", "many"],
]


@pytest.mark.parametrize("argv", BAD, ids=[" ".join(a) or "(nothing)" for a in BAD])
def test_bad_arguments_give_the_usage_and_exit_2_without_a_traceback(argv, capsys, tmp_path):
    code, _, err = _main(["--var", str(tmp_path / "var"), *argv], capsys)
    assert code == 2, err
    assert "usage: youwei" in err and "Traceback" not in err


def test_the_time_of_outbox_replay_says_which_forms_it_accepts(capsys):
    code, _, err = _main(["outbox-replay", "--service", "rank", "--since", "yesterday"], capsys)
    assert code == 2
    assert "not a date or time: 'yesterday'" in err and "YYYY-MM-DD" in err and "+08:00" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28", dt.datetime(2026, 11, 28, tzinfo=CHINA)),
        ("2026-11-28T09:30", dt.datetime(2026, 11, 28, 9, 30, tzinfo=CHINA)),
        ("2026-11-28 09:30:15", dt.datetime(2026, 11, 28, 9, 30, 15, tzinfo=CHINA)),
        ("2026-11-28T01:30:00Z", dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)),
        ("2026-11-28T00:00:00+08:00", dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)),
    ],
)
def test_iso_dates_and_datetimes_are_accepted_naive_ones_in_china_time(text, expected):
    assert since_time(text) == expected


def test_the_real_command_prints_no_traceback_for_the_issue_example(tmp_path):
    result = subprocess.run(
        [YOUWEI, "outbox-replay", "--service", "rank", "--since", "yesterday"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "usage: youwei outbox-replay" in result.stderr
    assert "Traceback" not in result.stderr


def _fails(exc: BaseException):
    def func(_args):
        raise exc

    return func


def test_an_unexpected_error_is_one_line_and_the_traceback_only_with_youwei_debug(capsys, monkeypatch):
    import argparse

    args = argparse.Namespace(command="status", func=_fails(ValueError("boom\nsecond line")))
    assert cli.run_command(args) == 1
    err = capsys.readouterr().err
    assert err == ("youwei status: unexpected error: ValueError: boom; run with YOUWEI_DEBUG=1 for the traceback\n")
    monkeypatch.setenv("YOUWEI_DEBUG", "1")
    assert cli.run_command(args) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ValueError: boom" in err


@pytest.mark.parametrize(
    ("exc", "code", "says"),
    [
        (
            PermissionError(13, "Permission denied", "var/keys/nats-rank.password"),
            1,
            "youwei status: permission denied: var/keys/nats-rank.password",
        ),
        (FileNotFoundError(2, "No such file or directory", "README.md"), 1, "no such file or folder: README.md"),
        (ConnectionRefusedError(111, "Connection refused"), 1, "cannot connect"),
        (KeyboardInterrupt(), 130, "youwei status: interrupted"),
    ],
)
def test_operational_failures_are_one_clear_line(exc, code, says, capsys):
    import argparse

    assert cli.run_command(argparse.Namespace(command="status", func=_fails(exc))) == code
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and "YOUWEI_DEBUG" not in err


def test_a_file_that_is_not_a_database_is_reported_not_traced(var, capsys):
    (var / "rank.db").write_bytes(b"this is not SQLite" * 100)
    code, _, err = _main(["--var", str(var), "dead-letters", "--service", "rank"], capsys)
    assert code == 1
    assert err.startswith("youwei dead-letters: cannot use the database:") and "Traceback" not in err


def test_dead_letters_on_empty_databases_say_so_for_each_service(var, capsys):
    code, out, _ = _main(["--var", str(var), "dead-letters"], capsys)
    assert code == 0
    assert out.splitlines() == [f"no dead letters in {service}" for service in SERVICES]


def _insert(path: Path, sql: str, *params) -> None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)


def test_dead_letters_are_listed_per_service_and_the_empty_ones_named(var, capsys):
    _insert(
        var / "appraisal.db",
        "INSERT INTO dead_letter (consumer, message_id, event_type, subject, stream_seq, "
        "num_delivered, error, failed_at) VALUES ('appraisal', 'ev-1', 'cadre.rank.cadre_registered.v1', "
        "'cadre.rank.cadre_registered.v1', 7, 10, 'permanent: no such unit', '2026-12-01 08:00:00.000000')",
    )
    code, out, _ = _main(["dead-letters", "--var", str(var)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "no dead letters in rank" in lines and "no dead letters in tolerance" in lines
    assert "appraisal: 1 dead letter" in lines
    assert any("id=ev-1 stream_seq=7 deliveries=10: permanent: no such unit" in line for line in lines)


def test_outbox_replay_with_nothing_published_since_says_so(var, capsys):
    code, out, _ = _main(["--var", str(var), "outbox-replay", "--service", "rank", "--since", "2026-11-28"], capsys)
    assert code == 0
    assert out.startswith("nothing to replay since 2026-11-28 00:00:00+08:00")


def _pending_outbox_row(var: Path) -> None:
    created = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
    _insert(
        var / "rank.db",
        "INSERT INTO outbox_message (event_id, subject, aggregate, type, payload, created_at, "
        "available_at, attempts) VALUES (?, 'rank.cadre_registered.v1', 'cadre/c-1', "
        "'cadre.rank.cadre_registered.v1', '{}', ?, ?, 0)",
        str(uuid.uuid4()),
        created,
        created,
    )


def test_status_with_the_suite_down_says_so_and_shows_what_the_databases_hold(var, capsys):
    _pending_outbox_row(var)
    code, out, err = _main(["--var", str(var), "status"], capsys)
    assert code == 0, err
    assert "suite      not running (start it with `youwei up`)" in out
    assert f"nats       nats://127.0.0.1:{(var / 'nats.port').read_text().strip()} (embedded)  not running" in out
    rank = out[out.index("\nrank ") : out.index("\nappraisal ")]
    assert "not answering" in rank and "outbox: 1 unpublished, oldest " in rank and "dead letters: 0" in rank
    assert "outbox: 0 unpublished; dead letters: 0" in out[out.index("\nappraisal ") :]
    assert "subscriber user subscriber" in out


def test_status_json_shape(var, capsys):
    _pending_outbox_row(var)
    code, out, _ = _main(["status", "--json", "--var", str(var)], capsys)
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"data", "suite", "nats", "gateway", "services", "other_consumers"}
    assert report["suite"] == {"running": False, "pid": None, "children": []}
    assert report["nats"]["embedded"] is True and report["nats"]["reachable"] is None
    assert report["gateway"]["state"] == "not answering" and report["gateway"]["url"].startswith("http://127.0.0.1:")
    assert set(report["services"]) == set(SERVICES)
    for entry in report["services"].values():
        assert set(entry) == {"url", "state", "database", "outbox", "dead_letters", "consumers", "error"}
        assert entry["error"] is None and entry["dead_letters"] == 0 and entry["consumers"] is None
    assert report["services"]["rank"]["outbox"]["unpublished"] == 1
    assert report["services"]["rank"]["outbox"]["oldest_age_s"] >= 300
    assert report["services"]["tolerance"]["outbox"] == {"unpublished": 0, "oldest_age_s": None}


def test_status_without_databases_still_answers(tmp_path, capsys):
    code, out, _ = _main(["--var", str(tmp_path / "nothing"), "status", "--json"], capsys)
    assert code == 0
    rank = json.loads(out)["services"]["rank"]
    assert rank["outbox"] is None and "no database for rank" in rank["error"]


# -- with NATS -------------------------------------------------------------------------------------------------------
def _event(event_type: str, cadre_id: str) -> bytes:
    return orjson.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "/cadre/rank",
            "type": event_type,
            "subject": f"cadre/{cadre_id}",
            "time": "2026-12-03T02:00:00Z",
            "data": {"cadreId": cadre_id, "name": "李四"},
        }
    )


async def _publish(nats_url: str, namespace: str, *events: tuple[str, bytes]) -> None:
    import nats

    from kernel.topology import apply

    await apply(nats_url, namespace)
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for subject, body in events:
            await js.publish(subject, body)
    finally:
        await nc.close()


def test_status_shows_the_consumer_lag_on_nats(var, nats_url, capsys, monkeypatch):
    import nats
    from nats.js.api import AckPolicy, ConsumerConfig

    namespace = "t" + uuid.uuid4().hex[:8]
    monkeypatch.setenv("RANK_EVENTS_NAMESPACE", namespace)
    event = f"{namespace}.rank.cadre_registered.v1"
    asyncio.run(
        _publish(
            nats_url,
            namespace,
            (event, _event("cadre.rank.cadre_registered.v1", "c-1")),
            (event, _event("cadre.rank.cadre_registered.v1", "c-2")),
        )
    )

    async def durable() -> None:
        nc = await nats.connect(nats_url)
        try:
            await nc.jetstream().add_consumer(
                f"{namespace.upper()}_RANK",
                ConsumerConfig(
                    durable_name="appraisal__rank", ack_policy=AckPolicy.EXPLICIT, filter_subject=f"{namespace}.rank.>"
                ),
            )
        finally:
            await nc.close()

    asyncio.run(durable())
    code, out, err = _main(["--var", str(var), "status", "--json", "--nats-url", nats_url], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["nats"]["reachable"] is True
    assert report["services"]["appraisal"]["consumers"] == [
        {"stream": f"{namespace.upper()}_RANK", "name": "appraisal__rank", "pending": 2, "unacked": 0, "redelivered": 0}
    ]
    assert report["services"]["rank"]["consumers"] == []


def test_events_tail_prints_the_last_stored_events_of_a_type(nats_url, tmp_path, capsys):
    namespace = "t" + uuid.uuid4().hex[:8]
    asyncio.run(
        _publish(
            nats_url,
            namespace,
            (f"{namespace}.rank.cadre_registered.v1", _event("cadre.rank.cadre_registered.v1", "c-1")),
            (f"{namespace}.rank.cadre_updated.v1", _event("cadre.rank.cadre_updated.v1", "c-1")),
            (f"{namespace}.rank.cadre_registered.v1", _event("cadre.rank.cadre_registered.v1", "c-2")),
        )
    )
    code, out, err = _main(
        [
            "--var",
            str(tmp_path / "var"),
            "events",
            "tail",
            "--nats-url",
            nats_url,
            "--namespace",
            namespace,
            "--type",
            "rank.cadre_registered",
            "--last",
            "1",
            "--count",
            "1",
        ],
        capsys,
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"2026-12-03T02:00:00Z cadre.rank.cadre_registered.v1 cadre/c-2 id={out.split('id=')[1].split()[0]} "
        "cadre=c-2 seq=3"
    ]


def test_events_tail_receives_a_published_event_live_and_stops_after_count(nats_url, tmp_path):
    namespace = "t" + uuid.uuid4().hex[:8]
    asyncio.run(_publish(nats_url, namespace))  # the streams only
    env = {k: v for k, v in os.environ.items() if not k.startswith("YOUWEI_")}
    tail = subprocess.Popen(
        [
            YOUWEI,
            "--var",
            str(tmp_path / "var"),
            "events",
            "tail",
            "--nats-url",
            nats_url,
            "--namespace",
            namespace,
            "--type",
            "rank.cadre_registered",
            "--count",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert tail.stderr is not None
        ready = tail.stderr.readline()
        assert ready.startswith(f"tailing {namespace.upper()}_RANK ({namespace}.rank.cadre_registered.*)"), ready
        asyncio.run(
            _publish(
                nats_url,
                namespace,
                (f"{namespace}.rank.cadre_updated.v1", _event("cadre.rank.cadre_updated.v1", "c-8")),
                (f"{namespace}.rank.cadre_registered.v1", _event("cadre.rank.cadre_registered.v1", "c-9")),
            )
        )
        out, err = tail.communicate(timeout=120)  # a bound against a hang, not a timing assertion
    finally:
        if tail.poll() is None:
            tail.kill()
            tail.wait()
    assert tail.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 1 and " cadre.rank.cadre_registered.v1 cadre/c-9 " in lines[0] and "cadre=c-9" in lines[0]
    assert "Traceback" not in err


def test_events_tail_without_a_server_is_one_line(tmp_path, capsys):
    code, _, err = _main(
        [
            "--var",
            str(tmp_path / "var"),
            "events",
            "tail",
            "--nats-url",
            f"nats://127.0.0.1:{_free_port()}",
            "--count",
            "1",
        ],
        capsys,
    )
    assert code == 1
    assert err.startswith("youwei events tail: cannot reach NATS at nats://127.0.0.1:") and "Traceback" not in err


def test_status_names_the_launcher_that_holds_the_lock_and_ignores_a_stale_pid(var, capsys):
    from suite.launcher import VarLock

    (var / ".lock").write_text(f"{os.getpid()}\n", encoding="utf-8")  # left by a suite that stopped
    code, out, _ = _main(["--var", str(var), "status", "--json"], capsys)
    assert code == 0 and json.loads(out)["suite"]["running"] is False
    lock = VarLock(var)
    lock.acquire()
    try:
        code, out, _ = _main(["--var", str(var), "status", "--json"], capsys)
    finally:
        lock.release()
    assert code == 0 and json.loads(out)["suite"]["running"] is True
    assert json.loads(out)["suite"]["pid"] == os.getpid()


def test_ctrl_c_ends_events_tail_cleanly_with_130(nats_url, tmp_path):
    import signal

    namespace = "t" + uuid.uuid4().hex[:8]
    asyncio.run(_publish(nats_url, namespace))
    env = {k: v for k, v in os.environ.items() if not k.startswith("YOUWEI_")}
    tail = subprocess.Popen(
        [YOUWEI, "--var", str(tmp_path / "var"), "events", "tail", "--nats-url", nats_url, "--namespace", namespace],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert tail.stderr is not None
        assert tail.stderr.readline().startswith("tailing ")
        tail.send_signal(signal.SIGINT)
        out, err = tail.communicate(timeout=120)
    finally:
        if tail.poll() is None:
            tail.kill()
            tail.wait()
    assert tail.returncode == 130 and out == ""
    assert err.strip() == "youwei events tail: interrupted"


def test_every_command_is_in_the_readme_commands_section():
    import argparse

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| `")}
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    expected = set(commands) | {"events tail"}
    assert listed == expected
    for line in section.splitlines():
        if line.startswith("| `"):
            assert line.rstrip().endswith("` |") and "`youwei " in line.split("|")[3], line


def test_status_before_the_first_run_says_the_nats_port_is_not_chosen_yet(tmp_path, capsys):
    code, out, _ = _main(["--var", str(tmp_path / "fresh"), "status"], capsys)
    assert code == 0
    assert "not chosen yet: the first `youwei up` takes 4222" in out
