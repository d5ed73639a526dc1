"""The subscriber kit of other departments (docs/subscribers.md): the embedded nats-server started by the launcher's
own code lets in only its users; rank publishes as `rank`; the example subscriber (examples/subscriber/) reads as
`subscriber`, validates, logs each event once, resumes after a restart and never logs an event twice; the subscriber
may publish no event, and may create no consumer but its own, with its feeds' filters."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig

from kernel import keys
from kernel.embedded import NatsServerProcess
from kernel.migrations import upgrade
from kernel.nats_client import ensure_stream, stream_config
from kernel.testing.helpers import eventually
from suite import nats_users
from suite.launcher import AUDIENCE, ISSUER, Launcher

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "examples" / "subscriber"
REGISTERED = "cadre.rank.cadre_registered.v1"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_kit_agrees_with_the_users_the_compose_config_and_the_contracts():
    example = _load("subscriber_example", KIT / "subscriber.py")
    assert [(f.name, f.stream, f.filter_subject) for f in example.feeds()] == [
        (f.name, f.stream, f.filter_subject) for f in nats_users.public_feeds()
    ]
    assert example.Feed("rank", "S", "f").durable("hr") == nats_users.public_feeds()[0].durable("hr")
    assert nats_users.compose_authorization() in (ROOT / "deploy/nats.conf").read_text(encoding="utf-8"), (
        "deploy/nats.conf differs from suite/nats_users.py: paste the output of `python -m suite.nats_users`"
    )
    make_schemas = _load("subscriber_make_schemas", KIT / "make_schemas.py")
    assert (KIT / "schemas.json").read_text(encoding="utf-8") == make_schemas.render(), (
        "examples/subscriber/schemas.json is stale: run .venv/bin/python examples/subscriber/make_schemas.py"
    )
    events = json.loads((KIT / "schemas.json").read_text(encoding="utf-8"))["events"]
    assert "petitions.report_closed.v1" in events and "rank.cadre_registered.v1" in events
    assert not {
        "petitions.report_accepted.v1",
        "petitions.case_opened.v1",
        "petitions.xinfang_about_cadre.v1",
        "petitions.false_accusation_confirmed.v1",
    } & set(events)


def test_the_tiny_validator_checks_the_published_schemas():
    example = _load("subscriber_example", KIT / "subscriber.py")
    schemas = example.Schemas(KIT / "schemas.json")
    schemas._jsonschema = None  # the fallback checker, whether or not jsonschema is installed
    good = {
        "specversion": "1.0",
        "id": "e-1",
        "source": "/cadre/rank",
        "type": "cadre.rank.org_unit_changed.v1",
        "time": "2026-01-01T08:00:00Z",
        "data": {
            "orgUnitId": "city",
            "name": "City",
            "parentId": None,
            "path": ["city"],
            "agencyLevel": "CITY_LEADERSHIP",
            "active": True,
        },
    }
    assert schemas.validate("rank.org_unit_changed.v1", good) == []
    bad = {**good, "time": "yesterday", "data": {**good["data"], "agencyLevel": "EMPIRE", "path": "city"}}
    problems = " ".join(schemas.validate("rank.org_unit_changed.v1", bad))
    assert "$.time" in problems and "agencyLevel" in problems and "$.data.path" in problems
    assert schemas.validate("rank.org_unit_changed.v1", {k: v for k, v in good.items() if k != "id"})


def _subscriber(url: str, var: Path, db: Path, *args: str) -> str:
    cmd = [
        sys.executable,
        str(KIT / "subscriber.py"),
        "--url",
        url,
        "--department",
        "discipline",
        "--feed",
        "rank",
        "--password-file",
        str(var / "keys" / "nats-subscriber.password"),
        "--db",
        str(db),
        "--timeout",
        "90",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _event_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if " event subject=" in line]


async def _refused(attempt, errors: list[Exception], subject: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - a refused request is never answered (the client times out)
        await attempt

    def violation() -> None:
        assert any("permissions violation" in str(e).lower() and subject.lower() in str(e).lower() for e in errors), (
            errors
        )

    await eventually(violation)


async def test_a_department_follows_rank_events_once_each_with_its_own_user_only(tmp_path, monkeypatch):
    var = tmp_path / "var"
    port = _free_port()
    # A var/ of an earlier version: a JetStream store written by a server without users, no NATS passwords yet.
    old = NatsServerProcess(store_dir=var / "nats", port=port).start()
    try:
        nc = await nats.connect(old.url)
        await ensure_stream(nc.jetstream(), stream_config("cadre", "rank"))
        broken = {
            "specversion": "1.0",
            "id": f"broken-{uuid.uuid4()}",
            "source": "/cadre/rank",
            "type": f"cadre.{REGISTERED[6:]}",
            "time": "2026-01-01T08:00:00Z",
            "data": {"name": "no id"},
        }
        await nc.jetstream().publish(REGISTERED, json.dumps(broken).encode())
        await nc.close()
    finally:
        old.stop()
    (var / "nats.port").write_text(f"{port}\n", encoding="utf-8")
    monkeypatch.setenv("RANK_PORT", str(_free_port()))

    launcher = Launcher(var=var)
    env = launcher.prepare()
    passwords = {}
    for user in (*nats_users.SERVICE_USERS, nats_users.SUBSCRIBER):
        path = nats_users.password_path(var / "keys", user)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        passwords[user] = path.read_text(encoding="utf-8").strip()
    assert len(set(passwords.values())) == len(passwords)
    try:
        url = launcher.start_nats()
        assert url == f"nats://127.0.0.1:{port}"
        config = (var / "nats.conf").read_text(encoding="utf-8")
        assert "authorization" in config and stat.S_IMODE((var / "nats.conf").stat().st_mode) == 0o600
        with pytest.raises(Exception):  # noqa: B017 - anonymous connections are refused
            await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)

        upgrade("rank", env["RANK_DATABASE_URL"])
        launcher.plan(env, url)
        rank = next(p for p in launcher.processes if p.name == "rank")
        assert rank.env["RANK_NATS_USER"] == "rank" and rank.env["RANK_NATS_PASSWORD"] == passwords["rank"]
        launcher._start(rank)
        await asyncio.to_thread(launcher._wait_ready, rank)
        base = f"http://127.0.0.1:{rank.port}/api/v1"
        token = keys.load_or_generate(var / "keys").mint(
            subject="t", roles=["org_admin"], unit="city", issuer=ISSUER, audience=AUDIENCE
        )
        headers = {"Authorization": f"Bearer {token}"}

        async with httpx.AsyncClient(timeout=10) as http:

            async def register(name: str) -> str:
                r = await http.post(
                    f"{base}/cadres",
                    headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    json={
                        "name": name,
                        "gender": "FEMALE",
                        "birth_date": "1991-03-04",
                        "entry_date": "2014-07-01",
                        "org_unit_id": "city",
                    },
                )
                assert r.status_code == 201, r.text
                return r.json()["id"]

            r = await http.post(
                f"{base}/org-units",
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
            )
            assert r.status_code == 201, r.text
            first = await register("Sun Qi")

            admin = await nats.connect(url, user="rank", password=passwords["rank"])
            js_rank = admin.jetstream()

            async def published(cadre_id: str) -> int:
                msg = await js_rank.get_last_msg("CADRE_RANK", REGISTERED)
                assert json.loads(msg.data)["data"].get("cadreId") == cadre_id
                return (await js_rank.stream_info("CADRE_RANK")).state.messages

            total = await eventually(lambda: published(first), timeout=30)

            # The department's first run: every rank event so far, the registration logged with its cadre id.
            db = tmp_path / "seen.sqlite3"
            out = _subscriber(url, var, db, "--max-messages", str(total))
            lines = _event_lines(out)
            assert len(lines) == total - 1, out
            registered = [line for line in lines if f"subject={REGISTERED}" in line]
            assert len(registered) == 1 and f"cadre={first}" in registered[0] and "type=cadre." in registered[0]
            assert f"invalid subject={REGISTERED}" in out, "the event without a cadre id passed validation"

            # Restarted: resumes after the last acknowledged event.
            second = await register("Li Na")
            total = await eventually(lambda: published(second), timeout=30)
            out = _subscriber(url, var, db, "--max-messages", "1")
            assert [f"cadre={second}" in line for line in _event_lines(out)] == [True], out
            assert first not in out

            # Its durable deleted (allowed: its own), everything is delivered again, and nothing is logged twice.
            errors: list[Exception] = []

            async def on_error(exc: Exception) -> None:
                errors.append(exc)

            sub = await nats.connect(
                url,
                user="subscriber",
                password=passwords["subscriber"],
                error_cb=on_error,
                inbox_prefix=nats_users.SUBSCRIBER_INBOX,
            )
            js = sub.jetstream(timeout=2)
            assert await js.delete_consumer("CADRE_RANK", "dept_discipline__rank")
            out = _subscriber(url, var, db, "--max-messages", str(total))
            assert _event_lines(out) == [] and out.count("duplicate subject=") == total - 1, out

            # No event subject may be published.
            await sub.publish(REGISTERED, b"{}")
            await sub.flush()
            await eventually(lambda: _violation(errors, REGISTERED))

            # No consumer under another name (a service's durable, another prefix), none without the feed's filter.
            await _refused(
                js.add_consumer(
                    "CADRE_RANK",
                    ConsumerConfig(
                        name="appraisal__rank", durable_name="appraisal__rank", filter_subject="cadre.rank.>"
                    ),
                ),
                errors,
                "$JS.API.CONSUMER.CREATE.CADRE_RANK.appraisal__rank",
            )
            await _refused(
                js.add_consumer(
                    "CADRE_RANK", ConsumerConfig(name="hr_rank", durable_name="hr_rank", filter_subject="cadre.rank.>")
                ),
                errors,
                "$JS.API.CONSUMER.CREATE.CADRE_RANK.hr_rank",
            )
            await _refused(
                js.add_consumer(
                    "CADRE_RANK", ConsumerConfig(name="dept_discipline__rank", durable_name="dept_discipline__rank")
                ),
                errors,
                '"$JS.API.CONSUMER.CREATE.CADRE_RANK.dept_discipline__rank"',
            )

            # Petitions: the entitled feeds only.
            petitions = await nats.connect(url, user="petitions", password=passwords["petitions"])
            await ensure_stream(petitions.jetstream(), stream_config("cadre", "petitions"))
            await petitions.close()
            closed = "dept_discipline__petitions_report_closed"
            await js.add_consumer(
                "CADRE_PETITIONS",
                ConsumerConfig(name=closed, durable_name=closed, filter_subject="cadre.petitions.report_closed.*"),
            )
            await _refused(
                js.add_consumer(
                    "CADRE_PETITIONS",
                    ConsumerConfig(
                        name=closed, durable_name=closed, filter_subject="cadre.petitions.report_accepted.v1"
                    ),
                ),
                errors,
                f"$JS.API.CONSUMER.CREATE.CADRE_PETITIONS.{closed}.cadre.petitions.report_accepted.v1",
            )
            accepted = "dept_discipline__petitions_report_accepted"
            await _refused(
                js.add_consumer(
                    "CADRE_PETITIONS",
                    ConsumerConfig(
                        name=accepted, durable_name=accepted, filter_subject="cadre.petitions.report_accepted.v1"
                    ),
                ),
                errors,
                f"$JS.API.CONSUMER.CREATE.CADRE_PETITIONS.{accepted}",
            )
            await _refused(
                js.add_consumer(
                    "CADRE_PETITIONS",
                    ConsumerConfig(
                        name="dept_discipline__petitions",
                        durable_name="dept_discipline__petitions",
                        filter_subject="cadre.petitions.>",
                    ),
                ),
                errors,
                "$JS.API.CONSUMER.CREATE.CADRE_PETITIONS.dept_discipline__petitions",
            )
            with pytest.raises(Exception):  # noqa: B017 - the feed's filter in the subject, another in the body
                await js.add_consumer(
                    "CADRE_PETITIONS",
                    ConsumerConfig(
                        name=closed,
                        durable_name=closed,
                        filter_subject="cadre.petitions.report_closed.*",
                        filter_subjects=["cadre.petitions.case_opened.v1"],
                    ),
                )
            info = await js.consumer_info("CADRE_PETITIONS", closed)
            assert info.config.filter_subject == "cadre.petitions.report_closed.*"
            assert not info.config.filter_subjects
            await _refused(js.get_msg("CADRE_PETITIONS", seq=1), errors, "$JS.API.STREAM.MSG.GET.CADRE_PETITIONS")
            await sub.close()
            await admin.close()
    finally:
        launcher.stop()


def _violation(errors: list[Exception], subject: str) -> None:
    assert any("permissions violation" in str(e).lower() and subject.lower() in str(e).lower() for e in errors), errors


def test_status_names_the_address_the_subscriber_and_its_password_file(tmp_path, capsys, monkeypatch):
    from suite.cli import build_parser

    monkeypatch.delenv("YOUWEI_NATS_URL", raising=False)
    var = tmp_path / "var"
    var.mkdir()
    (var / "nats.port").write_text("14333\n", encoding="utf-8")
    nats_users.load_or_generate_passwords(var / "keys")
    args = build_parser().parse_args(["--var", str(var), "status"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "nats://127.0.0.1:14333" in out and "not running" in out
    assert f"user subscriber, password in {(var / 'keys' / 'nats-subscriber.password').resolve()}\n" in out
    assert "dept_<department>__<feed>" in out and "petitions_report_closed" in out


def test_asyncapi_servers_follow_the_configured_address(tmp_path, monkeypatch):
    from kernel import asyncapi

    assert asyncapi.document("rank")["servers"]["embedded"]["host"] == "127.0.0.1:4222"
    assert asyncapi.document("rank", nats_address="10.1.2.3:4333")["servers"]["embedded"]["host"] == "10.1.2.3:4333"
    var = tmp_path / "var"
    var.mkdir()
    (var / "nats.port").write_text("14334\n", encoding="utf-8")
    assert asyncapi.main(["--var", str(var), "--out", str(tmp_path / "from-var")]) == 0
    import yaml

    doc = yaml.safe_load((tmp_path / "from-var" / "petitions.yaml").read_text(encoding="utf-8"))
    assert doc["servers"]["embedded"]["host"] == "127.0.0.1:14334"
    monkeypatch.setenv(asyncapi.NATS_ADDRESS_VARIABLE, "nats.city.example:4222")
    assert asyncapi.main(["--out", str(tmp_path / "from-env")]) == 0
    doc = yaml.safe_load((tmp_path / "from-env" / "rank.yaml").read_text(encoding="utf-8"))
    assert doc["servers"]["embedded"]["host"] == "nats.city.example:4222"
