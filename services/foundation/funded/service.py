"""Use cases of funded projects (资助项目): disbursements, annual reports, the final report and the
decision on it. Never commits: the request's unit of work does.

Every use case loads the application through ``applications.service.load`` (a 404 for anyone who
may not see it) and narrows the caller's roles to those it holds for it (``access.acting``): the
owner is the ``applicant``, the plan's agencies and the officials are the staff. Writes lock the
application row first, so two disbursements (or two reports) of one project never interleave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.foundation import access
from services.foundation.applications import repository as applications_repo
from services.foundation.applications import service as applications
from services.foundation.applications.models import FoundationApplication
from services.foundation.db import common
from services.foundation.deps import Environment
from services.foundation.errors import (
    AnnualReportExists,
    DisbursementExceedsGrant,
    FinalReportMissing,
    FinalReportNotEditable,
    NotDisbursable,
    ProjectNotRunning,
)
from services.foundation.funded import repository as repo
from services.foundation.funded import rules
from services.foundation.funded.models import AnnualReport, Disbursement, FinalReport
from services.foundation.funded.schemas import (
    AnnualReportContent,
    AnnualReportCreate,
    AnnualReportRead,
    DisbursementIn,
    DisbursementList,
    DisbursementRead,
    FinalReportIn,
    FinalReportRead,
    OutputsRead,
    SpendingRead,
)
from services.foundation.plans.models import FundingPlan
from services.foundation.rules.workflows import APPLICATION_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import NotFound, ValidationFailed
from shared.principal import Principal
from shared.workdays import today_shanghai
from shared.workflow import HistoryRead, load_history

DISBURSEMENT_KIND = "foundation_disbursement"
ANNUAL_KIND = rules.ANNUAL_REPORT_WORKFLOW.entity_type
FINAL_KIND = "foundation_final_report"

# The final report's URL actions and the application moves they make.
FINAL_ACTIONS = {
    "submit": "submit_final_report",
    "return": "return_final_report",
    "conclude": "conclude",
    "fail": "fail",
}
# What the final report is, by the application's state.
FINAL_STATUS = {"funded": "draft", "final_submitted": "submitted", "concluded": "concluded", "failed": "failed"}


def _no_annual_report() -> NotFound:
    return NotFound("该年度的进展报告不存在。", "No annual report for that year.")


def _no_final_report() -> NotFound:
    return NotFound("结题报告不存在。", "No final report.")


async def _load(
    session: AsyncSession, principal: Principal, application_id: int, *, for_update: bool = False
) -> tuple[FoundationApplication, FundingPlan, Principal]:
    application = await applications.load(session, principal, application_id, for_update=for_update)
    plan = await applications_repo.plan_of(session, application)
    return application, plan, access.acting(principal, application, plan)


def _amount(value: Any) -> str:
    return f"{value:.2f}"


# --- disbursements ---------------------------------------------------------------------------------


async def disburse(
    session: AsyncSession, principal: Principal, application_id: int, body: DisbursementIn, env: Environment
) -> Disbursement:
    """Record a payment of the grant: never dated in the future, never beyond the approved amount."""
    application, _, who = await _load(session, principal, application_id, for_update=True)
    if not who.has_role("official"):
        raise applications.not_found()
    if application.status not in rules.DISBURSABLE_STATES or application.approved_amount is None:
        raise NotDisbursable(
            f"项目状态为“{application.status}”，拨款须在资助（funded）之后。",
            f"The project is '{application.status}'; the grant is paid once it is funded.",
            extra={"state": application.status, "disbursable_states": sorted(rules.DISBURSABLE_STATES)},
        )
    problems = rules.paid_on_problems(body.paid_on, today_shanghai(env.now), application.year)
    if problems:
        raise ValidationFailed(problems)
    paid = await repo.disbursements(session, application.id)
    paid_amounts = [d.amount for d in paid]
    approved = application.approved_amount
    if rules.exceeds_grant(approved, paid_amounts, body.amount):
        disbursed = rules.total(paid_amounts)
        raise DisbursementExceedsGrant(
            f"已拨 {disbursed:.2f} 元，再拨 {body.amount:.2f} 元将超出批准金额 {approved:.2f} 元"
            f"（尚可拨付 {approved - disbursed:.2f} 元）。",
            f"{disbursed:.2f} yuan is paid; {body.amount:.2f} more would exceed the {approved:.2f} granted "
            f"({approved - disbursed:.2f} remain).",
            extra={
                "approved_amount": _amount(approved),
                "disbursed_total": _amount(disbursed),
                "remaining": _amount(approved - disbursed),
                "amount": _amount(body.amount),
            },
        )
    row = Disbursement(
        application_id=application.id,
        seq=max((d.seq for d in paid), default=0) + 1,
        amount=body.amount,
        paid_on=body.paid_on,
        reference=body.reference,
        recorded_by=principal.actor_id,
        recorded_at=env.now,
    )
    session.add(row)
    await flush_versioned(session, "拨款记录")
    await audit.append(
        session,
        common,
        principal,
        "disburse",
        DISBURSEMENT_KIND,
        row.id,
        {
            "application_id": application.id,
            "seq": row.seq,
            "amount": _amount(row.amount),
            "paid_on": row.paid_on.isoformat(),
            "reference": row.reference,
            "disbursed_total": _amount(rules.total([*paid_amounts, row.amount])),
            "approved_amount": _amount(approved),
        },
    )
    return row


async def disbursement_list(session: AsyncSession, principal: Principal, application_id: int) -> DisbursementList:
    application, _, _ = await _load(session, principal, application_id)
    rows = await repo.disbursements(session, application.id)
    approved = application.approved_amount if application.approved_amount is not None else rules.total([])
    disbursed = rules.total([r.amount for r in rows])
    return DisbursementList(
        application_id=application.id,
        approved_amount=approved,
        disbursed_total=disbursed,
        remaining=approved - disbursed,
        items=[DisbursementRead.model_validate(r) for r in rows],
    )


# --- annual reports --------------------------------------------------------------------------------


def _set_annual_content(report: AnnualReport, body: AnnualReportContent) -> None:
    report.progress = body.progress
    report.outputs = body.outputs.model_dump(mode="json")
    report.spent_amount = body.spending.spent
    report.spending_notes = body.spending.notes


def _running(application: FoundationApplication) -> None:
    if application.status not in rules.REPORTING_STATES:
        raise ProjectNotRunning(
            f"项目状态为“{application.status}”，进展报告只在执行期（funded）内提交。",
            f"The project is '{application.status}'; annual reports are written while it is funded.",
            extra={"state": application.status},
        )


async def create_annual_report(
    session: AsyncSession, principal: Principal, application_id: int, body: AnnualReportCreate, now: datetime
) -> tuple[AnnualReport, Principal]:
    application, _, who = await _load(session, principal, application_id, for_update=True)
    if not who.has_role("applicant"):
        raise applications.not_found()
    _running(application)
    problems = rules.report_year_problems(body.year, application.year, application.duration_months, today_shanghai(now))
    if problems:
        raise ValidationFailed(problems)
    if await repo.annual_report(session, application.id, body.year) is not None:
        raise AnnualReportExists(
            f"{body.year} 年度的进展报告已提交，请勿重复提交。",
            f"The {body.year} report was already submitted.",
            extra={"year": body.year},
        )
    report = AnnualReport(
        application_id=application.id,
        year=body.year,
        owner=application.owner,
        status=rules.ANNUAL_REPORT_WORKFLOW.initial,
        submitted_at=now,
        version=1,
    )
    _set_annual_content(report, body)
    session.add(report)
    await flush_versioned(session, "年度进展报告")
    await rules.ANNUAL_REPORT_WORKFLOW.record_creation(session, common, report, who)
    await audit.append(
        session,
        common,
        principal,
        "submit",
        ANNUAL_KIND,
        report.id,
        {"application_id": application.id, "year": report.year},
    )
    return report, who


async def annual_reports(session: AsyncSession, principal: Principal, application_id: int) -> list[AnnualReportRead]:
    application, _, who = await _load(session, principal, application_id)
    return [annual_read(r, who) for r in await repo.annual_reports(session, application.id)]


async def annual_report(
    session: AsyncSession, principal: Principal, application_id: int, year: int
) -> tuple[AnnualReport, Principal]:
    application, _, who = await _load(session, principal, application_id)
    report = await repo.annual_report(session, application.id, year)
    if report is None:
        raise _no_annual_report()
    return report, who


async def act_on_annual_report(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    year: int,
    action: str,
    *,
    comment: str | None,
    content: AnnualReportContent | None,
    if_match: str | None,
    now: datetime,
) -> tuple[AnnualReport, Principal]:
    """``accept`` or ``return`` (staff), ``resubmit`` with the revised ``content`` (the owner)."""
    application, _, who = await _load(session, principal, application_id, for_update=True)
    report = await repo.annual_report(session, application.id, year, for_update=True)
    if report is None:
        raise _no_annual_report()
    check_if_match(if_match, ANNUAL_KIND, report.id, report.version, required=False)
    rules.ANNUAL_REPORT_WORKFLOW.decide(report.status, action, who)  # 409 / 403 before anything changes
    if action == "resubmit":
        _running(application)
        assert content is not None
        _set_annual_content(report, content)
        report.submitted_at = now
    await rules.ANNUAL_REPORT_WORKFLOW.apply(session, common, report, action, who, comment=comment)
    await flush_versioned(session, "年度进展报告")
    await audit.append(
        session,
        common,
        principal,
        action,
        ANNUAL_KIND,
        report.id,
        {"application_id": application.id, "year": report.year, "status": report.status, "comment": comment},
    )
    return report, who


async def annual_history(
    session: AsyncSession, principal: Principal, application_id: int, year: int
) -> list[HistoryRead]:
    report, _ = await annual_report(session, principal, application_id, year)
    return await load_history(session, common, ANNUAL_KIND, report.id)


def _outputs(papers: list[dict[str, Any]], patents: list[dict[str, Any]], talents: dict[str, int]) -> OutputsRead:
    return OutputsRead.model_validate(
        {"papers": papers, "patents": patents, "talents": {"phd": 0, "master": 0, "postdoc": 0, **talents}}
    )


def annual_read(report: AnnualReport, who: Principal) -> AnnualReportRead:
    outputs = report.outputs or {}
    return AnnualReportRead(
        id=report.id,
        application_id=report.application_id,
        year=report.year,
        status=report.status,
        progress=report.progress,
        outputs=_outputs(outputs.get("papers", []), outputs.get("patents", []), outputs.get("talents", {})),
        spending=SpendingRead(spent=report.spent_amount, notes=report.spending_notes),
        submitted_at=report.submitted_at,
        version=report.version,
        allowed_actions=rules.ANNUAL_REPORT_WORKFLOW.actions_from(report.status, who),
    )


# --- the final report ------------------------------------------------------------------------------


async def put_final_report(
    session: AsyncSession, principal: Principal, application_id: int, body: FinalReportIn, if_match: str | None
) -> tuple[FinalReport, FoundationApplication, Principal, bool]:
    """Write the draft (the owner, while the project is funded); True when it was created."""
    application, _, who = await _load(session, principal, application_id, for_update=True)
    if not who.has_role("applicant"):
        raise applications.not_found()
    if application.status != "funded":
        raise FinalReportNotEditable(
            f"项目状态为“{application.status}”，结题报告只在执行期（funded）内填写或退回后修改。",
            f"The project is '{application.status}'; the final report is written while it is funded "
            "(or after it was returned).",
            extra={"state": application.status},
        )
    report = await repo.final_report(session, application.id, for_update=True)
    created = report is None
    if report is None:
        report = FinalReport(application_id=application.id, owner=application.owner, version=1)
        session.add(report)
    else:
        check_if_match(if_match, FINAL_KIND, report.id, report.version, required=False)
        report.version += 1
    report.summary = body.summary
    dumped = body.outputs.model_dump(mode="json")
    report.papers, report.patents, report.talents = dumped["papers"], dumped["patents"], dumped["talents"]
    report.spent_amount, report.spending_notes = body.spending.spent, body.spending.notes
    await flush_versioned(session, "结题报告")
    await audit.append(
        session,
        common,
        principal,
        "write" if created else "update",
        FINAL_KIND,
        report.id,
        {
            "application_id": application.id,
            "papers": len(report.papers),
            "patents": len(report.patents),
            "talents": report.talents,
            "spent": _amount(report.spent_amount),
        },
    )
    return report, application, who, created


async def final_report(
    session: AsyncSession, principal: Principal, application_id: int
) -> tuple[FinalReport, FoundationApplication, Principal]:
    application, _, who = await _load(session, principal, application_id)
    report = await repo.final_report(session, application.id)
    if report is None:
        raise _no_final_report()
    return report, application, who


async def act_on_final_report(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    env: Environment,
) -> tuple[FinalReport, FoundationApplication, Principal]:
    """``submit`` (the owner): funded → final_submitted; ``conclude``, ``fail`` (comment required) or
    ``return`` (comment required, back to funded and editable) by the staff. Each is an application
    move: its history row, the limits ledger in projects (a 503 there writes nothing), the audit."""
    move = FINAL_ACTIONS[action]
    application, plan, who = await _load(session, principal, application_id, for_update=True)
    report = await repo.final_report(session, application.id, for_update=True)
    if report is None:
        APPLICATION_WORKFLOW.decide(application.status, move, who)  # a wrong state or role says so first
        raise FinalReportMissing("请先填写结题报告再提交。", "Write the final report before submitting it.")
    check_if_match(if_match, FINAL_KIND, report.id, report.version, required=False)
    await applications.move(
        session, principal, application, move, comment, env, plan=plan, audit_data={"final_report_id": report.id}
    )
    if action == "submit":
        report.submitted_at, report.decided_at, report.decision_comment = env.now, None, None
    else:
        report.decided_at, report.decision_comment = env.now, comment
    report.version += 1
    await flush_versioned(session, "结题报告")
    return report, application, who


async def final_history(session: AsyncSession, principal: Principal, application_id: int) -> list[HistoryRead]:
    """The application's moves of the final report (submit, return, conclude, fail), oldest first."""
    application, _, _ = await _load(session, principal, application_id)
    rows = await load_history(session, common, APPLICATION_WORKFLOW.entity_type, application.id)
    return [r for r in rows if r.action in rules.FINAL_REPORT_ACTIONS]


def final_read(report: FinalReport, application: FoundationApplication, who: Principal) -> FinalReportRead:
    moves = APPLICATION_WORKFLOW.actions_from(application.status, who)
    actions = [name for name, move in FINAL_ACTIONS.items() if move in moves]
    if application.status == "funded" and who.has_role("applicant"):
        actions.insert(0, "update")
    return FinalReportRead(
        id=report.id,
        application_id=report.application_id,
        status=FINAL_STATUS.get(application.status, application.status),
        application_status=application.status,
        summary=report.summary,
        outputs=_outputs(report.papers, report.patents, report.talents),
        spending=SpendingRead(spent=report.spent_amount, notes=report.spending_notes),
        submitted_at=report.submitted_at,
        decided_at=report.decided_at,
        decision_comment=report.decision_comment,
        version=report.version,
        allowed_actions=actions,
    )
