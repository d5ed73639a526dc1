"""API docs work with no internet: /docs and /redoc of the gateway and of a service name no external URL, and every
asset they load is served by the app itself (tests the pages' HTML, not a browser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI

from kernel.docs_pages import install_docs

URL_IN_TEXT = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("src", "href") and v]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _external(html: str) -> tuple[list[str], list[str]]:
    """The page's links and the URLs its inline scripts name that leave the app's own origin."""
    parser = _Links()
    parser.feed(html)
    outside = [link for link in parser.links if not link.startswith("/") or link.startswith("//")]
    return parser.links, outside + [m for s in parser.scripts for m in URL_IN_TEXT.findall(s)]


async def _check_pages(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        assert response.status_code == 200, page
        links, outside = _external(response.text)
        assert links, page  # the page does load its scripts and styles ...
        assert outside == [], (page, outside)  # ... from nowhere but the app
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "http" not in policy
        for link in links:
            asset = await client.get(link)
            assert asset.status_code == 200 and len(asset.content) > 1000, link
    assert (await client.get("/docs-assets/..%2Fpyproject.toml")).status_code == 404
    assert (await client.get("/docs-assets/unknown.js")).status_code == 404


async def test_a_service_app_serves_its_docs_offline():
    app = FastAPI(title="rank", docs_url=None, redoc_url=None)
    install_docs(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        await _check_pages(client)


async def test_the_gateway_serves_its_docs_offline(mock_gateway):
    async with mock_gateway() as gw:
        await _check_pages(gw)


@pytest.mark.parametrize(
    "html, found",
    [
        ('<script src="https://cdn.jsdelivr.net/x.js"></script>', True),
        ('<link href="//fonts.googleapis.com/css" rel="stylesheet">', True),
        ("<script>const ui = SwaggerUIBundle({url: 'https://unpkg.com/a'})</script>", True),
        ('<script src="/docs-assets/swagger-ui-bundle.js"></script>', False),
    ],
)
def test_the_check_itself_finds_an_external_reference(html, found):
    assert bool(_external(html)[1]) is found
