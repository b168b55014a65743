"""tenancy: staff scoped to insurers (staff_insurer), the operator role, invitations carry
their scope, audit entries know their insurer

Existing staff keep what they could do before: each is given every insurer registered now.
Existing audit entries of members, cards and activation codes get their member's insurer;
the others stay without one (seen by operators only).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:30:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_insurer',
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('insurer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name='fk_staff_insurer_staff_id_staff',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['insurer_id'], ['insurer.id'], name='fk_staff_insurer_insurer_id_insurer'),
        sa.PrimaryKeyConstraint('staff_id', 'insurer_id'))
    op.create_index('ix_staff_insurer_insurer_id', 'staff_insurer', ['insurer_id'])
    op.execute("INSERT INTO staff_insurer (staff_id, insurer_id) SELECT staff.id, insurer.id "
               "FROM staff CROSS JOIN insurer")
    with op.batch_alter_table('staff_invite') as batch:
        batch.add_column(sa.Column('insurers_json', sa.Text(), nullable=True))
    numbers = [row[0] for row in op.get_bind().execute(sa.text("SELECT number FROM insurer ORDER BY number"))]
    op.get_bind().execute(sa.text("UPDATE staff_invite SET insurers_json = :scope"),
                          {"scope": json.dumps(numbers)})
    with op.batch_alter_table('audit_entry') as batch:
        batch.add_column(sa.Column('insurer_id', sa.Integer(), nullable=True))
        batch.create_index('ix_audit_entry_insurer_id', ['insurer_id'])
        batch.create_foreign_key('fk_audit_entry_insurer_id_insurer', 'insurer', ['insurer_id'], ['id'])
    op.execute("UPDATE audit_entry SET insurer_id = (SELECT member.insurer_id FROM member "
               "WHERE member.id = audit_entry.target_id) WHERE target_type = 'member'")
    for target, table in (('eligibilitycard', 'eligibility_card'), ('activationcode', 'activation_code')):
        op.execute(f"UPDATE audit_entry SET insurer_id = (SELECT member.insurer_id FROM member "
                   f"JOIN {table} ON {table}.member_id = member.id WHERE {table}.id = audit_entry.target_id) "
                   f"WHERE target_type = '{target}'")
    op.execute("UPDATE audit_entry SET insurer_id = target_id WHERE target_type = 'insurer'")


def downgrade():
    with op.batch_alter_table('audit_entry') as batch:
        batch.drop_constraint('fk_audit_entry_insurer_id_insurer', type_='foreignkey')
        batch.drop_index('ix_audit_entry_insurer_id')
        batch.drop_column('insurer_id')
    with op.batch_alter_table('staff_invite') as batch:
        batch.drop_column('insurers_json')
    op.execute("UPDATE staff SET role = 'admin' WHERE role = 'operator'")
    op.drop_index('ix_staff_insurer_insurer_id', table_name='staff_insurer')
    op.drop_table('staff_insurer')
