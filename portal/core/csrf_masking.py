"""The CSRF token written into pages under a fresh mask each time, so compression leaks it not.

BREACH: a page that is compressed, carries a secret and echoes something an attacker chose
gets shorter when the attacker's guess matches part of the secret; with enough requests the
secret is read off the sizes. Flask-WTF writes the same token into every page of a session
for up to an hour, so it is such a secret. Here each rendering writes ``mask + (token XOR
mask)`` with a new random mask instead, as Django does: the bytes on the wire differ in
every response and are random to anyone without the page, so there is nothing stable to
guess at. Each POST is unmasked before Flask-WTF checks it. The token itself (its secret in
the session, its signature, its lifetime) stays exactly as Flask-WTF makes it.
"""

import base64
import binascii
import re
import secrets
from typing import Any

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict

# What mask() writes: unpadded URL-safe base64, nothing else. Flask-WTF's tokens are about
# 90 characters, masked about 240; anything far longer is refused before any decoding.
_MASKED = re.compile(r"[A-Za-z0-9_-]{1,1024}")


def _xor(left: bytes, right: bytes) -> bytes:
    return (int.from_bytes(left, "big") ^ int.from_bytes(right, "big")).to_bytes(len(left), "big")


def mask(token: str) -> str:
    """``token`` under a fresh one-time pad, the pad sent along: random to whoever lacks
    the page, and different in every response."""
    raw = token.encode("ascii")
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + _xor(raw, pad)).rstrip(b"=").decode("ascii")


def unmask(value: str) -> str | None:
    """The token ``mask()`` wrote into ``value``, or None for anything it cannot have
    written (wrong alphabet or length, not ASCII, empty): the caller refuses it as it
    refuses a missing token."""
    if not _MASKED.fullmatch(value):
        return None
    try:
        both = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    half, odd = divmod(len(both), 2)
    if odd or not half:
        return None
    try:
        return _xor(both[half:], both[:half]).decode("ascii")
    except UnicodeDecodeError:
        return None


def masked_csrf_token() -> str:
    """For templates, as ``csrf_token()``: the request's token, masked afresh per call."""
    return mask(generate_csrf())


def masked_csrf_meta_tag() -> Markup:
    name = current_app.config["WTF_CSRF_META_NAME"]
    return Markup('<meta name="{}" content="{}">').format(name, masked_csrf_token())


def _unmasked_or_blank(value: str) -> str:
    # Blank reads to Flask-WTF as "no token": the ordinary refusal, a 400 and never a 500.
    return unmask(value) or ""


def unmask_submitted_tokens() -> None:
    """Replace each submitted token, in the form and in the headers, by its unmasked value
    wherever Flask-WTF looks for one (fields named like the token, prefixed ones too)."""
    config = current_app.config
    if request.method not in config["WTF_CSRF_METHODS"]:
        return
    field = config["WTF_CSRF_FIELD_NAME"]
    if any(key.endswith(field) for key in request.form):
        request.form = ImmutableMultiDict(
            [
                (key, _unmasked_or_blank(value) if key.endswith(field) else value)
                for key, value in request.form.items(multi=True)
            ]
        )
    for header in config["WTF_CSRF_HEADERS"]:
        key = "HTTP_" + header.upper().replace("-", "_")
        if key in request.environ:
            request.environ[key] = _unmasked_or_blank(request.environ[key])


class MaskingCSRFProtect(CSRFProtect):
    """Flask-WTF's protection, with tokens masked in pages and unmasked on arrival.

    The unmasking is a ``before_request`` function registered just ahead of Flask-WTF's own
    check (Flask runs them in the order registered), and it rewrites the request rather than
    the check: every reader of the token then sees Flask-WTF's own format, the check in
    ``protect()`` and a form's own check of its ``csrf_token`` field (which runs where
    ``protect()`` does not) alike, and only public hooks are used. Overriding ``protect()``
    would mean copying it, and its ``_get_csrf_token()`` is private: either could change
    under an upgrade without a word.
    """

    def init_app(self, app: Flask) -> None:
        app.before_request(unmask_submitted_tokens)
        super().init_app(app)
        # Flask-WTF sets both a global and a context processor; the processor registered
        # later wins, so pages rendered with render_template() get the masked one.
        masked: dict[str, Any] = {
            "csrf_token": masked_csrf_token,
            "csrf_meta_tag": masked_csrf_meta_tag,
        }
        app.jinja_env.globals.update(masked)
        app.context_processor(lambda: masked)
