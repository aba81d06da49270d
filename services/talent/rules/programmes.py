"""A talent programme's figures in one place: each is a documented default of its own module, and a
programme (or a call of it) overrides any of them with ``dataclasses.replace``.

* TAL-1 ``indicators`` (the programme's own system, no default), ``evidence`` (at most 5 works) and
  ``scoring`` (3 experts to rank, the plain mean);
* TAL-2 ``level`` (the programme's level code, compared as given);
* TAL-3 ``tenure`` (3 years, tranche shares, final evaluation);
* TAL-4 ``age_limit`` (none by default; ``YOUNG_TALENT_AGE_LIMIT`` 35 men / 40 women) on ``age_reference``
  (None: 1 January of the call's year);
* TAL-5 ``notice_working_days`` (5, within 1..30).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.talent.errors import InvalidProgrammeRules
from services.talent.rules.age import NO_AGE_LIMIT, AgeLimit, reference_date
from services.talent.rules.evidence import EVIDENCE, EvidenceRules
from services.talent.rules.indicators import SCORING, IndicatorSystem, ScoringRules
from services.talent.rules.notices import PROPOSED_LIST
from services.talent.rules.tenure import TENURE, TenureRules
from shared.errors import field_error


@dataclass(frozen=True)
class ProgrammeRules:
    level: str
    indicators: IndicatorSystem | None = None
    evidence: EvidenceRules = EVIDENCE
    scoring: ScoringRules = SCORING
    tenure: TenureRules = TENURE
    age_limit: AgeLimit = NO_AGE_LIMIT
    age_reference: date | None = None
    notice_working_days: int = PROPOSED_LIST.working_days

    def __post_init__(self) -> None:
        errors = []
        if not self.level.strip():
            errors.append(field_error("level", "required", "须给出计划层次（TAL-2）", "the level is required (TAL-2)"))
        if not PROPOSED_LIST.min_days <= self.notice_working_days <= PROPOSED_LIST.max_days:
            errors.append(
                field_error(
                    "notice_working_days",
                    "out_of_range",
                    f"公示期应为 {PROPOSED_LIST.min_days} 至 {PROPOSED_LIST.max_days} 个工作日（TAL-5）",
                    f"between {PROPOSED_LIST.min_days} and {PROPOSED_LIST.max_days} working days (TAL-5)",
                )
            )
        if errors:
            clause = "TAL-5" if errors[-1]["field"] == "notice_working_days" else "TAL-2"
            raise InvalidProgrammeRules(
                f"人才计划参数无效（{clause}）。",
                f"The programme's figures are not valid ({clause}).",
                errors,
                clause=clause,
            )

    def age_reference_date(self, call_year: int) -> date:
        """TAL-4: the day ages are counted on for a call of ``call_year``."""
        return reference_date(call_year, self.age_reference)
