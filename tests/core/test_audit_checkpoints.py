"""Signed checkpoints of the audit chain, kept outside the database: a wipe of the chain and
the rollback of a restored backup are caught, and a checkpoint file that was edited is too."""

import base64
import json
import secrets
import threading
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import delete, select, update

from portal.cases.states import ActorKind
from portal.core import crypto
from portal.core.audit import AuditEvent, AuditHead, record_event, verify_chain
from portal.extensions import db


def _record(count: int) -> None:
    for number in range(count):
        record_event(db.session, "test.event", actor_kind=ActorKind.SYSTEM, number=str(number))
    db.session.commit()


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["audit", *args])


def _checkpoint(app: Flask) -> None:
    result = _run(app, "checkpoint", "--start-file")
    assert result.exit_code == 0, result.output


def _sink(app: Flask) -> Path:
    return Path(app.config["PORTAL_AUDIT_CHECKPOINT_PATH"])


def _lines(app: Flask) -> list[str]:
    return _sink(app).read_text().splitlines()


def _chain_alone_verifies(app: Flask) -> bool:
    return verify_chain(db.session, app.extensions["portal.keyring"].audit_key()) == []


def test_an_untouched_chain_with_checkpoints_verifies(app: Flask) -> None:
    _record(3)
    _checkpoint(app)
    _record(2)
    _checkpoint(app)
    _record(2)  # events after the newest checkpoint are fine: the chain grew

    result = _run(app, "verify")
    assert result.exit_code == 0, result.output
    assert "the audit chain is intact" in result.output
    assert "checkpoint 2" in result.output
    assert len(_lines(app)) == 2


def test_an_empty_chain_with_a_checkpoint_of_it_verifies(app: Flask) -> None:
    _checkpoint(app)
    assert _run(app, "verify").exit_code == 0


def test_a_wipe_of_every_event_and_the_head_is_caught(app: Flask) -> None:
    _record(5)
    _checkpoint(app)
    db.session.execute(delete(AuditEvent))
    db.session.execute(delete(AuditHead))
    db.session.commit()
    assert _chain_alone_verifies(app)  # inside the database nothing is left to disagree

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "wiped or rolled back" in result.output
    assert "holds 0 events" in result.output


def test_a_wipe_followed_by_new_events_is_caught(app: Flask) -> None:
    _record(5)
    _checkpoint(app)
    db.session.execute(delete(AuditEvent))
    db.session.execute(delete(AuditHead))
    db.session.commit()
    _record(6)  # a fresh chain, as long as the old one and longer
    assert _chain_alone_verifies(app)

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "wiped or rolled back" in result.output


def test_a_restored_backup_is_caught(app: Flask) -> None:
    _record(3)
    backup = db.session.get(AuditHead, 1)
    assert backup is not None
    saved = {"last_event_id": backup.last_event_id, "last_mac": backup.last_mac, "mac": backup.mac}
    _record(4)
    _checkpoint(app)
    # The newest events dropped and the head row of the backup put back.
    db.session.execute(delete(AuditEvent).where(AuditEvent.id > saved["last_event_id"]))
    db.session.execute(update(AuditHead).values(**saved))
    db.session.commit()
    assert _chain_alone_verifies(app)

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "wiped or rolled back" in result.output
    assert "is missing" in result.output


def test_a_chain_that_never_had_a_checkpoint_is_not_called_intact(app: Flask) -> None:
    _record(2)
    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "no checkpoint" in result.output


def test_no_checkpoint_is_written_for_a_chain_behind_the_last_one(app: Flask) -> None:
    """Otherwise the next checkpoint would vouch for the rolled-back chain."""
    _record(3)
    _checkpoint(app)
    db.session.execute(delete(AuditEvent))
    db.session.execute(delete(AuditHead))
    db.session.commit()
    _record(1)

    refused = _run(app, "checkpoint")
    assert refused.exit_code != 0
    assert "wiped or rolled back" in refused.output
    assert len(_lines(app)) == 1


def _rewrite(app: Flask, lines: list[str]) -> None:
    _sink(app).write_text("".join(line + "\n" for line in lines))


def test_an_edited_checkpoint_line_is_refused(app: Flask) -> None:
    _record(4)
    _checkpoint(app)
    line = json.loads(_lines(app)[0])
    line["count"] = 2  # as if the chain had been shorter
    _rewrite(app, [json.dumps(line)])

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "checkpoint line 1 is not signed with the checkpoint key" in result.output
    # Nothing is appended to it either, until someone has looked at it.
    refused = _run(app, "checkpoint")
    assert refused.exit_code != 0 and "last line is not a signed checkpoint" in refused.output
    assert len(_lines(app)) == 1


def test_a_checkpoint_forged_with_another_key_is_refused(app: Flask) -> None:
    """Whoever holds the database, or the public face's keys, cannot sign a checkpoint."""
    _record(4)
    _checkpoint(app)
    _record(1)
    line = json.loads(_lines(app)[0])
    head = db.session.get(AuditHead, 1)
    assert head is not None
    line |= {"sequence": 2, "previous": None, "count": 5}
    line |= {"last_event_id": head.last_event_id, "last_mac": head.last_mac.hex()}
    forged_key = crypto.new_signing_key()
    fields = {name: value for name, value in line.items() if name != "signature"}
    message = (
        b"portal audit checkpoint v1\n"
        + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    )
    line["signature"] = base64.b64encode(crypto.sign(forged_key, message)).decode()
    _rewrite(app, [json.dumps(line)])

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "checkpoint line 1 is not signed with the checkpoint key" in result.output


