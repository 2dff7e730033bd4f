"""Model attributes whose values are stored only as ciphertext.

A sealed attribute ``given_names`` reads and writes the mapped column attribute
``given_names_ct``, stored in the database column ``given_names``. The ciphertext's
associated data names the table, the column and the row's uuid, so it cannot be moved.

The key comes from the row itself: ``row.sealed_cipher(scope)`` returns the case's
unlocked data key (scope ``case``) or its staff-only key (scope ``staff``), and raises
``LockedError`` while the case has not been unlocked through an audited service.
"""

import json
import uuid
from typing import Any, Generic, Protocol, TypeVar

from portal.core.crypto import FieldCipher, field_context

T = TypeVar("T")


class LockedError(RuntimeError):
    """The key needed to read or write this value has not been unlocked."""


class SealedRow(Protocol):
    __tablename__: str
    id: uuid.UUID

    def sealed_cipher(self, scope: str) -> FieldCipher: ...


class Codec(Generic[T]):
    def __init__(self, encode: Any, decode: Any) -> None:
        self.encode, self.decode = encode, decode


TEXT: Codec[str] = Codec(lambda value: value.encode(), lambda raw: raw.decode())
JSON: Codec[Any] = Codec(
    lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(),
    lambda raw: json.loads(raw),
)


class Sealed(Generic[T]):
    """Descriptor for one encrypted attribute; see the module docstring."""

    def __init__(self, codec: Codec[T] = TEXT, *, scope: str = "case") -> None:  # type: ignore[assignment]
        self.codec, self.scope = codec, scope
        self.name = self.storage = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.storage = name, f"{name}_ct"

    def context(self, row: SealedRow) -> bytes:
        if row.id is None:
            row.id = uuid.uuid4()
        return field_context(row.__tablename__, self.name, row.id)

    def __get__(self, row: SealedRow | None, owner: type) -> Any:
        if row is None:
            return self
        token = getattr(row, self.storage)
        if token is None:
            return None
        plain = row.sealed_cipher(self.scope).decrypt(token, context=self.context(row))
        return self.codec.decode(plain)

    def __set__(self, row: SealedRow, value: T | None) -> None:
        if value is None:
            setattr(row, self.storage, None)
            return
        cipher = row.sealed_cipher(self.scope)
        setattr(
            row, self.storage, cipher.encrypt(self.codec.encode(value), context=self.context(row))
        )


def sealed_attributes(model: type) -> list[Sealed[Any]]:
    """Every sealed attribute of a model class (used by tests and key tooling)."""
    found: list[Sealed[Any]] = []
    for klass in model.__mro__:
        found.extend(v for v in vars(klass).values() if isinstance(v, Sealed))
    return found
