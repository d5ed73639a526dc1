"""Events the rank service consumes (filled by the rank issue: grades, restrictions, investigations, awards)."""

from __future__ import annotations

from kernel.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
