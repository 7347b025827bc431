"""projector paging

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-30 15:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing workshops page every 12 s, not paused (NOT NULL needs a server default).
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projector_paging_paused', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('projector_page_step', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('projector_page_seconds', sa.Integer(), nullable=False,
                                      server_default='12'))


def downgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('projector_page_seconds')
        batch_op.drop_column('projector_page_step')
        batch_op.drop_column('projector_paging_paused')
