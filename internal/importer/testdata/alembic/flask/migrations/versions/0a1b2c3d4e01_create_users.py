"""create users

Revision ID: 0a1b2c3d4e01
Revises: 
Create Date: 2026-12-07 09:57:15.488558

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e01'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('users')
