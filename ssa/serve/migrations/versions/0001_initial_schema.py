"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('party', sa.String(length=200), nullable=True),
    sa.Column('objects', sa.JSON(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_id')
    )
    op.create_table('catalog_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('n_records', sa.Integer(), nullable=False),
    sa.Column('n_new', sa.Integer(), nullable=False),
    sa.Column('n_rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('counters',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.bulk_insert(sa.table('counters', sa.column('name', sa.String), sa.column('value', sa.BigInteger)),
                   [{'name': 'change_seq', 'value': 0}])
    op.create_table('objects',
    sa.Column('norad_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('object_name', sa.String(length=100), nullable=False),
    sa.Column('object_id', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=20), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('latest_epoch', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('norad_id')
    )
    op.create_table('parties',
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('elsets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity', sa.String(length=64), nullable=False),
    sa.Column('catalog_version_id', sa.Integer(), nullable=False),
    sa.Column('norad_id', sa.BigInteger(), nullable=False),
    sa.Column('epoch', sa.DateTime(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('object_id', sa.String(length=20), nullable=False),
    sa.Column('epoch_jd', sa.Float(), nullable=False),
    sa.Column('epoch_fr', sa.Float(), nullable=False),
    sa.Column('no_kozai', sa.Float(), nullable=False),
    sa.Column('ecco', sa.Float(), nullable=False),
    sa.Column('inclo', sa.Float(), nullable=False),
    sa.Column('nodeo', sa.Float(), nullable=False),
    sa.Column('argpo', sa.Float(), nullable=False),
    sa.Column('mo', sa.Float(), nullable=False),
    sa.Column('bstar', sa.Float(), nullable=False),
    sa.Column('ndot', sa.Float(), nullable=False),
    sa.Column('nddot', sa.Float(), nullable=False),
    sa.Column('element_set_no', sa.BigInteger(), nullable=False),
    sa.Column('rev_at_epoch', sa.BigInteger(), nullable=False),
    sa.Column('classification', sa.String(length=1), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['catalog_version_id'], ['catalog_versions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identity')
    )
    with op.batch_alter_table('elsets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elsets_catalog_version_id'), ['catalog_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_elsets_norad_id'), ['norad_id'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalog_version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('window_start', sa.DateTime(), nullable=True),
    sa.Column('window_end', sa.DateTime(), nullable=True),
    sa.Column('threshold_km', sa.Float(), nullable=True),
    sa.Column('n_objects', sa.Integer(), nullable=True),
    sa.Column('n_conjunctions', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['catalog_version_id'], ['catalog_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('norad_id_1', sa.BigInteger(), nullable=False),
    sa.Column('norad_id_2', sa.BigInteger(), nullable=False),
    sa.Column('name_1', sa.String(length=100), nullable=False),
    sa.Column('name_2', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('close_reason', sa.String(length=32), nullable=True),
    sa.Column('tca', sa.DateTime(), nullable=False),
    sa.Column('tca_jd', sa.Float(), nullable=False),
    sa.Column('tca_fr', sa.Float(), nullable=False),
    sa.Column('range_km', sa.Float(), nullable=False),
    sa.Column('relative_speed_km_s', sa.Float(), nullable=False),
    sa.Column('radial_km', sa.Float(), nullable=False),
    sa.Column('in_track_km', sa.Float(), nullable=False),
    sa.Column('cross_track_km', sa.Float(), nullable=False),
    sa.Column('dse_1', sa.Float(), nullable=False),
    sa.Column('dse_2', sa.Float(), nullable=False),
    sa.Column('persistent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('pc', sa.Float(), nullable=True),
    sa.Column('pc_method', sa.String(length=16), nullable=True),
    sa.Column('max_prob', sa.Float(), nullable=True),
    sa.Column('dilution_km', sa.Float(), nullable=True),
    sa.Column('covariance_source', sa.String(length=16), nullable=True),
    sa.Column('hbr_m', sa.Float(), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('routing', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('first_job_id', sa.Integer(), nullable=False),
    sa.Column('last_job_id', sa.Integer(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['first_job_id'], ['jobs.id'], ),
    sa.ForeignKeyConstraint(['last_job_id'], ['jobs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('change_seq')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_norad_id_2'), ['norad_id_2'], unique=False)
        batch_op.create_index('ix_events_pair', ['norad_id_1', 'norad_id_2', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_tca'), ['tca'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('party', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=16), nullable=True),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('change_seq'),
    sa.UniqueConstraint('event_id', 'party', name='uq_alerts_event_party')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_party'), ['party'], unique=False)

    op.create_table('event_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('close_reason', sa.String(length=32), nullable=True),
    sa.Column('tca', sa.DateTime(), nullable=False),
    sa.Column('range_km', sa.Float(), nullable=False),
    sa.Column('relative_speed_km_s', sa.Float(), nullable=False),
    sa.Column('pc', sa.Float(), nullable=True),
    sa.Column('level', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'job_id', 'kind', name='uq_event_updates_event_job_kind')
    )
    with op.batch_alter_table('event_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_updates_event_id'), ['event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('event_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_updates_event_id'))

    op.drop_table('event_updates')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_party'))
        batch_op.drop_index(batch_op.f('ix_alerts_event_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_tca'))
        batch_op.drop_index('ix_events_pair')
        batch_op.drop_index(batch_op.f('ix_events_norad_id_2'))
        batch_op.drop_index(batch_op.f('ix_events_level'))

    op.drop_table('events')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_status'))

    op.drop_table('jobs')
    with op.batch_alter_table('elsets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_elsets_norad_id'))
        batch_op.drop_index(batch_op.f('ix_elsets_catalog_version_id'))

    op.drop_table('elsets')
    op.drop_table('parties')
    op.drop_table('objects')
    op.drop_table('counters')
    op.drop_table('catalog_versions')
    op.drop_table('api_keys')
