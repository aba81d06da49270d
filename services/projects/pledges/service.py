"""Use cases of performance pledges (军令状), PRJ-3: drafting from the winning bid, signing, assessing
milestones in order, and the consequences a failed pledge triggers; never commits.

The agreed termination really ends the pledge's project: the application moves to ``terminated``
through the applications workflow (its contract is terminated with it and unpaid tranches are
cancelled), at once when an official assessed the milestone, otherwise when an official applies the
proposed termination. The consequence row says what happened, or why nothing did."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import access
from services.projects.applications import service as applications
from services.projects.applications.models import Application
from services.projects.challenges import repository as challenges_repo
from services.projects.challenges import service as challenges
from services.projects.challenges.models import ChallengeBid, ChallengeList
from services.projects.contracts import service as contracts
from services.projects.deps import Environment
from services.projects.errors import (
    DecisionNotApplicable,
    InvalidAssessment,
    InvalidMilestones,
    InvalidPledgeTerms,
    MilestoneOutOfOrder,
    PledgeExists,
    ProjectNotTerminable,
)
from services.projects.integrity import service as integrity
from services.projects.integrity.schemas import IntegrityRecordCreate
from services.projects.pledges import repository
from services.projects.pledges.models import Pledge, PledgeConsequence, PledgeMilestone
from services.projects.pledges.schemas import AssessmentIn, ConfirmBody, DismissBody, PledgeCreate, TerminateBody
from services.projects.programmes import service as programmes
from services.projects.rules.challenges import (
    CONSEQUENCE_WORKFLOW,
    DECISIONS_BY_KIND,
    MILESTONE_WORKFLOW,
    OUTCOMES,
    PLEDGE_WORKFLOW,
    AgreedConsequence,
    IndicatorTarget,
    MilestoneState,
    PledgeTerms,
    assessment_problems,
    consequences_of_failure,
    milestone_dates_problems,
    next_assessable,
    pledge_effect,
    pledge_terms_problems,
    termination_outcome,
)
from services.projects.rules.workflows import TERMINABLE_STATES
from shared import audit
from shared.concurrency import check_if_match
from shared.db.models import CommonTables
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from shared.principal import Principal
from shared.workdays import today_shanghai
from shared.workflow import HistoryRead, load_history

SORTS = repository.SORTS  # the orders its list takes, as the router documents them

PLEDGE = "performance_pledge"
MILESTONE = "pledge_milestone"
CONSEQUENCE = "pledge_consequence"


async def visible(session: AsyncSession, caller: Principal, pledge_id: int, *, for_update: bool = False) -> Pledge:
    """The winner's own pledge, or any pledge of a programme the caller manages; else a 404."""
    pledge = await repository.get(session, pledge_id, for_update=for_update)
    if pledge is None:
        raise NotFound()
    if not access.is_winner(caller, pledge) and not await programmes.manages(session, caller, pledge.programme_id):
        raise NotFound()
    return pledge


async def _managed(session: AsyncSession, caller: Principal, pledge_id: int, *, for_update: bool = True) -> Pledge:
    pledge = await repository.get(session, pledge_id, for_update=for_update)
    if pledge is None or not await programmes.manages(session, caller, pledge.programme_id):
        raise NotFound()
    return pledge


def _targets_of(challenge: ChallengeList, rows: list[dict[str, Any]]) -> list[IndicatorTarget]:
    by_id = {i.id: i for i in challenge.indicators}
    return [
        IndicatorTarget(
            int(r["indicator_id"]),
            by_id[int(r["indicator_id"])].name,
            Decimal(str(r["target_value"])),
            by_id[int(r["indicator_id"])].comparison,
        )
        for r in rows
        if int(r["indicator_id"]) in by_id
    ]


