"""Base class of public event payloads: camelCase on the wire, tolerant reader, additive changes only."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from kernel.subjects import EventName


class Contract(BaseModel):
    """A public payload of one event type and major version.

    Within a major version, changes are additive only; consumers ignore unknown fields (extra="ignore").
    `minor` grows with each additive change and appears in the CloudEvents `dataschema`.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)

    event_name: ClassVar[EventName]
    minor: ClassVar[int] = 0
    # The aggregate whose state the event carries, as a format string over the payload's fields.
    subject_template: ClassVar[str]
    summary: ClassVar[str] = ""

    def entity_subject(self) -> str:
        """Returns the CloudEvents `subject` (the main entity key) of this payload: its template's fields read from
        the payload itself (what `model_dump()` gives for them, without dumping the whole payload for each event)."""
        return self.subject_template.format_map(_Fields(self))

    def to_data(self) -> dict[str, Any]:
        """Serializes the payload as the event's `data` (camelCase, JSON types)."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def dataschema(cls) -> str:
        """Returns the schema URN of this contract revision."""
        return f"urn:cadre:schema:{cls.event_name.producer}.{cls.event_name.event}:{cls.event_name.major}.{cls.minor}"


class _Fields:
    """A payload's fields as the mapping `str.format_map` reads a subject template from."""

    __slots__ = ("payload",)

    def __init__(self, payload: BaseModel) -> None:
        self.payload = payload

    def __getitem__(self, name: str) -> Any:
        if name not in type(self.payload).model_fields:
            raise KeyError(name)
        return getattr(self.payload, name)


class Item(BaseModel):
    """A nested value inside a contract payload (same wire conventions)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)
