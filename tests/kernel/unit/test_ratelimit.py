from kernel.ratelimit import RateLimiter


def test_the_window_allows_limit_hits_then_tells_how_long_to_wait():
    limiter = RateLimiter(limit=3, window_s=60)
    assert [limiter.hit("ip", now=t)[0] for t in (0, 1, 2)] == [True, True, True]
    allowed, retry_after = limiter.hit("ip", now=3)
    assert not allowed and retry_after == 57
    assert limiter.hit("other", now=3) == (True, 0)
    assert limiter.hit("ip", now=60.5)[0]
