"""Rating responses: who was invited to a rating wave, started and finished it.

Revision ID: 52ed1c6b0acc
Revises: 2b6eca050bae
Create Date: 2026-11-22 05:52:11.782828

"""
from alembic import op
import sqlalchemy as sa

import trainer.models.types


# revision identifiers, used by Alembic.
revision = '52ed1c6b0acc'
down_revision = '2b6eca050bae'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rating_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', trainer.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', trainer.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', trainer.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_reminded_at', trainer.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_rating_responses_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['rating_waves.id'], name=op.f('fk_rating_responses_wave_id_rating_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_responses')),
    sa.UniqueConstraint('wave_id', 'membership_id', name=op.f('uq_rating_responses_wave_id_membership_id'))
    )
    with op.batch_alter_table('rating_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_responses_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_responses_wave_id'), ['wave_id'], unique=False)



def downgrade():
    with op.batch_alter_table('rating_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_responses_wave_id'))
        batch_op.drop_index(batch_op.f('ix_rating_responses_membership_id'))

    op.drop_table('rating_responses')
