"""Every table of the projects service, imported in one place for Alembic."""

from services.projects.db import Base, common

__all__ = ["Base", "common"]
