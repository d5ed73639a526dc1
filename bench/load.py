"""A load generator in its own process (`python -m bench.load ...`), printing one JSON line of results.

Closed loop (--concurrency workers as fast as answers come) or open loop (--rate requests per second).
Bounded by --duration seconds and --max-requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid

import aiohttp


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(pct / 100 * len(ordered) + 0.5)) - 1))]


def _body(template: str | None, n: int) -> bytes | None:
    if template is None:
        return None
    return template.replace("{n}", str(n)).replace("{uuid}", uuid.uuid4().hex).encode()


async def run(args: argparse.Namespace) -> dict:
    """Sends requests until the duration or the request budget is spent."""
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    counter = 0
    started = time.perf_counter()
    deadline = started + args.duration
    connector = aiohttp.TCPConnector(limit=max(args.concurrency, 1) * 2, force_close=False)

    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            nonlocal counter, errors
            counter += 1
            n = counter
            request_headers = dict(headers)
            if args.idempotency:
                request_headers["Idempotency-Key"] = uuid.uuid4().hex
            t0 = time.perf_counter()
            try:
                async with session.request(
                    args.method, args.url, data=_body(args.body, n), headers=request_headers
                ) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            except (TimeoutError, aiohttp.ClientError):
                errors += 1
                return
            latencies.append(time.perf_counter() - t0)

        if args.rate:
            interval = 1.0 / args.rate
            tasks = []
            next_at = started
            while time.perf_counter() < deadline and counter < args.max_requests:
                now = time.perf_counter()
                if now < next_at:
                    await asyncio.sleep(next_at - now)
                tasks.append(asyncio.create_task(one()))
                next_at += interval
            await asyncio.gather(*tasks)
        else:

            async def worker() -> None:
                while time.perf_counter() < deadline and counter < args.max_requests:
                    await one()

            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "requests": sum(statuses.values()) + errors,
        "ok": ok,
        "statuses": statuses,
        "errors": errors,
        "seconds": round(elapsed, 3),
        "rps": round(ok / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(_percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 99) * 1000, 2),
        "started_at": time.time() - elapsed,
    }


def main() -> None:
    """Parses arguments and prints the result as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", help="request body; {n} and {uuid} are replaced per request")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--idempotency", action="store_true", help="send a fresh Idempotency-Key per request")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