def _check_terms(challenge: ChallengeList, bid: ChallengeBid, body: PledgeCreate, now: datetime) -> None:
    indicator_ids = {i.id for i in challenge.indicators}
    errors: list[dict[str, str]] = []
    for m, milestone in enumerate(body.milestones):
        seen: set[int] = set()
        for t, target in enumerate(milestone.targets):
            field = f"milestones.{m}.targets.{t}.indicator_id"
            if target.indicator_id not in indicator_ids:
                errors.append(
                    field_error(
                        field,
                        "unknown_indicator",
                        f"指标 {target.indicator_id} 不在榜单上",
                        f"indicator {target.indicator_id} is not on the list",
                    )
                )
            elif target.indicator_id in seen:
                errors.append(
                    field_error(
                        field,
                        "duplicate_indicator",
                        f"指标 {target.indicator_id} 出现了两次",
                        f"indicator {target.indicator_id} appears twice",
                    )
                )
            seen.add(target.indicator_id)
    errors += [
        field_error("milestones", "bad_dates", zh, en)
        for zh, en in milestone_dates_problems([m.due_date for m in body.milestones], today_shanghai(now))
    ]
    if errors:
        raise InvalidMilestones(
            "里程碑须按时间先后排列、不早于今天，且只含榜单指标。",
            "Milestones must be dated in order, not in the past, with the list's indicators.",
            errors,
        )
    by_id = {i.id: i for i in challenge.indicators}
    promised = [
        IndicatorTarget(p.indicator_id, by_id[p.indicator_id].name, p.value, by_id[p.indicator_id].comparison)
        for p in bid.promises
        if p.indicator_id in by_id
    ]
    final = {t.indicator_id: t.target_value for t in body.milestones[-1].targets}
    problems = pledge_terms_problems(
        PledgeTerms(
            funded=body.funded_amount, requested=bid.requested_budget, cap=challenge.budget_cap, final_targets=final
        ),
        promised,
    )
    if problems:
        raise InvalidPledgeTerms(
            "军令状须以揭榜承诺为准：经费不超过申请额与上限，末个里程碑须达到承诺指标（PRJ-3）。",
            "The pledge must hold the team to its bid: funding within the request and the cap, "
            "and the last milestone at the promised values (PRJ-3).",
            [field_error("milestones", "terms", zh, en) for zh, en in problems],
        )


async def create(
    session: AsyncSession, common: CommonTables, caller: Principal, list_id: int, body: PledgeCreate, now: datetime
) -> Pledge:
    """The agency drafts the pledge of the selected bid; the winner then signs it."""
    challenge = await challenges.managed_list(session, caller, list_id)
    if challenge.status != "selected" or challenge.selected_bid_id is None:
        raise Conflict(
            "只能为已确定揭榜方的榜单起草军令状。",
            "Draft a pledge only for a list with a selected bid.",
            extra={"state": challenge.status},
        )
    bid = await challenges_repo.get_bid(session, challenge.selected_bid_id)
    assert bid is not None
    if await repository.for_bid(session, bid.id) is not None:
        raise PledgeExists("该揭榜方已有军令状。", "The winning bid already has a pledge.")
    _check_terms(challenge, bid, body, now)
    if (
        body.project_id is not None
        and await repository.project(session, challenge.programme_id, body.project_id) is None
    ):
        raise ValidationFailed(
            [
                field_error(
                    "project_id",
                    "unknown_project",
                    "本榜单所属计划中没有此编号的申报",
                    "no application of this list's programme has this id",
                )
            ]
        )
    pledge = Pledge(
        list_id=challenge.id,
        bid_id=bid.id,
        programme_id=challenge.programme_id,
        project_id=body.project_id,
        bidder_id=bid.submitted_by,
        bidder_org_id=bid.submitter_org_id,
        funded_amount=body.funded_amount,
        consequences=[c.model_dump(mode="json", exclude_none=True) for c in body.consequences],
        status=PLEDGE_WORKFLOW.initial,
        created_by=caller.actor_id,
        version=1,
        milestones=[
            PledgeMilestone(
                seq=n,
                title=m.title,
                due_date=m.due_date,
                status=MILESTONE_WORKFLOW.initial,
                targets=[t.model_dump(mode="json") for t in m.targets],
            )
            for n, m in enumerate(body.milestones, start=1)
        ],
    )
    await repository.add(session, pledge)
    await PLEDGE_WORKFLOW.record_creation(session, common, pledge, caller)
    await audit.append(
        session,
        common,
        caller,
        "create",
        PLEDGE,
        pledge.id,
        {
            "list_id": challenge.id,
            "bid_id": bid.id,
            "funded_amount": str(pledge.funded_amount),
            "milestones": len(body.milestones),
            "consequences": pledge.consequences,
        },
    )
    return await repository.refresh(session, pledge)


