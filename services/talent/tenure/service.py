"""Use cases of a selected talent's tenure (TAL-3). Never commits.

* ``start``: when the proposed list's notice concludes (TAL-5), the tenure starts that day and runs the
  programme's years (``rules.tenure.tenure_ends_on``); the support is split into tranches
  (``rules.tenure.tranche_schedule``), stored as rows, each ``due``.
* ``pay``: an official pays the next due tranche. The integrity check (PRJ-5) is asked first: when the
  projects service does not answer, 503 with ``Retry-After`` and nothing written; a debarment in force
  during the tenure stops the support (every unpaid tranche cancelled) and ends the title
  (``selected → terminated``) with the reason ``debarred_during_tenure`` recorded, and the tranche is not
  paid (``paid: false`` in the answer, which commits that outcome).
* ``file``: the host organisation's administrator files the annual assessment of each tenure year, in
  order, once the year has begun; and the final evaluation once the last annual one is graded and the
  tenure's last day has come.
* ``grade``: an official grades it excellent / pass / basic pass / fail (``rules.tenure``). A fail stops the
  support and ends the title (reason ``annual_assessment_failed``). The final evaluation graded otherwise
  completes the tenure (``selected → completed``); a tranche still unpaid then is cancelled
  (``tenure_completed``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications import service as applications
from services.talent.applications.models import TalentApplication
from services.talent.db import common
from services.talent.deps import Environment
from services.talent.errors import AssessmentAlreadyGraded, AssessmentNotDue, SupportTrancheNotPayable, TenureNotRunning
from services.talent.labels import state_label
from services.talent.programmes.models import Programme
from services.talent.rules import tenure as tal3
from services.talent.rules.workflows import APPLICATION_WORKFLOW
from services.talent.tenure import repository as repo
from services.talent.tenure.models import Assessment, Tenure, Tranche
from services.talent.tenure.schemas import (
    AssessmentCreate,
    AssessmentGrade,
    AssessmentRead,
    PaymentRead,
    TenureRead,
    TrancheRead,
)
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Debarred, Duplicate, Forbidden, NotFound, ValidationFailed, field_error
from shared.principal import Principal
from shared.schemas import Label

APPLICATION = "talent_application"
TRANCHE = "talent_tranche"
ASSESSMENT = "talent_assessment"
REASON_COMPLETED = "tenure_completed"
GRADE_LABELS: dict[str, tuple[str, str]] = {
    "excellent": ("优秀", "excellent"),
    "pass": ("合格", "pass"),
    "basic_pass": ("基本合格", "basic pass"),
    "fail": ("不合格", "fail"),
}
END_REASONS: dict[str, tuple[str, str]] = {
    tal3.REASON_ASSESSMENT_FAILED: ("考核不合格，停止支持并终止人选资格", "the assessment failed"),
    tal3.REASON_DEBARRED: (
        "支持期内受到科研诚信限制，停止支持并终止人选资格",
        "an integrity debarment during the tenure",
    ),
}


# --- reading ---------------------------------------------------------------------------------------------


def tenure_read(tenure: Tenure) -> TenureRead:
    return TenureRead.model_validate(
        {
            **{c.key: getattr(tenure, c.key) for c in Tenure.__table__.columns},
            "status_label": state_label(tenure.status),
        }
    )


def tranche_read(t: Tranche) -> TrancheRead:
    return TrancheRead.model_validate(
        {
            **{c.key: getattr(t, c.key) for c in Tranche.__table__.columns},
            "share": Decimal(t.share),
            "status_label": state_label(t.status),
        }
    )


def assessment_read(a: Assessment) -> AssessmentRead:
    zh, en = GRADE_LABELS.get(a.grade or "", (a.grade, a.grade))
    return AssessmentRead.model_validate(
        {
            **{c.key: getattr(a, c.key) for c in Assessment.__table__.columns},
            "status_label": state_label(a.status),
            "grade_label": Label(zh=zh, en=en) if a.grade else None,
        }
    )


async def load_tenure(session: AsyncSession, application_id: int, *, for_update: bool = False) -> Tenure:
    tenure = await repo.tenure_of(session, application_id, for_update=for_update)
    if tenure is None:
        raise NotFound("该申报书没有支持期记录（尚未入选）。", "The application has no tenure (not selected).")
    return tenure


async def get_tenure(session: AsyncSession, principal: Principal, application_id: int) -> TenureRead:
    application = await applications.load(session, principal, application_id)
    return tenure_read(await load_tenure(session, application.id))


async def list_tranches(session: AsyncSession, principal: Principal, application_id: int) -> list[TrancheRead]:
    application = await applications.load(session, principal, application_id)
    return [tranche_read(t) for t in await repo.tranches(session, application.id)]


async def list_assessments(session: AsyncSession, principal: Principal, application_id: int) -> list[AssessmentRead]:
    application = await applications.load(session, principal, application_id)
    return [assessment_read(a) for a in await repo.assessments(session, application.id)]


# --- the start (from the concluded notice) ------------------------------------------------------------------


async def start(
    session: AsyncSession, principal: Principal, application: TalentApplication, programme: Programme, today: date
) -> Tenure:
    """TAL-3: the tenure from ``today`` for the programme's years, its tranches stored."""
    schedule = tal3.tranche_schedule(programme.support_amount, [Decimal(s) for s in programme.tranche_shares])
    tenure = Tenure(
        application_id=application.id,
        starts_on=today,
        ends_on=tal3.tenure_ends_on(today, programme.tenure_years),
        years=programme.tenure_years,
        support_amount=programme.support_amount,
        status="running",
        version=1,
    )
    session.add(tenure)
    session.add_all(
        Tranche(
            application_id=application.id, number=t.number, share=str(t.share), amount=t.amount, status="due", version=1
        )
        for t in schedule
    )
    await flush_versioned(session, "支持期")
    return tenure


