"""Checkpoints of the audit chain, kept outside the database.

The chain's MACs catch an edited or a deleted event, and its head catches events cut off
the end; but all of that lives in the database. Whoever can write to it can delete every
event and the head (a wipe), or put back an older copy of both (a restored backup), and
what remains is a whole chain. A checkpoint says how far the chain reached at a moment:
its last event's id and MAC and how many events it held, signed with a key the database
never sees (Ed25519, held by the internal face only). Checkpoints are appended, one JSON
line each, to a file the operator keeps apart from the database: on another machine or an
append-only volume. Each line names the digest of the line before it, so a line taken out
or put in shows. ``audit verify`` compares the chain with the newest checkpoint; a chain
that no longer reaches it was wiped or rolled back.

What was recorded after the newest checkpoint can still be cut off unnoticed: that window
is the time between checkpoints (docs/operations.md, "Audit checkpoints").
"""

import base64
import binascii
import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from portal.core import crypto
from portal.core.audit import GENESIS_MAC, HEAD_ID, AuditEvent, AuditHead
from portal.core.db import DbSession, utcnow

SIGNED_CONTEXT = b"portal audit checkpoint v1\n"
_TAIL_BLOCK = 4096  # a line is about 300 bytes: the last one is in the last block


class CheckpointRefused(RuntimeError):
    """No checkpoint was written; ``problems`` say why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ChainState:
    """How far the chain reaches: its last event and how many events it holds."""

    last_event_id: int
    last_mac: bytes
    count: int


@dataclass(frozen=True)
class Checkpoint:
    sequence: int  # 1 on a file's first line, one more on each line after it
    at: str  # UTC, ISO 8601
    state: ChainState
    previous: str | None  # SHA-256 (hex) of the line before; None on a file's first line
    signature: bytes = field(default=b"", repr=False)

    @property
    def name(self) -> str:
        return f"checkpoint {self.sequence} of {self.at}"

    @property
    def reach(self) -> str:
        """How far the chain reached, in words."""
        count = self.state.count
        return f"event {self.state.last_event_id}, {count} event{'' if count == 1 else 's'} in all"

    def _fields(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "at": self.at,
            "last_event_id": self.state.last_event_id,
            "last_mac": self.state.last_mac.hex(),
            "count": self.state.count,
            "previous": self.previous,
        }

    def signed_bytes(self) -> bytes:
        return SIGNED_CONTEXT + _canonical(self._fields())

    def line(self) -> bytes:
        signature = base64.b64encode(self.signature).decode()
        return _canonical({**self._fields(), "signature": signature})

    @classmethod
    def parse(cls, line: bytes) -> "Checkpoint":
        """The checkpoint a line holds (its signature unchecked); ValueError if none."""
        try:
            data = json.loads(line)  # a JSONDecodeError is a ValueError too
            numbers = [data["sequence"], data["last_event_id"], data["count"]]
            texts = [data["at"], data["last_mac"], data["signature"]]
            previous = data["previous"]
            if not all(type(number) is int for number in numbers) or not all(
                isinstance(text, str) for text in texts
            ):
                raise ValueError("a field of the wrong type")
            if previous is not None and not isinstance(previous, str):
                raise ValueError("a field of the wrong type")
            state = ChainState(
                data["last_event_id"], bytes.fromhex(data["last_mac"]), data["count"]
            )
            signature = base64.b64decode(data["signature"], validate=True)
        except (KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError("not a checkpoint") from exc
        return cls(data["sequence"], data["at"], state, previous, signature)

    def signed_by(self, public_key: bytes) -> bool:
        return crypto.signature_is_valid(public_key, self.signed_bytes(), self.signature)


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


# --- the chain, as the database holds it ---------------------------------------------------


def chain_state(session: DbSession, since: ChainState | None = None) -> ChainState:
    """The chain as committed now. Counting only up to the head's event keeps the count
    true to the head even while other transactions append (their events come after it).

    ``since``, a checkpoint's state the chain was found to reach (``falls_short_of``), is
    taken as counted: only the events after it are counted again, not the whole table.
    """
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    if head is None:
        return ChainState(0, GENESIS_MAC, 0)
    after, counted = (since.last_event_id, since.count) if since else (0, 0)
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.id > after, AuditEvent.id <= head.last_event_id)
    )
    return ChainState(head.last_event_id, head.last_mac, counted + (count or 0))


def _unchanged_since(session: DbSession, seen: ChainState) -> bool:
    """The head still names the checkpoint's last event: nothing was appended since."""
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    if head is None:
        return seen.count == 0
    return head.last_event_id == seen.last_event_id and hmac.compare_digest(
        head.last_mac, seen.last_mac
    )


