"""staff enrolment links; no password until the owner sets one; administrators hold no
other role

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# An account holding the admin role holds no other (portal.core.permissions.HELD_ALONE).
MIXED = "role <> NEW.role AND (role = 'admin' OR NEW.role = 'admin')"
MESSAGE = "an administrator holds no other role"
POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION staff_role_admin_alone() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Roles are rows: lock the account, so that two transactions cannot each add
        -- one half of a forbidden pair without seeing the other.
        PERFORM 1 FROM staff_user WHERE id = NEW.user_id FOR UPDATE;
        IF EXISTS (
            SELECT 1 FROM staff_role WHERE user_id = NEW.user_id AND {MIXED}
            AND NOT (TG_OP = 'UPDATE' AND user_id = OLD.user_id AND role = OLD.role)
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER staff_role_admin_alone BEFORE INSERT OR UPDATE ON staff_role "
    "FOR EACH ROW EXECUTE FUNCTION staff_role_admin_alone()",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER staff_role_admin_alone_insert BEFORE INSERT ON staff_role
    WHEN EXISTS (SELECT 1 FROM staff_role WHERE user_id = NEW.user_id AND {MIXED})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER staff_role_admin_alone_update BEFORE UPDATE ON staff_role
    WHEN EXISTS (
        SELECT 1 FROM staff_role WHERE user_id = NEW.user_id AND {MIXED}
        AND NOT (user_id = OLD.user_id AND role = OLD.role)
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
# An account waiting for its enrolment has no password: a value no argon2 hash can be.
NO_PASSWORD = ""


def upgrade() -> None:
    # Columns and an index only: SQLite adds them in place. Rebuilding staff_user would
    # drop it first, and with it (foreign keys cascade) every role and session.
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.add_column(sa.Column("enrolment_token_hash", sa.LargeBinary(32), nullable=True))
        batch_op.add_column(
            sa.Column("enrolment_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_staff_user_enrolment_token_hash"), ["enrolment_token_hash"], unique=True
        )
    # An account not yet enrolled holds a password an administrator was shown: it stops
    # working. An administrator resets the account for an enrolment link.
    op.execute(
        f"UPDATE staff_user SET password_hash = '{NO_PASSWORD}' WHERE totp_enrolled_at IS NULL"
    )
    # Accounts that mix administration with other work lose the administrator role (the
    # safer half to take away); an operator makes a separate administrator account with
    # `flask --app wsgi staff create` where one is needed.
    op.execute(
        "DELETE FROM staff_role WHERE role = 'admin' AND user_id IN "
        "(SELECT user_id FROM staff_role WHERE role <> 'admin')"
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER staff_role_admin_alone ON staff_role")
        op.execute("DROP FUNCTION staff_role_admin_alone()")
    else:
        op.execute("DROP TRIGGER staff_role_admin_alone_insert")
        op.execute("DROP TRIGGER staff_role_admin_alone_update")
    # Accounts waiting for enrolment keep no password; an administrator resets them.
    # Not in batch mode: SQLite (3.35 and newer) drops the columns in place, where a batch
    # would rebuild the table and cascade the drop to every role and session.
    op.drop_index(op.f("ix_staff_user_enrolment_token_hash"), table_name="staff_user")
    op.drop_column("staff_user", "enrolment_expires_at")
    op.drop_column("staff_user", "enrolment_token_hash")
