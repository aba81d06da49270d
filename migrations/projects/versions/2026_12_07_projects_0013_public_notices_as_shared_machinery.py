"""Public notices as shared machinery: the tables of shared.notices

Revision ID: projects_0013
Revises: projects_0012
Create Date: 2026-12-07 17:02:11.000000

A notice's entries and objections name the record listed as ``subject_id`` (an application here, a
nomination in the talent service), an entry names its ``person_name`` and ``organisation_name`` (the
leader and the applicant unit here), keeps its ``position`` on the notice (its rank in the list, for
the existing ones) and the service's own public facts in ``details`` (none here); its rank and amount
may be empty (a notice of nominations has neither).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "projects_0013"
down_revision: str | None = "projects_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_entries_application_id_applications", type_="foreignkey")
        batch_op.drop_index("ix_notice_entries_application_id")
        batch_op.drop_constraint("uq_notice_entries_notice_id", type_="unique")
        batch_op.alter_column("application_id", new_column_name="subject_id", existing_type=BIG_ID, existing_nullable=False)
        batch_op.alter_column("leader_name", new_column_name="person_name", existing_type=sa.String(length=100))
        batch_op.alter_column(
            "applicant_org_name", new_column_name="organisation_name", existing_type=sa.String(length=200)
        )
        batch_op.alter_column("rank", existing_type=sa.INTEGER(), nullable=True)
        batch_op.alter_column("amount", existing_type=sa.NUMERIC(precision=16, scale=2), nullable=True)
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
    op.execute("UPDATE notice_entries SET position = rank")
    # the renamed column's constraints in a batch of their own (SQLite rebuilds the table from the new one)
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.create_index("ix_notice_entries_subject_id", ["subject_id"], unique=False)
        batch_op.create_unique_constraint("uq_notice_entries_subject", ["notice_id", "subject_id"])
        batch_op.create_foreign_key("fk_notice_entries_subject_id_applications", "applications", ["subject_id"], ["id"])
        batch_op.alter_column("position", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("details", existing_type=sa.JSON(), server_default=None)

    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_objections_application_id_applications", type_="foreignkey")
        batch_op.alter_column("application_id", new_column_name="subject_id", existing_type=BIG_ID, existing_nullable=False)
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_notice_objections_subject_id_applications", "applications", ["subject_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_objections_subject_id_applications", type_="foreignkey")
        batch_op.alter_column("subject_id", new_column_name="application_id", existing_type=BIG_ID, existing_nullable=False)
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_notice_objections_application_id_applications", "applications", ["application_id"], ["id"]
        )

    op.execute("UPDATE notice_entries SET amount = 0 WHERE amount IS NULL")
    op.execute("UPDATE notice_entries SET rank = position WHERE rank IS NULL")
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_entries_subject_id_applications", type_="foreignkey")
        batch_op.drop_constraint("uq_notice_entries_subject", type_="unique")
        batch_op.drop_index("ix_notice_entries_subject_id")
        batch_op.drop_column("details")
        batch_op.drop_column("position")
        batch_op.alter_column("amount", existing_type=sa.NUMERIC(precision=16, scale=2), nullable=False)
        batch_op.alter_column("rank", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column(
            "organisation_name", new_column_name="applicant_org_name", existing_type=sa.String(length=200)
        )
        batch_op.alter_column("person_name", new_column_name="leader_name", existing_type=sa.String(length=100))
        batch_op.alter_column("subject_id", new_column_name="application_id", existing_type=BIG_ID, existing_nullable=False)
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_notice_entries_notice_id", ["notice_id", "application_id"])
        batch_op.create_index("ix_notice_entries_application_id", ["application_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_notice_entries_application_id_applications", "applications", ["application_id"], ["id"]
        )
