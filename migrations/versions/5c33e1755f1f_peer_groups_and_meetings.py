"""Peer groups and meetings

Revision ID: 5c33e1755f1f
Revises: 1ee3462978db
Create Date: 2026-11-22 05:51:59.059650

"""
from alembic import op
import sqlalchemy as sa

import trainer.models.types


# revision identifiers, used by Alembic.
revision = '5c33e1755f1f'
down_revision = '1ee3462978db'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_peer_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_peer_groups_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_groups'))
    )
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_groups_programme_id'), ['programme_id'], unique=False)

    op.create_table('peer_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['peer_groups.id'], name=op.f('fk_peer_group_members_group_id_peer_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_peer_group_members_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_peer_group_members_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_group_members')),
    sa.UniqueConstraint('programme_id', 'membership_id', name=op.f('uq_peer_group_members_programme_id_membership_id'))
    )
    with op.batch_alter_table('peer_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_group_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_group_members_membership_id'), ['membership_id'], unique=False)

    op.create_table('peer_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('agenda', sa.String(length=300), nullable=False),
    sa.Column('private_note', sa.Text(), nullable=False),
    sa.Column('created_at', trainer.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes IS NULL OR minutes >= 0', name=op.f('ck_peer_meetings_minutes_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['memberships.id'], name=op.f('fk_peer_meetings_author_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['peer_groups.id'], name=op.f('fk_peer_meetings_group_id_peer_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_meetings'))
    )
    with op.batch_alter_table('peer_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_meetings_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_meetings_group_id'), ['group_id'], unique=False)



def downgrade():
    with op.batch_alter_table('peer_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_meetings_group_id'))
        batch_op.drop_index(batch_op.f('ix_peer_meetings_author_id'))

    op.drop_table('peer_meetings')
    with op.batch_alter_table('peer_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_group_members_membership_id'))
        batch_op.drop_index(batch_op.f('ix_peer_group_members_group_id'))

    op.drop_table('peer_group_members')
    with op.batch_alter_table('peer_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_groups_programme_id'))

    op.drop_table('peer_groups')
