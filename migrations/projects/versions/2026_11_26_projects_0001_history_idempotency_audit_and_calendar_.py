"""history, idempotency, audit and calendar tables

Revision ID: projects_0001
Revises: 
Create Date: 2026-11-26 13:28:04.898423
"""
from collections.abc import Sequence

from shared.db.common_migrations import downgrade_common_v1, upgrade_common_v1


revision: str = 'projects_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_common_v1()


def downgrade() -> None:
    downgrade_common_v1()
