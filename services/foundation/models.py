"""Every table of the foundation service, imported in one place for Alembic."""

from services.foundation.applications.models import FoundationApplication
from services.foundation.approvals import models as approvals_models  # noqa: F401  (its tables)
from services.foundation.db import Base, common
from services.foundation.funded.models import AnnualReport, Disbursement, FinalReport  # noqa: F401
from services.foundation.notices import models as notices_models  # noqa: F401  (its tables)
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from services.foundation.review_rounds.models import (
    Review,
    ReviewAssignment,
    ReviewExclusion,
    ReviewRound,
    ReviewRoundInput,
)

__all__ = [
    "Base",
    "FoundationApplication",
    "FundingPlan",
    "PlanAgency",
    "PlanCategory",
    "Review",
    "ReviewAssignment",
    "ReviewExclusion",
    "ReviewRound",
    "ReviewRoundInput",
    "common",
]