def falls_short_of(session: DbSession, checkpoint: Checkpoint) -> list[str]:
    """How the chain in the database fails to reach ``checkpoint``; empty if it does."""
    seen = checkpoint.state
    if seen.count == 0:
        return []  # the chain was empty then: anything reaches that
    problems = []
    event = session.get(AuditEvent, seen.last_event_id)
    if event is None:
        problems.append(
            f"event {seen.last_event_id}, the last one {checkpoint.name} saw, is missing"
        )
    elif event.mac is None or not hmac.compare_digest(event.mac, seen.last_mac):
        problems.append(
            f"event {seen.last_event_id} is not the one {checkpoint.name} saw (another MAC)"
        )
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        problems.append(f"the chain head is missing; {checkpoint.name} saw {seen.count} events")
    elif head.last_event_id < seen.last_event_id:
        problems.append(
            f"the chain's head names event {head.last_event_id}, older than event "
            f"{seen.last_event_id} that {checkpoint.name} saw"
        )
    held = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= seen.last_event_id)
    )
    if held != seen.count:
        problems.append(
            f"the chain holds {held} events up to event {seen.last_event_id}; "
            f"{checkpoint.name} counted {seen.count}"
        )
    return [f"wiped or rolled back: {problem}" for problem in problems]


# --- the checkpoint file -----------------------------------------------------------------


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines without their line ends; a last line cut short comes as it is."""
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\n")


@dataclass
class CheckpointFile:
    """What a checkpoint file holds: its newest checkpoint that is properly signed and
    whatever is wrong with its lines."""

    latest: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)


def read_checkpoints(path: Path, public_key: bytes) -> CheckpointFile:
    """Check every line's signature and its link to the line before."""
    found = CheckpointFile()
    if not path.exists():
        return found
    previous_line: bytes | None = None
    previous: Checkpoint | None = None
    for number, line in enumerate(_lines(path), start=1):
        checkpoint = _signed_checkpoint(line, public_key)
        if checkpoint is None:
            found.problems.append(
                f"checkpoint line {number} is not signed with the checkpoint key "
                "(edited, forged or cut short)"
            )
        elif not _follows(checkpoint, previous, previous_line):
            found.problems.append(
                f"checkpoint line {number} does not follow the line before it "
                "(a line was taken out, put in or moved)"
            )
        if checkpoint is not None:
            found.latest = checkpoint
        previous, previous_line = checkpoint, line
    return found


def _signed_checkpoint(line: bytes, public_key: bytes) -> Checkpoint | None:
    try:
        checkpoint = Checkpoint.parse(line)
    except ValueError:
        return None
    return checkpoint if checkpoint.signed_by(public_key) else None


def _follows(
    checkpoint: Checkpoint, previous: Checkpoint | None, previous_line: bytes | None
) -> bool:
    if previous_line is None:  # a file's first line
        return checkpoint.sequence == 1 and checkpoint.previous is None
    if checkpoint.previous != _digest(previous_line):
        return False
    return previous is None or checkpoint.sequence == previous.sequence + 1


def _last_line(handle: Any) -> bytes | None:
    """The last line of an open file, read from its end: the file grows for years."""
    end = handle.seek(0, os.SEEK_END)
    if end == 0:
        return None
    tail = b""
    position = end
    while position > 0 and b"\n" not in tail[:-1]:
        step = min(_TAIL_BLOCK, position)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
    if not tail.endswith(b"\n"):
        raise CheckpointRefused(
            [f"the checkpoint file ends in a partial line (edited or cut short): {handle.name}"]
        )
    return tail[:-1].rsplit(b"\n", 1)[-1]


