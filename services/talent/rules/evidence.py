"""TAL-1 representative works (代表作): the evidence of an application.

At most ``max_works`` works (**configurable**, default 5) and at least ``min_works`` (default 1: an
application gives some evidence), each of a kind the programme admits (by default every kind below) with
a title and the applicant's own contribution to it stated (本人贡献).

The works are evidence for the experts, never a count to clear: no rule here (nor anywhere in the talent
rules) sets a minimum number of papers, titles, degrees or awards (破"四唯").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.talent.errors import InvalidProgrammeRules, InvalidRepresentativeWorks
from shared.errors import field_error

CLAUSE = "TAL-1"


class WorkKind(StrEnum):
    PAPER = "paper"  # 论文
    PATENT = "patent"  # 专利
    STANDARD = "standard"  # 标准
    PRODUCT = "product"  # 产品（新品种、新药、装备……）
    REPORT = "report"  # 研究或咨询报告
    TRANSFORMED_ACHIEVEMENT = "transformed_achievement"  # 转化的成果


WORK_KIND_NAMES: dict[str, tuple[str, str]] = {
    WorkKind.PAPER: ("论文", "paper"),
    WorkKind.PATENT: ("专利", "patent"),
    WorkKind.STANDARD: ("标准", "standard"),
    WorkKind.PRODUCT: ("产品", "product"),
    WorkKind.REPORT: ("报告", "report"),
    WorkKind.TRANSFORMED_ACHIEVEMENT: ("转化成果", "transformed achievement"),
}


@dataclass(frozen=True)
class EvidenceRules:
    """``max_works`` 5 (TAL-1, **configurable** per programme), ``min_works`` 1, ``kinds`` every kind."""

    max_works: int = 5
    min_works: int = 1
    kinds: tuple[str, ...] = tuple(k.value for k in WorkKind)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(self.kinds))
        errors = []
        if not 0 <= self.min_works <= self.max_works or self.max_works < 1:
            errors.append(
                field_error(
                    "evidence.max_works",
                    "out_of_range",
                    "代表作数量上限至少为 1，且不小于下限",
                    "max_works must be at least 1 and not below min_works",
                )
            )
        unknown = sorted(set(self.kinds) - {k.value for k in WorkKind})
        if unknown or not self.kinds:
            errors.append(
                field_error(
                    "evidence.kinds",
                    "unknown_kind",
                    "代表作类型须为 " + "、".join(WorkKind),
                    "the kinds must be some of " + ", ".join(WorkKind),
                )
            )
        if errors:
            raise InvalidProgrammeRules(
                "代表作规则参数无效（TAL-1）。",
                "The representative-work figures are not valid (TAL-1).",
                errors,
                clause=CLAUSE,
            )


EVIDENCE = EvidenceRules()


@dataclass(frozen=True, slots=True)
class RepresentativeWork:
    kind: str  # a ``WorkKind`` value
    title: str
    own_contribution: str  # 本人贡献: what the applicant did, in their words


def works_problems(works: Sequence[RepresentativeWork], rules: EvidenceRules = EVIDENCE) -> list[dict[str, str]]:
    """TAL-1: what is wrong with the works, as ``field_error`` entries; empty when they qualify."""
    errors: list[dict[str, str]] = []
    if len(works) > rules.max_works:
        errors.append(
            field_error(
                "works",
                "too_many_works",
                f"代表作 {len(works)} 项，至多 {rules.max_works} 项（TAL-1）",
                f"{len(works)} works, at most {rules.max_works} (TAL-1)",
            )
        )
    if len(works) < rules.min_works:
        errors.append(
            field_error(
                "works",
                "too_few_works",
                f"至少提交 {rules.min_works} 项代表作（TAL-1）",
                f"give at least {rules.min_works} work(s) (TAL-1)",
            )
        )
    for i, work in enumerate(works):
        if work.kind not in rules.kinds:
            errors.append(
                field_error(
                    f"works[{i}].kind",
                    "kind_not_allowed",
                    "本计划受理的代表作类型：" + "、".join(WORK_KIND_NAMES[k][0] for k in rules.kinds),
                    "this programme takes works of kinds " + ", ".join(rules.kinds),
                )
            )
        if not work.title.strip():
            errors.append(field_error(f"works[{i}].title", "required", "代表作名称不能为空", "the title is required"))
        if not work.own_contribution.strip():
            errors.append(
                field_error(
                    f"works[{i}].own_contribution",
                    "own_contribution_required",
                    "须写明本人在该成果中的贡献（TAL-1）",
                    "state your own contribution to the work (TAL-1)",
                )
            )
    return errors


def check_representative_works(works: Sequence[RepresentativeWork], rules: EvidenceRules = EVIDENCE) -> None:
    """TAL-1: at most ``max_works`` works of the admitted kinds, each with the applicant's contribution."""
    errors = works_problems(works, rules)
    if errors:
        raise InvalidRepresentativeWorks(
            "代表作不符合规定（TAL-1）：" + "；".join(e["message_zh"] for e in errors),
            "The representative works break TAL-1: " + "; ".join(e["message_en"] for e in errors),
            errors,
            clause=CLAUSE,
            max_works=rules.max_works,
            allowed_kinds=list(rules.kinds),
        )
