"""InvalidTransition names the actions allowed from the current state (issue 12 item 6)."""

from __future__ import annotations

from kernel.errors import ErrorKind, InvalidTransition

TABLE = {"open": ("NEW",), "close": ("OPEN", "PAUSED"), "pause": ("OPEN",), "resume": ("PAUSED",)}


def test_allowed_actions_come_sorted_from_the_transition_table():
    assert InvalidTransition.allowed(TABLE, "OPEN") == ["close", "pause"]
    assert InvalidTransition.allowed(TABLE, "CLOSED") == []


def test_the_problem_carries_them_with_state_and_action():
    err = InvalidTransition("thing", "OPEN", "resume", allowed_actions=["pause", "close", "pause"])
    assert err.kind is ErrorKind.CONFLICT and err.rule == "thing.transition"
    assert err.extra == {"state": "OPEN", "action": "resume", "allowed_actions": ["close", "pause"]}
