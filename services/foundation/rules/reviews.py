"""The foundation's review rounds as data (NSF-2 to NSF-4), and an application as the draw sees it.

Defaults (each round may set its own when created; figures the department may change, docs/domain-rules.md):

* reviewers per application: the category's ``reviewers_per_application`` (NSF-2: 3, 5 for key);
* at most 20 applications per reviewer, the load other rounds and services report included;
* reviewers of the applicant's (or a team member's) institution excluded (NSF-3, configurable);
* 3 valid reviews to rank (NSF-4), never more than the reviewers per application; the score is the
  plain mean (NSF-4 says "the mean": nothing is trimmed).

The review form (评审要点) is the committee's: a grade A-D and a funding opinion (NSF-4) with comments
on innovation, feasibility, preliminary work and the team, and an overall assessment a review needs
to be submitted. Changing the form is a change of this table, never of the code that checks it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from shared.review.disciplines import cover_prefixes, in_prefixes, pool_prefixes
from shared.review.form import COMMENT_OVERALL, FormCriterion, ReviewForm, RoundDefaults
from shared.review.model import Application as DrawApplication
from shared.review.schemas import declaration_keys
from shared.subject_keys import organisation_key, person_key

FORM = ReviewForm(
    criteria=(
        FormCriterion("innovation", "创新性", "Innovation"),
        FormCriterion("feasibility", "研究方案可行性", "Feasibility of the research plan"),
        FormCriterion("foundation", "研究基础", "Preliminary work"),
        FormCriterion("team", "研究团队", "Research team"),
        FormCriterion(COMMENT_OVERALL, "综合评价", "Overall assessment", comment_required=True),
    ),
    graded=True,
)
DEFAULTS = RoundDefaults(form=FORM, load_cap=20, exclude_same_institution=True, min_valid=3, trim_from=None)

# Which part of the pool a round reads: shared with the talent service (``shared.review.disciplines``).
__all__ = ["DEFAULTS", "FORM", "cover_prefixes", "fold_keyword", "in_prefixes", "pool_prefixes", "to_draw_application"]


def fold_keyword(value: str) -> str:
    """Keywords as the pool stores them (full-width folded, spaces collapsed) and case-folded: the
    draw compares them for NSF-2 subject groups."""
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def to_draw_application(app: Any, *, category_kind: str, reviewers_needed: int, secret: str) -> DrawApplication:
    """A foundation application as the conflict and assignment rules see it (NSF-2, NSF-3): the
    applicant and the team as person keys, the host institution and the team's as organisation keys,
    the applicant's exclusions (at most 3) and declared relations as person keys; its one
    discipline code; case-folded keywords; the category's number of reviewers."""
    team: Sequence[Mapping[str, Any]] = app.team or []
    return DrawApplication(
        id=str(app.id),
        applicant_key=person_key(app.applicant_id_number, secret),
        institution_key=organisation_key(app.institution_uscc, secret),
        team_keys=tuple(person_key(m["id_number"], secret) for m in team if m.get("id_number")),
        team_institution_keys=tuple(organisation_key(m["org_uscc"], secret) for m in team if m.get("org_uscc")),
        disciplines=(app.discipline_code,),
        keywords=frozenset(fold_keyword(k) for k in app.keywords or ()),
        exclusions=declaration_keys(app.exclusions, secret),
        declared_persons=frozenset(declaration_keys(app.relations, secret)),
        category=category_kind,
        reviewers_needed=reviewers_needed,
    )
