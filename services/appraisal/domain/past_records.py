"""Past performance records (业绩纪实) recorded as verified past facts; pure (docs/appraisal.md, "Recording past
performance records").

The natural key is (cadre, category, occurred_on, title; the title compared after NFKC and without whitespace).
The values — the verification date, the description, the quantity and its unit, the 文号 — may be corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.errors import RuleViolation
from services.appraisal.domain.past_facts import check_day, check_source, history_key
from services.appraisal.domain.records import CATEGORIES

RULE = "record_history"


@dataclass(frozen=True)
class PastRecord:
    """One performance record as it was verified in the past, with its provenance."""

    cadre_id: str
    occurred_on: dt.date
    category: str
    title: str
    verified_on: dt.date
    source: str
    description: str | None = None
    quantity: float | None = None
    unit: str | None = None
    document_no: str | None = None

    KEY_FIELDS = ("category", "occurred_on", "title")  # compared through the key (normalized), not as values

    @property
    def key(self) -> str:
        return history_key("PERFORMANCE_RECORD", self.cadre_id, self.category, self.occurred_on.isoformat(), self.title)

    def values(self) -> dict[str, object]:
        """The values a correction may change (the key excluded), as stored in the record."""
        return {
            "category": self.category,
            "occurred_on": self.occurred_on.isoformat(),
            "title": self.title,
            "verified_on": self.verified_on.isoformat(),
            "description": self.description,
            "quantity": self.quantity,
            "unit": self.unit,
            "document_no": self.document_no,
        }

    def check(self, *, today: dt.date) -> None:
        """Refuses a record whose dates or values cannot be a past fact (422 naming the field); the value rules are
        those of a live submission (PerformanceRecord.submit)."""
        if self.category not in CATEGORIES:
            raise RuleViolation(
                "category must be one of " + ", ".join(CATEGORIES), rule="performance_record.category", field="category"
            )
        check_source(self.source, RULE)
        check_day(self.occurred_on, "occurred_on", today=today, rule=RULE)
        check_day(self.verified_on, "verified_on", today=today, rule=RULE)
        if self.verified_on < self.occurred_on:
            raise RuleViolation(
                "a record is verified after what it records", rule=f"{RULE}.verified_on", field="verified_on"
            )
