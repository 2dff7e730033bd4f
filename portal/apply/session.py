"""The applicant's signed-in state, kept in the session cookie.

The cookie carries the case id and the case data key, wrapped under a key derived from
the server's SECRET_KEY: the cookie alone (say, from a seized phone) opens nothing, and the
server alone never stores an unwrapped key. Signing out, or 30 minutes without a request,
ends it; the draft itself is saved on every step. Signing out also moves the case's
sign-in generation on, which the cookie names: a copy of the cookie made before (a seized
phone's backup, a synced browser profile) no longer opens the case, on any device.
"""

import base64
import uuid

from flask import current_app, session
from sqlalchemy.orm import joinedload

from portal.cases.models import Case
from portal.core import crypto
from portal.core.db import DbSession
from portal.core.i18n import SESSION_KEY as LANGUAGE_KEY

SESSION_KEY = "applicant"
_PURPOSE = "applicant session key"
_KEK = "portal.applicant_session_kek"
# With its people in the same query: nearly every applicant page shows the principal or
# the family, and a second query per page cost a round trip to the database. Built once:
# an option is immutable, and building it cost as much as the key unwrapping.
_WITH_PEOPLE = joinedload(Case.people)


def _session_kek() -> bytes:
    """The key that wraps case keys in cookies, derived once per process and SECRET_KEY.

    It comes from SECRET_KEY alone, which the process holds anyway, and from nothing of a
    case or a person: deriving it again on every request gave nothing but the cost.
    """
    secret = current_app.config["SECRET_KEY"]
    kept = current_app.extensions.get(_KEK)
    if kept is None or kept[0] != secret:
        kept = current_app.extensions[_KEK] = (
            secret,
            crypto.derive_subkey(secret.encode(), _PURPOSE),
        )
    kek: bytes = kept[1]
    return kek


def _context(case_id: uuid.UUID) -> bytes:
    return f"applicant-session|{case_id}".encode()


def sign_in(case: Case) -> None:
    """Remember the unlocked case for the next requests of this browser."""
    data_key = case.sealed_cipher("case").unsafe_export_key()
    wrapped = crypto.wrap_key(data_key, _session_kek(), context=_context(case.id))
    _clear_keeping_language()  # a fresh session: nothing else from before carries over
    session.permanent = True
    session[SESSION_KEY] = {
        "case": str(case.id),
        "key": base64.b64encode(wrapped).decode(),
        # A case started in this request may not be written yet: its generation is 0.
        "generation": case.sign_in_generation or 0,
    }


def _clear_keeping_language() -> None:
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def sign_out(case: Case | None = None) -> None:
    """Forget the case in this browser; with the signed-in ``case``, in every browser."""
    if case is not None:
        case.sign_in_generation += 1
    _clear_keeping_language()


def current_case(db_session: DbSession) -> Case | None:
    """The signed-in applicant's case, unlocked; None when nobody is signed in."""
    state = session.get(SESSION_KEY)
    if not isinstance(state, dict):
        return None
    try:
        case_id = uuid.UUID(state["case"])
        wrapped = base64.b64decode(state["key"])
        data_key = crypto.unwrap_key(wrapped, _session_kek(), context=_context(case_id))
    except (KeyError, ValueError, TypeError, crypto.DecryptionError):
        sign_out()
        return None
    case = db_session.get(Case, case_id, options=[_WITH_PEOPLE])
    if case is None or case.shredded_at is not None:
        sign_out()
        return None
    if state.get("generation") != case.sign_in_generation:  # signed out since
        sign_out()
        return None
    case.unlock("case", crypto.FieldCipher(data_key))
    return case
