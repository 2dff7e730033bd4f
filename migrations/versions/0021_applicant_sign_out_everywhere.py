"""the applicant's sign-in generation on the case: signing out moves it on, and every
session cookie of the case, copies made before included, stops opening it

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch copy would drop SQLite's triggers (0011).
    op.add_column(
        "case", sa.Column("sign_in_generation", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("case", "sign_in_generation")
