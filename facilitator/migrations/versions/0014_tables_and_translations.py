"""table hosts, card sources and translations, translated workshop content

Revision ID: 0014
Revises: 0004
Create Date: 2026-11-30 18:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every card posted so far came from a phone.
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=False,
                                      server_default='phone'))
        batch_op.add_column(sa.Column('translation', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('translation_lang', sa.String(length=8), nullable=True))
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projector_language', sa.String(length=8), nullable=True))
    op.create_table(
        'content_translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('object_key', sa.String(length=32), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_content_translations_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translations')),
        sa.UniqueConstraint('workshop_id', 'kind', 'object_key', 'field', 'lang',
                            name=op.f('uq_content_translations_workshop_id')),
    )
    op.create_index(op.f('ix_content_translations_workshop_id'), 'content_translations',
                    ['workshop_id'], unique=False)
    op.create_table(
        'table_hosts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('revoked', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_table_hosts_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'],
                                name=op.f('fk_table_hosts_board_id_boards'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                                name=op.f('fk_table_hosts_participant_id_participants'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_table_hosts')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_table_hosts_secret_hash')),
    )
    op.create_index(op.f('ix_table_hosts_workshop_id'), 'table_hosts', ['workshop_id'],
                    unique=False)
    op.create_index(op.f('ix_table_hosts_board_id'), 'table_hosts', ['board_id'], unique=False)


def downgrade() -> None:
    op.drop_table('table_hosts')
    op.drop_table('content_translations')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('projector_language')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('translation_lang')
        batch_op.drop_column('translation')
        batch_op.drop_column('source')
