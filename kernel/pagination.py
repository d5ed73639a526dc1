"""Keyset (cursor) pagination with a bounded page size, shared by every list endpoint."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query
from sqlalchemy import Column, Select, and_, or_

from kernel.web import ProblemException

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageParams:
    """The `limit` and `cursor` of a list request."""

    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="page size (at most 100)")] = 20,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque cursor from next_cursor")] = None,
) -> PageParams:
    """Reads limit and cursor from the query string."""
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def encode_cursor(values: list[Any]) -> str:
    """Encodes the sort key of the last row as an opaque cursor."""
    return base64.urlsafe_b64encode(orjson.dumps(values, default=str)).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    """Decodes a cursor; a tampered or foreign cursor is a client error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except Exception:
        raise ProblemException(400, "invalid cursor", type_="invalid-cursor", field="cursor") from None
    if not isinstance(values, list) or len(values) != width:
        raise ProblemException(400, "invalid cursor", type_="invalid-cursor", field="cursor")
    return values


def keyset(
    query: Select,
    columns: list[Column],
    page: PageParams,
    *,
    descending: bool = False,
    converters: list[Any] | None = None,
) -> Select:
    """Orders by `columns` (the last must be unique) and continues after the cursor's row."""
    if page.cursor:
        values = decode_cursor(page.cursor, len(columns))
        if converters:
            try:
                values = [conv(v) if conv and v is not None else v for conv, v in zip(converters, values, strict=True)]
            except (TypeError, ValueError):
                raise ProblemException(400, "invalid cursor", type_="invalid-cursor", field="cursor") from None
        clauses = []
        for i, column in enumerate(columns):
            equal = [columns[j] == values[j] for j in range(i)]
            beyond = column < values[i] if descending else column > values[i]
            clauses.append(and_(*equal, beyond))
        query = query.where(or_(*clauses))
    order = [c.desc() if descending else c.asc() for c in columns]
    return query.order_by(*order).limit(page.limit + 1)


def next_cursor(rows: list[Any], page: PageParams, key: Any) -> tuple[list[Any], str | None]:
    """Trims the look-ahead row and returns (rows, cursor of the next page or None)."""
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, encode_cursor(list(key(rows[-1])))
