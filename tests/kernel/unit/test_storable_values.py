"""Values a database cannot hold are refused by every request model, naming the field (issue 11 item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from kernel import requests
from kernel.requests import QueryDate, RequestModel


class Inner(RequestModel):
    label: str = ""


class Body(RequestModel):
    count: int = 0
    amount: int | None = None
    share: float = 0.0
    name: str = ""
    tags: list[str] = []
    numbers: list[int] = []
    on: dt.date | None = None
    at: dt.datetime | None = None
    inner: Inner | None = None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", 2**63),
        ("count", -(2**63) - 1),
        ("amount", 10**40),
        ("numbers", [1, 2**63]),
        ("share", float("inf")),
        ("share", float("nan")),
        ("name", "a\u0000b"),
        ("tags", ["ok", "\u0000"]),
        ("on", "1899-12-31"),
        ("on", "9999-12-31"),
        ("at", "1800-01-01T00:00:00Z"),
        ("at", "9999-12-31T00:00:00Z"),
    ],
)
def test_unstorable_values_are_refused_naming_the_field(field, value):
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_nested_models_are_checked_too():
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"inner": {"label": "x\u0000"}})
    assert caught.value.errors()[0]["loc"] == ("inner", "label")


def test_values_at_the_bounds_pass():
    today = dt.date.today()
    body = Body.model_validate(
        {
            "count": 2**63 - 1,
            "amount": -(2**63),
            "on": "1900-01-01",
            "name": "王五",
            "at": f"{today.year + 99}-01-01T00:00:00Z",
        }
    )
    assert body.count == 2**63 - 1 and body.on == dt.date(1900, 1, 1)


def test_the_date_bounds_are_settings():
    from services.rank.settings import RankSettings

    settings = RankSettings(_env_file=None)
    assert settings.request_date_min == dt.date(1900, 1, 1) and settings.request_date_max_years_ahead == 100
    saved = (requests.BOUNDS.floor, requests.BOUNDS.years_ahead)
    try:
        requests.configure_bounds(dt.date(1950, 1, 1), 1)
        for raw in ("1949-12-31", (dt.date.today() + dt.timedelta(days=400)).isoformat()):
            with pytest.raises(ValidationError):
                Body.model_validate({"on": raw})
        assert Body.model_validate({"on": "1950-01-01"}).on == dt.date(1950, 1, 1)
    finally:
        requests.configure_bounds(*saved)


def test_a_query_date_keeps_to_the_bounds():
    class Query(BaseModel):
        on: QueryDate

    for raw in ("1800-01-01", "9999-12-31"):
        with pytest.raises(ValidationError):
            Query(on=raw)
    assert Query(on="2026-06-15").on == dt.date(2026, 6, 15)
