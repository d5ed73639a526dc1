"""A 405 lists every method the path supports (Starlette alone names the first matching route's only)."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI

from kernel.web import install


def make_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/api/v1")

    @router.get("/things")
    async def list_things() -> dict:
        return {}

    @router.post("/things")
    async def create_thing() -> dict:
        return {}

    @router.delete("/things/{thing_id}")
    async def delete_thing(thing_id: str) -> dict:
        return {}

    app.include_router(router)
    install(app, service="test", max_body_bytes=1024)
    return app


async def test_a_405_names_every_method_of_the_path():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app()), base_url="http://t") as client:
        collection = await client.request("OPTIONS", "/api/v1/things")
        item = await client.put("/api/v1/things/1")
    assert collection.status_code == 405 and collection.headers["allow"] == "GET, POST"
    assert collection.headers["content-type"] == "application/problem+json"
    assert item.status_code == 405 and item.headers["allow"] == "DELETE"
