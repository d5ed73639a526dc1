"""Routes of the notes on cadres' records that other services' events leave (clarification, 信访 review flag,
reinstatement observation, term evaluation task): read-only, under the assessments segment."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from kernel.deps import ReaderDep
from kernel.errors import NotFound
from kernel.pagination import PageDep
from kernel.requests import QueryDate
from kernel.security import PrincipalDep, require
from services.appraisal import views
from services.appraisal.api import schemas as s
from services.appraisal.api.dependencies import READERS, CadreFilter

router = APIRouter(prefix="/api/v1")
NoteKind = Literal["CLARIFICATION", "XINFANG_REVIEW", "REINSTATEMENT", "TERM_EVALUATION"]


@router.get("/assessments/notes", response_model=s.Page, tags=["assessments"], dependencies=[require(*READERS)])
async def list_notes(
    conn: ReaderDep,
    principal: PrincipalDep,
    page: PageDep,
    cadre_id: CadreFilter = None,
    kind: NoteKind | None = None,
    due_before: Annotated[QueryDate | None, Query(description="tasks due on or before")] = None,
    org_unit_id: Annotated[str | None, Query(max_length=64)] = None,
) -> s.Page:
    """Lists notes on cadres' records in the caller's scope, newest first (e.g. kind=TERM_EVALUATION&due_before=)."""
    items, cursor = await views.notes(
        conn, principal, page, cadre_id=cadre_id, kind=kind, due_before=due_before, org_unit_id=org_unit_id
    )
    return s.Page(items=items, next_cursor=cursor)


@router.get("/assessments/notes/{note_id}", tags=["assessments"], dependencies=[require(*READERS)])
async def get_note(note_id: str, conn: ReaderDep, principal: PrincipalDep) -> dict:
    """Returns one note on a cadre's record."""
    row = await views.note(conn, principal, note_id)
    if row is None:
        raise NotFound("note not found", field="note_id")
    return row
