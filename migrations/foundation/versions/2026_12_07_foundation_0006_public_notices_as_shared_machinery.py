"""Public notices as shared machinery: the tables of shared.notices

Revision ID: foundation_0006
Revises: foundation_0005
Create Date: 2026-12-07 17:10:00.000000

A notice's entries and objections name the record listed as ``subject_id``; an entry names its
``person_name`` and ``organisation_name`` (the applicant and the host institution here) and keeps the
foundation's own public facts in ``details`` (the discipline code); its amount may be empty (a notice
of nominations has none). A notice's first and last days are read off its start and close in
Asia/Shanghai rather than stored beside them.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "foundation_0006"
down_revision: str | None = "foundation_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def upgrade() -> None:
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_entries_application_id_applications", type_="foreignkey")
        batch_op.drop_index("ix_notice_entries_application_id")
        batch_op.drop_constraint("uq_notice_entries_application", type_="unique")
        batch_op.alter_column("application_id", new_column_name="subject_id", existing_type=BIG_ID, existing_nullable=False)
        batch_op.alter_column("applicant_name", new_column_name="person_name", existing_type=sa.String(length=100))
        batch_op.alter_column(
            "institution_name", new_column_name="organisation_name", existing_type=sa.String(length=200)
        )
        batch_op.alter_column("amount", existing_type=sa.NUMERIC(precision=16, scale=2), nullable=True)
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
    bind = op.get_bind()
    entries = sa.table("notice_entries", sa.column("id"), sa.column("discipline_code"), sa.column("details", sa.JSON))
    for entry_id, code in bind.execute(sa.select(entries.c.id, entries.c.discipline_code)).all():
        bind.execute(entries.update().where(entries.c.id == entry_id).values(details={"discipline_code": code}))
    # the renamed column's constraints in a batch of their own (SQLite rebuilds the table from the new one)
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.drop_column("discipline_code")
        batch_op.alter_column("details", existing_type=sa.JSON(), server_default=None)
        batch_op.create_index("ix_notice_entries_subject_id", ["subject_id"], unique=False)
        batch_op.create_unique_constraint("uq_notice_entries_subject", ["notice_id", "subject_id"])
        batch_op.create_foreign_key("fk_notice_entries_subject_id_applications", "applications", ["subject_id"], ["id"])

    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_objections_application_id_applications", type_="foreignkey")
        batch_op.alter_column("application_id", new_column_name="subject_id", existing_type=BIG_ID, existing_nullable=False)
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_notice_objections_subject_id_applications", "applications", ["subject_id"], ["id"]
        )

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")


def _local_day(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI).date().isoformat()


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.DATE(), nullable=False, server_default="2000-01-01"))
        batch_op.add_column(sa.Column("ends_on", sa.DATE(), nullable=False, server_default="2000-01-01"))
    bind = op.get_bind()
    notices = sa.table(
        "notices",
        sa.column("id"),
        sa.column("starts_at", sa.DateTime(timezone=True)),
        sa.column("closes_at", sa.DateTime(timezone=True)),
        sa.column("starts_on", sa.Date),
        sa.column("ends_on", sa.Date),
    )
    for notice_id, starts_at, closes_at in bind.execute(
        sa.select(notices.c.id, notices.c.starts_at, notices.c.closes_at)
    ).all():
        bind.execute(
            notices.update()
            .where(notices.c.id == notice_id)
            .values(
                starts_on=datetime.fromisoformat(_local_day(starts_at)).date(),
                ends_on=datetime.fromisoformat(_local_day(closes_at)).date(),
            )
        )

    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_objections_subject_id_applications", type_="foreignkey")
        batch_op.alter_column("subject_id", new_column_name="application_id", existing_type=BIG_ID, existing_nullable=False)
    with op.batch_alter_table("notice_objections", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_notice_objections_application_id_applications", "applications", ["application_id"], ["id"]
        )

    op.execute("UPDATE notice_entries SET amount = 0 WHERE amount IS NULL")
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_entries_subject_id_applications", type_="foreignkey")
        batch_op.drop_constraint("uq_notice_entries_subject", type_="unique")
        batch_op.drop_index("ix_notice_entries_subject_id")
        batch_op.add_column(sa.Column("discipline_code", sa.String(length=16), nullable=False, server_default=""))
        batch_op.alter_column("amount", existing_type=sa.NUMERIC(precision=16, scale=2), nullable=False)
        batch_op.alter_column(
            "organisation_name", new_column_name="institution_name", existing_type=sa.String(length=200)
        )
        batch_op.alter_column("person_name", new_column_name="applicant_name", existing_type=sa.String(length=100))
        batch_op.alter_column("subject_id", new_column_name="application_id", existing_type=BIG_ID, existing_nullable=False)
    entries = sa.table("notice_entries", sa.column("id"), sa.column("discipline_code"), sa.column("details", sa.JSON))
    for entry_id, details in bind.execute(sa.select(entries.c.id, entries.c.details)).all():
        code = (details or {}).get("discipline_code", "")
        bind.execute(entries.update().where(entries.c.id == entry_id).values(discipline_code=code))
    with op.batch_alter_table("notice_entries", schema=None) as batch_op:
        batch_op.drop_column("details")
        batch_op.create_unique_constraint("uq_notice_entries_application", ["notice_id", "application_id"])
        batch_op.create_index("ix_notice_entries_application_id", ["application_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_notice_entries_application_id_applications", "applications", ["application_id"], ["id"]
        )
