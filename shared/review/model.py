"""Inputs of a review draw as frozen dataclasses (NSF-2, NSF-3), and the errors bad input raises.

People are known only by a *person key* (a keyed hash of the ID number, never the number) and
institutions by their USCC (or a key derived from it): the rules compare keys, nothing else.
Discipline codes are hierarchical (``F0203``: department ``F``, discipline ``F02``, sub-discipline
``F0203``); two codes that share the first ``RoundSettings.prefix_length`` characters are a partial
match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import cast

from shared.errors import BadRequest, Conflict

# NSF-3: "up to 3 people the applicant asks to exclude" (not marked configurable in docs/domain-rules.md).
MAX_APPLICANT_EXCLUSIONS = 3


class ReviewInputError(BadRequest):
    code = "invalid_review_input"
    title_zh = "评审分配的输入无效"
    title_en = "Invalid input for the reviewer draw"


class TooManyExclusions(ReviewInputError):
    code = "too_many_exclusions"
    title_zh = "申请人要求回避的专家超过上限"
    title_en = "The applicant asked to exclude too many reviewers"


class DuplicateReviewInput(ReviewInputError):
    code = "duplicate_review_input"
    title_zh = "评审分配的输入中有重复的编号"
    title_en = "The same id appears twice in the reviewer draw's input"


class SlotNotAssigned(Conflict):
    code = "review_slot_not_assigned"
    title_zh = "该专家未被分配到此申请"
    title_en = "The reviewer is not assigned to this application"


class Match(IntEnum):
    """Discipline match between a reviewer and an application, best first (lower is better)."""

    EXACT = 0
    PREFIX = 1
    NONE = 2


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip().upper() for v in values if v and v.strip()))


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A reviewer candidate from the pool (专家库)."""

    id: str
    person_key: str
    institution_key: str
    disciplines: tuple[str, ...] = ()
    keywords: frozenset[str] = frozenset()
    # Conflicts the reviewer declared: relatives, co-authors, collaborators, and institutions.
    declared_persons: frozenset[str] = frozenset()
    declared_institutions: frozenset[str] = frozenset()
    available: bool = True
    active: bool = True
    # Assignments the reviewer already holds (other rounds of the same period) that count to the cap.
    load: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "disciplines", _codes(self.disciplines))
        object.__setattr__(self, "keywords", frozenset(self.keywords))
        object.__setattr__(self, "declared_persons", frozenset(self.declared_persons))
        object.__setattr__(self, "declared_institutions", frozenset(self.declared_institutions))
        if not self.id:
            raise ReviewInputError("专家编号不能为空", "A reviewer needs an id")
        if self.load < 0:
            raise ReviewInputError("专家已有任务数不能为负数", "A reviewer's existing load cannot be negative")

    @property
    def eligible(self) -> bool:
        return self.available and self.active


@dataclass(frozen=True, slots=True)
class Application:
    """An application to review: who is behind it, what it is about, whom it wants excluded."""

    id: str
    applicant_key: str
    institution_key: str
    team_keys: tuple[str, ...] = ()
    team_institution_keys: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    keywords: frozenset[str] = frozenset()
    # NSF-3: at most MAX_APPLICANT_EXCLUSIONS person keys the applicant asks to exclude.
    exclusions: tuple[str, ...] = ()
    # NSF-3: relatives, co-authors, collaborators declared from the applicant's side.
    declared_persons: frozenset[str] = frozenset()
    # Category (e.g. "key" for key projects) chooses the number of reviewers (NSF-2).
    category: str = ""
    # An explicit number of reviewers overrides the category's.
    reviewers_needed: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "team_keys", tuple(self.team_keys))
        object.__setattr__(self, "team_institution_keys", tuple(self.team_institution_keys))
        object.__setattr__(self, "disciplines", _codes(self.disciplines))
        object.__setattr__(self, "keywords", frozenset(self.keywords))
        object.__setattr__(self, "exclusions", tuple(dict.fromkeys(self.exclusions)))
        object.__setattr__(self, "declared_persons", frozenset(self.declared_persons))
        if not self.id:
            raise ReviewInputError("申请编号不能为空", "An application needs an id")
        if len(self.exclusions) > MAX_APPLICANT_EXCLUSIONS:
            raise TooManyExclusions(
                f"申请 {self.id} 要求回避 {len(self.exclusions)} 人，最多 {MAX_APPLICANT_EXCLUSIONS} 人",
                f"Application {self.id} asks to exclude {len(self.exclusions)} people; "
                f"at most {MAX_APPLICANT_EXCLUSIONS} are allowed",
                extra={"application_id": self.id, "limit": MAX_APPLICANT_EXCLUSIONS},
            )
        if self.reviewers_needed is not None and self.reviewers_needed < 1:
            raise ReviewInputError("每份申请至少需要 1 名评审专家", "An application needs at least 1 reviewer")


