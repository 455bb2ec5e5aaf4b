"""Recovery requests: "forgotten your password?" requests, kept for throttling.

Revision ID: b11a0auth001
Revises: d6de681ad201
Create Date: 2026-11-30 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import trainer.models.types


# revision identifiers, used by Alembic.
revision = 'b11a0auth001'
down_revision = 'd6de681ad201'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('requested_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_requests'))
    )
    with op.batch_alter_table('recovery_requests', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_requests_email_at', ['email', 'requested_at'], unique=False)
        batch_op.create_index('ix_recovery_requests_ip_at', ['ip', 'requested_at'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_requests_ip_at')
        batch_op.drop_index('ix_recovery_requests_email_at')

    op.drop_table('recovery_requests')
