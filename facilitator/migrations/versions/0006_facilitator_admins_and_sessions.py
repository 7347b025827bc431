"""facilitator admins and session versions

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-30 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('facilitators') as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))
    # The installation's first account (the one `run.py` made on first start) administers it.
    op.execute("UPDATE facilitators SET is_admin = TRUE "
               "WHERE id = (SELECT min(id) FROM facilitators)")


def downgrade() -> None:
    with op.batch_alter_table('facilitators') as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('is_admin')
