"""The event catalogue (every type with its JSON Schema and an example) and the live feed over SSE."""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from gateway.auth import PrincipalDep, forbid_unless
from gateway.catalogue import catalogue, entry
from gateway.feed_policy import FEED_ROLES, parse_position, requested_types
from gateway.limits import client_key
from gateway.schemas import EventTypePage, EventTypeRead
from kernel.auth import Principal, Role
from kernel.pagination import PageDep, decode_cursor, encode_cursor
from kernel.subjects import PRODUCERS
from kernel.web import ProblemException

router = APIRouter(prefix="/api/v1", tags=["events"])
ALL_ROLES = tuple(Role)
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@router.get("/events", response_model=EventTypePage)
async def list_event_types(
    request: Request,
    principal: PrincipalDep,
    page: PageDep,
    producer: Annotated[
        str | None, Query(pattern="^(" + "|".join(PRODUCERS) + ")$", description="only this producer's events")
    ] = None,
) -> EventTypePage:
    """Lists the event types other departments can receive, with their JSON Schema and an example."""
    forbid_unless(principal, *ALL_ROLES)
    settings = request.app.state.settings
    await request.app.state.gateway.limits.check("general", client_key(request, principal))
    items = [
        i
        for i in catalogue(settings.events_namespace, settings.type_prefix)
        if producer is None or i["producer"] == producer
    ]
    if page.cursor:
        after = decode_cursor(page.cursor, 1)[0]
        items = [i for i in items if i["key"] > str(after)]
    chunk = items[: page.limit]
    cursor = encode_cursor([chunk[-1]["key"]]) if len(items) > page.limit else None
    return EventTypePage(items=[EventTypeRead(**i) for i in chunk], next_cursor=cursor)


def _scope(request: Request, principal: Principal) -> Any:
    """Returns the visibility check of events for the caller's org scope (None: the whole city)."""
    feed = request.app.state.gateway.feed
    if principal.unit_id is None:
        if principal.roles <= {Role.SUBSCRIBER}:
            return None  # another department without an org unit receives the city-wide feed of its types
        raise ProblemException(403, "your token names no org unit", type_="forbidden")
    path = feed.directory.unit_path(principal.unit_id)
    if path is None:
        if not feed.directory.caught_up:
            raise ProblemException(
                503, "the org directory is loading; retry later", type_="feed-unavailable", headers={"Retry-After": "5"}
            )
        raise ProblemException(403, "your org unit is not in the register", type_="forbidden")
    if len(path) == 1:
        return None  # the root unit's subtree is everything
    return lambda data: feed.directory.within(path, data)


@router.get(
    "/events/feed",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "Server-Sent Events: `id` is the resume position, `event` the CloudEvents type, "
            "`data` the CloudEvent (structured JSON)",
        },
        400: {"description": "Last-Event-ID is not a position this feed issued"},
        503: {"description": "the feed is unavailable or full"},
    },
)
async def stream_events(
    request: Request,
    principal: PrincipalDep,
    types: Annotated[
        str | None,
        Query(max_length=2000, description="comma-separated event keys (producer.event.vN); default all you may see"),
    ] = None,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=200, description="resume after this position")
    ] = None,
) -> Response:
    """Streams live events (Server-Sent Events), filtered by type and scoped by role; resumable with Last-Event-ID."""
    forbid_unless(principal, *FEED_ROLES)
    gateway = request.app.state.gateway
    if gateway.feed is None:
        raise ProblemException(503, "the event feed is disabled on this gateway", type_="feed-unavailable")
    keys = requested_types(types, principal)
    positions = parse_position(last_event_id)
    await gateway.limits.check("general", client_key(request, principal))
    visible = _scope(request, principal) or (lambda data: True)
    # The stream ends when the token expires (the client reconnects with a fresh token and Last-Event-ID).
    expires = float(principal.claims.get("exp", 0)) - time.time()
    deadline = time.monotonic() + max(0.0, min(expires, gateway.settings.feed_max_duration_s))
    starts = await gateway.feed.start_positions(keys, positions)
    reservation = gateway.feed.reserve(principal.subject)

    async def body() -> AsyncIterator[bytes]:
        try:
            async for frame in gateway.feed.frames(types=keys, starts=starts, visible=visible, deadline=deadline):
                yield frame
        finally:
            reservation.release()

    stream = body()
    # A response that is never iterated (client gone before the first byte) still gives its slot back.
    weakref.finalize(stream, reservation.release)
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/events/{key}", response_model=EventTypeRead, responses={404: {"description": "no such event type"}})
async def get_event_type(
    request: Request,
    key: Annotated[str, Path(max_length=200, description="producer.event.vN or the CloudEvents type")],
    principal: PrincipalDep,
) -> EventTypeRead:
    """Returns one event type with its JSON Schema and an example."""
    forbid_unless(principal, *ALL_ROLES)
    settings = request.app.state.settings
    item = entry(settings.events_namespace, settings.type_prefix, key)
    if item is None:
        raise ProblemException(404, "no such event type", type_="not-found")
    return EventTypeRead(**item)
