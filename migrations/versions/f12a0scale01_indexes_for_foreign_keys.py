"""indexes for every foreign key that lacked one

Revision ID: f12a0scale01
Revises: d6de681ad201
Create Date: 2026-11-30 14:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f12a0scale01'
down_revision = "e14a0every01"
branch_labels = None
depends_on = None

# (table, column) pairs: each gets the index its model declares with ``index=True``.
INDEXES = (
    ('activity_logs', 'assignment_id'),
    ('module_ratings', 'module_id'),
    ('assignments', 'activity_id'),
    ('assignments', 'created_by_id'),
    ('audit_events', 'actor_id'),
    ('audit_events', 'programme_id'),
    ('day_attendance', 'recorded_by_id'),
    ('password_tokens', 'created_by_id'),
    ('peer_groups', 'created_by_id'),
    ('programmes', 'copied_from_id'),
    ('randomisations', 'created_by_id'),
    ('session_attendance', 'recorded_by_id'),
)


def upgrade():
    for table, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def downgrade():
    for table, column in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
