"""create comments

Revision ID: 0a1b2c3d4e06
Revises: 0a1b2c3d4e04
Create Date: 2026-12-07 09:57:24.993558

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e06'
down_revision = '0a1b2c3d4e04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id']),
        sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('comments')
