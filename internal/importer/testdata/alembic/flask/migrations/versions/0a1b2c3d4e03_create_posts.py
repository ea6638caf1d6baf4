"""create posts

Revision ID: 0a1b2c3d4e03
Revises: 0a1b2c3d4e02
Create Date: 2026-12-07 09:57:20.554580

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e03'
down_revision = '0a1b2c3d4e02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('posts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('posts')
