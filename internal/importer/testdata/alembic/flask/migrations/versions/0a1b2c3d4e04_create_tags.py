"""create tags

Revision ID: 0a1b2c3d4e04
Revises: 0a1b2c3d4e03
Create Date: 2026-12-07 09:57:21.176105

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e04'
down_revision = '0a1b2c3d4e03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('label'))


def downgrade():
    op.drop_table('tags')
