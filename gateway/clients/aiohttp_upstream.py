"""The default upstream client: one aiohttp session per service (about 2x httpx-on-aiohttp, 6x httpx's own pool)."""

from __future__ import annotations

import aiohttp
from yarl import URL

from gateway.clients.base import Failure, UpstreamError, UpstreamResponse

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class AiohttpUpstream:
    """A pooled aiohttp session bound to one service; never follows redirects, never keeps cookies."""

    enforces_timeouts = True

    def __init__(
        self, service: str, base_url: str, *, connect_timeout: float, pool_size: int, max_response_bytes: int
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.connect_timeout = connect_timeout
        self.pool_size = pool_size
        self.max_response_bytes = max_response_bytes
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    async def start(self) -> None:
        """Opens the session (inside the app's lifespan, on its event loop)."""
        connector = aiohttp.TCPConnector(
            limit=self.pool_size, limit_per_host=self.pool_size, keepalive_timeout=30, enable_cleanup_closed=True
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # Cookies set by one caller's upstream answer must never reach another caller's request.
            cookie_jar=aiohttp.DummyCookieJar(),
            # The services answer uncompressed on loopback; asking for gzip would only cost CPU on both sides.
            skip_auto_headers=("Accept-Encoding", "User-Agent"),
            auto_decompress=False,
            raise_for_status=False,
        )

    async def close(self) -> None:
        """Closes the session and its pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _timeout(self, total: float) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(total)
        if timeout is None:
            timeout = self._timeouts[total] = aiohttp.ClientTimeout(
                total=total, connect=min(self.connect_timeout, total)
            )
        return timeout

    async def send(
        self, method: str, target: str, *, headers: list[tuple[str, str]], body: bytes | None, timeout: float
    ) -> UpstreamResponse:
        """Sends one request and buffers the answer (bounded by max_response_bytes)."""
        if self._session is None:
            raise UpstreamError(self.service, Failure.UNAVAILABLE, "client not started")
        # encoded=True: the target was validated and encoded by the router; yarl must not re-normalize it.
        url = URL(self.base_url + target, encoded=True)
        try:
            async with self._session.request(
                method, url, headers=headers, data=body, allow_redirects=False, timeout=self._timeout(timeout)
            ) as response:
                if response.status in REDIRECTS:
                    raise UpstreamError(self.service, Failure.BAD_RESPONSE, "redirect refused")
                payload = await self._read(response)
                return UpstreamResponse(response.status, list(response.headers.items()), payload)
        except UpstreamError:
            raise
        except aiohttp.ConnectionTimeoutError:
            raise UpstreamError(self.service, Failure.TIMEOUT, "connect timeout", not_sent=True) from None
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamError(self.service, Failure.UNAVAILABLE, type(exc).__name__, not_sent=True) from None
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise UpstreamError(self.service, Failure.TIMEOUT, "no answer in time") from None
        except (aiohttp.ClientConnectionError, OSError) as exc:
            raise UpstreamError(self.service, Failure.UNAVAILABLE, type(exc).__name__) from None
        except aiohttp.ClientError as exc:
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, type(exc).__name__) from None

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        length = response.content_length
        if length is not None:
            if length > self.max_response_bytes:
                raise UpstreamError(self.service, Failure.BAD_RESPONSE, "response too large")
            return await response.read()
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise UpstreamError(self.service, Failure.BAD_RESPONSE, "response too large")
            chunks.append(chunk)
        return b"".join(chunks)