def _frozen(mapping: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class RoundSettings:
    """Settings of one review round. Every figure is a documented default an official may change.

    * ``reviewers_per_application`` (NSF-2, default 3) and ``reviewers_per_category`` (NSF-2: 5 for
      ``"key"`` projects) give each application's number of reviewers;
    * ``load_cap``: most applications one reviewer holds, existing load included;
    * ``exclude_same_institution`` (NSF-3, default on);
    * ``prefix_length``: characters two discipline codes share for a partial match (``F02``);
    * costs of the objective, in integer units: ``match_costs`` per ``Match`` level, and
      ``load_step_cost`` x (n - 1) for a reviewer's n-th application (convex: spreads the load);
    * ``perturbation``: seeded noise in [0, perturbation) added to each candidate's cost (randomness
      within the constraints; small against ``load_step_cost`` so it mostly breaks ties);
    * ``group_bonus``: cost taken off when a reviewer of an application's subject group panel is
      chosen (NSF-2: similar subjects go to the same reviewer group): at 2 x ``load_step_cost`` a
      panel member may carry about 2 applications more than the rest of the pool; ``group_keyword_overlap`` is
      the keyword Jaccard similarity for two applications of one discipline to share a group,
      ``group_max_size`` its largest size, ``group_panel_extra`` the panel size above k;
    * ``candidates_per_application``: subject-matched candidates each application gets in the flow
      graph; ``fallback_candidates``: unrelated ones added when fewer subject-matched exist.
    """

    reviewers_per_application: int = 3
    reviewers_per_category: Mapping[str, int] = field(default_factory=lambda: _frozen({"key": 5}))
    load_cap: int = 20
    exclude_same_institution: bool = True
    prefix_length: int = 3
    match_costs: tuple[int, int, int] = (0, 30_000, 100_000)
    load_step_cost: int = 1_000
    perturbation: int = 100
    group_bonus: int = 2_000
    group_keyword_overlap: float = 0.25
    group_max_size: int = 12
    group_panel_extra: int = 2
    candidates_per_application: int = 30
    fallback_candidates: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "reviewers_per_category", _frozen(self.reviewers_per_category))
        object.__setattr__(self, "match_costs", tuple(self.match_costs))
        numbers = {
            "reviewers_per_application": self.reviewers_per_application,
            "load_cap": self.load_cap,
            "prefix_length": self.prefix_length,
            "candidates_per_application": self.candidates_per_application,
            "group_max_size": self.group_max_size,
            **{f"reviewers_per_category.{k}": v for k, v in self.reviewers_per_category.items()},
        }
        for name, value in numbers.items():
            if value < 1:
                raise ReviewInputError(f"评审轮次设置 {name} 必须为正整数", f"Round setting {name} must be positive")
        costs = (
            *self.match_costs,
            self.load_step_cost,
            self.perturbation,
            self.group_bonus,
            self.fallback_candidates,
            self.group_panel_extra,
        )
        if len(self.match_costs) != 3 or any(c < 0 for c in costs):
            raise ReviewInputError("评审轮次的成本设置无效", "Round cost settings must be non-negative")
        if not 0 <= self.group_keyword_overlap <= 1:
            raise ReviewInputError("关键词相似度阈值须在 0 到 1 之间", "group_keyword_overlap must lie in [0, 1]")

    def reviewers_for(self, application: Application) -> int:
        """NSF-2: the application's own number, else its category's, else the round's default."""
        if application.reviewers_needed is not None:
            return application.reviewers_needed
        return self.reviewers_per_category.get(application.category, self.reviewers_per_application)

    def as_dict(self) -> dict[str, object]:
        """Canonical, JSON-ready form (recorded with every draw)."""
        return {
            "reviewers_per_application": self.reviewers_per_application,
            "reviewers_per_category": dict(sorted(self.reviewers_per_category.items())),
            "load_cap": self.load_cap,
            "exclude_same_institution": self.exclude_same_institution,
            "prefix_length": self.prefix_length,
            "match_costs": list(self.match_costs),
            "load_step_cost": self.load_step_cost,
            "perturbation": self.perturbation,
            "group_bonus": self.group_bonus,
            "group_keyword_overlap": self.group_keyword_overlap,
            "group_max_size": self.group_max_size,
            "group_panel_extra": self.group_panel_extra,
            "candidates_per_application": self.candidates_per_application,
            "fallback_candidates": self.fallback_candidates,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RoundSettings:
        values = dict(data)
        if "match_costs" in values:
            values["match_costs"] = tuple(cast(Iterable[int], values["match_costs"]))
        return cls(**values)  # type: ignore[arg-type]


def match_level(reviewer_codes: Iterable[str], application_codes: Iterable[str], prefix_length: int) -> Match:
    """Best match between two lists of discipline codes: the same code, a shared prefix, or none."""
    mine = set(reviewer_codes)
    theirs = tuple(application_codes)
    if mine.intersection(theirs):
        return Match.EXACT
    prefixes = {c[:prefix_length] for c in mine if len(c) >= prefix_length}
    if any(len(c) >= prefix_length and c[:prefix_length] in prefixes for c in theirs):
        return Match.PREFIX
    return Match.NONE
