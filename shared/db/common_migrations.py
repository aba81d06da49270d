"""The tables every database starts with (workflow history, idempotency, audit, calendar years),
as their first migration creates them.

Frozen: each history's first migration calls these, so they must never change. A later change to
the common tables gets new functions (``upgrade_common_v2``) called from new migrations.
"""

import sqlalchemy as sa
from alembic import op

import shared.db.models


def upgrade_common_v1() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", shared.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", shared.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", shared.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", shared.db.models.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_records_created_at", ["created_at"], unique=False)
        batch_op.create_index("uq_idempotency_records_scope_key", ["scope", "key"], unique=True)

    op.create_table(
        "workflow_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=64), nullable=True),
        sa.Column("to_state", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", shared.db.models.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_history")),
    )
    with op.batch_alter_table("workflow_history", schema=None) as batch_op:
        batch_op.create_index("ix_workflow_history_entity", ["entity_type", "entity_id", "id"], unique=False)


def downgrade_common_v1() -> None:
    with op.batch_alter_table("workflow_history", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_history_entity")

    op.drop_table("workflow_history")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index("uq_idempotency_records_scope_key")
        batch_op.drop_index("ix_idempotency_records_created_at")

    op.drop_table("idempotency_records")
    op.drop_table("calendar_years")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")

    op.drop_table("audit_log")
