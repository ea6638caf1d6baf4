"""index posts title

Revision ID: 0a1b2c3d4e11
Revises: 0a1b2c3d4e10
Create Date: 2026-12-07 09:57:33.592016

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e11'
down_revision = '0a1b2c3d4e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_posts_title', 'posts', ['title'], unique=False)


def downgrade():
    op.drop_index('ix_posts_title', table_name='posts')
