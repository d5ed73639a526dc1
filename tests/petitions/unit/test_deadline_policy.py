"""Which deadlines each event opens and settles (docs/rules.md §2.2 and §2.10)."""

from __future__ import annotations

import datetime as dt

from services.petitions.domain import events as e
from services.petitions.domain.deadline import OpenDeadline, SettleDeadlines, ops_for

D = dt.date(2026, 11, 27)


def opened(event) -> set[str]:
    return {op.kind for op in ops_for(event) if isinstance(op, OpenDeadline)}


def settled(event, how: str) -> set[str]:
    return {k for op in ops_for(event) if isinstance(op, SettleDeadlines) and op.how == how for k in op.kinds}


def test_a_real_name_accusation_opens_the_acceptance_notice_an_anonymous_one_nothing():
    assert opened(e.ReportReceived("r", "ACCUSATION", "REAL_NAME", D)) == {"ACCEPT_NOTICE"}
    assert opened(e.ReportReceived("r", "ACCUSATION", "ANONYMOUS", D)) == set()


def test_a_general_petition_opens_registration_and_for_real_names_the_written_notice():
    assert opened(e.ReportReceived("r", "GENERAL", "REAL_NAME", D)) == {"GENERAL_REGISTER", "GENERAL_NOTICE"}
    assert opened(e.ReportReceived("r", "GENERAL", "ANONYMOUS", D)) == {"GENERAL_REGISTER"}


def test_registering_a_report_of_a_higher_remit_opens_route_up_from_the_receipt():
    op = next(op for op in ops_for(e.ReportRegistered("r", "UPPER", "RECEIVED", D - dt.timedelta(days=2), D)))
    assert op.kind == "ROUTE_UP" and op.anchor == D - dt.timedelta(days=2)
    assert opened(e.ReportRegistered("r", "OWN", "RECEIVED", D, D)) == set()


def test_the_lower_level_registering_a_transferred_report_meets_its_deadline():
    assert settled(e.ReportRegistered("r", "OWN", "TRANSFERRED_DOWN", D, D), "MET") == {"LOWER_REGISTER"}


def test_routing_meets_route_up_and_a_transfer_down_opens_the_lower_levels_deadline():
    assert settled(e.ReportRouted("r", "UPPER", "city", D), "MET") >= {"ROUTE_UP"}
    assert opened(e.ReportRouted("r", "LOWER", "county-a", D)) == {"LOWER_REGISTER"}
    assert settled(e.ReportRouted("r", "UPPER", None, D), "CANCELLED") >= {"ACCEPT_NOTICE"}


def test_a_duplicate_gets_no_acceptance_notice():
    assert "ACCEPT_NOTICE" in settled(e.ReportArchivedDuplicate("r", "o", D), "CANCELLED")


def test_acceptance_of_a_general_petition_opens_the_60_day_close():
    assert opened(e.ReportAccepted("r", "GENERAL", ("c",), (), "integrity", D, D)) == {"GENERAL_CLOSE"}
    assert opened(e.ReportAccepted("r", "ACCUSATION", ("c",), (), "integrity", D, D)) == set()


def test_closure_opens_feedback_for_real_names_only_and_not_on_a_revision():
    assert opened(e.ReportClosed("r", "UNFOUNDED", (), (), False, D, True)) == {"FEEDBACK"}
    assert opened(e.ReportClosed("r", "UNFOUNDED", (), (), False, D, False)) == set()
    assert ops_for(e.ReportClosed("r", "TOLERATED", (), (), False, D, True, revision=True)) == []
    assert settled(e.ReportClosed("r", "UNFOUNDED", (), (), False, D, True), "CANCELLED") == {
        "INQUIRY_REPLY",
        "STATEMENT",
    }


def test_statement_requests_open_their_own_deadline_and_settle_it():
    op = ops_for(e.StatementRequested("s", "r", "c", "INQUIRY_REPLY", D, D + dt.timedelta(days=20)))[0]
    assert op.kind == "INQUIRY_REPLY" and op.due_on == D + dt.timedelta(days=20) and op.object_id == "s"
    assert settled(e.StatementSettled("s", "r", "SUBMITTED", D), "MET") == {"INQUIRY_REPLY", "STATEMENT"}
    assert settled(e.StatementSettled("s", "r", "LAPSED", D), "CANCELLED") == {"INQUIRY_REPLY", "STATEMENT"}


def test_appeals_open_and_meet_the_decision_deadline():
    assert opened(e.AppealAccepted("a", D + dt.timedelta(days=30), D)) == {"APPEAL_DECISION"}
    assert ops_for(e.AppealAccepted("a", None, D)) == []
    assert settled(e.AppealDecided("a", "c", "GOV_SANCTION", "sanction/s", "REVIEW", "UPHELD", None, D), "MET") == {
        "APPEAL_DECISION"
    }
