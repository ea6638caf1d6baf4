"""add users created

Revision ID: 0a1b2c3d4e10
Revises: 0a1b2c3d4e09
Create Date: 2026-12-07 09:57:31.241575

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e10'
down_revision = '0a1b2c3d4e09'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('created', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('users', 'created')
