"""merge the branches that landed side by side: integrity and ledger, screening, programmes, calls
and applications, reviewers, challenges

Revision ID: projects_0007
Revises: projects_0002, projects_0003, projects_0004, projects_0005, projects_0006
Create Date: 2026-11-26 14:40:00
"""
from collections.abc import Sequence

revision: str = "projects_0007"
down_revision: str | Sequence[str] | None = (
    "projects_0002",
    "projects_0003",
    "projects_0004",
    "projects_0005",
    "projects_0006",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
