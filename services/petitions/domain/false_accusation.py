"""False accusation (诬告陷害) vs mistaken report (错告): the case, its approval level and referral (docs/rules.md §2.6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.rules.approval import at_least
from services.petitions.domain.vocab import FalseAccusationStatus, Referral

F = FalseAccusationStatus
CLASSIFICATIONS = (F.CONFIRMED_FALSE_ACCUSATION, F.MISTAKEN_REPORT, F.DROPPED)
SOURCE = "纪检监察机关处理检举控告工作规则 §39; 政务处分法 §32(四)"


# The false_accusation state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
FALSE_ACCUSATION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "investigate": (F.OPENED,),
    "submit for approval": (F.INVESTIGATING,),
    "decide": (F.PENDING_APPROVAL,),
    "refer": (F.CONFIRMED_FALSE_ACCUSATION,),
    "close": (F.REFERRED,),
}


@dataclass
class FalseAccusationCase:
    id: str
    origin_report_id: str
    victim_cadre_ids: list[str]
    grounds: str
    opened_on: dt.date
    opened_by: str
    accuser_is_cadre: bool = False
    accuser_cadre_id: str | None = None
    status: str = F.OPENED
    findings: str | None = None
    proposed: str | None = None
    submitted_by: str | None = None
    approved_by: str | None = None
    approval_tier: str | None = None
    decided_on: dt.date | None = None
    referral: str | None = None
    referral_note: str | None = None
    referred_on: dt.date | None = None
    closed_on: dt.date | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(
        cls,
        *,
        case_id: str,
        origin_report_id: str,
        victim_cadre_ids: list[str],
        grounds: str,
        accuser_is_cadre: bool,
        accuser_cadre_id: str | None,
        opened_by: str,
        today: dt.date,
    ) -> FalseAccusationCase:
        """Opens a case when fabrication is suspected."""
        if not victim_cadre_ids:
            raise RuleViolation(
                "a false-accusation case names the accused of the origin report", rule="false_accusation.victims"
            )
        _check_accuser(accuser_is_cadre, accuser_cadre_id, victim_cadre_ids)
        return cls(
            id=case_id,
            origin_report_id=origin_report_id,
            victim_cadre_ids=list(victim_cadre_ids),
            grounds=grounds,
            opened_on=today,
            opened_by=opened_by,
            accuser_is_cadre=accuser_is_cadre,
            accuser_cadre_id=accuser_cadre_id,
        )

    def investigate(self, *, accuser_is_cadre: bool | None, accuser_cadre_id: str | None) -> None:
        """Starts the investigation (and records who the accuser is, once known)."""
        if self.status not in FALSE_ACCUSATION_TRANSITIONS["investigate"]:
            raise InvalidTransition(
                "false_accusation",
                self.status,
                "investigate",
                allowed_actions=InvalidTransition.allowed(FALSE_ACCUSATION_TRANSITIONS, self.status),
            )
        if accuser_is_cadre is not None:
            _check_accuser(accuser_is_cadre, accuser_cadre_id, self.victim_cadre_ids)
            self.accuser_is_cadre = accuser_is_cadre
            self.accuser_cadre_id = accuser_cadre_id
        self.status = F.INVESTIGATING

    def submit(self, *, findings: str, proposed: str, submitted_by: str) -> None:
        """Submits the findings and a proposed classification for approval."""
        if self.status not in FALSE_ACCUSATION_TRANSITIONS["submit for approval"]:
            raise InvalidTransition(
                "false_accusation",
                self.status,
                "submit for approval",
                allowed_actions=InvalidTransition.allowed(FALSE_ACCUSATION_TRANSITIONS, self.status),
            )
        if proposed not in CLASSIFICATIONS:
            raise RuleViolation(
                "propose CONFIRMED_FALSE_ACCUSATION, MISTAKEN_REPORT or DROPPED", rule="false_accusation.classification"
            )
        self.findings = findings
        self.proposed = proposed
        self.submitted_by = submitted_by
        self.status = F.PENDING_APPROVAL

    def decide(
        self, *, classification: str, approver: str, approver_tier: str | None, required_tier: str, today: dt.date
    ) -> None:
        """Approves a classification at the configured level (not by the one who submitted it)."""
        if self.status not in FALSE_ACCUSATION_TRANSITIONS["decide"]:
            raise InvalidTransition(
                "false_accusation",
                self.status,
                "decide",
                allowed_actions=InvalidTransition.allowed(FALSE_ACCUSATION_TRANSITIONS, self.status),
            )
        if classification not in CLASSIFICATIONS:
            raise RuleViolation(
                "decide CONFIRMED_FALSE_ACCUSATION, MISTAKEN_REPORT or DROPPED", rule="false_accusation.classification"
            )
        if approver == self.submitted_by:
            raise RuleViolation(
                "the approver must not be the one who submitted the findings", rule="false_accusation.four_eyes"
            )
        if classification == F.CONFIRMED_FALSE_ACCUSATION and not at_least(approver_tier, required_tier):
            raise RuleViolation(
                f"a false-accusation finding needs approval at {required_tier} level or above",
                rule="false_accusation.approval_level",
                source=SOURCE,
                required_tier=required_tier,
            )
        self.status = classification
        self.approved_by = approver
        self.approval_tier = approver_tier
        self.decided_on = today
        if classification == F.CONFIRMED_FALSE_ACCUSATION:
            self.events.append(
                events.FalseAccusationConfirmed(
                    self.id,
                    self.origin_report_id,
                    tuple(self.victim_cadre_ids),
                    self.accuser_is_cadre,
                    self.accuser_cadre_id if self.accuser_is_cadre else None,
                    today,
                )
            )

    def refer(self, *, referral: str, note: str, today: dt.date) -> None:
        """Records where a confirmed false accuser was referred (sanction, police, court, education)."""
        if self.status not in FALSE_ACCUSATION_TRANSITIONS["refer"]:
            raise InvalidTransition(
                "false_accusation",
                self.status,
                "refer",
                allowed_actions=InvalidTransition.allowed(FALSE_ACCUSATION_TRANSITIONS, self.status),
            )
        if referral not in Referral.__members__:
            raise RuleViolation("unknown referral", rule="false_accusation.referral")
        if referral in (Referral.PARTY, Referral.GOV_SANCTION) and not self.accuser_is_cadre:
            raise RuleViolation(
                "only an accuser who is a party member or cadre is referred for a sanction",
                rule="false_accusation.referral",
                source=SOURCE,
            )
        self.referral = referral
        self.referral_note = note
        self.referred_on = today
        self.status = F.REFERRED

    def close(self, *, today: dt.date) -> None:
        """Closes a referred case."""
        if self.status not in FALSE_ACCUSATION_TRANSITIONS["close"]:
            raise InvalidTransition(
                "false_accusation",
                self.status,
                "close",
                allowed_actions=InvalidTransition.allowed(FALSE_ACCUSATION_TRANSITIONS, self.status),
            )
        self.status = F.CLOSED
        self.closed_on = today


def _check_accuser(is_cadre: bool, cadre_id: str | None, victims: list[str]) -> None:
    if is_cadre != (cadre_id is not None):
        raise RuleViolation(
            "name the accuser's cadre id exactly when the accuser is a cadre", rule="false_accusation.accuser"
        )
    if cadre_id is not None and cadre_id in victims:
        raise RuleViolation("the accuser cannot be one of the accused", rule="false_accusation.accuser")
