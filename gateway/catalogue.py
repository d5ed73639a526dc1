"""The event catalogue for other departments, built from the kernel's contract registry (no I/O)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kernel.contracts.registry import EVENTS
from kernel.subjects import stream_name


@lru_cache(maxsize=8)
def catalogue(namespace: str, type_prefix: str) -> tuple[dict[str, Any], ...]:
    """Lists every event type with its names, JSON Schema and example, sorted by key."""
    entries = []
    for key in sorted(EVENTS):
        spec = EVENTS[key]
        name = spec.name
        entries.append(
            {
                "type": name.ce_type(type_prefix),
                "key": key,
                "producer": name.producer,
                "event": name.event,
                "version": name.major,
                "subject": name.subject(namespace),
                "stream": stream_name(namespace, name.producer),
                "summary": spec.model.summary,
                "dataschema": spec.model.dataschema(),
                "data_schema": spec.model.model_json_schema(by_alias=True, mode="serialization"),
                "example": spec.example.to_data(),
            }
        )
    return tuple(entries)


def entry(namespace: str, type_prefix: str, key: str) -> dict[str, Any] | None:
    """Returns one catalogue entry by key (producer.event.vN) or CloudEvents type, or None."""
    for item in catalogue(namespace, type_prefix):
        if key in (item["key"], item["type"]):
            return item
    return None
