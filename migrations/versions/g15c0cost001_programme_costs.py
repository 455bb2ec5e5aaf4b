"""programme costs: figures with source and price year, replacement cost and sensitivity range

Revision ID: g15c0cost001
Revises: f12a0scale01
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import trainer.models.types


# revision identifiers, used by Alembic.
revision = 'g15c0cost001'
down_revision = "h12b0summ001"
branch_labels = None
depends_on = None

MONEY = ("trainer_days", "trainer_day_rate", "venue_cost", "materials_cost", "coordination_cost",
         "backfill_cost", "participant_hourly_cost", "peer_meeting_hours", "replacement_cost",
         "sensitivity_from", "sensitivity_to", "sensitivity_step")
SOURCED = ("trainer", "venue", "materials", "coordination", "backfill", "participant", "replacement")


def upgrade():
    columns = [sa.Column('id', sa.Integer(), nullable=False),
               sa.Column('programme_id', sa.Integer(), nullable=False)]
    columns += [sa.Column(name, sa.Numeric(precision=12, scale=2), nullable=True) for name in MONEY]
    for group in SOURCED:
        columns += [sa.Column(f'{group}_source', sa.String(length=300), nullable=False),
                    sa.Column(f'{group}_year', sa.Integer(), nullable=True)]
    op.create_table('programme_costs', *columns,
    sa.Column('updated_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_costs_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_costs')),
    sa.UniqueConstraint('programme_id', name=op.f('uq_programme_costs_programme_id'))
    )


def downgrade():
    op.drop_table('programme_costs')
