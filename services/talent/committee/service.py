"""Use cases of a call's evaluation committee (评审委员会): an official names its members and its vote rule;
each member casts a ballot on the ranked list (present or not; for, against or abstain on each application
awaiting the committee); an official tallies, and each application moves ``reviewed → proposed`` or
``reviewed → not_proposed`` with the tally recorded (its row, the history comment, the audit trail).
Never commits.

The rule is data (``rules.awards.VoteRule``, decided by ``rules.awards.decide_vote`` in exact fractions):
the default is more than half of the members present, with a quorum of two thirds of the members. A tally
without a quorum is refused (``committee_quorum_not_met``) and writes nothing: the members vote on.
Officials and auditors see every committee; a member sees their own call's; anyone else gets a 404."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.talent.applications.models import TalentApplication
from services.talent.calls import repository as calls
from services.talent.calls.models import TalentCall
from services.talent.committee import repository as repo
from services.talent.committee.models import Ballot, Committee, Tally
from services.talent.committee.schemas import (
    BallotIn,
    BallotRead,
    CommitteeRead,
    CommitteeSet,
    RankingEntry,
    RankingRead,
    TallyRead,
    TallyRow,
    VoteRuleRead,
)
from services.talent.db import common
from services.talent.deps import Environment
from services.talent.errors import (
    CommitteeNotSet,
    CommitteeQuorumNotMet,
    CommitteeTallied,
    InvalidBallot,
    InvalidVoteRule,
    NothingToTally,
)
from services.talent.labels import state_label
from services.talent.review_rounds import repository as rounds_repo
from services.talent.review_rounds.service import Ranked, call_ranking
from services.talent.rules.awards import QUORUM_NOT_MET, VoteRule, decide_vote
from services.talent.rules.workflows import APPLICATION_WORKFLOW, COMMITTEE_WORKFLOW
from shared import audit
from shared.concurrency import check_if_match
from shared.db import flush_versioned
from shared.errors import NotFound, field_error
from shared.principal import Principal

KIND = "talent_committee"
BALLOT = "talent_ballot"
APPLICATION = "talent_application"
SEE_ALL = ("official", "auditor")
AWAITING = "reviewed"  # the applications the committee votes on
TIE_BREAK = ["score (desc)", "valid reviews (desc)", "application submitted_at (asc)", "application id (asc)"]


def not_found() -> NotFound:
    return NotFound("评审委员会不存在。", "No such committee.")


# --- the rule ----------------------------------------------------------------------------------------


def _fraction(text: str, field: str, errors: list[dict[str, str]]) -> Fraction:
    numerator, denominator = (int(x) for x in text.split("/"))
    if denominator == 0 or not 0 < Fraction(numerator, denominator or 1) <= 1:
        errors.append(field_error(field, "out_of_range", "应为大于 0、不超过 1 的分数", "a fraction in (0, 1]"))
        return Fraction(1)
    return Fraction(numerator, denominator)


def checked_rule(body: CommitteeSet) -> VoteRule:
    errors: list[dict[str, str]] = []
    threshold = _fraction(body.threshold, "threshold", errors)
    quorum = _fraction(body.quorum, "quorum", errors)
    if errors:
        raise InvalidVoteRule(
            "表决规则无效：" + "；".join(e["message_zh"] for e in errors),
            "The vote rule is not valid: " + "; ".join(e["message_en"] for e in errors),
            errors,
            clause="TAL-5",
        )
    return VoteRule(threshold, body.basis, body.at_least, quorum)


def rule_of(committee: Committee) -> VoteRule:
    basis: Literal["members", "present"] = "members" if committee.basis == "members" else "present"
    return VoteRule(Fraction(committee.threshold), basis, committee.at_least, Fraction(committee.quorum))


def rule_read(committee: Committee) -> VoteRuleRead:
    return VoteRuleRead(
        threshold=committee.threshold, basis=committee.basis, at_least=committee.at_least, quorum=committee.quorum
    )


# --- loading -----------------------------------------------------------------------------------------


async def load_call(session: AsyncSession, call_id: int) -> TalentCall:
    call = await calls.get(session, call_id)
    if call is None:
        raise NotFound("年度申报不存在。", "No such call.")
    return call


async def load(session: AsyncSession, principal: Principal, call_id: int, *, for_update: bool = False) -> Committee:
    """The call's committee, for officials and auditors and for its members; anyone else a 404."""
    await load_call(session, call_id)
    committee = await repo.of_call(session, call_id, for_update=for_update)
    if committee is None:
        if principal.has_role(*SEE_ALL):
            raise CommitteeNotSet("本年度申报尚未组建评审委员会。", "The call has no committee yet.")
        raise not_found()
    if not principal.has_role(*SEE_ALL) and principal.subject not in committee.members:
        raise not_found()
    return committee


