"""Read-your-writes across services: consistency tokens on write answers, bounded waits on requests presenting them.

A write answer carries `X-Consistency-Token`: the producer and the (type, id) of every event its transaction put
in the outbox. A request presenting the token to a consuming service waits, bounded by `consistency_wait_s`, until
that service's consumers hold every one of those event ids of a type they subscribe to in their inbox (events
they do not consume are not waited for); past the bound it answers 503 with Retry-After (rule
`consistency.propagating`). The wait holds no database connection and no write lock: it checks the inbox on a
reader connection, then sleeps until a consumer of this process commits a batch (or a short poll interval, for
consumers in other replicas).

Without a token, a consuming service that answers "cadre not found" (or "org unit not found") while its consumer
of rank's stream is behind answers 503 `directory.propagating` instead: the directory may not have the entry yet.
Unknown and out-of-scope ids get the same answer either way (kernel.access: existence is never revealed).

Token format (docs/DEVELOPING.md, "Read-your-writes"): base64url (no padding) of the JSON
`{"v": 1, "p": "<producer>", "e": {"<event key>": ["<event id>", …]}}`, at most MAX_EVENTS ids; a write that
emitted more keeps the last event of each aggregate, then the last MAX_EVENTS of those, and sets `"x": 1`.
Several tokens (one per producer) may be presented in one header, comma-separated.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.sql import in_bound

log = logging.getLogger("kernel.consistency")

HEADER = "X-Consistency-Token"
_HEADER_LOWER = HEADER.lower().encode()
# A writer that will not present the token at once (a bulk import) says `Prefer: consistency=eventual` (RFC 7240):
# its answer goes out at commit, without waiting for the relay to publish; the token it carries stays valid (a
# reader presenting it waits on its side, bounded by consistency_wait_s).
EVENTUAL = "consistency=eventual"
VERSION = 1
MAX_EVENTS = 16
MAX_TOKENS = 4
MAX_HEADER_CHARS = 4096
PROPAGATING_RULE = "consistency.propagating"
DIRECTORY_RULE = "directory.propagating"
# The not-found rules answered from the directory that rank's events feed (kernel.access).
DIRECTORY_NOT_FOUND_RULES = frozenset({"scope.cadre", "scope.org_unit"})
DIRECTORY_PRODUCER = "rank"

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,127}$")
_EVENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")


class TokenError(ValueError):
    """A consistency token that cannot be read (the message never echoes it)."""


@dataclass(frozen=True)
class Emitted:
    """One event a transaction put in the outbox."""

    key: str  # EventName.key, e.g. rank.cadre-registered.v1
    event_id: str
    aggregate: str = ""


@dataclass(frozen=True)
class Token:
    """What a reader must have applied to see a write: events of one producer, by type."""

    producer: str
    events: tuple[tuple[str, str], ...]  # (key, event id)
    truncated: bool = False

    def ids_of(self, keys: Iterable[str]) -> list[str]:
        """The event ids of the given types."""
        wanted = set(keys)
        return [event_id for key, event_id in self.events if key in wanted]


# -- encoding ---------------------------------------------------------------------------------------------------


def bounded(events: Sequence[Emitted], limit: int = MAX_EVENTS) -> tuple[list[Emitted], bool]:
    """Keeps at most `limit` events: all of them if they fit, else the last of each aggregate (then the last ones).

    Per aggregate the relay publishes in order, so the last event of an aggregate is the one that shows its state.
    """
    if len(events) <= limit:
        return list(events), False
    last: dict[tuple[str, str], Emitted] = {}
    for event in events:
        last.pop((event.aggregate, event.key), None)
        last[(event.aggregate, event.key)] = event  # re-inserted: dict order follows the latest occurrence
    kept = list(last.values())[-limit:]
    return kept, True


def encode_token(producer: str, events: Sequence[Emitted], *, limit: int = MAX_EVENTS) -> str:
    """Encodes the token of a write (base64url JSON, no padding)."""
    kept, truncated = bounded(events, limit)
    grouped: dict[str, list[str]] = {}
    for event in kept:
        grouped.setdefault(event.key, []).append(event.event_id)
    body: dict[str, Any] = {"v": VERSION, "p": producer, "e": grouped}
    if truncated:
        body["x"] = 1
    return base64.urlsafe_b64encode(orjson.dumps(body)).rstrip(b"=").decode()


def decode_token(text: str) -> Token:
    """Decodes one token; raises TokenError for anything that is not a token this kernel wrote."""
    if not text or len(text) > MAX_HEADER_CHARS or not _B64.match(text):
        raise TokenError("not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError):
        raise TokenError("not base64url JSON") from None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise TokenError("unknown version")
    producer, grouped = body.get("p"), body.get("e")
    if not isinstance(producer, str) or not _NAME.match(producer) or not isinstance(grouped, dict):
        raise TokenError("bad producer or events")
    events: list[tuple[str, str]] = []
    for key, ids in grouped.items():
        if not _KEY.match(key) or not isinstance(ids, list):
            raise TokenError("bad event type")
        for event_id in ids:
            if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
                raise TokenError("bad event id")
            events.append((key, event_id))
    if len(events) > MAX_EVENTS:
        raise TokenError("too many events")
    return Token(producer, tuple(events), truncated=body.get("x") == 1)


def parse_header(value: str) -> list[Token]:
    """Reads a header value: one token, or several separated by commas (at most MAX_TOKENS)."""
    if len(value) > MAX_HEADER_CHARS:
        raise TokenError("header too long")
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or len(parts) > MAX_TOKENS:
        raise TokenError("no token, or too many")
    return [decode_token(p) for p in parts]


# -- what a request's transactions emitted ------------------------------------------------------------------------

_committed: contextvars.ContextVar[list[tuple[str, list[Emitted]]] | None] = contextvars.ContextVar(
    "consistency_committed", default=None
)


def record_commit(producer: str, events: Sequence[Emitted]) -> None:
    """Called by the unit of work after a commit that enqueued events: the request's answer names them."""
    sink = _committed.get()
    if sink is not None and events:
        sink.append((producer, list(events)))


