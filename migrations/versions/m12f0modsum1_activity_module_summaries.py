"""activity module summaries: per membership and module, what cohort progress shows

Revision ID: m12f0modsum1
Revises: l12e0rates01
Create Date: 2026-12-01 19:50:00.000000

Derived from ``activity_summaries`` in the same statements that recompute those (services/
participation/activity_summaries.py): per membership and module, how many of the module's
assignments in the membership's programme have an entry marked done, their minutes and the
latest day. Cohort progress reads a row per module instead of adding up a row per assignment.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm12f0modsum1'
down_revision = 'l12e0rates01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_module_summaries',
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('last_done_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_activity_module_summaries_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_activity_module_summaries_module_id_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('membership_id', 'module_id', name=op.f('pk_activity_module_summaries'))
    )
    with op.batch_alter_table('activity_module_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_module_summaries_module_id'), ['module_id'], unique=False)
    # Existing summaries: the same statement as ``flask summaries rebuild``.
    op.execute(
        "INSERT INTO activity_module_summaries (membership_id, module_id, done, minutes, last_done_on) "
        "SELECT s.membership_id, a.module_id, sum(CASE WHEN s.done > 0 THEN 1 ELSE 0 END), sum(s.minutes), "
        "max(s.last_done_on) FROM activity_summaries s "
        "JOIN memberships m ON m.id = s.membership_id "
        "JOIN assignments g ON g.id = s.assignment_id AND g.programme_id = m.programme_id "
        "JOIN activities a ON a.id = g.activity_id GROUP BY s.membership_id, a.module_id")


def downgrade():
    with op.batch_alter_table('activity_module_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_module_summaries_module_id'))

    op.drop_table('activity_module_summaries')
