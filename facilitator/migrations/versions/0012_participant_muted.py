"""participants can be muted by the facilitation

Revision ID: 0012
Revises: 0014
Create Date: 2026-11-30 18:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing participant may post (NOT NULL needs a server default).
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('muted', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('muted')
