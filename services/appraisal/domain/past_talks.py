"""Past talks recorded as past facts, held and never scheduled; pure (docs/appraisal.md, "Recording past talks").

The natural key is (cadre, type, held_on): one talk of a type with a cadre on a day. The values — the reason, the
notes and the 文号 — may be corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.errors import RuleViolation
from services.appraisal.domain.past_facts import check_day, check_source, history_key
from services.appraisal.domain.rules.talks import TALK_TYPES

RULE = "talk_history"


@dataclass(frozen=True)
class PastTalk:
    """One talk as it was held in the past, with its provenance."""

    cadre_id: str
    type: str
    held_on: dt.date
    source: str
    reason: str | None = None
    notes: str | None = None
    document_no: str | None = None

    KEY_FIELDS = ("type", "held_on")  # compared through the key (normalized), not as values

    @property
    def key(self) -> str:
        return history_key("TALK", self.cadre_id, self.type, self.held_on.isoformat())

    def values(self) -> dict[str, object]:
        """The values a correction may change (the key excluded), as stored in the record."""
        return {
            "type": self.type,
            "held_on": self.held_on.isoformat(),
            "reason": self.reason,
            "notes": self.notes,
            "document_no": self.document_no,
        }

    def check(self, *, today: dt.date) -> None:
        """Refuses a talk whose date or values cannot be a past fact (422 naming the field)."""
        if self.type not in TALK_TYPES:
            raise RuleViolation("type must be one of " + ", ".join(TALK_TYPES), rule="talk.type", field="type")
        check_source(self.source, RULE)
        check_day(self.held_on, "held_on", today=today, rule=RULE)
