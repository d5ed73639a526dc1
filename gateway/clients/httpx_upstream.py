"""An upstream client on httpx (its own transport, or an injected one such as MockTransport / ASGITransport).

Production uses AiohttpUpstream; this one exists to measure httpx's default transport in the benchmark and to
let unit tests inject httpx.MockTransport.
"""

from __future__ import annotations

import httpx

from gateway.clients.base import Failure, UpstreamError, UpstreamResponse

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class HttpxUpstream:
    """A pooled httpx.AsyncClient bound to one service; never follows redirects, never keeps cookies."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        connect_timeout: float,
        pool_size: int,
        max_response_bytes: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.connect_timeout = connect_timeout
        self.pool_size = pool_size
        self.max_response_bytes = max_response_bytes
        self.transport = transport
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Opens the client (inside the app's lifespan)."""
        limits = httpx.Limits(max_connections=self.pool_size, max_keepalive_connections=self.pool_size)
        self._client = httpx.AsyncClient(
            base_url=self.base_url, transport=self.transport, limits=limits, follow_redirects=False, trust_env=False
        )

    async def close(self) -> None:
        """Closes the client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(
        self, method: str, target: str, *, headers: list[tuple[str, str]], body: bytes | None, timeout: float
    ) -> UpstreamResponse:
        """Sends one request and buffers the answer (bounded by max_response_bytes)."""
        if self._client is None:
            raise UpstreamError(self.service, Failure.UNAVAILABLE, "client not started")
        request = self._client.build_request(
            method,
            httpx.URL(self.base_url + target),
            headers=headers,
            content=body,
            timeout=httpx.Timeout(timeout, connect=min(self.connect_timeout, timeout)),
        )
        # Cookies stored from one caller's answer must never reach another caller's request.
        request.headers.pop("cookie", None)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.ConnectTimeout:
            raise UpstreamError(self.service, Failure.TIMEOUT, "connect timeout", not_sent=True) from None
        except httpx.ConnectError as exc:
            raise UpstreamError(self.service, Failure.UNAVAILABLE, type(exc).__name__, not_sent=True) from None
        except httpx.TimeoutException:
            raise UpstreamError(self.service, Failure.TIMEOUT, "no answer in time") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, OSError) as exc:
            raise UpstreamError(self.service, Failure.UNAVAILABLE, type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, type(exc).__name__) from None
        try:
            if response.status_code in REDIRECTS:
                raise UpstreamError(self.service, Failure.BAD_RESPONSE, "redirect refused")
            length = response.headers.get("content-length")
            if length is not None and length.isdigit():
                if int(length) > self.max_response_bytes:
                    raise UpstreamError(self.service, Failure.BAD_RESPONSE, "response too large")
                payload = await response.aread()
            else:
                chunks, size = [], 0
                async for chunk in response.aiter_raw():
                    size += len(chunk)
                    if size > self.max_response_bytes:
                        raise UpstreamError(self.service, Failure.BAD_RESPONSE, "response too large")
                    chunks.append(chunk)
                payload = b"".join(chunks)
            return UpstreamResponse(response.status_code, list(response.headers.multi_items()), payload)
        except httpx.TimeoutException:
            raise UpstreamError(self.service, Failure.TIMEOUT, "no answer in time") from None
        except httpx.HTTPError as exc:
            raise UpstreamError(self.service, Failure.BAD_RESPONSE, type(exc).__name__) from None
        finally:
            await response.aclose()
