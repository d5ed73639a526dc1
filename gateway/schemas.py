"""The gateway's own response models (the services' parts keep their own schemas; see the merged OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

Reason = Literal["unavailable", "timeout", "bad-response", "not-found", "rejected", "error"]


class Degraded(BaseModel):
    """A part left out of a merged view because its service could not provide it."""

    service: str
    part: Literal["register", "org-unit", "dossier-part", "dashboard-part"]
    reason: Reason


class DossierParts(BaseModel):
    """Each service's part of the dossier (null when degraded or withheld)."""

    rank: dict[str, Any] | None = Field(description="posts and rank history, eligibility with its reasons, contracts")
    appraisal: dict[str, Any] | None = Field(description="grades, accountability index, talks, awards, inaction findings")
    petitions: dict[str, Any] | None = Field(description="closed outcomes, clarifications and appeals (never reporter data)")
    tolerance: dict[str, Any] | None = Field(description="active restrictions, sanctions and tolerance cases")


class DossierRead(BaseModel):
    """A cadre's dossier, assembled from the register and each service's part."""

    cadre_id: str
    as_of: dt.date | None = Field(description="the historical date of the view; null for today")
    cadre: dict[str, Any] | None = Field(description="the register entry (rank); null when rank is degraded")
    parts: DossierParts
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

    org_unit_id: str
    org_unit: dict[str, Any] | None = Field(description="the org unit (rank); null when rank is degraded")
    parts: DashboardParts
    degraded: list[Degraded]
    withheld: list[str]


class EventTypeRead(BaseModel):
    """One event type of the catalogue: its names, JSON Schema and an example."""

    type: str = Field(description="the CloudEvents type")
    key: str = Field(description="producer.event.vN, also the subject without its namespace")
    producer: str
    event: str
    version: int
    subject: str = Field(description="the NATS subject in this deployment")
    stream: str = Field(description="the JetStream stream holding it")
    summary: str
    dataschema: str = Field(description="the schema URN of the current revision (major.minor)")
    data_schema: dict[str, Any] = Field(description="JSON Schema of the event's data")
    example: dict[str, Any] = Field(description="an example of the event's data")


class EventTypePage(BaseModel):
    items: list[EventTypeRead]
    next_cursor: str | None
