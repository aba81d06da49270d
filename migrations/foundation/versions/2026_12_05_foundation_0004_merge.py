"""merge approvals and notices (foundation_0003_approvals) with funded projects (foundation_0003_funded)

Revision ID: foundation_0004
Revises: foundation_0003_approvals, foundation_0003_funded
Create Date: 2026-12-05 12:00:00
"""
from collections.abc import Sequence

revision: str = "foundation_0004"
down_revision: str | Sequence[str] | None = ("foundation_0003_approvals", "foundation_0003_funded")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
