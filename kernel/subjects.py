"""Naming of subjects, CloudEvents types, streams and durables (docs/architecture.md §6.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

PRODUCERS = ("rank", "appraisal", "petitions", "tolerance")
_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, order=True)
class EventName:
    """A versioned event of one producer, e.g. appraisal.grade_finalized.v1."""

    producer: str
    event: str
    major: int = 1

    def __post_init__(self) -> None:
        if not (_TOKEN.match(self.producer) and _TOKEN.match(self.event)) or self.major < 1:
            raise ValueError(f"invalid event name {self.producer}.{self.event}.v{self.major}")

    @property
    def key(self) -> str:
        """Namespace-free name, also the logical subject stored in the outbox."""
        return f"{self.producer}.{self.event}.v{self.major}"

    def subject(self, namespace: str) -> str:
        """Returns the NATS subject in a namespace: {ns}.{service}.{event}.v{major}."""
        return f"{namespace}.{self.key}"

    def ce_type(self, type_prefix: str) -> str:
        """Returns the CloudEvents `type`: {prefix}.{service}.{event}.v{major}."""
        return f"{type_prefix}.{self.key}"

    @classmethod
    def parse(cls, key: str) -> EventName:
        """Parses `producer.event.vN`."""
        producer, event, version = key.split(".")
        if not version.startswith("v"):
            raise ValueError(f"not an event key: {key}")
        return cls(producer, event, int(version[1:]))


def key_from_subject(subject: str, namespace: str) -> str:
    """Strips the namespace from a NATS subject, giving the event key."""
    prefix = namespace + "."
    if not subject.startswith(prefix):
        raise ValueError(f"subject {subject!r} is outside namespace {namespace!r}")
    return subject[len(prefix) :]


def ce_source(producer: str) -> str:
    """Returns the CloudEvents `source` of a producer."""
    return f"/cadre/{producer}"


def stream_name(namespace: str, producer: str) -> str:
    """Returns the stream that holds a producer's events: {NS}_{SERVICE}."""
    return f"{namespace}_{producer}".upper()


def rate_limit_bucket(namespace: str) -> str:
    """Returns the key-value bucket where the gateway replicas count rate-limit hits together."""
    return f"{namespace}_ratelimit".replace(".", "_")


def stream_subjects(namespace: str, producer: str) -> list[str]:
    """Returns the subject filter of a producer's stream."""
    return [f"{namespace}.{producer}.>"]


def durable_name(consumer: str, producer: str, version: int | None = None) -> str:
    """Returns the durable consumer name {consumer}__{producer}[__vN] (no '.', '*' or '>')."""
    name = f"{consumer}__{producer}" + (f"__v{version}" if version else "")
    if any(ch in name for ch in ".*> "):
        raise ValueError(f"invalid durable name {name!r}")
    return name
