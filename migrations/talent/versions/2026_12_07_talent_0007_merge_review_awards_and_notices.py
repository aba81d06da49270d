"""merge review, awards and notices; a notice's award cycle becomes a foreign key

Revision ID: talent_0007
Revises: talent_0004, talent_0005, talent_0006
Create Date: 2026-12-07 23:12:43.040384

Expert review and tenure (talent_0004), the awards (talent_0005) and the public notices (talent_0006)
were built side by side from talent_0003. Now that the award cycles and the notices are both here, a
notice's ``cycle_id`` names an award cycle by foreign key, as its ``call_id`` names a call.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "talent_0007"
down_revision: str | tuple[str, ...] | None = ("talent_0004", "talent_0005", "talent_0006")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_foreign_key(op.f("fk_notices_cycle_id_award_cycles"), "award_cycles", ["cycle_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_notices_cycle_id_award_cycles"), type_="foreignkey")
