"""Storing the watch list encrypted, replacing it whole, and keeping it readable.

Entries are sealed as JSON under a random list key (AES-GCM, bound to the entry's row),
and the list key is wrapped under the current internal key, like a case's staff key.
Only the internal face holds the internal key, so only it can read the list.
"""

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from portal.cases.custody import keyring
from portal.core import crypto
from portal.core.actors import ActorKind
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow
from portal.watchlist.csvfile import ListedPerson
from portal.watchlist.models import WatchList, WatchListEntry

ENTRY_TABLE, ENTRY_COLUMN = WatchListEntry.__tablename__, "payload"


@dataclass(frozen=True)
class StoredEntry:
    id: uuid.UUID
    person: ListedPerson


def _wrap_context(list_id: uuid.UUID) -> bytes:
    return f"keywrap|watchlist|{list_id}|internal".encode()


def _entry_context(entry_id: uuid.UUID) -> bytes:
    return crypto.field_context(ENTRY_TABLE, ENTRY_COLUMN, entry_id)


def replace_list(
    session: DbSession, people: list[ListedPerson], *, actor_id: uuid.UUID | None = None
) -> WatchList:
    """Put ``people`` in force as the next version, in the caller's transaction.

    Until the caller commits, every reader still sees the old list; after, only the new.
    """
    now = utcnow()
    previous = session.scalars(select(WatchList).where(WatchList.replaced_at.is_(None))).all()
    for old in previous:
        session.execute(delete(WatchListEntry).where(WatchListEntry.list_id == old.id))
        # Forget the old list's key: its entries are gone, nothing may need it again.
        old.replaced_at, old.wrapped_key, old.key_version = now, None, None
    version = (session.scalar(select(func.max(WatchList.version))) or 0) + 1
    key_version, internal_key = keyring().current_internal()
    list_key = crypto.new_data_key()
    list_id = uuid.uuid4()
    watchlist = WatchList(
        id=list_id,
        version=version,
        imported_at=now,
        entry_count=len(people),
        key_version=key_version,
        wrapped_key=crypto.wrap_key(list_key, internal_key, context=_wrap_context(list_id)),
    )
    session.add(watchlist)
    session.flush()
    cipher = crypto.FieldCipher(list_key)
    rows = []
    for person in people:
        entry_id = uuid.uuid4()
        payload = json.dumps(person.as_json(), ensure_ascii=False, separators=(",", ":"))
        rows.append(
            {
                "id": entry_id,
                "list_id": watchlist.id,
                "line": person.line,
                "payload_ct": cipher.encrypt(payload.encode(), context=_entry_context(entry_id)),
            }
        )
    if rows:  # one executemany, not ten thousand ORM objects
        session.execute(insert(WatchListEntry), rows)
    record_event(
        session,
        "watchlist.imported",
        actor_kind=ActorKind.STAFF if actor_id else ActorKind.SYSTEM,
        actor_id=actor_id,
        version=str(version),
        entries=str(len(people)),
    )
    return watchlist


def _list_cipher(watchlist: WatchList) -> crypto.FieldCipher:
    if watchlist.wrapped_key is None or watchlist.key_version is None:
        raise crypto.DecryptionError("this watch list was replaced; its key is gone")
    internal_key = keyring().internal_key(watchlist.key_version)
    list_key = crypto.unwrap_key(
        watchlist.wrapped_key, internal_key, context=_wrap_context(watchlist.id)
    )
    return crypto.FieldCipher(list_key)


def load_entries(session: DbSession, watchlist: WatchList) -> list[StoredEntry]:
    """Decrypt every entry of a list (the worker keeps them in memory, never on disk)."""
    cipher = _list_cipher(watchlist)
    rows = session.execute(
        select(WatchListEntry.id, WatchListEntry.line, WatchListEntry.payload_ct)
        .where(WatchListEntry.list_id == watchlist.id)
        .order_by(WatchListEntry.line)
    ).all()
    return [
        StoredEntry(
            entry_id,
            ListedPerson.from_json(
                line, json.loads(cipher.decrypt(ct, context=_entry_context(entry_id)))
            ),
        )
        for entry_id, line, ct in rows
    ]


def rewrap_list_keys(session: DbSession) -> int:
    """After an internal key rotation: wrap every list key under the newest internal key."""
    version, current = keyring().current_internal()
    lists = session.scalars(
        select(WatchList).where(WatchList.wrapped_key.is_not(None), WatchList.key_version < version)
    ).all()
    for watchlist in lists:
        list_key = crypto.unwrap_key(
            watchlist.wrapped_key or b"",
            keyring().internal_key(watchlist.key_version or 0),
            context=_wrap_context(watchlist.id),
        )
        watchlist.wrapped_key = crypto.wrap_key(
            list_key, current, context=_wrap_context(watchlist.id)
        )
        watchlist.key_version = version
    return len(lists)


def lists_on_old_keys(session: DbSession, newest: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                WatchList.wrapped_key.is_not(None), WatchList.key_version < newest
            )
        )
        or 0
    )
