"""The second reference of the throughput benchmark: the portal's own libraries doing the
least a signed-in form page and a submission must do, with none of the portal's code.

    gunicorn --config deploy/gunicorn.conf.py 'bench.stack_floor:create_app()'

``GET /page?case=ID`` reads a case with its five people in one query through the
SQLAlchemy ORM, fills a Flask-WTF form of four fields from the first person and renders it
with its CSRF token from a compiled Jinja template (Flask's signed session carries the
token's secret). ``POST /submit?case=ID`` reads the case through the ORM, changes its
status and adds three rows with it (a history row, an audit row, an outbox row) in one
transaction, then puts a job on an RQ queue in Redis and redirects. No encryption, no
translations, no CSRF check on the POST, no rate limits, no audit chain, no security
headers, no metrics or log line: the floor that the
libraries the portal is built on put under any page and submission of this shape, so that
the portal's own share of the cost can be told from the stack's.
"""

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, redirect, request
from flask_wtf import FlaskForm
from redis import Redis
from rq import Queue
from sqlalchemy import DateTime, ForeignKey, String, create_engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    joinedload,
    mapped_column,
    relationship,
    sessionmaker,
)
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

CASES = 200
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your names</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Your names</h1><p>As in your passport.</p>
<form method="post" novalidate>{{ form.csrf_token }}
{% for field in form if field.name != "csrf_token" %}
<div class="field"><label for="{{ field.id }}">{{ field.label.text }}</label>{{ field() }}</div>
{% endfor %}<button>Continue</button></form></main></body></html>
"""


class Base(DeclarativeBase):
    pass


class FloorCase(Base):
    __tablename__ = "floor_case"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(32))
    people: Mapped[list["FloorPerson"]] = relationship(order_by="FloorPerson.position")


class FloorPerson(Base):
    __tablename__ = "floor_person"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("floor_case.id"))
    position: Mapped[int]
    given_names: Mapped[str]
    family_name: Mapped[str]
    given_names_latin: Mapped[str]
    family_name_latin: Mapped[str]


class FloorRow(Base):
    """The history, audit and outbox rows a submission adds, in one table of three kinds."""

    __tablename__ = "floor_row"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NamesForm(FlaskForm):
    given_names = StringField("Given names", [DataRequired(), Length(max=200)])
    family_name = StringField("Family name", [Length(max=200)])
    given_names_latin = StringField("Given names in Latin letters", [Length(max=200)])
    family_name_latin = StringField("Family name in Latin letters", [Length(max=200)])


def screen(case_id: str) -> None:
    """The job a submission queues (the benchmark does not run it)."""


def _engine_url() -> str:
    return os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)


def prepare() -> list[uuid.UUID]:
    """The tables afresh and ``CASES`` cases of five people; returns the cases' ids."""
    engine = create_engine(_engine_url())
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with sessionmaker(engine)() as session, session.begin():
        cases = [FloorCase(status="draft") for _ in range(CASES)]
        session.add_all(cases)
        session.flush()
        for case in cases:
            session.add_all(
                FloorPerson(
                    case_id=case.id,
                    position=position,
                    given_names="Ahmad Shah",
                    family_name="Ahmadzai",
                    given_names_latin="Ahmad Shah",
                    family_name_latin="Ahmadzai",
                )
                for position in range(5)
            )
        ids = [case.id for case in cases]
    engine.dispose()
    return ids


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.urandom(32)
    engine = create_engine(_engine_url(), pool_pre_ping=True)
    sessions = sessionmaker(engine, expire_on_commit=False)
    queue = Queue("bench-floor", connection=Redis.from_url(os.environ["REDIS_URL"]))
    page = app.jinja_env.from_string(PAGE)  # compiled once, as Flask's file templates are

    def case_of(session: object) -> FloorCase:
        identifier = uuid.UUID(request.args["case"])
        return session.get(  # type: ignore[attr-defined, no-any-return]
            FloorCase, identifier, options=[joinedload(FloorCase.people)]
        )

    @app.get("/page")
    def show_page() -> str:
        with sessions() as session, session.begin():
            case = case_of(session)
            form = NamesForm(obj=case.people[0])
            return page.render(form=form)

    @app.post("/submit")
    def submit() -> Response:
        with sessions() as session, session.begin():
            case = case_of(session)
            case.status = "submitted"
            now = datetime.now(UTC)
            session.add_all(
                FloorRow(case_id=case.id, kind=kind, at=now)
                for kind in ("history", "audit", "outbox")
            )
        queue.enqueue(screen, str(case.id))
        return redirect(f"/page?case={case.id}&submitted=1")

    return app