async def to_read(session: AsyncSession, committee: Committee) -> CommitteeRead:
    ballots = await repo.ballots(session, committee.id)
    return CommitteeRead.model_validate(
        {
            **{c.key: getattr(committee, c.key) for c in Committee.__table__.columns},
            "rule": rule_read(committee),
            "status_label": state_label(committee.status),
            "ballots": [{"member": b.member, "present": b.present} for b in ballots],
        }
    )


# --- the ranked list -----------------------------------------------------------------------------------


def entry(r: Ranked) -> RankingEntry:
    a = r.application
    return RankingEntry(
        rank=r.rank,
        application_id=a.id,
        applicant_name=a.applicant_name,
        org_name=a.org_name,
        title=a.title,
        discipline_code=a.discipline_code,
        score=r.score,
        valid_reviews=r.valid_reviews,
        round_id=r.round_id,
        status=a.status,
        status_label=state_label(a.status),
    )


async def ranking(session: AsyncSession, principal: Principal, call_id: int) -> RankingRead:
    """The call's ranked list (officials, auditors, the committee's members)."""
    await load_call(session, call_id)
    if not principal.has_role(*SEE_ALL):
        await load(session, principal, call_id)
    return RankingRead(
        call_id=call_id, tie_break=TIE_BREAK, entries=[entry(r) for r in await call_ranking(session, call_id)]
    )


async def awaiting(session: AsyncSession, call_id: int, *, for_update: bool = False) -> list[Ranked]:
    return [r for r in await call_ranking(session, call_id, for_update=for_update) if r.application.status == AWAITING]


# --- setting it up -----------------------------------------------------------------------------------


async def put(
    session: AsyncSession, principal: Principal, call_id: int, body: CommitteeSet, if_match: str | None
) -> Committee:
    """Create the call's committee, or replace its members and rule (If-Match) while it is open; the
    ballots of accounts no longer members go."""
    call = await load_call(session, call_id)
    rule = checked_rule(body)
    values: dict[str, Any] = {
        "members": list(body.members),
        "threshold": f"{rule.threshold.numerator}/{rule.threshold.denominator}",
        "basis": rule.basis,
        "at_least": rule.at_least,
        "quorum": f"{rule.quorum.numerator}/{rule.quorum.denominator}",
    }
    committee = await repo.of_call(session, call.id, for_update=True)
    if committee is None:
        committee = Committee(
            call_id=call.id, status=COMMITTEE_WORKFLOW.initial, version=1, created_by=principal.actor_id, **values
        )
        session.add(committee)
        await flush_versioned(session, "评审委员会")
        await COMMITTEE_WORKFLOW.record_creation(session, common, committee, principal)
        await audit.append(session, common, principal, "create", KIND, committee.id, {"call_id": call.id, **values})
        return committee
    check_if_match(if_match, KIND, committee.id, committee.version)
    if committee.status != "open":
        raise CommitteeTallied(
            "评审委员会已计票，不能再修改。", "The committee's vote is tallied; it no longer changes."
        )
    for key, value in values.items():
        setattr(committee, key, value)
    committee.version += 1
    await repo.drop_ballots_of(session, committee.id, committee.members)
    await flush_versioned(session, "评审委员会")
    await audit.append(session, common, principal, "update", KIND, committee.id, values)
    return committee


