"""activation PIN: the second factor delivered apart from the notice

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pin_issued_at', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_column('pin_issued_at')
        batch_op.drop_column('pin_hash')
