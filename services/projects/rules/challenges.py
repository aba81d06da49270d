"""Open challenges (揭榜挂帅) and performance pledges (军令状), PRJ-3: the stage rules as data.

A challenge list (榜单) goes draft → published → bidding_closed → selected | unsuccessful → closed.
Teams bid (揭榜) only while the list is published and before its deadline; each promised indicator
must meet the list's target and the requested budget must stay within the cap. The winner signs a
pledge with dated milestones; the agency assesses the milestones in order, and the outcome table
below says what each outcome does to the milestone and to the pledge. A failed pledge triggers the
consequences agreed in it (termination, recovery of funds, an integrity record).

Everything here is pure: no I/O, no clock (``now`` is always passed in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from shared.workflow import Workflow, transition

# --- figures (defaults; an official changes them here or per list, never as literals elsewhere) ---


@dataclass(frozen=True)
class ChallengeRules:
    """PRJ-3 figures. ``min_bid_window_days``: calendar days (CAL-2) from publication to the bid
    deadline; ``default_recovery_ratio``: share of the funded amount to recover when the pledge names
    recovery without a ratio."""

    min_bid_window_days: int = 20
    default_recovery_ratio: Decimal = Decimal("1")
    max_indicators: int = 50
    max_milestones: int = 24


DEFAULT_RULES = ChallengeRules()


# --- the list's stages ------------------------------------------------------------------------------

ListStatus = Literal["draft", "published", "bidding_closed", "selected", "unsuccessful", "closed"]


@dataclass(frozen=True)
class Stage:
    name: str
    title_zh: str
    public: bool  # readable without logging in
    editable: bool  # the list's content may still change
    accepts_bids: bool  # bids are taken (before the deadline)


STAGES: Mapping[str, Stage] = {
    s.name: s
    for s in (
        Stage("draft", "草稿", public=False, editable=True, accepts_bids=False),
        Stage("published", "发榜", public=True, editable=False, accepts_bids=True),
        Stage("bidding_closed", "揭榜截止", public=True, editable=False, accepts_bids=False),
        Stage("selected", "已确定揭榜方", public=True, editable=False, accepts_bids=False),
        Stage("unsuccessful", "流榜", public=True, editable=False, accepts_bids=False),
        Stage("closed", "已关闭", public=True, editable=False, accepts_bids=False),
    )
}
PUBLIC_STAGES: tuple[str, ...] = tuple(s.name for s in STAGES.values() if s.public)

# Who manages a list: the entrusted agency (PRJ-2) and, supervising, department officials.
LIST_MANAGERS = ("agency", "official")
# Who selects the winner: the entrusted agency runs review and selection (PRJ-2).
SELECTORS = ("agency", "official")
BIDDERS = ("applicant", "org_admin")

CHALLENGE_LIST_WORKFLOW = Workflow(
    "challenge_list",
    "draft",
    [
        transition("publish", "draft", "published", LIST_MANAGERS),
        transition("close_bidding", "published", "bidding_closed", LIST_MANAGERS),
        transition("select", "bidding_closed", "selected", SELECTORS, comment_required=True),
        transition("declare_unsuccessful", "bidding_closed", "unsuccessful", SELECTORS, comment_required=True),
        transition("close", ["selected", "unsuccessful"], "closed", LIST_MANAGERS),
    ],
)

BID_WORKFLOW = Workflow(
    "challenge_bid",
    "submitted",
    [
        transition("withdraw", "submitted", "withdrawn", BIDDERS),
        transition("select", "submitted", "selected", SELECTORS),
        transition("reject", "submitted", "not_selected", SELECTORS),
    ],
)


def bid_deadline_passed(deadline: datetime, now: datetime) -> bool:
    """PRJ-3: bids are taken strictly before the deadline; at the deadline itself bidding is over."""
    return now >= deadline


def bidding_open(status: str, deadline: datetime, now: datetime) -> bool:
    stage = STAGES.get(status)
    return bool(stage and stage.accepts_bids) and not bid_deadline_passed(deadline, now)


def earliest_deadline(published_at: datetime, rules: ChallengeRules = DEFAULT_RULES) -> datetime:
    """The earliest bid deadline a list published at ``published_at`` may have."""
    return published_at + timedelta(days=rules.min_bid_window_days)


def bid_window_long_enough(published_at: datetime, deadline: datetime, rules: ChallengeRules = DEFAULT_RULES) -> bool:
    return deadline >= earliest_deadline(published_at, rules)


# --- indicators and budget ----------------------------------------------------------------------------

Comparison = Literal["at_least", "at_most"]


def meets_target(value: Decimal, target: Decimal, comparison: str = "at_least") -> bool:
    """A value meets its target: at least it (more is better) or at most it (e.g. cost, weight, loss)."""
    return value <= target if comparison == "at_most" else value >= target


@dataclass(frozen=True)
class IndicatorTarget:
    key: int  # the list's indicator id
    name: str
    target: Decimal
    comparison: str = "at_least"


@dataclass(frozen=True)
class Shortfall:
    key: int
    name: str
    target: Decimal
    value: Decimal | None  # None: not given


def promise_shortfalls(targets: Sequence[IndicatorTarget], promised: Mapping[int, Decimal]) -> list[Shortfall]:
    """PRJ-3: every indicator of the list needs a promised value that meets its target."""
    out: list[Shortfall] = []
    for t in targets:
        value = promised.get(t.key)
        if value is None or not meets_target(value, t.target, t.comparison):
            out.append(Shortfall(t.key, t.name, t.target, value))
    return out


def within_cap(amount: Decimal, cap: Decimal) -> bool:
    """PRJ-3: the requested budget may equal the cap, not exceed it by a single fen."""
    return amount <= cap


# --- pledges (军令状) ---------------------------------------------------------------------------------

PLEDGE_WORKFLOW = Workflow(
    "performance_pledge",
    "draft",
    [
        transition("sign", "draft", "signed", BIDDERS),
        transition("cancel", "draft", "cancelled", SELECTORS, comment_required=True),
        # The two below happen as a consequence of a milestone assessment by the agency.
        transition("fulfil", "signed", "fulfilled", SELECTORS),
        transition("fail", "signed", "failed", SELECTORS),
        transition("terminate", "failed", "terminated", SELECTORS),
    ],
)

MILESTONE_WORKFLOW = Workflow(
    "pledge_milestone",
    "pending",
    [
        transition("pass", "pending", "passed", SELECTORS),
        transition("partially_meet", "pending", "partially_met", SELECTORS),
        transition("fail", "pending", "failed", SELECTORS),
    ],
)

Outcome = Literal["passed", "partially", "failed"]


@dataclass(frozen=True)
class OutcomeRule:
    """What an assessment outcome does. ``fails_pledge``: the pledge fails at once;
    ``fails_when_final``: it fails the pledge when it is the last milestone's outcome (the promise at
    the end was not kept); ``values_required``: the achieved values must be given."""

    action: str  # the milestone workflow's action
    milestone_state: str
    fails_pledge: bool
    fails_when_final: bool
    values_required: bool
    title_zh: str


OUTCOMES: Mapping[str, OutcomeRule] = {
    "passed": OutcomeRule(
        "pass", "passed", fails_pledge=False, fails_when_final=False, values_required=False, title_zh="通过"
    ),
    "partially": OutcomeRule(
        "partially_meet",
        "partially_met",
        fails_pledge=False,
        fails_when_final=True,
        values_required=True,
        title_zh="部分完成",
    ),
    "failed": OutcomeRule(
        "fail", "failed", fails_pledge=True, fails_when_final=True, values_required=False, title_zh="未通过"
    ),
}
# A later milestone may be assessed once the earlier ones ended in one of these states.
CONTINUING_STATES = frozenset(r.milestone_state for r in OUTCOMES.values() if not r.fails_pledge)


PledgeEffect = Literal["continue", "fulfilled", "failed"]


def pledge_effect(outcome: str, is_final: bool) -> PledgeEffect:
    """PRJ-3: what one milestone's outcome does to the pledge."""
    rule = OUTCOMES[outcome]
    if rule.fails_pledge or (is_final and rule.fails_when_final):
        return "failed"
    return "fulfilled" if is_final else "continue"


