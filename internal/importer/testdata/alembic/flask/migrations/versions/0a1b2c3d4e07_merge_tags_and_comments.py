"""merge tags and comments

Revision ID: 0a1b2c3d4e07
Revises: 0a1b2c3d4e05, 0a1b2c3d4e06
Create Date: 2026-12-07 09:57:25.918420

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e07'
down_revision = ('0a1b2c3d4e05', '0a1b2c3d4e06')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
