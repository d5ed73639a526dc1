"""A fake unit of work for use-case tests without I/O (cosmicpython's FakeUnitOfWork).

A service's test subclass gives it fake repositories (dicts) and the service's `to_contracts`; the use case runs
unchanged (`async with uow: … return await uow.commit(result)`), and the test reads what it committed: the
contract events it would have written to the outbox, the audit rows, whether it committed at all. Work that was
not committed leaves nothing, as in the real unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kernel.auth import Principal
from kernel.contracts.base import Contract


class FakeUnitOfWork:
    """The kernel UnitOfWork's interface over memory: track, emit, audit, commit, rollback, context."""

    def __init__(self, *, to_contracts: Callable[[Any], Iterable[Contract]], context: Any = None) -> None:
        self.context = context
        self._to_contracts = to_contracts
        self.seen: list[Any] = []
        self.emitted: list[Contract] = []
        self.published: list[Contract] = []  # the contract events of every commit, in order (the outbox)
        self._pending_out: list[Contract] = []
        self.audited: list[tuple[str, str, str, str, str]] = []  # (actor, action, type, id, purpose) committed
        self._audit_pending: list[tuple[str, str, str, str, str]] = []
        self.commits = 0
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.seen, self.emitted, self._pending_out, self._audit_pending = [], [], [], []
        self.committed = False
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if not self.committed:
            await self.rollback()

    def track(self, aggregate: Any) -> None:
        """Remembers an aggregate so that its new domain events are published at commit."""
        if not any(a is aggregate for a in self.seen):
            self.seen.append(aggregate)

    def emit(self, *payloads: Contract) -> None:
        """Queues contract events directly (handlers without an aggregate)."""
        self.emitted.extend(payloads)

    def discard_events(self) -> None:
        """Drops events not yet flushed."""
        self.emitted.clear()
        for aggregate in self.seen:
            aggregate.events.clear()

    async def flush_events(self) -> int:
        """Turns the pending domain events into contract events, as the outbox would store them."""
        payloads = list(self.emitted)
        self.emitted.clear()
        for aggregate in self.seen:
            while aggregate.events:
                payloads.extend(self._to_contracts(aggregate.events.pop(0)))
        self._pending_out.extend(payloads)
        return len(payloads)

    async def audit(
        self, principal: Principal | None, action: str, object_type: str, object_id: str, purpose: str = "ROUTINE"
    ) -> None:
        await self.audit_many(principal, [(action, object_type, object_id, purpose)])

    async def audit_many(self, principal: Principal | None, entries: list[tuple[str, str, str, str]]) -> None:
        actor = principal.subject if principal else "system"
        self._audit_pending.extend((actor, *entry) for entry in entries)

    async def commit(self, result: Any = None) -> Any:
        await self.flush_events()
        self.published.extend(self._pending_out)
        self._pending_out = []
        self.audited.extend(self._audit_pending)
        self._audit_pending = []
        self.commits += 1
        self.committed = True
        return result

    async def rollback(self) -> None:
        self.discard_events()
        self._pending_out = []
        self._audit_pending = []

    def events_of(self, contract: type) -> list[Any]:
        """The committed contract events of one type."""
        return [e for e in self.published if isinstance(e, contract)]
