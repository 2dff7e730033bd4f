"""The one way a staff action says no: a refusal carrying a message the person can read."""

from flask_babel import LazyString


class ActionRefused(Exception):  # noqa: N818 - a refusal is an outcome, not a fault
    """An action that is not allowed, or not now; ``str()`` says why in the staff language.

    Raised before anything is changed where the reason is known up front; either way the
    request rolls back as a whole, so a refused action leaves nothing behind.
    """

    def __init__(self, message: LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
