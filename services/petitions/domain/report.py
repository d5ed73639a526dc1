"""The Report aggregate and its state machine (docs/rules.md §2.3, §2.10); pure: takes `today`, does no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kernel.contracts.vocabulary import ReportOutcome
from kernel.errors import Conflict, InvalidTransition, RuleViolation
from services.petitions.domain import events
from services.petitions.domain.rules.clarification import SCOPES
from services.petitions.domain.rules.outcomes import ADVERSE, FINDINGS, combine
from services.petitions.domain.vocab import (
    CATEGORIES,
    CONCLUDABLE_STATES,
    HANDLING_STATES,
    OUTCOME_STATES,
    Channel,
    DisposalMode,
    Identity,
    Jurisdiction,
    NotAcceptedReason,
    PetitionType,
    ReportStatus,
)

S = ReportStatus
EARLIEST_RECEIPT = dt.date(2000, 1, 1)
# A collective decision (集体研究) needs at least this many members present [D]: 规则 §17 names no figure.
MIN_COLLECTIVE_PARTICIPANTS = 3
MAX_ACCUSED = 50
MAX_ALLEGATIONS = 50
RULES_SOURCE = "纪检监察机关处理检举控告工作规则"


class HearingState:
    """Where a cadre stands in the statement-and-defence procedure of one report (computed by the caller)."""

    NONE = "NONE"  # never asked
    WINDOW_OPEN = "WINDOW_OPEN"  # asked, not answered, due date not passed
    UNASSESSED = "UNASSESSED"  # answered but not yet marked adopted or not
    HEARD = "HEARD"  # answered and assessed, waived, or the window passed unanswered


@dataclass
class Accused:
    cadre_id: str
    outcome: str | None = None
    tolerated: bool = False


@dataclass
class Allegation:
    id: str
    summary: str
    cadre_id: str | None  # None: concerns every accused cadre
    result: str | None = None


@dataclass
class Case:
    id: str
    cadre_id: str
    opened_on: dt.date


@dataclass(frozen=True)
class CollectiveDecision:
    """The collective decision (集体研究) behind a disposal, with who recorded it."""

    meeting_on: dt.date
    participants: int
    minutes_ref: str
    decided_by: str

    def check(self, today: dt.date, not_before: dt.date | None) -> None:
        """Refuses a decision in the future, before the report was accepted, or by too few members."""
        if self.meeting_on > today:
            raise RuleViolation("the collective decision cannot be dated in the future", rule="disposal.meeting_on")
        if not_before is not None and self.meeting_on < not_before:
            raise RuleViolation(
                "the collective decision cannot predate the report's acceptance", rule="disposal.meeting_on"
            )
        if self.participants < MIN_COLLECTIVE_PARTICIPANTS:
            raise RuleViolation(
                f"a collective decision needs at least {MIN_COLLECTIVE_PARTICIPANTS} participants",
                rule="disposal.collective",
                source=f"{RULES_SOURCE} §17",
            )


@dataclass
class Disposal:
    id: str
    mode: str
    decision: CollectiveDecision
    decided_on: dt.date


# The report state machine: action → the states it is valid from (a refused action answers 409 with
# the actions allowed from the current state, kernel.errors.InvalidTransition.allowed).
REPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "request a statement": CONCLUDABLE_STATES,
    "register": (S.RECEIVED, S.TRANSFERRED_DOWN, S.ESCALATED),
    "route": (S.REGISTERED,),
    "archive as duplicate": (S.REGISTERED,),
    "not accept": (S.REGISTERED,),
    "accept": (S.REGISTERED,),
    "hand over for disposal": (S.ACCEPTED,),
    "decide a disposal": (S.IN_DISPOSAL,),
    "resume": (S.ON_HOLD,),
    "start preliminary verification": (S.TALKING, S.INQUIRING),
    "open a case": (S.VERIFYING,),
    "conclude": CONCLUDABLE_STATES,
    "apply a tolerance decision": (*OUTCOME_STATES, *HANDLING_STATES),
    "record the feedback": (S.CLOSED, S.CLOSED_NO_ACTION),
    "record an objection": (S.FEEDBACK_SENT,),
    "reopen": (S.OBJECTION_RECORDED,),
    "finalize": (S.OBJECTION_RECORDED,),
}


@dataclass
class Report:
    """A report (检举控告) or general petition (信访) received by one body, through screening to its outcome."""

    id: str
    petition_type: str
    channel: str
    received_on: dt.date
    identity: str
    handling_org_unit_id: str
    status: str = S.RECEIVED
    category: str | None = None
    substantive: bool | None = None
    jurisdiction: str | None = None
    real_name_verified_on: dt.date | None = None
    transfer_ref: str | None = None
    accused: list[Accused] = field(default_factory=list)
    accused_unit_ids: list[str] = field(default_factory=list)
    allegations: list[Allegation] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    disposals: list[Disposal] = field(default_factory=list)
    duplicate_of: str | None = None
    not_accepted_reason: str | None = None
    routed_to: str | None = None
    accepted_on: dt.date | None = None
    acceptance_notice_on: dt.date | None = None
    disposal_mode: str | None = None
    outcome: str | None = None
    conclusion: str | None = None
    adverse_effect: bool = False
    accusation_spread: str | None = None
    fabrication_suspected: bool = False
    closed_on: dt.date | None = None
    feedback_on: dt.date | None = None
    objection_on: dt.date | None = None
    objection_new_evidence: bool | None = None
    version: int = 0
    events: list[Any] = field(default_factory=list, repr=False, compare=False)

    # -- intake ---------------------------------------------------------------------------------------------
    @classmethod
    def receive(
        cls,
        *,
        report_id: str,
        petition_type: str,
        channel: str,
        received_on: dt.date,
        identity: str,
        handling_org_unit_id: str,
        accused_cadre_ids: list[str],
        accused_unit_ids: list[str],
        category: str | None,
        transfer_ref: str | None,
        today: dt.date,
    ) -> Report:
        """Records a report as received from any channel."""
        if petition_type not in PetitionType.__members__:
            raise RuleViolation("unknown petition type", rule="report.petition_type")
        if channel not in Channel.__members__:
            raise RuleViolation("unknown channel", rule="report.channel")
        if identity not in Identity.__members__:
            raise RuleViolation("identity must be REAL_NAME or ANONYMOUS", rule="report.identity")
        if received_on > today:
            raise RuleViolation("received_on cannot be in the future", rule="report.received_on")
        if received_on < EARLIEST_RECEIPT:
            raise RuleViolation(f"received_on cannot be before {EARLIEST_RECEIPT}", rule="report.received_on")
        if category is not None and category not in CATEGORIES:
            raise RuleViolation("unknown category", rule="report.category")
        report = cls(
            id=report_id,
            petition_type=petition_type,
            channel=channel,
            received_on=received_on,
            identity=identity,
            handling_org_unit_id=handling_org_unit_id,
            category=category,
            transfer_ref=transfer_ref,
        )
        report._set_accused(accused_cadre_ids, accused_unit_ids)
        report.events.append(events.ReportReceived(report.id, petition_type, identity, received_on))
        return report

    @property
    def real_name(self) -> bool:
        return self.identity == Identity.REAL_NAME

    @property
    def accused_cadre_ids(self) -> list[str]:
        return [a.cadre_id for a in self.accused]

    def _set_accused(self, cadre_ids: list[str], unit_ids: list[str]) -> None:
        if len(set(cadre_ids)) != len(cadre_ids) or len(set(unit_ids)) != len(unit_ids):
            raise RuleViolation("an accused cadre or unit is listed twice", rule="report.accused_unique")
        if len(cadre_ids) > MAX_ACCUSED or len(unit_ids) > MAX_ACCUSED:
            raise RuleViolation(f"at most {MAX_ACCUSED} accused cadres and units", rule="report.accused_count")
        known = {a.cadre_id: a for a in self.accused}
        self.accused = [known.get(c) or Accused(c) for c in cadre_ids]
        self.accused_unit_ids = list(unit_ids)

    def _require(self, action: str) -> None:
        if self.status not in REPORT_TRANSITIONS[action]:
            raise InvalidTransition(
                "report",
                self.status,
                action,
                allowed_actions=InvalidTransition.allowed(REPORT_TRANSITIONS, self.status),
            )

    # -- screening (§2.3 item 1) ----------------------------------------------------------------------------
    def register(
        self,
        *,
        category: str,
        substantive: bool,
        jurisdiction: str,
        accused_cadre_ids: list[str],
        accused_unit_ids: list[str],
        allegations: list[Allegation],
        real_name_verified: bool,
        today: dt.date,
    ) -> None:
        """Registers the report: category, accused, allegations, whether it has substance, whose remit it is."""
        self._require("register")
        if self.status == S.ESCALATED and self.routed_to is None:
            raise InvalidTransition(
                "report",
                self.status,
                "register",
                reason="it was sent outside this deployment",
                allowed_actions=InvalidTransition.allowed(REPORT_TRANSITIONS, self.status),
            )
        if category not in CATEGORIES:
            raise RuleViolation("unknown category", rule="report.category")
        if jurisdiction not in Jurisdiction.__members__:
            raise RuleViolation("unknown jurisdiction", rule="report.jurisdiction")
        if self.petition_type == PetitionType.ACCUSATION and not (accused_cadre_ids or accused_unit_ids):
            raise RuleViolation(
                "an accusation names at least one accused cadre or unit",
                rule="report.accused_required",
                source=f"{RULES_SOURCE} §4",
            )
        if real_name_verified and not self.real_name:
            raise RuleViolation("only a real-name report can be verified", rule="report.real_name_verified")
        self._set_accused(accused_cadre_ids, accused_unit_ids)
        self._set_allegations(allegations)
        from_status = self.status
        self.category = category
        self.substantive = substantive
        self.jurisdiction = jurisdiction
        if real_name_verified:
            self.real_name_verified_on = today
        self.status = S.REGISTERED
        self.events.append(events.ReportRegistered(self.id, jurisdiction, from_status, self.received_on, today))

    def _set_allegations(self, allegations: list[Allegation]) -> None:
        if len(allegations) > MAX_ALLEGATIONS:
            raise RuleViolation(f"at most {MAX_ALLEGATIONS} allegations", rule="report.allegation_count")
        accused = set(self.accused_cadre_ids)
        for allegation in allegations:
            if allegation.cadre_id is not None and allegation.cadre_id not in accused:
                raise RuleViolation(
                    "an allegation names a cadre who is not accused in the report", rule="report.allegation_cadre"
                )
        self.allegations = list(allegations)

    def route(self, *, jurisdiction: str, target_unit_id: str | None, today: dt.date) -> None:
        """Sends the report up, down or to another body (§2.2: up within 5 working days of receipt)."""
        self._require("route")
        if jurisdiction == Jurisdiction.UPPER:
            self.status = S.ESCALATED
        elif jurisdiction == Jurisdiction.LOWER:
            if target_unit_id is None:
                raise RuleViolation("a transfer down names the lower unit", rule="report.route_target")
            self.status = S.TRANSFERRED_DOWN
        elif jurisdiction == Jurisdiction.OTHER_BODY:
            if target_unit_id is not None:
                raise RuleViolation("a report returned to another body names no unit here", rule="report.route_target")
            self.status = S.RETURNED_OTHER_BODY
        else:
            raise RuleViolation("route to UPPER, LOWER or OTHER_BODY", rule="report.jurisdiction")
        self.jurisdiction = jurisdiction
        self.routed_to = target_unit_id
        if target_unit_id is not None:
            self.handling_org_unit_id = target_unit_id
        self.events.append(events.ReportRouted(self.id, jurisdiction, target_unit_id, today))

    def archive_duplicate(self, *, original: Report, today: dt.date) -> None:
        """Keeps a repeated report for reference, linked to the first one (no second acceptance notice)."""
        self._require("archive as duplicate")
        if original.id == self.id:
            raise RuleViolation("a report cannot duplicate itself", rule="report.duplicate_of")
        if original.duplicate_of is not None:
            raise RuleViolation("link to the first report, not to another duplicate", rule="report.duplicate_of")
        self.duplicate_of = original.id
        self.status = S.ARCHIVED_DUPLICATE
        self.events.append(events.ReportArchivedDuplicate(self.id, original.id, today))

    def not_accept(self, *, reason: str, today: dt.date) -> None:
        """Does not accept the report (no substance, out of scope, or for a legal procedure)."""
        self._require("not accept")
        if reason not in NotAcceptedReason.__members__:
            raise RuleViolation("unknown reason", rule="report.not_accepted_reason")
        self.not_accepted_reason = reason
        self.status = S.NOT_ACCEPTED
        self.events.append(events.ReportNotAccepted(self.id, reason, today))

    def accept(self, *, today: dt.date) -> None:
        """Accepts a registered report with substance that falls within this body's remit."""
        self._require("accept")
        if not self.substantive:
            raise RuleViolation(
                "a report without substance is not accepted", rule="report.substantive", source=f"{RULES_SOURCE} §17"
            )
        if self.jurisdiction != Jurisdiction.OWN:
            raise RuleViolation(
                "only a report within this body's jurisdiction is accepted; route it instead",
                rule="report.jurisdiction",
            )
        self.status = S.ACCEPTED
        self.accepted_on = today
        self.events.append(
            events.ReportAccepted(
                self.id,
                self.petition_type,
                tuple(self.accused_cadre_ids),
                tuple(self.accused_unit_ids),
                self.category or "other",
                self.received_on,
                today,
            )
        )

    def record_acceptance_notice(self, *, on: dt.date, today: dt.date) -> None:
        """Records that a real-name reporter was told whether the report was accepted."""
        if not self.real_name:
            raise RuleViolation("only a real-name reporter receives an acceptance notice", rule="report.real_name")
        if self.status in (S.RECEIVED, S.ARCHIVED_DUPLICATE):
            raise InvalidTransition(
                "report",
                self.status,
                "record the acceptance notice",
                allowed_actions=InvalidTransition.allowed(REPORT_TRANSITIONS, self.status),
            )
        if self.acceptance_notice_on is not None:
            raise Conflict("the acceptance notice is already recorded", rule="report.acceptance_notice")
        self._check_date(on, today, self.received_on, "on")
        self.acceptance_notice_on = on
        self.events.append(events.AcceptanceNoticeSent(self.id, on))

    # -- disposal (§2.3 item 2) -----------------------------------------------------------------------------
    def hand_over(self, *, today: dt.date) -> None:
        """Transfers the accepted report to the handling (supervision) department."""
        self._require("hand over for disposal")
        self.status = S.IN_DISPOSAL

    def dispose(self, *, disposal_id: str, mode: str, decision: CollectiveDecision, today: dt.date) -> None:
        """Decides collectively on one of the four disposal modes (§17)."""
        self._require("decide a disposal")
        targets = {
            DisposalMode.TALK: S.TALKING,
            DisposalMode.INQUIRY_LETTER: S.INQUIRING,
            DisposalMode.PRELIM_VERIFY: S.VERIFYING,
            DisposalMode.HOLD: S.ON_HOLD,
            DisposalMode.CLOSE: S.CLOSED_NO_ACTION,
        }
        if mode not in targets:
            raise RuleViolation(
                "disposal mode must be TALK, INQUIRY_LETTER, PRELIM_VERIFY, HOLD or CLOSE", rule="disposal.mode"
            )
        self._decide(disposal_id, mode, decision, today)
        if mode == DisposalMode.CLOSE:
            for accused in self.accused:
                accused.outcome = ReportOutcome.NO_ACTION
            self.status = S.CLOSED_NO_ACTION
            self._closed(ReportOutcome.NO_ACTION, today, adverse_effect=False)
            return
        self.status = targets[DisposalMode(mode)]

    def _decide(self, disposal_id: str, mode: str, decision: CollectiveDecision, today: dt.date) -> None:
        decision.check(today, self.accepted_on)
        self.disposals.append(Disposal(disposal_id, mode, decision, today))
        self.disposal_mode = mode
        self.events.append(events.DisposalDecided(self.id, mode, today))

    def resume(self, *, today: dt.date) -> None:
        """Takes a report on hold back into disposal."""
        self._require("resume")
        self.status = S.IN_DISPOSAL

    def verify(self, *, disposal_id: str, decision: CollectiveDecision, today: dt.date) -> None:
        """Moves from a talk or inquiry letter to preliminary verification (the explanation was insufficient)."""
        self._require("start preliminary verification")
        self._decide(disposal_id, DisposalMode.PRELIM_VERIFY, decision, today)
        self.status = S.VERIFYING

    def open_case(
        self,
        *,
        disposal_id: str,
        case_ids: dict[str, str],
        decision: CollectiveDecision,
        opened_on: dt.date,
        today: dt.date,
    ) -> list[Case]:
        """Opens a formal case (立案) for some or all accused cadres (监察法 §41–42)."""
        self._require("open a case")
        if not case_ids:
            raise RuleViolation("a case names at least one accused cadre", rule="case.cadres")
        unknown = set(case_ids) - set(self.accused_cadre_ids)
        if unknown:
            raise RuleViolation("a case can only be opened for a cadre accused in the report", rule="case.cadres")
        self._check_date(opened_on, today, self.accepted_on or self.received_on, "opened_on")
        self._decide(disposal_id, DisposalMode.CASE_OPENED, decision, today)
        opened = [Case(case_ids[c], c, opened_on) for c in self.accused_cadre_ids if c in case_ids]
        self.cases.extend(opened)
        self.status = S.CASE_OPENED
        for case in opened:
            self.events.append(events.CaseOpened(case.id, self.id, case.cadre_id, opened_on))
        return opened

    # -- conclusion (§2.3 item 4, §2.4) ---------------------------------------------------------------------
    def close(
        self,
        *,
        findings: dict[str, str],
        conclusion: str,
        adverse_effect: bool,
        accusation_spread: str | None,
        fabrication_suspected: bool,
        hearing: dict[str, str],
        today: dt.date,
    ) -> None:
        """Concludes with a finding per allegation; refuses while an accused may still state their defence."""
        self._require("conclude")
        if not self.allegations:
            raise RuleViolation("record the allegations before concluding", rule="report.allegations_required")
        ids = {a.id for a in self.allegations}
        if set(findings) != ids:
            raise RuleViolation("give exactly one finding for every allegation of the report", rule="report.findings")
        if any(result not in FINDINGS for result in findings.values()):
            raise RuleViolation(
                "a finding is SUBSTANTIATED, PARTLY_SUBSTANTIATED, UNFOUNDED or UNVERIFIABLE", rule="report.findings"
            )
        if adverse_effect and accusation_spread not in SCOPES:
            raise RuleViolation(
                "say how far the accusation spread when it had adverse effects", rule="report.accusation_spread"
            )
        outcomes = self._cadre_outcomes(findings)
        for cadre_id, outcome in outcomes.items():
            state = hearing.get(cadre_id, HearingState.NONE)
            if state == HearingState.WINDOW_OPEN:
                raise Conflict(
                    "an accused cadre's statement window is still open; wait or record a waiver",
                    rule="report.statement_window_open",
                    source="政务处分法 §43",
                )
            if state == HearingState.UNASSESSED:
                raise Conflict(
                    "mark the accused's statement adopted or not before concluding",
                    rule="statement.unassessed",
                    source="政务处分法 §43",
                )
            if outcome in ADVERSE and state == HearingState.NONE:
                raise RuleViolation(
                    "an adverse finding needs the accused's statement and defence first",
                    rule="report.statement_required",
                    source="政务处分法 §43; 公务员法 §63",
                )
        if fabrication_suspected and ReportOutcome.UNFOUNDED not in outcomes.values():
            raise RuleViolation(
                "fabrication can only be suspected of an unfounded accusation",
                rule="report.fabrication_suspected",
                source=f"{RULES_SOURCE} §39",
            )
        for allegation in self.allegations:
            allegation.result = findings[allegation.id]
        for accused in self.accused:
            accused.outcome = ReportOutcome.TOLERATED if accused.tolerated else outcomes[accused.cadre_id]
        self.conclusion = conclusion
        self.accusation_spread = accusation_spread if adverse_effect else None
        self.fabrication_suspected = fabrication_suspected
        self.status = S.CLOSED
        self._closed(
            combine(a.outcome for a in self.accused if a.outcome)
            if self.accused
            else combine(ReportOutcome(r) for r in findings.values()),
            today,
            adverse_effect=adverse_effect,
        )

    def _cadre_outcomes(self, findings: dict[str, str]) -> dict[str, str]:
        outcomes: dict[str, str] = {}
        for cadre_id in self.accused_cadre_ids:
            mine = [ReportOutcome(findings[a.id]) for a in self.allegations if a.cadre_id in (None, cadre_id)]
            if not mine:
                raise RuleViolation(
                    "every accused cadre needs at least one allegation with a finding",
                    rule="report.cadre_without_finding",
                )
            outcomes[cadre_id] = combine(mine)
        return outcomes

    def _closed(self, outcome: str, today: dt.date, *, adverse_effect: bool, revision: bool = False) -> None:
        self.outcome = outcome
        self.adverse_effect = adverse_effect
        if not revision:
            self.closed_on = today
        self.events.append(
            events.ReportClosed(
                self.id,
                outcome,
                tuple((a.cadre_id, a.outcome or outcome) for a in self.accused),
                tuple(c.id for c in self.cases),
                adverse_effect,
                self.closed_on or today,
                self.real_name,
                revision,
            )
        )

    def tolerate(self, *, cadre_id: str, on: dt.date) -> bool:
        """Applies an error-tolerance exemption (容错) to one accused cadre; False if it was already applied."""
        accused = next((a for a in self.accused if a.cadre_id == cadre_id), None)
        if accused is None:
            raise RuleViolation("the tolerated cadre is not accused in this report", rule="report.tolerated_cadre")
        if accused.tolerated:
            return False
        if self.status not in REPORT_TRANSITIONS["apply a tolerance decision"]:
            raise InvalidTransition(
                "report",
                self.status,
                "apply a tolerance decision",
                allowed_actions=InvalidTransition.allowed(REPORT_TRANSITIONS, self.status),
            )
        accused.tolerated = True
        accused.outcome = ReportOutcome.TOLERATED
        if self.status in OUTCOME_STATES:
            self._closed(
                combine(ReportOutcome(a.outcome) for a in self.accused if a.outcome),
                on,
                adverse_effect=self.adverse_effect,
                revision=True,
            )
        elif all(a.tolerated for a in self.accused):
            self.status = S.CLOSED
            self._closed(ReportOutcome.TOLERATED, on, adverse_effect=False)
        return True

    # -- after the conclusion (§2.2 feedback, §2.10) --------------------------------------------------------
    def record_feedback(self, *, on: dt.date, today: dt.date) -> None:
        """Records that a real-name reporter was given the result (due 15 working days after closure)."""
        if not self.real_name:
            raise RuleViolation("only a real-name reporter receives the result", rule="report.real_name")
        self._require("record the feedback")
        self._check_date(on, today, self.closed_on, "on")
        self.feedback_on = on
        self.status = S.FEEDBACK_SENT
        self.events.append(events.FeedbackSent(self.id, on))

    def record_objection(self, *, new_evidence: bool, on: dt.date, today: dt.date) -> None:
        """Records the reporter's objection to the result (explained; new evidence can reopen it)."""
        self._require("record an objection")
        self._check_date(on, today, self.feedback_on, "on")
        self.objection_on = on
        self.objection_new_evidence = new_evidence
        self.status = S.OBJECTION_RECORDED
        self.events.append(events.ObjectionRecorded(self.id, new_evidence, on))

    def reopen(self, *, disposal_id: str, decision: CollectiveDecision, today: dt.date) -> None:
        """Examines new evidence: the report goes back to verification and loses its outcome."""
        self._require("reopen")
        if not self.objection_new_evidence:
            raise RuleViolation("only an objection with new evidence reopens a report", rule="report.reopen")
        decision.check(today, None)
        self.disposals.append(Disposal(disposal_id, DisposalMode.PRELIM_VERIFY, decision, today))
        self.disposal_mode = DisposalMode.PRELIM_VERIFY
        self.status = S.VERIFYING
        self.outcome = None
        self.closed_on = None
        for accused in self.accused:
            if not accused.tolerated:
                accused.outcome = None
        for allegation in self.allegations:
            allegation.result = None
        self.events.append(events.ReportReopened(self.id, today))

    def finalize(self, *, today: dt.date) -> None:
        """Closes the objection without new evidence: the result stands."""
        self._require("finalize")
        self.status = S.FINAL
        self.events.append(events.ReportFinalized(self.id, today))

    @staticmethod
    def _check_date(on: dt.date, today: dt.date, not_before: dt.date | None, name: str) -> None:
        if on > today:
            raise RuleViolation(f"{name} cannot be in the future", rule=f"report.{name}")
        if not_before is not None and on < not_before:
            raise RuleViolation(f"{name} cannot be before the step it follows", rule=f"report.{name}")
