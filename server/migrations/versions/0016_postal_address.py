"""postal address on members (郵便番号, 住所1, 住所2, 宛名) for window envelopes; member CSV
import batches and the members in each

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member') as batch:
        batch.add_column(sa.Column('postal_code', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('address1', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('address2', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('addressee', sa.String(length=100), nullable=True))
    op.create_table(
        'import_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_import_batch_at', 'import_batch', ['at'])
    op.create_table(
        'import_batch_member',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('batch_id', 'member_id'))
    op.create_index('ix_import_batch_member_member_id', 'import_batch_member', ['member_id'])


def downgrade():
    op.drop_index('ix_import_batch_member_member_id', table_name='import_batch_member')
    op.drop_table('import_batch_member')
    op.drop_index('ix_import_batch_at', table_name='import_batch')
    op.drop_table('import_batch')
    with op.batch_alter_table('member') as batch:
        for column in ('addressee', 'address2', 'address1', 'postal_code'):
            batch.drop_column(column)
