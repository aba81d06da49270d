"""Use cases of contracts (任务书): the entrusted agency drafts one for an approved application once
its public notice is concluded (milestones, tranches within the approved amount), signs it (the
application becomes contracted, then in_progress: an active project in the limits ledger), records
payments per tranche, the mid-term check and the final acceptance; an official terminates a project
that failed its mid-term check; the project's applicant requests final acceptance. Every money
event is audited. Never commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.applications import service as applications
from services.projects.applications.models import Application
from services.projects.approvals import repository as approvals_repo
from services.projects.contracts import repository as repo
from services.projects.contracts import rules
from services.projects.contracts.models import Contract, ContractMilestone, ContractTranche
from services.projects.contracts.schemas import (
    ContractCreate,
    ContractRead,
    ContractSummary,
    ContractUpdate,
    FinalIn,
    MidtermIn,
    MilestoneIn,
    PaymentIn,
    TrancheIn,
)
from services.projects.db import common
from services.projects.deps import Environment
from services.projects.errors import (
    ApplicationNotApproved,
    ContractNotEditable,
    DisbursementOverApproved,
    NoticeNotConcluded,
    TrancheAlreadyPaid,
    TrancheNotPayable,
)
from services.projects.notices import service as notices
from services.projects.programmes import repository as programmes_repo
from services.projects.programmes.models import Programme
from services.projects.rules.workflows import APPLICATION_WORKFLOW, CONTRACT_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import Duplicate, NotFound, ValidationFailed
from shared.pagination import Page
from shared.principal import Principal
from shared.workflow import HistoryRead, load_history

SORTS = repo.SORTS  # the orders its list takes, as the router documents them

KIND = "contract"
# Contract actions by the application's workflow actions behind them.
_ACTIONS = {
    "sign_contract": "sign",
    "pass_midterm": "midterm",
    "fail_midterm": "midterm",
    "terminate": "terminate",
    "request_acceptance": "request_acceptance",
    "pass_acceptance": "final_acceptance",
    "fail_acceptance": "final_acceptance",
}


def _not_found() -> NotFound:
    return NotFound("任务书不存在。", "No such contract.")


async def load(session: AsyncSession, principal: Principal, contract_id: int, *, for_update: bool = False) -> Contract:
    contract = await repo.get_visible(session, principal, contract_id, for_update=for_update)
    if contract is None:
        raise _not_found()
    return contract


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    programme_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> Page[ContractSummary]:
    """The contracts the caller may see (``access.visible_contracts``)."""
    rows, next_cursor = await repo.page(
        session, principal, status=status, programme_id=programme_id, limit=limit, cursor=cursor, sort=sort
    )
    return Page[ContractSummary](items=[ContractSummary.model_validate(r) for r in rows], next_cursor=next_cursor)


async def _application(session: AsyncSession, contract: Contract, *, for_update: bool = False) -> Application:
    (application,) = await approvals_repo.applications(session, [contract.application_id], for_update=for_update)
    return application


async def _who(session: AsyncSession, principal: Principal, contract: Contract) -> Principal:
    """The caller with the roles it holds for this contract: the project's applicant, its programme's agency."""
    programme = await programmes_repo.get(session, contract.programme_id)
    assert programme is not None
    return access.acting(principal, entrusted=access.entrusted_to(principal, programme), owner=contract.owner)


def _plan(
    body_milestones: list[MilestoneIn], body_tranches: list[TrancheIn], contract: Contract, programme: Programme
) -> tuple[list[ContractMilestone], list[ContractTranche]]:
    errors = rules.term_problems(contract.starts_on, contract.ends_on, programme.max_duration_months)
    errors += rules.dated_problems(
        "milestones", [m.due_on for m in body_milestones], contract.starts_on, contract.ends_on
    )
    errors += rules.dated_problems("tranches", [t.due_on for t in body_tranches], contract.starts_on, contract.ends_on)
    if errors:
        raise ValidationFailed(errors)
    amounts = [t.amount for t in body_tranches]
    if rules.over_approved(contract.approved_amount, amounts):
        total = rules.planned_total(amounts)
        raise DisbursementOverApproved(
            f"拨款合计 {total:.2f} 元超出批准金额 {contract.approved_amount:.2f} 元。",
            f"The tranches total {total:.2f} yuan, more than the {contract.approved_amount:.2f} approved.",
            extra={"approved_amount": f"{contract.approved_amount:.2f}", "planned_total": f"{total:.2f}"},
        )
    return [
        ContractMilestone(
            seq=n + 1,
            title=m.title,
            due_on=m.due_on,
            deliverables=list(m.deliverables),
            indicators=[i.model_dump() for i in m.indicators],
        )
        for n, m in enumerate(body_milestones)
    ], [
        ContractTranche(
            seq=n + 1, title=t.title, amount=t.amount, due_on=t.due_on, condition=t.condition, status="planned"
        )
        for n, t in enumerate(body_tranches)
    ]


async def create(session: AsyncSession, principal: Principal, body: ContractCreate) -> Contract:
    found = await approvals_repo.applications(session, [body.application_id], for_update=True)
    programme = await programmes_repo.get(session, found[0].programme_id) if found else None
    if not found or programme is None or not access.entrusted_to(principal, programme):
        raise NotFound("申报书不存在。", "No such application.")
    application = found[0]
    if application.status != "approved":
        raise ApplicationNotApproved(
            f"申报书状态为“{application.status}”。", f"The application is '{application.status}'."
        )
    if not await notices.concluded_for(session, application.id):
        raise NoticeNotConcluded(
            "立项公示结束后方可签订任务书。", "A contract follows the conclusion of the application's public notice."
        )
    if await repo.exists_for(session, application.id):
        raise Duplicate("该项目已有任务书。", "The project already has a contract.")
    item = await approvals_repo.approved_item(session, application.id)
    assert item is not None and item.amount is not None  # approved ⇒ an approved item
    contract = Contract(
        application_id=application.id,
        programme_id=application.programme_id,
        owner=application.owner,
        title=application.title,
        approved_amount=item.amount,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        status=CONTRACT_WORKFLOW.initial,
        created_by=principal.actor_id,
        version=1,
        milestones=[],
        tranches=[],
    )
    contract.milestones, contract.tranches = _plan(body.milestones, body.tranches, contract, programme)
    await repo.add(session, contract)
    await CONTRACT_WORKFLOW.record_creation(session, common, contract, principal)
    await audit.append(
        session,
        common,
        principal,
        "draft",
        KIND,
        contract.id,
        {
            "application_id": application.id,
            "approved_amount": f"{contract.approved_amount:.2f}",
            "tranches": [
                {"seq": t.seq, "amount": f"{t.amount:.2f}", "condition": t.condition} for t in contract.tranches
            ],
        },
    )
    return contract


async def update(
    session: AsyncSession, principal: Principal, contract_id: int, body: ContractUpdate, if_match: str | None
) -> Contract:
    contract = await load(session, principal, contract_id, for_update=True)
    programme = await programmes_repo.get(session, contract.programme_id)
    assert programme is not None
    if not access.entrusted_to(principal, programme):
        raise _not_found()
    check_if_match(if_match, KIND, contract.id, contract.version)
    if contract.status != "draft":
        raise ContractNotEditable()
    contract.starts_on = body.starts_on or contract.starts_on
    contract.ends_on = body.ends_on or contract.ends_on
    milestones = body.milestones or [
        MilestoneIn(title=m.title, due_on=m.due_on, deliverables=m.deliverables, indicators=m.indicators)
        for m in contract.milestones
    ]
    tranches = body.tranches or [
        TrancheIn(title=t.title, amount=t.amount, due_on=t.due_on, condition=t.condition) for t in contract.tranches
    ]
    new_milestones, new_tranches = _plan(milestones, tranches, contract, programme)
    # the old rows go first: the new ones reuse their (contract, seq) numbers
    contract.milestones, contract.tranches = [], []
    await session.flush()
    contract.milestones, contract.tranches = new_milestones, new_tranches
    contract.version += 1
    await flush_versioned(session, "任务书")
    await audit.append(
        session,
        common,
        principal,
        "update",
        KIND,
        contract.id,
        {
            "fields": sorted(body.model_dump(exclude_unset=True)),
            "tranches": [{"seq": t.seq, "amount": f"{t.amount:.2f}"} for t in contract.tranches],
        },
    )
    return contract


async def _prepare(
    session: AsyncSession, principal: Principal, contract_id: int, if_match: str | None
) -> tuple[Contract, Application, Principal]:
    contract = await load(session, principal, contract_id, for_update=True)
    check_if_match(if_match, KIND, contract.id, contract.version, required=False)
    application = await _application(session, contract, for_update=True)
    return contract, application, await _who(session, principal, contract)


async def _cancel_unpaid(session: AsyncSession, principal: Principal, contract: Contract) -> None:
    cancelled = [t for t in contract.tranches if t.status == "planned"]
    for t in cancelled:
        t.status = "cancelled"
    if cancelled:
        await audit.append(
            session,
            common,
            principal,
            "cancel_tranches",
            KIND,
            contract.id,
            {
                "tranches": [t.seq for t in cancelled],
                "amount": f"{rules.planned_total([t.amount for t in cancelled]):.2f}",
            },
        )


async def sign(
    session: AsyncSession, principal: Principal, contract_id: int, if_match: str | None, env: Environment
) -> Contract:
    contract, application, who = await _prepare(session, principal, contract_id, if_match)
    await CONTRACT_WORKFLOW.apply(session, common, contract, "sign", who)
    contract.signed_at, contract.signed_by = env.clock(), principal.actor_id
    await applications.move(
        session, principal, application, "sign_contract", None, env, audit_data={"contract_id": contract.id}
    )
    await applications.move(
        session, principal, application, "start", None, env, audit_data={"contract_id": contract.id}
    )
    await flush_versioned(session, "任务书")
    await audit.append(
        session,
        common,
        principal,
        "sign",
        KIND,
        contract.id,
        {
            "approved_amount": f"{contract.approved_amount:.2f}",
            "planned_total": f"{rules.planned_total([t.amount for t in contract.tranches]):.2f}",
        },
    )
    return contract


async def pay(
    session: AsyncSession,
    principal: Principal,
    contract_id: int,
    seq: int,
    body: PaymentIn,
    if_match: str | None,
    env: Environment,
) -> Contract:
    contract, application, who = await _prepare(session, principal, contract_id, if_match)
    if not who.has_role("agency"):
        raise _not_found()
    tranche = next((t for t in contract.tranches if t.seq == seq), None)
    if tranche is None:
        raise NotFound("拨款批次不存在。", "No such tranche.")
    if tranche.status == "paid":
        raise TrancheAlreadyPaid(extra={"paid_on": tranche.paid_on.isoformat() if tranche.paid_on else None})
    if (
        contract.status != "signed"
        or tranche.status != "planned"
        or not rules.payable(tranche.condition, application.status)
    ):
        raise TrancheNotPayable(
            f"条件“{tranche.condition}”在项目状态“{application.status}”下不满足。",
            f"The condition '{tranche.condition}' is not met while the project is '{application.status}'.",
            extra={
                "condition": tranche.condition,
                "application_status": application.status,
                "tranche_status": tranche.status,
            },
        )
    paid = rules.planned_total([t.amount for t in contract.tranches if t.status == "paid"])
    # the plan never exceeds the approved amount; this holds the line should the plan ever change
    if rules.over_approved(contract.approved_amount, [paid, tranche.amount]):
        raise DisbursementOverApproved()
    tranche.status, tranche.paid_on, tranche.paid_reference = "paid", body.paid_on, body.reference
    tranche.paid_by, tranche.paid_at = principal.actor_id, env.clock()
    contract.version += 1
    await flush_versioned(session, "任务书")
    await audit.append(
        session,
        common,
        principal,
        "disburse",
        KIND,
        contract.id,
        {
            "tranche": seq,
            "amount": f"{tranche.amount:.2f}",
            "paid_on": body.paid_on.isoformat(),
            "reference": body.reference,
            "paid_total": f"{paid + tranche.amount:.2f}",
            "approved_amount": f"{contract.approved_amount:.2f}",
        },
    )
    return contract


async def midterm(
    session: AsyncSession,
    principal: Principal,
    contract_id: int,
    body: MidtermIn,
    if_match: str | None,
    env: Environment,
) -> Contract:
    contract, application, who = await _prepare(session, principal, contract_id, if_match)
    action = "pass_midterm" if body.outcome == "passed" else "fail_midterm"
    APPLICATION_WORKFLOW.decide(application.status, action, who)
    await applications.move(
        session, principal, application, action, body.comment, env, audit_data={"contract_id": contract.id}
    )
    contract.midterm_outcome, contract.midterm_comment, contract.midterm_findings = (
        body.outcome,
        body.comment,
        body.findings,
    )
    contract.midterm_by, contract.midterm_at = principal.actor_id, env.clock()
    contract.version += 1
    await flush_versioned(session, "任务书")
    return contract


async def terminate(
    session: AsyncSession,
    principal: Principal,
    contract_id: int,
    reason: str,
    if_match: str | None,
    env: Environment,
) -> Contract:
    contract, application, who = await _prepare(session, principal, contract_id, if_match)
    APPLICATION_WORKFLOW.decide(application.status, "terminate", who)
    await applications.move(
        session, principal, application, "terminate", reason, env, audit_data={"contract_id": contract.id}
    )
    await CONTRACT_WORKFLOW.apply(session, common, contract, "terminate", who, comment=reason)
    contract.termination_reason, contract.terminated_at = reason, env.clock()
    await _cancel_unpaid(session, principal, contract)
    await flush_versioned(session, "任务书")
    return contract


async def request_acceptance(
    session: AsyncSession,
    principal: Principal,
    contract_id: int,
    report: str,
    if_match: str | None,
    env: Environment,
) -> Contract:
    contract, application, who = await _prepare(session, principal, contract_id, if_match)
    APPLICATION_WORKFLOW.decide(application.status, "request_acceptance", who)
    await applications.move(
        session, principal, application, "request_acceptance", None, env, audit_data={"contract_id": contract.id}
    )
    contract.acceptance_report, contract.acceptance_requested_at = report, env.clock()
    contract.version += 1
    await flush_versioned(session, "任务书")
    return contract


async def final_acceptance(
    session: AsyncSession,
    principal: Principal,
    contract_id: int,
    body: FinalIn,
    if_match: str | None,
    env: Environment,
) -> Contract:
    contract, application, who = await _prepare(session, principal, contract_id, if_match)
    action = "pass_acceptance" if body.outcome == "passed" else "fail_acceptance"
    APPLICATION_WORKFLOW.decide(application.status, action, who)
    await applications.move(
        session, principal, application, action, body.comment, env, audit_data={"contract_id": contract.id}
    )
    await CONTRACT_WORKFLOW.apply(session, common, contract, "complete", who, comment=body.comment)
    contract.final_outcome, contract.final_comment = body.outcome, body.comment
    contract.final_by, contract.final_at = principal.actor_id, env.clock()
    if application.status in rules.ENDED_UNSUCCESSFULLY:
        await _cancel_unpaid(session, principal, contract)
    await flush_versioned(session, "任务书")
    return contract


async def history(session: AsyncSession, principal: Principal, contract_id: int) -> list[HistoryRead]:
    contract = await load(session, principal, contract_id)
    return await load_history(session, common, KIND, contract.id)


async def to_read(session: AsyncSession, contract: Contract, principal: Principal) -> ContractRead:
    application = await _application(session, contract)
    who = await _who(session, principal, contract)
    if contract.status == "draft":
        actions = ["update", "sign"] if who.has_role("agency") else []
    else:
        actions = []
        for a in APPLICATION_WORKFLOW.actions_from(application.status, who):
            if a in _ACTIONS and _ACTIONS[a] not in actions and a != "sign_contract":
                actions.append(_ACTIONS[a])
        if (
            who.has_role("agency")
            and contract.status == "signed"
            and any(t.status == "planned" and rules.payable(t.condition, application.status) for t in contract.tranches)
        ):
            actions.append("pay")
    read = ContractRead.model_validate(contract)
    return read.model_copy(
        update={
            "planned_total": rules.planned_total([t.amount for t in contract.tranches if t.status != "cancelled"]),
            "paid_total": rules.planned_total([t.amount for t in contract.tranches if t.status == "paid"]),
            "application_status": application.status,
            "allowed_actions": actions,
        }
    )
