"""Errors a domain may raise; pure (no web framework), mapped to RFC 9457 problems by kernel.web."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    NOT_FOUND = "not-found"  # 404
    CONFLICT = "conflict"  # 409: state machine forbids it, duplicate, concurrent change
    RULE_VIOLATION = "rule-violation"  # 422: a domain rule refuses the input
    FORBIDDEN = "forbidden"  # 403: the role may not do this
    BAD_REQUEST = "bad-request"  # 400


STATUS = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.RULE_VIOLATION: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.BAD_REQUEST: 400,
}


class DomainError(Exception):
    """A refusal by a domain rule; carries the rule's code and, where known, the source it comes from."""

    kind: ErrorKind = ErrorKind.RULE_VIOLATION

    def __init__(self, message: str, *, rule: str | None = None, source: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.source = source
        self.extra = extra


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT


class RuleViolation(DomainError):
    kind = ErrorKind.RULE_VIOLATION


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN


class InvalidTransition(Conflict):
    """The state machine does not allow this transition from the current state.

    `allowed_actions`: the actions valid from the current state, answered sorted in the problem so that a client
    learns what it may do next; derive them from the aggregate's transition table with `allowed`.
    """

    def __init__(
        self, entity: str, state: str, action: str, *, allowed_actions: Iterable[str] = (), **extra: Any
    ) -> None:
        super().__init__(
            f"{entity} in state {state} cannot {action}",
            rule=f"{entity}.transition",
            state=state,
            action=action,
            allowed_actions=sorted(set(allowed_actions)),
            **extra,
        )

    @staticmethod
    def allowed(table: Mapping[str, Iterable[str]], state: str) -> list[str]:
        """The actions of a transition table (action → the states it is valid from) valid from `state`, sorted."""
        return sorted(action for action, states in table.items() if state in tuple(states))


class ConcurrencyError(Conflict):
    """The aggregate changed since it was read (optimistic version check failed)."""


class FourEyesViolation(Conflict):
    """The one who submitted something also tries to approve or verify it (four-eyes principle): 409, since the
    role may act, but not on what it submitted itself."""


def require_four_eyes(actor: str, submitter: str | None, *, rule: str, action: str = "approve") -> None:
    """Refuses that `actor` approves (verifies, decides) what `actor` submitted: the four-eyes rule of every
    approval step. `rule` is the caller's code (`<entity>.four_eyes`); an unknown submitter (None) never matches."""
    if submitter is not None and actor == submitter:
        raise FourEyesViolation(
            f"the one who submitted it may not {action} it; someone else must", rule=rule, action=action
        )


class PermanentEventError(Exception):
    """An event that can never be applied (a consumer dead-letters it instead of retrying)."""


def item_problem(error: DomainError) -> dict[str, Any]:
    """One refused item of a batch request, named as the single route's problem would name it (status, type,
    detail, rule, field, source): the batch answers it at the item's index and goes on with the others."""
    return {
        "status": STATUS[error.kind],
        "type": error.kind.value,
        "detail": error.message,
        "rule": error.rule,
        "field": error.extra.get("field"),
        "source": error.source,
    }
