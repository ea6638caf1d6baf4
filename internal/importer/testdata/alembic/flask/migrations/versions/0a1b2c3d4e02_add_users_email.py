"""add users email

Revision ID: 0a1b2c3d4e02
Revises: 0a1b2c3d4e01
Create Date: 2026-12-07 09:57:18.511993

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e02'
down_revision = '0a1b2c3d4e01'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('users', 'email')