@dataclass(frozen=True)
class MilestoneState:
    seq: int
    state: str


def next_assessable(milestones: Sequence[MilestoneState]) -> int | None:
    """PRJ-3: milestones are assessed in order: the first pending one, if every earlier one ended in a
    continuing state; None when there is nothing to assess."""
    for m in sorted(milestones, key=lambda m: m.seq):
        if m.state == "pending":
            return m.seq
        if m.state not in CONTINUING_STATES:
            return None
    return None


# A problem's message in both languages: (Chinese, English).
Message = tuple[str, str]


def assessment_problems(
    outcome: str, targets: Sequence[IndicatorTarget], achieved: Mapping[int, Decimal]
) -> list[Message]:
    """Checks that make an assessment consistent with its own figures (messages name the indicator):
    values are needed where the outcome requires them, only the milestone's indicators may be given,
    and 'passed' cannot come with a value that misses its target."""
    problems: list[Message] = []
    keys = {t.key for t in targets}
    unknown = sorted(set(achieved) - keys)
    if unknown:
        problems.append((f"未知的指标：{unknown}", f"unknown indicators: {unknown}"))
    if OUTCOMES[outcome].values_required and not achieved:
        problems.append(("该考核结论须填写实际达到的指标值", "the achieved values are required for this outcome"))
    if outcome == "passed":
        for t in targets:
            if t.key in achieved and not meets_target(achieved[t.key], t.target, t.comparison):
                problems.append(
                    (
                        f"“{t.name}”未达到目标值，该里程碑不能评为通过",
                        f"'{t.name}' misses its target, so the milestone cannot pass",
                    )
                )
    return problems


