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
