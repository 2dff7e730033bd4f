"""What the public face's processes can do with a submitted case: run in its environment
(its env file: its key directory, its database role) by the deployment test.

    python -m deploy.test.public_face CASE_ID

Prints what it tried and "the public face cannot open the case" when every attempt
failed as it must; exits non-zero if any succeeded.
"""

import sys
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import ProgrammingError

from portal import create_app
from portal.cases import custody
from portal.cases.models import Case, KeyWrap
from portal.core.actors import ActorKind
from portal.core.keyring import KeyRing, MissingKeyError
from portal.extensions import db


def refused(what: str) -> None:
    print(f"     refused: {what}")


def main(case_id: uuid.UUID) -> int:
    app = create_app()
    faces = app.config["PORTAL_FACES"]
    if faces != {"public"}:
        raise SystemExit(f"not the public face's environment: PORTAL_FACES={sorted(faces)}")
    keys = Path(app.config["PORTAL_KEYS_DIR"])
    held = sorted(str(p.relative_to(keys)) for p in keys.rglob("*") if p.is_file())
    print(f"     {keys} holds: {', '.join(held)}")
    if any(not (name.endswith(".public") or name == "audit.key") for name in held):
        raise SystemExit("FAILED: the public face's key directory holds a private key")
    # Even told it were the internal face, a ring from this directory has no private key.
    ring = KeyRing.load(keys, internal=True)
    if ring.missing(internal=True) != [
        "intake private key",
        "internal key",
        "blind index key",
        "audit checkpoint key",
    ]:
        raise SystemExit("FAILED: a private key was found in the public face's directory")
    refused("loading private keys: " + ", ".join(ring.missing(internal=True)) + " missing")

    with app.app_context():
        case = db.session.get(Case, case_id)
        if case is None:
            raise SystemExit(f"FAILED: case {case_id} not found")
        wraps = db.session.scalars(select(KeyWrap.method).where(KeyWrap.case_id == case_id)).all()
        print(f"     the case's status is {case.status}; its key is wrapped for: {sorted(wraps)}")
        try:
            custody.open_with_intake_key(
                db.session, case, actor_kind=ActorKind.SYSTEM, purpose="deployment_test"
            )
        except MissingKeyError as error:
            refused(f"unsealing the case key: {error}")
        else:
            raise SystemExit("FAILED: the public face unsealed a submitted case")
        finally:
            db.session.rollback()
        for table in ("staff_user", "note", "decision", "risk_assessment", "audit_event"):
            try:
                db.session.execute(select(db.text("1")).select_from(db.table(table)).limit(1))
            except ProgrammingError as error:
                refused(f"reading {table}: {type(error.orig).__name__}")
                db.session.rollback()
            else:
                raise SystemExit(f"FAILED: the public face's database role reads {table}")
    print("     the public face cannot open the case")
    return 0


if __name__ == "__main__":
    sys.exit(main(uuid.UUID(sys.argv[1])))
