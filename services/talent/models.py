"""Every table of the talent service, imported in one place for Alembic."""

from services.talent.applications.models import TalentApplication
from services.talent.calls.models import TalentCall
from services.talent.db import Base, common
from services.talent.notices.models import TalentNotice
from services.talent.programmes.models import Programme

__all__ = ["Base", "Programme", "TalentApplication", "TalentCall", "TalentNotice", "common"]
