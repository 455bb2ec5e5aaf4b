"""evaluator role and random participant codes

Revision ID: c09a0eval001
Revises: d6de681ad201
Create Date: 2026-11-30 14:20:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c09a0eval001'
down_revision = "d13a0ops0001"
branch_labels = None
depends_on = None

# Kept here, not imported from the app: a migration must keep doing what it did when written.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _recode(connection) -> None:
    """Give every participant a fresh random code, unique within its programme."""
    memberships = sa.table('memberships', sa.column('id', sa.Integer), sa.column('programme_id', sa.Integer),
                           sa.column('role', sa.String), sa.column('code', sa.String))
    rows = connection.execute(sa.select(memberships.c.id, memberships.c.programme_id)
                              .where(memberships.c.role == 'participant')).all()
    # Clear first, so a new code never collides with an old one still in the table.
    connection.execute(memberships.update().where(memberships.c.role == 'participant').values(code=None))
    taken: dict[int, set[str]] = {}
    for membership_id, programme_id in rows:
        used = taken.setdefault(programme_id, set())
        while (code := "".join(secrets.choice(ALPHABET) for _ in range(6))) in used:
            continue
        used.add(code)
        connection.execute(memberships.update().where(memberships.c.id == membership_id).values(code=code))


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_memberships_role_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_memberships_role_known'),
            "role IN ('lead', 'trainer', 'participant', 'evaluator')")
    _recode(op.get_bind())


def downgrade():
    op.execute("DELETE FROM memberships WHERE role = 'evaluator'")
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_memberships_role_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_memberships_role_known'), "role IN ('lead', 'trainer', 'participant')")
