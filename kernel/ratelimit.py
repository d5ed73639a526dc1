"""A sliding-window rate limiter kept in process memory (one per replica; the gateway counts in NATS in front of it)."""

from __future__ import annotations

import math
import time
from collections import deque


class RateLimiter:
    """Allows at most `limit` hits per `window_s` seconds for each key."""

    def __init__(self, limit: int, window_s: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_s
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float | None = None) -> tuple[bool, int]:
        """Counts a hit; returns (allowed, seconds to wait before the next allowed hit)."""
        now = time.monotonic() if now is None else now
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:
                self._evict(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False, max(1, math.ceil(hits[0] + self.window - now))
        hits.append(now)
        return True, 0

    def _evict(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:
            self._hits.clear()
