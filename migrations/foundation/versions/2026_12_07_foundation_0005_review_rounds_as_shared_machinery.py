"""Review rounds as shared machinery: the tables of shared.review_rounds

Revision ID: foundation_0005
Revises: foundation_0004
Create Date: 2026-12-07 16:35:55.497797

The foundation's review tables take the shape every service's now has: a round stores its review
form (``criteria``, ``graded``: the committee's form, as every existing round used), its draw
categories (none: one category per round) and ``trim_from`` (null: the plain mean, as NSF-4 applies
it in the foundation); a review may hold scores (none in the foundation's form); assignments are
found by reviewer too (``ix_review_assignments_reviewer_id``, for the load each reviewer carries).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "foundation_0005"
down_revision: str | None = "foundation_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The committee's review form at the time (services/foundation/rules/reviews.py FORM), for existing rounds.
FORM = [
    {"code": code, "name": zh, "name_en": en, "weight": None, "max_score": "100", "comment_required": required}
    for code, zh, en, required in (
        ("innovation", "创新性", "Innovation", False),
        ("feasibility", "研究方案可行性", "Feasibility of the research plan", False),
        ("foundation", "研究基础", "Preliminary work", False),
        ("team", "研究团队", "Research team", False),
        ("overall", "综合评价", "Overall assessment", True),
    )
]


def upgrade() -> None:
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_review_assignments_reviewer_id", ["reviewer_id", "id"], unique=False)

    form = json.dumps(FORM, ensure_ascii=False).replace("'", "''")
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewers_per_category", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("criteria", sa.JSON(), nullable=False, server_default=sa.text(f"'{form}'")))
        batch_op.add_column(sa.Column("graded", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("trim_from", sa.Integer(), nullable=True))

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scores", sa.JSON(), nullable=False, server_default="{}"))

    # The defaults only filled the existing rows: the models set these values themselves.
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        for name, type_ in (("reviewers_per_category", sa.JSON()), ("criteria", sa.JSON()), ("graded", sa.Boolean())):
            batch_op.alter_column(name, existing_type=type_, server_default=None)
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("scores", existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("scores")

    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_column("trim_from")
        batch_op.drop_column("graded")
        batch_op.drop_column("criteria")
        batch_op.drop_column("reviewers_per_category")

    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_review_assignments_reviewer_id")
