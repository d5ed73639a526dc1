"""`youwei events tail`: events as they arrive, through an ordered ephemeral consumer per stream (nothing stays on the
broker), one line each: time, type, subject, id, cadre ids, stream sequence."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any

from suite.cli_args import CliError
from suite.cli_common import connect_nats, nats_target

_CADRE_KEY = re.compile(r"(^|[a-z])[cC]adreIds?$")


def cadre_ids(data: Any) -> list[str]:
    """Every cadre id an event's data names (cadreId, appellantCadreId, cadreOutcomes[].cadreId, …)."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if _CADRE_KEY.search(key) and isinstance(value, str):
                found.append(value)
            elif _CADRE_KEY.search(key) and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            elif isinstance(value, dict | list):
                found += cadre_ids(value)
    elif isinstance(data, list):
        for item in data:
            found += cadre_ids(item)
    return list(dict.fromkeys(found))


def filters(types: list[str] | None, namespace: str) -> dict[str, list[str]]:
    """Stream name → filter subjects, from --type values (producer, producer.event, producer.event.vN)."""
    from kernel.subjects import PRODUCERS, stream_name

    out: dict[str, list[str]] = {}
    for value in types or list(PRODUCERS):
        parts = value.split(".")
        subject = {1: f"{namespace}.{value}.>", 2: f"{namespace}.{value}.*"}.get(len(parts), f"{namespace}.{value}")
        out.setdefault(stream_name(namespace, parts[0]), []).append(subject)
    return out


def line(msg: Any) -> str:
    """One line for a message: time, type, subject, id, cadre ids, stream sequence."""
    import orjson

    seq = f"seq={msg.metadata.sequence.stream}" if msg.reply else ""
    try:
        event = orjson.loads(msg.data)
        if not isinstance(event, dict) or "type" not in event:
            raise ValueError("no type")
    except ValueError as exc:
        return f"{msg.subject} {seq} (not a CloudEvent: {str(exc)[:80]})"
    cadres = ",".join(cadre_ids(event.get("data"))) or "-"
    return (
        f"{event.get('time', '?')} {event['type']} {event.get('subject') or '-'} id={event.get('id', '?')} "
        f"cadre={cadres} {seq}"
    ).rstrip()


async def tail(args: argparse.Namespace) -> int:
    """Subscribes, prints until --count events were printed or Ctrl-C."""
    import nats.errors
    from nats.js.api import ConsumerConfig, DeliverPolicy
    from nats.js.errors import NotFoundError

    wanted = filters(args.type, args.namespace)
    if args.since_seq is not None and len(wanted) != 1:
        raise CliError(
            "--since-seq is a stream sequence: name event types of one producer with --type (e.g. --type rank)"
        )
    target = nats_target(args)
    nc = await connect_nats(target)
    queue: asyncio.Queue[Any] = asyncio.Queue()
    subscriptions = []
    try:
        js = nc.jetstream(timeout=5)
        for stream, subjects in wanted.items():
            config = ConsumerConfig(deliver_policy=DeliverPolicy.NEW, inactive_threshold=60.0)
            if args.since_seq is not None:
                config.deliver_policy, config.opt_start_seq = DeliverPolicy.BY_START_SEQUENCE, args.since_seq
            elif args.last is not None:
                config.deliver_policy = DeliverPolicy.ALL  # the older ones are skipped by their num_pending
            if len(subjects) == 1:
                config.filter_subject = subjects[0]
            else:
                config.filter_subjects = subjects
            try:
                sub = await js.subscribe(subjects[0], stream=stream, config=config, ordered_consumer=True, cb=queue.put)
            except nats.errors.TimeoutError:
                raise CliError(
                    f"NATS did not answer the creation of a consumer on {stream} as "
                    f"{target.user or 'no user'}: that user may not create consumers (the read-only "
                    "subscriber may not); use a service user (--user, --password-file)"
                ) from None
            except NotFoundError:
                if args.type:
                    raise CliError(
                        f"no stream {stream} on {target.url}: no service declared it yet "
                        "(start the suite, or `youwei topology`)"
                    ) from None
                print(f"youwei events tail: no stream {stream} yet, skipped", file=sys.stderr)
                continue
            subscriptions.append(sub)
            if args.since_seq is not None or args.last is not None:
                info = await sub.consumer_info()
                if not info.num_pending and not info.delivered.stream_seq:
                    print(
                        f"no stored event in {stream} matches {', '.join(subjects)}; waiting for new ones",
                        file=sys.stderr,
                    )
        if not subscriptions:
            raise CliError(
                f"no event stream on {target.url}: no service declared one yet (start the suite, or `youwei topology`)"
            )
        print(
            f"tailing {', '.join(f'{s} ({f})' for s, f in ((s, ', '.join(v)) for s, v in wanted.items()))} "
            f"at {target.url} as {target.user or 'no user'}; Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        printed = 0
        while args.count is None or printed < args.count:
            msg = await queue.get()
            if args.last is not None and msg.reply and msg.metadata.num_pending >= args.last:
                continue  # older than the last N stored when the tail started
            print(line(msg), flush=True)
            printed += 1
        return 0
    finally:
        for sub in subscriptions:
            try:
                await sub.unsubscribe()
            except Exception:  # noqa: BLE001, S110 - the connection closes anyway; nothing durable is left
                pass
        await nc.close()


def add_parser(events_sub: Any, nats_options: Any) -> None:
    """The `events tail` subcommand."""
    from suite.cli_args import event_type, positive_int

    parser = events_sub.add_parser(
        "tail",
        help="print events as they arrive (one line each)",
        description=__doc__,
        epilog="Embedded mode connects as the rank service's user (password from var/keys/nats-rank.password); the "
        "read-only `subscriber` user may only create its own durables, not ephemeral consumers. Elsewhere: "
        "--user and $YOUWEI_NATS_PASSWORD or --password-file. Ctrl-C stops (exit 130).",
    )
    parser.add_argument(
        "--type",
        action="append",
        type=event_type,
        metavar="TYPE",
        help="rank, rank.cadre_registered or rank.cadre_registered.v1 (repeatable; default all)",
    )
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--since-seq", type=positive_int, metavar="N", help="start at stream sequence N (types of one producer only)"
    )
    start.add_argument(
        "--last", type=positive_int, metavar="N", help="first the last N stored events of each stream, then new ones"
    )
    parser.add_argument("--count", type=positive_int, metavar="N", help="stop after N events")
    parser.add_argument("--namespace", default="cadre", help="subject namespace (default cadre)")
    nats_options(parser)
    parser.set_defaults(func=lambda args: asyncio.run(tail(args)))
