"""Past contracts and role terms recorded as past facts; pure (docs/rank.md, "Recording past contracts and role
terms").

The natural key is (cadre, kind, starts_on): a cadre holds one term of a kind from a day. The values — the end, the
probation, the tier, the filing, how the term ended (a renewal outcome or a termination, with its date and ground)
and the 文号 — may be corrected. A term that has ended states how; a current one is left to run by its real dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kernel.errors import RuleViolation
from services.rank.domain.contract import GROUND_SOURCE, GROUNDS, KINDS, OUTCOMES

SOURCES = ("IMPORT", "PAPER_RECORD", "PERSONNEL_FILE")  # a migrated system, a paper register, the 干部人事档案
ENDINGS = (*OUTCOMES, "TERMINATED")
EARLIEST_YEAR = 1900
RULE = "contract_history"


@dataclass(frozen=True)
class PastContract:
    """One contract or role term as it was signed (and ended, if it has), with its provenance."""

    cadre_id: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    source: str
    probation_months: int = 0
    tier: str | None = None
    filed_on: dt.date | None = None
    outcome: str | None = None
    decided_on: dt.date | None = None
    termination_ground: str | None = None
    document_no: str | None = None

    def values(self) -> dict[str, Any]:
        """The values a correction may change (the key excluded), as stored in the record."""

        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "ends_on": day(self.ends_on),
            "probation_months": self.probation_months,
            "tier": self.tier,
            "filed_on": day(self.filed_on),
            "outcome": self.outcome,
            "decided_on": day(self.decided_on),
            "termination_ground": self.termination_ground,
            "document_no": self.document_no,
        }

    def ended(self, today: dt.date) -> bool:
        return self.outcome is not None or self.ends_on < today

    def check(self, *, today: dt.date) -> None:
        """Refuses a term whose dates or values cannot be a past fact (422 naming the field); the rules of the
        kind (term length, probation, tier, category) are those of signing live (Contract.sign)."""
        if self.kind not in KINDS:
            raise RuleViolation("kind must be one of " + ", ".join(KINDS), rule="contract.kind", field="kind")
        if self.source not in SOURCES:
            raise RuleViolation("source must be one of " + ", ".join(SOURCES), rule=f"{RULE}.source", field="source")
        for name in ("starts_on", "filed_on", "decided_on"):
            value = getattr(self, name)
            if value is None:
                continue
            if value > today:
                raise RuleViolation(
                    f"{name} cannot be in the future: a past fact is a past fact", rule=f"{RULE}.{name}", field=name
                )
            if value.year < EARLIEST_YEAR:
                raise RuleViolation(f"{name} cannot be before {EARLIEST_YEAR}", rule=f"{RULE}.{name}", field=name)
        if self.ends_on <= self.starts_on:
            raise RuleViolation("the term must end after it starts", rule="contract.term", field="ends_on")
        if self.filed_on is not None and self.filed_on > self.ends_on:
            raise RuleViolation("a term is filed before it ends", rule=f"{RULE}.filed_on", field="filed_on")
        if self.outcome is None:
            if self.ends_on < today:
                raise RuleViolation(
                    "a term that has ended states how it ended (outcome)", rule=f"{RULE}.outcome", field="outcome"
                )
            for name in ("decided_on", "termination_ground"):
                if getattr(self, name) is not None:
                    raise RuleViolation(f"{name} is given only with an outcome", rule=f"{RULE}.{name}", field=name)
            return
        if self.outcome not in ENDINGS:
            raise RuleViolation(
                "outcome must be one of " + ", ".join(ENDINGS), rule="contract.outcome", field="outcome"
            )
        if self.decided_on is None:
            raise RuleViolation(
                "an ended term names the day of its renewal decision or termination",
                rule=f"{RULE}.decided_on",
                field="decided_on",
            )
        if self.decided_on < self.starts_on:
            raise RuleViolation(
                "decided_on cannot be before the term starts", rule=f"{RULE}.decided_on", field="decided_on"
            )
        if self.outcome == "TERMINATED":
            if self.termination_ground not in GROUNDS:
                raise RuleViolation(
                    "a termination states its ground: " + ", ".join(GROUNDS),
                    rule="contract.ground",
                    source=GROUND_SOURCE,
                    field="termination_ground",
                )
            if self.decided_on > self.ends_on:
                raise RuleViolation(
                    "a term is terminated before it ends", rule="contract.terminated_on", field="decided_on"
                )
        elif self.termination_ground is not None:
            raise RuleViolation(
                "a ground is given only with a termination",
                rule=f"{RULE}.termination_ground",
                field="termination_ground",
            )
        if self.kind == "APPOINTED_CS" and self.outcome in ("PROMOTE", "DEMOTE"):
            raise RuleViolation(
                "an appointment contract has no level to move", rule="contract.outcome", field="outcome"
            )