def milestone_dates_problems(due_dates: Sequence[date], not_before: date) -> list[Message]:
    """Milestones are dated, in order, strictly later one after another, and not in the past."""
    problems: list[Message] = []
    for i, d in enumerate(due_dates):
        if d < not_before:
            problems.append(
                (
                    f"第 {i + 1} 个里程碑的到期日早于 {not_before.isoformat()}",
                    f"milestone {i + 1} is due before {not_before.isoformat()}",
                )
            )
        if i and d <= due_dates[i - 1]:
            problems.append(
                (
                    f"第 {i + 1} 个里程碑的到期日须晚于第 {i} 个",
                    f"milestone {i + 1} must be due after milestone {i}",
                )
            )
    return problems


# --- consequences of a failed pledge ------------------------------------------------------------------

ConsequenceKind = Literal["terminate", "recover_funds", "integrity_record"]
CONSEQUENCE_KINDS: tuple[str, ...] = ("terminate", "recover_funds", "integrity_record")


@dataclass(frozen=True)
class ConsequenceRule:
    """What executing an agreed consequence leaves behind: ``initial_state`` of the consequence row;
    ``needs_confirmation``: an official confirms (or dismisses) it before it takes effect.

    A termination is an official's decision (the application workflow's ``terminate`` is theirs):
    ``termination_outcome`` settles it at once when an official assessed the milestone, or when there
    is nothing to terminate (``not_applied``); otherwise it stays ``proposed`` until an official
    applies or dismisses it."""

    initial_state: str
    needs_confirmation: bool
    title_zh: str


CONSEQUENCES: Mapping[str, ConsequenceRule] = {
    "terminate": ConsequenceRule("proposed", needs_confirmation=True, title_zh="终止项目"),
    "recover_funds": ConsequenceRule("recorded", needs_confirmation=False, title_zh="追回资金"),
    "integrity_record": ConsequenceRule("proposed", needs_confirmation=True, title_zh="记入科研诚信记录"),
}

CONSEQUENCE_WORKFLOW = Workflow(
    "pledge_consequence",
    "proposed",
    [
        # an integrity record proposal: confirmed (the record is made) or dismissed
        transition("confirm", "proposed", "confirmed", ["official"]),
        # a proposed termination: applied (the project is terminated) or dismissed
        transition("apply", "proposed", "applied", ["official"], comment_required=True),
        transition("dismiss", "proposed", "dismissed", ["official"], comment_required=True),
    ],
)
# Which consequence kind each decision applies to (the service refuses the others: 409).
DECISIONS_BY_KIND: Mapping[str, frozenset[str]] = {
    "integrity_record": frozenset({"confirm", "dismiss"}),
    "terminate": frozenset({"apply", "dismiss"}),
    "recover_funds": frozenset(),
}


@dataclass(frozen=True)
class TerminationOutcome:
    """What a failed pledge's agreed termination did to the pledge's project (PRJ-3): ``result`` is
    a stable code, ``state`` the consequence row's state, ``zh``/``en`` say it to the reader."""

    result: str
    state: str
    zh: str
    en: str