def response_token(sink: list[tuple[str, list[Emitted]]]) -> str | None:
    """The token of everything a request committed (one producer per service, so one token)."""
    if not sink:
        return None
    producer = sink[0][0]
    events = [e for p, batch in sink if p == producer for e in batch]
    return encode_token(producer, events)


# -- waiting ------------------------------------------------------------------------------------------------------


class Progress:
    """Wakes waiters when a consumer of this process commits a batch (one future per generation)."""

    def __init__(self) -> None:
        self.generation = 0
        self._future: asyncio.Future[None] | None = None

    def notify(self) -> None:
        self.generation += 1
        future, self._future = self._future, None
        if future is not None and not future.done():
            future.set_result(None)

    async def wait(self, timeout: float) -> None:
        """Returns at the next notify() or after `timeout` seconds."""
        if self._future is None or self._future.done():
            self._future = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._future), timeout=max(timeout, 0.0))
        except TimeoutError:
            pass


class ConsistencyGate:
    """Answers "has this service applied these events?" and "is its directory behind?" for one runtime."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.progress = Progress()
        self.published = Progress()  # the outbox relay of this process marked rows published
        self._unpublished: Any = None  # the statement of `unpublished`, built once
        self.publish_waits = 0
        self.publish_timeouts = 0
        self.publish_queries = 0  # times a publish wait asked the database
        self.directory_generation = 0  # batches committed by the consumers of rank's stream
        # Rules of a service's own that also mean "this cadre or unit is not in my directory" (besides the
        # kernel's uniform 404s), e.g. a 422 for an unknown id in a list.
        self.directory_miss_rules: set[str] = set()
        self.waits = 0
        self.timeouts = 0
        self.waited_s_total = 0.0

    @property
    def settings(self) -> Any:
        return self.runtime.settings

    def committed(self, runner: Any) -> None:
        """Called by a consumer runner after each committed batch: wakes the waiters."""
        if runner.subscription.producer == DIRECTORY_PRODUCER:
            self.directory_generation += 1
        self.progress.notify()

    def pending_ids(self, tokens: Sequence[Token]) -> dict[str, set[str]]:
        """Per durable of this service: the token's event ids of the types that durable consumes."""
        needed: dict[str, set[str]] = {}
        for runner in self.runtime.runners:
            for token in tokens:
                if runner.subscription.producer != token.producer:
                    continue
                ids = token.ids_of(runner.table)
                if ids:
                    needed.setdefault(runner.durable, set()).update(ids)
        return needed

    async def missing(self, needed: dict[str, set[str]]) -> dict[str, set[str]]:
        """Removes the ids already in the inbox (checked on a reader connection, released at once)."""
        inbox = self.runtime.tables.inbox
        durables = sorted(needed)
        ids = sorted({i for group in needed.values() for i in group})
        async with self.runtime.db.reader.connect() as conn:
            rows = (
                await conn.execute(
                    select(inbox.c.consumer, inbox.c.message_id).where(
                        inbox.c.consumer.in_(durables), inbox.c.message_id.in_(ids)
                    )
                )
            ).all()
        left = {durable: set(group) for durable, group in needed.items()}
        for consumer, message_id in rows:
            if consumer in left:
                left[consumer].discard(message_id)
        return {durable: group for durable, group in left.items() if group}

    async def wait_for(self, tokens: Sequence[Token], *, timeout: float | None = None) -> bool:
        """Waits until every relevant event is applied; False when the bound passed first."""
        needed = self.pending_ids(tokens)
        if not needed:
            return True
        bound = self.settings.consistency_wait_s if timeout is None else timeout
        poll = self.settings.consistency_poll_s
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + bound
        self.waits += 1
        try:
            while True:
                generation = self.progress.generation
                needed = await self.missing(needed)
                if not needed:
                    return True
                now = loop.time()
                if now >= deadline:
                    self.timeouts += 1
                    return False
                if self.progress.generation == generation:
                    await self.progress.wait(min(poll, deadline - now))
        finally:
            self.waited_s_total += loop.time() - started

    def broker_up(self) -> bool:
        """Tells whether the relay can publish now (connected, own stream declared)."""
        return self.runtime.relay is not None and self.runtime._js_if_ready() is not None

    async def unpublished(self, ids: Sequence[str], *, ask_database: bool = True) -> set[str]:
        """The given event ids still waiting in this service's outbox: those this process's relay did not publish
        lately, then (`ask_database`) checked on a reader connection (another replica's relay may have published
        them)."""
        relay = self.runtime.relay
        ids = [i for i in ids if relay is None or i not in relay.recent]
        if not ids or not ask_database:
            return set(ids)
        if self._unpublished is None:
            outbox = self.runtime.tables.outbox
            self._unpublished = select(outbox.c.event_id).where(
                in_bound(outbox.c.event_id, self.runtime.db.reader.dialect.name), outbox.c.published_at.is_(None)
            )
        self.publish_queries += 1
        async with self.runtime.db.reader.connect() as conn:
            rows = (await conn.execute(self._unpublished, {"ids": ids})).all()
        return {r[0] for r in rows}

    async def wait_published(self, events: Sequence[Emitted]) -> bool:
        """Waits (bounded by consistency_publish_wait_s) until the relay has published these events; False if the
        bound passed or the broker is away (then the answer goes out at once: writes never wait on the broker)."""
        bound = self.settings.consistency_publish_wait_s
        if not events or bound <= 0 or not self.broker_up():
            return False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + bound
        ids = [e.event_id for e in events]
        self.publish_waits += 1
        relay = self.runtime.relay
        # A claim of this process's relay that begins after this point sees these (committed) rows, unless another
        # replica's relay holds them: only once such a claim has finished without them, or a round passed with no
        # publication at all, is the database asked (measured: that query was 5 % of rank's CPU under a write load).
        seen = relay.claims_started if relay is not None else 0
        rounds = 0
        quiet = False
        while True:
            generation = self.published.generation
            # This process's relay tells what it published without a query. Only it publishes a SQLite database's
            # rows; on PostgreSQL another replica's relay may have taken them.
            ask = relay is None or (relay.leases and rounds > 0 and (quiet or relay.claims_finished > seen))
            ids = sorted(await self.unpublished(ids, ask_database=ask))
            rounds += 1
            if not ids:
                return True
            now = loop.time()
            if now >= deadline or not self.broker_up():
                self.publish_timeouts += 1
                return False
            if self.published.generation == generation:
                await self.published.wait(min(self.settings.consistency_poll_s, deadline - now))
            quiet = self.published.generation == generation

    def directory_runners(self) -> list[Any]:
        return [r for r in self.runtime.runners if r.subscription.producer == DIRECTORY_PRODUCER]

    async def directory_behind(self, since_generation: int | None) -> bool:
        """Tells whether the directory may lack an entry rank has registered: a consumer of rank's stream has a
        batch in hand, committed one during this request, or has messages pending or unacknowledged on its durable.

        When the broker cannot tell (not connected, slow), answers False: the uniform 404 stays.
        """
        runners = self.directory_runners()
        if not runners:
            return False
        if since_generation is not None and self.directory_generation != since_generation:
            return True
        if any(r.busy for r in runners):
            return True
        js = self.runtime.nats.js if self.runtime.nats is not None else None
        if js is None:
            return False
        for runner in runners:
            try:
                info = await js.consumer_info(
                    runner.stream, runner.durable, timeout=self.settings.consistency_lag_check_timeout_s
                )
            except Exception as exc:
                log.info("consumer lag unknown", extra={"consumer": runner.durable, "error": type(exc).__name__})
                continue
            if (info.num_pending or 0) + (info.num_ack_pending or 0) > 0:
                return True
        return False


