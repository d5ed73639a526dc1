"""Concurrent calls with a deadline each, and how their outcomes become parts, degraded or withheld entries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gateway import metrics
from gateway.clients import UpstreamError, UpstreamResponse


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one call produced: an answer, or the failure that prevented one."""

    service: str
    response: UpstreamResponse | None = None
    error: UpstreamError | None = None


async def _settle(service: str, call: Awaitable[UpstreamResponse]) -> Outcome:
    try:
        return Outcome(service, response=await call)
    except UpstreamError as exc:
        return Outcome(service, error=exc)


async def gather(calls: Mapping[str, Awaitable[UpstreamResponse]]) -> dict[str, Outcome]:
    """Runs the calls concurrently (each bounded by its own timeout) and returns every outcome."""
    async with asyncio.TaskGroup() as group:
        tasks = {name: group.create_task(_settle(name, call)) for name, call in calls.items()}
    return {name: task.result() for name, task in tasks.items()}


@dataclass(frozen=True, slots=True)
class Part:
    """A part's place in the merged view: its data, or why it is missing."""

    data: Any = None
    degraded: str | None = None  # the reason when the part could not be had
    withheld: bool = False  # the service refused the caller's role (403): not an outage


def part_of(outcome: Outcome, *, view: str) -> Part:
    """Classifies a part call: 200 → data; 403 → withheld; anything else → degraded with a reason."""
    part = _classify(outcome)
    if part.degraded is not None:
        metrics.DEGRADED_PARTS.labels(view, outcome.service).inc()
    return part


def _classify(outcome: Outcome) -> Part:
    if outcome.error is not None:
        return Part(degraded=outcome.error.failure.value)
    response = outcome.response
    assert response is not None
    if response.status == 200:
        try:
            data = orjson.loads(response.body)
        except orjson.JSONDecodeError:
            return Part(degraded="bad-response")
        return Part(data=data) if isinstance(data, dict) else Part(degraded="bad-response")
    if response.status == 403:
        return Part(withheld=True)
    if response.status == 404:
        # The service does not know the object (yet: its directory follows rank's events) or not in this scope.
        return Part(degraded="not-found")
    if response.status in (401, 400, 409, 422):
        return Part(degraded="rejected")
    return Part(degraded="error")


@dataclass
class Merged:
    """The parts of a merged view, with what is missing and why."""

    parts: dict[str, Any]
    degraded: list[dict[str, str]]
    withheld: list[str]
    not_found: int

    @property
    def any_data(self) -> bool:
        return any(value is not None for value in self.parts.values())


def merge_parts(
    outcomes: Mapping[str, Outcome],
    services: tuple[str, ...],
    *,
    view: str,
    part_name: str,
    withheld: list[str] | None = None,
) -> Merged:
    """Classifies each service's part call and collects the data, the degraded and the withheld parts."""
    merged = Merged(parts=dict.fromkeys(services), degraded=[], withheld=list(withheld or []), not_found=0)
    for service, outcome in outcomes.items():
        part = part_of(outcome, view=view)
        if part.withheld:
            merged.withheld.append(service)
        elif part.degraded is not None:
            merged.not_found += part.degraded == "not-found"
            merged.degraded.append({"service": service, "part": part_name, "reason": part.degraded})
        else:
            merged.parts[service] = part.data
    merged.withheld.sort()
    return merged


def anchor(outcome: Outcome) -> tuple[Any, UpstreamResponse | None, str | None]:
    """Reads the call that decides visibility (rank's register entry or org unit).

    Returns (data, an answer to relay as it is, the reason it is degraded): a 4xx problem from rank ends the read.
    """
    response = outcome.response
    if response is not None and response.status == 200:
        try:
            return orjson.loads(response.body), None, None
        except orjson.JSONDecodeError:
            return None, None, "bad-response"
    if (
        response is not None
        and response.status < 500
        and (response.header("content-type") or "").startswith(("application/json", "application/problem+json"))
    ):
        return None, response, None
    return None, None, outcome.error.failure.value if outcome.error is not None else "error"
