"""Importing the watch list: all or nothing, encrypted, readable after key rotation."""

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.watchlist.matcher import CACHE, WatchListMatcher, current_matcher
from portal.watchlist.models import WatchList, WatchListEntry
from tests.conftest import AppFactory
from tests.watchlist.conftest import GOOD

NEWER = """name,aliases,date_of_birth,reference
Gulbuddin Zadran,گلبدین ځدراڼ,1961,BKA-0001
"""


def run_import(app: Flask, path: Path) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["watchlist", "import", str(path)])
    return result.exit_code, result.output


def in_force(app: Flask) -> WatchListMatcher:
    """The list in force as the screening reads it, decrypted from the database again."""
    db.session.expire_all()
    app.extensions.pop(CACHE, None)  # not the copy a worker already holds
    matcher = current_matcher(db.session)
    assert matcher is not None
    return matcher


def references(app: Flask) -> list[str]:
    return [entry.person.reference for entry in in_force(app).entries]


def test_a_list_is_imported_encrypted(app: Flask, write_list) -> None:
    code, output = run_import(app, write_list(GOOD))
    assert code == 0, output
    assert "version 1 in force: 3 entries" in output
    assert references(app) == ["UN-2021-0042", "BKA-7781", "UN-2019-0007"]
    for payload in db.session.scalars(select(WatchListEntry.payload_ct)):
        for value in ("Karimi", "کریمی", "UN-2021", "1980-05-17", "Mansoor"):
            assert value.encode() not in payload


def test_a_malformed_file_changes_nothing(app: Flask, write_list) -> None:
    assert run_import(app, write_list(GOOD))[0] == 0
    before = in_force(app).list_id
    broken = GOOD + "Zia Haqmal,,1990-13,UN-2\nAli,,1980,UN-2021-0042\n"
    code, output = run_import(app, write_list(broken, "broken.csv"))
    assert code != 0
    assert "the watch list was NOT replaced" in output
    assert "line 5: date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD" in output
    assert "line 6: reference repeats line 2" in output
    assert "Zia" not in output  # values are never repeated
    # The old list is still in force, whole.
    assert in_force(app).list_id == before
    assert db.session.scalar(select(func.count()).select_from(WatchList)) == 1
    assert references(app) == ["UN-2021-0042", "BKA-7781", "UN-2019-0007"]


def test_a_new_list_replaces_the_old_one_whole(app: Flask, write_list) -> None:
    run_import(app, write_list(GOOD))
    code, output = run_import(app, write_list(NEWER, "newer.csv"))
    assert code == 0 and "version 2 in force: 1 entries" in output
    assert references(app) == ["BKA-0001"]
    old = db.session.scalars(select(WatchList).where(WatchList.version == 1)).one()
    assert old.replaced_at is not None and old.wrapped_key is None  # its key is forgotten
    assert db.session.scalar(select(func.count()).select_from(WatchListEntry)) == 1


def test_the_worker_keeps_one_decrypted_list_per_version(app: Flask, write_list) -> None:
    assert current_matcher(db.session) is None
    run_import(app, write_list(GOOD))
    first = current_matcher(db.session)
    assert first is not None and first.version == 1
    assert current_matcher(db.session) is first  # not decrypted again
    run_import(app, write_list(NEWER, "newer.csv"))
    second = current_matcher(db.session)
    assert second is not None and second is not first and second.version == 2
    assert [entry.person.reference for entry in second.entries] == ["BKA-0001"]


def test_rotating_the_internal_key_keeps_the_list_readable(
    make_app: AppFactory, tmp_path: Path, write_list
) -> None:
    keys = tmp_path / "keys"
    app = make_app(PORTAL_KEYS_DIR=keys)
    runner = app.test_cli_runner()
    with app.app_context():
        assert run_import(app, write_list(GOOD))[0] == 0
        result = runner.invoke(args=["keys", "rotate", "internal"])
        assert result.exit_code == 0, result.output
        assert db.session.scalars(select(WatchList.key_version)).one() == 2
        result = runner.invoke(args=["keys", "retire", "internal"])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in (keys / "internal").iterdir()) == ["0002.key"]
    fresh = make_app(PORTAL_KEYS_DIR=keys)  # holds only the new internal key
    with fresh.app_context():
        assert references(fresh) == ["UN-2021-0042", "BKA-7781", "UN-2019-0007"]


def test_retiring_is_refused_while_the_list_uses_an_old_key(
    make_app: AppFactory, tmp_path: Path, write_list
) -> None:
    from portal.core.keyring import add_internal_key

    keys = tmp_path / "keys"
    app = make_app(PORTAL_KEYS_DIR=keys)
    with app.app_context():
        run_import(app, write_list(GOOD))
        add_internal_key(keys)  # a new key, but the list key not re-wrapped yet
        result = app.test_cli_runner().invoke(args=["keys", "retire", "internal"])
        assert result.exit_code != 0
        assert "1 keys still use an old internal key" in result.output
        assert (keys / "internal" / "0001.key").exists()


def test_the_public_face_cannot_import_a_list(make_app: AppFactory, write_list) -> None:
    public = make_app(PORTAL_FACES=frozenset({"public"}))
    with public.app_context():
        code, output = run_import(public, write_list(GOOD))
        assert code != 0 and "no internal key" in output
        assert db.session.scalar(select(func.count()).select_from(WatchList)) == 0
