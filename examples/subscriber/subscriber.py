"""A department's subscriber to Youwei's events (standalone: Python 3.10+, nats-py; jsonschema if installed).

For each feed it is entitled to, it keeps a durable pull consumer named `dept_<department>__<feed>` (the server
refuses any other name or filter), so a restart resumes after the last acknowledged event. Each event is checked
against its JSON Schema (schemas.json, from the published AsyncAPI documents), skipped if its id was seen before
(a local SQLite file: JetStream delivers at least once), logged on one line, recorded, and only then acknowledged.

    python subscriber.py --url nats://127.0.0.1:4222 --password-file var/keys/nats-subscriber.password \
        --department discipline

See README.md next to this file. Replace `process()` with what your department does with an event.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import re
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

HERE = Path(__file__).resolve().parent
USER = "subscriber"
INBOX_PREFIX = "_INBOX_subscriber"  # the only inbox the subscriber may read
PETITIONS_PUBLIC = ("report_closed", "clarification_executed", "appeal_decided")
RETRY_S = 10.0
FETCH_TIMEOUT_S = 5.0

log = logging.getLogger("subscriber")


@dataclass(frozen=True)
class Feed:
    """A stream and the filter subject a consumer on it must carry (the server checks both)."""

    name: str
    stream: str
    filter_subject: str

    def durable(self, department: str) -> str:
        return f"dept_{department}__{self.name}"


def feeds(namespace: str = "cadre") -> list[Feed]:
    """What the `subscriber` user may read (docs/subscribers.md): three whole streams, three petitions events."""
    out = [Feed(p, f"{namespace}_{p}".upper(), f"{namespace}.{p}.>") for p in ("rank", "appraisal", "tolerance")]
    out += [
        Feed(f"petitions_{e}", f"{namespace}_PETITIONS".upper(), f"{namespace}.petitions.{e}.*")
        for e in PETITIONS_PUBLIC
    ]
    return out


# --- validation --------------------------------------------------------------------------------------------------


class Schemas:
    """The JSON Schemas of schemas.json; validates with jsonschema when installed, else with the checker below."""

    def __init__(self, path: Path) -> None:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        self.events: dict[str, dict[str, str]] = bundle["events"]
        self.producers: dict[str, Any] = bundle["producers"]
        try:
            import jsonschema  # type: ignore[import-untyped]
        except ImportError:
            jsonschema = None
        self._jsonschema = jsonschema

    def validate(self, key: str, event: Any) -> list[str]:
        """Problems of an event (empty: valid). An event type missing from the file is checked as a CloudEvent."""
        entry = self.events.get(key)
        producer = entry["producer"] if entry else key.split(".")[0]
        components = self.producers.get(producer, next(iter(self.producers.values())))["components"]
        root = {"$ref": entry["ref"] if entry else "#/components/schemas/CloudEvent", "components": components}
        if self._jsonschema is not None:
            return [e.message for e in self._jsonschema.Draft202012Validator(root).iter_errors(event)]
        return check(event, root, root, "$")


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "date":
            dt.date.fromisoformat(value)
        elif fmt == "date-time":
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    """A small JSON Schema checker for the keywords the published schemas use ($ref, allOf, anyOf, type, const,
    enum, properties, required, additionalProperties, items, minLength, maxLength, minimum, maximum, format)."""
    problems: list[str] = []
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        problems += check(value, target, root, path)
    for sub in schema.get("allOf", []):
        problems += check(value, sub, root, path)
    if "anyOf" in schema and all(check(value, sub, root, path) for sub in schema["anyOf"]):
        problems.append(f"{path}: matches none of the allowed shapes")
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            return problems + [f"{path}: not of type {'/'.join(names)}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: not one of {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{path}.{name}: required" for name in schema.get("required", []) if name not in value]
        for name, item in value.items():
            if name in properties:
                problems += check(item, properties[name], root, f"{path}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += check(item, schema["additionalProperties"], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{name}: not allowed")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            problems += check(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{path}: length out of bounds")
        if "format" in schema and not _format_ok(value, schema["format"]):
            problems.append(f"{path}: not a {schema['format']}")
    if _is_type(value, "number"):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            problems.append(f"{path}: out of range")
    return problems


# --- de-duplication ----------------------------------------------------------------------------------------------


class SeenStore:
    """Ids of the events already processed (SQLite, committed before the ack)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, subject TEXT NOT NULL, "
            "type TEXT NOT NULL, processed_at TEXT NOT NULL)"
        )
        self.db.commit()

    def seen(self, event_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM seen WHERE id = ?", (event_id,)).fetchone() is not None

    def add(self, event_id: str, subject: str, event_type: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?)",
            (event_id, subject, event_type, dt.datetime.now(dt.UTC).isoformat()),
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()


# --- consuming ---------------------------------------------------------------------------------------------------

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


def process(subject: str, event: dict[str, Any]) -> None:
    """What the department does with a new, valid event: here, one log line."""
    cadres = ",".join(cadre_ids(event.get("data"))) or "-"
    log.info("event subject=%s type=%s id=%s cadre=%s", subject, event.get("type"), event.get("id"), cadres)


@dataclass
class Run:
    """Shared state of one run: the stores, the count of handled messages, the stop signal."""

    schemas: Schemas
    store: SeenStore
    namespace: str
    max_messages: int | None
    handled: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, msg: Any) -> None:
        """Validates, de-duplicates, processes, records, then acknowledges one message."""
        key = msg.subject[len(self.namespace) + 1 :]
        try:
            event = json.loads(msg.data)
        except ValueError:
            event = None
        problems = ["not JSON"] if event is None else self.schemas.validate(key, event)
        if problems:
            # It can never become valid: tell the server not to deliver it again, and keep a trace here.
            log.error(
                "invalid subject=%s seq=%s: %s", msg.subject, msg.metadata.sequence.stream, "; ".join(problems[:5])
            )
            await msg.term()
        elif self.store.seen(event["id"]):
            log.info("duplicate subject=%s id=%s (already processed)", msg.subject, event["id"])
            await msg.ack_sync()
        else:
            process(msg.subject, event)
            self.store.add(event["id"], msg.subject, event.get("type", ""))
            await msg.ack_sync()  # after processing: an event processed but not acknowledged comes back, seen
        self.handled += 1
        if self.max_messages is not None and self.handled >= self.max_messages:
            self.stop.set()


