"""server-side sessions and single-use ceremony challenges

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'auth_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('owner_type', sa.String(length=10), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.Integer(), nullable=False),
        sa.Column('last_seen_at', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Integer(), nullable=False),
        sa.Column('verified_at', sa.Integer(), nullable=False),
        sa.Column('device', sa.String(length=120), nullable=False),
        sa.Column('ended_at', sa.Integer(), nullable=True),
        sa.Column('end_reason', sa.String(length=30), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'))
    op.create_index('ix_auth_session_owner', 'auth_session', ['owner_type', 'owner_id'])
    op.create_table(
        'ceremony_challenge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('challenge', sa.LargeBinary(length=64), nullable=False),
        sa.Column('browser_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('state_json', sa.Text(), nullable=False),
        sa.Column('created_at', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Integer(), nullable=False),
        sa.Column('consumed_at', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('challenge'))
    op.create_index('ix_ceremony_challenge_expires_at', 'ceremony_challenge', ['expires_at'])


def downgrade():
    op.drop_index('ix_ceremony_challenge_expires_at', table_name='ceremony_challenge')
    op.drop_table('ceremony_challenge')
    op.drop_index('ix_auth_session_owner', table_name='auth_session')
    op.drop_table('auth_session')
