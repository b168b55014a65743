"""member search keys: name and フリガナ folded for search (register/search_keys.py), indexed

The keys of the members that exist are filled here, 5,000 rows at a time in id order (a
national register holds a million rows: no statement holds them all), before the indexes
are built (measured: 83 s for 1,000,000 members on PostgreSQL, 2 cores). A later change to the folding (its 異体字 table) needs a migration that fills
them again the same way.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:30:00

"""
import sqlalchemy as sa
from alembic import op

from server.register.search_keys import member_keys

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BATCH = 5000
KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', KEY, server_default='', nullable=False))
        batch_op.add_column(sa.Column('kana_key', KEY, server_default='', nullable=False))
    fill_keys(op.get_bind())
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_kana_key'), ['kana_key'], unique=False)


def fill_keys(connection, batch: int = BATCH) -> int:
    """Every member's keys, batch by batch (keyset on id). Returns the rows filled."""
    member = sa.table('member', sa.column('id', sa.Integer), sa.column('name', sa.String),
                      sa.column('name_kana', sa.String), sa.column('name_key', sa.String),
                      sa.column('kana_key', sa.String))
    update = (sa.update(member).where(member.c.id == sa.bindparam('member_id'))
              .values(name_key=sa.bindparam('new_name_key'), kana_key=sa.bindparam('new_kana_key')))
    last, filled = 0, 0
    while True:
        rows = connection.execute(
            sa.select(member.c.id, member.c.name, member.c.name_kana)
            .where(member.c.id > last).order_by(member.c.id).limit(batch)).all()
        if not rows:
            return filled
        params = []
        for row in rows:
            keys = member_keys(row.name, row.name_kana)
            params.append({"member_id": row.id, "new_name_key": keys["name_key"],
                           "new_kana_key": keys["kana_key"]})
        connection.execute(update, params)
        last, filled = rows[-1].id, filled + len(rows)


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_kana_key'))
        batch_op.drop_index(batch_op.f('ix_member_name_key'))
        batch_op.drop_column('kana_key')
        batch_op.drop_column('name_key')
