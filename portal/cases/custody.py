"""Who can open a case's keys, and every time they do.

A case has a data key (scope ``case``) for everything the applicant gave, stored twice,
wrapped: sealed to the intake public key, and under a key derived from the applicant's
access code. The internal face may also give it a staff key (scope ``staff``), wrapped
under the internal key, for notes and decisions the applicant must never read.
Every unwrap for staff or the system writes an audit event.
"""

import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing
from functools import partial
from typing import cast

from flask import current_app
from sqlalchemy import delete, select

from portal.cases.models import BlindIndex, Case, KeyWrap
from portal.cases.states import ActorKind, Programme
from portal.core import codes, crypto, shred_ledger
from portal.core.audit import record_event
from portal.core.blobstore import BlobStore, store_for
from portal.core.db import DbSession, utcnow
from portal.core.keyring import KeyRing
from portal.core.unit_of_work import after_commit

CASE, STAFF = "case", "staff"
INTAKE, ACCESS_CODE, INTERNAL = "intake", "access_code", "internal"
# Stands in for a missing case so a wrong reference costs as much time as a wrong code.
_DECOY_SALT = bytes(16)


def keyring() -> KeyRing:
    return cast(KeyRing, current_app.extensions["portal.keyring"])


def blob_store() -> BlobStore:
    """The app's blob store (docs/scaling.md, "The blob store")."""
    config = current_app.config
    if not config.get("PORTAL_BLOB_URL"):
        return store_for(config)
    # An object store's client holds a connection pool: made once per app, not per request.
    # Keyed by its settings, so an app whose configuration changes gets a store to match.
    settings = (config["PORTAL_BLOB_URL"], config.get("PORTAL_BLOB_S3_SSE"))
    stores = current_app.extensions.setdefault("portal.blob_stores", {})
    if settings not in stores:
        stores[settings] = store_for(config)
    return cast(BlobStore, stores[settings])


def document_chunks(case: Case, document_id: uuid.UUID) -> Iterator[bytes]:
    """A document of an unlocked case, decrypted chunk by chunk as a response sends it.

    It needs no app or request context once returned: the store and the key are taken
    now, and the first chunk is decrypted now, so a missing or unreadable blob fails
    before a response has begun. A later chunk that fails its check ends the body with
    an error: nothing from it or after it is sent.
    """
    chunks = blob_store().read(case.sealed_cipher(CASE), case.id, document_id)
    first = next(chunks)  # every blob has at least one chunk, if only an empty one
    return _resumed(first, chunks)


def _resumed(first: bytes, rest: Generator[bytes, None, None]) -> Iterator[bytes]:
    with closing(rest):  # a client that goes away closes the blob file at once
        yield first
        yield from rest


def _context(case_id: uuid.UUID, scope: str, method: str) -> bytes:
    return f"keywrap|{case_id}|{scope}|{method}".encode()


def _scrypt_cost() -> crypto.ScryptCost:
    return crypto.ScryptCost(n=current_app.config["PORTAL_SCRYPT_N"])


def seal_for_intake(case_id: uuid.UUID, data_key: bytes) -> KeyWrap:
    version, public = keyring().current_intake_public()
    return seal_to_intake_key(case_id, data_key, version=version, public_key=public)


def seal_to_intake_key(
    case_id: uuid.UUID, data_key: bytes, *, version: int, public_key: bytes
) -> KeyWrap:
    """Split out so processes without an app (the demo seeder's workers) can seal too."""
    sealed = crypto.seal_to_public_key(
        data_key, public_key, context=_context(case_id, CASE, INTAKE)
    )
    return KeyWrap(case_id=case_id, scope=CASE, method=INTAKE, key_version=version, wrapped=sealed)


def wrap_for_access_code(
    case_id: uuid.UUID, data_key: bytes, code: str, *, salt: bytes, cost: crypto.ScryptCost
) -> KeyWrap:
    kek = crypto.derive_access_code_key(code, salt, cost)
    return wrap_under_derived_key(case_id, data_key, kek, salt=salt, cost=cost)


