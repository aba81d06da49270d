"""Every table of the foreign_experts service, imported in one place for Alembic."""

from services.foreign_experts.db import Base, common

__all__ = ["Base", "common"]
