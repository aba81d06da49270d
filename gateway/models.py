"""Every table of the gateway, imported in one place for Alembic."""

from gateway.db import Base, common

__all__ = ["Base", "common"]
