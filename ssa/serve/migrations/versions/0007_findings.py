"""detector findings (re-entry, fragmentation, manoeuvre, proximity) and their alerts;
overflight passes per configured site

Alerts now come from a conjunction event, a reported incident or a finding:
finding_id is added, one alert per (finding, party).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('identity', sa.String(length=200), nullable=False),
    sa.Column('norad_id_1', sa.BigInteger(), nullable=False),
    sa.Column('norad_id_2', sa.BigInteger(), nullable=True),
    sa.Column('event_time', sa.DateTime(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('routing', sa.JSON(), nullable=True),
    sa.Column('catalog_version_id', sa.Integer(), nullable=False),
    sa.Column('first_job_id', sa.Integer(), nullable=False),
    sa.Column('last_job_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['catalog_version_id'], ['catalog_versions.id'], ),
    sa.ForeignKeyConstraint(['first_job_id'], ['jobs.id'], ),
    sa.ForeignKeyConstraint(['last_job_id'], ['jobs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('change_seq'),
    sa.UniqueConstraint('identity')
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_norad_id_1'), ['norad_id_1'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_norad_id_2'), ['norad_id_2'], unique=False)

    op.create_table('overflight_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=200), nullable=False),
    sa.Column('catalog_version_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('norad_id', sa.BigInteger(), nullable=False),
    sa.Column('culmination', sa.DateTime(), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['catalog_version_id'], ['catalog_versions.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('overflight_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_overflight_passes_site'), ['site'], unique=False)

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finding_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_alerts_finding_id', 'findings', ['finding_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_alerts_finding_id'), ['finding_id'], unique=False)
        batch_op.create_unique_constraint('uq_alerts_finding_party', ['finding_id', 'party'])


def downgrade() -> None:
    finding_alerts = 'SELECT id FROM alerts WHERE finding_id IS NOT NULL'
    op.execute(f'DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE alert_id IN '
               f'({finding_alerts}))')
    op.execute(f'DELETE FROM deliveries WHERE alert_id IN ({finding_alerts})')
    op.execute('DELETE FROM alerts WHERE finding_id IS NOT NULL')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_alerts_finding_party', type_='unique')
        batch_op.drop_index(batch_op.f('ix_alerts_finding_id'))
        batch_op.drop_constraint('fk_alerts_finding_id', type_='foreignkey')
        batch_op.drop_column('finding_id')
    op.drop_table('findings')
    op.drop_table('overflight_passes')
