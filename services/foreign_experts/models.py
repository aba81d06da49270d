"""Every table of the foreign_experts service, imported in one place for Alembic."""

from services.foreign_experts.applications.models import ClockPause, PermitApplication
from services.foreign_experts.db import Base, common
from services.foreign_experts.employers.models import Employer
from services.foreign_experts.foreigners.models import Foreigner, ForeignerPassport
from services.foreign_experts.parameters.models import YearParameterRow
from services.foreign_experts.permits.models import Permit, PermitChange, PermitSerial, Verification

__all__ = [
    "Base",
    "ClockPause",
    "Employer",
    "Foreigner",
    "ForeignerPassport",
    "Permit",
    "PermitApplication",
    "PermitChange",
    "PermitSerial",
    "Verification",
    "YearParameterRow",
    "common",
]
