"""create post tags

Revision ID: 0a1b2c3d4e05
Revises: 0a1b2c3d4e04
Create Date: 2026-12-07 09:57:23.059888

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e05'
down_revision = '0a1b2c3d4e04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('post_tags',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id']),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id']),
        sa.PrimaryKeyConstraint('post_id', 'tag_id'))


def downgrade():
    op.drop_table('post_tags')