# -- HTTP ---------------------------------------------------------------------------------------------------------

_generation_at_start: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "consistency_generation", default=None
)


def is_directory_miss(gate: ConsistencyGate, status: int, rule: str | None, detail: str) -> bool:
    """Tells whether an answer means "not in the directory" (a cadre or org unit that rank's events bring): the
    kernel's uniform 404s, or a rule the service declared (`ConsistencyGate.directory_miss_rules`)."""
    if status == 404 and rule in DIRECTORY_NOT_FOUND_RULES:
        return True
    return rule is not None and rule in gate.directory_miss_rules


async def directory_propagating(app_state: Any, status: int, rule: str | None, detail: str) -> dict[str, str] | None:
    """For a directory miss: the Retry-After headers of a 503 when rank's events are still arriving, else None."""
    runtime = getattr(app_state, "runtime", None)
    gate = getattr(runtime, "consistency", None)
    if gate is None or not is_directory_miss(gate, status, rule, detail):
        return None
    try:
        behind = await gate.directory_behind(_generation_at_start.get())
    except Exception as exc:  # never turn a 404 into a 500
        log.info("directory lag check failed", extra={"error": type(exc).__name__})
        return None
    return retry_after(runtime.settings) if behind else None


def retry_after(settings: Any) -> dict[str, str]:
    return {"Retry-After": str(max(1, int(settings.consistency_retry_after_s)))}


