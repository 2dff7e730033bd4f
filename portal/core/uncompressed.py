"""Pages sent uncompressed: those that show a lasting secret other than the CSRF token.

The web server compresses pages (docs/security.md, "Compression and BREACH"). A page that
shows an applicant's access code, a staff member's authenticator key or an enrolment link
is marked instead, and the mark is the contract with whatever compresses: such a response
already says ``Content-Encoding: identity``, and nginx's gzip (like every compressing
middleware that checks the header) leaves a response alone that already has an encoding.
``Cache-Control: no-transform`` asks the same of any proxy in between.
"""

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app
from werkzeug.wrappers import Response

CONTENT_ENCODING = "identity"
CACHE_CONTROL = "no-store, no-transform"


def sent_uncompressed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark every response of ``view`` (its refusals too, which may echo what was typed)."""

    @functools.wraps(view)
    def marked(*args: Any, **kwargs: Any) -> Response:
        response = current_app.make_response(view(*args, **kwargs))
        response.headers["Content-Encoding"] = CONTENT_ENCODING
        return response

    return marked


def is_sent_uncompressed(response: Response) -> bool:
    return response.headers.get("Content-Encoding") == CONTENT_ENCODING
