"""create account

Revision ID: 1975ea83b712
Revises: 
Create Date: 2026-12-07 09:36:52.646884

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1975ea83b712'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(50), nullable=False), sa.Column('description', sa.String(200)))



def downgrade() -> None:
    op.drop_table('account')