def write_checkpoint(
    session: DbSession,
    path: Path,
    private_key: bytes,
    *,
    only_if_grown: bool = False,
    start_file: bool = False,
) -> tuple[Checkpoint, bool]:
    """Append a signed checkpoint of the chain as committed now, and fsync it.

    Refused (``CheckpointRefused``) when the file's last line is not a signed checkpoint
    or the chain falls short of it: a new checkpoint would vouch for a chain that was wiped
    or rolled back. So is a file that does not exist, unless ``start_file``: it may have
    been deleted, or its volume not be mounted, and a new file would vouch for whatever
    the chain is now. With ``only_if_grown``, nothing is written while the chain is where
    the last checkpoint saw it. Writers on one file take turns (an exclusive lock).

    Returns the file's newest checkpoint and whether it was written just now.
    """
    public_key = crypto.signing_public_key_of(private_key)
    created = not path.exists()
    if created and not start_file:
        raise CheckpointRefused(
            [
                f"there is no checkpoint file at {path} (deleted, or its volume not mounted?); "
                "start one with `flask --app wsgi audit checkpoint --start-file`"
            ]
        )
    with path.open("ab") as appending, path.open("rb") as reading:
        fcntl.flock(appending.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        last_line = _last_line(reading)
        last = _last_checkpoint(last_line, public_key)
        if last is not None and only_if_grown and _unchanged_since(session, last.state):
            return last, False  # the worker's minute with nothing new: no table counted
        if last is not None:
            problems = falls_short_of(session, last)
            if problems:
                raise CheckpointRefused(problems)
        state = chain_state(session, since=last.state if last else None)
        if last is not None and only_if_grown and state == last.state:
            return last, False
        checkpoint = _signed(
            Checkpoint(
                sequence=last.sequence + 1 if last else 1,
                at=utcnow().isoformat(timespec="seconds"),
                state=state,
                previous=_digest(last_line) if last_line is not None else None,
            ),
            private_key,
        )
        appending.write(checkpoint.line() + b"\n")
        appending.flush()
        os.fsync(appending.fileno())
    if created:
        _sync_directory(path.parent)
    return checkpoint, True


def _last_checkpoint(last_line: bytes | None, public_key: bytes) -> Checkpoint | None:
    """The checkpoint the file ends with; None for an empty file. A last line that is
    not one refuses the next: someone has to look at the file first."""
    if last_line is None:
        return None
    last = _signed_checkpoint(last_line, public_key)
    if last is None:
        raise CheckpointRefused(["the checkpoint file's last line is not a signed checkpoint"])
    return last


def _signed(checkpoint: Checkpoint, private_key: bytes) -> Checkpoint:
    return replace(checkpoint, signature=crypto.sign(private_key, checkpoint.signed_bytes()))


def _sync_directory(directory: Path) -> None:
    """A new file's name survives a crash only once its directory is on disk too."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- verifying ---------------------------------------------------------------------------


@dataclass
class Comparison:
    latest: Checkpoint | None
    problems: list[str]


def compare_with_checkpoints(session: DbSession, path: Path, public_key: bytes) -> Comparison:
    """Problems with the checkpoint file and with the chain measured against its newest
    checkpoint. A chain with events but no checkpoint at all is a problem too: without one
    a wipe or a rollback could not be told from a chain that is simply short."""
    found = read_checkpoints(path, public_key)
    problems = list(found.problems)
    if found.latest is not None:
        problems += falls_short_of(session, found.latest)
    elif session.scalar(select(func.count()).select_from(AuditEvent)):
        problems.append(
            f"no checkpoint in {path}: a wipe or a rollback could not be noticed "
            "(start a checkpoint file with `flask --app wsgi audit checkpoint --start-file`)"
        )
    return Comparison(found.latest, problems)
