"""Events the tolerance service consumes."""

from __future__ import annotations

from kernel.consumer import Subscription
from kernel.directory import directory_handlers
from services.tolerance.adapters import orm

SUBSCRIPTIONS: list[Subscription] = [
    # The cadre directory and org tree, kept from rank's register for scoping (RELIABILITY.md S1, S2).
    Subscription(producer="rank", handlers=directory_handlers(orm.directory)),
]