async def act(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    pledge_id: int,
    action: str,
    comment: str | None,
    if_match: str | None,
    now: datetime,
) -> Pledge:
    """sign (the winner) or cancel (the agency, while a draft)."""
    pledge = await (_managed if action == "cancel" else visible)(session, caller, pledge_id, for_update=True)
    check_if_match(if_match, PLEDGE, pledge.id, pledge.version, required=False)
    if action == "sign" and not access.is_winner(caller, pledge):
        raise Forbidden("只有揭榜方可以签署军令状。", "Only the winning bidder signs the pledge.")
    await PLEDGE_WORKFLOW.apply(session, common, pledge, action, caller, comment=comment)
    if action == "sign":
        pledge.signed_at, pledge.signed_by = now, caller.actor_id
    await session.flush()
    await audit.append(session, common, caller, action, PLEDGE, pledge.id, {"status": pledge.status})
    return await repository.refresh(session, pledge)


async def assess(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    pledge_id: int,
    seq: int,
    body: AssessmentIn,
    if_match: str | None,
    now: datetime,
    env: Environment,
) -> Pledge:
    """PRJ-3: the agency (or an official) assesses the next milestone; the outcome table decides what
    follows. A failed pledge's agreed termination is an official's decision: taken here when an
    official assesses, otherwise proposed to one (``apply_termination``)."""
    pledge = await _managed(session, caller, pledge_id)
    check_if_match(if_match, PLEDGE, pledge.id, pledge.version, required=False)
    milestone = next((m for m in pledge.milestones if m.seq == seq), None)
    if milestone is None:
        raise NotFound()
    if pledge.status != "signed":
        raise Conflict(
            f"军令状状态为“{pledge.status}”，不能考核。",
            f"A pledge in state '{pledge.status}' cannot be assessed.",
            extra={"state": pledge.status},
        )
    due = next_assessable([MilestoneState(m.seq, m.status) for m in pledge.milestones])
    if due != seq:
        raise MilestoneOutOfOrder(
            f"里程碑须按顺序考核；当前应考核第 {due} 个。" if due else "没有可考核的里程碑。",
            f"Milestones are assessed in order; the next one is {due}." if due else "No milestone can be assessed.",
            extra={"clause": "PRJ-3", "next_milestone": due},
        )
    challenge = await challenges_repo.get_list(session, pledge.list_id)
    assert challenge is not None
    targets = _targets_of(challenge, milestone.targets)
    achieved = {a.indicator_id: a.value for a in body.achieved}
    problems = assessment_problems(body.outcome, targets, achieved)
    if len(achieved) != len(body.achieved):
        problems.append(("同一指标填写了两次", "an indicator is given twice"))
    if problems:
        raise InvalidAssessment(
            "考核结论与所填指标值不一致。",
            "The outcome does not fit the achieved values.",
            [field_error("achieved", "inconsistent", zh, en) for zh, en in problems],
        )
    rule = OUTCOMES[body.outcome]
    await MILESTONE_WORKFLOW.apply(session, common, milestone, rule.action, caller, comment=body.comment)
    milestone.outcome = body.outcome
    milestone.achieved = [a.model_dump(mode="json") for a in body.achieved]
    milestone.evidence = [e.model_dump(mode="json") for e in body.evidence]
    milestone.comment, milestone.assessed_by, milestone.assessed_at = body.comment, caller.actor_id, now
    await audit.append(
        session,
        common,
        caller,
        "assess",
        MILESTONE,
        milestone.id,
        {"pledge_id": pledge.id, "seq": seq, "outcome": body.outcome, "achieved": milestone.achieved},
    )
    effect = pledge_effect(body.outcome, is_final=seq == max(m.seq for m in pledge.milestones))
    if effect == "fulfilled":
        await _move(session, common, caller, pledge, "fulfil", f"里程碑 {seq} 考核通过，军令状履行完毕")
    elif effect == "failed":
        await _move(session, common, caller, pledge, "fail", f"里程碑 {seq} 考核结论：{rule.title_zh}")
        reason = f"军令状 {pledge.id} 第 {seq} 个里程碑考核结论：{rule.title_zh}，按约定终止项目。{body.comment}"
        await _trigger_consequences(session, common, caller, pledge, challenge, env, reason)
    else:
        pledge.version += 1  # the assessment changed the pledge as read: a stale If-Match must now fail
    return await repository.refresh(session, pledge)


async def _move(
    session: AsyncSession, common: CommonTables, caller: Principal, pledge: Pledge, action: str, comment: str
) -> None:
    await PLEDGE_WORKFLOW.apply(session, common, pledge, action, caller, comment=comment)
    await audit.append(session, common, caller, action, PLEDGE, pledge.id, {"status": pledge.status})


