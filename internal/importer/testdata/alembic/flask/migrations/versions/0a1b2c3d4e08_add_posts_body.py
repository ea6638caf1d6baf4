"""add posts body

Revision ID: 0a1b2c3d4e08
Revises: 0a1b2c3d4e07
Create Date: 2026-12-07 09:57:27.654602

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e08'
down_revision = '0a1b2c3d4e07'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('posts', sa.Column('body', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('posts', 'body')
