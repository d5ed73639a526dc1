"""Who sees which events on the live feed, and the feed's resume position (Last-Event-ID)."""

from __future__ import annotations

import re

from kernel.auth import Principal, Role
from kernel.contracts.registry import EVENTS
from kernel.subjects import PRODUCERS
from kernel.web import ProblemException

FEED_ROLES = (Role.ORG_ADMIN, Role.DISCIPLINE_OFFICER, Role.AUDITOR, Role.SUBSCRIBER)
# Open accusations and open investigations: an accusation alone counts against nobody, so only discipline
# inspection sees them (docs/permissions.md rule 5).
DISCIPLINE_ONLY = frozenset(
    {
        "petitions.report_accepted.v1",
        "petitions.case_opened.v1",
        "petitions.xinfang_about_cadre.v1",
        "tolerance.investigation_opened.v1",
    }
)
# Statutory deadlines missed on reports: discipline inspection and auditors (petitions "Overdue list" row).
OVERSIGHT = frozenset({"petitions.deadline_breached.v1"})
_POSITION = re.compile(r"^([a-z]+)=(\d{1,19})$")


def visible_types(principal: Principal) -> frozenset[str]:
    """Returns the event keys the principal may receive on the feed."""
    everything = frozenset(EVENTS)
    if principal.has(Role.DISCIPLINE_OFFICER):
        return everything
    visible = everything - DISCIPLINE_ONLY - OVERSIGHT
    if principal.has(Role.AUDITOR):
        visible |= OVERSIGHT
    return visible


def requested_types(raw: str | None, principal: Principal) -> frozenset[str]:
    """Parses the `types` filter (comma-separated keys); unknown keys are 422, keys beyond the role are 403."""
    allowed = visible_types(principal)
    if not raw:
        return allowed
    keys = {k.strip() for k in raw.split(",") if k.strip()}
    unknown = sorted(k for k in keys if k not in EVENTS)
    if unknown or not keys:
        raise ProblemException(
            422,
            "unknown event types in the filter",
            type_="validation",
            field="types",
            errors=[{"field": "types", "in": "query", "message": "unknown event type", "code": "unknown_type"}],
        )
    if not keys <= allowed:
        raise ProblemException(
            403, "your role may not receive some of these event types", type_="forbidden", field="types"
        )
    return frozenset(keys)


def parse_position(raw: str | None) -> dict[str, int]:
    """Parses Last-Event-ID (`rank=12,appraisal=40`: the last stream sequence seen per producer)."""
    if not raw:
        return {}
    positions: dict[str, int] = {}
    for item in raw.split(","):
        match = _POSITION.match(item.strip())
        if not match or match.group(1) not in PRODUCERS or match.group(1) in positions:
            raise ProblemException(
                400, "Last-Event-ID is not a position this feed issued", type_="invalid-event-id", field="Last-Event-ID"
            )
        positions[match.group(1)] = int(match.group(2))
    return positions


def format_position(positions: dict[str, int]) -> str:
    """Formats the resume position sent as each event's id."""
    return ",".join(f"{p}={positions[p]}" for p in PRODUCERS if p in positions)
