"""One unit of work per request: it commits once at its end, or rolls back as a whole.

Services change the session and flush; they never commit, so that several of them combine
into one change, and an audit event always lands with the change it records. A view that
returns normally has its work committed before the response leaves (a commit that fails
becomes an error page, never a false success); an error page rolls back everything the
request did. Jobs and CLI commands follow the same rule and commit themselves, once.

Work that may only happen once the data is safe (handing a job to Redis) is registered
with ``after_commit``: it runs after a successful commit and is dropped on a rollback.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict

from portal.core.db import DbSession

AFTER_COMMIT = "portal.after_commit"


def after_commit(session: DbSession, callback: Callable[[], object]) -> None:
    """Run ``callback`` once the session's transaction has committed; never if it rolls
    back. It must not use the session (the transaction is over when it runs)."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(AFTER_COMMIT, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(AFTER_COMMIT, None)


def init_app(app: Flask, session: DbSession) -> None:
    """Commit each request's work when its view returned normally.

    Error pages call ``discard`` first, so after an error this commit finds nothing to do.
    Registered after every other response hook, so that it runs before them: a conflict
    found at the commit is answered with a page that gets the headers, the compression
    and the log line of any other.
    """

    @app.after_request
    def _commit(response: Response) -> Response:
        try:
            session.commit()
        except StaleDataError:
            # Another request changed the same case since this one read it (a button
            # pressed twice, two members of staff at once): none of this one is kept, and
            # the person is told so, with the way back to the page, never a server error.
            session.rollback()
            return app.make_response(app.handle_user_exception(Conflict()))
        return response


def discard(session: DbSession) -> None:
    """Roll back all the request did: it ends in an error or a refusal."""
    session.rollback()
