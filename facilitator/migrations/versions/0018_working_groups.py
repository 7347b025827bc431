"""working groups (Arbeitsgruppen) per thematic field of a process: sign-ups and meetings

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-30 21:15:00.000000

New tables only: every existing workshop and process stays valid.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'working_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), server_default='', nullable=False),
        sa.Column('meeting_note', sa.Text(), server_default='', nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['process_id'], ['processes.id'],
                                name=op.f('fk_working_groups_process_id_processes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['field_id'], ['process_fields.id'],
                                name=op.f('fk_working_groups_field_id_process_fields'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_working_groups')),
        sa.UniqueConstraint('field_id', name=op.f('uq_working_groups_field_id')))
    op.create_index(op.f('ix_working_groups_process_id'), 'working_groups', ['process_id'])
    op.create_table(
        'working_group_signups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('consent', sa.Boolean(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=True),
        sa.Column('contact', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'],
                                name=op.f('fk_working_group_signups_group_id_working_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_working_group_signups_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_working_group_signups_participant_id_participants'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_working_group_signups')),
        sa.UniqueConstraint('group_id', 'participant_id',
                            name=op.f('uq_working_group_signups_group_id')))
    op.create_index(op.f('ix_working_group_signups_group_id'), 'working_group_signups',
                    ['group_id'])
    op.create_index(op.f('ix_working_group_signups_workshop_id'), 'working_group_signups',
                    ['workshop_id'])
    op.create_index(op.f('ix_working_group_signups_participant_id'), 'working_group_signups',
                    ['participant_id'])
    op.create_table(
        'working_group_meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['working_groups.id'],
                                name=op.f('fk_working_group_meetings_group_id_working_groups'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_working_group_meetings_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_working_group_meetings')),
        sa.UniqueConstraint('workshop_id', name=op.f('uq_working_group_meetings_workshop_id')))
    op.create_index(op.f('ix_working_group_meetings_group_id'), 'working_group_meetings',
                    ['group_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_working_group_meetings_group_id'), table_name='working_group_meetings')
    op.drop_table('working_group_meetings')
    for column in ('participant_id', 'workshop_id', 'group_id'):
        op.drop_index(op.f(f'ix_working_group_signups_{column}'),
                      table_name='working_group_signups')
    op.drop_table('working_group_signups')
    op.drop_index(op.f('ix_working_groups_process_id'), table_name='working_groups')
    op.drop_table('working_groups')
