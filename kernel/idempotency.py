"""HTTP Idempotency-Key: the key, a request fingerprint and the result stored with the change (eShop x-requestid).

Keys belong to the caller: the stored key is a hash of the token subject and the key, so that another principal's
request with the same key is neither answered with the first caller's result nor refused (RFC 9110 §9.2.2 leaves
the scope to the server; draft-ietf-httpapi-idempotency-key-header §2 recommends per-client keys).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from sqlalchemy.exc import IntegrityError

from kernel.auth import Principal
from kernel.consistency import Emitted, TokenError, decode_token, record_commit
from kernel.errors import DomainError
from kernel.inbox import stored_response
from kernel.security import current_principal
from kernel.uow import IdempotencyClaim, UnitOfWork, to_jsonable
from kernel.web import ProblemException

HEADER = "Idempotency-Key"
log = logging.getLogger("kernel.idempotency")


@dataclass
class Idempotency:
    """Runs a use case at most once per key; a retry with the same key and body gets the stored result."""

    key: str | None
    fingerprint: str
    runtime: Any
    subject: str = ""

    def __post_init__(self) -> None:
        if self.key is not None:
            self.key = scoped_key(self.subject, self.key)

    async def run(self, uow: UnitOfWork, action: Callable[[], Awaitable[Any]]) -> Any:
        """Runs `action` (which commits `uow`) and returns its JSON result, or the stored one on a retry."""
        if self.key is None:
            return to_jsonable(await action())
        uow.idempotency = IdempotencyClaim(self.key, self.fingerprint)
        try:
            return to_jsonable(await action())
        except (DomainError, IntegrityError):
            # Either the retry tripped a domain rule (e.g. "already registered") or the key's row already
            # exists: if the key was used before, answer as the first time did.
            stored = await self._stored()
            if stored is None:
                raise
            return self._replay(stored)

    async def _stored(self) -> tuple[str | None, str | None, str | None] | None:
        assert self.key is not None
        db = self.runtime.db
        async with db.reader.connect() as conn:
            return await stored_response(conn, self.runtime.tables.inbox, self.key)

    def _replay(self, stored: tuple[str | None, str | None, str | None]) -> Any:
        request_hash, response, token = stored
        if request_hash != self.fingerprint:
            raise ProblemException(
                422,
                "Idempotency-Key was already used with a different request",
                type_="idempotency-key-reused",
                field=HEADER,
            )
        if token:
            # The replay names the events of the first answer, so a client whose first answer was lost (a timeout,
            # a replica killed after its commit) still presents them with its next write (docs/gateway.md).
            try:
                first = decode_token(token)
            except TokenError:
                log.warning("stored consistency token unreadable", extra={"key": self.key})
            else:
                record_commit(first.producer, [Emitted(key, event_id) for key, event_id in first.events])
        return orjson.loads(response) if response else None


def scoped_key(subject: str, key: str) -> str:
    """Returns the stored form of a client's key: a hash of (subject, key), so keys never collide across callers."""
    digest = hashlib.sha256(subject.encode() + b"\x00" + key.encode()).hexdigest()
    return f"p:{digest}"


async def _fingerprint(request: Request) -> str:
    body = await request.body()
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b" ")
    digest.update(request.url.path.encode())
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


async def required_key(
    request: Request,
    idempotency_key: Annotated[str, Header(alias=HEADER, min_length=8, max_length=128, pattern=r"^[\x21-\x7e]+$")],
    principal: Annotated[Principal, Depends(current_principal)],
) -> Idempotency:
    """Requires an Idempotency-Key (creation endpoints); the key is the caller's own."""
    return Idempotency(idempotency_key, await _fingerprint(request), request.app.state.runtime, principal.subject)


async def optional_key(
    request: Request,
    principal: Annotated[Principal, Depends(current_principal)],
    idempotency_key: Annotated[
        str | None, Header(alias=HEADER, min_length=8, max_length=128, pattern=r"^[\x21-\x7e]+$")
    ] = None,
) -> Idempotency:
    """Honours an Idempotency-Key when one is sent (state transitions); the key is the caller's own."""
    return Idempotency(
        idempotency_key,
        await _fingerprint(request) if idempotency_key else "",
        request.app.state.runtime,
        principal.subject,
    )


IdempotencyRequired = Annotated[Idempotency, Depends(required_key)]
IdempotencyOptional = Annotated[Idempotency, Depends(optional_key)]
