"""retention of raw participation data

Revision ID: 0008
Revises: 0014
Create Date: 2026-11-30 18:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing workshops follow the installation's period (NULL) and still hold their data.
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('participation_deleted_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('participation_deleted_at')
        batch_op.drop_column('retention_days')
