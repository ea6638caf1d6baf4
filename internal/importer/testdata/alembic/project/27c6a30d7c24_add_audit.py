"""add audit

Revision ID: 27c6a30d7c24
Revises: 1975ea83b712
Create Date: 2026-12-07 09:36:53.710472

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '27c6a30d7c24'
down_revision = '1975ea83b712'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit', sa.Column('id', sa.Integer, primary_key=True), sa.Column('note', sa.Text))
    op.create_index('ix_audit_note', 'audit', ['note'])



def downgrade() -> None:
    op.drop_index('ix_audit_note', 'audit')
    op.drop_table('audit')