async def _terminate_project(
    session: AsyncSession, caller: Principal, project: Application, reason: str, env: Environment
) -> None:
    """The project ends through the applications workflow (``terminate``, an official's action);
    its running contract ends with it (unpaid tranches cancelled)."""
    contract_id = await repository.signed_contract_id(session, project.id)
    if contract_id is not None:
        await contracts.terminate(session, caller, contract_id, reason, None, env)
    else:
        await applications.move(session, caller, project, "terminate", reason, env)


async def _trigger_consequences(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    pledge: Pledge,
    challenge: ChallengeList,
    env: Environment,
    reason: str,
) -> None:
    """PRJ-3: exactly the consequences agreed in the pledge, per the rules' table; the termination
    says on its row what it did to the project (``termination_outcome``)."""
    bid = await challenges_repo.get_bid(session, pledge.bid_id)
    assert bid is not None
    agreed = [
        AgreedConsequence(
            c["kind"], Decimal(c["recovery_ratio"]) if c.get("recovery_ratio") else None, c.get("measure")
        )
        for c in pledge.consequences
    ]
    for plan in consequences_of_failure(agreed, pledge.funded_amount):
        row = PledgeConsequence(
            pledge_id=pledge.id, kind=plan.kind, status=plan.state, amount=plan.amount, measure=plan.measure, version=1
        )
        if plan.kind == "integrity_record":
            row.subject_uscc, row.subject_name = bid.organisation_uscc, bid.organisation_name
            row.leader_name, row.leader_id_masked = bid.leader_name, bid.leader_id_masked
        project: Application | None = None
        if plan.kind == "terminate":
            if pledge.project_id is not None:
                project = await repository.project(session, pledge.programme_id, pledge.project_id, for_update=True)
            outcome = termination_outcome(
                pledge.project_id,
                project.status if project else None,
                TERMINABLE_STATES,
                by_official=caller.has_role("official"),
            )
            row.status, row.result, row.result_zh, row.result_en = (
                outcome.state,
                outcome.result,
                outcome.zh,
                outcome.en,
            )
            row.application_id = pledge.project_id
            row.application_status = project.status if project else None
            if outcome.result != "terminated":
                project = None
        await repository.add(session, row)
        if row.status == CONSEQUENCE_WORKFLOW.initial:  # awaiting an official's decision
            await CONSEQUENCE_WORKFLOW.record_creation(session, common, row, caller)
        if project is not None:
            await _terminate_project(session, caller, project, reason, env)
            row.application_status = project.status
            row.decided_by, row.decided_at = caller.actor_id, env.clock()
        await audit.append(
            session,
            common,
            caller,
            "trigger",
            CONSEQUENCE,
            row.id,
            {
                "pledge_id": pledge.id,
                "kind": plan.kind,
                "status": plan.state,
                "amount": str(plan.amount) if plan.amount is not None else None,
                "project_id": pledge.project_id,
                "result": row.result,
                "application_status": row.application_status,
            },
        )
        if plan.kind == "terminate":
            await _move(session, common, caller, pledge, "terminate", "按军令状约定终止项目")


async def decide_consequence(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    consequence_id: int,
    action: str,
    body: ConfirmBody | DismissBody,
    if_match: str | None,
    now: datetime,
    secret: str,
) -> PledgeConsequence:
    """An official confirms a proposed integrity record, which creates it in the integrity records
    (PRJ-5) for the subjects chosen, or dismisses it (or a proposed termination) with a reason."""
    row = await _decidable(session, consequence_id, action, if_match)
    await CONSEQUENCE_WORKFLOW.apply(session, common, row, action, caller, comment=body.comment)
    row.decided_by, row.decided_at, row.comment = caller.actor_id, now, body.comment
    if row.kind == "terminate":
        row.result = "dismissed"
        row.result_zh = f"厅内工作人员决定不终止项目 {row.application_id}：{body.comment}"
        row.result_en = f"An official decided not to terminate project {row.application_id}: {body.comment}"
    if isinstance(body, ConfirmBody):
        pledge = await repository.get(session, row.pledge_id)
        assert pledge is not None
        bid = await challenges_repo.get_bid(session, pledge.bid_id)
        assert bid is not None
        ids: list[int] = []
        for subject in dict.fromkeys(body.subjects):
            record = await integrity.create_record(
                session,
                common,
                caller,
                IntegrityRecordCreate(
                    subject_kind="person" if subject == "leader" else "organisation",
                    id_number=bid.leader_id_number if subject == "leader" else None,
                    uscc=bid.organisation_uscc if subject == "organisation" else None,
                    subject_name=bid.leader_name if subject == "leader" else bid.organisation_name,
                    conduct=body.conduct,
                    measure=body.measure,
                    severity=body.severity,
                    period_start=body.period_start,
                    period_end=body.period_end,
                    decision_no=body.decision_no,
                ),
                secret,
            )
            ids.append(record.id)
        row.integrity_record_ids = ids
        row.measure = body.measure
    await session.flush()
    await audit.append(
        session,
        common,
        caller,
        action,
        CONSEQUENCE,
        row.id,
        {"status": row.status, "comment": body.comment, "integrity_record_ids": row.integrity_record_ids},
    )
    return row


