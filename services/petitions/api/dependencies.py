"""Dependencies of the petitions routes: the unit of work, the service context (PetitionsContext), public rate limits."""

from __future__ import annotations

import hashlib
import ipaddress
import os
from typing import Annotated

from fastapi import Depends, Request

from kernel.deps import cadre_filter, get_context, runtime_of
from kernel.ratelimit import RateLimiter
from kernel.web import ProblemException
from services.petitions.service_layer.context import PetitionsContext
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork
from services.petitions.views import DIRECTORY, cadre_in_scope


async def get_uow(request: Request) -> PetitionsUnitOfWork:
    """Returns a new petitions unit of work (from the request: one dependency less to solve, kernel.deps.runtime_of)."""
    return runtime_of(request).uow()  # type: ignore[return-value]


UowDep = Annotated[PetitionsUnitOfWork, Depends(get_uow)]
ContextDep = Annotated[PetitionsContext, Depends(get_context)]


async def _about_visible(conn, principal, cadre_id: str) -> str | None:  # noqa: ANN001 - kernel resolver shape
    """A cadre whose petitions matters the caller may see (kernel.access, sensitive), else None."""
    return await cadre_in_scope(conn, await DIRECTORY.access(conn, principal), cadre_id)


# A list's `cadre_id` filter: 404 for a cadre the caller may not see in petitions matters (kernel.access).
CadreFilter = cadre_filter(_about_visible)


class PublicLimits:
    """Per-address limits of the unauthenticated endpoints; addresses are kept only as salted hashes in memory."""

    def __init__(self, *, intake_per_hour: int, followup_per_hour: int, trusted_proxies: list[str]) -> None:
        self.intake = RateLimiter(intake_per_hour, 3600.0)
        self.followup = RateLimiter(followup_per_hour, 3600.0)
        # Addresses or networks (a cluster's pod network, where the gateway's replicas have no fixed address).
        self.trusted = tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted_proxies)
        self._salt = os.urandom(16)

    def is_trusted(self, peer: str) -> bool:
        """Tells whether the peer is one whose X-Forwarded-For names the client (the gateway)."""
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def client_key(self, request: Request) -> str:
        """Returns a salted hash of the client address (the gateway's X-Forwarded-For when it is the peer)."""
        peer = request.client.host if request.client else "unknown"
        address = peer
        if self.is_trusted(peer):
            forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
            address = forwarded or peer
        return hashlib.sha256(self._salt + address.encode()).hexdigest()

    def check(self, limiter: RateLimiter, request: Request) -> None:
        """Answers 429 with Retry-After when the client is over its limit."""
        allowed, retry_after = limiter.hit(self.client_key(request))
        if not allowed:
            raise ProblemException(
                429,
                "too many requests from this address; try again later",
                type_="rate-limited",
                headers={"Retry-After": str(retry_after)},
            )


async def intake_limit(request: Request) -> None:
    """Limits public intake per client address."""
    limits: PublicLimits = request.app.state.public_limits
    limits.check(limits.intake, request)


async def followup_limit(request: Request) -> None:
    """Limits receipt-code follow-ups per client address (wrong codes count like right ones)."""
    limits: PublicLimits = request.app.state.public_limits
    limits.check(limits.followup, request)
