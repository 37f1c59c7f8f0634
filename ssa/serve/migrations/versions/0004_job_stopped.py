"""jobs list the objects they left out of the screening, with the reason

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('jobs', sa.Column('stopped', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('jobs', 'stopped')