async def _decidable(
    session: AsyncSession, consequence_id: int, action: str, if_match: str | None
) -> PledgeConsequence:
    row = await repository.get_consequence(session, consequence_id, for_update=True)
    if row is None:
        raise NotFound()
    check_if_match(if_match, CONSEQUENCE, row.id, row.version, required=False)
    if action not in DECISIONS_BY_KIND.get(row.kind, frozenset()):
        raise DecisionNotApplicable(
            f"“{action}”不适用于“{row.kind}”类后果。",
            f"'{action}' does not apply to a '{row.kind}' consequence.",
            extra={"kind": row.kind, "decisions": sorted(DECISIONS_BY_KIND.get(row.kind, frozenset()))},
        )
    return row


async def apply_termination(
    session: AsyncSession,
    common: CommonTables,
    caller: Principal,
    consequence_id: int,
    body: TerminateBody,
    if_match: str | None,
    env: Environment,
) -> PledgeConsequence:
    """PRJ-3: an official applies the termination a failed pledge proposed: the project is terminated
    (and its contract), or 409 ``project_not_terminable`` when it has since left a terminable state
    (the official may then dismiss the proposal)."""
    row = await _decidable(session, consequence_id, "apply", if_match)
    CONSEQUENCE_WORKFLOW.decide(row.status, "apply", caller)  # 409 once decided, 403 for others
    pledge = await repository.get(session, row.pledge_id)
    assert pledge is not None
    project = (
        await repository.project(session, pledge.programme_id, row.application_id, for_update=True)
        if row.application_id is not None
        else None
    )
    if project is None or project.status not in TERMINABLE_STATES:
        state = project.status if project else None
        raise ProjectNotTerminable(
            f"项目 {row.application_id} 当前状态为“{state}”，不能终止。",
            f"Project {row.application_id} is '{state}' and cannot be terminated.",
            extra={
                "application_id": row.application_id,
                "application_status": state,
                "terminable_states": sorted(TERMINABLE_STATES),
            },
        )
    await CONSEQUENCE_WORKFLOW.apply(session, common, row, "apply", caller, comment=body.comment)
    await _terminate_project(session, caller, project, body.comment, env)
    row.application_status = project.status
    row.result = "terminated"
    row.result_zh = f"项目 {project.id} 已由厅内工作人员按军令状约定终止。"
    row.result_en = f"Project {project.id} was terminated by an official as the pledge agreed."
    row.decided_by, row.decided_at, row.comment = caller.actor_id, env.clock(), body.comment
    await session.flush()
    await audit.append(
        session,
        common,
        caller,
        "apply",
        CONSEQUENCE,
        row.id,
        {
            "pledge_id": pledge.id,
            "application_id": project.id,
            "application_status": project.status,
            "comment": body.comment,
        },
    )
    return row


async def page(
    session: AsyncSession,
    caller: Principal,
    *,
    status: str | None,
    list_id: int | None,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> tuple[list[Pledge], str | None]:
    return await repository.page(session, caller, status=status, list_id=list_id, limit=limit, cursor=cursor, sort=sort)


async def history(session: AsyncSession, common: CommonTables, caller: Principal, pledge_id: int) -> list[HistoryRead]:
    """The pledge's transitions followed by its milestones' assessments."""
    pledge = await visible(session, caller, pledge_id)
    rows = await load_history(session, common, PLEDGE, pledge.id)
    for m in pledge.milestones:
        rows += await load_history(session, common, MILESTONE, m.id)
    return sorted(rows, key=lambda h: h.at)
