"""rating summaries: per wave and module, how many intervention participants gave each score

Revision ID: i12c0rsum001
Revises: g15c0cost001
Create Date: 2026-11-30 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i12c0rsum001'
down_revision = 'g15c0cost001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rating_summaries',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('score_1', sa.Integer(), nullable=False),
    sa.Column('score_2', sa.Integer(), nullable=False),
    sa.Column('score_3', sa.Integer(), nullable=False),
    sa.Column('score_4', sa.Integer(), nullable=False),
    sa.Column('score_5', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_rating_summaries_module_id_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_rating_summaries_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['rating_waves.id'], name=op.f('fk_rating_summaries_wave_id_rating_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'module_id', name=op.f('pk_rating_summaries'))
    )
    with op.batch_alter_table('rating_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_summaries_module_id'), ['module_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_summaries_programme_id'), ['programme_id'], unique=False)
    # Existing ratings: the same statement as ``flask summaries rebuild``.
    op.execute(
        "INSERT INTO rating_summaries (wave_id, module_id, programme_id, score_1, score_2, score_3, "
        "score_4, score_5) "
        "SELECT r.wave_id, r.module_id, w.programme_id, "
        "sum(CASE WHEN r.usefulness = 1 THEN 1 ELSE 0 END), sum(CASE WHEN r.usefulness = 2 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN r.usefulness = 3 THEN 1 ELSE 0 END), sum(CASE WHEN r.usefulness = 4 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN r.usefulness = 5 THEN 1 ELSE 0 END) "
        "FROM module_ratings r JOIN rating_waves w ON w.id = r.wave_id "
        "JOIN memberships m ON m.id = r.membership_id "
        "WHERE m.arm = 'intervention' AND r.usefulness IS NOT NULL "
        "GROUP BY r.wave_id, r.module_id, w.programme_id")


def downgrade():
    with op.batch_alter_table('rating_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_summaries_programme_id'))
        batch_op.drop_index(batch_op.f('ix_rating_summaries_module_id'))

    op.drop_table('rating_summaries')
