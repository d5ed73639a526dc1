"""Request bodies and query dates keep the JSON types their schema states (kernel.requests)."""

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from kernel.requests import QueryDate, RequestModel


class Body(RequestModel):
    flag: bool = False
    maybe: bool | None = None
    count: int = 0
    share: float = 0.0
    on: dt.date | None = None
    at: dt.datetime | None = None
    name: str = ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("flag", 0),
        ("flag", "true"),
        ("maybe", 1),
        ("count", True),
        ("count", "5"),
        ("count", 1.5),
        ("share", "0.5"),
        ("share", False),
        ("on", 0),
        ("on", "0"),
        ("on", "20260615"),
        ("on", "2026-W01-1"),
        ("at", 0),
        ("at", "0"),
    ],
)
def test_a_value_of_another_json_type_is_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_values_of_the_stated_types_pass_and_unknown_fields_are_refused():
    body = Body.model_validate(
        {
            "flag": True,
            "maybe": None,
            "count": 3,
            "share": 1,
            "on": "2026-06-15",
            "at": "2026-06-15T09:30:00+08:00",
            "name": "  x ",
        }
    )
    assert (body.flag, body.count, body.share, body.on, body.name) == (True, 3, 1.0, dt.date(2026, 6, 15), "x")
    assert Body(on=dt.date(2026, 1, 1)).on == dt.date(2026, 1, 1)  # built in Python from a date
    with pytest.raises(ValidationError):
        Body.model_validate({"unknown": 1})


def test_a_query_date_is_read_only_as_yyyy_mm_dd():
    class Query(BaseModel):
        on: QueryDate

    assert Query(on="2026-06-15").on == dt.date(2026, 6, 15)
    for raw in ("0", "20260615", "2026-W01-1", "1700000000"):
        with pytest.raises(ValidationError):
            Query(on=raw)
