"""Who can open a case: the applicant's access code, the internal face, nobody after shredding."""

import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import create_staff
from portal.cases.custody import open_with_access_code, open_with_intake_key, shred
from portal.cases.models import Case, KeyWrap, Note
from portal.cases.states import ActorKind
from portal.core import codes
from portal.core.audit import AuditEvent
from portal.core.crypto import DecryptionError
from portal.core.keyring import MissingKeyError
from portal.core.sealed import LockedError
from portal.extensions import db
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL, make_case

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _saved_case() -> tuple[str, str]:
    case, code = make_case(db.session)
    db.session.commit()
    reference = case.reference
    db.session.remove()
    return reference, code


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: codes.grouped(code),
        lambda code: " ".join(codes.grouped(code).lower().split("-")).translate(PERSIAN_DIGITS),
    ],
    ids=["canonical", "lowercase", "grouped", "persian-digits-lowercase-spaces"],
)
def test_the_access_code_opens_the_case_however_it_is_typed(app: Flask, typed) -> None:
    reference, code = _saved_case()
    case = open_with_access_code(db.session, reference.lower(), typed(code))
    assert case is not None
    assert case.principal is not None
    assert case.principal.family_name == PRINCIPAL["family_name"]


def test_a_wrong_code_and_an_unknown_reference_look_the_same(app: Flask) -> None:
    reference, code = _saved_case()
    wrong_code = code[:-1] + ("0" if code[-1] != "0" else "1")
    unknown_reference = codes.new_reference()
    assert open_with_access_code(db.session, reference, wrong_code) is None
    assert open_with_access_code(db.session, unknown_reference, code) is None
    assert open_with_access_code(db.session, "not a reference", "nor a code") is None
    # Staff can still see the failed attempt on the real case.
    failures = db.session.scalar(
        select(func.count()).where(AuditEvent.action == "applicant.sign_in_failed")
    )
    assert failures == 1


def test_a_public_face_holds_no_private_key_and_cannot_decrypt(make_app: AppFactory) -> None:
    internal = make_app()
    with internal.app_context():
        case, _code = make_case(db.session)
        db.session.commit()
        case_id = case.id
    public = make_app(PORTAL_FACES=frozenset({"public"}))
    ring = public.extensions["portal.keyring"]
    assert ring.intake_private == {} and ring.internal == {} and ring.blind_index_master is None
    with public.app_context():
        stored = db.session.get(Case, case_id)
        assert stored is not None
        with pytest.raises(MissingKeyError):
            open_with_intake_key(db.session, stored, actor_kind=ActorKind.SYSTEM, purpose="test")


def test_every_decryption_is_audited(app: Flask) -> None:
    reference, code = _saved_case()
    case = open_with_access_code(db.session, reference, code)
    assert case is not None
    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="intake")
    db.session.commit()
    purposes = db.session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.action == "case.decrypted", AuditEvent.case_id == case.id
        )
    ).all()
    assert [details["purpose"] for details in purposes] == ["applicant_sign_in", "intake"]


def test_a_shredded_case_cannot_be_opened_by_anyone(app: Flask, tmp_path: Path) -> None:
    reference, code = _saved_case()
    case = open_with_access_code(db.session, reference, code)
    assert case is not None
    shred(db.session, case, actor_kind=ActorKind.SYSTEM)
    db.session.commit()
    case_id = case.id
    db.session.remove()

    stored = db.session.get(Case, case_id)
    assert stored is not None and stored.shredded_at is not None
    assert stored.people[0].given_names_ct  # the ciphertext is still there...
    assert db.session.scalar(select(func.count()).where(KeyWrap.case_id == case_id)) == 0
    assert open_with_access_code(db.session, reference, code) is None  # ...and unreadable
    with pytest.raises(DecryptionError):
        open_with_intake_key(db.session, stored, actor_kind=ActorKind.SYSTEM, purpose="test")


def _purposes(case_id) -> list[str]:
    return [
        details["purpose"]
        for details in db.session.scalars(
            select(AuditEvent.details)
            .where(AuditEvent.action == "case.decrypted", AuditEvent.case_id == case_id)
            .order_by(AuditEvent.id)
        )
    ]


def _author_id() -> uuid.UUID:
    user, _password, _secret = create_staff(db.session, "writer", "Writer", [Role.CASEWORKER])
    return user.id


def _note(case: Case, author_id: uuid.UUID, body: str) -> Note:
    """A note sealed with the case's staff key, as review writes one: the key must be open."""
    note = Note(case=case, author_id=author_id)
    note.body = body
    db.session.add(note)
    return note


def test_the_intake_opens_the_staff_key_with_the_data_key(app: Flask) -> None:
    reference, _code = _saved_case()
    author_id = _author_id()
    case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
    case_id = case.id
    open_with_intake_key(
        db.session, case, actor_kind=ActorKind.SYSTEM, purpose="intake", with_staff_key=True
    )
    _note(case, author_id, "Arbeitgeber bestätigt")  # created on first use: nothing was decrypted
    db.session.commit()
    assert _purposes(case_id) == ["intake"]
    db.session.remove()

    case = db.session.get(Case, case_id)
    note = db.session.scalars(select(Note).where(Note.case_id == case_id)).one()
    with pytest.raises(LockedError):
        _ = note.body
    open_with_intake_key(
        db.session, case, actor_kind=ActorKind.SYSTEM, purpose="intake", with_staff_key=True
    )
    assert case.principal.given_names == PRINCIPAL["given_names"]
    assert note.body == "Arbeitgeber bestätigt"
    db.session.commit()
    assert _purposes(case_id) == ["intake", "intake", "staff_data"]


def test_staff_keys_of_several_cases_open_at_once(app: Flask) -> None:
    from portal.cases.custody import open_staff_key, open_staff_keys

    author_id = _author_id()
    first, _code = make_case(db.session)
    second, _code = make_case(db.session)
    open_staff_key(db.session, first, actor_kind=ActorKind.SYSTEM)  # has one; second has none
    _note(first, author_id, "erste Notiz")
    db.session.commit()
    ids = (first.id, second.id)
    db.session.remove()
    cases = [db.session.get(Case, case_id) for case_id in ids]
    open_staff_keys(db.session, cases, actor_kind=ActorKind.SYSTEM)
    note = db.session.scalars(select(Note).where(Note.case_id == ids[0])).one()
    assert note.body == "erste Notiz"  # the first case's key, unwrapped
    _note(cases[1], author_id, "zweite Notiz")  # the second's, new
    db.session.commit()
    assert _purposes(ids[0]) == ["staff_data"] and _purposes(ids[1]) == []
    assert (
        db.session.scalar(
            select(func.count()).where(KeyWrap.case_id.in_(ids), KeyWrap.scope == "staff")
        )
        == 2
    )
