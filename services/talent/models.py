"""Every table of the talent service, imported in one place for Alembic."""

from services.talent.db import Base, common

__all__ = ["Base", "common"]
