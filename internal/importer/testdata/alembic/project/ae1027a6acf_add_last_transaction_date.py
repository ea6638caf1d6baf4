"""add last transaction date

Revision ID: ae1027a6acf
Revises: 1975ea83b712
Create Date: 2026-12-07 09:36:53.257507

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ae1027a6acf'
down_revision = '1975ea83b712'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('account', sa.Column('last_transaction_date', sa.Date))



def downgrade() -> None:
    op.drop_column('account', 'last_transaction_date')

