"""Every table of the gateway, imported in one place for Alembic."""

from gateway.accounts.models import ApiKey, LoginFailure, Organization, User
from gateway.db import Base, common

__all__ = ["ApiKey", "Base", "LoginFailure", "Organization", "User", "common"]