def wrap_under_derived_key(
    case_id: uuid.UUID, data_key: bytes, kek: bytes, *, salt: bytes, cost: crypto.ScryptCost
) -> KeyWrap:
    """Split out so the demo seeder can derive one key and reuse it for many cases."""
    wrapped = crypto.wrap_key(data_key, kek, context=_context(case_id, CASE, ACCESS_CODE))
    return KeyWrap(
        case_id=case_id, scope=CASE, method=ACCESS_CODE, salt=salt, scrypt_n=cost.n, wrapped=wrapped
    )


def _unused_reference(session: DbSession) -> str:
    """A fresh reference; a collision at 60 bits is unlikely, but would cost a case."""
    while True:
        reference = codes.new_reference()
        if session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return reference


def start_case(session: DbSession, *, programme: Programme, language: str) -> tuple[Case, str]:
    """Create a draft case and its keys; return it unlocked with its new access code.

    The access code is returned once: only its derived key is kept here (the applicant's
    receipt keeps the code itself, encrypted, until the first sign-in: apply/receipt.py).
    """
    case = Case(
        id=uuid.uuid4(),
        reference=_unused_reference(session),
        programme=programme,
        language=language,
    )
    access_code = codes.new_access_code()
    data_key = crypto.new_data_key()
    session.add(case)
    session.add(seal_for_intake(case.id, data_key))
    session.add(
        wrap_for_access_code(
            case.id, data_key, access_code, salt=crypto.new_salt(), cost=_scrypt_cost()
        )
    )
    case.unlock(CASE, crypto.FieldCipher(data_key))
    record_event(session, "case.started", actor_kind=ActorKind.APPLICANT, case_id=case.id)
    return case, access_code


def _wrap(session: DbSession, case_id: uuid.UUID, scope: str, method: str) -> KeyWrap | None:
    return session.scalar(
        select(KeyWrap).where(
            KeyWrap.case_id == case_id, KeyWrap.scope == scope, KeyWrap.method == method
        )
    )


def open_with_access_code(session: DbSession, reference: str, access_code: str) -> Case | None:
    """The case behind a reference and access code, unlocked; None for any mismatch.

    A wrong code and an unknown reference take the same time and give the same answer,
    so nobody learns whether a reference exists.
    """
    canonical_reference = codes.normalise_reference(reference)
    canonical_code = codes.normalise_access_code(access_code) or ""
    case = (
        session.scalar(select(Case).where(Case.reference == canonical_reference))
        if canonical_reference
        else None
    )
    wrap = _wrap(session, case.id, CASE, ACCESS_CODE) if case else None
    if case is None or wrap is None or wrap.salt is None or not canonical_code:
        crypto.derive_access_code_key(canonical_code or "-", _DECOY_SALT, _scrypt_cost())
        return None
    kek = crypto.derive_access_code_key(
        canonical_code, wrap.salt, crypto.ScryptCost(n=wrap.scrypt_n or _scrypt_cost().n)
    )
    try:
        data_key = crypto.unwrap_key(
            wrap.wrapped, kek, context=_context(case.id, CASE, ACCESS_CODE)
        )
    except crypto.DecryptionError:
        record_event(
            session, "applicant.sign_in_failed", actor_kind=ActorKind.APPLICANT, case_id=case.id
        )
        return None
    case.unlock(CASE, crypto.FieldCipher(data_key))
    _audit_decryption(session, case, ActorKind.APPLICANT, None, "applicant_sign_in")
    return case


def open_with_intake_key(
    session: DbSession,
    case: Case,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    purpose: str,
    with_staff_key: bool = False,
) -> Case:
    """Unlock a case's data key with the intake private key (internal face only).

    ``with_staff_key`` unlocks (creating on first use) the staff key too, as
    ``open_staff_key`` would, reading both wraps at once.
    """
    open_with_intake_keys(
        session,
        [case],
        actor_kind=actor_kind,
        actor_id=actor_id,
        purpose=purpose,
        with_staff_key=with_staff_key,
    )
    return case


