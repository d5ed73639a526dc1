"""The registry of every public event: {key: contract}, with an example each (docs/architecture.md §6.2)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.contracts import appraisal_v1, petitions_v1, rank_v1, tolerance_v1
from kernel.contracts.base import Contract
from kernel.subjects import PRODUCERS, EventName


@dataclass(frozen=True)
class EventSpec:
    """One registered event type: its name, payload model and example."""

    name: EventName
    model: type[Contract]
    example: Contract

    @property
    def key(self) -> str:
        return self.name.key


def _build() -> dict[str, EventSpec]:
    events: dict[str, EventSpec] = {}
    for module in (rank_v1, appraisal_v1, petitions_v1, tolerance_v1):
        for example in module.EXAMPLES:
            model = type(example)
            name = model.event_name
            if name.key in events:
                raise RuntimeError(f"event {name.key} registered twice")
            events[name.key] = EventSpec(name=name, model=model, example=example)
    return events


EVENTS: dict[str, EventSpec] = _build()


def spec_for(model: type[Contract]) -> EventSpec:
    """Returns the registered spec of a contract model."""
    return EVENTS[model.event_name.key]


def events_of(producer: str) -> list[EventSpec]:
    """Lists the events a producer emits, sorted by key."""
    if producer not in PRODUCERS:
        raise KeyError(producer)
    return sorted((s for s in EVENTS.values() if s.name.producer == producer), key=lambda s: s.key)
