"""leaver categories of the national workforce statistics on memberships

Revision ID: g15b0itt0001
Revises: f12a0scale01
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g15b0itt0001'
down_revision = "g15a0plan001"
branch_labels = None
depends_on = None

CATEGORIES = "('another_la', 'agency', 'left_profession', 'other_unknown')"


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaver_category', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_memberships_leaver_category_known'),
            f"leaver_category IS NULL OR leaver_category IN {CATEGORIES}")
    # Leavers recorded before the categories existed: their category is not known.
    op.execute("UPDATE memberships SET leaver_category = 'other_unknown' "
               "WHERE left_on IS NOT NULL OR in_post = false")


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_memberships_leaver_category_known'), type_='check')
        batch_op.drop_column('leaver_category')
