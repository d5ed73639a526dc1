"""Past awards (and their revocations) recorded as past facts; pure (docs/appraisal.md, "Recording past awards").

The natural key is (cadre, type, 文号): one decision document gives a cadre at most one award of a type. The values
are the grant date, the year, the basis and the revocation (date and ground), which a correction may change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.errors import RuleViolation
from services.appraisal.domain.award import S_REVOKE
from services.appraisal.domain.past_facts import check_day, check_source, history_key
from services.appraisal.domain.past_grades import EARLIEST_YEAR
from services.appraisal.domain.rules.awards import AWARD_TYPES, BASES

RULE = "award_history"


@dataclass(frozen=True)
class PastAward:
    """One award as it was granted in the past (and revoked, if it was), with its provenance."""

    cadre_id: str
    type: str
    granted_on: dt.date
    document_no: str
    source: str
    basis: str = "DEED"
    year: int | None = None
    revoked_on: dt.date | None = None
    revoke_reason: str | None = None

    KEY_FIELDS = ("type", "document_no")  # compared through the key (normalized), not as values

    @property
    def key(self) -> str:
        return history_key("AWARD", self.cadre_id, self.type, self.document_no)

    def values(self) -> dict[str, object]:
        """The values a correction may change (the key excluded), as stored in the record."""
        return {
            "type": self.type,
            "basis": self.basis,
            "year": self.year,
            "granted_on": self.granted_on.isoformat(),
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
            "revoke_reason": self.revoke_reason,
            "document_no": self.document_no,
        }

    def check(self, *, today: dt.date) -> None:
        """Refuses an award whose dates or values cannot be a past fact (422 naming the field)."""
        if self.type not in AWARD_TYPES:
            raise RuleViolation("type must be one of " + ", ".join(AWARD_TYPES), rule="award.type", field="type")
        if self.basis not in BASES:
            raise RuleViolation("basis must be one of " + ", ".join(BASES), rule="award.basis", field="basis")
        check_source(self.source, RULE)
        if not self.document_no.strip():
            raise RuleViolation(
                "a past award names its decision's 文号", rule=f"{RULE}.document_no", field="document_no"
            )
        check_day(self.granted_on, "granted_on", today=today, rule=RULE)
        check_day(self.revoked_on, "revoked_on", today=today, rule=RULE)
        if self.year is not None and not EARLIEST_YEAR <= self.year <= self.granted_on.year:
            raise RuleViolation("an award is granted in or after the year it is for", rule=f"{RULE}.year", field="year")
        if self.revoked_on is not None and self.revoked_on < self.granted_on:
            raise RuleViolation("revoked_on cannot be before granted_on", rule=f"{RULE}.revoked_on", field="revoked_on")
        if (self.revoked_on is None) != (self.revoke_reason is None or not self.revoke_reason.strip()):
            # 公务员法 §56: a revocation states its ground; a ground without a revocation date is no revocation.
            raise RuleViolation(
                "a revocation has both its date and its ground",
                rule="award.revoke_reason",
                source=S_REVOKE,
                field="revoke_reason" if self.revoked_on else "revoked_on",
            )
