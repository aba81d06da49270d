"""public notices: one table of every kind (a programme call's proposed list, an award cycle's
nominations), their entries and sealed-contact objections

Revision ID: talent_0006
Revises: talent_0003
Create Date: 2026-12-07 22:53:07.477232
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.db.models


revision: str = 'talent_0006'
down_revision: str | None = 'talent_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notices',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('cycle_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', shared.db.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', shared.db.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('day_count', sa.String(length=8), nullable=False),
    sa.Column('calendar_confirmed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('concluded_by', sa.String(length=64), nullable=True),
    sa.Column('concluded_at', shared.db.models.AwareDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', shared.db.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.models.AwareDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_notices_call_id_calls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_year'), ['year'], unique=False)

    op.create_table('notice_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('person_name', sa.String(length=100), nullable=False),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_entries_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_entries')),
    sa.UniqueConstraint('notice_id', 'subject_id', name='uq_notice_entries_subject')
    )
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.create_index('ix_notice_entries_subject_id', ['subject_id'], unique=False)

    op.create_table('notice_objections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('objector_actor', sa.String(length=64), nullable=False),
    sa.Column('objector_name', sa.String(length=100), nullable=False),
    sa.Column('objector_contact', sa.Text(), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolved_at', shared.db.models.AwareDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', shared.db.models.AwareDateTime(timezone=True), nullable=False),
    sa.Column('notice_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subject_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_objections_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_objections'))
    )
    with op.batch_alter_table('notice_objections', schema=None) as batch_op:
        batch_op.create_index('ix_notice_objections_notice_status', ['notice_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_objections_objector_actor'), ['objector_actor'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('notice_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_objections_objector_actor'))
        batch_op.drop_index('ix_notice_objections_notice_status')

    op.drop_table('notice_objections')
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_entries_subject_id')

    op.drop_table('notice_entries')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_year'))
        batch_op.drop_index(batch_op.f('ix_notices_status'))
        batch_op.drop_index(batch_op.f('ix_notices_kind'))
        batch_op.drop_index(batch_op.f('ix_notices_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_notices_call_id'))

    op.drop_table('notices')
    # ### end Alembic commands ###