async def bind(js: Any, feed: Feed, durable: str) -> Any:
    """Creates (or finds, unchanged) the department's durable on a feed and subscribes to it."""
    config = ConsumerConfig(
        name=durable,
        durable_name=durable,
        filter_subject=feed.filter_subject,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=30.0,
        max_deliver=20,
        max_ack_pending=256,
    )
    await js.add_consumer(feed.stream, config)
    return await js.pull_subscribe_bind(durable=durable, stream=feed.stream)


async def follow(js: Any, feed: Feed, durable: str, run: Run) -> None:
    """Binds (waiting for a stream that does not exist yet), then fetches and handles until told to stop."""
    sub = None
    while sub is None and not run.stop.is_set():
        try:
            sub = await bind(js, feed, durable)
            log.info("following %s as %s", feed.filter_subject, durable)
        except NotFoundError:
            log.warning("stream %s does not exist yet (its service has not started); retrying", feed.stream)
        except Exception as exc:  # a refused permission answers nothing: the request times out
            log.warning("cannot bind %s on %s: %r; retrying", durable, feed.stream, exc)
        if sub is None:
            await _sleep_unless(run.stop, RETRY_S)
    while not run.stop.is_set():
        try:
            msgs = await sub.fetch(20, timeout=FETCH_TIMEOUT_S)
        except (TimeoutError, nats.errors.TimeoutError):
            continue  # nothing new
        except Exception as exc:
            log.warning("fetch on %s failed: %r; retrying", durable, exc)
            await _sleep_unless(run.stop, 1.0)
            continue
        for msg in msgs:
            if run.stop.is_set():
                await msg.nak()  # not handled: handed back at once, delivered again next time
            else:
                await run.handle(msg)


async def _sleep_unless(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass


async def run(args: argparse.Namespace) -> int:
    """Connects, follows every selected feed, and stops on a signal, after --max-messages, or at --timeout."""
    password = args.password or os.environ.get("NATS_PASSWORD")
    if not password and args.password_file:
        password = Path(args.password_file).read_text(encoding="utf-8").strip()
    if not password:
        log.error("no password: give --password-file (or $NATS_PASSWORD)")
        return 2
    selected = [f for f in feeds(args.namespace) if not args.feed or f.name in args.feed]

    async def on_error(exc: Exception) -> None:
        log.warning("nats: %s", exc)

    nc = await nats.connect(
        args.url,
        user=args.user,
        password=password,
        inbox_prefix=INBOX_PREFIX,
        name=f"dept_{args.department}",
        error_cb=on_error,
        max_reconnect_attempts=-1,
        connect_timeout=5,
    )
    state = Run(
        Schemas(Path(args.schemas)),
        SeenStore(Path(args.db or f"seen-{args.department}.sqlite3")),
        args.namespace,
        args.max_messages,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, state.stop.set)
    js = nc.jetstream(timeout=5)
    tasks = [asyncio.create_task(follow(js, f, f.durable(args.department), state)) for f in selected]
    timed_out = False
    try:
        await asyncio.wait_for(state.stop.wait(), args.timeout)
    except TimeoutError:
        timed_out = True
        state.stop.set()
    finally:
        _, busy = await asyncio.wait(tasks, timeout=1.0)  # a message being handled finishes; fetches are cut short
        for task in busy:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await nc.drain()
        state.store.close()
    if timed_out and args.max_messages is not None:
        log.error("stopped after %ss with %s of %s messages", args.timeout, state.handled, args.max_messages)
        return 1
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Follow Youwei's public events as a department")
    parser.add_argument("--url", default=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"))
    parser.add_argument("--user", default=USER)
    parser.add_argument("--password-file", help="file holding the subscriber's password")
    parser.add_argument("--password", help=argparse.SUPPRESS)
    parser.add_argument("--department", required=True, help="your department (durables dept_<department>__<feed>)")
    parser.add_argument(
        "--feed",
        action="append",
        choices=[f.name for f in feeds()],
        help="follow only these feeds (repeatable; default all)",
    )
    parser.add_argument("--namespace", default="cadre")
    parser.add_argument("--db", help="SQLite file of processed event ids (default seen-<department>.sqlite3)")
    parser.add_argument("--schemas", default=str(HERE / "schemas.json"))
    parser.add_argument("--max-messages", type=int, help="stop after handling this many messages")
    parser.add_argument(
        "--timeout", type=float, help="stop after this many seconds (exit 1 if --max-messages was not reached)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    logging.getLogger("nats").setLevel(logging.CRITICAL)
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
