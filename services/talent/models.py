"""Every table of the talent service, imported in one place for Alembic."""

from services.talent.applications.models import TalentApplication
from services.talent.award_cycles.models import AwardCycle
from services.talent.calls.models import TalentCall
from services.talent.committee.models import Ballot, Committee, Tally
from services.talent.db import Base, common
from services.talent.national.models import NationalNomination, NationalQuota
from services.talent.nominations.models import AwardPanel, Nomination, NominationPerson, PanelAssignment
from services.talent.nominators.models import Nominator
from services.talent.notices.models import TalentNotice
from services.talent.programmes.models import Programme
from services.talent.review_rounds.models import ReviewRound
from services.talent.tenure.models import Assessment, Tenure, Tranche

__all__ = [
    "Assessment",
    "AwardCycle",
    "AwardPanel",
    "Ballot",
    "Base",
    "Committee",
    "NationalNomination",
    "NationalQuota",
    "Nomination",
    "NominationPerson",
    "Nominator",
    "PanelAssignment",
    "Programme",
    "ReviewRound",
    "TalentApplication",
    "TalentCall",
    "TalentNotice",
    "Tally",
    "Tenure",
    "Tranche",
    "common",
]
