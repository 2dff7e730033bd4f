"""the staff language a member of staff chose, kept on their account

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff_user", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("staff_user", "language")
