"""Review rounds as shared machinery: the tables of shared.review_rounds

Revision ID: projects_0012
Revises: projects_0011
Create Date: 2026-12-07 16:30:58.668757

The projects' review tables take the shape every service's now has:
* a round is ``draft → drawn → closed`` (``in_review`` was the projects' name for ``drawn``), its form
  says whether reviews give grades (``graded``, true for every existing round), ``trim_from`` may be
  null (the plain mean), and it may set a ``review_due_at`` after which a reviewer is late;
* the draw's frozen inputs keep each pool reviewer's platform account (``accounts``), backfilled from
  the pool;
* an assignment keeps the reviewer's account (``reviewer_user_id``, backfilled), and a released slot
  says why and when (``release_reason``/``released_at``, renamed from ``decline_reason``/
  ``declined_at``); a declined slot is ``declined`` whether or not another reviewer took it (the
  replacement row's ``replaces_id`` says so; ``replaced`` was the projects' name for that).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.models

revision: str = "projects_0012"
down_revision: str | None = "projects_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewer_user_id", sa.String(length=64), nullable=True))
        batch_op.alter_column("decline_reason", new_column_name="release_reason", existing_type=sa.String(length=500))
        batch_op.alter_column(
            "declined_at", new_column_name="released_at", existing_type=sa.DateTime(timezone=True)
        )
        batch_op.create_index("ix_review_assignments_user_id", ["reviewer_user_id", "id"], unique=False)

    with op.batch_alter_table("review_round_inputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accounts", sa.JSON(), nullable=False, server_default="{}"))

    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("graded", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("review_due_at", shared.db.models.AwareDateTime(timezone=True), nullable=True))
        batch_op.alter_column("trim_from", existing_type=sa.INTEGER(), nullable=True)

    bind = op.get_bind()
    bind.execute(sa.text("UPDATE review_rounds SET status = 'drawn' WHERE status = 'in_review'"))
    bind.execute(sa.text("UPDATE review_assignments SET status = 'declined' WHERE status = 'replaced'"))
    bind.execute(
        sa.text(
            "UPDATE review_assignments SET reviewer_user_id = "
            "(SELECT reviewers.user_id FROM reviewers WHERE reviewers.id = review_assignments.reviewer_id)"
        )
    )
    inputs = sa.table(
        "review_round_inputs", sa.column("round_id"), sa.column("pool", sa.JSON), sa.column("accounts", sa.JSON)
    )
    reviewers = sa.table("reviewers", sa.column("id"), sa.column("user_id"))
    accounts_of = {str(i): u for i, u in bind.execute(sa.select(reviewers.c.id, reviewers.c.user_id)).all()}
    for round_id, pool in bind.execute(sa.select(inputs.c.round_id, inputs.c.pool)).all():
        accounts = {str(r["id"]): accounts_of.get(str(r["id"])) for r in pool or ()}
        bind.execute(inputs.update().where(inputs.c.round_id == round_id).values(accounts=accounts))

    # The defaults only filled the existing rows: the models set these values themselves.
    with op.batch_alter_table("review_round_inputs", schema=None) as batch_op:
        batch_op.alter_column("accounts", existing_type=sa.JSON(), server_default=None)
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.alter_column("graded", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE review_rounds SET status = 'in_review' WHERE status = 'drawn'"))
    bind.execute(sa.text("UPDATE review_rounds SET trim_from = 5 WHERE trim_from IS NULL"))
    bind.execute(
        sa.text(
            "UPDATE review_assignments SET status = 'replaced' WHERE status IN ('declined', 'late') "
            "AND id IN (SELECT replaces_id FROM review_assignments WHERE replaces_id IS NOT NULL)"
        )
    )
    bind.execute(sa.text("UPDATE review_assignments SET status = 'declined' WHERE status = 'late'"))
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.alter_column("trim_from", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("review_due_at")
        batch_op.drop_column("graded")

    with op.batch_alter_table("review_round_inputs", schema=None) as batch_op:
        batch_op.drop_column("accounts")

    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_review_assignments_user_id")
        batch_op.alter_column("released_at", new_column_name="declined_at")
        batch_op.alter_column("release_reason", new_column_name="decline_reason")
        batch_op.drop_column("reviewer_user_id")
