"""merge audit and account

Revision ID: 3f1b2c4d5e6f
Revises: 27c6a30d7c24, ae1027a6acf
Create Date: 2026-12-07 09:36:54.080956

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1b2c4d5e6f'
down_revision = ('27c6a30d7c24', 'ae1027a6acf')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
