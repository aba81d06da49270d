"""The projects service's review rounds as data (NSF-2 to NSF-4; every figure is a documented default a
round may set for itself when it is created):

* reviewers per application 3, and 5 for a round of the ``key`` category (NSF-2);
* at most 20 applications per reviewer, the load other rounds and services report included;
* reviewers of the applicant's (or a team member's) institution excluded (NSF-3, on);
* the review form: innovation 30 %, feasibility 30 %, team and foundation 20 %, expected benefit 20 %,
  each scored 0-100, plus a grade and a funding opinion (NSF-4); a review's value is the weighted
  mean of the scores;
* the trimmed mean (highest and lowest dropped) from 5 valid reviews on; 3 valid reviews to rank (NSF-4).
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from shared.review.form import FormCriterion, ReviewForm, RoundDefaults

CATEGORIES = ("general", "key")
# A discipline code's first level below the section (``F02`` of ``F0203``): the pool a round reads
# reaches the partial matches of its codes.
POOL_PREFIX_LENGTH = 3

FORM = ReviewForm(
    criteria=(
        FormCriterion("innovation", "创新性", "Innovation", Decimal("0.3")),
        FormCriterion("feasibility", "可行性", "Feasibility", Decimal("0.3")),
        FormCriterion("team", "研究基础与团队", "Preliminary work and team", Decimal("0.2")),
        FormCriterion("benefit", "预期效益", "Expected benefit", Decimal("0.2")),
    ),
    graded=True,
)

DEFAULTS = RoundDefaults(
    form=FORM,
    reviewers_per_application=3,
    reviewers_per_category=MappingProxyType({"key": 5}),
    load_cap=20,
    exclude_same_institution=True,
    min_valid=3,
    trim_from=5,
)
