"""Fake upstreams for unit tests: the gateway app with httpx.MockTransport upstreams, no network."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.clients.httpx_upstream import HttpxUpstream
from gateway.main import create_app
from kernel.testing.helpers import running

SERVICES = ("rank", "appraisal", "petitions", "tolerance")


def part(service: str, cadre_id: str, **extra: Any) -> dict[str, Any]:
    """A service's dossier part as the fakes answer it."""
    return {"service": service, "cadre_id": cadre_id, "items": [{"id": f"{service}-1"}], **extra}


def cadre(cadre_id: str) -> dict[str, Any]:
    return {
        "id": cadre_id,
        "name": "Li Si",
        "gender": "FEMALE",
        "birth_date": "1988-04-05",
        "entry_date": "2010-07-01",
        "org_unit_id": "city",
        "category": "COMPREHENSIVE",
        "party_member": False,
        "education": None,
        "active": True,
        "version": 1,
    }


class Upstreams:
    """Records every request each fake service receives; `handlers[service]` answers them."""

    def __init__(self) -> None:
        self.requests: dict[str, list[httpx.Request]] = {s: [] for s in SERVICES}
        self.handlers: dict[str, Callable[[httpx.Request], Any]] = {s: self.default(s) for s in SERVICES}

    @staticmethod
    def default(service: str) -> Callable[[httpx.Request], Any]:
        def handle(request: httpx.Request) -> httpx.Response:
            path = request.url.path
            if path.startswith("/api/v1/cadres/") and service == "rank":
                return httpx.Response(200, json=cadre(path.rsplit("/", 1)[1]))
            if path.startswith(f"/api/v1/dossier-parts/{service}/"):
                cadre_id = path.rsplit("/", 1)[1]
                # Rank's part embeds the register entry, as the real rank does.
                extra = {"cadre": cadre(cadre_id)} if service == "rank" else {}
                return httpx.Response(200, json=part(service, cadre_id, **extra))
            if path.startswith("/api/v1/org-units/") and service == "rank":
                return httpx.Response(
                    200,
                    json={
                        "id": path.rsplit("/", 1)[1],
                        "name": "Unit",
                        "parent_id": None,
                        "agency_level": "CITY_LEADERSHIP",
                        "path": ["city"],
                        "active": True,
                    },
                )
            if path.startswith(f"/api/v1/dashboard-parts/{service}"):
                return httpx.Response(200, json={"service": service, "org_unit_id": request.url.params["org_unit_id"]})
            if path == "/health/live":
                return httpx.Response(200, json={"status": "ok"})
            return httpx.Response(
                404,
                json={"type": "about:blank", "title": "Not found", "status": 404},
                headers={"content-type": "application/problem+json"},
            )

        return handle

    def transport(self, service: str) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.requests[service].append(request)
            result = self.handlers[service](request)
            if hasattr(result, "__await__"):
                result = await result
            return result

        return httpx.MockTransport(handle)

    def upstreams(self, max_response_bytes: int) -> dict[str, HttpxUpstream]:
        return {
            s: HttpxUpstream(
                s,
                f"http://{s}.internal:80",
                connect_timeout=1,
                pool_size=10,
                max_response_bytes=max_response_bytes,
                transport=self.transport(s),
            )
            for s in SERVICES
        }


@pytest.fixture
def fakes() -> Upstreams:
    return Upstreams()


@pytest.fixture
def mock_gateway(fakes: Upstreams, gateway_settings) -> Callable[..., Any]:
    """Returns `async with mock_gateway(**settings) as client` running the gateway over the fakes."""

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = gateway_settings(**overrides)
        app = create_app(settings, upstreams=fakes.upstreams(settings.upstream_max_response_bytes))
        async with running(app) as client:
            yield client

    return make
