"""Argument types of the `youwei` command (argparse prints usage and the message, exit 2) and its operational errors."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

# The suite's calendar (kernel.deps.CHINA, repeated here so parsing an argument imports no web framework).
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
TIME_FORMS = (
    "YYYY-MM-DD (its midnight), YYYY-MM-DDTHH:MM[:SS] with an optional offset (+08:00, Z); "
    "without an offset, China time (UTC+8)"
)


class CliError(Exception):
    """An expected failure: one line for stderr saying what failed and what to do (exit 1)."""


def since_time(value: str) -> dt.datetime:
    """An ISO date or datetime; a date is its midnight, a time without offset is China time (UTC+8)."""
    text = value.strip()
    try:
        if len(text) == 10 and text[4:5] == "-":  # a bare date
            parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        else:
            parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date or time: {value!r}; accepted: {TIME_FORMS}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=CHINA)


def positive_int(value: str) -> int:
    """An integer of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def non_negative_int(value: str) -> int:
    """An integer of at least 0."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {number}")
    return number


def existing_file(value: str) -> Path:
    """A path to a readable regular file."""
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {value}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"not a file: {value}")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {value} (permission denied)")
    return path


def nats_url(value: str) -> str:
    """A NATS server URL (nats://, tls://, ws://, wss://), or several separated by commas."""
    from urllib.parse import urlsplit

    for part in value.split(","):
        url = urlsplit(part.strip())
        if url.scheme not in ("nats", "tls", "ws", "wss") or not url.hostname:
            raise argparse.ArgumentTypeError(f"not a NATS URL: {part.strip()!r} (e.g. nats://127.0.0.1:4222)")
        try:
            url.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a NATS URL: bad port in {part.strip()!r}") from None
    return value


def role(value: str) -> str:
    """A role of kernel.auth.Role."""
    from kernel.auth import Role

    if value not in Role._value2member_map_:
        raise argparse.ArgumentTypeError(f"unknown role {value!r}; known: {', '.join(r.value for r in Role)}")
    return value


def event_type(value: str) -> str:
    """A producer (rank), an event (rank.cadre_registered) or a versioned event (rank.cadre_registered.v1) of the
    catalogue; a leading namespace (cadre.rank.…) is dropped."""
    from kernel.contracts.registry import EVENTS
    from kernel.subjects import PRODUCERS

    parts = value.strip().split(".")
    if parts and parts[0] not in PRODUCERS and len(parts) > 1 and parts[1] in PRODUCERS:
        parts = parts[1:]
    text = ".".join(parts)
    known_events = {key.rsplit(".", 1)[0] for key in EVENTS}
    if text in PRODUCERS or text in known_events or text in EVENTS:
        return text
    close = sorted(k for k in known_events if parts[-1] and parts[-1] in k)[:5]
    hint = (
        f"; did you mean {', '.join(close)}?" if close else f"; see `youwei events` (producers: {', '.join(PRODUCERS)})"
    )
    raise argparse.ArgumentTypeError(f"unknown event type {value!r}{hint}")
