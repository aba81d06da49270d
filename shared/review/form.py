"""A review form (评审表) as data: what a reviewer scores and comments on, and how the reviews of an
application are aggregated (NSF-4; TAL-1 for talent programmes' indicators).

* ``criteria``: each with a code, its names, a ``weight`` when it is scored (0..``max_score``) and
  whether a comment on it is needed to submit. With weighted criteria a review's value is their
  weighted mean (``shared.review.aggregate``); without, it is the grade and opinion points.
* ``graded``: the review gives a grade A-D and a funding opinion (NSF-4). A form without grades
  needs weighted criteria (the talent programmes' indicator scores).
* A comment may always be keyed ``overall``; a form makes it required by listing an ``overall``
  criterion with ``comment_required``.

Changing a form is a change of data (a service's default, or a round's own), never of the code that
checks a review against it. A round stores its form as JSON (``as_json``/``from_json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from shared.errors import field_error
from shared.review.aggregate import AggregationSettings, Criterion

COMMENT_OVERALL = "overall"
# ``trim_from`` beyond any number of reviews an application can have: the plain mean.
NO_TRIM = 2**31


@dataclass(frozen=True, slots=True)
class FormCriterion:
    code: str
    name: str  # Chinese first
    name_en: str | None = None
    weight: Decimal | None = None  # None: commented on, not scored
    max_score: Decimal = Decimal(100)
    comment_required: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "weight": None if self.weight is None else str(self.weight),
            "max_score": str(self.max_score),
            "comment_required": self.comment_required,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FormCriterion:
        weight = data.get("weight")
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            name_en=data.get("name_en"),
            weight=None if weight is None else Decimal(str(weight)),
            max_score=Decimal(str(data.get("max_score", 100))),
            comment_required=bool(data.get("comment_required", False)),
        )


@dataclass(frozen=True)
class ReviewForm:
    criteria: tuple[FormCriterion, ...] = ()
    graded: bool = True
    _codes: frozenset[str] = field(init=False, repr=False, compare=False)
    _scored: tuple[FormCriterion, ...] = field(init=False, repr=False, compare=False)
    _limits: Mapping[str, Decimal] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "_codes", frozenset(c.code for c in self.criteria))
        object.__setattr__(self, "_scored", tuple(c for c in self.criteria if c.weight is not None))
        object.__setattr__(self, "_limits", MappingProxyType({c.code: c.max_score for c in self._scored}))
        self.aggregation(min_valid=1)  # refuses a form that cannot be aggregated

    @property
    def scored(self) -> tuple[FormCriterion, ...]:
        return self._scored

    @property
    def limits(self) -> Mapping[str, Decimal]:
        """The scored criteria's maximum scores, by code."""
        return self._limits

    def aggregation(self, *, min_valid: int, trim_from: int | None = None) -> AggregationSettings:
        return AggregationSettings(
            criteria=tuple(Criterion(c.code, c.weight, c.max_score) for c in self.scored if c.weight is not None),
            graded=self.graded,
            trim_from=NO_TRIM if trim_from is None else trim_from,
            min_valid=min_valid,
        )

    def as_json(self) -> list[dict[str, Any]]:
        return [c.as_json() for c in self.criteria]

    @classmethod
    def from_json(cls, criteria: Iterable[Mapping[str, Any]], *, graded: bool) -> ReviewForm:
        return cls(tuple(FormCriterion.from_json(c) for c in criteria), graded=graded)

    def content_problems(
        self, scores: Mapping[str, Decimal], comments: Mapping[str, str], grade: str | None, opinion: str | None
    ) -> list[dict[str, str]]:
        """What a draft may not hold: scores of unknown or unscored criteria or out of range, comments
        keyed other than by a criterion or ``overall``, a grade or opinion on a form without them."""
        scored = self._limits
        errors: list[dict[str, str]] = []
        for code, score in scores.items():
            if code not in scored:
                errors.append(
                    field_error(
                        f"scores.{code}",
                        "unknown_criterion",
                        "不是本轮评审的计分指标；计分指标：" + ("、".join(scored) or "无"),
                        "not a scored criterion of this round: " + (", ".join(scored) or "none"),
                    )
                )
            elif not Decimal(0) <= score <= scored[code]:
                errors.append(
                    field_error(
                        f"scores.{code}",
                        "score_out_of_range",
                        f"应在 0 至 {scored[code]} 之间",
                        f"between 0 and {scored[code]}",
                    )
                )
        for code in comments:
            if code not in self._codes and code != COMMENT_OVERALL:
                errors.append(
                    field_error(
                        f"comments.{code}",
                        "unknown_criterion",
                        "应为本轮评审的指标代码或 overall",
                        "a criterion code of this round, or overall",
                    )
                )
        if not self.graded:
            errors += [
                field_error(name, "not_on_this_form", f"本轮评审不填写 {name}", "this round's reviews give no " + name)
                for name, value in (("grade", grade), ("opinion", opinion))
                if value is not None
            ]
        return errors

    def missing_to_submit(
        self, scores: Mapping[str, Any], comments: Mapping[str, str], grade: str | None, opinion: str | None
    ) -> list[str]:
        """The fields a review still lacks to be complete (NSF-4), as field paths; empty when complete."""
        missing = [n for n, v in (("grade", grade), ("opinion", opinion)) if self.graded and v is None]
        missing += [f"scores.{c.code}" for c in self.scored if c.code not in scores]
        missing += [
            f"comments.{c.code}"
            for c in self.criteria
            if c.comment_required and not (comments.get(c.code) or "").strip()
        ]
        return missing


@dataclass(frozen=True)
class RoundDefaults:
    """The documented defaults of a service's rounds (figures the department may change: docs/domain-rules.md); a round
    may set its own when created.

    * ``reviewers_per_application`` (NSF-2: 3) and ``reviewers_per_category`` (NSF-2: 5 for ``key``);
    * ``load_cap``: most applications one reviewer holds, the load other rounds and services report
      included;
    * ``exclude_same_institution`` (NSF-3, on);
    * ``min_valid`` valid reviews to rank (NSF-4: 3) and ``trim_from`` (None: the plain mean);
    * ``form``: the review form (``shared.review.form``)."""

    form: ReviewForm
    reviewers_per_application: int = 3
    reviewers_per_category: Mapping[str, int] = field(default_factory=dict)
    load_cap: int = 20
    exclude_same_institution: bool = True
    min_valid: int = 3
    trim_from: int | None = None
