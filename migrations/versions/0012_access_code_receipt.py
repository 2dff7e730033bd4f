"""the access code kept for its receipt page until the applicant's first sign-in,
encrypted under a key only their browser session holds

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy would drop SQLite's triggers (0011).
    op.add_column("case", sa.Column("access_code_receipt", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("case", "access_code_receipt")