class ConsistencyMiddleware:
    """Waits for a presented token before the route runs; adds the token of what the request committed."""

    def __init__(self, app: ASGIApp, *, runtime: Any) -> None:
        self.app = app
        self.runtime = runtime

    def gate(self) -> ConsistencyGate | None:
        return getattr(self.runtime, "consistency", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gate()
        if scope["type"] != "http" or gate is None:
            await self.app(scope, receive, send)
            return
        from kernel.web import problem  # kernel.web imports this module

        presented = None
        eventual = False
        for name, value in scope.get("headers") or ():
            if name == _HEADER_LOWER:
                presented = value.decode("latin-1") if presented is None else presented + "," + value.decode("latin-1")
            elif name == b"prefer":
                eventual = eventual or EVENTUAL in value.decode("latin-1").replace(" ", "").lower().split(",")
        if presented is not None:
            try:
                tokens = parse_header(presented)
            except TokenError:
                response = problem(
                    400, f"{HEADER} is malformed", type_="validation", field=HEADER, rule="consistency.token"
                )
                await response(scope, receive, send)
                return
            if not await gate.wait_for(tokens):
                response = problem(
                    503,
                    "an earlier change has not reached this service yet; retry shortly",
                    type_="propagating",
                    headers=retry_after(self.runtime.settings),
                    rule=PROPAGATING_RULE,
                )
                await response(scope, receive, send)
                return

        sink: list[tuple[str, list[Emitted]]] = []
        tokens_set = (_committed.set(sink), _generation_at_start.set(gate.directory_generation))

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = response_token(sink) if message["status"] < 400 else None
                if token is not None:
                    headers = [*message.get("headers", ()), (_HEADER_LOWER, token.encode())]
                    if eventual:
                        headers.append((b"preference-applied", EVENTUAL.encode()))
                    else:
                        try:
                            await gate.wait_published([e for _, batch in sink for e in batch])
                        except Exception as exc:  # the write is committed: answer it whatever the check did
                            log.info("publish wait failed", extra={"error": type(exc).__name__})
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_token)
        finally:
            _committed.reset(tokens_set[0])
            _generation_at_start.reset(tokens_set[1])
