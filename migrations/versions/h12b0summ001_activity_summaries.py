"""activity summaries: per membership and assignment, counts and minutes of activity logs

Revision ID: h12b0summ001
Revises: f12a0scale01
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h12b0summ001'
down_revision = "g15b0itt0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_summaries',
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('last_done_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_activity_summaries_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_activity_summaries_membership_id_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('membership_id', 'assignment_id', name=op.f('pk_activity_summaries'))
    )
    with op.batch_alter_table('activity_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_summaries_assignment_id'), ['assignment_id'], unique=False)
    # Existing logs: the same statement as ``flask summaries rebuild``.
    op.execute(
        "INSERT INTO activity_summaries (membership_id, assignment_id, entries, done, minutes, last_done_on) "
        "SELECT membership_id, assignment_id, count(id), "
        "sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END), coalesce(sum(minutes), 0), max(done_on) "
        "FROM activity_logs GROUP BY membership_id, assignment_id")


def downgrade():
    with op.batch_alter_table('activity_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_summaries_assignment_id'))

    op.drop_table('activity_summaries')
