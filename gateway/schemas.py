"""The gateway's own response models (the services' parts keep their own schemas; see the merged OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

Reason = Literal["unavailable", "timeout", "bad-response", "not-found", "rejected", "error"]


class Degraded(BaseModel):
    """A part left out of a merged view because its service could not provide it."""

    service: str = Field(description="the service the part comes from")
    part: Literal["register", "org-unit", "dossier-part", "dashboard-part"] = Field(
        description="the part that could not be read"
    )
    reason: Reason = Field(description="reason given (理由)")


class DossierParts(BaseModel):
    """Each service's part of the dossier (null when degraded or withheld)."""

    rank: dict[str, Any] | None = Field(description="posts and rank history, eligibility with its reasons, contracts")
    appraisal: dict[str, Any] | None = Field(
        description="grades, accountability index, talks, awards, inaction findings"
    )
    petitions: dict[str, Any] | None = Field(
        description="closed outcomes, clarifications and appeals (never reporter data)"
    )
    tolerance: dict[str, Any] | None = Field(description="active restrictions, sanctions and tolerance cases")


class DossierRead(BaseModel):
    """A cadre's dossier, assembled from the register and each service's part."""

    cadre_id: str = Field(description="id of the cadre (干部)")
    as_of: dt.date | None = Field(description="the historical date of the view; null for today")
    cadre: dict[str, Any] | None = Field(description="the register entry (rank); null when rank is degraded")
    parts: DossierParts = Field(description="the services' parts, keyed by service; null where a part is missing")
    degraded: list[Degraded] = Field(description="parts left out because a service failed; empty when complete")
    withheld: list[str] = Field(description="services whose part the caller's role may not see")


class DashboardParts(BaseModel):
    """Each service's part of the dashboard (null when degraded or withheld)."""

    rank: dict[str, Any] | None = Field(description="cadres eligible for promotion")
    appraisal: dict[str, Any] | None = Field(description="grade distribution, index bands, incentive coverage")
    petitions: dict[str, Any] | None = Field(description="overdue petitions")
    tolerance: dict[str, Any] | None = Field(description="restrictions ending in the next 90 days")


class DashboardRead(BaseModel):
    """An org unit's dashboard, assembled from each service's part."""

    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    org_unit: dict[str, Any] | None = Field(description="the org unit (rank); null when rank is degraded")
    parts: DashboardParts = Field(description="the services' parts, keyed by service; null where a part is missing")
    degraded: list[Degraded] = Field(description="parts that could not be read, with the reason")
    withheld: list[str] = Field(description="parts withheld from the reader")


class EventTypeRead(BaseModel):
    """One event type of the catalogue: its names, JSON Schema and an example."""

    type: str = Field(description="the CloudEvents type")
    key: str = Field(description="producer.event.vN, also the subject without its namespace")
    producer: str = Field(description="the service that publishes the event")
    event: str = Field(description="the event type (事件类型)")
    version: int = Field(
        description="version of the event type; send it back with the next change (a stale one answers 409)"
    )
    subject: str = Field(description="the NATS subject in this deployment")
    stream: str = Field(description="the JetStream stream holding it")
    summary: str = Field(description="what the event means")
    dataschema: str = Field(description="the schema URN of the current revision (major.minor)")
    data_schema: dict[str, Any] = Field(description="JSON Schema of the event's data")
    example: dict[str, Any] = Field(description="an example of the event's data")


class EventTypePage(BaseModel):
    items: list[EventTypeRead] = Field(description="the event type items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")
