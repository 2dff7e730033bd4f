"""Applicant pages answered with an error status, compressed by the portal itself.

nginx's gzip compresses responses with the status 200, 403 or 404 only, whatever its
settings say; a form sent with mistakes is answered 400 with the whole form again (the
birth page with its country list: 14-17 KB as it is, 3-4 KB compressed), and went out
uncompressed past the page weight budget. The portal compresses those itself, as nginx
compresses the same page answered 200 (the same level, the same minimum size), and under
the same conditions (docs/security.md, "Compression and BREACH"): applicant pages only,
never staff pages, and never a response marked to be sent uncompressed
(portal/core/uncompressed.py) or already encoded.
"""

import gzip

from flask import Flask, Response, request

APPLICANT_BLUEPRINT = "apply"
# What nginx's gzip compresses itself; and its settings (deploy/nginx/public-server.conf).
COMPRESSED_BY_NGINX = frozenset({200, 403, 404})
LEVEL = 5
MINIMUM_BYTES = 512


def init_app(app: Flask) -> None:
    app.after_request(compress_refusal)


def _wanted(response: Response) -> bool:
    return (
        request.blueprint == APPLICANT_BLUEPRINT
        and response.status_code >= 400
        and response.status_code not in COMPRESSED_BY_NGINX
        and response.mimetype == "text/html"
        and "Content-Encoding" not in response.headers
        and not response.direct_passthrough
        and not response.is_streamed
    )


def compress_refusal(response: Response) -> Response:
    if not _wanted(response):
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if request.accept_encodings.quality("gzip") <= 0 or len(body) < MINIMUM_BYTES:
        return response
    response.set_data(gzip.compress(body, LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response
