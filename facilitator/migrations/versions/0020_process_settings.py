"""process settings: a description, and titles up to 200 characters

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 21:10:00.000000

Every existing process stays valid: the description defaults to empty text, and a longer column
holds every title the shorter one held.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.alter_column('title', existing_type=sa.String(length=120),
                              type_=sa.String(length=200), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.alter_column('title', existing_type=sa.String(length=200),
                              type_=sa.String(length=120), existing_nullable=False)
        batch_op.drop_column('description')
