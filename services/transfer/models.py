"""Every table of the transfer service, imported in one place for Alembic."""

from services.transfer.db import Base, common

__all__ = ["Base", "common"]
