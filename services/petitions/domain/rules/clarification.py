"""Clarification (澄清正名): scope at least as wide as the accusation spread, and methods that reach that scope."""

from __future__ import annotations

# How far an accusation spread, or a clarification reaches (政务处分法 §60: "within the same scope") [S].
SCOPES = ("PERSON", "UNIT", "SYSTEM", "PUBLIC")
METHODS = ("LETTER", "IN_PERSON", "MEETING", "NOTICE", "MEDIA")
# The widest scope each method can reach (local 澄清 rules: letter or talk to the unit leader and the cadre,
# notice within a scope, a meeting, a media statement for publicly spread allegations) [S].
METHOD_REACH = {"LETTER": "UNIT", "IN_PERSON": "UNIT", "MEETING": "SYSTEM", "NOTICE": "SYSTEM", "MEDIA": "PUBLIC"}
SOURCE = "政务处分法 §53, §60; 失实检举控告澄清 implementing rules"


def scope_rank(scope: str) -> int:
    """Returns the width of a scope (PERSON 0 … PUBLIC 3)."""
    return SCOPES.index(scope)


def covers(scope: str, spread: str) -> bool:
    """Tells whether a clarification scope is at least as wide as the spread of the accusation."""
    return scope_rank(scope) >= scope_rank(spread)


def method_reaches(method: str, scope: str) -> bool:
    """Tells whether a method can reach a scope."""
    return scope_rank(METHOD_REACH[method]) >= scope_rank(scope)
