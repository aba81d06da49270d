"""Guards at submit (issue 3, "Guards at submit"): pure functions over plain values, no I/O.

Each guard raises an ``AppError`` with a stable code whose detail names the clause it applies:
the call window in Asia/Shanghai (CAL-2), the budget caps of the topic and the programme, the
leader's age from the ID number (ID-2), the organisation kinds a call admits and an enterprise's
co-funding. The integrity (PRJ-5) and limits (PRJ-1) checks need the database; the application
service asks their modules and hands the answers to ``check_not_debarred`` and ``check_limits``.

The figures a call does not state fall back to ``DEFAULTS`` (documented, configurable per call).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.projects.errors import BudgetOverCap, CallClosed, CofundingTooLow, LeaderTooOld
from shared.errors import CallNotOpen, Debarred, LimitExceeded, OrgKindNotAllowed
from shared.workdays import to_shanghai

FEN = Decimal("0.01")

# Budget lines of a provincial plan project (科目), as data: code -> (zh, en).
BUDGET_LINES: dict[str, tuple[str, str]] = {
    "equipment": ("设备费", "equipment"),
    "materials": ("材料费", "materials"),
    "testing": ("测试化验加工费", "testing and processing"),
    "fuel_power": ("燃料动力费", "fuel and power"),
    "travel": ("差旅费", "travel"),
    "meetings": ("会议费", "meetings"),
    "international_cooperation": ("国际合作与交流费", "international cooperation"),
    "publication": ("出版/文献/信息传播/知识产权事务费", "publication, literature and IP"),
    "labour": ("劳务费", "labour"),
    "expert_consultation": ("专家咨询费", "expert consultation"),
    "other_direct": ("其他直接费用", "other direct costs"),
    "indirect": ("间接费用", "indirect costs"),
}

# Organisation kinds as the gateway registers them; "government" and "agency" never apply.
APPLICANT_ORG_KINDS: tuple[str, ...] = ("university", "research_institute", "enterprise", "hospital", "other")
ENTERPRISE = "enterprise"
# GB 32100 registering authority 9 is market regulation (工商): such a code is an enterprise's,
# whatever kind was declared, so the co-funding rule cannot be sidestepped by the declaration.
ENTERPRISE_REGISTERING_AUTHORITIES: frozenset[str] = frozenset({"9"})


@dataclass(frozen=True)
class EligibilityDefaults:
    """Figures a call may leave out (configurable: a call states its own to override them)."""

    # 项目负责人年龄不超过 N 周岁 on the call's reference date (ID-2 gives the birth date).
    leader_max_age: int = 60
    # An enterprise's self-raised funds at least this multiple of the requested funds (1:1).
    enterprise_cofunding_ratio: Decimal = Decimal("1.00")
    org_kinds: tuple[str, ...] = APPLICANT_ORG_KINDS


DEFAULTS = EligibilityDefaults()


# --- problems ------------------------------------------------------------------------------------


# --- the guards ----------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M:%S")


def check_call_status(status: str) -> None:
    """Only a published call takes submissions; one closed by hand is closed whatever its times say."""
    if status != "published":
        raise CallClosed("本指南已关闭，不再受理申报。", "The call has been closed.", extra={"status": status})


def check_call_window(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    """CAL-2: a call takes submissions from ``opens_at`` (inclusive) until ``closes_at`` (exclusive),
    both shown in Asia/Shanghai."""
    if now < opens_at:
        raise CallNotOpen(
            f"本指南于 {_local(opens_at)}（北京时间）开始受理申报（CAL-2）。",
            f"The call opens at {_local(opens_at)} Asia/Shanghai (CAL-2).",
            extra={"opens_at": to_shanghai(opens_at).isoformat(), "clause": "CAL-2"},
        )
    if now >= closes_at:
        raise CallClosed(
            f"本指南已于 {_local(closes_at)}（北京时间）截止申报（CAL-2）。",
            f"The call closed at {_local(closes_at)} Asia/Shanghai (CAL-2).",
            extra={"closes_at": to_shanghai(closes_at).isoformat(), "clause": "CAL-2"},
        )


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def check_budget(
    requested: Decimal,
    duration_months: int,
    *,
    topic_cap: Decimal | None,
    programme_cap: Decimal,
    programme_max_months: int,
) -> None:
    """The requested funds within the topic's cap and the programme's per-project cap, the duration
    within the programme's longest (issue 3 "Guards at submit"; caps are inclusive)."""
    over: list[dict[str, str]] = []
    if topic_cap is not None and requested > topic_cap:
        over.append({"field": "budget", "cap": "topic", "limit": str(fen(topic_cap)), "value": str(fen(requested))})
    if requested > programme_cap:
        over.append(
            {"field": "budget", "cap": "programme", "limit": str(fen(programme_cap)), "value": str(fen(requested))}
        )
    if duration_months > programme_max_months:
        over.append(
            {
                "field": "duration_months",
                "cap": "programme",
                "limit": str(programme_max_months),
                "value": str(duration_months),
            }
        )
    if over:
        zh = "；".join(
            f"{'执行期' if o['field'] == 'duration_months' else '申请经费'} {o['value']} 超过"
            f"{'课题' if o['cap'] == 'topic' else '计划'}上限 {o['limit']}"
            for o in over
        )
        en = "; ".join(f"{o['field']} {o['value']} is over the {o['cap']} cap {o['limit']}" for o in over)
        raise BudgetOverCap(zh + "。", en + ".", extra={"over": over})


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day`` (a 29 February birthday is reached on 1 March in other years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_leader_age(birth_date: date, reference_date: date, max_age: int | None) -> None:
    """ID-2: the leader's age, from the birth date in the ID number, on the call's reference date is
    at most ``max_age`` completed years (不超过 N 周岁: still eligible the day before turning N+1)."""
    if max_age is None:
        return
    age = age_on(birth_date, reference_date)
    if age > max_age:
        raise LeaderTooOld(
            f"项目负责人于 {reference_date.isoformat()} 年满 {age} 周岁，超过本指南 {max_age} 周岁的限制（ID-2）。",
            f"The project leader is {age} on {reference_date.isoformat()}, over this call's limit of {max_age} (ID-2).",
            extra={"age": age, "max_age": max_age, "reference_date": reference_date.isoformat(), "clause": "ID-2"},
        )


def effective_org_kind(declared: str, uscc: str) -> str:
    """The kind the rules apply: an enterprise's USCC (registering authority 9) makes it an enterprise."""
    return ENTERPRISE if uscc[:1] in ENTERPRISE_REGISTERING_AUTHORITIES else declared


def check_org_kind(kind: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if kind not in allowed:
        raise OrgKindNotAllowed(
            f"本指南受理的单位类型为：{'、'.join(allowed)}；申报单位类型为 {kind}。",
            f"This call admits organisations of kinds {', '.join(allowed)}; the applicant is {kind}.",
            extra={"kind": kind, "allowed": allowed},
        )


def required_cofunding(requested: Decimal, ratio: Decimal) -> Decimal:
    return fen(requested * ratio)


def check_cofunding(kind: str, requested: Decimal, self_raised: Decimal, ratio: Decimal | None) -> None:
    """An enterprise raises at least ``ratio`` × the requested funds itself (rounded to the fen)."""
    if kind != ENTERPRISE or ratio is None:
        return
    needed = required_cofunding(requested, ratio)
    if self_raised < needed:
        raise CofundingTooLow(
            f"企业自筹资金 {fen(self_raised)} 元低于申请经费的 {ratio} 倍（{needed} 元）。",
            f"The enterprise raises {fen(self_raised)} yuan itself, under {ratio} × the requested funds "
            f"({needed} yuan).",
            extra={"self_raised": str(fen(self_raised)), "required": str(needed), "ratio": str(ratio)},
        )


@dataclass(frozen=True)
class DebarmentFinding:
    """One active debarment of a subject, as the integrity records answer (PRJ-5)."""

    subject: str  # "leader" or "organization"
    measure: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


def check_not_debarred(findings: Sequence[DebarmentFinding]) -> None:
    """PRJ-5: an active debarment of the leader or the organisation blocks submission."""
    if findings:
        who_zh = "、".join("项目负责人" if f.subject == "leader" else "申报单位" for f in findings)
        who_en = ", ".join("the leader" if f.subject == "leader" else "the organisation" for f in findings)
        raise Debarred(
            f"{who_zh}存在有效的科研诚信限制措施，不能申报（PRJ-5）。",
            f"An integrity debarment of {who_en} is in force; the application cannot be submitted (PRJ-5).",
            extra={
                "clause": "PRJ-5",
                "debarments": [
                    {
                        "subject": f.subject,
                        "measure": f.measure,
                        "starts_on": f.starts_on.isoformat() if f.starts_on else None,
                        "ends_on": f.ends_on.isoformat() if f.ends_on else None,
                    }
                    for f in findings
                ],
            },
        )


@dataclass(frozen=True)
class LimitViolation:
    """One limit the ledger says the leader has reached (PRJ-1, and NSF-5 for senior staff)."""

    clause: str
    rule: str
    limit: int
    count: int
    items: tuple[Mapping[str, Any], ...] = ()


def check_limits(violations: Sequence[LimitViolation]) -> None:
    """PRJ-1: the ledger's answer; a refusal names each limit with its figure and the count held."""
    if violations:
        first = violations[0]
        raise LimitExceeded(
            f"项目负责人已有 {first.count} 项，达到限项规定的 {first.limit} 项（{first.clause}）。",
            f"The project leader holds {first.count}, the limit is {first.limit} ({first.clause}).",
            extra={
                "clause": first.clause,
                "counts": [
                    {"clause": v.clause, "rule": v.rule, "limit": v.limit, "count": v.count, "items": list(v.items)}
                    for v in violations
                ],
            },
        )


def total(amounts: Iterable[Decimal]) -> Decimal:
    return fen(sum(amounts, Decimal(0)))