# --- stopping the support ---------------------------------------------------------------------------------


async def stop_support(
    session: AsyncSession,
    principal: Principal,
    application: TalentApplication,
    tenure: Tenure,
    reason: str,
    effective_on: date,
    detail: str | None,
    now: datetime,
) -> None:
    """TAL-3: every unpaid tranche cancelled, the title ended (``selected → terminated``), the reason kept
    on the tenure, in the history comment and in the audit trail."""
    cancelled = await cancel_unpaid(session, application.id, reason, now)
    zh, en = END_REASONS[reason]
    comment = f"{zh} / support stopped: {en} ({reason}, TAL-3)" + (f"：{detail}" if detail else "")
    tenure.status = "terminated"
    tenure.ended_on = effective_on
    tenure.end_reason = reason
    tenure.end_comment = detail
    tenure.version += 1
    await APPLICATION_WORKFLOW.apply(session, common, application, "terminate", principal, comment=comment)
    await flush_versioned(session, "支持期")
    await audit.append(
        session,
        common,
        principal,
        "terminate",
        APPLICATION,
        application.id,
        {"reason": reason, "effective_on": effective_on.isoformat(), "cancelled_tranches": cancelled},
    )


async def cancel_unpaid(session: AsyncSession, application_id: int, reason: str, now: datetime) -> list[int]:
    cancelled = []
    for t in await repo.tranches(session, application_id, for_update=True):
        if t.status == "due":
            t.status, t.cancelled_at, t.cancel_reason = "cancelled", now, reason
            t.version += 1
            cancelled.append(t.number)
    return cancelled


async def running(session: AsyncSession, principal: Principal, application_id: int) -> tuple[TalentApplication, Tenure]:
    application = await applications.load(session, principal, application_id, for_update=True)
    tenure = await load_tenure(session, application.id, for_update=True)
    if application.status != "selected" or tenure.status != "running":
        raise TenureNotRunning(
            f"支持期状态为“{state_label(tenure.status).zh}”，不在进行中。",
            f"The tenure is {tenure.status}, not running.",
            extra={"status": tenure.status, "end_reason": tenure.end_reason},
        )
    return application, tenure


# --- tranches -----------------------------------------------------------------------------------------------


