"""merge review rounds (projects_0008) with approvals, notices and contracts (projects_0009)

Revision ID: projects_0010
Revises: projects_0008, projects_0009
Create Date: 2026-11-26 15:00:00
"""
from collections.abc import Sequence

revision: str = "projects_0010"
down_revision: str | Sequence[str] | None = ("projects_0008", "projects_0009")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
