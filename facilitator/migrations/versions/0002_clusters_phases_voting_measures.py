"""clusters phases voting measures

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:32:12.457091
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get defaults for the new NOT NULL columns.
    op.create_table('staff_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitators.id'], name=op.f('fk_staff_actions_facilitator_id_facilitators'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_staff_actions_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_actions'))
    )
    with op.batch_alter_table('staff_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_actions_facilitator_id'), ['facilitator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_actions_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('vote_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('board_ids', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('dots_per_person', sa.Integer(), nullable=False),
    sa.Column('max_per_item', sa.Integer(), nullable=False),
    sa.Column('allow_own', sa.Boolean(), nullable=False),
    sa.Column('tallies_visible', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('revealed', sa.Boolean(), nullable=False),
    sa.Column('final_order', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_vote_rounds_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_rounds'))
    )
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_rounds_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=120), nullable=False),
    sa.Column('colour', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('matrix_x', sa.Double(), nullable=True),
    sa.Column('matrix_y', sa.Double(), nullable=True),
    sa.Column('updated_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_clusters_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_clusters_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clusters_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('phase_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_phase_changes_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_phase_changes_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phase_changes'))
    )
    with op.batch_alter_table('phase_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phase_changes_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phase_changes_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('thematic_field', sa.String(length=120), nullable=False),
    sa.Column('responsible', sa.String(length=120), nullable=False),
    sa.Column('partners', sa.Text(), nullable=False),
    sa.Column('horizon', sa.String(length=16), nullable=False),
    sa.Column('source_idea_ids', sa.JSON(), nullable=False),
    sa.Column('source_cluster_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('updated_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_measures_board_id_boards'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_cluster_id'], ['clusters.id'], name=op.f('fk_measures_source_cluster_id_clusters'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_measures_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measures'))
    )
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measures_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_votes_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['vote_rounds.id'], name=op.f('fk_votes_round_id_vote_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes')),
    sa.UniqueConstraint('round_id', 'client_id', name=op.f('uq_votes_round_id'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sa.String(length=16), nullable=False, server_default='collect'))

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cluster_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ideas_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ideas_merged_into_id_ideas'), 'ideas', ['merged_into_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_ideas_cluster_id_clusters'), 'clusters', ['cluster_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projector_view', sa.String(length=16), nullable=False, server_default='boards'))
        batch_op.add_column(sa.Column('projector_target_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timer_seconds', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('timer_ends_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('timer_ends_at')
        batch_op.drop_column('timer_seconds')
        batch_op.drop_column('projector_target_id')
        batch_op.drop_column('projector_view')

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ideas_cluster_id_clusters'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ideas_merged_into_id_ideas'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ideas_cluster_id'))
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('position')
        batch_op.drop_column('cluster_id')
        batch_op.drop_column('original_text')

    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('phase')

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_round_id'))
        batch_op.drop_index(batch_op.f('ix_votes_participant_id'))

    op.drop_table('votes')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measures_workshop_id'))

    op.drop_table('measures')
    with op.batch_alter_table('phase_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phase_changes_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_phase_changes_board_id'))

    op.drop_table('phase_changes')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clusters_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_clusters_board_id'))

    op.drop_table('clusters')
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_rounds_workshop_id'))

    op.drop_table('vote_rounds')
    with op.batch_alter_table('staff_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_actions_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_staff_actions_facilitator_id'))

    op.drop_table('staff_actions')
    # ### end Alembic commands ###
