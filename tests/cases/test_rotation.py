"""Rotation re-wraps every case key under a new key; every case stays readable."""

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.accounts.services import create_staff, totp_secret
from portal.cases.custody import open_staff_key, open_with_intake_key
from portal.cases.models import Case, KeyWrap, Note
from portal.cases.states import ActorKind
from portal.core.actors import Role
from portal.extensions import db
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL, make_case


def _app_with_own_keys(make_app: AppFactory, tmp_path: Path) -> Flask:
    return make_app(PORTAL_KEYS_DIR=tmp_path / "keys")


def _read_everything(case_ids: list, note_text: str) -> None:
    db.session.remove()
    for case_id in case_ids:
        case = db.session.get(Case, case_id)
        open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        open_staff_key(db.session, case, actor_kind=ActorKind.SYSTEM)
        assert case.principal.given_names == PRINCIPAL["given_names"]
        note = db.session.scalars(select(Note).where(Note.case_id == case_id)).one()
        assert note.body == note_text


def test_rotating_both_keys_keeps_every_case_readable(make_app: AppFactory, tmp_path: Path) -> None:
    app = _app_with_own_keys(make_app, tmp_path)
    runner = app.test_cli_runner()
    with app.app_context():
        author, _password, secret = create_staff(db.session, "w", "W", [Role.CASEWORKER])
        case_ids = []
        for _ in range(3):
            case, _code = make_case(db.session)
            open_staff_key(db.session, case, actor_kind=ActorKind.SYSTEM)
            note = Note(case=case, author_id=author.id)
            note.body = "Arbeitgeber bestätigt"
            db.session.add(note)
            case_ids.append(case.id)
        db.session.commit()

        for kind in ("intake", "internal"):
            result = runner.invoke(args=["keys", "rotate", kind, "--batch-size", "2"])
            assert result.exit_code == 0, result.output
            # The old key files can go: nothing may still need them.
            result = runner.invoke(args=["keys", "retire", kind])
            assert result.exit_code == 0, result.output
            assert "deleted" in result.output

        assert sorted(p.name for p in (tmp_path / "keys" / "intake").iterdir()) == [
            "0002.private",
            "0002.public",
        ]
        assert {w.key_version for w in db.session.scalars(select(KeyWrap))} == {2, None}

    # A fresh process holds only the new keys and reads everything.
    fresh = _app_with_own_keys(make_app, tmp_path)
    with fresh.app_context():
        _read_everything(case_ids, "Arbeitgeber bestätigt")
        user = db.session.scalars(select(StaffUser)).one()
        assert user.totp_key_version == 2 and totp_secret(user) == secret


def test_retiring_before_rotating_is_refused(make_app: AppFactory, tmp_path: Path) -> None:
    app = _app_with_own_keys(make_app, tmp_path)
    with app.app_context():
        make_case(db.session)
        db.session.commit()
        from portal.core.keyring import add_intake_key_pair

        add_intake_key_pair(tmp_path / "keys")  # a new key, but nothing re-wrapped yet
        result = app.test_cli_runner().invoke(args=["keys", "retire", "intake"])
        assert result.exit_code != 0
        assert "rotate first" in result.output
        assert (tmp_path / "keys" / "intake" / "0001.private").exists()


def test_an_interrupted_rotation_is_resumed_without_a_new_key(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = _app_with_own_keys(make_app, tmp_path)
    with app.app_context():
        case, _code = make_case(db.session)
        db.session.commit()
        from portal.core.keyring import add_intake_key_pair

        add_intake_key_pair(tmp_path / "keys")  # as if `rotate` died after writing the key
    resumed = _app_with_own_keys(make_app, tmp_path)
    with resumed.app_context():
        result = resumed.test_cli_runner().invoke(args=["keys", "rotate", "intake"])
        assert result.exit_code == 0, result.output
        assert len(list((tmp_path / "keys" / "intake").glob("*.public"))) == 2
        wrap = db.session.scalars(select(KeyWrap).where(KeyWrap.method == "intake")).one()
        assert wrap.key_version == 2


def test_a_running_worker_reads_cases_across_an_intake_rotation(
    make_app: AppFactory, tmp_path: Path
) -> None:
    """The worker keeps its loaded intake key; rotating in its process swaps the ring."""
    app = _app_with_own_keys(make_app, tmp_path)
    with app.app_context():
        case, _code = make_case(db.session)
        db.session.commit()
        case_id = case.id
        _read_intake(case_id)  # loads and keeps intake key 1
        kept = app.extensions["portal.keyring"].intake_unsealer(1)

        result = app.test_cli_runner().invoke(args=["keys", "rotate", "intake"])
        assert result.exit_code == 0, result.output
        ring = app.extensions["portal.keyring"]
        assert ring.intake_unsealer(1) is not kept
        assert _read_intake(case_id) == 2
        assert app.test_cli_runner().invoke(args=["keys", "retire", "intake"]).exit_code == 0
        assert _read_intake(case_id) == 2  # the key in memory is the new one


def _read_intake(case_id) -> int:
    db.session.remove()
    case = db.session.get(Case, case_id)
    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    assert case.principal.given_names == PRINCIPAL["given_names"]
    version = db.session.scalars(
        select(KeyWrap.key_version).where(KeyWrap.case_id == case_id, KeyWrap.method == "intake")
    ).one()
    db.session.rollback()
    return version
