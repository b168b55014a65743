"""status lists for version-2 tokens: status indexes (slots), per-group counters, the
published roots; revocation entries published only while they can revoke something

Existing eligibility periods may hold version-1 phone tokens: they are marked as holding some
for NOTICE_TOKEN_DAYS + 1 (8) days from the migration, so a loss in that time still writes a
revocation id. Existing loss entries are published 8 days past their effect (every phone token
they revoke has expired then); card entries stay published (their card's expiry is not known
here).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 13:00:00

"""
import time

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

EIGHT_DAYS = 8 * 86400


def upgrade():
    op.create_table(
        'status_slot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.SmallInteger(), nullable=False),
        sa.Column('group_no', sa.BigInteger(), nullable=False),
        sa.Column('idx', sa.BigInteger(), nullable=False),
        sa.Column('eligibility_id', sa.Integer(), nullable=True),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('first_allocated_at', sa.Integer(), nullable=False),
        sa.Column('allocated_at', sa.Integer(), nullable=False),
        sa.Column('revoked_at', sa.Integer(), nullable=True),
        sa.Column('revoked_version', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['eligibility_id'], ['eligibility.id'], name='fk_status_slot_eligibility_id_eligibility'),
        sa.ForeignKeyConstraint(['card_id'], ['eligibility_card.id'], name='fk_status_slot_card_id_eligibility_card'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'group_no', 'idx', name='uq_status_slot_index'),
        sa.UniqueConstraint('eligibility_id', name='uq_status_slot_eligibility_id'),
        sa.UniqueConstraint('card_id', name='uq_status_slot_card_id'))
    op.create_index('ix_status_slot_revoked', 'status_slot', ['revoked_at'])
    op.create_table(
        'status_counter',
        sa.Column('kind', sa.SmallInteger(), nullable=False),
        sa.Column('group_no', sa.BigInteger(), nullable=False),
        sa.Column('next_idx', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'group_no'))
    op.create_table(
        'status_publication',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('built_at', sa.Integer(), nullable=False),
        sa.Column('content_version', sa.BigInteger(), nullable=False),
        sa.Column('lengths', sa.LargeBinary(), nullable=False),
        sa.Column('root', sa.LargeBinary(length=32), nullable=False),
        sa.Column('snapshot', sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint('seq'))
    with op.batch_alter_table('eligibility') as batch:
        batch.add_column(sa.Column('v1_tokens_until', sa.Integer(), nullable=True))
    with op.batch_alter_table('revocation') as batch:
        batch.add_column(sa.Column('publish_until', sa.Integer(), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE eligibility SET v1_tokens_until = :until"),
                 {"until": int(time.time()) + EIGHT_DAYS})
    bind.execute(sa.text("UPDATE revocation SET publish_until = effective_at + :keep WHERE reason = 'loss'"),
                 {"keep": EIGHT_DAYS})


def downgrade():
    with op.batch_alter_table('revocation') as batch:
        batch.drop_column('publish_until')
    with op.batch_alter_table('eligibility') as batch:
        batch.drop_column('v1_tokens_until')
    op.drop_table('status_publication')
    op.drop_table('status_counter')
    op.drop_index('ix_status_slot_revoked', table_name='status_slot')
    op.drop_table('status_slot')
