"""Every table of the projects service, imported in one place for Alembic."""

from services.projects.db import Base, common
from services.projects.integrity.models import IntegrityRecord
from services.projects.ledger.models import LedgerItem, LedgerLimit

__all__ = ["Base", "IntegrityRecord", "LedgerItem", "LedgerLimit", "common"]
