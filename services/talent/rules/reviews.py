"""Expert review of talent applications as data (NSF-2 to NSF-4 with TAL-1), and an application as the
draw sees it.

* The review form of a round is its programme's indicator system (TAL-1): each indicator is scored 0 to
  100 with its weight, and a comment on each is needed to submit ("每项指标打分并填写评语"); no grade and
  no funding opinion (``graded`` off). An expert's score is the weighted sum, the application's the mean
  over its valid reviews (``rules.indicators``, ``shared.review.aggregate``).
* Defaults (a round may set its own, within the shared bounds): 3 experts per application (NSF-2), at most
  20 applications per expert, experts of the applicant's organisation excluded (NSF-3), 3 valid reviews to
  rank (NSF-4), the plain mean (``rules.indicators.SCORING``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.talent.rules.indicators import SCORING, IndicatorSystem
from shared.review.form import ReviewForm, RoundDefaults
from shared.review.model import Application as DrawApplication
from shared.subject_keys import organisation_key

REVIEWERS_PER_APPLICATION = 3


def review_form(system: IndicatorSystem) -> ReviewForm:
    """TAL-1: the programme's indicators as a round's form, a comment required on each."""
    return ReviewForm(tuple(replace(c, comment_required=True) for c in system.form.criteria), graded=False)


def defaults(system: IndicatorSystem) -> RoundDefaults:
    return RoundDefaults(
        form=review_form(system),
        reviewers_per_application=REVIEWERS_PER_APPLICATION,
        load_cap=20,
        exclude_same_institution=True,
        min_valid=SCORING.min_valid,
        trim_from=SCORING.trim_from,
    )


def institution_key(org_uscc: str | None, org_id: int, secret: str) -> str:
    """The host organisation as the conflict rules compare it: the subject key of its USCC, as the pool
    keys its reviewers' organisations; an organisation registered without one gets a key of its own that
    no reviewer shares (nothing to compare it with)."""
    if org_uscc:
        return organisation_key(org_uscc, secret)
    return f"talent-org-{org_id}"


def to_draw_application(app: Any, *, reviewers_needed: int, secret: str) -> DrawApplication:
    """A talent application as the conflict and assignment rules see it (NSF-2, NSF-3): the applicant by the
    subject key of their ID number (kept with the application), the host organisation by its USCC's key, the
    one discipline code; team members are named without ID numbers, so only the applicant is excluded as a
    person."""
    return DrawApplication(
        id=str(app.id),
        applicant_key=app.person_key,
        institution_key=institution_key(app.org_uscc, app.org_id, secret),
        disciplines=(app.discipline_code,),
        reviewers_needed=reviewers_needed,
    )
