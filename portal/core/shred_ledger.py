"""The shred ledger: which cases were shredded or deleted, kept outside the database.

Shredding deletes a case's wrapped keys, but a backup taken before holds them still:
restoring it would bring the case back, readable. The ledger remembers every shred where a
restore cannot reach it, so that the restore procedure re-applies them before anything is
served (``portal.cases.retention.reapply``). One JSON line per case, appended to a file the
operator keeps apart from the database and its backups (docs/operations.md, "Backups and
retention"); each line is signed with the audit checkpoint key (Ed25519, held by the
internal face only, under its own context) and names the digest of the line before, so a
forged line is refused and a line taken out or put in shows.

Lines are written ahead: ``promise`` notes the case in the session, and the lines are
appended and synced before the session commits. A commit that fails after that leaves a
line for a shred that did not happen, and the next re-application carries it out: the
case was due to go anyway. A commit without its line cannot happen.
"""

import base64
import binascii
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.core import crypto
from portal.core.db import DbSession, utcnow

SIGNED_CONTEXT = b"portal shred ledger v1\n"
SHREDDED, DELETED = "shredded", "deleted"
ACTIONS = (SHREDDED, DELETED)
PENDING = "portal.shred_ledger_pending"


class LedgerRefused(RuntimeError):
    """Nothing was appended to the ledger (and so the shred must not commit)."""


@dataclass(frozen=True)
class Entry:
    """One case gone: ``shredded`` (its keys deleted) or ``deleted`` (an abandoned draft)."""

    case_id: uuid.UUID
    action: str
    at: str  # UTC, ISO 8601


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def _fields(entry: Entry, sequence: int, previous: str | None) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "case_id": str(entry.case_id),
        "action": entry.action,
        "at": entry.at,
        "previous": previous,
    }


def _signed_line(private_key: bytes, fields: dict[str, Any]) -> bytes:
    signature = crypto.sign(private_key, SIGNED_CONTEXT + _canonical(fields))
    return _canonical({**fields, "signature": base64.b64encode(signature).decode()})


def _parse(line: bytes, public_key: bytes) -> tuple[Entry, int, str | None] | None:
    """The entry a line holds if its signature is good; None for anything else."""
    try:
        data = json.loads(line)
        signature = base64.b64decode(data.pop("signature"), validate=True)
        if set(data) != {"sequence", "case_id", "action", "at", "previous"}:
            return None
        if type(data["sequence"]) is not int or data["action"] not in ACTIONS:
            return None
        if not isinstance(data["at"], str) or not isinstance(data["previous"], str | None):
            return None
        entry = Entry(uuid.UUID(data["case_id"]), data["action"], data["at"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return None  # a JSONDecodeError and a bad uuid are ValueErrors too
    if not crypto.signature_is_valid(public_key, SIGNED_CONTEXT + _canonical(data), signature):
        return None
    return entry, data["sequence"], data["previous"]


@dataclass
class Ledger:
    """What a ledger file holds: its properly signed entries, and what is wrong with it."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def case_ids(self, action: str) -> set[uuid.UUID]:
        return {entry.case_id for entry in self.entries if entry.action == action}


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\n")


def read_ledger(path: Path, public_key: bytes) -> Ledger:
    """Every signed entry; a line that is not signed with the key is refused (a problem,
    and no entry): whoever can write to the file must not be able to shred a case."""
    ledger = Ledger()
    if not path.exists():
        return ledger
    previous_line: bytes | None = None
    expected_sequence = 1
    for number, line in enumerate(_lines(path), start=1):
        parsed = _parse(line, public_key)
        if parsed is None:
            ledger.problems.append(
                f"shred ledger line {number} is not signed with the ledger key "
                "(forged, edited or cut short): refused"
            )
        else:
            entry, sequence, previous = parsed
            ledger.entries.append(entry)
            linked = previous == (_digest(previous_line) if previous_line is not None else None)
            if not linked or sequence != expected_sequence:
                ledger.problems.append(
                    f"shred ledger line {number} does not follow the line before it "
                    "(a line was taken out, put in or moved)"
                )
            expected_sequence = sequence + 1
        previous_line = line
    return ledger


def _last_line(handle: Any) -> bytes | None:
    """The file's last line, read from its end; a file cut mid-line is refused."""
    end = handle.seek(0, os.SEEK_END)
    if end == 0:
        return None
    position, tail = end, b""
    while position > 0 and b"\n" not in tail[:-1]:
        step = min(4096, position)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
    if not tail.endswith(b"\n"):
        raise LedgerRefused(f"the shred ledger ends in a partial line: {handle.name}")
    return tail[:-1].rsplit(b"\n", 1)[-1]


def append(path: Path, private_key: bytes, entries: list[Entry], *, may_start: bool) -> None:
    """Append signed lines for ``entries`` and fsync them; writers take turns (a lock).

    A missing file is refused unless ``may_start`` (development): in production it may
    have been deleted or its volume not mounted, and a new file would forget every shred
    before it. ``flask --app wsgi retention start-ledger`` starts one.
    """
    if not entries:
        return
    public_key = crypto.signing_public_key_of(private_key)
    if not path.exists() and not may_start:
        raise LedgerRefused(
            f"there is no shred ledger at {path} (deleted, or its volume not mounted?); "
            "start one with `flask --app wsgi retention start-ledger`"
        )
    with path.open("ab") as appending, path.open("rb") as reading:
        fcntl.flock(appending.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        last_line = _last_line(reading)
        sequence, previous = 1, None
        if last_line is not None:
            parsed = _parse(last_line, public_key)
            if parsed is None:
                raise LedgerRefused("the shred ledger's last line is not signed with its key")
            sequence, previous = parsed[1] + 1, _digest(last_line)
        for entry in entries:
            line = _signed_line(private_key, _fields(entry, sequence, previous))
            appending.write(line + b"\n")
            sequence, previous = sequence + 1, _digest(line)
        appending.flush()
        os.fsync(appending.fileno())


def start(path: Path) -> bool:
    """Create an empty ledger file (and sync its directory); False if one exists."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(descriptor)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return True


# --- written ahead of the commit ---------------------------------------------------------


@dataclass
class _Pending:
    path: Path
    private_key: bytes
    may_start: bool
    entries: list[Entry] = field(default_factory=list)


def promise(
    session: DbSession,
    case_id: uuid.UUID,
    action: str,
    *,
    path: Path,
    private_key: bytes,
    may_start: bool,
) -> None:
    """Note a shred of ``case_id``; its line is appended before the session commits."""
    pending = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = _Pending(path, private_key, may_start)
    pending.entries.append(Entry(case_id, action, utcnow().isoformat(timespec="seconds")))


@event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    # A failure here propagates out of commit(): the shred is not committed without its
    # line, and the lines stay noted for a commit that is tried again.
    pending: _Pending | None = session.info.get(PENDING)
    if pending is not None:
        append(pending.path, pending.private_key, pending.entries, may_start=pending.may_start)
        session.info.pop(PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)
