"""Every table of the foreign_experts service, imported in one place for Alembic."""

from services.foreign_experts.applications.models import ClockPause, PermitApplication
from services.foreign_experts.calls.models import FundingCall
from services.foreign_experts.db import Base, common
from services.foreign_experts.employers.models import Employer
from services.foreign_experts.foreigners.models import Foreigner, ForeignerPassport
from services.foreign_experts.parameters.models import YearParameterRow
from services.foreign_experts.permits.models import Permit, PermitChange, PermitSerial, Verification
from services.foreign_experts.programmes.models import ProgrammeApplication, ProgrammeReview
from services.foreign_experts.training.models import TrainingApplication

__all__ = [
    "Base",
    "ClockPause",
    "Employer",
    "Foreigner",
    "ForeignerPassport",
    "FundingCall",
    "Permit",
    "PermitApplication",
    "PermitChange",
    "PermitSerial",
    "ProgrammeApplication",
    "ProgrammeReview",
    "TrainingApplication",
    "Verification",
    "YearParameterRow",
    "common",
]
