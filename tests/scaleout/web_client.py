"""A client that speaks HTTP to a real server the way Flask's test client speaks to an app.

``tests.apply.journey.Applicant`` drives the applicant pages through ``get`` and ``post``
and reads ``status_code`` and ``get_data``; this client offers the same, over a socket,
so the same journey runs against gunicorn. Like the test client it follows no redirects.
It keeps cookies itself, Secure ones too: production marks the session cookie Secure, and
the servers here speak plain HTTP on loopback (TLS ends at the load balancer).
"""

import http.client
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass
class WebResponse:
    status_code: int
    body: bytes
    location: str | None

    def get_data(self, as_text: bool = False) -> Any:
        return self.body.decode() if as_text else self.body


@dataclass
class Exchange:
    """One request as the client saw it: for counting errors and reporting latencies."""

    method: str
    path: str
    status: int
    seconds: float


@dataclass
class Ledger:
    """Every exchange of every client of a burst (clients run in many threads)."""

    exchanges: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.exchanges.append(exchange)


class WebClient:
    """One applicant's browser without JavaScript: its own cookies, one request at a time."""

    def __init__(self, base_url: str, ledger: Ledger, timeout: float = 60) -> None:
        parts = urlsplit(base_url)
        assert parts.hostname and parts.port, base_url
        self.host, self.port = parts.hostname, parts.port
        self.ledger = ledger
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **_ignored: Any) -> WebResponse:
        return self._send("GET", path, None, {})

    def post(
        self, path: str, data: dict[str, Any] | bytes | None = None, content_type: str = ""
    ) -> WebResponse:
        if isinstance(data, bytes):  # already encoded (a form with a file)
            return self._send("POST", path, data, {"Content-Type": content_type})
        body = urlencode(data or {}).encode()
        return self._send("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> WebResponse:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        # A connection a request: the sync workers close each one after answering anyway.
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        self.ledger.add(Exchange(method, path, answer.status, time.perf_counter() - started))
        for header in answer.headers.get_all("Set-Cookie") or []:
            self._keep_cookie(header)
        return WebResponse(answer.status, content, answer.headers.get("Location"))

    def _keep_cookie(self, header: str) -> None:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            removed = morsel.value == "" or morsel["max-age"] in ("0", "-1")
            if removed or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
