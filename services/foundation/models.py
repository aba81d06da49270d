"""Every table of the foundation service, imported in one place for Alembic."""

from services.foundation.applications.models import FoundationApplication
from services.foundation.db import Base, common
from services.foundation.plans.models import FundingPlan, PlanAgency, PlanCategory
from services.foundation.review.models import Review, ReviewAssignment, ReviewExclusion, ReviewRound, ReviewRoundInput

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
