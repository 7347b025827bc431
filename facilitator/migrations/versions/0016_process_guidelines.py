"""guidelines (Leitlinien) per thematic field of a process, with versions and consent check

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 19:45:00.000000

A new table only: every existing workshop and process stays valid.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'process_guidelines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['process_id'], ['processes.id'],
                                name=op.f('fk_process_guidelines_process_id_processes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['field_id'], ['process_fields.id'],
                                name=op.f('fk_process_guidelines_field_id_process_fields'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['vote_rounds.id'],
                                name=op.f('fk_process_guidelines_round_id_vote_rounds'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_guidelines')),
        sa.UniqueConstraint('field_id', 'version', name=op.f('uq_process_guidelines_field_id')))
    op.create_index(op.f('ix_process_guidelines_process_id'), 'process_guidelines',
                    ['process_id'])
    op.create_index(op.f('ix_process_guidelines_field_id'), 'process_guidelines', ['field_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_process_guidelines_field_id'), table_name='process_guidelines')
    op.drop_index(op.f('ix_process_guidelines_process_id'), table_name='process_guidelines')
    op.drop_table('process_guidelines')
