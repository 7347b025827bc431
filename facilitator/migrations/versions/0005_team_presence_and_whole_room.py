"""team presence and whole-room rounds

Revision ID: 0005
Revises: 0006
Create Date: 2026-11-30 15:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Which facilitator a console connection belongs to (colleagues see who else is on it).
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facilitator_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_connections_facilitator_id_facilitators'),
                                    'facilitators', ['facilitator_id'], ['id'], ondelete='CASCADE')

    # Rounds open to every phone in the room; existing rounds stay with their boards.
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('whole_room', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.drop_column('whole_room')

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_connections_facilitator_id_facilitators'),
                                 type_='foreignkey')
        batch_op.drop_column('facilitator_id')