# --- ballots -------------------------------------------------------------------------------------------


async def load_own_ballot(session: AsyncSession, principal: Principal, call_id: int) -> tuple[Committee, Ballot]:
    committee = await member_committee(session, principal, call_id)
    found = await repo.ballot(session, committee.id, principal.subject)
    if found is None:
        raise NotFound("尚未投票。", "No ballot has been cast yet.")
    return committee, found


async def member_committee(
    session: AsyncSession, principal: Principal, call_id: int, *, for_update: bool = False
) -> Committee:
    """The committee the caller is a member of (officials too only when members): else a 404."""
    await load_call(session, call_id)
    committee = await repo.of_call(session, call_id, for_update=for_update)
    if committee is None or principal.subject not in committee.members:
        raise not_found()
    return committee


def ballot_problems(body: BallotIn, listed: set[int]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if not body.present:
        if body.votes:
            errors.append(
                field_error("votes", "absent_member_votes", "未到会委员不投票", "a member absent casts no vote")
            )
        return errors
    seen: set[int] = set()
    for i, v in enumerate(body.votes):
        if v.application_id in seen:
            errors.append(field_error(f"votes[{i}]", "duplicate", "同一申报书投了两票", "two votes on one application"))
        elif v.application_id not in listed:
            errors.append(
                field_error(
                    f"votes[{i}].application_id",
                    "not_on_the_list",
                    "不在待表决的排序名单上",
                    "not on the ranked list awaiting the committee",
                )
            )
        seen.add(v.application_id)
    errors += [
        field_error("votes", "missing_vote", f"未对申报书 {a} 投票", f"no vote on application {a}")
        for a in sorted(listed - seen)
    ]
    return errors


async def cast(
    session: AsyncSession, principal: Principal, call_id: int, body: BallotIn, if_match: str | None
) -> tuple[Committee, Ballot]:
    """The member's ballot, whole: the first PUT creates it, later ones need its ETag (If-Match)."""
    committee = await member_committee(session, principal, call_id, for_update=True)
    if committee.status != "open":
        raise CommitteeTallied("评审委员会已计票，不能再投票。", "The committee's vote is tallied; no more ballots.")
    listed = {r.application.id for r in await awaiting(session, call_id)}
    if body.present and not listed:
        raise NothingToTally("没有待评审委员会表决的申报书。", "No application awaits the committee's vote.")
    problems = ballot_problems(body, listed)
    if problems:
        raise InvalidBallot(
            "表决票不符合要求：" + "；".join(p["message_zh"] for p in problems),
            "The ballot is not valid: " + "; ".join(p["message_en"] for p in problems),
            problems,
            clause="TAL-5",
        )
    ballot = await repo.ballot(session, committee.id, principal.subject, for_update=True)
    if ballot is None:
        ballot = Ballot(committee_id=committee.id, member=principal.subject, version=0, present=False, votes={})
        session.add(ballot)
    else:
        check_if_match(if_match, BALLOT, ballot.id, ballot.version)
    ballot.present = body.present
    ballot.votes = {str(v.application_id): v.vote for v in body.votes}
    ballot.version += 1
    await flush_versioned(session, "表决票")
    return committee, ballot


def ballot_read(committee: Committee, ballot: Ballot) -> BallotRead:
    return BallotRead(
        id=ballot.id,
        call_id=committee.call_id,
        member=ballot.member,
        present=ballot.present,
        votes=dict(ballot.votes or {}),
        version=ballot.version,
        updated_at=ballot.updated_at,
    )


# --- the tally -----------------------------------------------------------------------------------------


async def tally(
    session: AsyncSession, principal: Principal, call_id: int, if_match: str | None, env: Environment
) -> TallyRead:
    """Apply the rule to each application awaiting the committee, record the figures and move it on."""
    committee = await load(session, principal, call_id, for_update=True)
    check_if_match(if_match, KIND, committee.id, committee.version, required=False)
    COMMITTEE_WORKFLOW.decide(committee.status, "tally", principal)  # 409 once tallied, 403 for auditors
    pending = await awaiting(session, call_id, for_update=True)
    if not pending:
        raise NothingToTally("没有待评审委员会表决的申报书。", "No application awaits the committee's vote.")
    rule = rule_of(committee)
    members = len(committee.members)
    present = [b for b in await repo.ballots(session, committee.id) if b.present and b.member in committee.members]
    quorum = decide_vote(rule, members, len(present), 0)
    if quorum.reason == QUORUM_NOT_MET:
        raise CommitteeQuorumNotMet(
            f"到会委员 {len(present)} 人，不足法定人数 {quorum.present_needed} 人，表决无效。",
            f"{len(present)} member(s) present, fewer than the {quorum.present_needed} a quorum needs: no vote.",
            extra={"members": members, "present": len(present), "present_needed": quorum.present_needed},
        )
    rule_json = {**rule_read(committee).model_dump(), "members": members}
    for r in pending:
        votes = [b.votes.get(str(r.application.id), "abstain") for b in present]
        in_favour, against = votes.count("for"), votes.count("against")
        outcome = decide_vote(rule, members, len(present), in_favour)
        session.add(
            Tally(
                committee_id=committee.id,
                application_id=r.application.id,
                rank=r.rank,
                members=members,
                present=len(present),
                in_favour=in_favour,
                against=against,
                abstain=len(present) - in_favour - against,
                votes_needed=outcome.votes_needed,
                passed=outcome.passed,
                reason=outcome.reason,
                rule=rule_json,
                decided_by=principal.actor_id,
            )
        )
        await move(session, principal, r.application, outcome.passed, in_favour, against, len(present), members)
    committee.tallied_at = env.now
    await COMMITTEE_WORKFLOW.apply(session, common, committee, "tally", principal)
    await flush_versioned(session, "评审委员会")
    await audit.append(
        session, common, principal, "tally", KIND, committee.id, {"call_id": call_id, "present": len(present)}
    )
    return await tally_read(session, principal, call_id)


async def move(
    session: AsyncSession,
    principal: Principal,
    application: TalentApplication,
    passed: bool,
    in_favour: int,
    against: int,
    present: int,
    members: int,
) -> None:
    abstain = present - in_favour - against
    verdict_zh, verdict_en = ("通过", "passed") if passed else ("未通过", "not passed")
    comment = (
        f"评审委员会表决{verdict_zh}：委员 {members} 人，到会 {present} 人，赞成 {in_favour}，反对 {against}，"
        f"弃权 {abstain} / committee vote {verdict_en}: {members} members, {present} present, {in_favour} for, "
        f"{against} against, {abstain} abstaining"
    )
    action = "propose" if passed else "not_propose"
    await APPLICATION_WORKFLOW.apply(session, common, application, action, principal, comment=comment)
    await audit.append(
        session,
        common,
        principal,
        action,
        APPLICATION,
        application.id,
        {"in_favour": in_favour, "against": against, "present": present, "members": members},
    )


async def tally_read(session: AsyncSession, principal: Principal, call_id: int) -> TallyRead:
    committee = await load(session, principal, call_id)
    rows = await repo.tallies(session, committee.id)
    apps = {a.id: a for a in await rounds_repo.applications(session, [t.application_id for t in rows])}
    members = len(committee.members)
    rule = rule_of(committee)
    present = rows[0].present if rows else 0
    return TallyRead(
        call_id=call_id,
        members=rows[0].members if rows else members,
        present=present,
        present_needed=decide_vote(rule, members, 0, 0).present_needed,
        rule=rule_read(committee),
        tallied_at=committee.tallied_at,
        results=[
            TallyRow(
                application_id=t.application_id,
                rank=t.rank,
                applicant_name=apps[t.application_id].applicant_name,
                title=apps[t.application_id].title,
                in_favour=t.in_favour,
                against=t.against,
                abstain=t.abstain,
                votes_needed=t.votes_needed,
                passed=t.passed,
                reason=t.reason,
                status=apps[t.application_id].status,
                status_label=state_label(apps[t.application_id].status),
            )
            for t in rows
        ],
    )
