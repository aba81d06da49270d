"""HTTP for duplicate screening (查重, PRJ-4): an application's flags, and registration of other
services' documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from services.projects.applications import service as applications_service
from services.projects.deps import FlagReader, ServiceCaller
from services.projects.screening import service
from services.projects.screening.models import ScreenedDocument
from services.projects.screening.schemas import DocumentRead, DocumentRegister, FlagRead
from shared.db import DbSession
from shared.errors import Forbidden, problem_responses
from shared.pagination import Cursor, Limit, Page, Sort
from shared.schemas import Id

router = APIRouter(tags=["screening"])


@router.get(
    "/applications/{application_id}/similar",
    response_model=Page[FlagRead],
    operation_id="screening-similar",
    summary="Near-duplicates found when the application was submitted / 申报书查重结果",
    description="PRJ-4: the records (this year's applications, funded projects of the last five years) "
    "whose similarity reached the threshold, highest first. A flag never rejects an application by "
    "itself. Sort: `-score` (default), `score`, `id`, `-id`. 404 when the application was never screened.",
    responses=problem_responses(401, 403, 404, 422),
)
async def similar(
    application_id: Id,
    session: DbSession,
    caller: FlagReader,
    limit: Limit = 20,
    cursor: Cursor = None,
    sort: Annotated[Sort, service.FLAG_SORTS.choices] = None,
) -> Page[FlagRead]:
    if not caller.has_role("official", "admin"):
        # PRJ-2: an agency sees the flags of applications in programmes entrusted to it only.
        await applications_service.load(session, caller, application_id)
    return await service.flags(session, application_id, limit=limit, cursor=cursor, sort=sort)


@router.post(
    "/internal/screening/documents",
    response_model=DocumentRead,
    status_code=201,
    operation_id="screening-register-document",
    summary="Register a document for duplicate screening (internal) / 登记查重比对文档（内部）",
    description="For the platform's services (the foundation's applications and funded projects). "
    "`source` must be the calling service. Idempotent by (source, reference_id): the same content "
    "again answers 200 and changes nothing; new content replaces the stored document (201).",
    responses={
        200: {"description": "Already registered with this content", "model": DocumentRead},
        **problem_responses(401, 403, 422),
    },
)
async def register_document(
    body: DocumentRegister, session: DbSession, caller: ServiceCaller, response: Response
) -> ScreenedDocument:
    if body.source != caller.subject:
        raise Forbidden("服务只能登记本服务的文档。", "A service registers only its own documents.")
    doc, changed = await service.register_document(
        session,
        source=body.source,
        kind=body.kind,
        reference_id=body.reference_id,
        year=body.year,
        title=body.title,
        abstract=body.abstract,
        keywords=body.keywords,
    )
    if not changed:
        response.status_code = 200
    return doc
