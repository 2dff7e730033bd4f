"""A browser without JavaScript, for the deployment test: cookies, gzip, redirects,
the Referer its pages' policy allows, and the portal's forms with their CSRF tokens."""

import gzip
import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class Page:
    url: str
    status: int
    headers: Message
    text: str
    compressed: bool  # did it arrive gzip-encoded?

    def token(self) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.text)
        if not match:
            raise AssertionError(f"no CSRF token on {self.url} ({self.status})")
        return match.group(1)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None  # the browser below follows redirects itself, to see each status


def _multipart(
    fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content_type, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Browser:
    base: str
    cafile: str
    pages: list[Page] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=self.cafile)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=context),
            _NoRedirects(),
        )

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Page:
        url = urllib.parse.urljoin(self.base, path)
        request = urllib.request.Request(  # noqa: S310 - https to the test's own nginx
            url, data=body, method=method, headers={"Accept-Encoding": "gzip", **headers}
        )
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        raw = response.read()
        compressed = response.headers.get("Content-Encoding") == "gzip"
        text = (gzip.decompress(raw) if compressed else raw).decode("utf-8", "replace")
        page = Page(url, response.status, response.headers, text, compressed)
        self.pages.append(page)
        return page

    def get(self, path: str, *, follow: bool = True, headers: dict[str, str] | None = None) -> Page:
        page = self._send("GET", path, None, headers or {})
        while follow and page.status in (301, 302, 303, 307, 308):
            page = self._send("GET", page.location, None, {})
        return page

    def _referer(self, page: Page) -> dict[str, str]:
        """What a browser sends under the page's Referrer-Policy (to the same site)."""
        meta = re.search(r'<meta name="referrer" content="([a-z-]+)"', page.text)
        policy = meta.group(1) if meta else page.headers.get("Referrer-Policy", "")
        policy = policy or "strict-origin-when-cross-origin"  # browsers' default
        if policy == "no-referrer":
            return {}
        if policy in ("origin", "strict-origin"):
            return {"Referer": urllib.parse.urljoin(page.url, "/")}
        return {"Referer": page.url}

    def submit(
        self,
        path: str,
        fields: dict[str, str | list[str]],
        *,
        from_page: str | None = None,
        files: dict[str, tuple[str, str, bytes]] | None = None,
    ) -> Page:
        """Open the page with the form, fill it in and send it, as a person would."""
        form_page = self.get(from_page or path)
        values = {**fields, "csrf_token": form_page.token()}
        headers = self._referer(form_page)
        if files:
            flat = {name: str(value) for name, value in values.items()}
            body, content_type = _multipart(flat, files)
        else:
            body = urllib.parse.urlencode(values, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        return self._send("POST", path, body, {**headers, "Content-Type": content_type})