def open_with_intake_keys(
    session: DbSession,
    cases: Iterable[Case],
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    purpose: str,
    with_staff_key: bool = False,
) -> None:
    """``open_with_intake_key`` for several cases, reading all their wraps at once."""
    cases = list(cases)
    methods = (INTAKE, INTERNAL) if with_staff_key else (INTAKE,)
    wraps = {
        (wrap.case_id, wrap.scope, wrap.method): wrap
        for wrap in session.scalars(
            select(KeyWrap).where(
                KeyWrap.case_id.in_([case.id for case in cases]), KeyWrap.method.in_(methods)
            )
        )
    }
    for case in cases:
        wrap = wraps.get((case.id, CASE, INTAKE))
        if wrap is None or wrap.key_version is None:
            raise crypto.DecryptionError("this case has no intake key (shredded?)")
        unsealer = keyring().intake_unsealer(wrap.key_version)
        data_key = unsealer.unseal(wrap.wrapped, context=_context(case.id, CASE, INTAKE))
        case.unlock(CASE, crypto.FieldCipher(data_key))
        _audit_decryption(session, case, actor_kind, actor_id, purpose)
        if with_staff_key:
            _unlock_staff_key(
                session,
                case,
                wraps.get((case.id, STAFF, INTERNAL)),
                actor_kind=actor_kind,
                actor_id=actor_id,
            )


def open_staff_key(
    session: DbSession, case: Case, *, actor_kind: ActorKind, actor_id: uuid.UUID | None = None
) -> Case:
    """Unlock (creating on first use) the staff-only key of a case."""
    wrap = _wrap(session, case.id, STAFF, INTERNAL)
    _unlock_staff_key(session, case, wrap, actor_kind=actor_kind, actor_id=actor_id)
    return case


def open_staff_keys(
    session: DbSession,
    cases: Iterable[Case],
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    wraps: Mapping[uuid.UUID, KeyWrap] | None = None,
) -> None:
    """``open_staff_key`` for several cases, reading their wraps at once (or taking the
    staff wraps the caller read already: a case missing from ``wraps`` has none yet)."""
    cases = list(cases)
    if not cases:
        return
    if wraps is None:
        wraps = {
            wrap.case_id: wrap
            for wrap in session.scalars(
                select(KeyWrap).where(
                    KeyWrap.case_id.in_([case.id for case in cases]),
                    KeyWrap.scope == STAFF,
                    KeyWrap.method == INTERNAL,
                )
            )
        }
    for case in cases:
        _unlock_staff_key(
            session, case, wraps.get(case.id), actor_kind=actor_kind, actor_id=actor_id
        )


def _unlock_staff_key(
    session: DbSession,
    case: Case,
    wrap: KeyWrap | None,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None,
) -> None:
    context = _context(case.id, STAFF, INTERNAL)
    if wrap is None:
        version, internal_key = keyring().current_internal()
        staff_key = crypto.new_data_key()
        session.add(
            KeyWrap(
                case_id=case.id,
                scope=STAFF,
                method=INTERNAL,
                key_version=version,
                wrapped=crypto.wrap_key(staff_key, internal_key, context=context),
            )
        )
    else:
        internal_key = keyring().internal_key(wrap.key_version or 0)
        staff_key = crypto.unwrap_key(wrap.wrapped, internal_key, context=context)
        _audit_decryption(session, case, actor_kind, actor_id, "staff_data")
    case.unlock(STAFF, crypto.FieldCipher(staff_key))


def _audit_decryption(
    session: DbSession,
    case: Case,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None,
    purpose: str,
) -> None:
    """Every unwrap of a case's key is in the audit trail, with who and why."""
    record_event(
        session,
        "case.decrypted",
        actor_kind=actor_kind,
        actor_id=actor_id,
        case_id=case.id,
        purpose=purpose,
    )


