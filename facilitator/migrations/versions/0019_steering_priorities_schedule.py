"""the steering group's field priorities (members' answers and the decision) and the schedule
of measures (with members' responses)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 21:20:00.000000

New tables only: every existing workshop and process stays valid.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete='CASCADE'):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'steering_field_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        _fk('steering_field_ratings', 'member_id', 'steering_members'),
        _fk('steering_field_ratings', 'field_id', 'process_fields'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_field_ratings')),
        sa.UniqueConstraint('member_id', 'field_id',
                            name=op.f('uq_steering_field_ratings_member_id')))
    op.create_index(op.f('ix_steering_field_ratings_member_id'), 'steering_field_ratings',
                    ['member_id'])
    op.create_index(op.f('ix_steering_field_ratings_field_id'), 'steering_field_ratings',
                    ['field_id'])
    op.create_table(
        'steering_field_priorities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        _fk('steering_field_priorities', 'process_id', 'processes'),
        _fk('steering_field_priorities', 'field_id', 'process_fields'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_field_priorities')),
        sa.UniqueConstraint('field_id', name=op.f('uq_steering_field_priorities_field_id')))
    op.create_index(op.f('ix_steering_field_priorities_process_id'),
                    'steering_field_priorities', ['process_id'])
    op.create_table(
        'steering_schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('item_kind', sa.String(length=16), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('start_period', sa.String(length=32), nullable=False),
        sa.Column('responsible', sa.String(length=120), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        _fk('steering_schedule', 'process_id', 'processes'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_schedule')),
        sa.UniqueConstraint('process_id', 'item_kind', 'item_id',
                            name=op.f('uq_steering_schedule_process_id')))
    op.create_index(op.f('ix_steering_schedule_process_id'), 'steering_schedule',
                    ['process_id'])
    op.create_table(
        'steering_schedule_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=16), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        _fk('steering_schedule_responses', 'entry_id', 'steering_schedule'),
        _fk('steering_schedule_responses', 'member_id', 'steering_members'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_schedule_responses')),
        sa.UniqueConstraint('entry_id', 'member_id',
                            name=op.f('uq_steering_schedule_responses_entry_id')))
    op.create_index(op.f('ix_steering_schedule_responses_entry_id'),
                    'steering_schedule_responses', ['entry_id'])
    op.create_index(op.f('ix_steering_schedule_responses_member_id'),
                    'steering_schedule_responses', ['member_id'])


def downgrade() -> None:
    for table, columns in (('steering_schedule_responses', ('entry_id', 'member_id')),
                           ('steering_schedule', ('process_id',)),
                           ('steering_field_priorities', ('process_id',)),
                           ('steering_field_ratings', ('member_id', 'field_id'))):
        for column in columns:
            op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
        op.drop_table(table)
