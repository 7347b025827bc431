"""documentation sections, action plan, final order reason, photo credits, published results

Revision ID: 0011
Revises: 0014
Create Date: 2026-11-30 18:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'record_sections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'],
                                name=op.f('fk_record_sections_board_id_boards'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_record_sections_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_record_sections')))
    with op.batch_alter_table('record_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_sections_workshop_id'), ['workshop_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_record_sections_board_id'), ['board_id'],
                              unique=False)
    # Existing rows: nothing published, nothing entered (NOT NULL needs server defaults).
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_published', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_date', sa.String(length=10), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('indicator', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cost', sa.String(length=120), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_order_reason', sa.Text(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('taken_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('consent', sa.String(length=16), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('consent')
        batch_op.drop_column('taken_on')
        batch_op.drop_column('credit')
    with op.batch_alter_table('vote_rounds', schema=None) as batch_op:
        batch_op.drop_column('final_order_reason')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_column('cost')
        batch_op.drop_column('indicator')
        batch_op.drop_column('status')
        batch_op.drop_column('due_date')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('results_published')
    with op.batch_alter_table('record_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_sections_board_id'))
        batch_op.drop_index(batch_op.f('ix_record_sections_workshop_id'))
    op.drop_table('record_sections')
