"""`python -m kernel.topology apply`: declares every producer's stream (idempotent; also done by each service)."""

from __future__ import annotations

import argparse
import asyncio
import os

import nats

from kernel.nats_client import ensure_stream, server_urls, stream_config
from kernel.subjects import PRODUCERS


async def apply(
    nats_url: str, namespace: str, *, user: str | None = None, password: str | None = None, replicas: int = 1
) -> list[str]:
    """Creates or updates the stream of every producer; returns their names (as `user`, on a server with users).

    `replicas` must be the services' STREAM_REPLICAS, or the streams are changed back and forth."""
    credentials = {"user": user, "password": password} if user else {}
    nc = await nats.connect(server_urls(nats_url), connect_timeout=5, max_reconnect_attempts=2, **credentials)
    try:
        js = nc.jetstream()
        names = []
        for producer in PRODUCERS:
            config = stream_config(namespace, producer, replicas=replicas)
            await ensure_stream(js, config)
            names.append(config.name)
        return names
    finally:
        await nc.drain()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Declare the JetStream streams of every producer")
    parser.add_argument("action", choices=["apply"])
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    parser.add_argument("--namespace", default="cadre")
    parser.add_argument("--user", default=os.environ.get("YOUWEI_NATS_USER"))
    parser.add_argument("--replicas", type=int, default=1, help="copies of each stream (the services' STREAM_REPLICAS)")
    args = parser.parse_args()
    password = os.environ.get("YOUWEI_NATS_PASSWORD")
    streams = apply(args.nats_url, args.namespace, user=args.user, password=password, replicas=args.replicas)
    for name in asyncio.run(streams):
        print(f"stream {name} ok")


if __name__ == "__main__":
    main()