def test_a_checkpoint_line_taken_out_is_noticed(app: Flask) -> None:
    for _ in range(3):
        _record(1)
        _checkpoint(app)
    first, _second, third = _lines(app)
    _rewrite(app, [first, third])

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "checkpoint line 2 does not follow the line before it" in result.output


def test_a_checkpoint_file_cut_off_at_the_front_is_noticed(app: Flask) -> None:
    for _ in range(2):
        _record(1)
        _checkpoint(app)
    _rewrite(app, _lines(app)[1:])

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "checkpoint line 1 does not follow the line before it" in result.output


def test_a_checkpoint_file_cut_mid_line_is_noticed(app: Flask) -> None:
    _record(2)
    _checkpoint(app)
    _record(1)
    _checkpoint(app)
    text = _sink(app).read_text()
    _sink(app).write_text(text[:-20])

    result = _run(app, "verify")
    assert result.exit_code != 0
    assert "checkpoint line 2 is not signed with the checkpoint key" in result.output
    # And nothing more is appended to it until someone has looked.
    refused = _run(app, "checkpoint")
    assert refused.exit_code != 0 and "ends in a partial line" in refused.output


def test_a_copy_of_the_checkpoint_file_can_be_verified_elsewhere(
    app: Flask, tmp_path: Path
) -> None:
    _record(2)
    _checkpoint(app)
    copy = tmp_path / "fetched-from-the-log-host.jsonl"
    copy.write_bytes(_sink(app).read_bytes())
    _sink(app).unlink()
    db.session.execute(delete(AuditEvent))
    db.session.execute(delete(AuditHead))
    db.session.commit()

    result = _run(app, "verify", "--checkpoints", str(copy))
    assert result.exit_code != 0 and "wiped or rolled back" in result.output


def _one_worker_round(app: Flask) -> None:
    from portal.intake.worker import run_audit_checkpoints_forever

    stopped = threading.Event()
    stopped.set()  # the first round runs at once, then the timer stops
    run_audit_checkpoints_forever(app, stopped)


def test_the_worker_writes_a_checkpoint_when_the_chain_grew(app: Flask) -> None:
    def one_round() -> None:
        _one_worker_round(app)

    _record(2)
    one_round()
    assert len(_lines(app)) == 1
    one_round()
    assert len(_lines(app)) == 1  # nothing new happened: nothing new to vouch for
    _record(1)
    one_round()
    assert len(_lines(app)) == 2
    assert json.loads(_lines(app)[-1])["count"] == 3
    assert _run(app, "verify").exit_code == 0


def test_a_missing_checkpoint_file_is_started_by_an_operator_only(app: Flask) -> None:
    """Deleted, or its volume not mounted: a new file would vouch for any chain."""
    app.config["PORTAL_ENV"] = "production"
    _record(2)
    _one_worker_round(app)
    assert not _sink(app).exists()
    refused = _run(app, "checkpoint")
    assert refused.exit_code != 0 and "--start-file" in refused.output
    assert not _sink(app).exists()

    _checkpoint(app)  # with --start-file
    _record(1)
    _one_worker_round(app)
    assert len(_lines(app)) == 2


def test_checkpoint_lines_name_no_event_content(app: Flask) -> None:
    record_event(db.session, "case.viewed", actor_kind=ActorKind.SYSTEM, purpose="secret-ish")
    db.session.commit()
    _checkpoint(app)
    line = json.loads(_lines(app)[0])
    assert set(line) == {
        "sequence",
        "at",
        "last_event_id",
        "last_mac",
        "count",
        "previous",
        "signature",
    }
    events = db.session.scalars(select(AuditEvent)).all()
    assert line["last_event_id"] == events[-1].id and line["count"] == 1


def test_the_internal_face_needs_the_checkpoint_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal import create_app
    from portal.config import ConfigurationError
    from portal.core.keyring import ensure_development_keys

    keys = tmp_path / "keys"
    ensure_development_keys(keys)
    (keys / "audit-checkpoint.key").unlink()
    production = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": "postgresql://db.internal/portal",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "PORTAL_KEYS_DIR": str(keys),
        "PORTAL_AUDIT_CHECKPOINT_PATH": str(tmp_path / "sink.jsonl"),
        "PORTAL_FACES": "internal",
    }
    for name, value in production.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="audit checkpoint key"):
        create_app()
    assert not (keys / "audit-checkpoint.key").exists()  # production never generates keys

    monkeypatch.delenv("PORTAL_AUDIT_CHECKPOINT_PATH")
    with pytest.raises(ConfigurationError, match="PORTAL_AUDIT_CHECKPOINT_PATH"):
        create_app()
    # The public face writes no checkpoints: it needs neither the key nor the sink.
    monkeypatch.setenv("PORTAL_FACES", "public")
    assert create_app().extensions["portal.keyring"].missing(internal=False) == []


def test_the_public_face_cannot_vouch_for_the_chain(make_app) -> None:
    public = make_app(PORTAL_FACES=frozenset({"public"}))
    with public.app_context():
        result = _run(public, "checkpoint", "--start-file")
    assert result.exit_code != 0 and "internal face" in result.output
    assert not _sink(public).exists()
