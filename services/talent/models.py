"""Every table of the talent service, imported in one place for Alembic."""

from services.talent.applications.models import TalentApplication
from services.talent.award_cycles.models import AwardCycle
from services.talent.calls.models import TalentCall
from services.talent.db import Base, common
from services.talent.national.models import NationalNomination, NationalQuota
from services.talent.nominations.models import AwardPanel, Nomination, NominationPerson, PanelAssignment
from services.talent.nominators.models import Nominator
from services.talent.notices.models import TalentNotice
from services.talent.programmes.models import Programme

__all__ = [
    "AwardCycle",
    "AwardPanel",
    "Base",
    "NationalNomination",
    "NationalQuota",
    "Nomination",
    "NominationPerson",
    "Nominator",
    "PanelAssignment",
    "Programme",
    "TalentApplication",
    "TalentCall",
    "TalentNotice",
    "common",
]
