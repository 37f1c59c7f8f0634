"""element sets keep their source ('public' or 'operator:<tenant>'); events name the
source of each object's set and the operator sets that disagreed; jobs record the checks

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('elsets', sa.Column('origin', sa.String(length=200), nullable=False, server_default='public'))
    op.create_index('ix_elsets_norad_id_origin', 'elsets', ['norad_id', 'origin'])
    op.add_column('events', sa.Column('source_1', sa.String(length=200), nullable=False, server_default='public'))
    op.add_column('events', sa.Column('source_2', sa.String(length=200), nullable=False, server_default='public'))
    op.add_column('events', sa.Column('source_flags', sa.JSON(), nullable=True))
    op.add_column('jobs', sa.Column('source_checks', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('jobs', 'source_checks')
    op.drop_column('events', 'source_flags')
    op.drop_column('events', 'source_2')
    op.drop_column('events', 'source_1')
    op.drop_index('ix_elsets_norad_id_origin', table_name='elsets')
    op.drop_column('elsets', 'origin')
