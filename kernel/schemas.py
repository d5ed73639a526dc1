"""The answers every service gives alike: a creation (`Created`) and a state transition (`StateRead`).

A transition answers `{id, status, version}`: the object, the state it is now in and the version to send back with
the next change (a stale one answers 409). Use cases of transitions return `state_of(aggregate)`, which is also what
an `Idempotency-Key` replay answers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Created(BaseModel):
    id: str = Field(description="id of the record")


class StateRead(BaseModel):
    id: str = Field(description="id of the record")
    status: str = Field(description="status of the record")
    version: int = Field(
        description="version of the state; send it back with the next change (a stale one answers 409)"
    )


def state_of(aggregate: Any) -> dict[str, Any]:
    """The transition answer of an aggregate after its change: id, new status (its code) and version."""
    return {"id": aggregate.id, "status": str(aggregate.status), "version": aggregate.version}