async def pay(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    number: int,
    if_match: str | None,
    env: Environment,
) -> PaymentRead:
    application, tenure = await running(session, principal, application_id)
    rows = await repo.tranches(session, application.id, for_update=True)
    tranche = next((t for t in rows if t.number == number), None)
    if tranche is None:
        raise NotFound(f"没有第 {number} 期经费。", f"No tranche {number}.")
    check_if_match(if_match, TRANCHE, tranche.id, tranche.version, required=False)
    earlier = [t.number for t in rows if t.number < number and t.status != "paid"]
    if tranche.status != "due" or earlier:
        raise SupportTrancheNotPayable(
            f"第 {number} 期经费状态为“{state_label(tranche.status).zh}”"
            + (f"，第 {'、'.join(map(str, earlier))} 期尚未拨付" if earlier else "")
            + "，不能拨付。",
            f"Tranche {number} is {tranche.status}"
            + (f"; tranche(s) {', '.join(map(str, earlier))} are not paid" if earlier else "")
            + ": it cannot be paid.",
            extra={"number": number, "status": tranche.status, "unpaid_before": earlier},
        )
    # PRJ-5 before any money moves: a 503 here leaves everything as it was
    found = await env.integrity.check(subject_key=application.person_key, on=env.today)
    if found.debarred:
        for period in found.periods:
            consequence = tal3.consequence_of_debarment(tenure.starts_on, tenure.ends_on, period.start, period.end)
            if consequence.stop_support:
                assert consequence.reason is not None and consequence.effective_on is not None
                detail = f"{period.measure} {period.start.isoformat()}–{period.end.isoformat()}"
                await stop_support(
                    session,
                    principal,
                    application,
                    tenure,
                    consequence.reason,
                    consequence.effective_on,
                    detail,
                    env.now,
                )
                return PaymentRead(
                    paid=False,
                    tranche=tranche_read(tranche),
                    tenure=tenure_read(tenure),
                    application_status=application.status,
                    debarment={"clause": "PRJ-5", **period.model_dump(mode="json")},
                )
        # in force today but not during the tenure (past its last day, the final evaluation pending): no payment
        raise Debarred(
            "受资助人存在有效的科研诚信限制措施，不予拨付（PRJ-5）。",
            "An integrity debarment of the supported person is in force: nothing is paid (PRJ-5).",
            extra={"clause": "PRJ-5", "debarments": [p.model_dump(mode="json") for p in found.periods]},
        )
    tranche.status, tranche.paid_at, tranche.paid_by = "paid", env.now, principal.actor_id
    tranche.version += 1
    await flush_versioned(session, "拨付记录")
    await audit.append(
        session,
        common,
        principal,
        "pay_tranche",
        APPLICATION,
        application.id,
        {"number": number, "amount": str(tranche.amount)},
    )
    return PaymentRead(
        paid=True, tranche=tranche_read(tranche), tenure=tenure_read(tenure), application_status=application.status
    )


# --- assessments --------------------------------------------------------------------------------------------


def year_starts_on(starts_on: date, year_no: int) -> date:
    """The first day of tenure year ``year_no`` (1-based)."""
    return starts_on if year_no == 1 else tal3.tenure_ends_on(starts_on, year_no - 1) + timedelta(days=1)


def _not_due(zh: str, en: str, **extra: Any) -> AssessmentNotDue:
    return AssessmentNotDue(zh, en, extra={"clause": "TAL-3", **extra})


