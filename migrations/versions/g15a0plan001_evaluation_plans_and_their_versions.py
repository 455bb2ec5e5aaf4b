"""evaluation plans and their versions

Revision ID: g15a0plan001
Revises: f12a0scale01
Create Date: 2026-11-30 14:56:40.438100

"""
from alembic import op
import sqlalchemy as sa

import trainer.models.types


# revision identifiers, used by Alembic.
revision = 'g15a0plan001'
down_revision = "f12a0scale01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('locked_at', trainer.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_by_id', sa.Integer(), nullable=True),
    sa.Column('locked_before_post_data', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['locked_by_id'], ['users.id'], name=op.f('fk_evaluation_plans_locked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_evaluation_plans_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_plans'))
    )
    with op.batch_alter_table('evaluation_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_plans_locked_by_id'), ['locked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_plans_programme_id'), ['programme_id'], unique=True)

    op.create_table('evaluation_plan_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('primary_outcome', sa.String(length=120), nullable=False),
    sa.Column('secondary_outcomes', sa.JSON(), nullable=False),
    sa.Column('timepoint', sa.String(length=20), nullable=False),
    sa.Column('analysis', sa.Text(), nullable=False),
    sa.Column('alpha', sa.Float(), nullable=False),
    sa.Column('missing_data', sa.Text(), nullable=False),
    sa.Column('deviation', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_plan_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['evaluation_plans.id'], name=op.f('fk_evaluation_plan_versions_plan_id_evaluation_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_plan_versions')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_evaluation_plan_versions_plan_id_number'))
    )
    with op.batch_alter_table('evaluation_plan_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_plan_versions_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_plan_versions_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_plan_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_plan_versions_plan_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_plan_versions_created_by_id'))

    op.drop_table('evaluation_plan_versions')
    with op.batch_alter_table('evaluation_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_plans_programme_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_plans_locked_by_id'))

    op.drop_table('evaluation_plans')
