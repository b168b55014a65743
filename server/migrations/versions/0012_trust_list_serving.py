"""trust list served from stored bytes: a content version every change bumps, the snapshot's
ETag, gzip body and valid-until

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table(
        'trust_list_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(state, [{'id': 1, 'version': 1}])
    with op.batch_alter_table('trust_list_snapshot') as batch:
        batch.add_column(sa.Column('content_version', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('valid_until', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('etag', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('document_gzip', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('trust_list_snapshot') as batch:
        batch.drop_column('document_gzip')
        batch.drop_column('etag')
        batch.drop_column('valid_until')
        batch.drop_column('content_version')
    op.drop_table('trust_list_state')
