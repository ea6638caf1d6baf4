"""create audit

Revision ID: 0a1b2c3d4e09
Revises: 0a1b2c3d4e08
Create Date: 2026-12-07 09:57:29.161400

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a1b2c3d4e09'
down_revision = '0a1b2c3d4e08'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('audit')
