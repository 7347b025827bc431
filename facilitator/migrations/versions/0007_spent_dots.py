"""spent dot ids: a dot taken back cannot be placed again by replaying its id

Revision ID: 0007
Revises: 0012
Create Date: 2026-11-30 18:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'spent_dots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['vote_rounds.id'],
                                name=op.f('fk_spent_dots_round_id_vote_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spent_dots')),
        sa.UniqueConstraint('round_id', 'client_id',
                            name=op.f('uq_spent_dots_round_id')),
    )
    with op.batch_alter_table('spent_dots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_dots_round_id'), ['round_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('spent_dots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spent_dots_round_id'))
    op.drop_table('spent_dots')
