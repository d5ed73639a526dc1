"""The CloudEvents 1.0 envelope in structured JSON mode, as stored in the outbox and sent over NATS."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

CE_CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
MAX_EVENT_BYTES = 1024 * 1024


class EnvelopeError(ValueError):
    """A message that is not a valid CloudEvent; it can never be processed (permanent)."""


class CloudEvent(BaseModel):
    """A CloudEvent with the correlation, sequence and tracing extensions (attribute names are [a-z0-9])."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: str = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str | None = None
    time: dt.datetime
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    correlationid: str | None = None
    causationid: str | None = None
    sequence: str | None = None
    traceparent: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def sequence_number(self) -> int | None:
        """Returns the producer's outbox sequence as an integer (None if absent)."""
        return int(self.sequence) if self.sequence else None


def new_event_id() -> str:
    """Returns a new event id (uuid4); it is also the outbox event_id and the Nats-Msg-Id."""
    return str(uuid.uuid4())


def format_sequence(seq: int) -> str:
    """Zero-pads an outbox sequence so that it compares lexicographically (CE sequence extension)."""
    return f"{seq:020d}"


def encode(event: CloudEvent) -> bytes:
    """Serializes a CloudEvent to structured-mode JSON."""
    return orjson.dumps(event.model_dump(mode="json", exclude_none=True))


def decode(raw: bytes) -> CloudEvent:
    """Parses structured-mode JSON into a CloudEvent, raising EnvelopeError on anything malformed."""
    if len(raw) > MAX_EVENT_BYTES:
        raise EnvelopeError(f"event of {len(raw)} bytes exceeds {MAX_EVENT_BYTES}")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EnvelopeError(f"not JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("specversion") != "1.0":
        raise EnvelopeError("not a CloudEvents 1.0 structured event")
    try:
        return CloudEvent.model_validate(body)
    except ValueError as exc:
        raise EnvelopeError(f"invalid envelope: {exc}") from None
