"""codes as enums: the database accepts only the official codes of 本人・家族, 性別 and 負担割合

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 07:15:00

The models read and write these columns as the token core's enums (Relationship, Sex,
Copay); the integers stored are unchanged, so no row is rewritten.
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHECKS = [
    ("member", "ck_member_relationship", "relationship IN (1, 2)"),
    ("member", "ck_member_sex", "sex IN (1, 2, 3)"),
    ("copay_ratio", "ck_copay_ratio_ratio", "ratio IN (10, 20, 30)"),
]


def upgrade():
    for table, name, condition in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(name, condition)


def downgrade():
    for table, name, _ in reversed(CHECKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(name, type_="check")
