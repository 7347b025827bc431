"""stock-taking boards (Bestandsaufnahme): the fields of a board's cards, a card's row

Revision ID: 0017
Revises: 0020
Create Date: 2026-11-30 21:15:00.000000

Two nullable columns only: a board without fields stays an ordinary board, a card without an
entry an ordinary card; every existing workshop stays valid.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
# Written as 0016's successor; chained after main's 0018 (working groups), 0019 (steering
# priorities) and 0020 (process settings) when main was merged into this branch.
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('boards', sa.Column('card_fields', sa.JSON(), nullable=True))
    op.add_column('ideas', sa.Column('entry', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ideas') as batch:
        batch.drop_column('entry')
    with op.batch_alter_table('boards') as batch:
        batch.drop_column('card_fields')