def termination_outcome(
    project_id: int | None, project_status: str | None, terminable: Iterable[str], *, by_official: bool
) -> TerminationOutcome:
    """PRJ-3: a failed pledge terminates its project when it can: the pledge names a project of its
    programme (``project_status`` None: no such project), the project is in a terminable state, and
    an official decides (at once when an official assessed; otherwise it awaits one)."""
    if project_id is None:
        return TerminationOutcome(
            "no_project",
            "not_applied",
            "军令状未关联项目，没有可终止的项目。",
            "The pledge names no project: nothing was terminated.",
        )
    if project_status is None:
        return TerminationOutcome(
            "project_not_found",
            "not_applied",
            f"军令状关联的项目 {project_id} 不存在或不属于本计划，未终止任何项目。",
            f"The pledge's project {project_id} does not exist in this programme: nothing was terminated.",
        )
    if project_status not in frozenset(terminable):
        return TerminationOutcome(
            "not_terminable",
            "not_applied",
            f"项目 {project_id} 处于“{project_status}”状态，不能终止，未作变更。",
            f"Project {project_id} is '{project_status}', a state that cannot be terminated: it was left unchanged.",
        )
    if not by_official:
        return TerminationOutcome(
            "awaiting_official",
            "proposed",
            f"项目 {project_id} 待厅内工作人员决定终止。",
            f"Project {project_id} awaits an official's decision to terminate it.",
        )
    return TerminationOutcome(
        "terminated",
        "applied",
        f"项目 {project_id} 已按军令状约定终止。",
        f"Project {project_id} was terminated as the pledge agreed.",
    )


@dataclass(frozen=True)
class AgreedConsequence:
    kind: str
    recovery_ratio: Decimal | None = None
    measure: str | None = None


@dataclass(frozen=True)
class ConsequencePlan:
    kind: str
    state: str
    amount: Decimal | None = None
    measure: str | None = None


def recovery_amount(funded: Decimal, ratio: Decimal) -> Decimal:
    """The amount to recover: the ratio of the funded amount, to the fen, never more than was funded."""
    amount = (funded * ratio).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return min(max(amount, Decimal("0.00")), funded)


def consequences_of_failure(
    agreed: Iterable[AgreedConsequence], funded: Decimal, rules: ChallengeRules = DEFAULT_RULES
) -> list[ConsequencePlan]:
    """PRJ-3: a failed pledge triggers exactly the consequences agreed in it, in the table's order."""
    by_kind = {a.kind: a for a in agreed}
    plans: list[ConsequencePlan] = []
    for kind in CONSEQUENCE_KINDS:
        a = by_kind.get(kind)
        if a is None:
            continue
        rule = CONSEQUENCES[kind]
        amount = (
            recovery_amount(funded, a.recovery_ratio if a.recovery_ratio is not None else rules.default_recovery_ratio)
            if kind == "recover_funds"
            else None
        )
        plans.append(ConsequencePlan(kind, rule.initial_state, amount, a.measure))
    return plans


@dataclass(frozen=True)
class PledgeTerms:
    """Checks on a pledge's terms against the winning bid (used when the agency drafts it)."""

    funded: Decimal
    requested: Decimal
    cap: Decimal
    final_targets: Mapping[int, Decimal] = field(default_factory=dict)


def pledge_terms_problems(terms: PledgeTerms, promised: Sequence[IndicatorTarget]) -> list[Message]:
    """The funded amount stays within the bid and the cap; the last milestone holds the team to
    every promised value (``promised`` carries the promise as the target)."""
    problems: list[Message] = []
    if not within_cap(terms.funded, terms.requested) or not within_cap(terms.funded, terms.cap):
        problems.append(
            ("资助额超过揭榜申请额或榜单上限", "the funded amount exceeds the requested budget or the list's cap")
        )
    for p in promised:
        value = terms.final_targets.get(p.key)
        if value is None or not meets_target(value, p.target, p.comparison):
            problems.append(
                (
                    f"末个里程碑的“{p.name}”须达到承诺值 {p.target}",
                    f"the last milestone must hold '{p.name}' to the promised {p.target}",
                )
            )
    return problems
