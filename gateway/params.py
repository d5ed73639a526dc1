"""Hand-parsed parameters of the hot routes (dossier, dashboards): the same checks and problem answers as
FastAPI's validation, without its per-request dependency solving (about half the gateway's own CPU per dossier)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kernel.audit import PURPOSE_RE
from kernel.requests import ISO_DATE
from kernel.web import ProblemException

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$"
_ID = re.compile(ID_PATTERN)


def invalid(field: str, where: str, message: str, code: str) -> ProblemException:
    """Builds the 422 problem of one invalid parameter (shaped like the kernel's validation problems)."""
    return ProblemException(
        422,
        f"invalid input: {field}",
        type_="validation",
        errors=[{"field": field, "in": where, "message": message, "code": code}],
    )


def identifier(value: str, field: str) -> str:
    """Checks a path id (letters, digits and ._:- up to 64 characters)."""
    if not _ID.match(value):
        raise invalid(field, "path", f"String should match pattern '{ID_PATTERN}'", "string_pattern_mismatch")
    return value


def date_param(raw: str | None, field: str) -> dt.date | None:
    """Parses an optional YYYY-MM-DD query parameter."""
    if raw is None:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):  # 3.11's fromisoformat also reads 20260615 and 2026-W01-1
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise invalid(field, "query", "Input should be a valid date (YYYY-MM-DD)", "date_parsing") from None


def purpose(raw: str | None) -> str:
    """Reads X-Purpose (an upper-case code, default ROUTINE)."""
    if raw is None:
        return "ROUTINE"
    if not PURPOSE_RE.match(raw):
        raise invalid("X-Purpose", "header", "an upper-case code such as APPOINTMENT_REVIEW", "string_pattern_mismatch")
    return raw


def path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": ID_PATTERN},
    }


AS_OF_PARAMETER = {
    "name": "as_of",
    "in": "query",
    "required": False,
    "description": "the historical view at this date (YYYY-MM-DD), not in the future",
    "schema": {"type": "string", "format": "date"},
}
PURPOSE_PARAMETER = {
    "name": "X-Purpose",
    "in": "header",
    "required": False,
    "description": "why the caller reads this (recorded in each service's audit log)",
    "schema": {"type": "string", "pattern": PURPOSE_RE.pattern, "maxLength": 32},
}
BEARER = [{"HTTPBearer": []}]
