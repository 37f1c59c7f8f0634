"""element sets keep the radar cross-section their upload gave

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('elsets', sa.Column('rcs_m2', sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column('elsets', 'rcs_m2')