def _batches(
    session: DbSession, method: str, below_version: int, size: int
) -> Iterator[list[KeyWrap]]:
    while True:
        batch = list(
            session.scalars(
                select(KeyWrap)
                .where(KeyWrap.method == method, KeyWrap.key_version < below_version)
                .limit(size)
            )
        )
        if not batch:
            return
        yield batch


def _rewrap_all(
    session: DbSession,
    method: str,
    version: int,
    rewrap: Callable[[KeyWrap, bytes], bytes],
    batch_size: int,
) -> int:
    """Rewrap every ``method`` wrap older than ``version``, committing batch by batch, so
    running it again after an interruption finishes the rest."""
    done = 0
    for batch in _batches(session, method, version, batch_size):
        for wrap in batch:
            wrap.wrapped = rewrap(wrap, _context(wrap.case_id, wrap.scope, method))
            wrap.key_version = version
        done += len(batch)
        record_event(
            session,
            "keys.rotated",
            actor_kind=ActorKind.SYSTEM,
            kind=method,
            version=str(version),
            count=str(len(batch)),
        )
        session.commit()
    return done


def rotate_intake_wraps(session: DbSession, *, batch_size: int = 500) -> int:
    """Re-seal every case data key to the newest intake key; fields are not touched."""
    version, public = keyring().current_intake_public()

    def reseal(wrap: KeyWrap, context: bytes) -> bytes:
        data_key = (
            keyring().intake_unsealer(wrap.key_version or 0).unseal(wrap.wrapped, context=context)
        )
        return crypto.seal_to_public_key(data_key, public, context=context)

    return _rewrap_all(session, INTAKE, version, reseal, batch_size)


def rotate_internal_wraps(session: DbSession, *, batch_size: int = 500) -> int:
    """Re-wrap every staff key under the newest internal key."""
    version, current = keyring().current_internal()

    def rewrap(wrap: KeyWrap, context: bytes) -> bytes:
        old = keyring().internal_key(wrap.key_version or 0)
        return crypto.wrap_key(
            crypto.unwrap_key(wrap.wrapped, old, context=context), current, context=context
        )

    return _rewrap_all(session, INTERNAL, version, rewrap, batch_size)


def shred(
    session: DbSession,
    case: Case,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    from_ledger: bool = False,
    **details: str,
) -> None:
    """Crypto-shred a case: without its wrapped keys its ciphertext is noise everywhere.

    The clear columns stay (reports count them), and so does the audit trail. The shred is
    written to the shred ledger before the commit, so that restoring an older backup cannot
    bring the case back (``portal.cases.retention.reapply``), unless it comes from the
    ledger (``from_ledger``) already. The documents' blobs go once the commit has
    succeeded: a rollback keeps the case whole.
    """
    session.execute(delete(KeyWrap).where(KeyWrap.case_id == case.id))
    session.execute(delete(BlindIndex).where(BlindIndex.case_id == case.id))
    if not from_ledger:
        promise_to_ledger(session, case.id, shred_ledger.SHREDDED)
    after_commit(session, partial(blob_store().delete_case, case.id))
    if case.shredded_at is None:
        case.shredded_at = utcnow()
    case.forget_keys()
    if from_ledger:
        details["source"] = "shred_ledger"
    record_event(
        session,
        "case.shredded",
        actor_kind=actor_kind,
        actor_id=actor_id,
        case_id=case.id,
        **details,
    )


def promise_to_ledger(session: DbSession, case_id: uuid.UUID, action: str) -> None:
    """Note in the shred ledger, ahead of the commit, that ``case_id`` is gone for good."""
    shred_ledger.promise(
        session,
        case_id,
        action,
        path=current_app.config["PORTAL_SHRED_LEDGER_PATH"],
        private_key=keyring().audit_checkpoint_key(),
        # In production a missing ledger is a warning sign (deleted, or a volume not
        # mounted): only an operator starts one (`retention start-ledger`).
        may_start=current_app.config["PORTAL_ENV"] == "development",
    )
