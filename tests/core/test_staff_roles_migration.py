"""0009: accounts that mixed administration with other work lose the administrator role,
passwords an administrator was shown stop working, and nothing else is lost."""

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from portal.accounts.services import create_staff
from portal.core.actors import Role
from portal.extensions import db

ROLE = sa.table("staff_role", sa.column("user_id", sa.Uuid()), sa.column("role", sa.String()))
USER = sa.table(
    "staff_user",
    sa.column("id", sa.Uuid()),
    sa.column("password_hash", sa.String()),
    sa.column("totp_enrolled_at", sa.DateTime(timezone=True)),
)
SESSION = sa.table("staff_session", sa.column("user_id", sa.Uuid()))


def test_the_upgrade_separates_administrators_and_keeps_the_rest(app: Flask) -> None:
    from portal.accounts.auth import open_session

    mixed, _password, _secret = create_staff(db.session, "mixed", "Mixed", [Role.DECIDER])
    waiting, _password, _secret = create_staff(db.session, "waiting", "W", [Role.CASEWORKER])
    admin, _password, _secret = create_staff(db.session, "root", "Root", [Role.ADMIN])
    open_session(db.session, mixed, address="10.0.0.1")
    ids = mixed.id, waiting.id, admin.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0006")
    with db.engine.begin() as connection:  # what the old code allowed
        connection.execute(sa.insert(ROLE).values(user_id=ids[0], role="admin"))
        connection.execute(sa.update(USER).where(USER.c.id == ids[1]).values(totp_enrolled_at=None))
    upgrade()
    with db.engine.connect() as connection:
        roles = set(connection.execute(sa.select(ROLE.c.user_id, ROLE.c.role)).all())
        passwords = dict(connection.execute(sa.select(USER.c.id, USER.c.password_hash)).all())
        sessions = connection.execute(sa.select(sa.func.count()).select_from(SESSION)).scalar()
    assert roles == {(ids[0], "decider"), (ids[1], "caseworker"), (ids[2], "admin")}
    assert passwords[ids[1]] == ""  # shown to an administrator once: no longer a password
    assert passwords[ids[0]].startswith("$argon2id$")
    assert sessions == 1
