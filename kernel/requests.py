"""Request bodies and query parameters held to the JSON types their OpenAPI schema states (docs/reliability.md S4).

Pydantic's lax mode turns `0` into `false`, `"0"` or `0` into 1970-01-01 and `"5"` into 5. A client that sends
those has a bug, and the answer it gets must say so (422 naming the field), not store a guess. Enums, nested
models and strings keep pydantic's own validation; only the scalar JSON types are checked here.

Values a database cannot hold are client mistakes too, not 500s: integers outside int64 (BIGINT on PostgreSQL,
INTEGER on SQLite), non-finite numbers, NUL characters (PostgreSQL text cannot hold U+0000) and dates outside
plausible bounds (by default 1900-01-01 to 100 years ahead; settings `request_date_min` and
`request_date_max_years_ahead`, applied by `configure_bounds` when an app is built). Each answers 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class DateBounds:
    """The plausible range of a date in a request: a fixed floor and a ceiling some years after today."""

    def __init__(self, floor: dt.date = dt.date(1900, 1, 1), years_ahead: int = 100) -> None:
        self.floor = floor
        self.years_ahead = years_ahead

    def ceiling(self) -> dt.date:
        today = dt.date.today()
        try:
            return today.replace(year=today.year + self.years_ahead)
        except ValueError:  # 29 February
            return today.replace(year=today.year + self.years_ahead, day=28)


BOUNDS = DateBounds()


def configure_bounds(floor: dt.date, years_ahead: int) -> None:
    """Sets the date bounds of request models (from the service's settings; the same in every service)."""
    BOUNDS.floor, BOUNDS.years_ahead = floor, years_ahead


def storable_error(value: Any) -> str | None:
    """Returns why a validated value cannot be stored (int64, NUL, non-finite, implausible date), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            return f"must be between {INT64_MIN} and {INT64_MAX}"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "must be a finite number"
    elif isinstance(value, str):
        if "\x00" in value:
            return "must not contain NUL characters"
    elif isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if day < BOUNDS.floor:
            return f"must not be before {BOUNDS.floor.isoformat()}"
        if day > BOUNDS.ceiling():
            return f"must not be more than {BOUNDS.years_ahead} years ahead"
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            error = storable_error(item)
            if error:
                return error
    elif isinstance(value, dict):
        for key, item in value.items():
            error = storable_error(key) or storable_error(item)
            if error:
                return error
    return None


def _scalar(annotation: Any) -> Any:
    """Returns the one non-None type of an Optional annotation, or the annotation itself."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return annotation


def json_type_error(kind: Any, value: Any) -> str | None:
    """Returns why `value` is not of the JSON type of `kind` (bool, int, float, date, datetime), or None."""
    if value is None:
        return None
    if kind is bool:
        return None if isinstance(value, bool) else "must be a boolean (true or false)"
    if kind is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "must be an integer"
    if kind is float:
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "must be a number"
    if kind is dt.datetime:
        ok = isinstance(value, dt.datetime) or (isinstance(value, str) and ISO_DATETIME.fullmatch(value))
        return None if ok else "must be a date-time (ISO 8601, e.g. 2026-06-15T09:30:00+08:00)"
    if kind is dt.date:
        ok = (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or (
            isinstance(value, str) and ISO_DATE.fullmatch(value)
        )
        return None if ok else "must be a date (YYYY-MM-DD)"
    return None


class RequestModel(BaseModel):
    """Base of every request body: unknown fields refused, strings stripped, scalars of their JSON type."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None:
            error = json_type_error(_scalar(field.annotation), value)
            if error:
                raise ValueError(error)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        error = storable_error(value)
        if error:
            raise ValueError(error)
        return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError("must be a date (YYYY-MM-DD)")
    return value


def _plausible(value: Any) -> Any:
    error = storable_error(value)
    if error:
        raise ValueError(error)
    return value


# A date in a query string: YYYY-MM-DD only (pydantic alone reads "0" as 1970-01-01), within the date bounds.
QueryDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_plausible)]
