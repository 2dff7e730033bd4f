"""The declarative base, shared column types and the constraint naming convention."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Enum,
    LargeBinary,
    MetaData,
    Table,
    TypeDecorator,
    any_,
    bindparam,
    insert,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, scoped_session

# Named constraints make migrations reversible and diffable on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.core.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# UUIDs are made in Python, before the insert, because ciphertexts are bound to them.
uuid_pk = Annotated[uuid.UUID, mapped_column(primary_key=True, default=uuid.uuid4)]
created_at = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow)]
timestamp = Annotated[datetime, mapped_column(UTCDateTime)]
# AES-GCM ciphertext of one personal value (see portal.core.sealed).
ciphertext = Annotated[bytes, mapped_column(LargeBinary)]


def enum_column(enum: type[StrEnum], **kwargs: Any) -> Any:
    """A VARCHAR column holding an enum's values (portable, easy to extend in a migration)."""
    return mapped_column(
        Enum(
            enum,
            native_enum=False,
            length=32,
            values_callable=lambda members: [member.value for member in members],
            validate_strings=True,
        ),
        **kwargs,
    )


# Services accept a plain session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]


def one_of(session: DbSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN (values)``; to PostgreSQL as ``column = ANY(:values)``, one array
    parameter however many values there are. A long IN list is a new statement text for
    each length, parsed anew by the driver and planned anew by the server."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(session: DbSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of one table in the session's transaction, written at once.

    To PostgreSQL with COPY, which takes the rows as one stream, without the work per
    parameter of a multi-row INSERT: the intake's blind indexes and links are hundreds of
    rows a batch. Values must be of the column's Python type (no ORM conversions run here).
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    # The psycopg connection under the session's, in the session's transaction.
    driver: Any = session.connection().connection.driver_connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([row[name] for name in columns])
