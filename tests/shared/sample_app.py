"""A tiny service used to test the shared machinery end to end: notes with a workflow, versions,
idempotent creation and cursor pagination. Test-only; its tables are created with create_all."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from sqlalchemy import Numeric, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared import audit
from shared.app import ServiceSpec, create_service_app
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.db import CommonTables, Database, DbSession, new_metadata
from shared.db.models import AwareDateTime, BigId, utcnow
from shared.errors import NotFound
from shared.pagination import Cursor, Limit, Page, Sort, SortSpec, paginate
from shared.principal import PUBLIC, Caller, MaybeCaller, Principal, require_roles, require_scope
from shared.schemas import InputSchema, OutputSchema
from shared.settings import ServiceSettings
from shared.workflow import HistoryRead, Workflow, load_history, transition


class Base(DeclarativeBase):
    metadata = new_metadata()


common = CommonTables(Base)


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(32), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)


def _title_not_secret(note: Note, principal: Principal, context: dict) -> None:
    from shared.errors import Conflict

    if "机密" in note.title:
        raise Conflict("标题含“机密”，不能发布。", "A title containing 机密 cannot be published.")


WORKFLOW = Workflow(
    "note",
    "draft",
    [
        transition("submit", "draft", "submitted", ["applicant"]),
        transition("publish", "submitted", "published", ["official"], guards=[_title_not_secret]),
        transition("return", "submitted", "draft", ["official"], comment_required=True),
        transition("withdraw", ["draft", "submitted"], "withdrawn", ["applicant"]),
    ],
)


class NoteCreate(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(ge=0, le=Decimal("1e12"), max_digits=14, decimal_places=2)


class NoteUpdate(InputSchema):
    title: str | None = Field(default=None, min_length=1, max_length=200)


class NoteRead(OutputSchema):
    id: int
    title: str
    amount: Decimal
    status: str
    version: int
    created_at: datetime


class ActionBody(InputSchema):
    comment: str | None = Field(default=None, max_length=2000)


router = APIRouter(tags=["notes"])
SORTS = SortSpec(fields={"created_at": Note.created_at, "title": Note.title}, id_column=Note.id)


async def _own(session, note_id: int, caller: Principal) -> Note:
    note = await session.get(Note, note_id)
    if note is None or (note.owner != caller.subject and not caller.has_role("official")):
        raise NotFound()
    return note


@router.post("/notes", status_code=201, response_model=NoteRead, operation_id="notes-create")
async def create_note(body: NoteCreate, session: DbSession, caller: Caller, response: Response) -> Note:
    note = Note(owner=caller.subject, title=body.title, amount=body.amount)
    session.add(note)
    await session.flush()
    await WORKFLOW.record_creation(session, common, note, caller)
    await audit.append(session, common, caller, "create", "note", note.id, {"title": note.title})
    set_etag(response, "note", note.id, note.version)
    return note


@router.get("/notes", response_model=Page[NoteRead], operation_id="notes-list")
async def list_notes(
    session: DbSession,
    caller: Caller,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Sort = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[NoteRead]:
    stmt = select(Note).where(Note.owner == caller.subject)
    if status:
        stmt = stmt.where(Note.status == status)
    rows, next_cursor = await paginate(session, stmt, SORTS, limit=limit, cursor=cursor, sort=sort)
    return Page[NoteRead](items=[NoteRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/notes/{note_id}", response_model=NoteRead, operation_id="notes-get")
async def get_note(note_id: int, session: DbSession, caller: Caller, response: Response) -> Note:
    note = await _own(session, note_id, caller)
    set_etag(response, "note", note.id, note.version)
    return note


@router.patch("/notes/{note_id}", response_model=NoteRead, operation_id="notes-update")
async def update_note(
    note_id: int,
    body: NoteUpdate,
    session: DbSession,
    caller: Caller,
    response: Response,
    if_match: IfMatch = None,
) -> Note:
    note = await _own(session, note_id, caller)
    check_if_match(if_match, "note", note.id, note.version)
    if body.title is not None:
        note.title = body.title
    note.version += 1
    set_etag(response, "note", note.id, note.version)
    return note


@router.post("/notes/{note_id}/{action}", response_model=NoteRead, operation_id="notes-act")
async def act(
    note_id: int,
    action: str,
    session: DbSession,
    caller: Caller,
    response: Response,
    body: ActionBody | None = None,
    if_match: IfMatch = None,
) -> Note:
    note = await _own(session, note_id, caller)
    check_if_match(if_match, "note", note.id, note.version, required=False)
    await WORKFLOW.apply(session, common, note, action, caller, comment=body.comment if body else None)
    set_etag(response, "note", note.id, note.version)
    return note


@router.get("/notes/{note_id}/history", response_model=list[HistoryRead], operation_id="notes-history")
async def history(note_id: int, session: DbSession, caller: Caller) -> list[HistoryRead]:
    note = await _own(session, note_id, caller)
    return await load_history(session, common, "note", note.id)


@router.get("/public", operation_id="notes-public", **PUBLIC)
async def public(caller: MaybeCaller) -> dict[str, str]:
    return {"kind": caller.kind}


@router.get("/officials-only", operation_id="notes-officials")
async def officials_only(_: Annotated[Principal, Depends(require_roles("official"))]) -> dict[str, bool]:
    return {"ok": True}


@router.get("/permits/verify", operation_id="notes-verify")
async def verify_permit(
    caller: Annotated[Principal, Depends(require_scope("foreign-experts:permits:verify", or_roles=("official",)))],
) -> dict[str, str]:
    return {"kind": caller.kind}


@router.get("/boom", operation_id="notes-boom")
async def boom(request: Request) -> None:
    raise RuntimeError("secret internal detail: host db-7.internal password=hunter2")


SPEC = ServiceSpec(name="sample", title="Sample", description="test", routers=[router], common=common)


class SampleSettings(ServiceSettings):
    service_name = "sample"


def create_app(db: Database, **overrides: object):
    from tests.conftest import TEST_SECRET

    settings = SampleSettings(internal_secret=TEST_SECRET, env="test", access_log=False, **overrides)
    return create_service_app(SPEC, settings, database=db)
