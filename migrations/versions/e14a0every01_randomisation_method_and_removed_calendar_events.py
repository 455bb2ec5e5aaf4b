"""randomisation method version and allocation sequence; events removed from calendar feeds

Revision ID: e14a0every01
Revises: d6de681ad201
Create Date: 2026-11-30 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import trainer.models.types


# revision identifiers, used by Alembic.
revision = 'e14a0every01'
down_revision = "b11b0robust1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_removed_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('starts_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('removed_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_removed_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_removed_events')),
    sa.UniqueConstraint('user_id', 'uid', name=op.f('uq_calendar_removed_events_user_id_uid'))
    )
    with op.batch_alter_table('calendar_removed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_removed_events_removed_at'), ['removed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_removed_events_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('randomisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('randomisations', schema=None) as batch_op:
        batch_op.drop_column('sequence')
        batch_op.drop_column('method_version')

    with op.batch_alter_table('calendar_removed_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_removed_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_removed_events_removed_at'))

    op.drop_table('calendar_removed_events')
