"""HTTP of funded projects: disbursements, annual reports, the final report, the conclusion."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from services.foundation.applications.models import FoundationApplication
from services.foundation.deps import Applicant, Env, Official, Reader, Staff
from services.foundation.funded import service
from services.foundation.funded.models import AnnualReport, FinalReport
from services.foundation.funded.schemas import (
    AnnualReportContent,
    AnnualReportCreate,
    AnnualReportRead,
    CommentBody,
    DisbursementIn,
    DisbursementList,
    DisbursementRead,
    FinalReportIn,
    FinalReportRead,
    RequiredComment,
)
from shared.concurrency import IfMatch, set_etag
from shared.db import DbSession
from shared.errors import problem_responses
from shared.pagination import Page
from shared.principal import Principal
from shared.schemas import Id
from shared.workflow import HistoryRead

router = APIRouter(tags=["foundation funded projects"])

Year = Annotated[int, Path(ge=2000, le=2200, description="the year reported on")]

BASE = "/applications/{application_id}"
READ_ERRORS = problem_responses(401, 403, 404, 422)
ACTION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


def _annual(response: Response, report: AnnualReport, who: Principal) -> AnnualReportRead:
    set_etag(response, service.ANNUAL_KIND, report.id, report.version)
    return service.annual_read(report, who)


def _final(response: Response, found: tuple[FinalReport, FoundationApplication, Principal]) -> FinalReportRead:
    report, application, who = found
    set_etag(response, service.FINAL_KIND, report.id, report.version)
    return service.final_read(report, application, who)


# --- disbursements (拨款) ---------------------------------------------------------------------------


@router.post(
    f"{BASE}/disbursements",
    status_code=201,
    response_model=DisbursementRead,
    operation_id="foundation-funded-disbursements-create",
    summary="Record a disbursement of the grant (official) / 登记拨款",
    description="The sum of a project's disbursements never exceeds its approved amount (exactly the grant is "
    "fine; one fen over is a 409 `disbursement_exceeds_grant`). `paid_on` is not after today "
    "(Asia/Shanghai). Only a funded project (or one whose final report is examined, or concluded) "
    "is paid: otherwise 409 `not_disbursable`. Send an Idempotency-Key to make retries safe.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def disburse(
    application_id: Id, body: DisbursementIn, session: DbSession, caller: Official, env: Env
) -> DisbursementRead:
    return DisbursementRead.model_validate(await service.disburse(session, caller, application_id, body, env))


@router.get(
    f"{BASE}/disbursements",
    response_model=DisbursementList,
    operation_id="foundation-funded-disbursements-list",
    summary="The disbursements of a project, with the grant and what remains / 拨款记录",
    description="Staff, the project's applicant, the host institution's org_admin and auditors.",
    responses=READ_ERRORS,
)
async def list_disbursements(application_id: Id, session: DbSession, caller: Reader) -> DisbursementList:
    return await service.disbursement_list(session, caller, application_id)


# --- annual progress reports (年度进展报告) ---------------------------------------------------------


@router.post(
    f"{BASE}/annual-reports",
    status_code=201,
    response_model=AnnualReportRead,
    operation_id="foundation-funded-annual-reports-create",
    summary="Submit the progress report of a year (the project's applicant) / 提交年度进展报告",
    description="While the project is funded; one report per year (a second is a 409 `annual_report_exists`); "
    "the year lies within the project's term (the plan's year to year + ceil(duration_months / 12)) "
    "and has begun (422 `outside_project_term`, `year_not_started`).",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_annual_report(
    application_id: Id, body: AnnualReportCreate, session: DbSession, caller: Applicant, response: Response, env: Env
) -> AnnualReportRead:
    report, who = await service.create_annual_report(session, caller, application_id, body, env.now)
    return _annual(response, report, who)


@router.get(
    f"{BASE}/annual-reports",
    response_model=Page[AnnualReportRead],
    operation_id="foundation-funded-annual-reports-list",
    summary="The annual reports of a project, by year / 年度进展报告列表",
    description="All of them in one page (a project has one per year of its term), oldest year first.",
    responses=READ_ERRORS,
)
async def list_annual_reports(application_id: Id, session: DbSession, caller: Reader) -> Page[AnnualReportRead]:
    return Page[AnnualReportRead](items=await service.annual_reports(session, caller, application_id), next_cursor=None)


@router.get(
    f"{BASE}/annual-reports/{{year}}",
    response_model=AnnualReportRead,
    operation_id="foundation-funded-annual-reports-get",
    summary="The annual report of a year / 年度进展报告",
    responses=READ_ERRORS,
)
async def get_annual_report(
    application_id: Id, year: Year, session: DbSession, caller: Reader, response: Response
) -> AnnualReportRead:
    report, who = await service.annual_report(session, caller, application_id, year)
    return _annual(response, report, who)


@router.post(
    f"{BASE}/annual-reports/{{year}}/accept",
    response_model=AnnualReportRead,
    operation_id="foundation-funded-annual-reports-accept",
    summary="Accept an annual report (staff) / 通过年度进展报告",
    responses=ACTION_ERRORS,
)
async def accept_annual_report(
    application_id: Id,
    year: Year,
    session: DbSession,
    caller: Staff,
    response: Response,
    env: Env,
    body: CommentBody | None = None,
    if_match: IfMatch = None,
) -> AnnualReportRead:
    report, who = await service.act_on_annual_report(
        session,
        caller,
        application_id,
        year,
        "accept",
        comment=body.comment if body else None,
        content=None,
        if_match=if_match,
        now=env.now,
    )
    return _annual(response, report, who)


@router.post(
    f"{BASE}/annual-reports/{{year}}/return",
    response_model=AnnualReportRead,
    operation_id="foundation-funded-annual-reports-return",
    summary="Return an annual report for revision, with a comment (staff) / 退回年度进展报告修改",
    responses=ACTION_ERRORS,
)
async def return_annual_report(
    application_id: Id,
    year: Year,
    body: RequiredComment,
    session: DbSession,
    caller: Staff,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> AnnualReportRead:
    report, who = await service.act_on_annual_report(
        session,
        caller,
        application_id,
        year,
        "return",
        comment=body.comment,
        content=None,
        if_match=if_match,
        now=env.now,
    )
    return _annual(response, report, who)


@router.post(
    f"{BASE}/annual-reports/{{year}}/resubmit",
    response_model=AnnualReportRead,
    operation_id="foundation-funded-annual-reports-resubmit",
    summary="Resubmit a returned annual report with its revised content (the applicant) / 重新提交年度进展报告",
    responses=ACTION_ERRORS,
)
async def resubmit_annual_report(
    application_id: Id,
    year: Year,
    body: AnnualReportContent,
    session: DbSession,
    caller: Applicant,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> AnnualReportRead:
    report, who = await service.act_on_annual_report(
        session, caller, application_id, year, "resubmit", comment=None, content=body, if_match=if_match, now=env.now
    )
    return _annual(response, report, who)


@router.get(
    f"{BASE}/annual-reports/{{year}}/history",
    response_model=list[HistoryRead],
    operation_id="foundation-funded-annual-reports-history",
    summary="The transitions of an annual report / 年度报告流转记录",
    responses=READ_ERRORS,
)
async def annual_report_history(
    application_id: Id, year: Year, session: DbSession, caller: Reader
) -> list[HistoryRead]:
    return await service.annual_history(session, caller, application_id, year)


# --- the final report (结题报告) --------------------------------------------------------------------


@router.put(
    f"{BASE}/final-report",
    response_model=FinalReportRead,
    operation_id="foundation-funded-final-report-put",
    summary="Write or rewrite the final report's draft (the project's applicant) / 填写结题报告",
    description="While the project is funded (again after the staff returned the report): 201 when created, "
    "200 when replaced; If-Match (optional) guards a rewrite. Outputs: papers (indexed SCI, EI, "
    "CSSCI or other), patents (invention, utility or design; filed or granted), talents trained "
    "(phd, master, postdoc, each >= 0), spending. Otherwise 409 `final_report_not_editable`.",
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def put_final_report(
    application_id: Id,
    body: FinalReportIn,
    session: DbSession,
    caller: Applicant,
    response: Response,
    if_match: IfMatch = None,
) -> FinalReportRead:
    report, application, who, created = await service.put_final_report(session, caller, application_id, body, if_match)
    if created:
        response.status_code = 201
    return _final(response, (report, application, who))


@router.get(
    f"{BASE}/final-report",
    response_model=FinalReportRead,
    operation_id="foundation-funded-final-report-get",
    summary="The final report / 结题报告",
    description="The project's applicant, staff, the host institution's org_admin and auditors.",
    responses=READ_ERRORS,
)
async def get_final_report(
    application_id: Id, session: DbSession, caller: Reader, response: Response
) -> FinalReportRead:
    return _final(response, await service.final_report(session, caller, application_id))


@router.post(
    f"{BASE}/final-report/submit",
    response_model=FinalReportRead,
    operation_id="foundation-funded-final-report-submit",
    summary="Submit the final report: the project becomes final_submitted (the applicant) / 提交结题报告",
    description="409 `final_report_missing` without a draft. The limits ledger in the projects service follows "
    "the move: when it does not answer, 503 with Retry-After and nothing is written.",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def submit_final_report(
    application_id: Id, session: DbSession, caller: Applicant, response: Response, env: Env, if_match: IfMatch = None
) -> FinalReportRead:
    return _final(
        response, await service.act_on_final_report(session, caller, application_id, "submit", None, if_match, env)
    )


@router.post(
    f"{BASE}/final-report/conclude",
    response_model=FinalReportRead,
    operation_id="foundation-funded-final-report-conclude",
    summary="Conclude the project on its final report (staff) / 准予结题",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def conclude(
    application_id: Id,
    session: DbSession,
    caller: Staff,
    response: Response,
    env: Env,
    body: CommentBody | None = None,
    if_match: IfMatch = None,
) -> FinalReportRead:
    return _final(
        response,
        await service.act_on_final_report(
            session, caller, application_id, "conclude", body.comment if body else None, if_match, env
        ),
    )


@router.post(
    f"{BASE}/final-report/fail",
    response_model=FinalReportRead,
    operation_id="foundation-funded-final-report-fail",
    summary="The project fails its final review, with a comment (staff) / 不予结题",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def fail(
    application_id: Id,
    body: RequiredComment,
    session: DbSession,
    caller: Staff,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> FinalReportRead:
    return _final(
        response,
        await service.act_on_final_report(session, caller, application_id, "fail", body.comment, if_match, env),
    )


@router.post(
    f"{BASE}/final-report/return",
    response_model=FinalReportRead,
    operation_id="foundation-funded-final-report-return",
    summary="Return the final report for revision, with a comment: the project is funded again (staff) / 退回结题报告",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
async def return_final_report(
    application_id: Id,
    body: RequiredComment,
    session: DbSession,
    caller: Staff,
    response: Response,
    env: Env,
    if_match: IfMatch = None,
) -> FinalReportRead:
    return _final(
        response,
        await service.act_on_final_report(session, caller, application_id, "return", body.comment, if_match, env),
    )


@router.get(
    f"{BASE}/final-report/history",
    response_model=list[HistoryRead],
    operation_id="foundation-funded-final-report-history",
    summary="The final report's moves of the project (submit, return, conclude, fail) / 结题流转记录",
    responses=READ_ERRORS,
)
async def final_report_history(application_id: Id, session: DbSession, caller: Reader) -> list[HistoryRead]:
    return await service.final_history(session, caller, application_id)
