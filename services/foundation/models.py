"""Every table of the foundation service, imported in one place for Alembic."""

from services.foundation.db import Base, common

__all__ = ["Base", "common"]