async def file(
    session: AsyncSession, principal: Principal, application_id: int, body: AssessmentCreate, env: Environment
) -> Assessment:
    application, tenure = await running(session, principal, application_id)
    if "org_admin" not in applications.acting(principal, application).roles:
        raise Forbidden("考核材料由申报人所在单位报送。", "The host organisation files the assessments.", extra={})
    done = {(a.kind, a.year_no): a for a in await repo.assessments(session, application.id)}
    if (body.kind, body.year_no) in done:
        raise Duplicate(
            f"第 {body.year_no} 年度的该项考核已报送。",
            f"The {body.kind} assessment of year {body.year_no} is filed already.",
            extra={"field": "year_no"},
        )
    if body.year_no > tenure.years or (body.kind == "final" and body.year_no != tenure.years):
        raise ValidationFailed(
            [
                field_error(
                    "year_no",
                    "out_of_range",
                    f"支持期为 {tenure.years} 年；期满评价填最后一年",
                    f"the tenure is {tenure.years} years; the final evaluation takes the last",
                )
            ]
        )
    previous = done.get(("annual", body.year_no - 1 if body.kind == "annual" else tenure.years))
    if body.kind == "annual":
        begins = year_starts_on(tenure.starts_on, body.year_no)
        if env.today < begins:
            raise _not_due(
                f"第 {body.year_no} 个任期年度自 {begins.isoformat()} 开始，尚不能报送其年度考核。",
                f"Tenure year {body.year_no} begins on {begins.isoformat()}: its assessment is not due yet.",
                year_no=body.year_no,
                begins_on=begins.isoformat(),
            )
        if body.year_no > 1 and (previous is None or previous.status != "graded"):
            raise _not_due(
                f"第 {body.year_no - 1} 年度考核尚未评定。",
                f"The assessment of year {body.year_no - 1} is not graded yet.",
                year_no=body.year_no,
            )
    elif previous is None or previous.status != "graded" or env.today < tenure.ends_on:
        raise _not_due(
            f"期满评价在最后一个年度考核评定后、支持期最后一日（{tenure.ends_on.isoformat()}）起报送。",
            f"The final evaluation is filed once the last annual assessment is graded, from the tenure's last day "
            f"({tenure.ends_on.isoformat()}).",
            year_no=body.year_no,
            ends_on=tenure.ends_on.isoformat(),
        )
    assessment = Assessment(
        application_id=application.id,
        kind=body.kind,
        year_no=body.year_no,
        report=body.report,
        filed_by=principal.actor_id,
        filed_at=env.now,
        status="filed",
        version=1,
    )
    session.add(assessment)
    await flush_versioned(session, "考核材料")
    await audit.append(
        session,
        common,
        principal,
        "file_assessment",
        APPLICATION,
        application.id,
        {"kind": body.kind, "year_no": body.year_no, "assessment_id": assessment.id},
    )
    return assessment


async def grade(
    session: AsyncSession,
    principal: Principal,
    application_id: int,
    assessment_id: int,
    body: AssessmentGrade,
    if_match: str | None,
    env: Environment,
) -> Assessment:
    """TAL-3: the official's grade and what it does to the tenure (``rules.tenure.consequence_of_grade``)."""
    application, tenure = await running(session, principal, application_id)
    assessment = await repo.assessment(session, application.id, assessment_id, for_update=True)
    if assessment is None:
        raise NotFound("考核记录不存在。", "No such assessment.")
    check_if_match(if_match, ASSESSMENT, assessment.id, assessment.version, required=False)
    if assessment.status != "filed":
        raise AssessmentAlreadyGraded("该考核已评定。", "The assessment is graded already.")
    consequence = tal3.consequence_of_grade(body.grade, env.today)
    if consequence.stop_support and not (body.comment and body.comment.strip()):
        raise ValidationFailed([field_error("comment", "required", "评定不合格须写明理由", "a fail needs its reason")])
    assessment.status, assessment.grade, assessment.grade_comment = "graded", body.grade, body.comment
    assessment.graded_by, assessment.graded_at = principal.actor_id, env.now
    assessment.version += 1
    await flush_versioned(session, "考核材料")
    await audit.append(
        session,
        common,
        principal,
        "grade_assessment",
        APPLICATION,
        application.id,
        {"assessment_id": assessment.id, "kind": assessment.kind, "year_no": assessment.year_no, "grade": body.grade},
    )
    if consequence.stop_support:
        assert consequence.reason is not None and consequence.effective_on is not None
        await stop_support(
            session, principal, application, tenure, consequence.reason, consequence.effective_on, body.comment, env.now
        )
    elif assessment.kind == "final":
        await complete(session, principal, application, tenure, assessment, env)
    return assessment


async def complete(
    session: AsyncSession,
    principal: Principal,
    application: TalentApplication,
    tenure: Tenure,
    assessment: Assessment,
    env: Environment,
) -> None:
    cancelled = await cancel_unpaid(session, application.id, REASON_COMPLETED, env.now)
    tenure.status, tenure.ended_on = "completed", env.today
    tenure.version += 1
    zh, en = GRADE_LABELS[assessment.grade or "pass"]
    comment = f"期满评价：{zh} / final evaluation: {en}"
    await APPLICATION_WORKFLOW.apply(session, common, application, "complete", principal, comment=comment)
    await flush_versioned(session, "支持期")
    await audit.append(
        session,
        common,
        principal,
        "complete",
        APPLICATION,
        application.id,
        {"grade": assessment.grade, "cancelled_tranches": cancelled},
    )
