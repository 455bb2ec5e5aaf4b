"""indexes: people by name, and submitted responses per wave and participant

Revision ID: j12a0index01
Revises: i12c0rsum001
Create Date: 2026-12-01 11:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'j12a0index01'
down_revision = 'i12c0rsum001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_display_name_id', ['display_name', 'id'], unique=False)
    with op.batch_alter_table('outcome_responses', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_responses_wave_member_submitted',
                              ['wave_id', 'membership_id', 'submitted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outcome_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_responses_wave_member_submitted')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_display_name_id')
