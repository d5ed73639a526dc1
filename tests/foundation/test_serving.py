"""How uvicorn serves the apps (issue 11 items 7 and 10): the same options in compose, `youwei up` and tests."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from fastapi import FastAPI

from gateway.testing import serving
from kernel.serving import UVICORN_FLAGS, UVICORN_OPTIONS
from suite.launcher import Launcher

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
APPS = ("rank", "appraisal", "petitions", "tolerance", "gateway")


def test_the_flags_say_what_the_options_say():
    context = uvicorn.main.make_context("uvicorn", ["some.module:app", *UVICORN_FLAGS])
    for name, value in UVICORN_OPTIONS.items():
        assert context.params[name] == value, name


@pytest.mark.parametrize("name", APPS)
def test_compose_and_the_launcher_run_uvicorn_with_the_options(name, tmp_path):
    command = COMPOSE["services"][name]["command"]
    assert set(UVICORN_FLAGS) <= set(command), command
    launcher = Launcher(var=tmp_path / "var")
    launcher.plan(launcher.prepare(), "nats://127.0.0.1:4222")
    planned = next(p for p in launcher.processes if p.name == name)
    assert set(UVICORN_FLAGS) <= set(planned.cmd), planned.cmd


async def test_answers_carry_no_server_header():
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/ping")
    assert response.status_code == 200
    assert "server" not in response.headers
    assert "date" in response.headers


def _default(value: str) -> str:
    """The default of a compose interpolation `${VAR:-default}`."""
    return value.split(":-", 1)[1].rstrip("}") if value.startswith("${") else value


def test_in_compose_petitions_trusts_the_gateways_fixed_address_and_nobody_else():
    import ipaddress
    import json

    gateway_ip = _default(COMPOSE["services"]["gateway"]["networks"]["default"]["ipv4_address"])
    subnet = _default(COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(gateway_ip) in ipaddress.ip_network(subnet)
    raw = COMPOSE["services"]["petitions"]["environment"]["PETITIONS_TRUSTED_PROXIES"]
    trusted = json.loads(raw.replace("${YOUWEI_GATEWAY_IP:-" + gateway_ip + "}", gateway_ip))
    assert trusted == [gateway_ip]
    for name in ("rank", "appraisal", "tolerance", "gateway"):
        assert not any(k.endswith("TRUSTED_PROXIES") for k in COMPOSE["services"][name]["environment"]), name
