"""Per-client rate limits (429 with Retry-After): by token subject, or by address for anonymous callers."""

from __future__ import annotations

from fastapi import Request

from gateway import metrics
from gateway.settings import GatewaySettings
from kernel.auth import Principal
from kernel.ratelimit import RateLimiter
from kernel.web import ProblemException

WINDOW_S = 60.0


class RateLimits:
    """The gateway's buckets: every request, dossier reads, and anonymous public calls."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.buckets = {
            "general": RateLimiter(settings.rate_limit_per_minute, WINDOW_S),
            "dossier": RateLimiter(settings.rate_limit_dossier_per_minute, WINDOW_S),
            "public": RateLimiter(settings.rate_limit_public_per_minute, WINDOW_S),
        }

    def check(self, bucket: str, key: str) -> None:
        """Counts a hit for `key` in `bucket`; raises 429 when the client is over its limit."""
        if not self.enabled:
            return
        allowed, wait = self.buckets[bucket].hit(key)
        if not allowed:
            metrics.RATE_LIMITED.labels(bucket).inc()
            raise ProblemException(
                429,
                "too many requests; retry later",
                type_="rate-limited",
                headers={"Retry-After": str(wait)},
                retry_after_s=wait,
            )


def client_key(request: Request, principal: Principal | None) -> str:
    """Returns the rate-limit key of a caller: the token subject, else the peer address."""
    if principal is not None:
        return "sub:" + principal.subject
    return "ip:" + (request.client.host if request.client else "unknown")
