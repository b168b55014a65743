"""wrong answers for unknown activation codes, counted like real ones

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activation_guess',
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code_hash'))
    op.create_index('ix_activation_guess_expires_at', 'activation_guess', ['expires_at'])


def downgrade():
    op.drop_index('ix_activation_guess_expires_at', table_name='activation_guess')
    op.drop_table('activation_guess')
