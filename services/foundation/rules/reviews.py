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

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shared.clients.reviewers import DISCIPLINE_PREFIX_RE
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

# The candidates endpoint of the pool takes at most this many prefixes.
MAX_POOL_PREFIXES = 10
# A discipline code's first level below the section (``F02`` of ``F0203``): the pool a draw reads
# for an application reaches its partial matches (NSF-2 candidates by discipline prefix).
POOL_PREFIX_LENGTH = 3
_SECTION_RE = re.compile(r"^[A-Z]")


def cover_prefixes(prefixes: Iterable[str], limit: int = MAX_POOL_PREFIXES) -> list[str]:
    """The fewest prefixes reading the same reviewers: a prefix under a shorter one goes. Over
    ``limit``, the section letters (``F`` for ``F02``) are read instead, a superset."""
    wanted = sorted({p for p in prefixes if DISCIPLINE_PREFIX_RE.fullmatch(p)}, key=lambda p: (len(p), p))
    kept: list[str] = []
    for p in wanted:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    if len(kept) > limit:
        kept = sorted({p[0] for p in kept})
    return sorted(kept)


def pool_prefixes(
    round_prefixes: Sequence[str], plan_codes: Sequence[str], application_codes: Iterable[str]
) -> list[str]:
    """The pool a round reads: its own prefixes when it has them; otherwise the plan's discipline
    codes and each application's code down to ``POOL_PREFIX_LENGTH`` (so an application whose code
    the plan does not list still finds reviewers of its discipline)."""
    if round_prefixes:
        return cover_prefixes(round_prefixes)
    codes = [c[:POOL_PREFIX_LENGTH] for c in application_codes if _SECTION_RE.match(c)]
    return cover_prefixes([*plan_codes, *codes])


def in_prefixes(code: str, prefixes: Sequence[str]) -> bool:
    """Does an application's discipline fall in the round (no prefixes: every discipline)?"""
    return not prefixes or any(code.upper().startswith(p) for p in prefixes)


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
