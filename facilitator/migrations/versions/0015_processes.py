"""participation processes: fields, groups, team, events in order, carry-over, steering group

Revision ID: 0015
Revises: 0007
Create Date: 2026-11-30 19:00:00.000000

Every existing workshop stays valid: a workshop without a process keeps process_id NULL and
stays alone; the new columns are nullable or have server defaults.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0007'
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False,
                                      server_default='de'))
        batch_op.add_column(sa.Column('previous_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_processes_previous_id_processes'), 'processes',
                                    ['previous_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'process_fields',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('colour', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        _fk('process_fields', 'process_id', 'processes', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_fields')))
    op.create_index(op.f('ix_process_fields_process_id'), 'process_fields', ['process_id'])
    op.create_table(
        'process_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        _fk('process_groups', 'process_id', 'processes', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_groups')))
    op.create_index(op.f('ix_process_groups_process_id'), 'process_groups', ['process_id'])
    op.create_table(
        'process_facilitators',
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('facilitator_id', sa.Integer(), nullable=False),
        _fk('process_facilitators', 'process_id', 'processes', 'CASCADE'),
        _fk('process_facilitators', 'facilitator_id', 'facilitators', 'CASCADE'),
        sa.PrimaryKeyConstraint('process_id', 'facilitator_id',
                                name=op.f('pk_process_facilitators')))
    op.create_table(
        'steering_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('steering_members', 'process_id', 'processes', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_members')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_steering_members_secret_hash')))
    op.create_index(op.f('ix_steering_members_process_id'), 'steering_members', ['process_id'])
    op.create_table(
        'steering_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('steering_decisions', 'process_id', 'processes', 'CASCADE'),
        _fk('steering_decisions', 'round_id', 'vote_rounds', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_decisions')),
        sa.UniqueConstraint('round_id', name=op.f('uq_steering_decisions_round_id')))
    op.create_index(op.f('ix_steering_decisions_process_id'), 'steering_decisions',
                    ['process_id'])
    op.create_table(
        'steering_votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        _fk('steering_votes', 'decision_id', 'steering_decisions', 'CASCADE'),
        _fk('steering_votes', 'member_id', 'steering_members', 'CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_steering_votes')),
        sa.UniqueConstraint('decision_id', 'member_id', 'target_id',
                            name=op.f('uq_steering_votes_decision_id')))
    op.create_index(op.f('ix_steering_votes_decision_id'), 'steering_votes', ['decision_id'])
    op.create_index(op.f('ix_steering_votes_member_id'), 'steering_votes', ['member_id'])
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('event_position', sa.Integer(), nullable=True))
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_boards_field_id_process_fields'), 'process_fields',
                                    ['field_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_measure_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carried_cluster_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_measures_carried_measure_id_measures'), 'measures',
                                    ['carried_measure_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(op.f('fk_measures_carried_cluster_id_clusters'), 'clusters',
                                    ['carried_cluster_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(op.f('ix_measures_carried_measure_id'), ['carried_measure_id'])
        batch_op.create_index(op.f('ix_measures_carried_cluster_id'), ['carried_cluster_id'])


def downgrade() -> None:
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index(op.f('ix_measures_carried_cluster_id'))
        batch_op.drop_index(op.f('ix_measures_carried_measure_id'))
        batch_op.drop_constraint(op.f('fk_measures_carried_cluster_id_clusters'),
                                 type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_measures_carried_measure_id_measures'),
                                 type_='foreignkey')
        batch_op.drop_column('carried_cluster_id')
        batch_op.drop_column('carried_measure_id')
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_boards_field_id_process_fields'), type_='foreignkey')
        batch_op.drop_column('field_id')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('event_position')
        batch_op.drop_column('event_kind')
    for table in ('steering_votes', 'steering_decisions', 'steering_members',
                  'process_facilitators', 'process_groups', 'process_fields'):
        op.drop_table(table)
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_processes_previous_id_processes'), type_='foreignkey')
        batch_op.drop_column('previous_id')
        batch_op.drop_column('language')
        batch_op.drop_column('organiser')
