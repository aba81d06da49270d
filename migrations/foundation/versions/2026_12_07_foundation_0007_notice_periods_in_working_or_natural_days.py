"""A notice's period in working or natural days, and an objector's contact sealed where the service says

Revision ID: foundation_0007
Revises: foundation_0006
Create Date: 2026-12-07 23:30:00.000000

The shared notices count a period in working days (CAL-1) or in natural days (CAL-2, the awards'
AW-3 notices): ``working_days`` becomes ``days`` beside ``day_count`` (every existing notice counted
working days). An objector's contact becomes text, wide enough for a sealed value (``shared.pii``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "foundation_0007"
down_revision: str | None = "foundation_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.alter_column(
            "working_days", new_column_name="days", existing_type=sa.Integer(), existing_nullable=False
        )
        batch_op.add_column(sa.Column("day_count", sa.String(length=8), nullable=False, server_default="working"))
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.alter_column("day_count", existing_type=sa.String(length=8), server_default=None)
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.alter_column(
            "objector_contact", existing_type=sa.String(length=100), type_=sa.Text(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.alter_column(
            "objector_contact", existing_type=sa.Text(), type_=sa.String(length=100), existing_nullable=False
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("day_count")
        batch_op.alter_column(
            "days", new_column_name="working_days", existing_type=sa.Integer(), existing_nullable=False
        )
