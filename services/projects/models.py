"""Every table of the projects service, imported in one place for Alembic."""

from services.projects.applications.models import Application
from services.projects.approvals.models import ApprovalItem, ApprovalList
from services.projects.calls.models import Call, CallTopic
from services.projects.challenges.models import BidPromise, ChallengeBid, ChallengeIndicator, ChallengeList
from services.projects.contracts.models import Contract, ContractMilestone, ContractTranche
from services.projects.db import Base, common
from services.projects.integrity.models import IntegrityRecord
from services.projects.ledger.models import LedgerItem, LedgerLimit
from services.projects.notices.models import NoticeEntry, NoticeObjection, PublicNotice
from services.projects.pledges.models import Pledge, PledgeConsequence, PledgeMilestone
from services.projects.programmes.models import Programme, ProgrammeAgency
from services.projects.review_rounds.models import (
    Review,
    ReviewAssignment,
    ReviewExclusion,
    ReviewRound,
    ReviewRoundInput,
)
from services.projects.reviewers.models import (
    Reviewer,
    ReviewerConflict,
    ReviewerDiscipline,
    ReviewerKeyword,
    ReviewerLoad,
)
from services.projects.screening.models import ScreenedDocument, ScreeningFlag

__all__ = [
    "Application",
    "ApprovalItem",
    "ApprovalList",
    "Base",
    "BidPromise",
    "Call",
    "CallTopic",
    "ChallengeBid",
    "ChallengeIndicator",
    "ChallengeList",
    "Contract",
    "ContractMilestone",
    "ContractTranche",
    "IntegrityRecord",
    "LedgerItem",
    "LedgerLimit",
    "NoticeEntry",
    "NoticeObjection",
    "Pledge",
    "PledgeConsequence",
    "PledgeMilestone",
    "Programme",
    "ProgrammeAgency",
    "PublicNotice",
    "Review",
    "ReviewAssignment",
    "ReviewExclusion",
    "ReviewRound",
    "ReviewRoundInput",
    "Reviewer",
    "ReviewerConflict",
    "ReviewerDiscipline",
    "ReviewerKeyword",
    "ReviewerLoad",
    "ScreenedDocument",
    "ScreeningFlag",
    "common",
]
