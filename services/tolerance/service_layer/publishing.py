"""Maps tolerance domain events to public contract events (what goes to the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from kernel.contracts.base import Contract


@singledispatch
def to_contracts(event: Any) -> Iterable[Contract]:
    """Returns the contract events for a domain event (none by default)."""
    return ()
