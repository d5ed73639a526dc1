"""The process runtime of one service: database, NATS, outbox relay, consumers and periodic jobs, in lifespan.

Start order: database (durability asserted) → NATS (in the background, so the API serves and writes to the
outbox while the broker is away) → own stream → relay → consumers → periodic jobs. Stop in reverse.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel import metrics
from kernel.audit import PostgresAppender, ReadAuditor, SqliteAppender
from kernel.auth import Principal, TokenVerifier
from kernel.consistency import ConsistencyGate
from kernel.consumer import ConsumerRunner, Subscription
from kernel.contracts.base import Contract
from kernel.db import Database, count_statements, make_audit_engine, make_database, make_relay_engine
from kernel.heap import freeze_startup_heap
from kernel.inbox import purge_inbox
from kernel.nats_client import NatsConnection, ensure_stream, stream_config
from kernel.outbox import OutboxRelay, OutboxWriter
from kernel.service_context import ServiceContext
from kernel.settings import ServiceSettings
from kernel.subjects import stream_name
from kernel.uow import KernelTables, UnitOfWork

log = logging.getLogger("kernel.runtime")
U = TypeVar("U", bound=UnitOfWork)
C = TypeVar("C", bound=ServiceContext)


@dataclass(frozen=True)
class PeriodicJob:
    """A coroutine run every `interval_s` seconds (it must be safe when several replicas run it)."""

    name: str
    interval_s: float
    run: Callable[[ServiceRuntime], Awaitable[Any]]
    initial_delay_s: float = 1.0


def job_items(result: Any) -> int:
    """How many items a periodic job's run handled, from what it returns: a count, or counts by kind (a dict);
    anything else counts none. Summed over replicas (`youwei_job_items_total`), it shows each item handled once."""
    if isinstance(result, bool):
        return 0
    if isinstance(result, int):
        return max(result, 0)
    if isinstance(result, dict):
        return sum(job_items(v) for v in result.values())
    return 0


class ServiceRuntime(Generic[U, C]):
    """Everything a service process holds between startup and shutdown.

    Generic over the service's unit of work and its context: `uow()` returns a `U` carrying `context` (a `C`),
    the one way configuration (settings, calendar, rule parameters, sealer…) reaches use cases.
    """

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        tables: KernelTables,
        uow_class: type[U],
        to_contracts: Callable[[Any], Iterable[Contract]],
        context: C | None = None,
        subscriptions: Sequence[Subscription] = (),
        jobs: Sequence[PeriodicJob] = (),
    ) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.tables = tables
        self.uow_class = uow_class
        self.context: C = (
            context
            if context is not None
            else ServiceContext(  # type: ignore[assignment]
                settings, ServiceContext.load_calendar(settings)
            )
        )
        self.to_contracts = to_contracts
        self.subscriptions = list(subscriptions)
        self.jobs = list(jobs)
        self.outbox = OutboxWriter(tables.outbox, settings.service_name, settings.type_prefix)
        self.db: Database | None = None
        self.nats: NatsConnection | None = None
        self.relay: OutboxRelay | None = None
        self.runners: list[ConsumerRunner] = []
        self.verifier: TokenVerifier | None = None
        self._tasks: list[asyncio.Task] = []
        self._audit_engine: Any = None  # PostgreSQL: the read audit's own pool (kernel.db.make_audit_engine)
        self._stream_ready = False
        self.consistency = ConsistencyGate(self)
        self.read_auditor = ReadAuditor(tables.audit, self._audit_transaction) if tables.audit is not None else None

    # -- units of work -------------------------------------------------------------------------------
    def uow(self) -> U:
        """Returns a new unit of work over the writer, carrying the service's context."""
        assert self.db is not None, "runtime not started"
        return self.uow_class(
            db=self.db,
            tables=self.tables,
            outbox=self.outbox,
            to_contracts=self.to_contracts,
            notify=self._notify,
            context=self.context,
        )

    @asynccontextmanager
    async def _audit_transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.uow() as uow:
            yield uow.conn
            await uow.commit()

    async def audit_reads(
        self, principal: Principal | None, object_type: str, ids: Iterable[str], purpose: str, action: str = "READ"
    ) -> None:
        """Records one audit row per object read and returns once they are durable; the reads waiting at the same
        time share one transaction (kernel.audit.ReadAuditor)."""
        await self.audit_read_groups(principal, purpose, [(object_type, ids)], action)

    async def audit_read_groups(
        self,
        principal: Principal | None,
        purpose: str,
        groups: Iterable[tuple[str, Iterable[str]]],
        action: str = "READ",
    ) -> None:
        """`audit_reads` for objects of several types read by one request: one wait for one commit."""
        assert self.read_auditor is not None, "this service's KernelTables has no audit table"
        entries = [(action, object_type, str(i), purpose) for object_type, ids in groups for i in ids]
        await self.read_auditor.append(principal, entries)

    def _notify(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    # -- lifecycle -----------------------------------------------------------------------------------
    def make_verifier(self) -> TokenVerifier | None:
        """Builds the token verifier from settings (None when no JWKS is configured, e.g. in bare tests)."""
        s = self.settings
        if not (s.auth_jwks_file or s.auth_jwks_url):
            return None
        return TokenVerifier(
            issuer=s.auth_issuer,
            audience=s.auth_audience,
            algorithms=s.auth_algorithms,
            jwks_file=s.auth_jwks_file,
            jwks_url=s.auth_jwks_url,
            leeway_s=s.auth_leeway_s,
            max_token_bytes=s.auth_max_token_bytes,
            max_lifetime_s=s.auth_max_token_lifetime_s,
        )

    async def start(self) -> None:
        """Opens the database, starts the relay, the consumers and the jobs; NATS connects in the background."""
        s = self.settings
        self.verifier = self.make_verifier()
        self.db = make_database(
            s.database_url, pool_size=s.db_pool_size, statement_timeout_ms=s.pg_statement_timeout_ms
        )
        await self.db.verify_durability(require_durable=s.environment == "production")
        relay_engine = make_relay_engine(self.db)
        count_statements(s.service_name, self.db.writer, self.db.reader, relay_engine)
        if self.read_auditor is not None and self.db.is_sqlite:
            self.read_auditor.append_group = SqliteAppender(
                self.tables.audit, self.db.writer, self.db.write_lock, service=s.service_name
            )
        elif self.read_auditor is not None and await PostgresAppender.available(self.db.writer):
            self._audit_engine = make_audit_engine(self.db)  # never the requests' pool (kernel.db)
            count_statements(s.service_name, self._audit_engine)
            self.read_auditor.append_group = PostgresAppender(self._audit_engine)
        self.nats = NatsConnection(
            url=s.nats_url,
            name=s.service_name,
            connect_timeout=s.nats_connect_timeout,
            user=s.nats_user,
            password=s.nats_password,
        )
        self.relay = OutboxRelay(
            engine=relay_engine,
            table=self.tables.outbox,
            producer=s.service_name,
            namespace=s.events_namespace,
            stream=stream_name(s.events_namespace, s.service_name),
            js_provider=self._js_if_ready,
            read_engine=self.db.reader if self.db.is_sqlite else None,
            write_lock=self.db.write_lock,
            batch_size=s.relay_batch_size,
            poll_interval=s.relay_poll_interval,
            lease_s=s.relay_lease_s,
            publish_timeout=s.relay_publish_timeout,
            retention_days=s.outbox_retention_days,
            on_published=self.consistency.published.notify,
        )
        stream_options = dict(
            max_age_days=s.stream_max_age_days,
            duplicate_window_s=s.stream_duplicate_window_s,
            max_msg_size=s.stream_max_msg_size,
            replicas=s.stream_replicas,
        )
        self.runners = [
            ConsumerRunner(
                consumer=s.service_name,
                subscription=sub,
                nats_conn=self.nats,
                namespace=s.events_namespace,
                uow_factory=self.uow,
                fetch_batch=s.consumer_fetch_batch,
                fetch_timeout=s.consumer_fetch_timeout,
                linger=s.consumer_linger_s,
                ack_wait=s.consumer_ack_wait_s,
                max_deliver=s.consumer_max_deliver,
                max_ack_pending=s.consumer_max_ack_pending,
                backoff_base=s.consumer_backoff_base_s,
                backoff_max=s.consumer_backoff_max_s,
                stream_options=stream_options,
                on_commit=self.consistency.committed,
            )
            for sub in self.subscriptions
        ]
        self.relay.start()
        self._tasks.append(asyncio.create_task(self._connect_nats(), name=f"nats-connect-{self.service}"))
        for job in self.jobs:
            self._tasks.append(asyncio.create_task(self._run_job(job), name=f"job-{job.name}"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name=f"housekeeping-{self.service}"))

    def _js_if_ready(self) -> Any:
        if self.nats is None or not self._stream_ready:
            return None
        return self.nats.jetstream()

    async def _declare_own_stream(self) -> None:
        assert self.nats is not None and self.nats.js is not None
        s = self.settings
        await ensure_stream(
            self.nats.js,
            stream_config(
                s.events_namespace,
                s.service_name,
                max_age_days=s.stream_max_age_days,
                duplicate_window_s=s.stream_duplicate_window_s,
                max_msg_size=s.stream_max_msg_size,
                replicas=s.stream_replicas,
            ),
        )
        self._stream_ready = True

    async def _redeclare(self) -> None:
        """After a reconnect the broker may have lost its state: declare the stream and consumers again."""
        await self._declare_own_stream()
        for runner in self.runners:
            await runner.declare()
        if self.relay is not None:
            self.relay.wake()

    async def _connect_nats(self) -> None:
        assert self.nats is not None
        attempt = 0
        while True:
            try:
                await self.nats.connect()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                attempt += 1
                log.warning(
                    "nats not reachable yet", extra={"service": self.service, "attempt": attempt, "error": repr(exc)}
                )
                await asyncio.sleep(min(0.5 * attempt, 5.0))
        while True:
            try:
                await self._declare_own_stream()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("stream declaration failed", extra={"service": self.service, "error": repr(exc)})
                await asyncio.sleep(1.0)
        self.nats.on_reconnect(self._redeclare)
        self.relay.wake()  # type: ignore[union-attr]
        for runner in self.runners:
            runner.start()

    async def _run_job(self, job: PeriodicJob) -> None:
        await asyncio.sleep(job.initial_delay_s)
        while True:
            try:
                result = await job.run(self)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                metrics.JOB_RUNS.labels(self.service, job.name, "failed").inc()
                log.warning("periodic job failed", extra={"job": job.name, "error": repr(exc)})
            else:
                metrics.JOB_RUNS.labels(self.service, job.name, "ok").inc()
                if items := job_items(result):
                    metrics.JOB_ITEMS.labels(self.service, job.name).inc(items)
            await asyncio.sleep(job.interval_s)

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(600)
            try:
                async with self.uow() as uow:
                    await purge_inbox(uow.conn, self.tables.inbox, older_than_days=self.settings.inbox_retention_days)
                    await uow.commit()
                if self.relay is not None:
                    metrics.OUTBOX_LAG.labels(self.service).set(await self.relay.lag_seconds())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("housekeeping failed", extra={"error": repr(exc)})

    async def stop(self) -> None:
        """Stops consumers, jobs, the relay and NATS, then closes the database."""
        await asyncio.gather(*(runner.stop() for runner in self.runners))
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks.clear()
        if self.relay is not None:
            await self.relay.stop()
            if self.db is not None and self.relay.engine is not self.db.writer:
                await self.relay.engine.dispose()
        if self.nats is not None:
            await self.nats.close()
        if self._audit_engine is not None:
            await self._audit_engine.dispose()
            self._audit_engine = None
        if self.db is not None:
            await self.db.dispose()

    async def wait_ready(self, timeout: float = 15.0) -> None:
        """Waits until NATS is connected, the own stream declared and every consumer bound."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            checks = await self.readiness()
            if all(v is True for v in checks.values()):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{self.service} not ready: {checks}")
            await asyncio.sleep(0.02)

    async def readiness(self) -> dict[str, Any]:
        """Reports database, NATS and consumer binding (all must be true to be ready)."""
        checks: dict[str, Any] = {}
        try:
            assert self.db is not None
            await asyncio.wait_for(self.db.ping(), timeout=2)
            checks["database"] = True
        except Exception as exc:
            checks["database"] = {"ok": False, "error": type(exc).__name__}
        checks["nats"] = bool(self.nats and self.nats.connected and self._stream_ready)
        checks["consumers"] = all(r.bound for r in self.runners) if self.runners else True
        return checks

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """FastAPI lifespan: start on entry, stop on exit."""
        app.state.runtime = self
        await self.start()
        app.state.verifier = self.verifier
        freeze_startup_heap()
        try:
            yield
        finally:
            await self.stop()
