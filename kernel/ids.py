"""The one id helper: every aggregate, record and row id the suite creates is a random UUID (version 4) in its
canonical text form, opaque to clients (issue 14: ids used to come in two shapes)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """Returns a new identifier: a uuid4 as 36 characters of text."""
    return str(uuid.uuid4())
