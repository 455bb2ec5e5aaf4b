"""randomisation method version and allocation sequence

Revision ID: e14a0every01
Revises: d6de681ad201
Create Date: 2026-11-30 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e14a0every01'
down_revision = 'd6de681ad201'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('randomisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('randomisations', schema=None) as batch_op:
        batch_op.drop_column('sequence')
        batch_op.drop_column('method_version')
