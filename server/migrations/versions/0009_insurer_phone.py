"""the insurer's telephone, told to a member whose activation code locked

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 08:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('insurer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('insurer', schema=None) as batch_op:
        batch_op.drop_column('phone')
