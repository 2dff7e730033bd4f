"""The access code's receipt: shown again to the browser that started the application,
until the applicant first signs in with the code.

The code is kept encrypted in the case row under a random key that only this browser's
session holds (wrapped under a key derived from SECRET_KEY, like the session's case key).
A copy of the database alone, or of the cookie alone, does not show it; the first sign-in
with the code deletes the ciphertext, so that an old copy of the cookie shows nothing after
that. docs/security.md ("The access code's receipt") argues the choice.
"""

import base64

from flask import current_app, session
from sqlalchemy import update
from sqlalchemy.orm import attributes

from portal.cases.models import Case
from portal.core import crypto
from portal.core.db import DbSession

SESSION_KEY = "receipt"
_PURPOSE = "applicant receipt key"
_COLUMN = "access_code_receipt"


def _session_kek() -> bytes:
    return crypto.derive_subkey(current_app.config["SECRET_KEY"].encode(), _PURPOSE)


def _context(case: Case) -> bytes:
    return crypto.field_context("case", _COLUMN, case.id)


def keep(case: Case, access_code: str) -> None:
    """Keep ``access_code`` for this browser's session (after ``session.sign_in``)."""
    key = crypto.new_data_key()
    case.access_code_receipt_ct = crypto.FieldCipher(key).encrypt(
        access_code.encode(), context=_context(case)
    )
    wrapped = crypto.wrap_key(key, _session_kek(), context=_context(case))
    session[SESSION_KEY] = base64.b64encode(wrapped).decode()


def read(case: Case) -> str | None:
    """The access code, if this browser session started the case and nobody has signed in
    with the code since; otherwise None."""
    stored, wrapped = case.access_code_receipt_ct, session.get(SESSION_KEY)
    if stored is None or not isinstance(wrapped, str):
        return None
    try:
        key = crypto.unwrap_key(base64.b64decode(wrapped), _session_kek(), context=_context(case))
        return crypto.FieldCipher(key).decrypt(stored, context=_context(case)).decode()
    except (ValueError, crypto.DecryptionError):
        return None


def available(case: Case) -> bool:
    return read(case) is not None


def forget(db_session: DbSession, case: Case) -> None:
    """The applicant has signed in with the code: they have it, nobody is shown it again.

    Deleted by a statement of its own rather than as a change of the loaded case: intake
    may be screening the case at this very moment (a sign-in right after sending), and the
    row's version check would turn that harmless overlap into an error. The receipt is no
    part of the state the version guards."""
    session.pop(SESSION_KEY, None)
    if case.access_code_receipt_ct is None:
        return
    db_session.execute(
        update(Case)
        .where(Case.id == case.id)
        .values(access_code_receipt_ct=None)
        .execution_options(synchronize_session=False)
    )
    attributes.set_committed_value(case, "access_code_receipt_ct", None)
